"""`fzjj report` and `fzjj stats import` through the real `fzjj` app, on the signed history
of `report_history.build_history` (January to April 2026; see that module)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import PEOPLE, Bureau
from fzjj.cli.main import app
from report_history import build_history, copy_bureau, new_bureau, run, sheets


@pytest.fixture(scope="module")
def history_template(tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, Path]) -> Bureau:
    return build_history(new_bureau(tmp_path_factory.mktemp("history"), keyring))


@pytest.fixture
def history(history_template: Bureau, tmp_path: Path) -> Bureau:
    return copy_bureau(history_template, tmp_path)


UNIT_HEADERS = ["单位", "报送", "审核中", "已审批", "已退回", "已发布"]
UNIT_HEADERS += ["本月发布", "计入定额", "定额", "达标"]
ZERO = ["0"] * 7  # 报送 … 计入定额
CATEGORIES = [
    "信息主动公开",
    "党务政务宣传",
    "便民信息",
    "澄清回应",
    "其他公开信息",
    "转发上级信息",
]


def months() -> dict[str, dict[str, list[list[str]]]]:
    """Every table of each month's report, as text cells (footer rows last)."""

    def units(qy: list[str], ah: list[str], total: list[str]) -> list[list[str]]:
        return [["青阳司法所", *qy], ["安海司法所", *ah], ["合计", *total]]

    def cats(**counts: int) -> list[list[str]]:
        return [[c, str(counts.get(c, 0))] for c in CATEGORIES]

    def kinds(original: int, interview: int) -> list[list[str]]:
        return [["原创", str(original)], ["采访", str(interview)], ["转发", "0"]]

    return {
        "2026-01": {
            "各单位报送情况": units(
                [*ZERO, "1", "未达标"],
                ["1", "0", "0", "1", "0", "0", "1", "1", "是"],
                ["1", "0", "0", "1", "0", "0", "1", "2", "1/2 达标"],
            ),
            "按栏目": cats(党务政务宣传=1),
            "按类型": kinds(1, 0),
            "本月报送的稿件": [
                [
                    "ah-g",
                    "安海所元旦普法",
                    "安海司法所",
                    "原创",
                    "党务政务宣传",
                    "2026-01-20 09:00",
                    "已退回",
                ]
            ],
        },
        "2026-02": {
            "各单位报送情况": units(
                ["1", "1", "0", "0", "0", "0", "1", "1", "是"],
                [*ZERO, "1", "未达标"],
                ["1", "1", "0", "0", "0", "0", "1", "2", "1/2 达标"],
            ),
            "按栏目": cats(党务政务宣传=1),
            "按类型": kinds(1, 0),
            "本月报送的稿件": [
                [
                    "qy-b",
                    "青阳所调解纠纷一起",
                    "青阳司法所",
                    "原创",
                    "党务政务宣传",
                    "2026-02-28 23:50",
                    "审核中",
                ]
            ],
        },
        "2026-03": {
            "各单位报送情况": units(
                ["3", "1", "1", "0", "1", "1", "3", "1", "是"],
                ["2", "2", "0", "0", "0", "0", "2", "1", "是"],
                ["5", "3", "1", "0", "1", "1", "5", "2", "2/2 达标"],
            ),
            "按栏目": cats(党务政务宣传=4, 便民信息=1),
            "按类型": kinds(4, 1),
            "本月报送的稿件": [
                [
                    "qy-a",
                    "青阳所开展普法讲座",
                    "青阳司法所",
                    "原创",
                    "党务政务宣传",
                    "2026-03-01 00:30",
                    "已发布",
                ],
                [
                    "ah-c",
                    "安海所社区矫正工作",
                    "安海司法所",
                    "原创",
                    "党务政务宣传",
                    "2026-03-10 10:00",
                    "审核中",
                ],
                [
                    "op-e",
                    "青阳所法律服务进企业",
                    "青阳司法所",
                    "采访",
                    "便民信息",
                    "2026-03-15 10:00",
                    "审核中",
                ],
                [
                    "qy-d",
                    "青阳所法律援助",
                    "青阳司法所",
                    "原创",
                    "党务政务宣传",
                    "2026-03-30 18:00",
                    "已审批",
                ],
                [
                    "ah-f",
                    "安海所月末报送",
                    "安海司法所",
                    "原创",
                    "党务政务宣传",
                    "2026-03-31 23:00",
                    "审核中",
                ],
            ],
        },
        "2026-04": {
            "各单位报送情况": units(
                [*ZERO, "1", "未达标"], [*ZERO, "1", "未达标"], [*ZERO, "2", "0/2 达标"]
            ),
            "按栏目": cats(),
            "按类型": kinds(0, 0),
            "本月报送的稿件": [],
        },
    }


