"""`fzjj init DIR`: a new content repository from the files packaged in `fzjj/data/init/`.

Packaged names starting with `dot-` become dot-files (`dot-github/` → `.github/`), so that
setuptools' package-data globs, which skip hidden files, still ship them. Existing files are
never overwritten; a folder that already holds a policies.yaml is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from fzjj.errors import FzjjError, RefusedError

INIT_PACKAGE = "fzjj"
INIT_FOLDER = ("data", "init")
_DOT = "dot-"


@dataclass(slots=True)
class InitResult:
    root: Path
    created: list[str] = field(default_factory=list)  # repository paths written
    skipped: list[str] = field(default_factory=list)  # already present, left alone
    git_initialised: bool = False


def packaged_files() -> dict[str, bytes]:
    """Repository path → content of every file `fzjj init` writes."""
    top = resources.files(INIT_PACKAGE).joinpath(*INIT_FOLDER)
    out: dict[str, bytes] = {}
    _collect(top, "", out)
    templates_readme = resources.files(INIT_PACKAGE).joinpath("templates", "README.md")
    if templates_readme.is_file():
        out["templates/README.md"] = templates_readme.read_bytes()
    return out


def _collect(folder: Traversable, prefix: str, out: dict[str, bytes]) -> None:
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        name = item.name
        if name.startswith(("__", ".")):
            continue
        if name.startswith(_DOT):
            name = "." + name[len(_DOT) :]
        if item.is_dir():
            _collect(item, prefix + name + "/", out)
        elif item.is_file():
            out[prefix + name] = item.read_bytes()


def init_repository(target: Path) -> InitResult:
    """Lay out a content repository in `target` (created if needed) and `git init` it."""
    from fzjj import gitstore

    target = target.expanduser()
    if (target / "policies.yaml").exists():
        raise RefusedError(
            f"{target} 中已经有 policies.yaml，看起来已是内容仓库，没有做任何修改",
            path=str(target / "policies.yaml"),
            hint="换一个空目录，或直接在该仓库中使用 fzjj。",
        )
    if target.exists() and not target.is_dir():
        raise FzjjError(f"{target} 不是目录", hint="指定一个新目录或空目录。")
    result = InitResult(root=target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        repo = gitstore.find_repository(target)
        if repo is None or repo.root.resolve() != target.resolve():
            gitstore.init_repository(target)
            result.git_initialised = True
        for rel, data in packaged_files().items():
            path = target / rel
            if path.exists():
                result.skipped.append(rel)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            result.created.append(rel)
    except OSError as exc:
        raise FzjjError(
            f"无法在 {target} 中创建文件：{exc.strerror}", hint="检查目录权限后重试。"
        ) from exc
    return result
