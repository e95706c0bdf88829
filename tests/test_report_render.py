"""Every figure of the reports, read back out of each output format."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from fzjj.render.report_out import (
    ReminderLine,
    month_document,
    render_month,
    render_pending,
    render_reminders,
    render_year,
)
from fzjj.report import monthly_report, pending, yearly_report
from test_report import scenario, shipped_policy

TEXT_FORMATS = ["table", "csv", "markdown", "html"]

# March 2026 of the scenario in test_report.py, as each format must show it:
# 单位, 报送, 审核中, 已审批, 已退回, 已发布, 本月发布, 计入定额, 定额, 达标
EXPECTED_MARCH = {
    "青阳司法所": ["1", "1", "0", "0", "0", "1", "1", "1", "是"],
    "梅岭司法所": ["0", "0", "0", "0", "0", "0", "0", "1", "未达标"],
    "西园司法所": ["1", "0", "0", "0", "1", "0", "1", "1", "是"],
    "罗山司法所": ["0", "0", "0", "0", "0", "0", "0", "1", "未达标"],
    "磁灶司法所": ["1", "0", "0", "1", "0", "0", "1", "1", "是"],
    "安海司法所": ["1", "0", "1", "0", "0", "0", "1", "1", "是"],
    "西滨司法所": ["0", "0", "0", "0", "0", "0", "0", "1", "未达标"],
    "宣教科": ["1", "1", "0", "0", "0", "0", "0", "1", "未达标"],
    "ghost（名册外）": ["1", "1", "0", "0", "0", "0", "0", "0", "名册外"],
    "合计": ["6", "3", "1", "1", "1", "1", "4", "21", "4/21 达标"],
}
MONTH_HEADERS = [
    "单位",
    "报送",
    "审核中",
    "已审批",
    "已退回",
    "已发布",
    "本月发布",
    "计入定额",
    "定额",
    "达标",
]


class _Tables(HTMLParser):
    """Collects every <table> as rows of cell texts, and the classes of its rows."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.row_classes: list[list[str]] = []
        self.cell: list[str] | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
            self.row_classes.append([])
        elif tag == "tr":
            self.tables[-1].append([])
            self.row_classes[-1].append(dict(attrs).get("class") or "")
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _rows_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    start = rows.index(["各单位报送情况"]) + 1
    end = rows.index([], start)
    return rows[start:end]


