"""The year (Art. 9), the reads import and the "已修改" column, through the real `fzjj` app on
the signed history of `report_history.build_history` + `extend_for_year` (see that module).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import Bureau
from report_history import (
    bj,
    build_history,
    copy_bureau,
    extend_for_year,
    new_bureau,
    run,
    sheets,
    write_export,
)

FORMATS = ["table", "csv", "markdown", "html"]
YEAR_TITLES = ["发布量（篇）", "阅读量（次）"]
MONTH_TITLES = ["各单位报送情况", "按栏目", "按类型", "本月报送的稿件"]


@pytest.fixture(scope="module")
def year_template(tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, Path]) -> Bureau:
    return extend_for_year(build_history(new_bureau(tmp_path_factory.mktemp("year"), keyring)))


@pytest.fixture
def year(year_template: Bureau, tmp_path: Path) -> Bureau:
    return copy_bureau(year_template, tmp_path)


def months(**counts: int) -> list[str]:
    """Twelve monthly figures as text, e.g. months(m3=1, m5=2)."""
    return [str(counts.get(f"m{m}", 0)) for m in range(1, 13)]


def year_tables(
    qy: tuple[str, dict[str, int], int], ah: tuple[str, dict[str, int], int], qy_first: bool
) -> dict[str, list[list[str]]]:
    """Both sheets of the 2026 evaluation, for 青阳's and 安海's (rank, reads by month, total).

    Published pieces are fixed by the history: 青阳 March and May, 安海 May and December.
    """
    published = {"青阳司法所": months(m3=1, m5=1), "安海司法所": months(m5=1, m12=1)}
    rows = {"青阳司法所": qy, "安海司法所": ah}
    order = ["青阳司法所", "安海司法所"] if qy_first else ["安海司法所", "青阳司法所"]
    reads_total = qy[2] + ah[2]
    by_month = [str(qy[1].get(f"m{m}", 0) + ah[1].get(f"m{m}", 0)) for m in range(1, 13)]
    return {
        "发布量（篇）": [
            *([rows[u][0], u, *published[u], "2", str(rows[u][2])] for u in order),
            ["", "合计", *months(m3=1, m5=2, m12=1), "4", str(reads_total)],
        ],
        "阅读量（次）": [
            *([rows[u][0], u, *months(**rows[u][1]), str(rows[u][2])] for u in order),
            ["", "合计", *by_month, str(reads_total)],
        ],
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_year_every_figure_before_and_after_reads(year: Bureau, tmp_path: Path, fmt: str) -> None:
    before = run(year, "report", "--year", "2026", "--format", fmt)
    assert before.exit_code == 0, before.output
    zero = ("1", {}, 0)
    assert sheets(fmt, before, YEAR_TITLES) == year_tables(zero, zero, qy_first=True)
    text = before.stdout_bytes.decode("utf-8-sig")
    assert "有 4 篇已发布稿件尚无阅读数据" in text

    assert run(year, "stats", "import", str(write_export(tmp_path / "e.csv"))).exit_code == 0
    tied = run(year, "report", "--year", "2026", "--format", fmt)
    qy = ("1", {"m3": 100, "m5": 200}, 300)
    ah = ("1", {"m5": 250, "m12": 50}, 300)
    assert sheets(fmt, tied, YEAR_TITLES) == year_tables(qy, ah, qy_first=True)
    assert "尚无阅读数据" not in tied.stdout_bytes.decode("utf-8-sig")

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["标题", "群发时间", "阅读次数"])
    sheet.append(["安海所年终总结", datetime(2026, 12, 31, 23, 30), 51])
    book.save(tmp_path / "later.xlsx")
    assert run(year, "stats", "import", str(tmp_path / "later.xlsx")).exit_code == 0
    ranked = run(year, "report", "--year", "2026", "--format", fmt)
    ah = ("1", {"m5": 250, "m12": 51}, 301)
    qy = ("2", {"m3": 100, "m5": 200}, 300)
    assert sheets(fmt, ranked, YEAR_TITLES) == year_tables(qy, ah, qy_first=False)


def test_year_json_and_the_next_year(year: Bureau, tmp_path: Path) -> None:
    run(year, "stats", "import", str(write_export(tmp_path / "e.csv")))
    data = json.loads(run(year, "report", "--year", "2026", "--format", "json").stdout)
    assert data["report"] == "year" and data["year"] == 2026
    assert data["timezone"] == "Asia/Shanghai"
    units = [
        (u["rank"], u["unit"], u["published"], u["reads"], u["published_total"], u["reads_total"])
        for u in data["units"]
    ]
    assert units == [
        (1, "qingyang", [0, 0, 1, 0, 1, *[0] * 7], [0, 0, 100, 0, 200, *[0] * 7], 2, 300),
        (1, "anhai", [0, 0, 0, 0, 1, *[0] * 6, 1], [0, 0, 0, 0, 250, *[0] * 6, 50], 2, 300),
    ]
    assert data["published_by_month"] == [0, 0, 1, 0, 2, *[0] * 6, 1]
    assert data["reads_by_month"] == [0, 0, 100, 0, 450, *[0] * 6, 50]
    assert (data["published_total"], data["reads_total"], data["missing_reads"]) == (4, 600, 0)

    # ah-m, published 00:30 on 1 January 2027 Beijing time, is 2027's
    nxt = json.loads(run(year, "report", "--year", "2027", "--format", "json").stdout)
    assert [(u["rank"], u["unit"], u["published"][0], u["reads_total"]) for u in nxt["units"]] == [
        (1, "anhai", 1, 999),
        (2, "qingyang", 0, 0),
    ]


def test_year_html_is_self_contained_with_charts(year: Bureau) -> None:
    html = run(year, "report", "--year", "2026", "--format", "html").stdout
    assert html.count("<svg") == 2 and "<script" not in html
    assert not re.search(r"""(src|href)=|url\(|@import|https?://|@font-face""", html)
    assert (
        "<title>青阳司法所 3月：1</title>" in html and "<title>安海司法所 12月：1</title>" in html
    )
    assert "<title>安海司法所 1月：0</title>" in html  # ah-m is 2027's
    assert "<title>青阳司法所：0</title>" in html  # reads bars, before any import


def test_publication_months_across_midnight(year: Bureau) -> None:
    def unit(month: str, unit_id: str) -> dict[str, object]:
        data = json.loads(run(year, "report", "--month", month, "-f", "json").stdout)
        return next(u for u in data["units"] if u["unit"] == unit_id)

    assert unit("2026-04", "qingyang")["published_in_month"] == 0
    assert unit("2026-05", "qingyang")["published_in_month"] == 1  # qy-d, 00:30 on 1 May
    assert unit("2026-12", "anhai")["published_in_month"] == 1  # ah-k, not ah-m
    assert unit("2026-12", "anhai")["submitted"] == 2
    assert unit("2026-12", "anhai")["published"] == 2  # both are published by now
    assert unit("2027-01", "anhai")["published_in_month"] == 1  # ah-m


MAY_HEADERS = ["单位", "报送", "审核中", "已审批", "已退回", "已发布", "已修改"]
MAY_HEADERS += ["本月发布", "计入定额", "定额", "达标"]
MAY = {
    "各单位报送情况": [
        ["青阳司法所", "1", "0", "0", "0", "0", "1", "1", "1", "1", "是"],
        ["安海司法所", "1", "0", "0", "0", "1", "0", "1", "1", "1", "是"],
        ["合计", "2", "0", "0", "0", "1", "1", "2", "2", "2", "2/2 达标"],
    ],
    "按栏目": [
        ["信息主动公开", "0"],
        ["党务政务宣传", "2"],
        ["便民信息", "0"],
        ["澄清回应", "0"],
        ["其他公开信息", "0"],
        ["转发上级信息", "0"],
    ],
    "按类型": [["原创", "2"], ["采访", "0"], ["转发", "0"]],
    "本月报送的稿件": [
        [
            "ah-h",
            "安海所人民调解",
            "安海司法所",
            "原创",
            "党务政务宣传",
            "2026-05-02 09:00",
            "已发布",
        ],
        [
            "qy-x",
            "青阳所五月报送",
            "青阳司法所",
            "原创",
            "党务政务宣传",
            "2026-05-10 09:00",
            "报送后已修改，待重新报送",
        ],
    ],
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_month_with_a_draft_edited_after_submission(year: Bureau, fmt: str) -> None:
    result = run(year, "report", "--month", "2026-05", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert sheets(fmt, result, MONTH_TITLES) == MAY
    text = result.stdout_bytes.decode("utf-8-sig")
    header = "".join(MAY_HEADERS)
    assert header in re.sub(r"[\s|│┃,*]|<[^>]+>", "", text)


def test_may_json_counts_the_changed_draft(year: Bureau) -> None:
    data = json.loads(run(year, "report", "--month", "2026-05", "-f", "json").stdout)
    qy = next(u for u in data["units"] if u["unit"] == "qingyang")
    assert (qy["submitted"], qy["changed"], qy["in_review"], qy["quota_met"]) == (1, 1, 0, True)
    assert data["totals"]["changed"] == 1
    assert [d["phase"] for d in data["drafts"]] == ["published", "unsubmitted"]
    pending = json.loads(run(year, "report", "--pending", "-f", "json").stdout)["items"]
    qy_x = next(i for i in pending if i["id"] == "qy-x")
    assert qy_x["step"] == "报送后内容已修改，待重新报送" and qy_x["waiting_for"] == ["qy_info"]


def test_import_output_is_idempotent_and_leaves_an_uncommitted_file(
    year: Bureau, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "微信统计.csv")
    head = year.head()
    first = run(year, "stats", "import", str(export))
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "已匹配 5 行，其中阅读数有变化的 5 行。",
        "已更新阅读数据文件 data/wechat-stats.json（尚未提交）。核对后提交：",
        "  git diff data/wechat-stats.json",
        '  git add data/wechat-stats.json && git commit -m "导入公众号阅读数"',
        "未匹配 2 行：",
        "  第 4 行《青阳所法律援助》（2026-04-30）：没有找到同标题、同日发布的稿件",
        "  第 8 行《䶮山𠀀普法》（2026-05-01）：没有找到同标题、同日发布的稿件",
    ]
    assert year.head() == head  # no commit: the change waits in the work tree
    assert year.git("status", "--porcelain") == "?? data/"
    data_file = year.root / "data" / "wechat-stats.json"
    content = data_file.read_bytes()
    stored = json.loads(content)["drafts"]
    assert {k: (v["reads"], v["matched_by"]) for k, v in stored.items()} == {
        "qy-a": (100, "url"),
        "qy-d": (200, "title_date"),
        "ah-h": (250, "title_date"),
        "ah-k": (50, "url"),
        "ah-m": (999, "url"),
    }

    second = run(year, "stats", "import", str(export))
    assert second.exit_code == 0
    assert second.stdout.splitlines()[:2] == [
        "已匹配 5 行，其中阅读数有变化的 0 行。",
        "阅读数据文件 data/wechat-stats.json没有变化。",
    ]
    assert data_file.read_bytes() == content

    # committed like any change, the file does not disturb the check of the history
    year.git("add", "data/wechat-stats.json")
    year.git("commit", "-q", "-m", "导入公众号阅读数")
    code, out = year.act("admin", "check")
    assert code == 0, out


@pytest.mark.parametrize(
    ("name", "cells", "message"),
    [
        (
            "negative.xlsx",
            ["安海所年终总结", "2026-12-31", -5],
            "第 2 行“阅读次数”列的值 '-5' 不是非负整数",
        ),
        (
            "fraction.xlsx",
            ["安海所年终总结", "2026-12-31", 2.5],
            "第 2 行“阅读次数”列的值 '2.5' 不是非负整数",
        ),
        (
            "date.xlsx",
            ["安海所年终总结", "12月31日", 5],
            "第 2 行“发表时间”列的值 '12月31日' 不是日期",
        ),
    ],
)
def test_bad_xlsx_cells_change_nothing(
    year: Bureau, tmp_path: Path, name: str, cells: list[object], message: str
) -> None:
    run(year, "stats", "import", str(write_export(tmp_path / "e.csv")))
    data_file = year.root / "data" / "wechat-stats.json"
    before = data_file.read_bytes()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["文章标题", "发表时间", "阅读次数"])
    sheet.append(cells)
    book.save(tmp_path / name)
    result = run(year, "stats", "import", str(tmp_path / name))
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(f"错误：{tmp_path / name}:2 字段 ")
    assert message in result.stderr and "文件未导入" in result.stderr
    assert result.stdout == ""
    assert data_file.read_bytes() == before


def _every_report(b: Bureau) -> dict[str, object]:
    """Every report of 2026 and January 2027 from the cached history (which decodes only the
    drafts its index of dates selects) and from all states (`full`), for comparison."""
    from fzjj import report as core
    from fzjj.cache import LazyStates
    from fzjj.cli.report_run import month_report
    from fzjj.render.report_out import month_json, pending_json, year_json
    from fzjj.service import open_workspace

    ws = open_workspace(b.root)
    policy, states = ws.policy, ws.states()
    assert isinstance(states, LazyStates)
    every = list(states.values())
    out: dict[str, object] = {}
    for year, month in [*((2026, m) for m in range(1, 13)), (2027, 1)]:
        for grid in (True, False):
            cached = month_report(policy, states, year, month, with_grid=grid)
            full = core.monthly_report(policy, every, year, month, with_grid=grid)
            assert month_json(cached) == month_json(full), (year, month, grid)
            out[f"{year}-{month}-{grid}"] = month_json(cached)
        out[f"{year}-{month}-reminders"] = core.reminders(policy, every, year, month)
    for year in (2026, 2027):
        out[str(year)] = year_json(core.yearly_report(policy, every, year, {}))
    out["pending"] = pending_json(core.pending(policy, every))
    return out


def test_cached_selection_gives_the_full_figures(year: Bureau) -> None:
    """The reports pick drafts by the history cache's index of dates; the figures must be
    those of all drafts, on a fresh cache, a warm one, and one extended by new commits."""
    for fmt in ("table", "json"):  # what the CLI selects must give what the core gives
        assert run(year, "report", "--month", "2026-05", "-f", fmt).exit_code == 0
    first = _every_report(year)
    cli = json.loads(run(year, "report", "--month", "2026-05", "-f", "json").stdout)
    assert cli == first["2026-5-True"]

    # new records: qy-x resubmitted and rejected in June, ah-c approved by the unit head
    year.ok("qy_info", "submit", "content/2026/05/qy-x.md", when=bj("2026-06-01T08:00:00"))
    year.ok(
        "qy_head",
        "reject",
        "content/2026/05/qy-x.md",
        "--opinion",
        "请核实数据。",
        when=bj("2026-06-02T08:00:00"),
    )
    year.ok("ah_head", "approve", "content/2026/03/ah-c.md", when=bj("2026-06-03T08:00:00"))
    extended = _every_report(year)
    assert extended != first
    june = json.loads(run(year, "report", "--month", "2026-06", "-f", "json").stdout)
    assert june == extended["2026-6-True"]
    assert june["totals"]["submitted"] == 0  # a resubmission is not a new submission
    may = extended["2026-5-True"]
    assert isinstance(may, dict) and may["totals"]["rejected"] == 1  # qy-x, now rejected
    assert may["totals"]["changed"] == 0
