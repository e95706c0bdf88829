"""The approval form: FormData from records, HTML (escaping, templates), PDF (text, pixels)."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pypdfium2
import pytest

from fzjj.draft import Draft, parse_draft
from fzjj.model import FULL_CHAIN, Action, DraftState, Kind, Phase, Record, Stage
from fzjj.policy import Policy, parse_policy
from fzjj.render.fonts import serif_path
from fzjj.render.form import (
    BOX_LABELS,
    CC_LINE,
    NOT_IN_CHAIN,
    FormData,
    form_data,
    plain_text,
    render_form_html,
    short_digest,
)
from fzjj.render.pdf import render_form_pdf
from fzjj.render.templating import clear_cache
from test_render_article import CORPUS, CORPUS_SHOWS

CST = timezone(timedelta(hours=8))
POLICY = """version: 1
roster_admins: [admin]
categories: [党务政务宣传]
principal: principal
secrecy_office: [secrecy]
units:
  - {id: qingyang, name: 青阳司法所, info_officer: qy_info, head: qy_head, deputy: deputy}
people:
  - {id: qy_info, name: 林青}
  - {id: qy_head, name: 陈岚}
  - {id: secrecy, name: 许明}
  - {id: deputy, name: 王强}
  - {id: principal, name: 李华}
  - {id: admin, name: 周宣}
"""
SIGNERS = {
    Stage.UNIT_HEAD: "qy_head",
    Stage.SECRECY_OFFICE: "secrecy",
    Stage.DEPUTY: "deputy",
    Stage.PRINCIPAL: "principal",
}
NAMES = {Stage.UNIT_HEAD: "陈岚", Stage.SECRECY_OFFICE: "许明", Stage.DEPUTY: "王强"}
NAMES[Stage.PRINCIPAL] = "李华"
OPINIONS = {
    Stage.UNIT_HEAD: "同意报送。",
    Stage.SECRECY_OFFICE: "经审查，不涉密。",
    Stage.DEPUTY: "同意。",
    Stage.PRINCIPAL: "同意发布。",
}
BODY = """青阳司法所于 1 月 5 日在青阳街道开展**法律进社区**普法宣传活动。

- 发放《民法典》宣传手册 200 余份
- 解答法律咨询 30 余人次
"""


@pytest.fixture(autouse=True)
def _fresh_envs() -> None:
    clear_cache()


def make_policy(extra: str = "") -> Policy:
    return parse_policy(POLICY + extra)


def make_draft(
    *, title: str = "青阳司法所开展普法宣传活动", body: str = BODY, extra: str = ""
) -> Draft:
    text = (
        f"---\nid: 2026-01-qingyang-01\ntitle: '{title}'\nunit: qingyang\nkind: original\n"
        f"category: 党务政务宣传\n{extra}---\n\n{body}"
    )
    return parse_draft(text.encode("utf-8"), "content/2026/01/qingyang-01.md")


def record(
    draft: Draft,
    action: Action,
    stage: Stage | None,
    signer: str,
    when: datetime,
    *,
    opinion: str = "",
    valid: bool = True,
    digest: str | None = None,
) -> Record:
    commit = f"{len(action.value) + (FULL_CHAIN.index(stage) if stage else 9):x}" * 40
    return Record(
        commit=commit[:40],
        action=action,
        draft_id=draft.meta.id,
        path=draft.path,
        stage=stage,
        digest=digest or draft.digest,
        blob=None,
        opinion=opinion,
        signer=signer if valid else None,
        key=None,
        when=when,
        valid=valid,
    )


def make_state(draft: Draft, stages: int, *, phase: Phase | None = None) -> DraftState:
    """A state with a valid submission and the first `stages` approvals."""
    # 17:30 UTC on the 5th is already the 6th in Asia/Shanghai
    submitted = datetime(2026, 1, 5, 17, 30, tzinfo=UTC)
    approvals = [
        record(
            draft,
            Action.APPROVE,
            stage,
            SIGNERS[stage],
            datetime(2026, 1, 7 + i, 9, 0, tzinfo=CST),
            opinion=OPINIONS[stage],
        )
        for i, stage in enumerate(FULL_CHAIN[:stages])
    ]
    return DraftState(
        draft_id=draft.meta.id,
        path=draft.path,
        title=draft.meta.title,
        unit="qingyang",
        kind=Kind.ORIGINAL,
        category="党务政务宣传",
        phase=phase or (Phase.APPROVED if stages == 4 else Phase.IN_REVIEW),
        digest=draft.digest,
        submission=record(draft, Action.SUBMIT, None, "qy_info", submitted),
        approvals=approvals,
    )


def squash(text: str) -> str:
    """Drop whitespace and NULs: pypdf reads fpdf2's CID-keyed CFF encoding with a NUL or a
    space between glyphs (poppler and pdfium read it exactly; see docs/forms.md)."""
    return re.sub(r"[\s\x00]+", "", text)


def pdf_text(data: bytes) -> str:
    """Text of every page as pypdf extracts it, squashed."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return squash("".join(page.extract_text() for page in reader.pages))


