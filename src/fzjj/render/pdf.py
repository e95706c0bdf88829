"""The approval form as PDF, drawn with fpdf2 in Noto Serif SC.

The font comes from the `pylopdf-fonts-zh-cn` package (SIL OFL 1.1), installed with fzjj
itself, so no system font or setup is needed; fpdf2 embeds only the glyphs used. Output is
byte-for-byte reproducible: the creation date is taken from the form's own dates.

Layout of one form (A4, millimetres): page 1 holds every field of the attachment in its
order, the 抄送 line and the block that ties the paper to its digital record. Text that does
not fit its box (a long body, a long opinion, many lint exceptions) continues on follow-on
pages headed with the box's name, so nothing is dropped. Every page carries the draft id,
the short digest and its page number.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from fzjj.render.form import (
    CC_LINE,
    FORM_NAME,
    NOT_IN_CHAIN,
    FormData,
    FormStage,
    cn_date,
    record_lines,
    short_commit,
    short_digest,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fpdf import FPDF

FONT = "notoserifsc"
CST = timezone(timedelta(hours=8))
FALLBACK_DATE = date(2018, 12, 24)  # the regulation's date, when a form carries no date

PAGE_W, PAGE_H = 210.0, 297.0
LEFT, TOP, BOTTOM = 20.0, 15.0, 285.0
TABLE_W = 170.0
LABEL_W = 34.0
VALUE_W = TABLE_W - LABEL_W
PAD = 2.5
BODY_PT = 10.5
SMALL_PT = 7.5
STAGE_H = 30.0
SIGN_H = 7.0
MIN_CONTENT_H = 45.0
PT = 25.4 / 72  # millimetres per point
GREY = (90, 90, 90)


def line_h(size: float) -> float:
    return size * PT * 1.5


@dataclass
class _Overflow:
    """Text moved to follow-on pages: (heading, lines already wrapped at BODY_PT)."""

    sections: list[tuple[str, list[str]]]


# ---- public API ----------------------------------------------------------------------------


def render_form_pdf(data: FormData) -> bytes:
    """The form as an A4 PDF with embedded Chinese glyphs; identical bytes for equal data."""
    return render_form_pdf_pages(data)[0]


def render_form_pdf_pages(data: FormData) -> tuple[bytes, int]:
    """`render_form_pdf` plus the number of pages it took."""
    pdf = new_document(creation_date(data.dates()), title=f"{FORM_NAME}：{data.title}")
    pages = draw_form(pdf, data)
    return bytes(pdf.output()), pages


def new_document(created: datetime, *, title: str) -> FPDF:
    """An empty A4 document with the CJK font loaded and fixed metadata."""
    from fpdf import FPDF

    from fzjj.render.fonts import serif_path

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(LEFT, TOP, PAGE_W - LEFT - TABLE_W)
    pdf.c_margin = 0
    pdf.add_font(FONT, "", str(serif_path()))
    pdf.set_creation_date(created)
    pdf.set_creator("fzjj")
    pdf.set_producer("fzjj")
    pdf.set_title(title)
    pdf.set_lang("zh-CN")
    return pdf


def creation_date(dates: Sequence[date]) -> datetime:
    """Midnight (UTC+8) of the latest date on the form(s), so re-runs give the same bytes."""
    latest = max(dates, default=FALLBACK_DATE)
    return datetime.combine(latest, time(0, 0), tzinfo=CST)


def draw_form(pdf: FPDF, data: FormData, *, page_offset: int | None = None) -> int:
    """Append the form's pages to `pdf`; returns how many pages it took.

    `page_offset` is the number of pages before the form in a combined document; when set,
    each footer also gives the page number in the whole document.
    """
    first = pdf.page + 1
    pdf.add_page()
    overflow = _Overflow([])
    _draw_page_one(pdf, data, overflow)
    for heading, lines in overflow.sections:
        _draw_follow_on(pdf, data, heading, lines)
    last = pdf.page
    for number in range(first, last + 1):
        pdf.page = number
        _draw_footer(pdf, data, number - first + 1, last - first + 1, page_offset)
    pdf.page = last
    return last - first + 1


# ---- text helpers --------------------------------------------------------------------------


def set_font(pdf: FPDF, size: float, color: tuple[int, int, int] = (0, 0, 0)) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_text_color(*color)


def wrap(pdf: FPDF, text: str, width: float, size: float) -> list[str]:
    """Split text into lines that fit `width` at `size` (any character may end a line)."""
    from fpdf.enums import MethodReturnValue, WrapMode

    if not text:
        return []
    set_font(pdf, size)
    lines: Any = pdf.multi_cell(
        width,
        line_h(size),
        text,
        dry_run=True,
        output=MethodReturnValue.LINES,
        wrapmode=WrapMode.CHAR,
    )
    return [str(line) for line in lines]


def write_lines(pdf: FPDF, x: float, y: float, lines: Sequence[str], size: float) -> float:
    """Write lines from the top-left corner (x, y); returns the y below the last line."""
    step = line_h(size)
    pdf.set_font(FONT, size=size)
    for line in lines:
        if line:  # fpdf2 refuses a cell without text; a blank line only moves down
            pdf.set_xy(x, y)
            pdf.cell(h=step, text=line)
        y += step
    return y


def text_at(pdf: FPDF, x: float, y: float, text: str, size: float, *, align: str = "L") -> None:
    """One line in a box of height line_h(size) whose left (or right, align="R") edge is x."""
    pdf.set_font(FONT, size=size)
    width = pdf.get_string_width(text)
    pdf.set_xy(x - width if align == "R" else x, y)
    pdf.cell(w=width, h=line_h(size), text=text)


def bold_centered(pdf: FPDF, y: float, text: str, size: float) -> None:
    """Centre `text` on the table width in a faux bold (the font ships one weight only)."""
    from fpdf.enums import TextMode

    pdf.set_font(FONT, size=size)
    width = pdf.get_string_width(text)
    with pdf.local_context(text_mode=TextMode.FILL_STROKE, line_width=size * 0.012):
        text_at(pdf, LEFT + (TABLE_W - width) / 2, y, text, size)


def _fit(pdf: FPDF, text: str, width: float, height: float, sizes: Sequence[float]) -> Any:
    """The largest size whose wrapped lines fit (size, lines, rest); rest overflows."""
    for size in sizes:
        lines = wrap(pdf, text, width, size)
        if len(lines) * line_h(size) <= height:
            return size, lines, []
    size = BODY_PT
    lines = wrap(pdf, text, width, size)
    keep = max(int(height // line_h(size)) - 1, 0)
    return size, lines[:keep], lines[keep:]


# ---- page one ------------------------------------------------------------------------------


def _draw_page_one(pdf: FPDF, data: FormData, overflow: _Overflow) -> None:
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    heading_top, heading_bottom = data.heading
    bold_centered(pdf, TOP, heading_top, 16)
    bold_centered(pdf, TOP + 9, heading_bottom, 20)
    y = TOP + 22

    # 信息标题
    title_lines = wrap(pdf, data.title, VALUE_W - 2 * PAD, BODY_PT)
    row_h = max(11.0, len(title_lines) * line_h(BODY_PT) + 2 * PAD)
    _label_cell(pdf, LEFT, y, LABEL_W, row_h, "信息标题")
    _value_cell(pdf, LEFT + LABEL_W, y, VALUE_W, row_h, title_lines)
    y += row_h

    # 报送日期 · 填报科室
    half = VALUE_W / 2 - LABEL_W / 2
    _label_cell(pdf, LEFT, y, LABEL_W, 11, "报送日期")
    _value_cell(pdf, LEFT + LABEL_W, y, half, 11, [cn_date(data.submitted_on)])
    _label_cell(pdf, LEFT + LABEL_W + half, y, LABEL_W, 11, "填报科室")
    unit_lines = wrap(pdf, data.unit_name, half - 2 * PAD, BODY_PT)[:1]
    _value_cell(pdf, LEFT + 2 * LABEL_W + half, y, half, 11, unit_lines)
    y += 11

    # the record block under the table decides how tall the content box can be
    record = _record_block(pdf, data, overflow)
    record_h = len(record) * line_h(SMALL_PT)
    content_h = BOTTOM - y - 4 * STAGE_H - 10 - record_h
    y = _content_row(pdf, data, y, max(content_h, MIN_CONTENT_H), overflow)
    for stage in data.stages:
        y = _stage_row(pdf, stage, y, overflow)

    # 抄送 and the digital record
    pdf.line(LEFT, y + 2, LEFT + TABLE_W, y + 2)
    text_at(pdf, LEFT + 1, y + 2.5, CC_LINE, BODY_PT)
    pdf.set_line_width(0.2)
    pdf.line(LEFT, y + 8.5, LEFT + TABLE_W, y + 8.5)
    set_font(pdf, SMALL_PT, (40, 40, 40))
    write_lines(pdf, LEFT, y + 9.5, record, SMALL_PT)
    set_font(pdf, BODY_PT)


def _label_cell(pdf: FPDF, x: float, y: float, w: float, h: float, label: str) -> None:
    """A bordered label cell, text centred; a parenthesised part goes small below."""
    pdf.rect(x, y, w, h)
    main, paren, rest = label.partition("（")
    blocks = [(wrap(pdf, main, w - 2 * PAD, BODY_PT), BODY_PT)]
    if paren:
        blocks.append((_balanced(pdf, paren + rest, w - 2 * PAD, 8.0), 8.0))
    total = sum(len(lines) * line_h(size) for lines, size in blocks)
    top = y + (h - total) / 2
    for lines, size in blocks:
        for line in lines:
            pdf.set_font(FONT, size=size)
            width = pdf.get_string_width(line)
            text_at(pdf, x + (w - width) / 2, top, line, size)
            top += line_h(size)


def _balanced(pdf: FPDF, text: str, width: float, size: float) -> list[str]:
    """Wrap into as many lines as needed, but of even length (as a typesetter would)."""
    count = len(wrap(pdf, text, width, size))
    if count <= 1:
        return [text]
    cuts = [len(text) * i // count for i in range(count + 1)]
    pieces = [text[a:b] for a, b in itertools.pairwise(cuts)]
    return [line for piece in pieces for line in wrap(pdf, piece, width, size)]


def _value_cell(pdf: FPDF, x: float, y: float, w: float, h: float, lines: list[str]) -> None:
    pdf.rect(x, y, w, h)
    set_font(pdf, BODY_PT)
    top = y + (h - len(lines) * line_h(BODY_PT)) / 2
    write_lines(pdf, x + PAD, top, lines, BODY_PT)


def _content_row(pdf: FPDF, data: FormData, y: float, h: float, overflow: _Overflow) -> float:
    """信息内容: the 来源 line, the body, and 经办人签名 with the submission date."""
    _label_cell(pdf, LEFT, y, LABEL_W, h, "信息内容")
    pdf.rect(LEFT + LABEL_W, y, VALUE_W, h)
    inner_w = VALUE_W - 2 * PAD
    top = y + PAD
    if data.source_line:
        source = wrap(pdf, data.source_line, inner_w, 8.5)
        set_font(pdf, 8.5, (40, 40, 40))
        top = write_lines(pdf, LEFT + LABEL_W + PAD, top, source, 8.5) + 1
    lines = wrap(pdf, data.content, inner_w, BODY_PT)
    room = int((y + h - SIGN_H - top) // line_h(BODY_PT))
    if len(lines) > room:
        rest = lines[room - 1 :]
        lines = [*lines[: room - 1], f"（正文未完，续见本表第 2 页起，共 {len(rest)} 行）"]
        overflow.sections.append(("信息内容（续）", rest))
    set_font(pdf, BODY_PT)
    write_lines(pdf, LEFT + LABEL_W + PAD, top, lines, BODY_PT)
    _sign_line(pdf, y + h, "经办人签名：", data.submitter, cn_date(data.submitted_on), None)
    return y + h


def _stage_row(pdf: FPDF, stage: FormStage, y: float, overflow: _Overflow) -> float:
    _label_cell(pdf, LEFT, y, LABEL_W, STAGE_H, stage.label)
    pdf.rect(LEFT + LABEL_W, y, VALUE_W, STAGE_H)
    opinion = stage.opinion or ("" if stage.applies else NOT_IN_CHAIN)
    box_h = STAGE_H - SIGN_H - PAD
    size, lines, rest = _fit(pdf, opinion, VALUE_W - 2 * PAD, box_h, (BODY_PT, 9.0, 8.0))
    if rest:
        lines = [*lines, "（意见未完，续见后页）"]
        overflow.sections.append((f"{stage.label}（续）", rest))
    set_font(pdf, size, (0, 0, 0) if stage.applies else GREY)
    write_lines(pdf, LEFT + LABEL_W + PAD, y + PAD, lines, size)
    record = short_commit(stage.commit) if stage.commit else None
    _sign_line(pdf, y + STAGE_H, "签名：", stage.signer, cn_date(stage.signed_on), record)
    return y + STAGE_H


def _sign_line(
    pdf: FPDF, bottom: float, label: str, name: str | None, when: str, record: str | None
) -> None:
    """`签名：name    2026 年 1 月 5 日` at the bottom of a box, the record id at its left."""
    y = bottom - SIGN_H + 1
    set_font(pdf, BODY_PT)
    text_at(pdf, LEFT + LABEL_W + VALUE_W * 0.36, y, label + (name or ""), BODY_PT)
    text_at(pdf, LEFT + TABLE_W - PAD, y, when, BODY_PT, align="R")
    if record:
        set_font(pdf, 6.5, GREY)
        text_at(pdf, LEFT + LABEL_W + PAD, y + 1, f"记录 {record}", 6.5)
        set_font(pdf, BODY_PT)


def _record_block(pdf: FPDF, data: FormData, overflow: _Overflow) -> list[str]:
    """Small-print lines under 抄送: record ids, lint exceptions, the full digest."""
    lines: list[str] = []
    for text in record_lines(data):
        lines += wrap(pdf, text, TABLE_W, SMALL_PT)
    if data.exceptions:
        listed = [f"{i}. {text}" for i, text in enumerate(data.exceptions, start=1)]
        wrapped = [ln for text in listed for ln in wrap(pdf, text, TABLE_W - 4, SMALL_PT)]
        budget = 8
        lines.append(f"内容检查例外（稿件中已说明理由，共 {len(listed)} 条）：")
        if len(wrapped) > budget:
            lines += [*wrapped[: budget - 1], "（其余例外续见后页）"]
            overflow.sections.append(("内容检查例外（全部）", _rewrap(pdf, listed)))
        else:
            lines += wrapped
    lines += wrap(pdf, f"完整内容摘要 SHA-256：{data.digest}", TABLE_W, SMALL_PT)
    return lines


def _rewrap(pdf: FPDF, texts: Sequence[str]) -> list[str]:
    return [line for text in texts for line in wrap(pdf, text, TABLE_W, BODY_PT)]


# ---- follow-on pages and footers -----------------------------------------------------------


def _draw_follow_on(pdf: FPDF, data: FormData, heading: str, lines: list[str]) -> None:
    """Continue a box's text on new pages, each headed with the form title and the box."""
    step = line_h(BODY_PT)
    while True:
        pdf.add_page()
        set_font(pdf, 12)
        text_at(pdf, LEFT, TOP, f"{data.heading[1]}　{heading}", 12)
        set_font(pdf, 9, GREY)
        title = wrap(pdf, f"信息标题：{data.title}", TABLE_W, 9)[:2]
        y = write_lines(pdf, LEFT, TOP + 7, title, 9) + 2
        pdf.set_line_width(0.2)
        pdf.line(LEFT, y, LEFT + TABLE_W, y)
        room = int((BOTTOM - y - 2) // step)
        set_font(pdf, BODY_PT)
        write_lines(pdf, LEFT, y + 2, lines[:room], BODY_PT)
        lines = lines[room:]
        if not lines:
            return


def _draw_footer(pdf: FPDF, data: FormData, number: int, total: int, offset: int | None) -> None:
    set_font(pdf, 6.5, GREY)
    left = f"{data.heading[1]}　稿件 {data.draft_id}　摘要 {short_digest(data.digest)}"
    right = f"本表第 {number} / {total} 页"
    if offset is not None:
        right += f"（汇编第 {offset + number} 页）"
    text_at(pdf, LEFT, BOTTOM + 4, left, 6.5)
    text_at(pdf, LEFT + TABLE_W, BOTTOM + 4, right, 6.5, align="R")
    set_font(pdf, BODY_PT)
