"""Rendering tests: templates, the WeChat article, the render command."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
import typer
import yaml
from typer.testing import CliRunner, Result

from conftest import Bureau
from fzjj.cli import render_cmd
from fzjj.draft import Draft, parse_draft
from fzjj.errors import UsageError
from fzjj.policy import Policy, parse_policy
from fzjj.render.article import (
    ALLOWED_STYLE_PROPERTIES,
    ALLOWED_TAGS,
    clean_style,
    render_article,
    render_preview,
)
from fzjj.render.templating import clear_cache, make_env, read_asset


@pytest.fixture(autouse=True)
def _fresh_envs() -> None:
    clear_cache()


def test_env_autoescapes_and_is_strict() -> None:
    env = make_env(None)
    assert env.from_string("{{ v }}").render(v="<b>&") == "&lt;b&gt;&amp;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_env_is_cached_per_root(tmp_path: Path) -> None:
    assert make_env(None) is make_env(None)
    assert make_env(tmp_path) is make_env(tmp_path)
    assert make_env(tmp_path) is not make_env(None)


def test_repository_templates_override_packaged(tmp_path: Path) -> None:
    packaged = read_asset(None, "gov.css")
    assert "fz-p" in packaged
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "gov.css").write_text(".fz-p { color: rgb(1,2,3); }", "utf-8")
    assert read_asset(tmp_path, "gov.css") == ".fz-p { color: rgb(1,2,3); }"
    # a repository without templates/ falls back to the defaults
    assert read_asset(tmp_path / "nowhere", "gov.css") == packaged


def test_sandbox_blocks_python_internals_in_repo_templates(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "evil.html.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}", "utf-8"
    )
    with pytest.raises(jinja2.exceptions.SecurityError):
        make_env(tmp_path).get_template("evil.html.j2").render()


@pytest.mark.parametrize("name", ["../x.css", "a/b.css", ".hidden", ""])
def test_read_asset_rejects_paths(name: str) -> None:
    with pytest.raises(UsageError):
        read_asset(None, name)


def test_read_asset_missing() -> None:
    with pytest.raises(UsageError, match="找不到模板资源"):
        read_asset(None, "nope.css")


# ---- article rendering ---------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "corpus" / "injection"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return parse_policy((ROOT / "policies.yaml").read_text("utf-8"))


def make_draft(body: str, **meta: object) -> Draft:
    front: dict[str, object] = {
        "id": "test-article-01",
        "title": "测试文章",
        "unit": "qingyang",
        "kind": "original",
        "category": "普法宣传",
    }
    front.update(meta)
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body
    return parse_draft(text.encode("utf-8"), "content/2026/01/test.md")


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()


VOID = {"br", "hr", "img"}


class TreeBuilder(HTMLParser):
    """A small DOM from the stdlib parser; records comments and declarations too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root
        self.comments: list[str] = []
        self.others: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"unbalanced </{tag}>"
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.others.append(decl)

    def handle_pi(self, data: str) -> None:
        self.others.append(data)


def parse(fragment: str) -> TreeBuilder:
    builder = TreeBuilder()
    builder.feed(fragment)
    builder.close()
    assert builder.current is builder.root, "unclosed elements"
    return builder


def elements(fragment: str) -> list[Node]:
    return [n for n in parse(fragment).root.iter() if n.tag != "#root"]


def assert_wechat_safe(fragment: str) -> TreeBuilder:
    """The structural contract of a WeChat fragment (see docs/rendering.md)."""
    tree = parse(fragment)
    assert not tree.comments, tree.comments
    assert not tree.others
    for node in tree.root.iter():
        if node.tag == "#root":
            continue
        assert node.tag in ALLOWED_TAGS, node.tag
        allowed = {"style"} | ({"href"} if node.tag == "a" else set())
        allowed |= {"src", "alt"} if node.tag == "img" else set()
        assert set(node.attrs) <= allowed, (node.tag, node.attrs)
        if node.tag != "br":
            assert node.attrs.get("style"), f"<{node.tag}> has no style"
        style = node.attrs.get("style", "").lower()
        for bad in ("var(", "url(", "expression", "javascript", "position", "float", "@"):
            assert bad not in style, (node.tag, style)
        for decl in filter(None, style.split(";")):
            prop, _, value = decl.partition(":")
            assert prop.strip() in ALLOWED_STYLE_PROPERTIES, decl
            if prop.strip() == "color":
                assert value.replace(" ", "") not in {"#000", "#000000", "black", "rgb(0,0,0)"}
        if node.tag == "a":
            assert node.attrs["href"].startswith("https://mp.weixin.qq.com/"), node.attrs
        if node.tag == "img":
            assert node.attrs.get("src", "").startswith(("https://", "http://")), node.attrs
            assert "max-width:100%" in node.attrs["style"]
    return tree