def pdfium_text(data: bytes) -> str:
    """Text of every page as pdfium extracts it, unchanged."""
    document = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


# ---- form_data -----------------------------------------------------------------------------


def test_form_data_fills_every_box_from_valid_records() -> None:
    draft = make_draft()
    data = form_data(make_state(draft, 4), draft, make_policy())
    assert data.title == "青阳司法所开展普法宣传活动"
    assert data.unit_name == "青阳司法所"
    assert data.submitter == "林青"
    assert data.submitted_on == date(2026, 1, 6)  # converted to the policy's timezone
    assert [s.label for s in data.stages] == [BOX_LABELS[s] for s in FULL_CHAIN]
    assert [s.signer for s in data.stages] == [NAMES[s] for s in FULL_CHAIN]
    assert [s.opinion for s in data.stages] == [OPINIONS[s] for s in FULL_CHAIN]
    assert [s.signed_on for s in data.stages] == [date(2026, 1, d) for d in (7, 8, 9, 10)]
    assert data.digest == draft.digest
    assert len(data.record_commits) == 5
    assert data.state_label == "已审批"
    assert "· 发放《民法典》宣传手册 200 余份" in data.content
    assert "**" not in data.content


def test_in_review_leaves_later_boxes_blank() -> None:
    draft = make_draft()
    data = form_data(make_state(draft, 2), draft, make_policy())
    filled = [s.signer is not None for s in data.stages]
    assert filled == [True, True, False, False]
    assert all(s.opinion is None and s.signed_on is None for s in data.stages[2:])
    assert data.state_label == "审核中"


def test_invalid_or_foreign_records_are_never_printed() -> None:
    draft = make_draft()
    state = make_state(draft, 2)
    when = datetime(2026, 1, 9, tzinfo=CST)
    state.approvals += [
        record(draft, Action.APPROVE, Stage.DEPUTY, "deputy", when, opinion="伪造", valid=False),
        record(draft, Action.APPROVE, Stage.PRINCIPAL, "principal", when, digest="f" * 64),
    ]
    state.submission = replace(state.submission, valid=False)  # type: ignore[arg-type]
    data = form_data(state, draft, make_policy())
    assert [s.signer for s in data.stages[2:]] == [None, None]
    assert data.submitter is None and data.submitted_on is None
    html = render_form_html(data, repo_root=None)
    assert "伪造" not in html
    assert "王强" not in html and "李华" not in html


def test_rejection_shows_in_its_box() -> None:
    draft = make_draft()
    state = make_state(draft, 1, phase=Phase.REJECTED)
    when = datetime(2026, 1, 9, tzinfo=CST)
    state.rejection = record(
        draft, Action.REJECT, Stage.SECRECY_OFFICE, "secrecy", when, opinion="涉及个人信息"
    )
    data = form_data(state, draft, make_policy())
    assert data.stages[1].opinion == "【退回】涉及个人信息"
    assert data.stages[1].signer == "许明"
    assert data.state_label == "已退回"
    # a rejection of other content (the draft was edited since) is not printed
    state.rejection = replace(state.rejection, digest="e" * 64)
    stale = form_data(state, draft, make_policy())
    assert stale.stages[1].signer is None and stale.stages[1].opinion is None


