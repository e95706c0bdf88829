"""WeChat-ready article HTML from a draft.

Pipeline: markdown-it-py (CommonMark + tables + footnotes + inline attrs, raw HTML off) →
our own token renderer (``<section>`` wrappers, text list markers, links turned into numbered
references, Pygments-coloured code with ``<br>``/``&nbsp;``) → the jinja2 article template →
css-inline with the theme CSS (``gov.css``) → nh3 allow-list sanitising.

The output follows the rules in docs/rendering.md: no ``<style>``/``<script>``, no class or
id, no event handlers, no ``javascript:``/``data:`` URLs, no ``href="#…"``; only
``https://mp.weixin.qq.com`` links stay links.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fzjj.draft import Draft
from fzjj.errors import UsageError
from fzjj.model import Kind
from fzjj.policy import Policy
from fzjj.render.templating import read_asset, render_template

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

ARTICLE_TEMPLATE = "article.html.j2"
PREVIEW_TEMPLATE = "article-preview.html.j2"
THEME_CSS = "gov.css"
COLUMN_WIDTH_PX = 677
CODE_STYLE = "default"  # Pygments style; a light theme (WeChat dark mode recolours text)

#: Tags the sanitiser keeps. No div/article/footer (WeChat loses their styles), no ul/ol/li
#: (lists are rendered as text markers), no pre (whitespace is encoded as &nbsp;/<br>).
ALLOWED_TAGS = frozenset(
    {
        "section", "p", "span", "strong", "em", "del", "code", "br", "hr", "sup", "sub",
        "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "table", "tr", "th", "td",
    }
)  # fmt: skip

#: Style properties WeChat keeps (wechat.md rule 2), with their longhands.
ALLOWED_STYLE_PROPERTIES = frozenset(
    {
        "color", "background", "background-color", "font-size", "font-weight",
        "line-height", "letter-spacing", "text-align", "display",
        "width", "max-width", "height", "overflow", "font-family",
        "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
        "border", "border-top", "border-right", "border-bottom", "border-left",
        "border-width", "border-style", "border-color", "border-radius", "border-collapse",
        "border-top-width", "border-top-style", "border-top-color",
        "border-bottom-width", "border-bottom-style", "border-bottom-color",
        "border-left-width", "border-left-style", "border-left-color",
        "border-right-width", "border-right-style", "border-right-color",
    }
)  # fmt: skip

#: Tags removed together with their content.
_CLEAN_CONTENT_TAGS = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
     "title", "textarea", "select", "xmp", "noembed", "noframes"}
)  # fmt: skip

_BLACK_HEX = re.compile(r"^#(?:000[0-9a-f]?|000000(?:[0-9a-f]{2})?)$")
_COLOUR_FUNCTION = re.compile(r"^(rgba?|hsla?)\((.*)\)$")
_BAD_STYLE_VALUE = re.compile(r"var\(|url\(|expression\(|javascript:|\\|@|<|>|/\*", re.I)
#: font-family is kept only as a monospace stack for code (body text inherits the phone's
#: system font, wechat.md rule 11).
_MONO_STACK = re.compile(r"^[A-Za-z0-9 ,\"'-]{1,120}$")
_MP_HOST = "mp.weixin.qq.com"
_DIMENSION = re.compile(r"^\s*(\d{1,4})(px)?\s*$|^\s*(\d{1,3})%\s*$")
_ALIGN = re.compile(r"^text-align:(left|center|right)$")

BULLETS = ("•", "◦")


# ---- references ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """One entry of the 参考资料 list: ``[number] label：url``."""

    number: int
    label: str
    url: str


@dataclass
class _RefTable:
    items: list[Reference] = field(default_factory=list)
    by_url: dict[str, int] = field(default_factory=dict)

    def add(self, url: str, label: str) -> int:
        if url in self.by_url:
            return self.by_url[url]
        number = len(self.items) + 1
        shown = "" if label.strip() == url else label.strip()
        self.items.append(Reference(number, shown, url))
        self.by_url[url] = number
        return number


def is_wechat_article_url(url: str) -> bool:
    """True for ``https://mp.weixin.qq.com/...`` — the only links WeChat lets an article keep."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and (parts.hostname or "") == _MP_HOST
        and parts.username is None
        and parts.password is None
        and parts.port is None
    )


def _image_src_ok(src: str) -> bool:
    """http(s) URLs and plain relative paths (uploaded and rewritten by ``fzjj publish``)."""
    src = src.strip()
    try:
        parts = urlsplit(src)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    return not src.startswith(("//", "\\")) and ":" not in src.split("/")[0]