FULL_BODY = """\
## 一、基本情况

正文第一段，含[国务院网站](https://www.gov.cn/zhengce/)与[又一次](https://www.gov.cn/zhengce/)，
以及[公众号文章](https://mp.weixin.qq.com/s/AbCdEf)、[锚点](#top)和 `行内代码`。
**重点**与*强调*。[^1]

> 引用的一段话。

1. 第一项
2. 第二项
   - 子项甲
     - 孙项
       - 曾孙项

---

```python
def f(x):
\tif x:
        return  x * 2  # 注释
```

| 项目 | 数量 |
|:-----|-----:|
| 调解 | 12 |

![现场照片](https://mmbiz.qpic.cn/a.png){width=600 height=400}

[^1]: 脚注说明，[出处](https://example.org/n)。
"""


def test_full_article_is_wechat_safe(policy: Policy) -> None:
    html = render_article(
        make_draft(FULL_BODY), policy, repo_root=None, editor="张三", reviewers=["李四"]
    )
    tree = assert_wechat_safe(html)
    tags = {n.tag for n in tree.root.iter()}
    assert {"section", "p", "h2", "table", "img", "a", "sup", "hr"} <= tags
    assert not tags & {"div", "article", "footer", "ul", "ol", "li", "pre", "style", "script"}


def test_spacers_wrap_the_content(policy: Policy) -> None:
    nodes = parse(render_article(make_draft("正文。"), policy, repo_root=None)).root.children
    blocks = [n for n in nodes if isinstance(n, Node)]
    assert [n.tag for n in blocks] == ["p", "section", "p"]
    for spacer in (blocks[0], blocks[-1]):
        assert spacer.text() == "\xa0"
        assert "font-size:0" in spacer.attrs["style"]


def test_external_links_become_numbered_references(policy: Policy) -> None:
    html = render_article(make_draft(FULL_BODY), policy, repo_root=None)
    tree = parse(html)
    text = tree.root.text()
    # link text stays, followed by its number; the same URL keeps the same number
    assert "国务院网站[1]" in text
    assert "又一次[1]" in text
    assert "出处[2]" in text
    assert "参考资料" in text
    assert "[1] 国务院网站：https://www.gov.cn/zhengce/" in text
    assert "[2] 出处：https://example.org/n" in text
    hrefs = [n.attrs["href"] for n in tree.root.iter() if n.tag == "a"]
    assert hrefs == ["https://mp.weixin.qq.com/s/AbCdEf"]
    # the anchor link is plain text: no href="#…", no reference
    assert "锚点" in text
    assert "#top" not in html


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://mp.weixin.qq.com/s/xyz", True),
        ("http://mp.weixin.qq.com/s/xyz", False),
        ("https://mp.weixin.qq.com.evil.example/s", False),
        ("https://user@mp.weixin.qq.com/s", False),
        ("https://evil.example/?u=https://mp.weixin.qq.com/", False),
    ],
)
def test_only_https_wechat_article_links_stay_links(policy: Policy, url: str, kept: bool) -> None:
    html = render_article(make_draft(f"见[文章]({url})。"), policy, repo_root=None)
    anchors = [n for n in elements(html) if n.tag == "a"]
    assert bool(anchors) is kept
    if not kept:
        assert "文章[1]" in parse(html).root.text()
        assert url in parse(html).root.text()


def _code_section(html: str) -> Node:
    sections = [
        n
        for n in elements(html)
        if n.tag == "section"
        and any(isinstance(c, Node) and c.tag == "span" for c in n.children)
        and "background:rgb(246, 248, 250)" in n.attrs["style"]
    ]
    assert len(sections) == 1
    return sections[0]