def test_stage_outside_the_kinds_chain_is_marked() -> None:
    policy = make_policy("chains: {original: [unit_head, secrecy_office, principal]}\n")
    draft = make_draft()
    data = form_data(make_state(draft, 2), draft, policy)
    assert [s.applies for s in data.stages] == [True, True, False, True]
    assert NOT_IN_CHAIN in render_form_html(data, repo_root=None)


def test_forward_source_and_lint_exceptions_are_shown() -> None:
    extra = (
        "source: {name: 司法部, title: 新规解读, url: 'https://www.moj.gov.cn/a.html'}\n"
        "lint_exceptions:\n  - {rule: l106, match: 林青, reason: 本人同意公开姓名}\n"
        "  - {rule: X9, reason: 旧规则代码照原样显示}\n"
    )
    draft = make_draft(extra=extra)
    data = form_data(make_state(draft, 0), draft, make_policy())
    assert data.source_line == "来源：司法部《新规解读》 https://www.moj.gov.cn/a.html"
    assert data.exceptions == (
        "规则 L106 案件当事人姓名未匿名化（匹配“林*”）：本人同意公开姓名",
        "规则 X9（不限匹配文字）：旧规则代码照原样显示",
    )
    html = render_form_html(data, repo_root=None)
    assert "本人同意公开姓名" in html and "来源：司法部" in html
    text = pdf_text(render_form_pdf(data))
    assert squash("本人同意公开姓名") in text and squash("来源：司法部《新规解读》") in text


def test_plain_text_keeps_reading_order() -> None:
    text = plain_text(
        "# 标题\n\n第一段\n续行，[链接](https://a.cn/x)。\n\n1. 甲\n2. 乙\n\n"
        "![现场照片](p.jpg)\n\n```\ncode <b>\n```\n"
    )
    assert text.splitlines() == [
        "标题",
        "第一段续行，链接（https://a.cn/x）。",
        "1. 甲",
        "2. 乙",
        "［图片：现场照片］",
        "code <b>",
    ]


# ---- HTML ----------------------------------------------------------------------------------


def test_html_is_a4_and_lists_fields_in_the_attachments_order() -> None:
    draft = make_draft()
    data = form_data(make_state(draft, 4), draft, make_policy())
    html = render_form_html(data, repo_root=None)
    assert "size: A4" in html
    boxes = [label.partition("（")[0] for label in BOX_LABELS.values()]
    order = ["信息标题", "报送日期", "填报科室", "信息内容", "经办人签名", *boxes]
    assert "（信息公开保密审查工作领导小组办公室）" in html
    positions = [html.index(label) for label in order]
    assert positions == sorted(positions)
    assert html.index(CC_LINE) > positions[-1]
    assert "“法治晋江”政务微信公众号" in html and "信息发布审批表" in html
    assert short_digest(draft.digest) in html and draft.digest in html
    assert "2026 年 1 月 6 日" in html
    assert all(c[:12] in html for c in data.record_commits)


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}x", '"><img src=x onerror=alert(1)>'],
)
def test_html_escapes_injection_in_every_field(payload: str) -> None:
    draft = make_draft(title="稿件" + payload.replace("'", ""), body=payload + "\n")
    state = make_state(draft, 1)
    state.approvals[0] = replace(state.approvals[0], opinion=payload)
    data = form_data(state, draft, make_policy())
    html = render_form_html(data, repo_root=None)
    assert "<script>" not in html and "<img" not in html
    page = html.split("</style>", 1)[1]  # the inlined font's base64 may hold any digits
    assert "49" not in page.replace(draft.digest, "")
    if payload.startswith("<script"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if payload.startswith("{{"):
        assert html.count("{{ 7*7 }}") >= 3  # title, content, opinion, all literal


FORM_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "span", "table"}
FORM_TAGS |= {"colgroup", "col", "tr", "th", "td", "p", "div", "small", "section", "ol", "li"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, [name for name, _ in attrs]))