# ---- markdown → html ---------------------------------------------------------------------


@functools.cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(footnote_plugin)
    md.use(attrs_plugin)  # only width/height on images are read; other attributes are ignored
    return md


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _plain_text(tokens: Sequence[Token]) -> str:
    out: list[str] = []
    for tok in tokens:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif tok.type == "image":
            out.append(_plain_text(tok.children or []))
    return "".join(out)


@dataclass
class _ListFrame:
    ordered: bool
    next_number: int


class _BodyRenderer:
    """Renders markdown-it tokens to the intermediate HTML (classes are inlined then dropped)."""

    def __init__(self, refs: _RefTable) -> None:
        self.refs = refs
        self.lists: list[_ListFrame] = []
        self.quote_depth = 0
        self.pending_marker: str | None = None  # marker of a list item not yet printed
        self.in_item_para = False
        self.note_marker: str | None = None
        self.in_notes = False
        self.body: list[str] = []
        self.notes: list[str] = []

    # -- output helpers
    def _out(self, text: str) -> None:
        (self.notes if self.in_notes else self.body).append(text)

    def _list_level(self) -> int:
        return min(len(self.lists), 2)

    def _flush_marker(self) -> None:
        """A list item whose first block is not a paragraph: print its marker alone."""
        if self.pending_marker is not None:
            level = self._list_level()
            self._out(
                f'<section class="fz-li-{level}">{self._marker_html(self.pending_marker)}</section>'
            )
            self.pending_marker = None

    @staticmethod
    def _marker_html(marker: str) -> str:
        return f'<span class="fz-marker">{_esc(marker)}&nbsp;</span>'

    # -- blocks
    def render(self, tokens: Sequence[Token]) -> None:
        for tok in tokens:
            handler = getattr(self, "_b_" + tok.type, None)
            if handler is not None:
                handler(tok)
            elif tok.type.endswith("_close") or tok.type.endswith("_open"):
                continue
            elif tok.content:
                self._flush_marker()
                self._out(f'<p class="fz-p">{_esc(tok.content)}</p>')

    def _b_paragraph_open(self, tok: Token) -> None:
        if self.lists:
            level = self._list_level()
            if self.pending_marker is not None:
                self._out(
                    f'<section class="fz-li-{level}">{self._marker_html(self.pending_marker)}'
                )
                self.pending_marker = None
            else:
                self._out(f'<section class="fz-li-{level}">')
            self.in_item_para = True
        elif self.in_notes:
            marker = ""
            if self.note_marker is not None:
                marker = f'<span class="fz-note-label">{_esc(self.note_marker)}&nbsp;</span>'
                self.note_marker = None
            self._out(f'<p class="fz-note">{marker}')
        elif self.quote_depth:
            self._out('<p class="fz-quote-p">')
        else:
            self._out('<p class="fz-p">')

    def _b_paragraph_close(self, tok: Token) -> None:
        if self.in_item_para:
            self._out("</section>")
            self.in_item_para = False
        else:
            self._out("</p>")

    def _b_inline(self, tok: Token) -> None:
        children = tok.children or []
        only_images = bool(children) and all(
            c.type == "image" or (c.type in ("text", "softbreak") and not c.content.strip())
            for c in children
        )
        if only_images and not self.lists and not self.in_notes and self.body:
            last = self.body[-1]
            if last in ('<p class="fz-p">', '<p class="fz-quote-p">'):
                self.body[-1] = '<p class="fz-img-p">'
        self._out(self.inline(children))

    def _b_heading_open(self, tok: Token) -> None:
        self._flush_marker()
        self._out(f'<{tok.tag} class="fz-{tok.tag}">')

    def _b_heading_close(self, tok: Token) -> None:
        self._out(f"</{tok.tag}>")

    def _b_blockquote_open(self, tok: Token) -> None:
        self._flush_marker()
        self.quote_depth += 1
        self._out('<section class="fz-quote">')

    def _b_blockquote_close(self, tok: Token) -> None:
        self.quote_depth -= 1
        self._out("</section>")

    def _b_hr(self, tok: Token) -> None:
        self._flush_marker()
        self._out('<hr class="fz-hr">')

    def _list_open(self, ordered: bool, tok: Token) -> None:
        self._flush_marker()
        if not self.lists:
            self._out('<section class="fz-list">')
        start = tok.attrs.get("start", 1) if ordered else 1
        self.lists.append(_ListFrame(ordered, int(start) if isinstance(start, int | str) else 1))

    def _list_close(self) -> None:
        self._flush_marker()
        self.lists.pop()
        if not self.lists:
            self._out("</section>")

    def _b_bullet_list_open(self, tok: Token) -> None:
        self._list_open(False, tok)

    def _b_ordered_list_open(self, tok: Token) -> None:
        self._list_open(True, tok)

    def _b_bullet_list_close(self, tok: Token) -> None:
        self._list_close()

    def _b_ordered_list_close(self, tok: Token) -> None:
        self._list_close()

    def _b_list_item_open(self, tok: Token) -> None:
        self._flush_marker()
        frame = self.lists[-1]
        level = self._list_level()
        if frame.ordered:
            self.pending_marker = f"{frame.next_number}{'.' if level == 1 else ')'}"
            frame.next_number += 1
        else:
            self.pending_marker = BULLETS[level - 1]

    def _b_list_item_close(self, tok: Token) -> None:
        self._flush_marker()

    def _b_fence(self, tok: Token) -> None:
        self._flush_marker()
        lang = tok.info.strip().split(maxsplit=1)[0] if tok.info.strip() else ""
        self._out(code_block_html(tok.content, lang))

    def _b_code_block(self, tok: Token) -> None:
        self._flush_marker()
        self._out(code_block_html(tok.content, ""))

    def _b_html_block(self, tok: Token) -> None:  # not produced with html=False; kept as text
        self._flush_marker()
        self._out(f'<p class="fz-p">{_esc(tok.content)}</p>')

    def _b_table_open(self, tok: Token) -> None:
        self._flush_marker()
        # inline, so a theme cannot take the scrolling away from a wide table
        self._out('<section class="fz-table-wrap" style="overflow:auto"><table class="fz-table">')

    def _b_table_close(self, tok: Token) -> None:
        self._out("</table></section>")

    def _b_tr_open(self, tok: Token) -> None:
        self._out('<tr class="fz-tr">')

    def _b_tr_close(self, tok: Token) -> None:
        self._out("</tr>")

    def _cell_open(self, tok: Token) -> None:
        style = str(tok.attrs.get("style", "")).replace(" ", "")
        extra = f' style="{style}"' if _ALIGN.match(style) else ""
        self._out(f'<{tok.tag} class="fz-{tok.tag}"{extra}>')

    def _b_th_open(self, tok: Token) -> None:
        self._cell_open(tok)

    def _b_td_open(self, tok: Token) -> None:
        self._cell_open(tok)

    def _b_th_close(self, tok: Token) -> None:
        self._out("</th>")

    def _b_td_close(self, tok: Token) -> None:
        self._out("</td>")

    def _b_footnote_block_open(self, tok: Token) -> None:
        self.in_notes = True

    def _b_footnote_block_close(self, tok: Token) -> None:
        self.in_notes = False

    def _b_footnote_open(self, tok: Token) -> None:
        self.note_marker = f"[注{int(tok.meta.get('id', 0)) + 1}]"

    def _b_footnote_close(self, tok: Token) -> None:
        self.note_marker = None

    def _b_footnote_anchor(self, tok: Token) -> None:
        return  # no back-links: WeChat rejects href="#…"

    # -- inline
    def inline(self, children: Sequence[Token]) -> str:
        out: list[str] = []
        links: list[tuple[str, str, int]] = []  # (mode, href, start index in children)
        for index, tok in enumerate(children):
            kind = tok.type
            if kind == "text":
                out.append(_esc(tok.content))
            elif kind == "softbreak":
                before = children[index - 1].content[-1:] if index else ""
                after = children[index + 1].content[:1] if index + 1 < len(children) else ""
                joined = (before and _wide(before)) or (after and _wide(after))
                out.append("" if joined else " ")
            elif kind == "hardbreak":
                out.append("<br>")
            elif kind == "code_inline":
                out.append(f'<code class="fz-code-inline">{_esc(tok.content)}</code>')
            elif kind in ("strong_open", "em_open", "s_open"):
                tag = {"strong_open": "strong", "em_open": "em", "s_open": "del"}[kind]
                out.append(f'<{tag} class="fz-{tag}">')
            elif kind in ("strong_close", "em_close", "s_close"):
                tag = {"strong_close": "strong", "em_close": "em", "s_close": "del"}[kind]
                out.append(f"</{tag}>")
            elif kind == "link_open":
                href = str(tok.attrs.get("href", "")).strip()
                if href.startswith("#") or not href:
                    mode = "drop"
                    out.append('<span class="fz-span">')
                elif is_wechat_article_url(href):
                    mode = "keep"
                    out.append(f'<a class="fz-link" href="{_esc(href)}">')
                else:
                    mode = "ref"
                    out.append('<span class="fz-ref-text">')
                links.append((mode, href, index))
            elif kind == "link_close":
                if not links:
                    continue
                mode, href, start = links.pop()
                if mode == "keep":
                    out.append("</a>")
                elif mode == "ref":
                    label = _plain_text(children[start + 1 : index])
                    number = self.refs.add(href, label)
                    out.append(f'</span><sup class="fz-ref-mark">[{number}]</sup>')
                else:
                    out.append("</span>")
            elif kind == "image":
                out.append(self._image(tok))
            elif kind == "footnote_ref":
                number = int(tok.meta.get("id", 0)) + 1
                out.append(f'<sup class="fz-fnref">[注{number}]</sup>')
            elif tok.content:
                out.append(_esc(tok.content))
        return "".join(out)

    def _image(self, tok: Token) -> str:
        src = str(tok.attrs.get("src", "")).strip()
        alt = _plain_text(tok.children or []) or tok.content
        if not src or not _image_src_ok(src):
            return f'<span class="fz-span">[图片：{_esc(alt)}]</span>' if alt else ""
        styles = ["max-width:100%"]  # inline, so no theme can let an image leave the column
        width = _dimension(tok.attrs.get("width"))
        height = _dimension(tok.attrs.get("height"))
        if width:
            styles.append(f"width:{width}")
        if height:
            # with a width, keep the aspect ratio when max-width clamps the image
            styles.append("height:auto" if width else f"height:{height}")
        style = ";".join(styles)
        return f'<img class="fz-img" src="{_esc(src)}" alt="{_esc(alt)}" style="{style}">'