def test_code_blocks_keep_their_shape(policy: Policy) -> None:
    html = render_article(make_draft(FULL_BODY), policy, repo_root=None)
    code = _code_section(html)
    # whitespace is never loose text: every text run sits inside a span
    assert all(not isinstance(c, str) for c in code.children)
    kinds = [c.tag for c in code.children if isinstance(c, Node)]
    assert kinds.count("br") == 2  # three lines
    lines = "".join(
        "\n" if c.tag == "br" else c.text() for c in code.children if isinstance(c, Node)
    )
    assert lines.split("\n") == [
        "def\xa0f(x):",
        "\xa0" * 4 + "if\xa0x:",  # the tab became four spaces
        "\xa0" * 8 + "return\xa0\xa0x\xa0*\xa02\xa0\xa0#\xa0注释",
    ]
    assert "&nbsp;&nbsp;&nbsp;&nbsp;" in html
    # Pygments colours are inline: the keyword is coloured and bold
    keyword = next(c for c in code.children if isinstance(c, Node) and c.text() == "def")
    assert "color:#" in keyword.attrs["style"] and "font-weight:bold" in keyword.attrs["style"]


class _CharStyles(HTMLParser):
    """(character, colour as 6 hex digits or None, bold) for each visible non-space
    character, from the innermost span's style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.chars: list[tuple[str, str | None, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span":
            self.stack.append(dict(attrs).get("style") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        style = self.stack[-1] if self.stack else ""
        found = re.search(r"color:\s*#([0-9a-fA-F]+)", style)
        colour = found.group(1).lower() if found else None
        if colour is not None and len(colour) == 3:
            colour = "".join(c * 2 for c in colour)
        bold = "bold" in style
        self.chars += [(c, colour, bold) for c in data if not c.isspace()]


def _char_styles(html: str) -> list[tuple[str, str | None, bool]]:
    parser = _CharStyles()
    parser.feed(html)
    return parser.chars


def test_code_colours_are_those_of_pygments_noclasses() -> None:
    """Each token gets the colour and weight HtmlFormatter(noclasses=True) would give it."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name

    from fzjj.render.article import CODE_STYLE, code_block_html

    code = 'import os\n\nclass A:\n    def f(self, x=1):\n        return "s" + str(x)  # c\n'
    formatter = HtmlFormatter(noclasses=True, nowrap=True, style=CODE_STYLE)
    expected = _char_styles(highlight(code, get_lexer_by_name("python"), formatter))
    ours = _char_styles(code_block_html(code, "python"))
    assert len({colour for _, colour, _ in expected}) >= 4  # a real mix of colours
    assert ours == expected


def test_unknown_language_and_indented_code(policy: Policy) -> None:
    body = "```nosuchlang\na  b\n```\n\n    x = 1\n      y\n"
    html = render_article(make_draft(body), policy, repo_root=None)
    assert_wechat_safe(html)
    text = parse(html).root.text()
    assert "a\xa0\xa0b" in text
    assert "x\xa0=\xa01" in text and "\xa0\xa0y" in text


def _list_items(html: str) -> list[tuple[str, str]]:
    """(padding, text) of each list item section (they start with a marker span)."""
    out = []
    for node in elements(html):
        first = node.children[0] if node.children else None
        marker = first.text().rstrip("\xa0") if isinstance(first, Node) else ""
        is_item = marker in {"•", "◦"} or marker[:1].isdigit()
        if node.tag == "section" and isinstance(first, Node) and first.tag == "span" and is_item:
            padding = re.search(r"padding:([^;]+)", node.attrs["style"])
            assert padding
            out.append((padding.group(1), node.text()))
    return out


def test_lists_are_text_markers_at_most_two_levels(policy: Policy) -> None:
    html = render_article(make_draft(FULL_BODY), policy, repo_root=None)
    items = _list_items(html)
    assert [t for _, t in items] == [
        "1.\xa0第一项",
        "2.\xa0第二项",
        "◦\xa0子项甲",
        "◦\xa0孙项",
        "◦\xa0曾孙项",
    ]
    level1, level2 = items[0][0], items[2][0]
    assert level1 != level2
    # deeper levels are flattened into level 2: same indentation, not nested further
    assert {p for p, _ in items[2:]} == {level2}
    nested = [n for n in elements(html) if n.tag == "section" and n.text().startswith("◦")]
    assert all(n.parent is not None and "◦" not in n.parent.text()[:1] for n in nested)


def test_ordered_list_start_and_loose_items(policy: Policy) -> None:
    body = "3. 甲\n\n   甲的第二段\n\n4. 乙\n"
    items = _list_items(render_article(make_draft(body), policy, repo_root=None))
    assert [t for _, t in items] == ["3.\xa0甲", "4.\xa0乙"]


