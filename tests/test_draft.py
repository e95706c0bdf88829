"""The front-matter schema: one clear message per mistake, and parse(dump(draft)) == draft."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fzjj.draft import (
    FORWARD_TYPES,
    Emergency,
    FrontMatter,
    LintException,
    Permission,
    Source,
    check_path,
    dump_draft,
    parse_draft,
)
from fzjj.errors import DraftError, ExitCode
from fzjj.model import Kind

PATH = "content/2026/11/qy-01.md"
GOOD = (
    "id: 2026-11-qy-01\ntitle: 青阳普法进社区\nunit: qingyang\nkind: original\ncategory: 便民信息\n"
)


def doc(head: str, body: str = "正文。\n") -> bytes:
    return f"---\n{head}---\n\n{body}".encode()


def refused(data: bytes, path: str = PATH) -> DraftError:
    with pytest.raises(DraftError) as err:
        parse_draft(data, path)
    assert err.value.exit_code is ExitCode.INVALID_INPUT
    assert err.value.path == path and err.value.hint
    return err.value


def test_good_draft_parses_and_digest_covers_the_whole_file() -> None:
    data = doc(GOOD)
    draft = parse_draft(data, PATH)
    assert draft.meta.id == "2026-11-qy-01" and draft.meta.kind is Kind.ORIGINAL
    assert draft.body == "\n正文。\n" and draft.body_line == 8
    other = parse_draft(doc(GOOD.replace("便民信息", "澄清回应")), PATH)
    assert other.digest != draft.digest  # a front-matter edit changes the digest too


def test_unknown_field_lists_the_allowed_ones() -> None:
    err = refused(doc(GOOD + "Title: 重复\n"))
    assert err.field == "Title" and "未知字段" in err.message and err.line == 7
    assert "title" in (err.hint or "") and "category" in (err.hint or "")


def test_unknown_field_inside_source_lists_source_fields() -> None:
    head = GOOD.replace("original", "forward") + (
        "source: {name: 司法部, title: 新规, url: 'https://www.moj.gov.cn/a', kind: x}\n"
    )
    err = refused(doc(head))
    assert err.field == "source.kind"
    assert "permission_required" in (err.hint or "")


def test_wrong_type() -> None:
    err = refused(doc(GOOD.replace("title: 青阳普法进社区", "title: [a, b]")))
    assert err.field == "title" and "应为文本" in err.message and err.line == 3


def test_wrong_kind_says_the_choices() -> None:
    err = refused(doc(GOOD.replace("kind: original", "kind: story")))
    assert err.field == "kind" and "'original'、'interview'、'forward'" in err.message
    assert "original（原创）" in (err.hint or "")


def test_missing_field() -> None:
    err = refused(doc(GOOD.replace("unit: qingyang\n", "")))
    assert err.field == "unit" and "缺少必填字段" in err.message


def test_non_existent_date() -> None:
    head = GOOD + (
        "reuse:\n  - name: 某报\n    title: 原文\n    url: https://example.org/a\n"
        "    permission_required: true\n"
        "    permission: {granted_by: 某报社, date: 2026-02-30, method: 书面授权}\n"
    )
    err = refused(doc(head))
    assert "日期 2026-02-30 不存在" in err.message
    assert err.line == 12  # the file line of the date
    assert "YYYY-MM-DD" in (err.hint or "")


def test_date_as_text_that_is_not_a_date() -> None:
    head = GOOD + (
        "emergency: {coordinated_with: 市委宣传部}\nreuse:\n  - name: 某报\n    title: 原文\n"
        "    url: https://example.org/a\n"
        "    permission: {granted_by: 某报社, date: 下周一, method: 书面授权}\n"
    )
    err = refused(doc(head))
    assert err.field == "reuse[0].permission.date" and "日期" in err.message


def test_key_written_twice() -> None:
    err = refused(doc(GOOD + "unit: anhai\n"))
    assert "'unit' 重复出现" in err.message and err.line == 7
    assert "第 4 行" in err.message


def test_non_utf8_file() -> None:
    err = refused(doc(GOOD).replace("正文".encode(), "正文".encode("gbk")))
    assert "不是 UTF-8 编码" in err.message and "UTF-8" in (err.hint or "")


def test_nul_byte() -> None:
    err = refused(doc(GOOD, "a\x00b"))
    assert "空字符" in err.message


def test_missing_front_matter_block() -> None:
    err = refused("# 标题\n\n正文\n".encode())
    assert "缺少 front-matter" in err.message and err.line == 1


def test_unclosed_front_matter_block() -> None:
    err = refused(f"---\n{GOOD}\n正文\n".encode())
    assert "缺少 front-matter" in err.message


def test_front_matter_not_a_mapping() -> None:
    err = refused(doc("- a\n- b\n"))
    assert "YAML 映射" in err.message


def test_alias_in_front_matter() -> None:
    err = refused(doc(GOOD + "editor: &e 某人\nauthor: *e\n"))
    assert "锚点或别名" in err.message and err.line == 7


def test_huge_file() -> None:
    err = refused(doc(GOOD, "字" * 700_000))
    assert "过大" in err.message


def test_deeply_nested_yaml_does_not_crash() -> None:
    err = refused(doc("editor: " + "[" * 3000 + "]" * 3000 + "\n"))
    assert err.message  # a clear error, not a RecursionError


@pytest.mark.parametrize(
    "bad_id", ["../../etc/passwd", "a/b", "..", "ID-UPPER", "x", "a b c", "中文编号", "-lead"]
)
def test_path_traversal_and_bad_ids(bad_id: str) -> None:
    err = refused(doc(GOOD.replace("id: 2026-11-qy-01", f"id: '{bad_id}'")))
    assert err.field == "id" and "格式不符合要求" in err.message
    assert "小写字母" in (err.hint or "")


@pytest.mark.parametrize(
    "path",
    [
        "content/2026/11/../../../etc/passwd.md",
        "content/2026/13/a.md",
        "content/26/11/a.md",
        "drafts/a.md",
        "content/2026/11/.hidden.md",
        "content/2026/11/a.txt",
    ],
)
def test_draft_path_must_be_content_year_month(path: str) -> None:
    with pytest.raises(DraftError) as err:
        check_path(path)
    assert "content/YYYY/MM" in err.value.message


def test_title_with_surrounding_space() -> None:
    err = refused(doc(GOOD.replace("title: 青阳普法进社区", "title: ' 青阳 '")))
    assert err.field == "title" and "首尾" in err.message


def test_forward_type_must_be_one_of_the_three() -> None:
    head = GOOD.replace("original", "forward") + (
        "source: {name: 司法部, title: 新规, url: 'https://www.moj.gov.cn/a', type: 娱乐}\n"
    )
    err = refused(doc(head))
    assert err.field == "source.type" and "时政热点" in err.message


def test_several_problems_are_counted() -> None:
    err = refused(doc("id: X\ntitle: ''\nunit: qingyang\nkind: original\ncategory: c\n"))
    assert "另有 1 处问题" in err.message


# ---- round trip ----------------------------------------------------------------------------

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
)
line = text.filter(lambda t: t == t.strip() and "\n" not in t and "\r" not in t)
draft_ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{2,30}\Z")
permissions = st.builds(
    Permission,
    granted_by=text,
    date=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    method=text,
)
sources = st.builds(
    Source,
    name=text,
    title=text,
    url=text,
    type=st.none() | st.sampled_from(FORWARD_TYPES),
    permission_required=st.booleans(),
    permission=st.none() | permissions,
)
front_matters = st.builds(
    FrontMatter,
    id=draft_ids,
    title=line.filter(lambda t: len(t) <= 64),
    unit=text,
    kind=st.sampled_from(list(Kind)),
    category=text,
    author=st.none() | text,
    editor=st.none() | text,
    source=st.none() | sources,
    reuse=st.lists(sources, max_size=2),
    emergency=st.none() | st.builds(Emergency, coordinated_with=text, note=text),
    lint_exceptions=st.lists(
        st.builds(
            LintException,
            rule=text,
            match=st.none() | text,
            reason=text.filter(lambda t: len(t) >= 2),
        ),
        max_size=2,
    ),
)
bodies = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=200,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meta=front_matters, body=bodies)
def test_parse_of_dump_is_the_same_draft(meta: FrontMatter, body: str) -> None:
    data = dump_draft(meta, body)
    draft = parse_draft(data, PATH)
    assert draft.meta == meta
    assert draft.body == body
    assert dump_draft(draft.meta, draft.body) == data  # and the bytes are stable


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        parse_draft(b"---\n" + data, PATH)
    except DraftError as err:
        assert err.message


@settings(max_examples=200, deadline=None)
@given(head=st.text(max_size=300))
def test_arbitrary_front_matter_text_never_crashes(head: str) -> None:
    try:
        parse_draft(f"---\n{head}\n---\n正文\n".encode("utf-8", "surrogatepass"), PATH)
    except DraftError as err:
        assert err.message
