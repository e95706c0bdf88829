"""The typer application classes: help pages and usage errors in Chinese.

typer (with the click it vendors) writes its own words in English: "Usage:", "Show this
message and exit.", "No such option". fzjj's users read Chinese, so every command and group
is made with the classes below, which translate help pages as they are formatted and turn
usage errors into Chinese ones (exit code 2, as every "could not run" error).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import IO, Any

import typer
from typer._click import exceptions as click_errors
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

from fzjj.errors import ExitCode

_HELP_WORDS = [
    (re.compile(r"^(\s*)Usage: ", re.M), r"\1用法："),
    (re.compile(r"^(\s*)Arguments:$", re.M), r"\1参数："),
    (re.compile(r"^(\s*)Options:$", re.M), r"\1选项："),
    (re.compile(r"^(\s*)Commands:$", re.M), r"\1命令："),
    (re.compile(r"Show this message and exit\."), "显示本帮助并退出。"),
    (re.compile(r"\[required\]"), "[必填]"),
    (re.compile(r"\[default: "), "[默认："),
    (re.compile(r"\[OPTIONS\]"), "[选项]"),
    (re.compile(r"COMMAND \[ARGS\]\.\.\."), "命令 [参数]..."),
]

_MESSAGES = [
    (re.compile(r"^No such command '(.*)'\.$"), "没有命令 {0}"),
    (re.compile(r"^Option '(.*)' requires an argument\.$"), "选项 {0} 需要一个值"),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.$"), "选项 {0} 需要 {1} 个值"),
    (re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((.*)\)$"), "多余的参数：{0}"),
    (re.compile(r"^'(.*)' is not one of (.*)\.$"), "“{0}”不是可选的值（可选：{1}）"),
    (re.compile(r"^'(.*)' is not a valid (integer|float)\.?$"), "“{0}”不是有效的数字"),
    (re.compile(r"^Input should be a valid integer\b.*$"), "应为整数"),
    (re.compile(r"^Input should be a valid number\b.*$"), "应为数字"),
    (re.compile(r"^(?:File|Path|Directory) '(.*)' does not exist\.$"), "“{0}”不存在"),
]


def translate_help(text: str) -> str:
    for pattern, replacement in _HELP_WORDS:
        text = pattern.sub(replacement, text)
    return text


def _message(text: str) -> str:
    text = text.removeprefix("Value error, ")
    for pattern, template in _MESSAGES:
        match = pattern.match(text)
        if match:
            return template.format(*match.groups())
    return text


def _chinese(exc: click_errors.UsageError) -> str:
    """The Chinese sentence for one usage error."""
    if isinstance(exc, click_errors.NoSuchOption):
        text = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            text += "，是不是想用 " + "、".join(sorted(exc.possibilities)) + "？"
        return text
    if isinstance(exc, click_errors.BadParameter):
        param = exc.param
        option = param is not None and param.param_type_name == "option"
        what = "选项" if option else "参数"
        name = (param.opts[0] if option else param.name) if param is not None else ""
        name = exc.param_hint if isinstance(exc.param_hint, str) else name
        if isinstance(exc, click_errors.MissingParameter):
            return f"缺少{what} {name}".strip()
        return f"{what} {name} 的值无效：{_message(exc.message)}"
    return _message(exc.message)


class ChineseUsageError(click_errors.UsageError):
    """A usage error that shows itself in Chinese, with where to find help."""

    exit_code = int(ExitCode.CANNOT_RUN)

    def show(self, file: IO[Any] | None = None) -> None:
        stream = file or sys.stderr
        command = self.ctx.command_path if self.ctx is not None else "fzjj"
        print(f"错误：{self.message}", file=stream)
        print(f"提示：运行 {command} --help 查看用法。", file=stream)


def _translated(exc: click_errors.UsageError) -> click_errors.UsageError:
    if isinstance(exc, (ChineseUsageError, click_errors.NoArgsIsHelpError)):
        return exc
    return ChineseUsageError(_chinese(exc), ctx=exc.ctx)


class _Chinese:
    """What fzjj's commands and groups share: usage errors and help pages in Chinese."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except click_errors.UsageError as exc:
            raise _translated(exc) from None

    def format_help(self, ctx: Any, formatter: Any) -> None:
        super().format_help(ctx, formatter)  # type: ignore[misc]
        formatter.buffer[:] = [translate_help("".join(formatter.buffer))]


class FzjjCommand(_Chinese, TyperCommand):
    pass


class FzjjGroup(_Chinese, TyperGroup):
    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click_errors.UsageError as exc:
            raise _translated(exc) from None


class FzjjApp(typer.Typer):
    """A typer application whose groups and commands speak Chinese."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", FzjjGroup)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(
        self, *args: Any, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", FzjjCommand)
        return super().command(*args, **kwargs)