def test_tables_scroll_inside_a_section(policy: Policy) -> None:
    html = render_article(make_draft(FULL_BODY), policy, repo_root=None)
    table = next(n for n in elements(html) if n.tag == "table")
    assert table.parent is not None and table.parent.tag == "section"
    assert "overflow:auto" in table.parent.attrs["style"]
    cells = [n for n in table.iter() if n.tag in ("th", "td")]
    assert "text-align:right" in cells[1].attrs["style"]


def test_images_fit_the_column(policy: Policy) -> None:
    html = render_article(make_draft(FULL_BODY), policy, repo_root=None)
    img = next(n for n in elements(html) if n.tag == "img")
    assert img.attrs["src"] == "https://mmbiz.qpic.cn/a.png"
    assert img.attrs["alt"] == "现场照片"
    assert "width:600px" in img.attrs["style"]
    assert "height:auto" in img.attrs["style"]
    assert "width" not in img.attrs and "height" not in img.attrs
    only_height = render_article(
        make_draft("![a](https://x.example/a.png){height=80}"), policy, repo_root=None
    )
    assert "height:80px" in next(n for n in elements(only_height) if n.tag == "img").attrs["style"]


def test_forward_source_block_never_implies_original(policy: Policy) -> None:
    draft = make_draft(
        "转载正文。",
        kind="forward",
        source={
            "name": "福建省司法厅",
            "title": "关于加强普法工作的通知",
            "url": "https://sft.fujian.gov.cn/a.html",
            "type": "新规政策",
        },
    )
    html = render_article(draft, policy, repo_root=None, editor="张三")
    text = parse(html).root.text()
    assert "来源：福建省司法厅（原标题《关于加强普法工作的通知》）[1]" in text
    assert "https://sft.fujian.gov.cn/a.html" in text
    assert "原创" not in text
    assert "供稿" not in text  # the forwarding unit did not write it
    assert text.index("来源：") < text.index("转载正文")
    assert not [n for n in elements(html) if n.tag == "a"]


def test_reuse_entries_are_credited_at_the_end(policy: Policy) -> None:
    draft = make_draft(
        "原创正文。",
        reuse=[{"name": "晋江新闻网", "title": "某某案件", "url": "https://www.ijjnews.com/x"}],
    )
    text = parse(render_article(draft, policy, repo_root=None)).root.text()
    assert "部分内容来源：晋江新闻网（原标题《某某案件》）[1]" in text
    assert text.index("原创正文") < text.index("部分内容来源")
    assert "https://www.ijjnews.com/x" in text
    assert "供稿：青阳司法所" in text


def test_editor_and_reviewer_lines(policy: Policy) -> None:
    draft = make_draft("正文。", editor="前置编辑")
    text = parse(
        render_article(
            draft, policy, repo_root=None, editor="张三", reviewers=["李四", "王五", "李四"]
        )
    ).root.text()
    assert "编辑：张三" in text
    assert "审核：李四、王五" in text
    fallback = parse(render_article(draft, policy, repo_root=None)).root.text()
    assert "编辑：前置编辑" in fallback and "审核" not in fallback
    bare = parse(render_article(make_draft("正文。"), policy, repo_root=None)).root.text()
    assert "编辑：" not in bare and "审核：" not in bare and "作者：" not in bare
    signed = render_article(
        make_draft("正文。", author="福建法治报记者 陈某"), policy, repo_root=None, editor="张三"
    )
    lines = parse(signed).root.text().split("正文。", 1)[1]
    assert lines.split() == ["供稿：青阳司法所作者：福建法治报记者", "陈某编辑：张三"]


def test_template_syntax_in_fields_is_text(policy: Policy) -> None:
    payloads = ["{{ 7*7 }}", "{% raw %}", "{{ ''.__class__ }}"]
    joined = " ".join(payloads)
    draft = make_draft(
        f"正文 {joined}\n\n## {joined}\n",
        title=f"题 {joined}"[:64],
        kind="forward",
        source={"name": f"源 {joined}", "title": f"原题 {joined}", "url": "https://a.example/"},
    )
    html = render_article(draft, policy, repo_root=None, editor="{{ 7*7 }}", reviewers=[joined])
    text = parse(html).root.text()
    for payload in payloads:
        assert text.count(payload) >= 5, payload  # body, heading, source x2, reviewer
    assert "49" not in text and "<class" not in text
    page = TreeBuilder()
    page.feed(render_preview(html, title=draft.meta.title, repo_root=None))
    heading = next(n for n in page.root.iter() if n.tag == "h1")
    assert heading.text() == f"题 {joined}"
    title = next(n for n in page.root.iter() if n.tag == "title")
    assert title.text() == f"题 {joined} · 预览"