def _rows_markdown(text: str) -> list[list[str]]:
    section = text.split("## 各单位报送情况", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    rows = [[c.strip().strip("*") for c in line.strip("|").split(" | ")] for line in lines]
    return [rows[0], *rows[2:]]


def _rows_table(text: str) -> list[list[str]]:
    section = text.split("各单位报送情况", 1)[1].split("按栏目", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith(("│", "┃")):
            rows.append([c.strip() for c in re.split("[│┃]", line)[1:-1]])
    return rows


def _rows_html(text: str) -> list[list[str]]:
    parser = _Tables()
    parser.feed(text)
    return parser.tables[0]


def month_rows(fmt: str) -> list[list[str]]:
    rendered = render_month(monthly_report(shipped_policy(), scenario(), 2026, 3), fmt)
    if fmt == "csv":
        assert isinstance(rendered, bytes)
        return _rows_csv(rendered)
    assert isinstance(rendered, str)
    return {"markdown": _rows_markdown, "table": _rows_table, "html": _rows_html}[fmt](rendered)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_month_figures_in_every_format(fmt: str) -> None:
    rows = month_rows(fmt)
    assert rows[0] == MONTH_HEADERS
    by_name = {row[0]: row[1:] for row in rows[1:]}
    for name, expected in EXPECTED_MARCH.items():
        assert by_name[name] == expected, (fmt, name)
    policy = shipped_policy()
    # every roster unit, the unit outside the roster, the totals
    assert len(rows) == 1 + len(policy.units) + 1 + 1
    assert [r[0] for r in rows[1:-2]] == [u.name for u in policy.units]


def test_month_json_has_every_figure() -> None:
    data = json.loads(render_month(monthly_report(shipped_policy(), scenario(), 2026, 3), "json"))
    units = {u["name"]: u for u in data["units"]}
    names = ["submitted", "in_review", "approved", "rejected", "published"]
    names += ["published_in_month", "quota_count", "quota_target"]
    for name, expected in EXPECTED_MARCH.items():
        if name == "合计":
            got = [data["totals"][n] for n in names]
        else:
            got = [units[name][n] for n in names]
        assert [str(v) for v in got] == expected[:8], name
    assert units["梅岭司法所"]["quota_met"] is False and units["青阳司法所"]["quota_met"] is True
    assert data["totals"]["units_met"] == 4
    assert data["month"] == "2026-03" and data["timezone"] == "Asia/Shanghai"
    assert data["quota"] == {
        "per_month": 1,
        "basis": "submitted",
        "kinds": ["original", "interview"],
    }
    assert data["by_kind"] == {"original": 4, "interview": 1, "forward": 1}
    assert data["by_category"]["党务政务宣传"] == 4 and data["by_category"]["便民信息"] == 0
    assert "meiling" in data["below_quota"] and "qingyang" not in data["below_quota"]
    first = data["drafts"][0]
    assert first["id"] == "qy-midnight" and first["submitted"] == "2026-03-01T00:30:00+08:00"
    assert data["year_grid"]["qingyang"] == [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("fmt", ["csv", "markdown", "html", "table"])
def test_month_categories_and_kinds_in_every_format(fmt: str) -> None:
    rendered = render_month(monthly_report(shipped_policy(), scenario(), 2026, 3), fmt)
    text = rendered.decode("utf-8-sig") if isinstance(rendered, bytes) else rendered
    if fmt == "html":
        parser = _Tables()
        parser.feed(text)
        categories = dict(parser.tables[1][1:])  # type: ignore[arg-type]
        kinds = dict(parser.tables[2][1:])  # type: ignore[arg-type]
    else:
        categories = _pairs(text, shipped_policy().categories)
        kinds = _pairs(text, ["原创", "采访", "转发"])
    assert categories["党务政务宣传"] == "4" and categories["信息主动公开"] == "1"
    assert categories["转发上级信息"] == "1" and categories["便民信息"] == "0"
    assert kinds == {"原创": "4", "采访": "1", "转发": "1"}


def _pairs(text: str, labels: list[str]) -> dict[str, str]:
    out = {}
    for label in labels:
        match = re.search(rf"^[|│,]?\s*\**{label}\**\s*[|│,]\s*\**(\d+)", text, re.MULTILINE)
        assert match, label
        out[label] = match[1]
    return out


def test_below_quota_stands_out() -> None:
    report = monthly_report(shipped_policy(), scenario(), 2026, 3)
    md = render_month(report, "markdown")
    assert "| **梅岭司法所** | **0** |" in md  # type: ignore[operator]
    assert "| 青阳司法所 | 1 |" in md  # type: ignore[operator]
    parser = _Tables()
    parser.feed(str(render_month(report, "html")))
    classes = dict(zip((r[0] for r in parser.tables[0]), parser.row_classes[0], strict=True))
    assert classes["梅岭司法所"] == "below" and classes["青阳司法所"] == ""
    assert classes["ghost（名册外）"] == ""  # outside the roster: no quota to miss
    document = month_document(report)
    flagged = {document.sheets[0].rows[i][0] for i in document.sheets[0].flagged}
    assert flagged == {u.name for u in report.units if u.in_roster and not u.quota_met}

    from rich.console import Console

    from fzjj.render.report_out import renderables

    console = Console(record=True, width=200, force_terminal=True, color_system="truecolor")
    for item in renderables(document):
        console.print(item)
    styled = console.export_text(styles=True)
    meiling = next(line for line in styled.splitlines() if "梅岭司法所" in line)
    qingyang = next(line for line in styled.splitlines() if "青阳司法所" in line)
    assert "\x1b[1;31m" in meiling and "\x1b[1;31m" not in qingyang


def test_html_is_self_contained_with_both_charts() -> None:
    html = str(render_month(monthly_report(shipped_policy(), scenario(), 2026, 3), "html"))
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    for banned in ("http://", "https://", "<script", "<link", "src=", "@import", "url("):
        assert banned not in html, banned
    assert html.count("<svg") == 2
    assert "2026年各单位每月报送（条）" in html and "2026年3月报送稿件的进度（条）" in html
    # the grid: one labelled cell per unit and month; qingyang's February and March hold 1
    assert "<title>青阳司法所 2月：1</title>" in html
    assert "<title>青阳司法所 3月：1</title>" in html
    assert "<title>梅岭司法所 3月：0</title>" in html
    assert html.count("<rect") >= (len(shipped_policy().units) + 1) * 12
    assert "<title>报送：6</title>" in html and "<title>已发布：1</title>" in html


def test_html_and_markdown_escape_titles() -> None:
    states = scenario()
    states[0].title = "<script>alert(1)</script> | *重要* [链接](http://x) `代码`"
    report = monthly_report(shipped_policy(), states, 2026, 3)
    html = str(render_month(report, "html"))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = str(render_month(report, "markdown"))
    assert (
        "| qy-midnight | \\<script\\>alert(1)\\</script\\> \\| \\*重要\\* "
        "\\[链接\\](http://x) \\`代码\\` | 青阳司法所 |"
    ) in md
    # and a Markdown renderer shows the title as typed: no tag, emphasis, link or code
    from markdown_it import MarkdownIt

    page = MarkdownIt("commonmark").enable("table").render(md)
    cell = "&lt;script&gt;alert(1)&lt;/script&gt; | *重要* [链接](http://x) `代码`"
    assert f"<td>{cell}</td>" in page
    assert not re.search(r"<(script|em|a|code)\b", page)


# Draft titles as a CSV cell must come back exactly (quoting), and the ones a spreadsheet
# would run as a formula must come back as text, behind an apostrophe.
CSV_TITLES = {
    '逗号, 和 “引号” 与 "英文引号"': '逗号, 和 “引号” 与 "英文引号"',
    "第一行\r\n第二行": "第一行\r\n第二行",
    '=HYPERLINK("http://x","点我")': '\'=HYPERLINK("http://x","点我")',
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\t=1": "'\t=1",
    "＝全角等号不是公式": "＝全角等号不是公式",
}


def test_csv_quotes_cells_and_keeps_formulas_as_text() -> None:
    states = [s for s in scenario() if s.draft_id == "cz-rejected"]
    for title, expected in CSV_TITLES.items():
        states[0].title = title
        data = bytes(render_month(monthly_report(shipped_policy(), states, 2026, 3), "csv"))
        assert data.startswith(b"\xef\xbb\xbf")
        # every line ends in CRLF; a line break inside a quoted cell is the cell's own
        assert data.count(b"\r\n") == len(data.split(b"\n")) - 1
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        line = next(r for r in rows if r[:1] == ["cz-rejected"])
        assert line[1] == expected, title
        assert line[2:] == ["磁灶司法所", "原创", "党务政务宣传", "2026-03-03 09:00", "已退回"]


def test_year_in_every_format() -> None:
    policy = shipped_policy()
    report = yearly_report(policy, scenario(), 2026, {"qy-feb-late": 120, "xy-cross": 300})
    data = json.loads(render_year(report, "json"))
    assert [(u["rank"], u["unit"]) for u in data["units"][:2]] == [(1, "xiyuan"), (2, "qingyang")]
    assert data["units"][0]["reads"][3] == 300 and data["reads_total"] == 420

    csv_rows = list(csv.reader(io.StringIO(bytes(render_year(report, "csv")).decode("utf-8-sig"))))
    top = next(r for r in csv_rows if r[1:2] == ["西园司法所"])
    assert top[0] == "1" and top[2:14] == ["0", "0", "0", "1"] + ["0"] * 8
    assert top[14:] == ["1", "300"]
    totals = [r for r in csv_rows if r[1:2] == ["合计"]]
    assert totals[0][14:] == ["2", "420"] and totals[1][-1] == "420"

    md = str(render_year(report, "markdown"))
    assert "| 1 | 西园司法所 | 0 | 0 | 0 | 1 |" in md and "| 2 | 青阳司法所 | 0 | 0 | 1 |" in md
    table = str(render_year(report, "table"))
    assert re.search(r"│\s*1\s*│\s*西园司法所\s*│", table)
    html = str(render_year(report, "html"))
    assert "<title>西园司法所 4月：1</title>" in html and "<title>西园司法所：300</title>" in html


def test_year_notes_missing_reads() -> None:
    report = yearly_report(shipped_policy(), scenario(), 2026, {})
    assert "有 2 篇已发布稿件尚无阅读数据" in str(render_year(report, "markdown"))


PENDING_HEADERS = ["稿件", "标题", "单位", "状态", "等待环节", "等待谁", "自"]


def test_pending_in_every_format() -> None:
    items = pending(shipped_policy(), scenario())
    data = json.loads(render_pending(items, "json"))
    qy = next(i for i in data["items"] if i["id"] == "qy-midnight")
    assert qy["stage"] == "secrecy_office" and qy["since"] == "2026-03-01T10:00:00+08:00"
    assert qy["waiting_for_names"] == ["示例·保密办甲", "示例·保密办乙"]
    md = str(render_pending(items, "markdown"))
    assert "| qy-midnight | 标题qy-midnight | 青阳司法所 | 审核中 | 涉密审查 |" in md
    assert "示例·保密办甲、示例·保密办乙 | 2026-03-01 10:00 |" in md
    assert "| cz-rejected |" in md and "待修改后重新报送 | 示例·磁灶信息员" in md
    rows = list(csv.reader(io.StringIO(bytes(render_pending(items, "csv")).decode("utf-8-sig"))))
    assert rows[:5] == [
        ["“法治晋江”待办：各稿件在等谁"],
        ["共 7 篇稿件在等待。"],
        [],
        ["待办"],
        PENDING_HEADERS,
    ]
    assert [r[0] for r in rows[5:]] == [i.draft_id for i in items] and len(items) == 7
    assert "共 7 篇稿件在等待。" in str(render_pending(items, "table"))
    assert "没有等待处理的稿件" in str(render_pending([], "html"))


def test_reminders_render() -> None:
    lines = [ReminderLine("meiling", "梅岭司法所", "示例·梅岭信息员")]
    assert json.loads(render_reminders(lines, 2026, 3, "json"))["units"] == [
        {"unit": "meiling", "name": "梅岭司法所", "info_officer": "示例·梅岭信息员"}
    ]
    md = str(render_reminders(lines, 2026, 3, "markdown"))
    assert "| 梅岭司法所 | 示例·梅岭信息员 |" in md and "1 个单位在 2026年3月" in md
    assert "每个单位都已报送" in str(render_reminders([], 2026, 3, "table"))


def test_plain_table_matches_rich_layout() -> None:
    """The plain-text tables are drawn without rich but look exactly like rich's own."""
    from rich.console import Console

    from fzjj.render.report_out import Document, Sheet, _plain, renderables

    document = Document(
        "标题",
        ["说明"],
        [
            Sheet("空表", ["单位", "报送"]),
            Sheet(
                "各单位",
                ["单位", "报送", "达标"],
                [["青阳司法所", 3, "是"], ["x", 12, "未达标"], ["Café ñ", 0, "是"]],
                footer=["合计", 15, "2/3 达标"],
            ),
        ],
    )
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None, force_terminal=False)
    for item in renderables(document):
        console.print(item)
    assert _plain(document) == buffer.getvalue()
    lines = _plain(document).splitlines()
    assert "│ 青阳司法所 │    3 │ 是       │" in lines
    assert "│ 合计       │   15 │ 2/3 达标 │" in lines


def test_plain_table_keeps_one_line_per_row() -> None:
    states = scenario()
    states[0].title = "第一行\n第二行\t制表"
    text = str(render_month(monthly_report(shipped_policy(), states, 2026, 3), "table"))
    row = next(line for line in text.splitlines() if "qy-midnight" in line)
    assert "第一行 第二行 制表" in row
    from rich.cells import cell_len

    tables = text.split("┏")[1:]
    for table in tables:
        lines = ("┏" + table).splitlines()
        box = [line for line in lines if line[:1] in ("┏", "┃", "┡", "│", "├", "└")]
        assert len({cell_len(line) for line in box}) == 1, box  # the columns line up