class _Visible(HTMLParser):
    """The text a reader sees (no style, no title)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "title")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.parts)


@pytest.mark.parametrize("name", sorted(CORPUS_SHOWS))
def test_injection_corpus_is_text_on_the_form(name: str) -> None:
    body = (CORPUS / name).read_text("utf-8")
    draft = make_draft(title=name, body=body)
    state = make_state(draft, 1)
    state.approvals[0] = replace(state.approvals[0], opinion=body)  # opinions are text too
    data = form_data(state, draft, make_policy())
    html = render_form_html(data, repo_root=None)
    parser = _Tags()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} <= FORM_TAGS
    assert [tag for tag, _ in parser.tags].count("style") == 1  # form.css only
    attributes = {name for _, names in parser.tags for name in names}
    assert attributes <= {"lang", "charset", "class", "scope", "colspan"}
    assert "<!--" not in html.split("</style>", 1)[1]
    # the markup of each attack is printed as text, in the content box and in the opinion
    markup = [m for m in CORPUS_SHOWS[name] if "<" in m or "{{ " in m or "{%" in m]
    text = visible_text(html)
    pdf = pdf_text(render_form_pdf(data))
    for shown in markup:
        assert text.count(shown) >= 2, shown
        assert squash(shown) in pdf, shown
    assert "49" not in text.replace(data.digest, "").replace(short_digest(data.digest), "")


def test_html_form_carries_its_own_font() -> None:
    """The HTML holds Noto Serif SC cut down to its characters: no system font needed."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    extra = "source: {name: 司法部, title: 罕见字䶮𠀋, url: 'https://www.moj.gov.cn/a.html'}\n"
    draft = make_draft(extra=extra)
    data = form_data(make_state(draft, 4), draft, make_policy())
    html = render_form_html(data, repo_root=None)
    assert html == render_form_html(data, repo_root=None)  # reproducible bytes
    face = re.search(
        r'@font-face \{ font-family: "fzjj-form-serif";[^}]*'
        r"url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)",
        html,
    )
    assert face is not None
    font = TTFont(io.BytesIO(base64.b64decode(face.group(1))))
    cmap = font.getBestCmap()
    assert len(cmap) < 600  # a subset of the font's ~30,000 characters
    parser = _Visible()
    parser.feed(html)
    text = "".join(parser.parts)
    assert "罕见字䶮" in text and "主要领导意见" in text and "李华" in text
    printed = {c for c in text if not c.isspace()}
    # every printed character the font has is in the subset, with a real outline
    glyphs = font.getGlyphSet()
    for char in ("审", "批", "晋", "江", "䶮", "李", "5"):
        pen = BoundsPen(glyphs)
        glyphs[cmap[ord(char)]].draw(pen)
        assert pen.bounds is not None, char
    full = TTFont(str(serif_path()), lazy=True).getBestCmap()
    assert {c for c in printed if ord(c) in full} <= {chr(u) for u in cmap}
    # and the page's stylesheet asks for it first
    css = html.split("</style>", 1)[0]
    assert re.search(r'body \{[^}]*font-family: "fzjj-form-serif",', css)


def test_every_font_list_of_the_form_stylesheet_has_the_inlined_font() -> None:
    """A CSS font list without it would print Chinese in a system font, or as boxes."""
    from fzjj.render.fonts import FORM_FONT_FAMILY
    from fzjj.render.templating import read_asset

    lists = re.findall(r"font-family:([^;}]+)", read_asset(None, "form.css"))
    assert len(lists) >= 3
    assert all(f'"{FORM_FONT_FAMILY}"' in fonts for fonts in lists), lists


def test_repository_template_overrides_the_packaged_one(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "form.html.j2").write_text(
        "<p>自定义 {{ form.title }} {{ stages[0].signer }}</p>", "utf-8"
    )
    draft = make_draft()
    data = form_data(make_state(draft, 1), draft, make_policy())
    assert (
        render_form_html(data, repo_root=tmp_path)
        == "<p>自定义 青阳司法所开展普法宣传活动 陈岚</p>"
    )


# ---- PDF -----------------------------------------------------------------------------------


