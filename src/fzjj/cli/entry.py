"""The `fzjj` entry point; `fzjj check`, `fzjj report` and `fzjj hook pre-receive` start
without typer.

CI runs `fzjj check --base` on every pull request, the server runs the hook on every push,
and the publicity section opens `fzjj report` every month, so their start-up counts
(docs/benchmarks.md). Building the typer application imports typer, click and, for every
option, a pydantic type adapter: about as much time as the whole pull-request check. These
commands therefore parse their few options here and run the same functions as their typer
commands (`fzjj.cli.check_cmds`, `fzjj.cli.report_cmd`), and report a bad command line in
Chinese with exit code 2. `--help` goes to the typer application. A test keeps the option
tables here and the typer commands in step.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from fzjj.errors import ExitCode, FzjjError, UsageError

FORMATS = ("text", "json", "github", "junit")
# option → parameter name of `check_command`; every option takes a value.
CHECK_OPTIONS = {
    "--format": "fmt",
    "-f": "fmt",
    "--output": "output",
    "-o": "output",
    "--base": "base",
    "--rev": "rev",
}
# option → parameter name of `report_command`; FLAGS take no value.
REPORT_OPTIONS = {
    "--month": "month",
    "--year": "year",
    "--pending": "show_pending",
    "--reminders": "show_reminders",
    "--format": "fmt",
    "-f": "fmt",
    "--output": "output",
    "-o": "output",
}
FLAGS = frozenset({"--pending", "--reminders"})


def run() -> None:
    """`fzjj …`: the two gate commands directly, everything else through typer."""
    # fzjj uses no pydantic plugins; looking them up reads every installed package's
    # metadata at the first model, on every start.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    command = fast_command(sys.argv[1:])
    if command is None:
        from fzjj.cli.main import run as run_typer

        run_typer()
        return
    try:
        code = command()
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        code = int(ExitCode.CANNOT_RUN)
    sys.exit(code)


def fast_command(argv: Sequence[str]) -> Callable[[], int] | None:
    """The command `argv` asks for, or None when typer should handle it (help, other
    commands). A usage error comes back as a command that prints it and returns 2."""
    if list(argv) == ["hook", "pre-receive"]:
        return pre_receive_command
    if not argv or argv[0] not in ("check", "report") or "--help" in argv[1:]:
        return None
    name = argv[0]
    table = CHECK_OPTIONS if name == "check" else REPORT_OPTIONS
    values = parse_options(name, table, argv[1:])
    if isinstance(values, str):
        return partial(usage_error, name, values)
    output = Path(str(values["output"])) if values.get("output") else None
    if name == "report":
        options = {
            "month": _text(values.get("month")),
            "year": _text(values.get("year")),
            "show_pending": values.get("show_pending") is True,
            "show_reminders": values.get("show_reminders") is True,
            "fmt": str(values.get("fmt", "table")),
            "output": output,
        }
        return partial(report_command, options)
    fmt = str(values.get("fmt", "text"))
    if fmt not in FORMATS:
        return partial(usage_error, name, f"--format 的值 {fmt!r} 无效，可选 {'、'.join(FORMATS)}")
    base = _text(values.get("base"))
    return partial(check_command, fmt, output, base, _text(values.get("rev")) or "HEAD")


def _text(value: str | bool | None) -> str | None:
    return value if isinstance(value, str) else None


def parse_options(
    command: str, table: dict[str, str], args: Sequence[str]
) -> dict[str, str | bool] | str:
    """Option values by parameter name, or the Chinese message of a usage error."""
    values: dict[str, str | bool] = {}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        key = table.get(name)
        if key is None:
            what = f"选项 {name}" if name.startswith("-") else f"参数 {name!r}"
            return f"fzjj {command} 不接受{what}"
        if name in FLAGS:
            if eq:
                return f"选项 {name} 不接受值"
            values[key] = True
            continue
        if not eq:
            if not rest or rest[0] in table:
                return f"选项 {name} 需要一个值"
            value = rest.pop(0)
        values[key] = value  # a repeated option: the last one counts, as in typer
    return values


def usage_error(command: str, message: str) -> int:
    """A bad command line: the message in Chinese and exit code 2, as typer would."""
    return fail(UsageError(message, hint=f"运行 fzjj {command} --help 查看用法。"))


def emit(stream: TextIO, text: str) -> None:
    """Write `text`, in UTF-8 when the stream's own encoding cannot hold Chinese."""
    try:
        try:
            stream.write(text)
            stream.flush()
        except UnicodeEncodeError:
            stream.flush()
            stream.buffer.write(text.encode("utf-8", "replace"))
            stream.buffer.flush()
    except BrokenPipeError:
        # The reader went away (`fzjj check | head`): the exit code still tells the result;
        # point the stream at /dev/null so that Python's final flush stays quiet.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def fail(exc: FzjjError) -> int:
    emit(sys.stderr, f"错误：{exc.render()}\n")
    return int(exc.exit_code)


def check_command(fmt: str, output: Path | None, base: str | None, rev: str) -> int:
    """`fzjj check`: run the check, print (or write) the report; returns the exit code."""
    from fzjj.check import format_text, render, run_check
    from fzjj.gitstore import open_repo

    try:
        report = run_check(open_repo(Path.cwd()), rev, base)
    except FzjjError as exc:
        return fail(exc)
    text = render(report, fmt)
    if output is not None:
        from fzjj.render.outputs import write_file

        try:
            write_file(output, text.encode("utf-8"))
        except FzjjError as exc:
            return fail(exc)
        text = format_text(report)
    emit(sys.stdout, text)
    return int(report.exit_code)


def report_command(options: dict[str, Any]) -> int:
    """`fzjj report`: the typer command's function (`run_report`), errors printed here."""
    from fzjj.cli.report_run import run_report

    try:
        run_report(**options)
    except FzjjError as exc:
        return fail(exc)
    return 0


def pre_receive_command() -> int:
    """`fzjj hook pre-receive`: judge the pushed ref updates read from stdin.

    What the pusher should see goes to stderr (git shows it as `remote:` lines); exit 1
    refuses the push, and so does exit 2 when the check cannot run at all (fail closed).
    """
    from fzjj import hook
    from fzjj.gitstore import open_hook_repo

    try:
        repo = open_hook_repo(hook.hook_git_dir())
        updates = hook.parse_updates(sys.stdin)
        result = hook.pre_receive(repo, updates)
    except FzjjError as exc:
        emit(sys.stderr, f"fzjj：无法检查本次推送，已拒绝。\n错误：{exc.render()}\n")
        return int(ExitCode.CANNOT_RUN)
    emit(sys.stderr, hook.render_result(result))
    return 1 if result.refused else 0
