"""Reads from the WeChat platform's statistics export, kept in a data file in the repository.

`import_stats` reads an export (CSV in UTF-8, UTF-8 with BOM or GB18030/GBK, or XLSX),
matches each row to a published draft — by article URL, else by title and publication date
in the policy's timezone — and writes the figures to `data/wechat-stats.json`. Drafts are
never touched, so no digest changes. The data file is deterministic JSON (sorted keys, one
layout), and it is rewritten only when a figure changed, so importing the same file twice
changes nothing. Rows that match no draft are returned, with the reason, for the user.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fzjj.errors import DataError, UsageError
from fzjj.report import publish_record

if TYPE_CHECKING:
    from fzjj.model import DraftState
    from fzjj.policy import Policy

DATA_FILE = "data/wechat-stats.json"
DATA_VERSION = 1
MAX_BYTES = 50_000_000
HEADER_SCAN_ROWS = 20

# Column headers accepted for each field, in order of preference (normalised: no spaces,
# lower case). 阅读次数 (views) is preferred to 阅读人数 (readers) when both are present.
HEADERS: dict[str, tuple[str, ...]] = {
    "title": ("文章标题", "标题", "内容标题", "图文标题", "title"),
    "date": (
        "发表时间",
        "群发时间",
        "发布时间",
        "发送时间",
        "发文时间",
        "日期",
        "date",
        "publishtime",
    ),
    "reads": (
        "阅读次数",
        "阅读量",
        "阅读数",
        "图文阅读次数",
        "总阅读次数",
        "阅读人数",
        "图文阅读人数",
        "总阅读人数",
        "reads",
    ),
    "url": ("内容链接", "文章链接", "原文链接", "链接", "url", "link"),
}

_WECHAT_HOST = "mp.weixin.qq.com"
_WECHAT_KEYS = ("__biz", "mid", "idx", "sn")


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One article row of an export; `line` is the row number in the file (1-based)."""

    line: int
    title: str
    published: date | None
    reads: int | None
    url: str | None


@dataclass(frozen=True, slots=True)
class MatchedRow:
    row: StatsRow
    draft_id: str
    matched_by: str  # "url" or "title_date"
    previous: int | None  # reads stored before this import


@dataclass(frozen=True, slots=True)
class UnmatchedRow:
    row: StatsRow
    reason: str  # Chinese


@dataclass(frozen=True, slots=True)
class ImportResult:
    data_file: Path
    matched: tuple[MatchedRow, ...]
    unmatched: tuple[UnmatchedRow, ...]
    changed: bool  # whether the data file was (re)written

    @property
    def updated(self) -> int:
        return sum(1 for m in self.matched if m.previous != m.row.reads)


# ---- reading the export --------------------------------------------------------------------


def read_export(path: Path) -> list[StatsRow]:
    """Rows of a CSV or XLSX statistics export, wherever its header row sits."""
    data = _read_bytes(path)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise DataError(
            "统计文件是空的",
            path=str(path),
            hint="从公众号后台（数据 → 内容分析）重新导出文章数据后再导入。",
        )
    if data[:4] == b"PK\x03\x04":
        table = _xlsx_rows(data, path)
    elif path.suffix.lower() == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DataError(
            "不支持旧版 Excel（.xls）文件",
            path=str(path),
            hint="在 Excel 或 WPS 中另存为 .xlsx 或 .csv 后再导入。",
        )
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        raise DataError(
            "文件扩展名是 .xlsx，但内容不是 Excel 工作簿",
            path=str(path),
            hint="从公众号后台重新导出，或另存为 .csv 后再导入。",
        )
    else:
        table = _csv_rows(_decode(data, path), path)
    return _rows(table, path)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DataError(
                f"文件过大（{size // 1_000_000} MB），统计导出文件不应超过 50 MB",
                path=str(path),
                hint="按月份分批导出后再分别导入。",
            )
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise UsageError("找不到统计文件", path=str(path), hint="检查文件路径是否正确。") from exc
    except IsADirectoryError as exc:
        raise UsageError("这是一个目录，不是统计文件", path=str(path)) from exc
    except OSError as exc:
        raise UsageError(f"无法读取统计文件：{exc.strerror}", path=str(path)) from exc


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)  # Excel's "Unicode text"
    elif b"\x00" in data[:4096]:
        raise DataError(
            "这不是 CSV 文本文件（含二进制内容）",
            path=str(path),
            hint="请导入公众号后台导出的 .xlsx 或 .csv 文件。",
        )
    elif data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(
        "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030、UTF-16）",
        path=str(path),
        hint="用 Excel 或 WPS 打开后另存为“CSV UTF-8”或 .xlsx 再导入。",
    )


def _csv_rows(text: str, path: Path) -> list[list[Any]]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise DataError(
            f"不是有效的 CSV 文件：{exc}",
            path=str(path),
            hint="用 Excel 或 WPS 打开后另存为 .csv 或 .xlsx 再导入。",
        ) from exc