def test_pdf_text_holds_labels_and_values() -> None:
    draft = make_draft()
    data = form_data(make_state(draft, 4), draft, make_policy())
    text = pdf_text(render_form_pdf(data))
    expected = [
        "“法治晋江”政务微信公众号",
        "信息发布审批表",
        "信息标题",
        data.title,
        "报送日期",
        "2026年1月6日",
        "填报科室",
        "青阳司法所",
        "信息内容",
        "经办人签名：林青",
        "涉密审查意见",
        "（信息公开保密审查工作领导小组办公室）",
        *OPINIONS.values(),
        *(f"签名：{name}" for name in NAMES.values()),
        CC_LINE,
        short_digest(draft.digest),
        draft.digest,
        "发放《民法典》宣传手册200余份",
        *(c[:12] for c in data.record_commits),
    ]
    missing = [item for item in expected if squash(item) not in text]
    assert missing == []
    # the attachment's fields come in its order
    order = ["信息标题", "报送日期", "填报科室", "信息内容", "经办人签名"]
    order += [label.partition("（")[0] for label in BOX_LABELS.values()] + [CC_LINE]
    positions = [text.index(squash(label)) for label in order]
    assert positions == sorted(positions)
    # pdfium reads the same glyphs back exactly, spaces included
    exact = pdfium_text(render_form_pdf(data))
    for item in (CC_LINE, "2026 年 1 月 6 日", "签名：许明", short_digest(draft.digest)):
        assert item in exact


def test_pdf_embeds_the_cjk_font_and_is_reproducible() -> None:
    draft = make_draft()
    data = form_data(make_state(draft, 2), draft, make_policy())
    first, second = render_form_pdf(data), render_form_pdf(data)
    assert first == second
    reader = pypdf.PdfReader(io.BytesIO(first))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    (font,) = [fonts[k].get_object() for k in fonts]
    assert str(font["/BaseFont"]).endswith("+NotoSerifSC")  # a subset (tag+name)
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    program = descriptor["/FontFile3"].get_object().get_data()  # the glyphs are in the file
    assert 5_000 < len(program) < 150_000  # the glyphs used, not the whole 11 MB font
    # metadata that would differ between runs is taken from the form, not the clock
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"] == "D:20260108000000+08'00'"  # latest signature
    assert "/ModDate" not in reader.metadata
    assert reader.trailer["/ID"][0] == reader.trailer["/ID"][1]


def test_pdf_creation_date_follows_the_records() -> None:
    """A later signature changes the date (and so the bytes); nothing else does."""
    draft = make_draft()
    two = render_form_pdf(form_data(make_state(draft, 2), draft, make_policy()))
    four = render_form_pdf(form_data(make_state(draft, 4), draft, make_policy()))
    dates = [pypdf.PdfReader(io.BytesIO(pdf)).metadata["/CreationDate"] for pdf in (two, four)]
    assert dates == ["D:20260108000000+08'00'", "D:20260110000000+08'00'"]


def test_pdf_in_review_leaves_later_signatures_blank() -> None:
    draft = make_draft()
    data = form_data(make_state(draft, 2), draft, make_policy())
    text = pdf_text(render_form_pdf(data))
    assert "签名：陈岚" in text and "签名：许明" in text
    assert "王强" not in text and "李华" not in text
    assert "同意发布" not in text


