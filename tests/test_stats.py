"""Importing the WeChat statistics export: CSV in three encodings, XLSX, matching, idempotence."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from fzjj.errors import DataError, ExitCode, UsageError
from fzjj.model import Action, Phase
from fzjj.stats import (
    DATA_FILE,
    import_stats,
    load_reads,
    normalize_url,
    read_export,
)
from test_report import bj, rec, scenario, shipped_policy, state

HEADER = ["文章标题", "发表时间", "阅读次数", "阅读人数", "分享次数", "内容链接"]
ROWS = [
    # matched by URL (extra tracking parameters and a fragment are ignored)
    ["随便写的标题", "2026-03-02", "1,234", "900", "5", "https://mp.weixin.qq.com/s/late#rd"],
    # matched by title and date: published 01:00 on 3 April Beijing time (2 April in UTC)
    ["标题xy-cross", "2026/4/3", "300", "250", "1", ""],
    # unmatched: same title, wrong day
    ["标题xy-cross", "2026-04-02", "10", "9", "0", ""],
    # unmatched: nothing like it
    ["不存在的文章", "2026-03-09", "8", "8", "0", "https://mp.weixin.qq.com/s/other"],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str, header: list[str] = HEADER) -> Path:
    lines = [",".join(header), *(",".join(f'"{c}"' for c in row) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["图文分析", "2026-03-01 至 2026-04-30"])  # a preamble line, as exports have
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_import_the_same(tmp_path: Path, encoding: str) -> None:
    export = write_csv(tmp_path / "export.csv", ROWS, encoding)
    data_file = tmp_path / DATA_FILE
    result = import_stats(export, scenario(), shipped_policy(), data_file)

    assert [(m.draft_id, m.matched_by, m.row.reads) for m in result.matched] == [
        ("qy-feb-late", "url", 1234),
        ("xy-cross", "title_date", 300),
    ]
    assert [(u.row.line, u.row.title) for u in result.unmatched] == [
        (4, "标题xy-cross"),
        (5, "不存在的文章"),
    ]
    assert "同标题、同日" in result.unmatched[0].reason
    assert result.changed and result.updated == 2
    assert load_reads(data_file) == {"qy-feb-late": 1234, "xy-cross": 300}


def test_import_twice_changes_nothing_and_json_is_deterministic(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "export.csv", ROWS, "utf-8-sig")
    data_file = tmp_path / "data" / "wechat-stats.json"
    import_stats(export, scenario(), shipped_policy(), data_file)
    first = data_file.read_bytes()
    again = import_stats(export, scenario(), shipped_policy(), data_file)
    assert not again.changed and again.updated == 0
    assert data_file.read_bytes() == first
    data = json.loads(first)
    assert data["version"] == 1
    assert list(data["drafts"]) == sorted(data["drafts"])
    assert data["drafts"]["xy-cross"] == {
        "matched_by": "title_date",
        "published": "2026-04-03",
        "reads": 300,
        "title": "标题xy-cross",
        "url": None,
    }
    assert first.endswith(b"}\n") and "标题".encode() in first  # not \\u-escaped
    # only the data file was written: no drafts, no stray temporary file
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "export.csv",
        "wechat-stats.json",
    ]


def test_later_export_updates_and_keeps_others(tmp_path: Path) -> None:
    data_file = tmp_path / DATA_FILE
    import_stats(
        write_csv(tmp_path / "a.csv", ROWS, "utf-8"), scenario(), shipped_policy(), data_file
    )
    newer = [["x", "2026-03-02", "2000", "1", "0", "https://mp.weixin.qq.com/s/late"]]
    result = import_stats(
        write_csv(tmp_path / "b.csv", newer, "utf-8"), scenario(), shipped_policy(), data_file
    )
    assert result.changed and result.matched[0].previous == 1234
    assert load_reads(data_file) == {"qy-feb-late": 2000, "xy-cross": 300}


def test_xlsx_with_preamble_dates_and_synonyms(tmp_path: Path) -> None:
    header = ["标题", "群发时间", "阅读人数", "URL"]
    rows: list[list[object]] = [
        ["标题qy-feb-late", datetime(2026, 3, 2, 10, 0), 77, None],
        ["whatever", "2026年4月3日", 5, "http://mp.weixin.qq.com/s/cross?scene=126"],
        ["合计", None, 82, None],
        ["没有阅读数", "2026-03-02", None, None],
        ["标题qy-midnight", 46082, 12, None],  # an Excel serial day: 2026-03-01
    ]
    export = write_xlsx(tmp_path / "stats.xlsx", header, rows)
    parsed = read_export(export)
    assert [r.line for r in parsed] == [4, 5, 7, 8]  # header on row 3; the total row skipped
    assert parsed[3].published is not None and parsed[3].published.isoformat() == "2026-03-01"
    data_file = tmp_path / DATA_FILE
    result = import_stats(export, scenario(), shipped_policy(), data_file)
    assert {(m.draft_id, m.matched_by) for m in result.matched} == {
        ("qy-feb-late", "title_date"),
        ("xy-cross", "url"),
    }
    assert [u.reason for u in result.unmatched] == ["没有阅读数", "没有找到同标题、同日发布的稿件"]
    assert load_reads(data_file) == {"qy-feb-late": 77, "xy-cross": 5}


def test_views_are_preferred_to_readers(tmp_path: Path) -> None:
    rows = read_export(write_csv(tmp_path / "e.csv", ROWS[:1], "utf-8"))
    assert rows[0].reads == 1234  # 阅读次数, not 阅读人数 (900)


def test_tab_separated_and_wan(tmp_path: Path) -> None:
    text = "内容标题\t发布时间\t阅读量\n标题qy-feb-late\t2026-03-02 10:00\t1.2万+\n"
    export = tmp_path / "e.txt"
    export.write_text(text, "utf-8")
    rows = read_export(export)
    assert rows[0].reads == 12000 and rows[0].published is not None


def test_xlsx_wrong_headers(tmp_path: Path) -> None:
    export = write_xlsx(tmp_path / "bad.xlsx", ["名称", "时间", "数量"], [["a", "b", 1]])
    with pytest.raises(DataError) as err:
        import_stats(export, scenario(), shipped_policy(), tmp_path / DATA_FILE)
    assert err.value.exit_code is ExitCode.INVALID_INPUT
    assert "找不到表头" in err.value.message and "文章标题" in err.value.message
    assert "阅读次数" in (err.value.hint or "")
    assert not (tmp_path / DATA_FILE).exists()


def test_broken_and_old_excel_files(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match="无法读取 Excel"):
        read_export(fake)
    plain = tmp_path / "plain.xlsx"
    plain.write_text("文章标题,阅读次数\n", "utf-8")
    with pytest.raises(DataError, match="不是 Excel 工作簿"):
        read_export(plain)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(DataError, match="旧版 Excel"):
        read_export(old)


def test_missing_file_and_undecodable_bytes(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="找不到统计文件") as err:
        read_export(tmp_path / "nope.csv")
    assert err.value.exit_code is ExitCode.CANNOT_RUN
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\xff\xfe\x80\x80\xff")
    with pytest.raises(DataError, match="无法识别文件编码"):
        read_export(junk)


def test_corrupt_data_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    data_file = tmp_path / DATA_FILE
    data_file.parent.mkdir()
    data_file.write_text("{not json", "utf-8")
    export = write_csv(tmp_path / "e.csv", ROWS, "utf-8")
    with pytest.raises(DataError, match="不是有效的 JSON"):
        import_stats(export, scenario(), shipped_policy(), data_file)
    assert data_file.read_text("utf-8") == "{not json"
    data_file.write_text('{"drafts": {"a": {"reads": -1}}}', "utf-8")
    with pytest.raises(DataError, match="格式不对"):
        load_reads(data_file)
    assert load_reads(tmp_path / "absent.json") == {}


def test_same_title_same_day_is_ambiguous(tmp_path: Path) -> None:
    policy = shipped_policy()
    twins = [
        state(
            draft_id,
            unit,
            Phase.PUBLISHED,
            [
                rec(Action.SUBMIT, draft_id, bj(2026, 5, 1, 9)),
                rec(Action.PUBLISH, draft_id, bj(2026, 5, 6, 9)),
            ],
        )
        for draft_id, unit in (("twin-a", "anhai"), ("twin-b", "cizao"))
    ]
    twins = [replace(s, title="同名") for s in twins]
    export = write_csv(tmp_path / "e.csv", [["同名", "2026-05-06", "3", "3", "0", ""]], "utf-8")
    result = import_stats(export, twins, policy, tmp_path / DATA_FILE)
    assert result.matched == () and "2 篇同名稿件" in result.unmatched[0].reason
    assert not result.changed and not (tmp_path / DATA_FILE).exists()


def test_normalize_url() -> None:
    long = (
        "https://MP.weixin.qq.com/s?__biz=MzA5&mid=2650&idx=1&sn=abc"
        "&chksm=zzz&scene=21#wechat_redirect"
    )
    assert normalize_url(long) == "https://mp.weixin.qq.com/s?__biz=MzA5&idx=1&mid=2650&sn=abc"
    assert normalize_url("http://mp.weixin.qq.com/s/tok/") == "https://mp.weixin.qq.com/s/tok"
    assert normalize_url("https://mp.weixin.qq.com/s/a") != normalize_url(
        "https://mp.weixin.qq.com/s/b"
    )


BAD_INPUTS = [
    ("empty.csv", b"", "统计文件是空的"),
    ("bom-only.csv", b"\xef\xbb\xbf\r\n", "统计文件是空的"),
    ("header-only.csv", "文章标题,发表时间,阅读次数\r\n".encode(), "只有表头，没有文章数据行"),
    ("columns.csv", "名称,日期,数量\r\na,2026-03-02,1\r\n".encode("gbk"), "找不到表头"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是 CSV 文本文件"),
    (
        "month13.csv",
        "文章标题,发表时间,阅读次数\r\n标题xy-cross,2026-13-45,3\r\n".encode("gbk"),
        "第 2 行“发表时间”列的值 '2026-13-45' 不是日期",
    ),
    (
        "words.csv",
        "文章标题,发表时间,阅读次数\r\n标题xy-cross,昨天,3\r\n".encode(),
        "第 2 行“发表时间”列的值 '昨天' 不是日期",
    ),
    (
        "reads.csv",
        "文章标题,发表时间,阅读次数\r\n标题xy-cross,2026-04-03,很多\r\n".encode(),
        "第 2 行“阅读次数”列的值 '很多' 不是非负整数",
    ),
    ("huge-field.csv", b'"' + b"x" * 200_000 + b'"\r\n', "不是有效的 CSV 文件"),
    (
        "negative.csv",
        "文章标题,发表时间,阅读次数\r\n标题xy-cross,2026-04-03,-5\r\n".encode("gb18030"),
        "第 2 行“阅读次数”列的值 '-5' 不是非负整数",
    ),
    (
        "no-reads.csv",
        "文章标题,发表时间,分享次数\r\n标题xy-cross,2026-04-03,5\r\n".encode(),
        "第 1 行像是表头，但缺少“阅读次数”（或“阅读人数”）列",
    ),
    (
        "no-title.csv",
        "图文分析\r\n\r\n发表时间,阅读次数,内容链接\r\n2026-04-03,5,\r\n".encode("gbk"),
        "第 3 行像是表头，但缺少“文章标题”列",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_INPUTS)
def test_bad_input_is_refused_and_data_file_kept(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    data_file = tmp_path / DATA_FILE
    import_stats(
        write_csv(tmp_path / "ok.csv", ROWS, "utf-8"), scenario(), shipped_policy(), data_file
    )
    before = data_file.read_bytes()
    bad = tmp_path / name
    bad.write_bytes(data)
    with pytest.raises(DataError) as err:
        import_stats(bad, scenario(), shipped_policy(), data_file)
    assert message in err.value.render() and err.value.path == str(bad)
    assert err.value.exit_code is ExitCode.INVALID_INPUT and err.value.hint
    assert data_file.read_bytes() == before
    assert sorted(p.name for p in data_file.parent.iterdir()) == ["wechat-stats.json"]


def test_utf16_tab_separated_export(tmp_path: Path) -> None:
    """Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated."""
    text = "文章标题\t发表时间\t阅读次数\r\n标题xy-cross\t2026-04-03 01:00\t4321\r\n"
    export = tmp_path / "unicode.txt"
    export.write_bytes(text.encode("utf-16"))
    result = import_stats(export, scenario(), shipped_policy(), tmp_path / DATA_FILE)
    assert [(m.draft_id, m.row.reads) for m in result.matched] == [("xy-cross", 4321)]
