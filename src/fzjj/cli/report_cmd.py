"""`fzjj report` and `fzjj stats import`: the typer commands (the work is in report_run)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fzjj.cli.base import FzjjApp
from fzjj.cli.report_run import FORMAT_HELP, run_report, stats_import
from fzjj.errors import FzjjError

stats_app = FzjjApp(help="公众号后台统计数据（阅读数）的导入。", no_args_is_help=True)


def report(
    *,
    month: Annotated[
        str | None, typer.Option("--month", help="月报：YYYY-MM，默认为本月。")
    ] = None,
    year: Annotated[
        str | None, typer.Option("--year", help="年度考评：各单位发布量与阅读量，YYYY。")
    ] = None,
    show_pending: Annotated[
        bool, typer.Option("--pending", help="列出所有等待处理的稿件：环节、等谁、自何时。")
    ] = False,
    show_reminders: Annotated[
        bool, typer.Option("--reminders", help="列出本月（或 --month 指定月份）尚未报送的单位。")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写入文件而不是显示在终端。")
    ] = None,
) -> None:
    """报表：月度报送与定额（第四条）、年度考评（第九条）、待办与报送提醒。"""
    from fzjj.cli.main import fail

    try:
        run_report(
            month=month,
            year=year,
            show_pending=show_pending,
            show_reminders=show_reminders,
            fmt=fmt,
            output=output,
        )
    except FzjjError as exc:
        raise fail(exc) from None


@stats_app.command("import")
def stats_import_command(
    file: Annotated[Path, typer.Argument(help="公众号后台导出的统计文件（.csv 或 .xlsx）。")],
) -> None:
    """导入阅读数：按链接、否则按标题和发布日期匹配已发布的稿件，写入 data/wechat-stats.json。"""
    from fzjj.cli.main import fail

    try:
        stats_import(file)
    except FzjjError as exc:
        raise fail(exc) from None


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(stats_app, name="stats")
