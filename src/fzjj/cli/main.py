"""fzjj's command line. Heavy modules are imported inside the commands that need them."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from fzjj import __version__
from fzjj.errors import ExitCode, FzjjError

# click's own usage errors, in the words a person at the bureau reads.
_USAGE_MESSAGES = (
    (re.compile(r"Missing option '(.+)'\.?"), r"缺少选项 \1"),
    (re.compile(r"Missing argument '(.+)'\.?"), r"缺少参数 \1"),
    (re.compile(r"No such option: (\S+?)\.? Did you mean (\S+?)\?"), r"没有选项 \1（是不是 \2？）"),
    (
        re.compile(r"No such option: (\S+?)\.? \(Possible options: (.+)\)"),
        r"没有选项 \1（或 \2）",
    ),
    (re.compile(r"No such option: (\S+?)\.?$"), r"没有选项 \1"),
    (re.compile(r"No such command '(.+)'\.?"), r"没有命令 \1"),
    (re.compile(r"Option '(.+)' requires an argument\.?"), r"选项 \1 需要一个值"),
    (re.compile(r"Got unexpected extra arguments? \((.*)\)"), r"多余的参数：\1"),
    (re.compile(r"Invalid value for '(.+?)': (.*)", re.S), r"\1 的取值无效：\2"),
)
_VALUE_REASONS = (
    (re.compile(r"Input should be a valid integer.*|'.*' is not a valid integer\.?"), "应为整数"),
    (re.compile(r"'(.*)' is not one of (.*)\.?"), r"\1 不在可选范围 \2 中"),
)


class _Group(TyperGroup):
    """Prints click's usage errors (missing option, unknown option …) in Chinese, exit 2."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            print("已中断。", file=sys.stderr)
            code = int(ExitCode.CANNOT_RUN)
        except Exception as exc:
            if not hasattr(exc, "format_message") or not hasattr(exc, "exit_code"):
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":
                exc.show()  # type: ignore[attr-defined]
                code = int(ExitCode.CANNOT_RUN)
            else:
                code = _usage_error(exc, prog_name or "fzjj")
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _usage_error(exc: Exception, prog: str) -> int:
    message = str(exc.format_message())  # type: ignore[attr-defined]
    for pattern, chinese in _USAGE_MESSAGES:
        if pattern.match(message):
            message = pattern.sub(chinese, message, count=1)
            break
    head, sep, reason = message.partition(" 的取值无效：")
    for pattern, chinese in _VALUE_REASONS if sep else ():
        if pattern.match(reason):
            message = head + sep + pattern.sub(chinese, reason, count=1)
            break
    context = getattr(exc, "ctx", None)
    path = context.command_path if context is not None else prog
    print(f"错误：{message}\n提示：运行 {path} --help 查看用法。", file=sys.stderr)
    return int(getattr(exc, "exit_code", ExitCode.CANNOT_RUN))


app = typer.Typer(
    cls=_Group,
    name="fzjj",
    help="“法治晋江”政务微信公众号信息发布审核工具：报送、审核、发布都是签名的 git 提交。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
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
            "不给出时用本机 git config fzjj.trustRoot，都没有时用历史中的第一版名册。"
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
    chain_cmds.register_demo(app)


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