def _xlsx_rows(data: bytes, path: Path) -> list[list[Any]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DataError(
            "无法读取 Excel 文件（文件损坏或不是 .xlsx 格式）",
            path=str(path),
            hint="从公众号后台重新导出，或另存为 .csv 后再导入。",
        ) from exc
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _norm_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text).lower()


def _header_columns(row: Sequence[Any]) -> dict[str, int]:
    """Which field each recognised header of `row` is, field → column index."""
    names = [_norm_header(cell) for cell in row]
    columns: dict[str, int] = {}
    for field, synonyms in HEADERS.items():
        for synonym in synonyms:
            if synonym in names:
                columns[field] = names.index(synonym)
                break
    return columns


def _find_header(table: Sequence[Sequence[Any]], path: Path) -> tuple[int, dict[str, int]]:
    """The header row (index, columns); a header row missing a required column is an error."""
    partial: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(table[:HEADER_SCAN_ROWS]):
        columns = _header_columns(row)
        if "title" in columns and "reads" in columns:
            return index, columns
        if partial is None and len(columns) >= 2:
            partial = index, columns
    if partial is not None:
        index, columns = partial
        field, missing = (
            ("文章标题", "“文章标题”")
            if "title" not in columns
            else ("阅读次数", "“阅读次数”（或“阅读人数”）")
        )
        raise DataError(
            f"第 {index + 1} 行像是表头，但缺少{missing}列",
            path=str(path),
            line=index + 1,
            field=field,
            hint=_HEADER_HINT,
        )
    raise DataError(
        "找不到表头：至少需要“文章标题”和“阅读次数”（或“阅读人数”）两列",
        path=str(path),
        hint=_HEADER_HINT,
    )


_HEADER_HINT = (
    "可识别的列名：标题列 "
    + "、".join(HEADERS["title"][:4])
    + "；日期列 "
    + "、".join(HEADERS["date"][:5])
    + "；阅读列 "
    + "、".join(HEADERS["reads"][:6])
    + "；链接列 "
    + "、".join(HEADERS["url"][:4])
    + "。详见 docs/reports.md。"
)


def _rows(table: Sequence[Sequence[Any]], path: Path) -> list[StatsRow]:
    header_index, columns = _find_header(table, path)
    header = [_text(c) for c in table[header_index]]
    out: list[StatsRow] = []
    for offset, row in enumerate(table[header_index + 1 :], start=header_index + 2):
        cells = list(row)

        def cell(field: str, cells: list[Any] = cells) -> Any:
            index = columns.get(field)
            return cells[index] if index is not None and index < len(cells) else None

        def bad(field: str, what: str, hint: str, value: Any, line: int = offset) -> DataError:
            return DataError(
                f"第 {line} 行“{header[columns[field]]}”列的值 {_text(value)!r} {what}，文件未导入",
                path=str(path),
                line=line,
                field=header[columns[field]],
                hint=hint,
            )

        title = _text(cell("title"))
        if not title or title in ("合计", "总计"):
            continue
        published = _parse_date(cell("date"))
        if published is None and _text(cell("date")):
            raise bad(
                "date",
                "不是日期",
                "日期应写作 2026-03-05、2026/3/5 或 2026年3月5日。",
                cell("date"),
            )
        reads = _parse_reads(cell("reads"))
        if reads is None and _text(cell("reads")):
            raise bad("reads", "不是非负整数", "阅读数应写作 1234、1,234 或 1.2万。", cell("reads"))
        out.append(
            StatsRow(
                line=offset,
                title=title,
                published=published,
                reads=reads,
                url=_text(cell("url")) or None,
            )
        )
    if not out:
        raise DataError(
            "统计文件只有表头，没有文章数据行",
            path=str(path),
            line=header_index + 1,
            hint="导出时选择包含文章的日期范围后重新导出。",
        )
    return out


def _text(value: Any) -> str:
    return "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]|$)")
_EXCEL_EPOCH = date(1899, 12, 30)


def _parse_date(value: Any) -> date | None:
    """A date cell: a date, an Excel serial day number, or text such as 2026-03-05 20:00."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # an Excel serial day (1 = 1900-01-01) in a cell not formatted as a date
        return _EXCEL_EPOCH + timedelta(days=int(value)) if 20_000 <= value <= 80_000 else None
    match = _DATE.match(_text(value))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _parse_reads(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 and value.is_integer() else None
    text = _text(value).replace(",", "").replace("，", "")
    wan = re.fullmatch(r"(\d+(?:\.\d+)?)万\+?", text)
    if wan:
        return round(float(wan[1]) * 10_000)
    return int(text) if text.isdigit() else None


# ---- matching ------------------------------------------------------------------------------


def normalize_url(url: str) -> str:
    """A comparable form of an article URL: https, no fragment, WeChat's identifying keys only."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    query = parse_qsl(parts.query, keep_blank_values=True)
    if host == _WECHAT_HOST:
        query = sorted((k, v) for k, v in query if k in _WECHAT_KEYS)
    else:
        query = sorted(query)
    path = parts.path.rstrip("/") or "/"
    return f"https://{host}{path}" + (f"?{urlencode(query)}" if query else "")


