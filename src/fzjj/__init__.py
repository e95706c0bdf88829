"""fzjj: the signed review chain of the 法治晋江 WeChat account, over git."""

__version__ = "0.1.0"
