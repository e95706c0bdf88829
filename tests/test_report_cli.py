"""`fzjj report` and `fzjj stats import` on a real repository with real signed history.

The history (committer dates set per record, Beijing time unless marked UTC):

- qy-a  青阳: submitted 2026-02-28 16:30 UTC = 2026-03-01 00:30 Beijing (March), full chain
  in March, published 2026-03-05.
- qy-b  青阳: submitted 2026-02-28 23:50 Beijing (February), unit head approved, now waits
  for the secrecy review.
- ah-c  安海: submitted 2026-03-10, rejected 2026-03-11, revised and resubmitted 2026-04-02;
  the resubmission does not count again, so 安海 has nothing in April.
- qy-d  青阳: submitted 2026-03-30, approved through April 1-2, waits for publication.
- In February 安海 has nothing at all.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import Result

from conftest import Bureau
from fzjj.cli.main import app


def _ensure_registered() -> None:
    from fzjj.cli import report_cmd

    if not any(c.name == "report" for c in app.registered_commands):
        app.command("report")(report_cmd.report)
    if not any(g.name == "stats" for g in app.registered_groups):
        app.add_typer(report_cmd.stats_app, name="stats")


def run(b: Bureau, *args: str) -> Result:
    _ensure_registered()
    old = os.getcwd()
    os.chdir(b.root)
    try:
        return b.runner.invoke(app, list(args))
    finally:
        os.chdir(old)


def bj(stamp: str) -> str:
    return stamp + "+08:00"


@pytest.fixture
def history(bureau: Bureau) -> Bureau:
    _ensure_registered()
    b = bureau
    qy_a = b.draft("qy-a", month="2026/03", title="青阳所开展普法讲座")
    b.ok("qy_info", "submit", qy_a, when="2026-02-28T16:30:00+00:00")
    for i, person in enumerate(("qy_head", "secrecy_a", "deputy", "principal")):
        b.ok(person, "approve", qy_a, when=bj(f"2026-03-0{2 + i}T09:00:00"))
    b.ok(
        "operator",
        "publish",
        qy_a,
        "--url",
        "https://mp.weixin.qq.com/s/qy-a-token",
        when=bj("2026-03-05T20:00:00"),
    )

    qy_b = b.draft("qy-b", month="2026/02", title="青阳所调解纠纷一起")
    b.ok("qy_info", "submit", qy_b, when=bj("2026-02-28T23:50:00"))
    b.ok("qy_head", "approve", qy_b, when=bj("2026-03-01T08:00:00"))

    ah_c = b.draft("ah-c", unit="anhai", month="2026/03", title="安海所社区矫正工作")
    b.ok("ah_info", "submit", ah_c, when=bj("2026-03-10T10:00:00"))
    b.ok("ah_head", "reject", ah_c, "--opinion", "请补充数据。", when=bj("2026-03-11T10:00:00"))
    b.draft("ah-c", unit="anhai", month="2026/03", title="安海所社区矫正工作", body="补充后。\n")
    b.ok("ah_info", "submit", ah_c, when=bj("2026-04-02T10:00:00"))

    qy_d = b.draft("qy-d", month="2026/03", title="青阳所法律援助")
    b.ok("qy_info", "submit", qy_d, when=bj("2026-03-30T18:00:00"))
    for i, person in enumerate(("qy_head", "secrecy_a", "deputy", "principal")):
        b.ok(person, "approve", qy_d, when=bj(f"2026-04-01T1{i}:00:00"))
    return b


MARCH = {  # 单位 → 报送, 审核中, 已审批, 已退回, 已发布, 本月发布, 计入定额, 定额, 达标
    "青阳司法所": ["2", "0", "1", "0", "1", "1", "2", "1", "是"],
    "安海司法所": ["1", "1", "0", "0", "0", "0", "1", "1", "是"],
    "合计": ["3", "1", "1", "0", "1", "1", "3", "2", "2/2 达标"],
}
FEBRUARY = {
    "青阳司法所": ["1", "1", "0", "0", "0", "0", "1", "1", "是"],
    "安海司法所": ["0", "0", "0", "0", "0", "0", "0", "1", "未达标"],
    "合计": ["1", "1", "0", "0", "0", "0", "1", "2", "1/2 达标"],
}
APRIL = {
    "青阳司法所": ["0", "0", "0", "0", "0", "0", "0", "1", "未达标"],
    "安海司法所": ["0", "0", "0", "0", "0", "0", "0", "1", "未达标"],
}


def _units_from(fmt: str, result: Result) -> dict[str, list[str]]:
    if fmt == "csv":
        assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
        start = rows.index(["各单位报送情况"]) + 2
        return {r[0]: r[1:] for r in rows[start : rows.index([], start)]}
    text = result.stdout
    if fmt == "markdown":
        section = text.split("## 各单位报送情况", 1)[1].split("\n## ", 1)[0]
        rows = [
            [c.strip().strip("*") for c in line.strip("|").split(" | ")]
            for line in section.splitlines()
            if line.startswith("|")
        ][2:]
        return {r[0]: r[1:] for r in rows}
    if fmt == "html":
        table = text.split("<tbody>", 1)[1].split("</table>", 1)[0]
        rows = [re.findall(r"<td[^>]*>([^<]*)</td>", tr) for tr in table.split("<tr")[1:]]
        return {r[0]: r[1:] for r in rows if r}
    section = text.split("各单位报送情况", 1)[1].split("按栏目", 1)[0]
    rows = [
        [c.strip() for c in re.split("[│┃]", line)[1:-1]]
        for line in section.splitlines()
        if line.startswith("│")
    ]
    return {r[0]: r[1:] for r in rows}


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
def test_monthly_report_every_figure_every_format(history: Bureau, fmt: str) -> None:
    for month, expected in (("2026-03", MARCH), ("2026-02", FEBRUARY), ("2026-04", APRIL)):
        result = run(history, "report", "--month", month, "--format", fmt)
        assert result.exit_code == 0, result.output
        units = _units_from(fmt, result)
        for name, figures in expected.items():
            assert units[name] == figures, (fmt, month, name)


def test_monthly_report_json(history: Bureau) -> None:
    result = run(history, "report", "--month", "2026-03", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    units = {u["unit"]: u for u in data["units"]}
    assert units["qingyang"]["submitted"] == 2 and units["qingyang"]["published"] == 1
    assert units["qingyang"]["approved"] == 1 and units["anhai"]["in_review"] == 1
    assert data["totals"]["units_met"] == 2 and data["below_quota"] == []
    assert [d["id"] for d in data["drafts"]] == ["qy-a", "ah-c", "qy-d"]
    assert data["drafts"][0]["submitted"] == "2026-03-01T00:30:00+08:00"
    assert data["by_kind"] == {"original": 3, "interview": 0, "forward": 0}
    assert data["by_category"]["党务政务宣传"] == 3
    assert data["year_grid"]["qingyang"][:4] == [0, 1, 2, 0]
    assert data["year_grid"]["anhai"][:4] == [0, 0, 1, 0]


def test_html_to_file(history: Bureau, tmp_path: Path) -> None:
    target = tmp_path / "march.html"
    result = run(history, "report", "--month", "2026-03", "--format", "html", "-o", str(target))
    assert result.exit_code == 0 and f"已写入 {target}" in result.stderr
    html = target.read_text("utf-8")
    assert html.count("<svg") == 2 and "https://" not in html and "<script" not in html
    assert "<title>青阳司法所 3月：2</title>" in html
    assert "<title>青阳司法所 2月：1</title>" in html


def test_pending_and_reminders(history: Bureau) -> None:
    result = run(history, "report", "--pending", "--format", "json")
    assert result.exit_code == 0, result.output
    items = {i["id"]: i for i in json.loads(result.stdout)["items"]}
    assert set(items) == {"qy-b", "ah-c", "qy-d"}
    assert items["qy-b"]["stage"] == "secrecy_office"
    assert items["qy-b"]["waiting_for_names"] == ["许明（保密办）", "郑敏（保密办）"]
    assert items["ah-c"]["stage"] == "unit_head"
    assert items["ah-c"]["waiting_for_names"] == ["吴涛（安海所长）"]
    assert items["ah-c"]["since"].startswith("2026-04-02T10:00")
    assert items["qy-d"]["step"] == "待发布" and items["qy-d"]["waiting_for"] == ["operator"]

    table = run(history, "report", "--pending").stdout
    assert "共 3 篇稿件在等待" in table and "许明（保密办）、郑敏（保密办）" in table

    april = run(history, "report", "--reminders", "--month", "2026-04", "--format", "json")
    assert [u["unit"] for u in json.loads(april.stdout)["units"]] == ["qingyang", "anhai"]
    march = run(history, "report", "--reminders", "--month", "2026-03", "--format", "markdown")
    assert "每个单位都已报送" in march.stdout
    feb = run(history, "report", "--reminders", "--month", "2026-02")
    assert "安海司法所" in feb.stdout and "黄海（安海信息员）" in feb.stdout
    assert "青阳司法所" not in feb.stdout


def test_stats_import_then_year(history: Bureau, tmp_path: Path) -> None:
    export = tmp_path / "微信统计.csv"
    export.write_bytes(
        "文章标题,发表时间,阅读次数,内容链接\r\n"
        "青阳所开展普法讲座,2026-03-05,1500,https://mp.weixin.qq.com/s/qy-a-token\r\n"
        "别人的文章,2026-03-06,9,\r\n".encode("gbk")
    )
    first = run(history, "stats", "import", str(export))
    assert first.exit_code == 0, first.output
    assert "已匹配 1 行" in first.stdout and "第 3 行《别人的文章》" in first.stdout
    data_file = history.root / "data" / "wechat-stats.json"
    content = data_file.read_bytes()
    assert json.loads(content)["drafts"]["qy-a"]["reads"] == 1500
    assert history.git("status", "--porcelain") == "?? data/"  # no draft was touched

    second = run(history, "stats", "import", str(export))
    assert second.exit_code == 0 and "没有变化" in second.stdout
    assert data_file.read_bytes() == content

    year = run(history, "report", "--year", "2026", "--format", "json")
    assert year.exit_code == 0, year.output
    units = json.loads(year.stdout)["units"]
    assert [(u["rank"], u["unit"]) for u in units] == [(1, "qingyang"), (2, "anhai")]
    assert units[0]["published"][2] == 1 and units[0]["reads"][2] == 1500
    assert json.loads(year.stdout)["missing_reads"] == 0
    md = run(history, "report", "--year", "2026", "--format", "markdown").stdout
    assert "| 1 | 青阳司法所 | 0 | 0 | 1 |" in md and "| 1500 |" in md


def test_stats_import_xlsx(history: Bureau, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["标题", "群发时间", "阅读人数", "URL"])
    sheet.append(["青阳所开展普法讲座", "2026-03-05", 321, None])
    book.save(tmp_path / "stats.xlsx")
    result = run(history, "stats", "import", str(tmp_path / "stats.xlsx"))
    assert result.exit_code == 0, result.output
    data = json.loads((history.root / "data" / "wechat-stats.json").read_text("utf-8"))
    assert data["drafts"]["qy-a"] == {
        "matched_by": "title_date",
        "published": "2026-03-05",
        "reads": 321,
        "title": "青阳所开展普法讲座",
        "url": None,
    }


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--month", "2026-13"], 2, "月份 '2026-13' 无效"),
        (["--month", "abc"], 2, "应为 YYYY-MM 格式"),
        (["--year", "26"], 2, "年份 '26' 无效"),
        (["--month", "2026-03", "--year", "2026"], 2, "只能选一个"),
        (["--pending", "--format", "pdf"], 2, "不支持的输出格式 'pdf'"),
    ],
)
def test_bad_report_arguments(bureau: Bureau, args: list[str], code: int, message: str) -> None:
    result = run(bureau, "report", *args)
    assert result.exit_code == code
    assert message in result.stderr and result.stderr.startswith("错误：")
    assert result.stdout == ""


def test_stats_import_errors(bureau: Bureau, tmp_path: Path) -> None:
    missing = run(bureau, "stats", "import", str(tmp_path / "none.csv"))
    assert missing.exit_code == 2 and "找不到统计文件" in missing.stderr
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["名称", "数量"])
    book.save(tmp_path / "bad.xlsx")
    bad = run(bureau, "stats", "import", str(tmp_path / "bad.xlsx"))
    assert bad.exit_code == 3 and "找不到表头" in bad.stderr and "bad.xlsx" in bad.stderr
    assert not (bureau.root / "data").exists()


def test_outside_a_repository(tmp_path: Path) -> None:
    _ensure_registered()
    from typer.testing import CliRunner

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(app, ["report", "--month", "2026-03"])
    finally:
        os.chdir(old)
    assert result.exit_code == 2 and result.stderr.startswith("错误：")