def _dimension(value: Any) -> str | None:
    if value is None:
        return None
    match = _DIMENSION.match(str(value))
    if not match:
        return None
    if match.group(3) is not None:
        return f"{min(int(match.group(3)), 100)}%"
    return f"{int(match.group(1))}px"


def _code_text(text: str) -> str:
    return _esc(text.replace("\t", "    ")).replace(" ", "&nbsp;")


def code_block_html(code: str, lang: str) -> str:
    """A code block that keeps its shape in WeChat: coloured spans, ``<br>`` and ``&nbsp;``.

    Colours come from the Pygments style (the same inline colours ``HtmlFormatter(noclasses=
    True)`` would give); every piece of text, whitespace included, sits inside a span.
    """
    from pygments.lexers import get_lexer_by_name
    from pygments.lexers.special import TextLexer
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(lang, stripnl=False) if lang else TextLexer(stripnl=False)
    except ClassNotFound:
        lexer = TextLexer(stripnl=False)
    style = get_style_by_name(CODE_STYLE)
    code = code.removesuffix("\n")
    parts: list[str] = ['<section class="fz-code">']
    for ttype, value in lexer.get_tokens(code):
        spec = style.style_for_token(ttype)
        decl: list[str] = []
        if spec.get("color"):
            colour = "#" + str(spec["color"]).lower()
            decl.append("color:" + ("rgb(1,1,1)" if is_black(colour) else colour))
        if spec.get("bold"):
            decl.append("font-weight:bold")
        style_attr = f' style="{";".join(decl)}"' if decl else ""
        lines = value.split("\n")
        for number, piece in enumerate(lines):
            if number:
                parts.append("<br>")
            if piece:
                parts.append(f'<span class="fz-code-tok"{style_attr}>{_code_text(piece)}</span>')
    if parts[-1] == "<br>":  # lexers append a final newline
        parts.pop()
    parts.append("</section>")
    return "".join(parts)


