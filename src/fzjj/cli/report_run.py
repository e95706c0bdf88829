"""What `fzjj report` and `fzjj stats import` do, without typer.

`fzjj.cli.report_cmd` declares the typer commands; `fzjj.cli.entry` calls `run_report`
directly for `fzjj report` (its start-up counts: docs/benchmarks.md). Both raise FzjjError
for the caller to print.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from fzjj.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from rich.console import Console

    from fzjj.model import DraftState
    from fzjj.policy import Policy
    from fzjj.render.report_out import Document
    from fzjj.report import MonthlyReport
    from fzjj.service import Workspace
    from fzjj.stats import ImportResult

FORMAT_HELP = "输出格式：table（默认）、json、csv、markdown、html。"
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_month(text: str) -> tuple[int, int]:
    """`YYYY-MM` → (year, month), or a UsageError in Chinese."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise UsageError(
            f"月份 {text!r} 无效，应为 YYYY-MM 格式，例如 2026-03",
            field="--month",
            hint="月份取 01 到 12。",
        )
    return int(match[1]), int(match[2])


def parse_year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text.strip()) or int(text) < 1:
        raise UsageError(f"年份 {text!r} 无效，应为四位数字，例如 2026", field="--year")
    return int(text)


def check_format(fmt: str) -> str:
    from fzjj.render.report_out import FORMATS

    if fmt not in FORMATS:
        raise UsageError(
            f"不支持的输出格式 {fmt!r}", field="--format", hint="可选：" + "、".join(FORMATS) + "。"
        )
    return fmt


