"""Rendering the reports: rich tables, JSON, CSV (UTF-8 with BOM), Markdown, one HTML page.

Every format is built from the same "sheets" (a title, column headers, rows, and which rows
stand out), so the figures cannot differ between formats. The HTML page is self-contained:
inline CSS and inline SVG charts, no scripts, no external assets. rich is imported only for
the table format.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any, Literal

from fzjj.model import PHASE_LABELS, Kind, Phase
from fzjj.report import STEP_CHANGED, MonthlyReport, PendingItem, UnitMonth, YearlyReport

if TYPE_CHECKING:
    from rich.console import RenderableType

Format = Literal["table", "json", "csv", "markdown", "html"]
FORMATS: tuple[str, ...] = ("table", "json", "csv", "markdown", "html")

KIND_LABELS: dict[Kind, str] = {
    Kind.ORIGINAL: "原创",
    Kind.INTERVIEW: "采访",
    Kind.FORWARD: "转发",
}
BASIS_LABELS = {"submitted": "按报送", "published": "按发布"}
BELOW = "未达标"
CHANGED = "已修改"  # submitted, then edited: the approvals are void, to be submitted again
CHANGED_LONG = "报送后已修改，待重新报送"
MET = "是"
MONTH_HEADERS = tuple(f"{m}月" for m in range(1, 13))

Cell = str | int


@dataclass(slots=True)
class Sheet:
    """One table of a report, shared by every format."""

    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    flagged: set[int] = field(default_factory=set)  # row indices that stand out
    footer: list[Cell] | None = None  # a totals row


@dataclass(slots=True)
class Document:
    title: str
    notes: list[str]
    sheets: list[Sheet]
    charts: list[str] = field(default_factory=list)  # inline SVG, for HTML only


# ---- the monthly report --------------------------------------------------------------------


def month_title(report: MonthlyReport) -> str:
    return f"“法治晋江”政务微信公众号 {report.year}年{report.month}月 信息报送月报"


STATE_NOTE = (
    "报送按首次有效报送记录的日期计入月份（退回后重新报送不重复计）；"
    "审核中、已审批、已退回、已发布是这些稿件现在的状态；本月发布按发布记录的日期计。"
)


def _quota_note(report: MonthlyReport) -> str:
    kinds = "、".join(KIND_LABELS[k] for k in report.quota_kinds) or "无"
    basis = BASIS_LABELS.get(report.quota_basis, report.quota_basis)
    return (
        f"报送定额：每个单位每月至少 {report.quota_per_month} 条（{basis}计，"
        f"计入类型：{kinds}）；日期按 {report.timezone} 时区。"
    )


def _month_cells(row: UnitMonth, show_changed: bool, show_withdrawn: bool) -> list[Cell]:
    cells: list[Cell] = [
        row.name,
        row.submitted,
        row.in_review,
        row.approved,
        row.rejected,
        row.published,
    ]
    if show_changed:
        cells.append(row.changed)
    if show_withdrawn:
        cells.append(row.withdrawn)
    cells += [row.published_in_month, row.quota_count, row.quota_target]
    if not row.in_roster:
        cells.append("名册外")
    else:
        cells.append(MET if row.quota_met else BELOW)
    return cells


def _phase_label(phase: Phase) -> str:
    # A draft of the month's list was submitted; "unsubmitted" now means edited since.
    return CHANGED_LONG if phase is Phase.UNSUBMITTED else PHASE_LABELS[phase]


def month_document(report: MonthlyReport) -> Document:
    show_changed = report.totals.changed > 0
    show_withdrawn = report.totals.withdrawn > 0
    headers = ["单位", "报送", "审核中", "已审批", "已退回", "已发布"]
    headers += [CHANGED] if show_changed else []
    headers += [PHASE_LABELS[Phase.WITHDRAWN]] if show_withdrawn else []
    headers += ["本月发布", "计入定额", "定额", "达标"]
    units = Sheet("各单位报送情况", headers)
    for index, row in enumerate(report.units):
        units.rows.append(_month_cells(row, show_changed, show_withdrawn))
        if row.in_roster and not row.quota_met:
            units.flagged.add(index)
    in_roster = sum(1 for u in report.units if u.in_roster)
    units.footer = _month_cells(report.totals, show_changed, show_withdrawn)[:-1]
    units.footer.append(f"{report.units_met}/{in_roster} 达标")

    categories = Sheet("按栏目", ["栏目", "报送"], [[k, v] for k, v in report.by_category.items()])
    kinds = Sheet(
        "按类型", ["类型", "报送"], [[KIND_LABELS[k], v] for k, v in report.by_kind.items()]
    )
    drafts = Sheet("本月报送的稿件", ["稿件", "标题", "单位", "类型", "栏目", "报送时间", "状态"])
    for d in report.drafts:
        drafts.rows.append(
            [
                d.draft_id,
                d.title,
                d.unit_name,
                KIND_LABELS[d.kind],
                d.category,
                _when(d.submitted),
                _phase_label(d.phase),
            ]
        )
    notes = [_quota_note(report), STATE_NOTE]
    if report.below_quota:
        notes.append(f"未达标单位 {len(report.below_quota)} 个（表中标为“{BELOW}”）。")
    return Document(month_title(report), notes, [units, categories, kinds, drafts])


def month_json(report: MonthlyReport) -> dict[str, Any]:
    def unit(row: UnitMonth) -> dict[str, Any]:
        return {
            "unit": row.unit,
            "name": row.name,
            "in_roster": row.in_roster,
            "submitted": row.submitted,
            "in_review": row.in_review,
            "approved": row.approved,
            "rejected": row.rejected,
            "published": row.published,
            "changed": row.changed,
            "withdrawn": row.withdrawn,
            "published_in_month": row.published_in_month,
            "quota_count": row.quota_count,
            "quota_target": row.quota_target,
            "quota_met": row.quota_met,
        }

    totals = unit(report.totals)
    del totals["unit"], totals["name"], totals["in_roster"], totals["quota_met"]
    totals["units_met"] = report.units_met
    return {
        "report": "month",
        "month": report.label,
        "timezone": report.timezone,
        "quota": {
            "per_month": report.quota_per_month,
            "basis": report.quota_basis,
            "kinds": [str(k) for k in report.quota_kinds],
        },
        "units": [unit(u) for u in report.units],
        "totals": totals,
        "below_quota": report.below_quota,
        "by_category": report.by_category,
        "by_kind": {str(k): v for k, v in report.by_kind.items()},
        "drafts": [
            {
                "id": d.draft_id,
                "title": d.title,
                "unit": d.unit,
                "kind": str(d.kind),
                "category": d.category,
                "phase": str(d.phase),
                "submitted": d.submitted.isoformat(),
                "published": d.published.isoformat() if d.published else None,
            }
            for d in report.drafts
        ],
        "year_grid": (
            {u: list(c) for u, c in report.year_grid.items()}
            if report.year_grid is not None
            else None
        ),
    }


def month_charts(report: MonthlyReport) -> list[str]:
    """The year's units × months grid (when the report has it) and the month's pipeline."""
    charts = []
    if report.year_grid is not None:
        names = {u.unit: u.name for u in report.units}
        rows = [(names.get(u, u), list(c)) for u, c in report.year_grid.items()]
        title = f"{report.year}年各单位每月报送（条）"
        charts.append(grid_svg(title, rows, highlight=report.month - 1))
    t = report.totals
    pipeline = bars_svg(
        f"{report.year}年{report.month}月报送稿件的进度（条）",
        [
            ("报送", t.submitted),
            ("审核中", t.in_review),
            ("已审批", t.approved),
            ("已退回", t.rejected),
            ("已发布", t.published),
            ("本月发布（全部）", t.published_in_month),
        ],
    )
    return [*charts, pipeline]


def render_month(report: MonthlyReport, fmt: str) -> str | bytes:
    if fmt == "json":
        return _json(month_json(report))
    document = month_document(report)
    if fmt == "html":
        document.charts = month_charts(report)
    return _render(document, fmt)


# ---- the yearly evaluation -----------------------------------------------------------------


def year_title(report: YearlyReport) -> str:
    return f"“法治晋江”政务微信公众号 {report.year}年 各单位发布量与阅读量（年度考评）"


def year_document(report: YearlyReport) -> Document:
    published = Sheet("发布量（篇）", ["排名", "单位", *MONTH_HEADERS, "合计", "阅读合计"])
    reads = Sheet("阅读量（次）", ["排名", "单位", *MONTH_HEADERS, "合计"])
    for u in report.units:
        published.rows.append([u.rank, u.name, *u.published, u.published_total, u.reads_total])
        reads.rows.append([u.rank, u.name, *u.reads, u.reads_total])
    published.footer = [
        "",
        "合计",
        *report.published_by_month,
        report.published_total,
        report.reads_total,
    ]
    reads.footer = ["", "合计", *report.reads_by_month, report.reads_total]
    notes = [
        "按发布记录日期（"
        + report.timezone
        + " 时区）计入月份；排名先比发布量，再比阅读量，相同者并列。"
    ]
    if report.missing_reads:
        notes.append(
            f"有 {report.missing_reads} 篇已发布稿件尚无阅读数据，按 0 计；"
            "请用 fzjj stats import 导入公众号后台的统计文件。"
        )
    return Document(year_title(report), notes, [published, reads])


def year_json(report: YearlyReport) -> dict[str, Any]:
    return {
        "report": "year",
        "year": report.year,
        "timezone": report.timezone,
        "units": [
            {
                "rank": u.rank,
                "unit": u.unit,
                "name": u.name,
                "in_roster": u.in_roster,
                "published": list(u.published),
                "reads": list(u.reads),
                "published_total": u.published_total,
                "reads_total": u.reads_total,
                "missing_reads": u.missing_reads,
            }
            for u in report.units
        ],
        "published_by_month": list(report.published_by_month),
        "reads_by_month": list(report.reads_by_month),
        "published_total": report.published_total,
        "reads_total": report.reads_total,
        "missing_reads": report.missing_reads,
    }


def render_year(report: YearlyReport, fmt: str) -> str | bytes:
    if fmt == "json":
        return _json(year_json(report))
    document = year_document(report)
    if fmt == "html":
        rows = [(u.name, list(u.published)) for u in report.units]
        document.charts = [
            grid_svg(f"{report.year}年各单位每月发布（篇）", rows),
            bars_svg(
                f"{report.year}年各单位阅读量（次）",
                [(u.name, u.reads_total) for u in report.units],
            ),
        ]
    return _render(document, fmt)


# ---- pending and reminders -----------------------------------------------------------------


def pending_document(items: Sequence[PendingItem]) -> Document:
    sheet = Sheet("待办", ["稿件", "标题", "单位", "状态", "等待环节", "等待谁", "自"])
    for item in items:
        sheet.rows.append(
            [
                item.draft_id,
                item.title,
                item.unit_name,
                CHANGED if item.step == STEP_CHANGED else PHASE_LABELS[item.phase],
                item.step,
                "、".join(item.waiting_for_names) or "（名册中无人可签）",
                _when(item.since) if item.since else "—",
            ]
        )
    notes = [f"共 {len(items)} 篇稿件在等待。"] if items else ["没有等待处理的稿件。"]
    return Document("“法治晋江”待办：各稿件在等谁", notes, [sheet])


def pending_json(items: Sequence[PendingItem]) -> list[dict[str, Any]]:
    return [
        {
            "id": i.draft_id,
            "title": i.title,
            "path": i.path,
            "unit": i.unit,
            "unit_name": i.unit_name,
            "phase": str(i.phase),
            "stage": str(i.stage) if i.stage else None,
            "step": i.step,
            "waiting_for": list(i.waiting_for),
            "waiting_for_names": list(i.waiting_for_names),
            "since": i.since.isoformat() if i.since else None,
        }
        for i in items
    ]


def render_pending(items: Sequence[PendingItem], fmt: str) -> str | bytes:
    if fmt == "json":
        return _json({"report": "pending", "items": pending_json(items)})
    return _render(pending_document(items), fmt)


@dataclass(frozen=True, slots=True)
class ReminderLine:
    unit: str
    name: str
    info_officer: str  # the officer's name


def render_reminders(lines: Sequence[ReminderLine], year: int, month: int, fmt: str) -> str | bytes:
    if fmt == "json":
        data = {
            "report": "reminders",
            "month": f"{year}-{month:02d}",
            "units": [
                {"unit": r.unit, "name": r.name, "info_officer": r.info_officer} for r in lines
            ],
        }
        return _json(data)
    sheet = Sheet(
        "本月尚未报送的单位", ["单位", "信息员"], [[r.name, r.info_officer] for r in lines]
    )
    note = (
        f"{len(lines)} 个单位在 {year}年{month}月 尚未报送计入定额的稿件。"
        if lines
        else f"{year}年{month}月 每个单位都已报送。"
    )
    return _render(Document(f"{year}年{month}月 报送提醒", [note], [sheet]), fmt)


# ---- formats -------------------------------------------------------------------------------


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _render(document: Document, fmt: str) -> str | bytes:
    if fmt == "csv":
        return _csv(document)
    if fmt == "markdown":
        return _markdown(document)
    if fmt == "html":
        return _html(document)
    if fmt == "table":
        return _plain(document)
    raise ValueError(f"unknown format {fmt!r}")


def _csv(document: Document) -> bytes:
    """The title and notes, then each table as a section: its title, header, rows, totals.

    A blank line separates the parts. UTF-8 with BOM and CRLF line ends, as Excel and WPS
    expect; the csv module quotes cells holding commas, quotes or line breaks.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_safe_csv([line]) for line in [document.title, *document.notes])
    for sheet in document.sheets:
        writer.writerow([])
        writer.writerow(_safe_csv([sheet.title]))
        writer.writerow(_safe_csv(sheet.headers))
        writer.writerows(_safe_csv(row) for row in sheet.rows)
        if sheet.footer is not None:
            writer.writerow(_safe_csv(sheet.footer))
    return out.getvalue().encode("utf-8-sig")