# ---- sanitising --------------------------------------------------------------------------


def is_black(value: str) -> bool:
    """Pure black in any CSS spelling (WeChat swallows it: wechat.md rule 8)."""
    colour = value.strip().lower()
    if colour == "black" or _BLACK_HEX.match(colour):
        return True
    function = _COLOUR_FUNCTION.match(colour)
    if function is None:
        return False
    parts = [p for p in re.split(r"[\s,/]+", function.group(2).strip()) if p]
    if len(parts) < 3:
        return False
    channels = parts[:3] if function.group(1).startswith("rgb") else parts[2:3]  # hsl: lightness
    return all(_is_zero(part) for part in channels)


def _is_zero(number: str) -> bool:
    try:
        return float(number.removesuffix("%")) == 0
    except ValueError:
        return False


def clean_style(value: str) -> str | None:
    """Keep safe declarations only; pure black text becomes rgb(1,1,1) (WeChat rule 8)."""
    kept: list[str] = []
    for declaration in value.split(";"):
        if ":" not in declaration:
            continue
        prop, _, val = declaration.partition(":")
        prop = prop.strip().lower()
        val = val.strip()
        if not val or prop not in ALLOWED_STYLE_PROPERTIES or _BAD_STYLE_VALUE.search(val):
            continue
        val = re.sub(r"\s*!important\s*$", "", val, flags=re.I)
        if prop == "font-family" and not (
            _MONO_STACK.match(val) and val.rstrip().endswith("monospace")
        ):
            continue
        if prop == "color" and is_black(val):
            val = "rgb(1,1,1)"
        kept.append(f"{prop}:{val}")
    return ";".join(kept) if kept else None


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "style":
        return clean_style(value)
    if attr == "href":
        return value if tag == "a" and is_wechat_article_url(value) else None
    if attr == "src":
        return value if tag == "img" and _image_src_ok(value) else None
    return value