def run_report(
    *,
    month: str | None,
    year: str | None,
    show_pending: bool,
    show_reminders: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """`fzjj report`: check the options, build the report asked for, print or write it."""
    from fzjj.service import open_workspace

    check_format(fmt)
    modes = sum([year is not None, show_pending, show_reminders or month is not None])
    if modes > 1:
        raise UsageError(
            "--month、--year、--pending、--reminders 只能选一个",
            hint="只有 --reminders 可与 --month 同用，指定提醒的月份。",
        )
    # validate arguments before touching the repository
    year_value = parse_year(year) if year is not None else None
    month_value = parse_month(month) if month is not None else None

    workspace = open_workspace(Path.cwd())
    if year_value is not None:
        rendered, document = _year(workspace, year_value, fmt)
    elif show_pending:
        rendered, document = _pending(workspace, fmt)
    else:
        when = month_value or this_month(workspace.policy)
        show = _reminders if show_reminders else _month
        rendered, document = show(workspace, *when, fmt)
    _emit(rendered, document, fmt, output)


def this_month(policy: Policy) -> tuple[int, int]:
    """Today's (year, month) in the policy's timezone, whatever the machine's zone."""
    now = datetime.now(policy.tz)
    return now.year, now.month


# what a report renders to, and the tables for the terminal (None: print the text as is)
Rendered: TypeAlias = "tuple[str | bytes, Document | None]"


def _month(workspace: Workspace, year: int, month: int, fmt: str) -> Rendered:
    from fzjj.render import report_out as out

    # only JSON and HTML show the year's grid; without it the month's drafts suffice
    with_grid = fmt in ("json", "html")
    monthly = month_report(workspace.policy, workspace.states(), year, month, with_grid=with_grid)
    return out.render_month(monthly, fmt), out.month_document(monthly)


def _year(workspace: Workspace, year: int, fmt: str) -> Rendered:
    from fzjj import report as core
    from fzjj.render import report_out as out
    from fzjj.stats import DATA_FILE, load_reads

    policy = workspace.policy
    reads = load_reads(workspace.root / DATA_FILE)
    since = core.period_start(policy, year)
    chosen = _dated_since(workspace.states(), since, submitted=False)
    yearly = core.yearly_report(policy, chosen, year, reads)
    return out.render_year(yearly, fmt), out.year_document(yearly)


def _pending(workspace: Workspace, fmt: str) -> Rendered:
    from fzjj import report as core
    from fzjj.render import report_out as out

    items = core.pending(workspace.policy, _waiting(workspace.states()))
    return out.render_pending(items, fmt), out.pending_document(items)


def _reminders(workspace: Workspace, year: int, month: int, fmt: str) -> Rendered:
    from fzjj import report as core
    from fzjj.render import report_out as out

    policy = workspace.policy
    since = core.period_start(policy, year, month)
    chosen = _dated_since(workspace.states(), since, published=False)
    lines = [
        out.ReminderLine(u, policy.unit_name(u), policy.name_of(policy.unit_by_id[u].info_officer))
        for u in core.reminders(policy, chosen, year, month)
    ]
    return out.render_reminders(lines, year, month, fmt), None


def month_report(
    policy: Policy,
    states: Mapping[str, DraftState],
    year: int,
    month: int,
    *,
    with_grid: bool = True,
) -> MonthlyReport:
    """The monthly report, decoding only the drafts it depends on when the history is cached.

    Without the year's grid, that is the drafts with a record dated from the month on: on a
    long history a small share of them.
    """
    from fzjj import report as core

    since = core.period_start(policy, year, None if with_grid else month)
    chosen = _dated_since(states, since)
    return core.monthly_report(policy, chosen, year, month, with_grid=with_grid)


def print_month(workspace: Workspace, year: int, month: int, console: Console) -> MonthlyReport:
    """Print the monthly report of `workspace` on `console` as rich tables (used by the demo).

    Below-quota units are bold red; the tables are those of `fzjj report --month`.
    """
    from fzjj.render.report_out import month_document, render_month, renderables

    monthly = month_report(workspace.policy, workspace.states(), year, month, with_grid=False)
    if console.is_terminal:
        for item in renderables(month_document(monthly)):
            console.print(item)
    else:  # as `fzjj report` prints into a pipe or a file: whole cells, no colour
        console.file.write(str(render_month(monthly, "table")))
    return monthly


def _dated_since(
    states: Mapping[str, DraftState],
    since: datetime,
    *,
    submitted: bool = True,
    published: bool = True,
) -> Iterable[DraftState]:
    """The drafts first submitted (`submitted`) or published (`published`) from `since` on.

    The history cache keeps both dates in its index, so only those drafts are decoded;
    another mapping is passed whole, and the report functions filter by date themselves.
    """
    from fzjj.cache import LazyStates

    if not isinstance(states, LazyStates):
        return states.values()
    keys = states.dated_from(since.timestamp(), submitted=submitted, published=published)
    return (states[key] for key in keys)


def _waiting(states: Mapping[str, DraftState]) -> Iterable[DraftState]:
    """The drafts not published (only those can wait for someone), by the cache's index."""
    from fzjj.cache import LazyStates
    from fzjj.model import Phase

    if not isinstance(states, LazyStates):
        return states.values()
    return (states[k] for k in states if states.phase_of(k) is not Phase.PUBLISHED)


def _emit(rendered: str | bytes, document: Document | None, fmt: str, output: Path | None) -> None:
    """Write to the file, or print: tables go through rich so below-quota rows show in red."""
    if output is not None:
        from fzjj.render.outputs import write_file

        write_file(output, rendered if isinstance(rendered, bytes) else rendered.encode("utf-8"))
        print(f"已写入 {output}", file=sys.stderr)
        return
    if fmt == "table" and document is not None and sys.stdout.isatty():
        from rich.console import Console

        from fzjj.render.report_out import renderables

        console = Console()
        for item in renderables(document):
            console.print(item)
        return
    if isinstance(rendered, bytes):
        sys.stdout.buffer.write(rendered)
        sys.stdout.flush()
    else:
        sys.stdout.write(rendered)


def stats_import(file: Path) -> None:
    from fzjj.service import open_workspace
    from fzjj.stats import DATA_FILE, import_stats

    source = file if file.is_absolute() else Path.cwd() / file
    if not source.exists():
        raise UsageError("找不到统计文件", path=str(file), hint="检查文件路径是否正确。")
    workspace = open_workspace(Path.cwd())
    # only published drafts can match; decoded once the export has been read
    ever = datetime.min.replace(tzinfo=UTC)
    states = _dated_since(workspace.states(), ever, submitted=False)
    result = import_stats(source, states, workspace.policy, workspace.root / DATA_FILE)
    _print_import(result)


def _print_import(result: ImportResult) -> None:
    from fzjj.stats import DATA_FILE

    label = f"阅读数据文件 {DATA_FILE}"
    print(f"已匹配 {len(result.matched)} 行，其中阅读数有变化的 {result.updated} 行。")
    if result.changed:
        print(f"已更新{label}（尚未提交）。核对后提交：")
        print(f"  git diff {DATA_FILE}")
        print(f'  git add {DATA_FILE} && git commit -m "导入公众号阅读数"')
    else:
        print(f"{label}没有变化。")
    if result.unmatched:
        print(f"未匹配 {len(result.unmatched)} 行：")
        for item in result.unmatched:
            row = item.row
            day = row.published.isoformat() if row.published else "无日期"
            print(f"  第 {row.line} 行《{row.title}》（{day}）：{item.reason}")
