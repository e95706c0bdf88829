"""The monthly archive of approval forms for the publicity section (宣教科留档备查).

`build_archive` writes into one folder:

- `<draft-id>-审批表.pdf` for each form (the same bytes `fzjj form -o x.pdf` gives);
- `<YYYY-MM>-审批表汇编.pdf`: an index page, then every form in order;
- `manifest.json`: the month and, per form, draft id, path, title, unit, state, digest,
  record commits and file name.

Re-running over the same records rewrites identical bytes. Files named in an earlier
manifest that are no longer part of the month are removed; nothing else in the folder is
touched.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from fzjj.errors import UsageError
from fzjj.render.form import FORM_NAME, FormData, short_digest
from fzjj.render.pdf import (
    BODY_PT,
    LEFT,
    TABLE_W,
    TOP,
    bold_centered,
    creation_date,
    draw_form,
    line_h,
    new_document,
    render_form_pdf_pages,
    set_font,
    text_at,
    wrap,
    write_lines,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from fpdf import FPDF

    from fzjj.model import DraftState
    from fzjj.policy import Policy

MANIFEST = "manifest.json"
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
BAD_MONTH = "月份“{month}”无效，应写成 YYYY-MM，例如 2026-01"
INDEX_ROWS = 24
ROW_H = 9.0
# (header, width in mm) of the index table
COLUMNS = (("序号", 11.0), ("稿件编号", 33.0), ("信息标题", 49.0), ("填报科室", 24.0),
           ("状态", 14.0), ("内容摘要", 28.0), ("页码", 11.0))  # fmt: skip
BASE_KEYS = frozenset(
    ("draft_id", "path", "title", "unit", "state", "digest", "record_commits", "file")
)


def parse_month(month: str) -> tuple[int, int]:
    """`YYYY-MM` → (year, month); a UsageError (exit 2) with a Chinese message otherwise."""
    match = MONTH_PATTERN.match(month)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise UsageError(BAD_MONTH.format(month=month), field="--month")
    return int(match.group(1)), int(match.group(2))


def select_month(states: Iterable[DraftState], policy: Policy, month: str) -> list[DraftState]:
    """Drafts whose first valid submission falls in `month` (policy timezone), by id.

    The same rule as the monthly report's 报送 count, so the archive and the report agree.
    """
    from fzjj.report import first_submitted

    year, number = parse_month(month)
    chosen = []
    for state in states:
        when = first_submitted(state, policy)
        if when is not None and (when.year, when.month) == (year, number):
            chosen.append(state)
    return sorted(chosen, key=lambda s: s.draft_id)


def build_archive(
    items: Sequence[tuple[FormData, dict[str, Any]]], out_dir: Path, *, month: str
) -> list[Path]:
    """Write the month's forms, the combined PDF and the manifest; returns the paths written.

    Each item is a form and extra manifest fields for it (for instance the unit id or the
    phase code); an extra field may not reuse a name the manifest already fills. Every file
    is rendered before the first one is written, so a failure leaves the folder as it was.
    """
    from fzjj.render.outputs import write_files

    files = archive_files(items, month=month)
    previous = _previous_files(out_dir)
    targets = [(out_dir / name, data) for name, data in files]
    write_files(targets)
    for name in previous - {name for name, _ in files}:
        with contextlib.suppress(OSError):  # a stale form that cannot go is merely left
            (out_dir / name).unlink(missing_ok=True)
    return [target for target, _ in targets]


def archive_files(
    items: Sequence[tuple[FormData, dict[str, Any]]], *, month: str
) -> list[tuple[str, bytes]]:
    """The archive's files as (name, bytes): the forms by draft id, the combined PDF, the
    manifest. Pure: nothing is written."""
    year, number = parse_month(month)
    forms = sorted(items, key=lambda item: item[0].draft_id)
    _check_unique(forms)
    files: list[tuple[str, bytes]] = []
    entries: list[dict[str, Any]] = []
    page_counts: list[int] = []
    for data, extra in forms:
        pdf_bytes, pages = render_form_pdf_pages(data)
        name = f"{data.file_stem}.pdf"
        files.append((name, pdf_bytes))
        entries.append(_entry(data, extra, name))
        page_counts.append(pages)
    combined = f"{month}-{FORM_NAME}汇编.pdf"
    files.append((combined, _combined_pdf([d for d, _ in forms], page_counts, year, number)))
    document = {"month": month, "count": len(entries), "combined": combined, "forms": entries}
    files.append((MANIFEST, (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()))
    return files


def _check_unique(forms: Sequence[tuple[FormData, dict[str, Any]]]) -> None:
    seen: set[str] = set()
    for data, extra in forms:
        if data.draft_id in seen:
            raise UsageError(f"稿件编号 {data.draft_id} 在本月出现了两次", path=data.path)
        seen.add(data.draft_id)
        clash = BASE_KEYS & extra.keys()
        if clash:
            raise ValueError(f"extra manifest fields clash with {sorted(clash)}")


def _entry(data: FormData, extra: dict[str, Any], file_name: str) -> dict[str, Any]:
    return {
        "draft_id": data.draft_id,
        "path": data.path,
        "title": data.title,
        "unit": data.unit_name,
        "state": data.state_label,
        "digest": data.digest,
        "record_commits": list(data.record_commits),
        "file": file_name,
        **extra,
    }


def _previous_files(out_dir: Path) -> set[str]:
    """File names the last run listed, so stale forms can go; unreadable → nothing."""
    try:
        old = json.loads((out_dir / MANIFEST).read_text("utf-8"))
        names = [old.get("combined"), *(f.get("file") for f in old.get("forms", []))]
    except (OSError, ValueError, AttributeError, TypeError):
        return set()
    return {n for n in names if isinstance(n, str) and "/" not in n and n.endswith(".pdf")}


# ---- the combined PDF ----------------------------------------------------------------------


def _combined_pdf(forms: Sequence[FormData], pages: Sequence[int], year: int, month: int) -> bytes:
    dates = [d for data in forms for d in data.dates()] or [date(year, month, 1)]
    title = f"{FORM_NAME}汇编 {year} 年 {month} 月"
    pdf = new_document(creation_date(dates), title=title)
    index_pages = max(1, -(-len(forms) // INDEX_ROWS))
    starts, offset = [], index_pages
    for count in pages:
        starts.append(offset + 1)
        offset += count
    _draw_index(pdf, forms, starts, year, month)
    for data, start in zip(forms, starts, strict=True):
        draw_form(pdf, data, page_offset=start - 1)
    return bytes(pdf.output())


def _draw_index(
    pdf: FPDF, forms: Sequence[FormData], starts: Sequence[int], year: int, month: int
) -> None:

    heading = f"“{forms[0].account if forms else '法治晋江'}”政务微信公众号{FORM_NAME}汇编"
    rows = list(zip(forms, starts, strict=True))
    chunks = [rows[i : i + INDEX_ROWS] for i in range(0, len(rows), INDEX_ROWS)] or [[]]
    for number, chunk in enumerate(chunks, start=1):
        pdf.add_page()
        bold_centered(pdf, TOP, heading, 15)
        set_font(pdf, 10)
        sub = f"{year} 年 {month} 月　共 {len(forms)} 份　宣教科留档备查　目录第 {number} 页"
        text_at(pdf, LEFT + (TABLE_W - pdf.get_string_width(sub)) / 2, TOP + 9, sub, 10)
        y = TOP + 17
        _index_row(pdf, y, [h for h, _ in COLUMNS], header=True)
        for index, (data, start) in enumerate(chunk, start=(number - 1) * INDEX_ROWS + 1):
            y += ROW_H
            cells = [str(index), data.draft_id, data.title, data.unit_name, data.state_label,
                     short_digest(data.digest), str(start)]  # fmt: skip
            _index_row(pdf, y, cells)
        if not forms:
            text_at(pdf, LEFT, y + ROW_H + 3, "本月没有报送的稿件。", BODY_PT)


def _index_row(pdf: FPDF, y: float, cells: Sequence[str], *, header: bool = False) -> None:

    x = LEFT
    pdf.set_line_width(0.2)
    for text, (_, width) in zip(cells, COLUMNS, strict=True):
        pdf.rect(x, y, width, ROW_H)
        size = 9.0 if header else 7.5
        lines = wrap(pdf, text, width - 2, size)
        if len(lines) > 2:
            lines = [lines[0], lines[1][:-1] + "…"]
        set_font(pdf, size)
        top = y + (ROW_H - len(lines) * line_h(size)) / 2
        write_lines(pdf, x + 1, top, lines, size)
        x += width