@functools.cache
def _cleaner() -> Callable[[str], str]:
    import nh3

    cleaner = nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={"*": {"style"}, "a": {"href"}, "img": {"src", "alt"}},
        attribute_filter=_attribute_filter,
        strip_comments=True,
        link_rel=None,
        url_schemes={"https", "http"},
        filter_style_properties=set(ALLOWED_STYLE_PROPERTIES),
    )
    return cleaner.clean


def sanitize(fragment: str) -> str:
    """Apply the WeChat allow-list (tags, attributes, URL schemes, style properties)."""
    return _cleaner()(fragment)


def inline_css(fragment: str, css: str) -> str:
    import css_inline

    try:
        return str(
            css_inline.inline_fragment(
                fragment, css, keep_style_tags=False, load_remote_stylesheets=False
            )
        )
    except (css_inline.InlineError, ValueError) as exc:
        raise UsageError(
            f"主题样式表 {THEME_CSS} 无法应用：{exc}",
            hint="检查 templates/gov.css 的语法，或删除该文件以使用默认主题",
        ) from exc


# ---- public API --------------------------------------------------------------------------


@dataclass(frozen=True)
class _SourceLine:
    prefix: str
    name: str
    title: str
    ref: int


def render_article(
    draft: Draft,
    policy: Policy,
    *,
    repo_root: Path | None,
    editor: str | None = None,
    reviewers: Sequence[str] = (),
) -> str:
    """The draft's body as a WeChat-ready HTML fragment (inline styles only, sanitised).

    ``editor``/``reviewers`` are display names (e.g. from ``policy.name_of``); without
    ``editor`` the front-matter ``editor`` is used. Nothing from the draft is compiled as a
    template: every field goes into the template context and is escaped.
    """
    from markupsafe import Markup

    meta = draft.meta
    refs = _RefTable()
    top_sources: list[_SourceLine] = []
    if meta.source is not None:
        prefix = "来源" if meta.kind is Kind.FORWARD else "参考来源"
        ref = refs.add(meta.source.url, f"{meta.source.name}《{meta.source.title}》原文")
        top_sources.append(_SourceLine(prefix, meta.source.name, meta.source.title, ref))

    renderer = _BodyRenderer(refs)
    renderer.render(_markdown().parse(draft.body))

    bottom_sources = [
        _SourceLine(
            "部分内容来源",
            item.name,
            item.title,
            refs.add(item.url, f"{item.name}《{item.title}》"),
        )
        for item in meta.reuse
    ]
    names = list(dict.fromkeys(r for r in reviewers if r))
    context = {
        "body": Markup("".join(renderer.body)),
        "notes": Markup("".join(renderer.notes)),
        "top_sources": top_sources,
        "bottom_sources": bottom_sources,
        "references": refs.items,
        "is_forward": meta.kind is Kind.FORWARD,
        "unit_name": policy.unit_name(meta.unit),
        "author": meta.author or "",
        "editor": editor if editor is not None else (meta.editor or ""),
        "reviewers": names,
    }
    fragment = render_template(repo_root, ARTICLE_TEMPLATE, context)
    inlined = inline_css(fragment, read_asset(repo_root, THEME_CSS))
    return sanitize(inlined).strip() + "\n"


def render_preview(article_html: str, *, title: str, repo_root: Path | None) -> str:
    """A full HTML page showing the article at the WeChat column width (677px)."""
    from markupsafe import Markup

    context = {
        "title": title,
        "article": Markup(sanitize(article_html)),
        "column_width": COLUMN_WIDTH_PX,
    }
    return render_template(repo_root, PREVIEW_TEMPLATE, context)