def test_markdown_html_is_shown_as_text(policy: Policy) -> None:
    html = render_article(
        make_draft("a <b onclick='x()'>粗</b> <!-- c -->"), policy, repo_root=None
    )
    text = parse(html).root.text()
    assert "<b onclick='x()'>粗</b>" in text
    assert "<!-- c -->" in text  # shown, not a real comment
    assert not [n for n in elements(html) if n.tag == "b"]


#: What each corpus file must show as plain text: the attack, visible and inert. A new file
#: in tests/corpus/injection/ fails test_every_corpus_file_has_expectations until it is here.
CORPUS_SHOWS: dict[str, list[str]] = {
    "comments.md": [
        "可见<!-- 隐藏的批注：不得发布 -->文字",
        "<!--[if IE]><script>alert(1)</script><![endif]-->",
    ],
    "css-tricks.md": [
        "<span style=\"color:red;background:url('javascript:alert(1)')\">样式</span>",
        '<p style="width: expression(alert(1))">IE 表达式</p>',
        '<p style="behavior:url(x.htc);-moz-binding:url(x.xml#xss)">绑定</p>',
        "链接[1]",
    ],
    "data-urls.md": [
        "[图片：像素]",
        "[文件](data:text/html;base64,",
        '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    ],
    "event-handlers.md": [
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(2)" onmouseover="alert(3)">点我</p>',
        '<svg onload="alert(4)"><circle r="1"/></svg>',
        "<body onload=alert(5)>",
    ],
    "javascript-urls.md": [
        "[点击](javascript:alert(1))",
        "[大写](JaVaScRiPt:alert(2))",
        '<a href="javascript:alert(4)">原始链接</a>',
        "[引用式][bad]",
        "![图片](javascript:alert(6))",
    ],
    "link-tricks.md": [
        "<javascript:alert(1)>",
        "[空格](  javascript:alert(3)  )",
        "协议相对[1]",
        "[2] 假公众号：https://mp.weixin.qq.com@evil.example/s",
        "[vbscript](vbscript:msgbox(8))",
        "[file](file:///etc/passwd)",
    ],
    "script-tags.md": [
        "正文<script>alert('x')</script>结束。",
        '<script src="https://evil.example/x.js"></script>',
        "<SCRIPT>document.cookie</SCRIPT>",
    ],
    "style-and-iframe.md": [
        "<style>body { display: none }</style>",
        '<iframe src="https://evil.example/"></iframe>',
        '<div style="position:fixed;top:0;',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<object data="x.swf"></object><embed src="x.swf">',
    ],
    "template-syntax.md": [
        "{{ 7*7 }}",
        "{% raw %}原样{% endraw %}",
        "{% for x in range(3) %}{{ x }}{% endfor %}",
        "{{ config }}",
        "{# 注释 #}",
        "{{\xa0self.__init__.__globals__\xa0}}",
    ],
}


def test_every_corpus_file_has_expectations() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.md")) == sorted(CORPUS_SHOWS)


@pytest.mark.parametrize("name", sorted(CORPUS_SHOWS))
def test_injection_corpus_is_harmless(policy: Policy, name: str) -> None:
    body = (CORPUS / name).read_text("utf-8")
    html = render_article(make_draft(body, title=name), policy, repo_root=None)
    tree = assert_wechat_safe(html)
    text = tree.root.text()
    for shown in CORPUS_SHOWS[name]:
        assert shown in text, shown  # the attack is printed, so it was not interpreted
    assert "49" not in text and "012" not in text  # no template ran
    for node in tree.root.iter():
        for attr, value in node.attrs.items():
            lowered = value.lower()
            assert "javascript" not in lowered and "data:" not in lowered, value
            assert not {'"', "<", ">", "\\"} & set(value) or attr == "style", value
            if attr in ("href", "src"):
                assert "evil.example" not in lowered and lowered.startswith("https://"), value
            if attr == "style":
                assert "alert" not in lowered, value
    # the preview page is built from the same fragment and stays safe too
    page = TreeBuilder()
    page.feed(render_preview(html, title=name, repo_root=None))
    page_tags = [n for n in page.root.iter() if n.tag != "#root"]
    assert not page.comments
    assert {n.tag for n in page_tags}.isdisjoint({"script", "iframe", "object", "embed", "svg"})
    assert all(not a.startswith("on") for n in page_tags for a in n.attrs)
    assert sum(n.tag == "style" for n in page_tags) == 1  # the page chrome only


def test_injected_text_is_visible_as_text(policy: Policy) -> None:
    body = (CORPUS / "script-tags.md").read_text("utf-8")
    text = parse(render_article(make_draft(body), policy, repo_root=None)).root.text()
    assert "<script>alert('x')</script>" in text


def test_data_and_script_images_become_alt_text(policy: Policy) -> None:
    body = (CORPUS / "data-urls.md").read_text("utf-8")
    html = render_article(make_draft(body), policy, repo_root=None)
    assert not [n for n in elements(html) if n.tag == "img"]
    assert "[图片：像素]" in parse(html).root.text()


def test_repo_theme_overrides_colours(policy: Policy, tmp_path: Path) -> None:
    default = render_article(make_draft("正文。"), policy, repo_root=tmp_path)
    assert "rgb(12, 34, 56)" not in default
    (tmp_path / "templates").mkdir()
    css = read_asset(None, "gov.css") + "\n.fz-p { color: rgb(12,34,56); }\n"
    (tmp_path / "templates" / "gov.css").write_text(css, "utf-8")
    clear_cache()
    themed = render_article(make_draft("正文。"), policy, repo_root=tmp_path)
    para = next(n for n in elements(themed) if n.tag == "p" and n.text() == "正文。")
    assert "color:rgb(12, 34, 56)" in para.attrs["style"]


def test_hostile_theme_is_sanitised(policy: Policy, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "gov.css").write_text(
        read_asset(None, "gov.css") + ":root { --c: red; }\n"
        ".fz-p { color: #000; position: fixed; top: 0; float: left; transform: rotate(1deg);"
        " background: url(javascript:alert(1)); width: expression(alert(2));"
        " border-color: var(--c); font-size: 15px; font-family: 'Evil'; }\n",
        "utf-8",
    )
    html = render_article(make_draft("正文。"), policy, repo_root=tmp_path)
    assert_wechat_safe(html)
    para = next(n for n in elements(html) if n.tag == "p" and n.text() == "正文。")
    style = para.attrs["style"].replace(" ", "")
    assert "color:rgb(1,1,1)" in style and "font-size:15px" in style
    for gone in ("position", "top", "float", "transform", "url", "expression", "var", "family"):
        assert gone not in style


def test_repo_article_template_override(policy: Policy, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "article.html.j2").write_text(
        '<section class="fz-article"><p class="fz-p">自定义页眉</p>{{ body }}'
        '<script>alert(1)</script><div onclick="x" class="fz-p">尾</div></section>',
        "utf-8",
    )
    html = render_article(make_draft("正文。"), policy, repo_root=tmp_path)
    assert_wechat_safe(html)
    text = parse(html).root.text()
    assert text.startswith("自定义页眉正文。")
    assert "alert" not in html


def test_preview_page(policy: Policy) -> None:
    fragment = render_article(make_draft(FULL_BODY), policy, repo_root=None)
    page = render_preview(fragment, title="标题<b>", repo_root=None)
    assert page.startswith("<!DOCTYPE html>")
    assert "width: 677px" in page
    assert "标题&lt;b&gt;" in page
    assert fragment.strip() in page


def test_rendering_is_deterministic(policy: Policy) -> None:
    draft = make_draft(FULL_BODY)
    assert render_article(draft, policy, repo_root=None) == render_article(
        draft, policy, repo_root=None
    )


def test_style_cleaner() -> None:
    assert clean_style("color: black; margin: 0 !important") == "color:rgb(1,1,1);margin:0"
    assert clean_style("position:absolute; top:0") is None
    assert clean_style("background:url(x.png)") is None
    assert clean_style("overflow-x:auto;float:left;transform:none") is None


@pytest.mark.parametrize(
    "colour",
    ["black", "BLACK", "#000", "#000F", "#000000", "#000000ff", "rgb(0,0,0)", "rgb(0 0 0)",
     "rgba(0, 0, 0, 1)", "rgb(0% 0% 0% / 50%)", "hsl(0, 0%, 0%)", "hsla(120 50% 0% / 1)"],
)  # fmt: skip
def test_every_spelling_of_pure_black_text_becomes_near_black(colour: str) -> None:
    assert clean_style(f"color: {colour}") == "color:rgb(1,1,1)"


@pytest.mark.parametrize("colour", ["#001", "rgb(0,0,1)", "hsl(0,0%,1%)", "#0000001f0", "red"])
def test_other_colours_stay(colour: str) -> None:
    assert clean_style(f"color: {colour}") == f"color:{colour}"


def test_a_theme_cannot_take_away_the_column_or_the_scrolling(
    policy: Policy, tmp_path: Path
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "gov.css").write_text(
        read_asset(None, "gov.css")
        + ".fz-img { max-width: none; } .fz-table-wrap { overflow: visible; }\n",
        "utf-8",
    )
    html = render_article(make_draft(FULL_BODY), policy, repo_root=tmp_path)
    assert_wechat_safe(html)  # images keep max-width:100%
    table = next(n for n in elements(html) if n.tag == "table")
    assert table.parent is not None
    assert "overflow:auto" in table.parent.attrs["style"]
    assert "overflow:visible" not in table.parent.attrs["style"]


def test_repository_theme_copy_matches_packaged_default() -> None:
    assert (ROOT / "templates" / "gov.css").read_text("utf-8") == read_asset(None, "gov.css")


# ---- the render command ------------------------------------------------------------------


def render_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    render_cmd.register(app)
    return app


def invoke(cwd: Path, *args: str) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(render_app(), ["render", *args])
    finally:
        os.chdir(old)


def test_cli_missing_file_exits_2(tmp_path: Path) -> None:
    result = invoke(tmp_path, "content/2026/11/nope.md")
    assert result.exit_code == 2
    assert "文件不存在" in result.stderr
    assert "Traceback" not in result.output


def test_cli_invalid_draft_exits_3(bureau: Bureau) -> None:
    bureau.write("content/2026/11/bad.md", "---\nid: BAD ID\ntitle: x\n---\n正文\n")
    result = invoke(bureau.root, "content/2026/11/bad.md")
    assert result.exit_code == 3
    assert "错误：" in result.stderr and "bad.md" in result.stderr


def test_cli_renders_with_signers_from_history(bureau: Bureau) -> None:
    path = bureau.draft("renwu", body="## 活动\n\n详见[通知](https://www.gov.cn/a)。\n")
    bureau.full_chain(path)
    result = invoke(bureau.root, path)
    assert result.exit_code == 0, result.output
    assert_wechat_safe(result.stdout)
    text = parse(result.stdout).root.text()
    assert "编辑：林青（青阳信息员）" in text
    assert "审核：陈岚（青阳所长）、许明（保密办）、王强（分管领导）、李华（局长）" in text
    assert "通知[1]" in text and "https://www.gov.cn/a" in text


def test_cli_changed_content_drops_reviewers(bureau: Bureau) -> None:
    path = bureau.draft("gaiban")
    bureau.full_chain(path)
    with (bureau.root / path).open("a", encoding="utf-8") as handle:
        handle.write("\n审核后追加的一段。\n")
    result = invoke(bureau.root, path)
    assert result.exit_code == 0, result.output
    text = parse(result.stdout).root.text()
    assert "审核后追加的一段" in text
    # the signatures were about the old content: neither the submitter nor a reviewer shows
    assert "审核：" not in text and "编辑：" not in text
    assert "报送或审核时不同" in result.stderr


def test_cli_unsubmitted_draft_and_preview(bureau: Bureau) -> None:
    path = bureau.draft("weitijiao", extra="editor: 前台编辑\n")
    result = invoke(bureau.root, path, "--preview")
    assert result.exit_code == 0, result.output
    target = bureau.root / "weitijiao.preview.html"
    assert target.is_file()
    assert str(Path("weitijiao.preview.html")) in result.stdout
    assert "<section" not in result.stdout  # the fragment is not dumped with --preview
    page = target.read_text("utf-8")
    assert "width: 677px" in page and "编辑：前台编辑" in page


def test_cli_output_file_and_preview_next_to_it(bureau: Bureau, tmp_path: Path) -> None:
    path = bureau.draft("shuchu")
    out = tmp_path / "out" / "article.html"
    result = invoke(bureau.root, path, "-o", str(out), "--preview")
    assert result.exit_code == 0, result.output
    fragment = out.read_text("utf-8")
    assert_wechat_safe(fragment)
    preview = out.with_name("article.preview.html")
    assert fragment.strip() in preview.read_text("utf-8")
    assert str(out) in result.stdout and str(preview) in result.stdout


def test_cli_uses_repository_theme(bureau: Bureau) -> None:
    path = bureau.draft("zhuti")
    css = read_asset(None, "gov.css") + "\n.fz-p { color: rgb(9,87,65); }\n"
    bureau.write("templates/gov.css", css)
    clear_cache()
    result = invoke(bureau.root, path)
    assert result.exit_code == 0, result.output
    assert "color:rgb(9, 87, 65)" in result.stdout


def test_cli_without_git_uses_nearest_policies(tmp_path: Path) -> None:
    (tmp_path / "policies.yaml").write_bytes((ROOT / "policies.yaml").read_bytes())
    draft = tmp_path / "content" / "2026" / "11" / "a.md"
    draft.parent.mkdir(parents=True)
    draft.write_text(
        "---\nid: plain-folder\ntitle: 无仓库\nunit: anhai\nkind: original\n"
        "category: 党务政务宣传\n---\n正文。\n",
        "utf-8",
    )
    result = invoke(draft.parent, "a.md")
    assert result.exit_code == 0, result.output
    assert "供稿：安海司法所" in parse(result.stdout).root.text()
    outside = tmp_path.parent / f"{tmp_path.name}-x.md"
    outside.write_text("---\n---\n", "utf-8")
    try:
        lost = invoke(tmp_path.parent, outside.name)
    finally:
        outside.unlink()
    assert lost.exit_code == 2 and "policies.yaml" in lost.stderr


def test_code_font_is_monospace_only() -> None:
    assert clean_style('font-family: Menlo, "Courier New", monospace') == (
        'font-family:Menlo, "Courier New", monospace'
    )
    assert clean_style("font-family: 'Evil Sans'") is None
    assert clean_style("font-family: x;} body{color:red; monospace") is None


def test_docs_example_is_the_real_output(policy: Policy) -> None:
    """docs/rendering.md shows a draft and its HTML: the HTML must be what fzjj renders."""
    doc = (ROOT / "docs" / "rendering.md").read_text("utf-8")
    source = re.search(r"```markdown\n(.*?)```", doc, re.S)
    shown = re.search(r"```html\n(.*?)```", doc, re.S)
    assert source and shown
    draft = parse_draft(source.group(1).encode("utf-8"), "content/2026/11/demo.md")
    reviewers = ["陈岚", "许明", "王强", "李华"]
    html = render_article(draft, policy, repo_root=None, editor="林青", reviewers=reviewers)
    assert_wechat_safe(html)
    # the docs break lines after block-level closing tags for reading; nothing else differs
    readable = re.sub(r"(</(?:p|section|h2|tr|table)>)(?!\n)", r"\1\n", html)
    assert readable.rstrip("\n") == shown.group(1).rstrip("\n")


def test_docs_show_a_rendered_article_and_form() -> None:
    pages = {
        "article-sample.png": "rendering.md",
        "forward-sample.png": "rendering.md",
        "form-sample.png": "forms.md",
        "form-html-sample.png": "forms.md",
    }
    for image, page in pages.items():
        assert f"](img/{image})" in (ROOT / "docs" / page).read_text("utf-8")
        data = (ROOT / "docs" / "img" / image).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 300_000


def test_docs_images_show_what_fzjj_renders_now() -> None:
    """Each image was made from exactly what the renderer gives today (docs/img/samples.json,
    written by docs/img/make_samples.py): a change in the output fails here until the images
    are made again."""
    import hashlib
    import importlib.util
    import json

    script = ROOT / "docs" / "img" / "make_samples.py"
    spec = importlib.util.spec_from_file_location("make_samples", script)
    assert spec is not None and spec.loader is not None
    samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(samples)
    record = json.loads((ROOT / "docs" / "img" / "samples.json").read_text("utf-8"))
    clear_cache()
    prints = samples.fingerprints()
    assert sorted(prints) == sorted(record)
    for image, entry in record.items():
        assert prints[image] == entry["source"], f"{image} is stale: run {script.name}"
        png = (ROOT / "docs" / "img" / image).read_bytes()
        assert hashlib.sha256(png).hexdigest() == entry["png"], image
