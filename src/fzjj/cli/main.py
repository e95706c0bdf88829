"""fzjj's command line. Heavy modules are imported inside the commands that need them."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from fzjj import __version__
from fzjj.cli.base import FzjjApp
from fzjj.errors import ExitCode, FzjjError

app = FzjjApp(
    name="fzjj",
    help="“法治晋江”政务微信公众号信息发布审核工具：报送、审核、发布都是签名的 git 提交。",
    no_args_is_help=True,
)


def _version(value: bool) -> None:
    if value:
        print(f"fzjj {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="显示版本并退出。"),
    ] = False,
    trust_root: Annotated[
        str | None,
        typer.Option(
            "--trust-root",
            metavar="提交编号",
            help="信任根：以该提交（完整编号）中的 policies.yaml 为可信名册的起点；"
            "不给出时用环境变量 FZJJ_TRUST_ROOT 或本机 git config fzjj.trustRoot，"
            "都没有时用历史中的第一版名册。"
            "见 docs/policies.md。",
        ),
    ] = None,
) -> None:
    """“法治晋江”政务微信公众号信息发布审核工具。"""
    from fzjj.gitstore import set_trust_root

    set_trust_root(trust_root)
    ctx.call_on_close(lambda: set_trust_root(None))  # scoped to this one invocation


def fail(exc: FzjjError) -> typer.Exit:
    """Print a user error in Chinese on stderr and return the Exit to raise."""
    print(f"错误：{exc.render()}", file=sys.stderr)
    return typer.Exit(int(exc.exit_code))


def _register_commands() -> None:
    from fzjj.cli import (
        chain_cmds,
        check_cmds,
        demo_cmd,
        form_cmd,
        lint_cmd,
        render_cmd,
        report_cmd,
        roster_cmd,
    )

    chain_cmds.register(app)
    lint_cmd.register(app)
    check_cmds.register(app)
    report_cmd.register(app)
    form_cmd.register(app)
    render_cmd.register(app)
    roster_cmd.register(app)
    demo_cmd.register(app)


_register_commands()


def run() -> None:
    try:
        app()
    except FzjjError as exc:  # pragma: no cover - commands catch their own
        print(f"错误：{exc.render()}", file=sys.stderr)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        sys.exit(int(ExitCode.CANNOT_RUN))