def dark_pixels(pdf: bytes, box: tuple[float, float, float, float]) -> tuple[int, int]:
    """(dark pixels, all pixels) in a box given as fractions of page 1, rendered at 2x."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        width, height = page.get_size()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        image = page.render(scale=2).to_pil().convert("L")
    finally:
        document.close()
    w, h = image.size
    crop = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    return sum(crop.histogram()[:128]), crop.width * crop.height


def test_pdf_page_renders_ink_in_the_table() -> None:
    draft = make_draft()
    data = form_data(make_state(draft, 4), draft, make_policy())
    content_box = (0.30, 0.22, 0.85, 0.30)  # the value column of the 信息内容 row
    dark, total = dark_pixels(render_form_pdf(data), content_box)
    blank, _ = dark_pixels(render_form_pdf(replace(data, content="")), content_box)
    assert blank < dark  # the body's glyphs are drawn ...
    assert dark - blank > 1000
    assert dark / total < 0.3  # ... as strokes of text, not a filled block
    # the opinion boxes of a signed form hold ink too
    stage_box = (0.30, 0.52, 0.95, 0.90)
    signed, _ = dark_pixels(render_form_pdf(data), stage_box)
    unsigned = replace(
        data, stages=tuple(replace(s, opinion=None, signer=None) for s in data.stages)
    )
    assert dark_pixels(render_form_pdf(unsigned), stage_box)[0] < signed


def test_form_page_renders_to_png(tmp_path: Path) -> None:
    """Page 1 drawn by pdfium and saved as PNG: an A4-shaped image with the table's ink."""
    from PIL import Image

    draft = make_draft()
    data = form_data(make_state(draft, 4), draft, make_policy())
    document = pypdfium2.PdfDocument(render_form_pdf(data))
    try:
        target = tmp_path / "page1.png"
        document[0].render(scale=150 / 72).to_pil().save(target, format="PNG")
    finally:
        document.close()
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(target) as image:
        width, height = image.size
        gray = image.convert("L")
    assert abs(width - 1240) <= 1 and abs(height - 1754) <= 1  # A4 at 150 dpi
    # the heading band and the left border of the table are drawn, the margins are white
    band = (int(width * 0.25), int(height * 0.05), int(width * 0.75), int(height * 0.1))
    heading = gray.crop(band)
    margin = gray.crop((0, int(height * 0.3), int(width * 0.08), int(height * 0.7)))
    assert sum(heading.histogram()[:128]) > 2000
    assert sum(margin.histogram()[:250]) == 0
    border_x = round(width * 20 / 210)  # the table starts 20 mm from the left edge
    column = gray.crop((border_x - 2, int(height * 0.3), border_x + 3, int(height * 0.7)))
    assert column.getextrema()[0] < 100


def test_long_body_and_opinion_continue_without_loss() -> None:
    paragraph = "晋江市司法局持续推进法治宣传教育，深化“八五”普法，群众法治意识明显增强。"
    body = "\n\n".join(f"{i:02d}{paragraph}" for i in range(60)) + "\n"
    draft = make_draft(body=body)
    state = make_state(draft, 1)
    long_opinion = "修改意见：" + "请核实数据来源并补充活动照片。" * 40
    state.approvals[0] = replace(state.approvals[0], opinion=long_opinion)
    data = form_data(state, draft, make_policy())
    pdf = render_form_pdf(data)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = [squash(page.extract_text()) for page in reader.pages]
    assert len(pages) >= 3
    # page 1 holds the start of the body, the 续 pages the rest: together, every character
    printed = pages[0].split("信息内容", 1)[1].split("（正文未完", 1)[0]
    for page in pages[1:]:
        if page.startswith("信息发布审批表信息内容（续）"):
            printed += page.split(squash(f"信息标题：{data.title}"), 1)[1].split(
                "信息发布审批表稿件"
            )[0]
    assert printed == squash(data.content)
    text = pdf_text(pdf)
    assert "科室负责人意见（续）" in text
    assert squash(long_opinion[:40]) in text
    assert f"本表第{len(reader.pages)}/{len(reader.pages)}页" in text


def test_pdf_of_minimal_form_data() -> None:
    """FormData built directly (no records at all) renders the blank form."""
    data = FormData(
        account="法治晋江",
        title="空白",
        submitted_on=None,
        unit_name="安海司法所",
        content="",
        submitter=None,
        stages=tuple(form_data(make_state(make_draft(), 0), make_draft(), make_policy()).stages),
        draft_id="2026-01-anhai-01",
        path="content/2026/01/anhai-01.md",
        digest="0" * 64,
        record_commits=(),
        state_label="未报送",
        exceptions=(),
        source_line=None,
    )
    text = pdf_text(render_form_pdf(data))
    assert "安海司法所" in text and "尚无有效记录" in text and "年月日" in text
