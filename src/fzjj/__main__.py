"""`python -m fzjj`: the same command line as the `fzjj` entry point."""

from fzjj.cli.entry import run

if __name__ == "__main__":
    run()