def _title_key(title: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", title))


@dataclass(frozen=True, slots=True)
class _Published:
    draft_id: str
    title: str
    day: date
    url: str | None


def _published(policy: Policy, states: Iterable[DraftState]) -> list[_Published]:
    out: list[_Published] = []
    for state in states:
        record = publish_record(state)
        if record is None:
            continue
        day = record.when.astimezone(policy.tz).date()
        out.append(_Published(state.draft_id, state.title, day, record.url))
    return out


def match_rows(
    rows: Iterable[StatsRow], policy: Policy, states: Iterable[DraftState]
) -> tuple[list[tuple[StatsRow, str, str]], list[UnmatchedRow]]:
    """Pair rows with published drafts: (row, draft id, how) and the rows left over."""
    drafts = _published(policy, states)
    by_url = {normalize_url(d.url): d.draft_id for d in drafts if d.url}
    by_title: dict[tuple[str, date], list[str]] = {}
    for d in drafts:
        by_title.setdefault((_title_key(d.title), d.day), []).append(d.draft_id)

    matched: list[tuple[StatsRow, str, str]] = []
    unmatched: list[UnmatchedRow] = []
    for row in rows:
        if row.reads is None:
            unmatched.append(UnmatchedRow(row, "没有阅读数"))
            continue
        if row.url and normalize_url(row.url) in by_url:
            matched.append((row, by_url[normalize_url(row.url)], "url"))
            continue
        if row.published is None:
            unmatched.append(UnmatchedRow(row, "链接未匹配，且没有可识别的发表日期"))
            continue
        ids = by_title.get((_title_key(row.title), row.published), [])
        if len(ids) == 1:
            matched.append((row, ids[0], "title_date"))
        elif ids:
            unmatched.append(UnmatchedRow(row, f"同一天有 {len(ids)} 篇同名稿件，无法区分"))
        else:
            unmatched.append(UnmatchedRow(row, "没有找到同标题、同日发布的稿件"))
    return matched, unmatched


# ---- the data file -------------------------------------------------------------------------


def load_stats(data_file: Path) -> dict[str, dict[str, Any]]:
    """The stored entries, draft id → {reads, matched_by, title, published, url}."""
    try:
        text = data_file.read_text("utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError("无法读取阅读数据文件", path=str(data_file)) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"阅读数据文件不是有效的 JSON（第 {exc.lineno} 行）",
            path=str(data_file),
            line=exc.lineno,
            hint="用 git 恢复该文件（git checkout -- 文件名）后重新导入。",
        ) from exc
    drafts = data.get("drafts") if isinstance(data, dict) else None
    if not isinstance(drafts, dict) or not all(
        isinstance(v, dict) and _is_count(v.get("reads")) for v in drafts.values()
    ):
        raise DataError(
            "阅读数据文件格式不对：应有 drafts 映射，每项含非负整数 reads",
            path=str(data_file),
            field="drafts",
            hint="用 git 恢复该文件后重新导入。",
        )
    return drafts


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def load_reads(data_file: Path) -> dict[str, int]:
    """Draft id → reads, from the data file; empty when there is none yet."""
    return {draft_id: int(entry["reads"]) for draft_id, entry in load_stats(data_file).items()}


def dump_stats(entries: dict[str, dict[str, Any]]) -> str:
    data = {"version": DATA_VERSION, "drafts": entries}
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def import_stats(
    path: Path, states: Iterable[DraftState], policy: Policy, data_file: Path
) -> ImportResult:
    """Read an export, match it, and merge the reads into `data_file`.

    A later import replaces a draft's figure (exports carry cumulative reads); when one file
    holds several rows for the same draft, the largest figure is kept.
    """
    rows = read_export(path)
    matched_rows, unmatched = match_rows(rows, policy, list(states))
    entries = load_stats(data_file)
    before = dump_stats(entries)

    best: dict[str, tuple[StatsRow, str]] = {}
    for row, draft_id, how in matched_rows:
        kept = best.get(draft_id)
        if kept is None or (row.reads or 0) > (kept[0].reads or 0):
            best[draft_id] = (row, how)
    matched: list[MatchedRow] = []
    for row, draft_id, how in matched_rows:
        old = entries.get(draft_id, {}).get("reads")
        matched.append(MatchedRow(row, draft_id, how, old))
    for draft_id, (row, how) in best.items():
        entries[draft_id] = {
            "reads": row.reads,
            "matched_by": how,
            "title": row.title,
            "published": row.published.isoformat() if row.published else None,
            "url": row.url,
        }

    after = dump_stats(entries)
    changed = after != before
    if changed:
        _write(data_file, after)
    return ImportResult(data_file, tuple(matched), tuple(unmatched), changed)


def _write(data_file: Path, text: str) -> None:
    try:
        data_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = data_file.with_name(data_file.name + ".tmp")
        tmp.write_text(text, "utf-8", newline="\n")
        tmp.replace(data_file)
    except OSError as exc:
        raise UsageError(f"无法写入阅读数据文件：{exc.strerror}", path=str(data_file)) from exc