TITLES = ["各单位报送情况", "按栏目", "按类型", "本月报送的稿件"]


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
def test_monthly_report_every_figure_every_format(history: Bureau, fmt: str) -> None:
    for month, expected in months().items():
        result = run(history, "report", "--month", month, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert sheets(fmt, result, TITLES) == expected, (fmt, month)


def test_below_quota_stands_out_in_every_format(history: Bureau) -> None:
    args = ("report", "--month", "2026-02", "--format")
    md = run(history, *args, "markdown").stdout
    assert "| **安海司法所** | **0** |" in md and "| 青阳司法所 | 1 |" in md
    html = run(history, *args, "html").stdout
    assert '<tr class="below"><td>安海司法所</td>' in html
    assert '<tr class="below"><td>青阳司法所</td>' not in html
    assert "未达标单位 1 个" in run(history, *args, "table").stdout
    data = json.loads(run(history, *args, "json").stdout)
    assert data["below_quota"] == ["anhai"]
    assert [u["quota_met"] for u in data["units"]] == [True, False]


def test_terminal_table_marks_below_quota_in_red(history: Bureau) -> None:
    from rich.console import Console

    from fzjj.cli.report_run import print_month
    from fzjj.service import open_workspace

    console = Console(record=True, force_terminal=True, color_system="standard", width=200)
    report = print_month(open_workspace(history.root), 2026, 1, console)
    assert report.below_quota == ["qingyang"]
    lines = console.export_text(styles=True).splitlines()
    qy = next(line for line in lines if "青阳司法所" in line and "未达标" in line)
    ah = next(line for line in lines if "安海司法所" in line and "│" in line)
    assert "\x1b[1;31m" in qy and "\x1b[1;31m" not in ah


JSON_FIELDS = ["submitted", "in_review", "approved", "rejected", "published"]
JSON_FIELDS += ["published_in_month", "quota_count", "quota_target"]


def test_monthly_report_json_every_figure(history: Bureau) -> None:
    for month, expected in months().items():
        result = run(history, "report", "--month", month, "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["report"] == "month" and data["month"] == month
        assert data["quota"] == {
            "per_month": 1,
            "basis": "submitted",
            "kinds": ["original", "interview"],
        }
        table = [
            [u["name"], *(str(u[f]) for f in JSON_FIELDS), "是" if u["quota_met"] else "未达标"]
            for u in data["units"]
        ]
        totals = data["totals"]
        table.append(
            ["合计", *(str(totals[f]) for f in JSON_FIELDS), f"{totals['units_met']}/2 达标"]
        )
        assert table == expected["各单位报送情况"], month
        assert [[k, str(v)] for k, v in data["by_category"].items()] == expected["按栏目"]
        kinds = {"original": "原创", "interview": "采访", "forward": "转发"}
        assert [[kinds[k], str(v)] for k, v in data["by_kind"].items()] == expected["按类型"]
        phases = {
            "in_review": "审核中",
            "approved": "已审批",
            "rejected": "已退回",
            "published": "已发布",
        }
        drafts = [
            [d["id"], d["title"], d["submitted"][:16].replace("T", " "), phases[d["phase"]]]
            for d in data["drafts"]
        ]
        assert drafts == [[r[0], r[1], r[5], r[6]] for r in expected["本月报送的稿件"]]
        assert data["year_grid"] == {
            "qingyang": [0, 1, 3, *[0] * 9],
            "anhai": [1, 0, 2, *[0] * 9],
        }
    march = json.loads(run(history, "report", "--month", "2026-03", "-f", "json").stdout)
    first = march["drafts"][0]
    assert first["submitted"] == "2026-03-01T00:30:00+08:00"
    assert first["published"] == "2026-03-05T20:00:00+08:00"
    assert march["drafts"][-1]["submitted"] == "2026-03-31T23:00:00+08:00"


def test_html_is_one_page_with_both_charts(history: Bureau, tmp_path: Path) -> None:
    target = tmp_path / "march.html"
    result = run(history, "report", "--month", "2026-03", "--format", "html", "-o", str(target))
    assert result.exit_code == 0 and f"已写入 {target}" in result.stderr
    html = target.read_text("utf-8")
    assert html.count("<svg") == 2 and "<script" not in html
    assert not re.search(r"""(src|href)=|url\(|@import|https?://""", html)
    grid = {
        "青阳司法所": [0, 1, 3, *[0] * 9],
        "安海司法所": [1, 0, 2, *[0] * 9],
    }
    for unit, counts in grid.items():
        for month, count in enumerate(counts, start=1):
            assert f"<title>{unit} {month}月：{count}</title>" in html
    assert "2026年各单位每月报送（条）" in html and 'stroke="#cf222e"' in html
    pipeline = {
        "报送": 5,
        "审核中": 3,
        "已审批": 1,
        "已退回": 0,
        "已发布": 1,
        "本月发布（全部）": 1,
    }
    for label, value in pipeline.items():
        assert f"<title>{label}：{value}</title>" in html


def test_pending_and_reminders(history: Bureau) -> None:
    result = run(history, "report", "--pending", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)["items"]
    assert [i["id"] for i in listed] == ["ah-g", "qy-b", "op-e", "ah-f", "qy-d", "ah-c"]
    items = {i["id"]: i for i in listed}
    assert items["ah-g"]["step"] == "待修改后重新报送" and items["ah-g"]["waiting_for"] == [
        "ah_info"
    ]
    assert items["ah-g"]["since"] == "2026-01-21T09:00:00+08:00"
    assert items["qy-b"]["stage"] == "secrecy_office"
    assert items["qy-b"]["waiting_for_names"] == ["许明（保密办）", "郑敏（保密办）"]
    assert items["qy-b"]["since"] == "2026-03-01T08:00:00+08:00"
    assert items["ah-c"]["stage"] == "unit_head"
    assert items["ah-c"]["waiting_for_names"] == ["吴涛（安海所长）"]
    assert items["ah-c"]["since"] == "2026-04-02T10:00:00+08:00"
    assert items["op-e"]["waiting_for"] == ["qy_head"]
    assert items["ah-f"]["step"] == "涉密审查"
    assert items["qy-d"]["step"] == "待发布" and items["qy-d"]["waiting_for"] == ["operator"]
    assert items["qy-d"]["since"] == "2026-04-01T13:00:00+08:00"

    table = run(history, "report", "--pending").stdout
    assert "共 6 篇稿件在等待" in table and "许明（保密办）、郑敏（保密办）" in table

    april = run(history, "report", "--reminders", "--month", "2026-04", "--format", "json")
    assert [u["unit"] for u in json.loads(april.stdout)["units"]] == ["qingyang", "anhai"]
    march = run(history, "report", "--reminders", "--month", "2026-03", "--format", "markdown")
    assert "每个单位都已报送" in march.stdout
    feb = run(history, "report", "--reminders", "--month", "2026-02")
    assert "安海司法所" in feb.stdout and "黄海（安海信息员）" in feb.stdout
    assert "青阳司法所" not in feb.stdout
    jan = run(history, "report", "--reminders", "--month", "2026-01", "--format", "csv")
    rows = list(csv.reader(io.StringIO(jan.stdout_bytes.decode("utf-8-sig"))))
    assert rows == [
        ["2026年1月 报送提醒"],
        ["1 个单位在 2026年1月 尚未报送计入定额的稿件。"],
        [],
        ["本月尚未报送的单位"],
        ["单位", "信息员"],
        ["青阳司法所", "林青（青阳信息员）"],
    ]


def test_queue_agrees_with_pending(history: Bureau) -> None:
    """`fzjj queue` as each person lists exactly the pending drafts that wait for them."""
    items = json.loads(run(history, "report", "--pending", "-f", "json").stdout)["items"]
    seen = 0
    for person in PEOPLE:
        code, out = history.act(person, "queue", "--json")
        assert code == 0, out
        mine = [s["id"] for s in json.loads(out)]
        expected = [i["id"] for i in items if person in i["waiting_for"]]
        assert sorted(mine) == sorted(expected), person
        seen += len(mine)
    assert seen == sum(len(i["waiting_for"]) for i in items) == 8


def test_installed_command_prints_the_month(history: Bureau) -> None:
    fzjj = Path(sys.executable).with_name("fzjj")
    proc = subprocess.run(
        [str(fzjj), "report", "--month", "2026-03", "--format", "csv"],
        cwd=history.root,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    rows = list(csv.reader(io.StringIO(proc.stdout.decode("utf-8-sig"))))
    start = rows.index(["各单位报送情况"])
    assert rows[start + 1] == UNIT_HEADERS
    assert rows[start + 2 : start + 5] == months()["2026-03"]["各单位报送情况"]
    bad = subprocess.run(
        [str(fzjj), "report", "--month", "2026-00"],
        cwd=history.root,
        capture_output=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.decode().startswith("错误：")


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
        (["--month", "2026-00"], 2, "月份 '2026-00' 无效"),
        (["--month", "abc"], 2, "应为 YYYY-MM 格式"),
        (["--month", "2026/03"], 2, "应为 YYYY-MM 格式"),
        (["--month", "0000-03"], 2, "月份 '0000-03' 无效"),
        (["--year", "26"], 2, "年份 '26' 无效"),
        (["--year", "0000"], 2, "年份 '0000' 无效"),
        (["--month", "2026-03", "--year", "2026"], 2, "只能选一个"),
        (["--pending", "--month", "2026-03"], 2, "只能选一个"),
        (["--pending", "--year", "2026"], 2, "只能选一个"),
        (["--reminders", "--year", "2026"], 2, "只能选一个"),
        (["--reminders", "--pending"], 2, "只能选一个"),
        (["--pending", "--format", "pdf"], 2, "不支持的输出格式 'pdf'"),
        (["--format", "JSON"], 2, "不支持的输出格式 'JSON'"),
    ],
)
def test_bad_report_arguments(bureau: Bureau, args: list[str], code: int, message: str) -> None:
    result = run(bureau, "report", *args)
    assert result.exit_code == code
    assert message in result.stderr and result.stderr.startswith("错误：")
    assert result.stdout == ""


def test_output_file_that_cannot_be_written(history: Bureau, tmp_path: Path) -> None:
    result = run(history, "report", "--month", "2026-03", "-o", str(tmp_path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"错误：{tmp_path} 字段 --output：无法写入文件：目标是一个目录")
    assert "换一个可写的输出位置" in result.stderr  # what to do


def test_default_month_is_today_in_the_policy_timezone(history: Bureau) -> None:
    """Without --month, the report and the reminders are for this month in Beijing time."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    def now() -> str:
        today = datetime.now(ZoneInfo("Asia/Shanghai"))
        return f"{today.year}-{today.month:02d}"

    before = now()
    report = json.loads(run(history, "report", "--format", "json").stdout)
    reminders = json.loads(run(history, "report", "--reminders", "--format", "json").stdout)
    after = now()  # the same unless the test ran across midnight at a month's end
    assert report["month"] in (before, after) and reminders["month"] in (before, after)
    explicit = json.loads(run(history, "report", "--month", report["month"], "-f", "json").stdout)
    assert explicit == report


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


def test_stats_import_bad_files_leave_the_data_file(history: Bureau, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(
        "文章标题,发表时间,阅读次数\r\n青阳所开展普法讲座,2026-03-05,88\r\n".encode("gbk")
    )
    assert run(history, "stats", "import", str(good)).exit_code == 0
    data_file = history.root / "data" / "wechat-stats.json"
    before = data_file.read_bytes()
    cases = {
        "empty.csv": (b"", "统计文件是空的"),
        "date.csv": (
            "文章标题,发表时间,阅读次数\r\n青阳所开展普法讲座,2026年13月5日,99\r\n".encode("gbk"),
            "第 2 行“发表时间”列的值 '2026年13月5日' 不是日期",
        ),
        "columns.csv": ("题目,次数\r\n青阳所开展普法讲座,99\r\n".encode(), "找不到表头"),
        "binary.csv": (b"\x00\x01\x02PK", "不是 CSV 文本文件"),
        "negative.csv": (
            "文章标题,发表时间,阅读次数\r\n青阳所开展普法讲座,2026-03-05,-5\r\n".encode("gb18030"),
            "第 2 行“阅读次数”列的值 '-5' 不是非负整数",
        ),
        "no-reads.csv": (
            "文章标题,发表时间,分享次数\r\n青阳所开展普法讲座,2026-03-05,5\r\n".encode("utf-8-sig"),
            "第 1 行像是表头，但缺少“阅读次数”（或“阅读人数”）列",
        ),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        result = run(history, "stats", "import", str(tmp_path / name))
        assert result.exit_code == 3, (name, result.output)
        assert result.stderr.startswith("错误：") and message in result.stderr, name
        assert name in result.stderr and "提示：" in result.stderr
        assert result.stdout == ""
        assert data_file.read_bytes() == before
    assert json.loads(before)["drafts"]["qy-a"]["reads"] == 88


def test_outside_a_repository(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(app, ["report", "--month", "2026-03"])
    finally:
        os.chdir(old)
    assert result.exit_code == 2 and result.stderr.startswith("错误：")


PENDING = [
    ["ah-g", "安海所元旦普法", "安海司法所", "已退回", "待修改后重新报送", "黄海（安海信息员）"],
    [
        "qy-b",
        "青阳所调解纠纷一起",
        "青阳司法所",
        "审核中",
        "涉密审查",
        "许明（保密办）、郑敏（保密办）",
    ],
    ["op-e", "青阳所法律服务进企业", "青阳司法所", "审核中", "科室负责人审核", "陈岚（青阳所长）"],
    [
        "ah-f",
        "安海所月末报送",
        "安海司法所",
        "审核中",
        "涉密审查",
        "许明（保密办）、郑敏（保密办）",
    ],
    ["qy-d", "青阳所法律援助", "青阳司法所", "已审批", "待发布", "蔡文（法治报社）"],
    ["ah-c", "安海所社区矫正工作", "安海司法所", "审核中", "科室负责人审核", "吴涛（安海所长）"],
]
SINCE = ["2026-01-21 09:00", "2026-03-01 08:00", "2026-03-15 10:00", "2026-03-31 23:00"]
SINCE += ["2026-04-01 13:00", "2026-04-02 10:00"]


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
def test_pending_and_reminders_every_format(history: Bureau, fmt: str) -> None:
    result = run(history, "report", "--pending", "--format", fmt)
    assert result.exit_code == 0, result.output
    rows = [[*row, since] for row, since in zip(PENDING, SINCE, strict=True)]
    assert sheets(fmt, result, ["待办"]) == {"待办": rows}
    assert "共 6 篇稿件在等待。" in result.stdout_bytes.decode("utf-8-sig")

    for month, expected in {
        "2026-01": [["青阳司法所", "林青（青阳信息员）"]],
        "2026-02": [["安海司法所", "黄海（安海信息员）"]],
        "2026-03": [],
        "2026-04": [["青阳司法所", "林青（青阳信息员）"], ["安海司法所", "黄海（安海信息员）"]],
    }.items():
        result = run(history, "report", "--reminders", "--month", month, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert sheets(fmt, result, ["本月尚未报送的单位"]) == {"本月尚未报送的单位": expected}


def test_piped_report_does_not_load_rich(history: Bureau) -> None:
    """Outside a terminal the tables are drawn without rich: its import and layout would be
    most of a cached `fzjj report --month` on a large history."""
    script = (
        "import sys\n"
        "from fzjj.cli.main import app\n"
        "try:\n"
        "    app(['report', '--month', '2026-03'])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=history.root, capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert "青阳司法所" in proc.stdout.decode()
    assert proc.stderr.decode().strip() == "[]"


def entry_point(history: Bureau, *args: str) -> subprocess.CompletedProcess[bytes]:
    """`python -m fzjj …`: the real entry point, which runs `fzjj report` without typer."""
    return subprocess.run(
        [sys.executable, "-m", "fzjj", *args],
        cwd=history.root,
        capture_output=True,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )


def test_fast_parser_knows_every_option_of_the_typer_report_command() -> None:
    import typer.main

    from fzjj.cli.entry import FLAGS, REPORT_OPTIONS

    command = typer.main.get_command(app).commands["report"]  # type: ignore[attr-defined]
    names = {name for p in command.params for name in p.opts}
    assert names == set(REPORT_OPTIONS), names ^ set(REPORT_OPTIONS)
    flags = {name for p in command.params if p.is_flag for name in p.opts}
    assert flags == FLAGS


@pytest.mark.parametrize(
    "args",
    [
        ["--month", "2026-03"],
        ["--month=2026-03", "-f", "csv"],
        ["--month", "2026-02", "--format=markdown", "--month", "2026-03"],
        ["--year", "2026", "--format", "json"],
        ["--pending", "-f", "json"],
        ["--reminders", "--month", "2026-04"],
        ["--month", "2026-13"],
        ["--year", "2026", "--pending"],
        ["--month", "2026-03", "--format", "pdf"],
        ["--month", "2026-03", "-f", "csv", "-o", "report.csv"],
        ["--month", "2026-03", "--output", "content"],
    ],
)
def test_entry_point_and_typer_agree_on_report(history: Bureau, args: list[str]) -> None:
    """`fzjj report` starts without typer (fzjj.cli.entry); it must answer as typer does."""
    proc = entry_point(history, "report", *args)
    typed = run(history, "report", *args)
    assert proc.returncode == typed.exit_code, (proc.stderr.decode(), typed.output)
    assert proc.stdout == typed.stdout_bytes
    assert proc.stderr.decode() == typed.stderr
    if "-o" in args:
        assert (history.root / "report.csv").read_bytes().startswith("\ufeff".encode())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mnth", "2026-03"], "fzjj report 不接受选项 --mnth"),
        (["--month"], "选项 --month 需要一个值"),
        (["--pending=yes"], "选项 --pending 不接受值"),
        (["2026-03"], "fzjj report 不接受参数 '2026-03'"),
    ],
)
def test_entry_point_refuses_a_bad_report_command_line(
    history: Bureau, args: list[str], message: str
) -> None:
    proc = entry_point(history, "report", *args)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.startswith("错误：") and message in err and "fzjj report --help" in err
    assert proc.stdout == b""
