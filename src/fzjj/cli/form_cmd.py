"""`fzjj form` and `fzjj archive`: the approval form of one draft, the month's archive."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fzjj.errors import FzjjError, UsageError

if TYPE_CHECKING:
    from fzjj.render.outputs import Outcome

NO_MONTH = "缺少月份"
NO_MONTH_HINT = "用 --month YYYY-MM 指定要存档的月份，例如 fzjj archive --month 2026-11。"


def register(app: typer.Typer) -> None:
    app.command("form")(form)
    app.command("archive")(archive)


def form(
    path: Annotated[Path, typer.Argument(help="稿件文件 content/YYYY/MM/<名称>.md")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="输出文件：.pdf 生成 PDF，.html 生成网页；默认 <稿件编号>-审批表.html",
        ),
    ] = None,
) -> None:
    """生成信息发布审批表（A4）：按已验证的签名记录填写，未签的栏目留空。"""
    from fzjj.cli.main import fail
    from fzjj.render.outputs import form_suffix, write_form
    from fzjj.service import open_workspace

    try:
        form_suffix(output)  # a bad suffix fails before the repository is read
        outcome = write_form(open_workspace(Path.cwd()), path, output)
    except FzjjError as exc:
        raise fail(exc) from None
    _notes(outcome)
    print(f"已生成审批表：{outcome.paths[0]}")


def archive(
    month: Annotated[
        str | None, typer.Option("--month", help="月份 YYYY-MM（按首次有效报送的月份）")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="输出目录；默认 archive/YYYY-MM/")
    ] = None,
) -> None:
    """生成当月全部审批表的存档：每份一个 PDF、一份带目录的汇编 PDF、manifest.json。"""
    from fzjj.cli.main import fail
    from fzjj.render.archive import parse_month
    from fzjj.render.outputs import write_archive
    from fzjj.service import open_workspace

    try:
        if month is None:
            raise UsageError(NO_MONTH, field="--month", hint=NO_MONTH_HINT)
        parse_month(month)  # a bad month fails before the repository is read
        outcome = write_archive(open_workspace(Path.cwd()), month, output)
    except FzjjError as exc:
        raise fail(exc) from None
    _notes(outcome)
    folder = outcome.paths[-1].parent
    print(f"已生成 {month} 审批表存档：{len(outcome.paths) - 2} 份，目录 {folder}")
    for path in outcome.paths:
        print(f"  {path.name}")


def _notes(outcome: Outcome) -> None:
    for note in outcome.notes:
        print(note, file=sys.stderr)