# What spreadsheets take for the start of a formula (or, for tab and carriage return, skip
# before looking for one): a cell of draft text that starts with one is written with a
# leading apostrophe, so it stays text in Excel and WPS instead of running.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_csv(row: Sequence[Cell]) -> list[Cell]:
    return [f"'{c}" if isinstance(c, str) and c.startswith(_FORMULA_START) else c for c in row]


# Markdown syntax characters a draft title could carry; each is written backslash-escaped,
# so a title shows as typed and cannot open emphasis, a link, code or an HTML tag.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def _md_cell(value: Cell) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _flat(value))


def _markdown(document: Document) -> str:
    lines = [f"# {_md_cell(document.title)}", ""]
    for note in document.notes:  # one paragraph each
        lines += [f"> {_md_cell(note)}", ">"]
    lines[-1] = ""
    for sheet in document.sheets:
        lines += [f"## {_md_cell(sheet.title)}", ""]
        lines.append("| " + " | ".join(_md_cell(h) for h in sheet.headers) + " |")
        align = [
            "---" if i == 0 or not _numeric(sheet, i) else "---:" for i in range(len(sheet.headers))
        ]
        lines.append("| " + " | ".join(align) + " |")
        for index, row in enumerate(sheet.rows):
            cells = [_md_cell(c) for c in row]
            if index in sheet.flagged:
                cells = [f"**{c}**" if c else c for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        if sheet.footer is not None:
            lines.append(
                "| "
                + " | ".join(f"**{_md_cell(c)}**" if c != "" else "" for c in sheet.footer)
                + " |"
            )
        lines.append("")
    return "\n".join(lines)


def _numeric(sheet: Sheet, column: int) -> bool:
    values = [row[column] for row in sheet.rows if column < len(row)]
    return bool(values) and all(isinstance(v, int) for v in values)


# ---- rich ----------------------------------------------------------------------------------


def renderables(document: Document) -> list[RenderableType]:
    """rich objects for the terminal: below-quota rows in bold red."""
    from rich.table import Table
    from rich.text import Text

    out: list[RenderableType] = [Text(document.title, style="bold")]
    out += [Text(note, style="dim") for note in document.notes]
    for sheet in document.sheets:
        # the title on its own line: as a table title rich would wrap it to a narrow table
        out.append(Text(sheet.title, style="bold"))
        table = Table(show_footer=sheet.footer is not None)
        for index, header in enumerate(sheet.headers):
            footer = str(sheet.footer[index]) if sheet.footer and index < len(sheet.footer) else ""
            table.add_column(
                header, footer=footer, justify="right" if _numeric(sheet, index) else "left"
            )
        for index, row in enumerate(sheet.rows):
            style = "bold red" if index in sheet.flagged else None
            table.add_row(*(Text(str(c)) for c in row), style=style)
        out.append(table)
    return out


def _plain(document: Document) -> str:
    """The tables as box-drawn plain text, for a pipe or a file.

    Drawn here rather than by rich: laying out a month of a large bureau (a hundred rows)
    takes rich about 0.1 s, plus its import, which is most of what a cached
    `fzjj report --month` would cost. The look is rich's default (heavy header rule), and
    widths count East Asian wide characters as two columns, as terminals do.
    """
    lines = [_flat(document.title), *(_flat(note) for note in document.notes)]
    for sheet in document.sheets:
        lines.append(_flat(sheet.title))
        lines += _box(sheet)
    return "\n".join(lines) + "\n"


def _flat(value: Cell) -> str:
    """A cell on one line: control characters (newlines, tabs) become spaces."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else " " for c in text)


def _width(text: str) -> int:
    """Terminal columns of `text`: wide CJK characters take two, combining marks none."""
    if text.isascii():  # numbers and codes, most cells
        return len(text)
    return sum(_char_width(c) for c in text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _box(sheet: Sheet) -> list[str]:
    header = [_flat(h) for h in sheet.headers]
    body = [[_flat(c) for c in row] for row in sheet.rows]
    footer = [_flat(c) for c in sheet.footer] if sheet.footer is not None else None
    count = len(header)
    every = [header, *body, *([footer] if footer else [])]
    widths = [max(_width(row[i]) if i < len(row) else 0 for row in every) for i in range(count)]
    right = [_numeric(sheet, i) for i in range(count)]

    def line(cells: list[str], edge: str, inner: str) -> str:
        padded = []
        for i, width in enumerate(widths):
            text = cells[i] if i < len(cells) else ""
            gap = " " * (width - _width(text))
            padded.append(f" {gap}{text} " if right[i] else f" {text}{gap} ")
        return edge + inner.join(padded) + edge

    def rule(left: str, fill: str, cross: str, end: str) -> str:
        return left + cross.join(fill * (w + 2) for w in widths) + end

    out = [rule("┏", "━", "┳", "┓"), line(header, "┃", "┃"), rule("┡", "━", "╇", "┩")]
    out += [line(row, "│", "│") for row in body]
    if footer is not None:
        out += [rule("├", "─", "┼", "┤"), line(footer, "│", "│")]
    out.append(rule("└", "─", "┴", "┘"))
    return out


# ---- HTML and SVG --------------------------------------------------------------------------

_CSS = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f2328;
margin:2em auto;max-width:1200px;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #d0d7de;padding:.25em .6em}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.below td{background:#ffebe9;color:#a40e26;font-weight:bold}
tfoot td{font-weight:bold;background:#f6f8fa}
.note{color:#57606a}
figure{margin:1em 0}
@media print{tr.below td{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""


def _html(document: Document) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(document.title)}</title>",
        f"<style>{_CSS}</style></head>",
        "<body>",
        f"<h1>{escape(document.title)}</h1>",
        *(f'<p class="note">{escape(note)}</p>' for note in document.notes),
        *(f"<figure>{svg}</figure>" for svg in document.charts),
    ]
    for sheet in document.sheets:
        parts.append(_html_table(sheet))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _html_table(sheet: Sheet) -> str:
    def cells(row: Sequence[Cell], tag: str = "td") -> str:
        return "".join(
            f'<{tag} class="n">{v}</{tag}>' if isinstance(v, int) else f"<{tag}>{escape(v)}</{tag}>"
            for v in row
        )

    head = "".join(f"<th>{escape(h)}</th>" for h in sheet.headers)
    body = "".join(
        f'<tr class="below">{cells(r)}</tr>' if i in sheet.flagged else f"<tr>{cells(r)}</tr>"
        for i, r in enumerate(sheet.rows)
    )
    foot = f"<tfoot><tr>{cells(sheet.footer)}</tr></tfoot>" if sheet.footer else ""
    return (
        f"<h2>{escape(sheet.title)}</h2>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table>"
    )


def _shade(value: int, top: int) -> str:
    if value <= 0 or top <= 0:
        return "#f3f4f6"
    # from a pale to a deep blue, by share of the largest cell
    share = value / top
    light = (219, 234, 254)
    dark = (29, 78, 216)
    rgb = (round(a + (b - a) * share) for a, b in zip(light, dark, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def grid_svg(
    title: str, rows: Sequence[tuple[str, Sequence[int]]], highlight: int | None = None
) -> str:
    """A units × months grid; each cell shaded by its count and labelled with it."""
    label_w, cell_w, cell_h, top = 130, 44, 22, 48
    width = label_w + cell_w * 12 + 10
    height = top + cell_h * len(rows) + 10
    peak = max((v for _, counts in rows for v in counts), default=0)
    out = [
        f'<svg role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-size="12" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>',
    ]
    for m, label in enumerate(MONTH_HEADERS):
        x = label_w + m * cell_w + cell_w / 2
        out.append(f'<text x="{x:g}" y="{top - 8}" text-anchor="middle">{label}</text>')
    for r, (name, counts) in enumerate(rows):
        y = top + r * cell_h
        out.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(name)}</text>')
        for m, value in enumerate(counts):
            x = label_w + m * cell_w
            fill = _shade(value, peak)
            ink = "#ffffff" if peak and value / peak > 0.6 else "#1f2328"
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}">'
                f"<title>{escape(name)} {m + 1}月：{value}</title></rect>"
                f'<text x="{x + cell_w / 2 - 1:g}" y="{y + 15}" text-anchor="middle" '
                f'fill="{ink}">{value}</text>'
            )
    if highlight is not None:
        x = label_w + highlight * cell_w - 1
        out.append(
            f'<rect x="{x}" y="{top - 2}" width="{cell_w}" height="{cell_h * len(rows) + 2}" '
            'fill="none" stroke="#cf222e" stroke-width="2"/>'
        )
    out.append("</svg>")
    return "".join(out)


def bars_svg(title: str, bars: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars with their values."""
    label_w, bar_max, bar_h, top = 130, 460, 24, 30
    width = label_w + bar_max + 70
    height = top + bar_h * len(bars) + 10
    peak = max((v for _, v in bars), default=0)
    out = [
        f'<svg role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-size="12" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>',
    ]
    for i, (name, value) in enumerate(bars):
        y = top + i * bar_h
        length = round(bar_max * value / peak) if peak else 0
        out.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{bar_h - 6}" '
            f'fill="#2563eb"><title>{escape(name)}：{value}</title></rect>'
            f'<text x="{label_w + length + 6}" y="{y + 16}">{value}</text>'
        )
    out.append("</svg>")
    return "".join(out)
