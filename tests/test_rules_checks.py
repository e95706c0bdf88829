"""check_content: category, forward whitelist, attribution, lint and exceptions on drafts."""

import re
from pathlib import Path

import pytest
import yaml

from fzjj.draft import Draft, parse_draft
from fzjj.model import Severity, Violation
from fzjj.policy import Policy, parse_policy
from fzjj.rules import check_content

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (ROOT / "policies.yaml").read_text("utf-8")
POLICY = parse_policy(SHIPPED)
PATH = "content/2026/05/case.md"


def draft(front: str, body: str = "今天天气晴朗。\n") -> Draft:
    head = "id: 2026-05-case\ntitle: 普法案例\nunit: qingyang\n" + front
    return parse_draft(f"---\n{head}\n---\n{body}".encode(), PATH)


def forward(url: str, *, name: str = "司法部", extra: str = "") -> Draft:
    return draft(
        "kind: forward\ncategory: 转发上级信息\nsource:\n"
        f"  name: {name}\n  title: 原标题\n  url: '{url}'\n  type: 新规政策\n{extra}"
    )


def codes(found: list[Violation]) -> list[str]:
    return [v.code for v in found]


def test_clean_original_has_no_violation() -> None:
    assert check_content(draft("kind: original\ncategory: 便民信息"), POLICY) == []


def test_unknown_category_lists_the_allowed_ones() -> None:
    (found,) = check_content(draft("kind: original\ncategory: 娱乐八卦"), POLICY)
    assert found.code == "C101"
    assert found.severity is Severity.BLOCK
    assert "娱乐八卦" in found.message
    assert found.hint is not None
    assert "便民信息" in found.hint
    assert (found.path, found.draft_id, found.line) == (PATH, "2026-05-case", 6)


def test_forward_without_source() -> None:
    found = check_content(draft("kind: forward\ncategory: 转发上级信息"), POLICY)
    assert codes(found) == ["C102"]


def test_forward_without_type() -> None:
    doc = draft(
        "kind: forward\ncategory: 转发上级信息\nsource:\n"
        "  name: 司法部\n  title: 原标题\n  url: https://www.moj.gov.cn/x.html"
    )
    assert codes(check_content(doc, POLICY)) == ["C103"]


def test_forward_from_whitelisted_site_passes() -> None:
    assert check_content(forward("https://www.moj.gov.cn/pub/a.html"), POLICY) == []


def test_forward_by_alias_passes() -> None:
    doc = forward("http://legal.people.com.cn/n1/2024/0105/c1.html", name="人民网")
    assert check_content(doc, POLICY) == []


def test_forward_from_lookalike_host_is_blocked() -> None:
    (found,) = check_content(forward("https://moj.gov.cn.evil.com/a"), POLICY)
    assert found.code == "C105"
    assert found.severity is Severity.BLOCK
    assert found.message.startswith("source.url：")
    assert "moj.gov.cn.evil.com" in found.message
    assert found.line == 10  # the source.url line


def test_flow_style_source_points_at_the_source_line() -> None:
    doc = draft(
        "kind: forward\ncategory: 转发上级信息\n"
        "source: {name: 司法部, title: 原标题, url: 'https://evil.com/', type: 新规政策}"
    )
    (found,) = check_content(doc, POLICY)
    assert (found.code, found.line) == ("C105", 7)


def test_forward_with_userinfo_is_invalid() -> None:
    (found,) = check_content(forward("https://moj.gov.cn@evil.com/a"), POLICY)
    assert found.code == "C104"


def test_wechat_short_link_is_unverifiable() -> None:
    (found,) = check_content(forward("https://mp.weixin.qq.com/s/Ab3dEfGh"), POLICY)
    assert found.code == "C106"
    assert found.hint is not None
    assert "__biz" in found.hint


def test_unconfirmed_source_warns() -> None:
    doc = forward("http://sfj.quanzhou.gov.cn/a.htm", name="泉州市司法局")
    (found,) = check_content(doc, POLICY)
    assert (found.code, found.severity) == ("C109", Severity.WARN)


def test_source_name_must_match_the_link() -> None:
    (found,) = check_content(forward("https://www.moj.gov.cn/a", name="新华社"), POLICY)
    assert (found.code, found.severity, found.line) == ("C108", Severity.WARN, 8)
    assert "司法部" in found.message


def test_permission_required_by_draft() -> None:
    extra = "  permission_required: true\n"
    (found,) = check_content(forward("https://www.moj.gov.cn/a", extra=extra), POLICY)
    assert found.code == "C110"
    granted = extra + "  permission: {granted_by: 司法部新闻办, date: 2026-05-01, method: 电话}\n"
    assert check_content(forward("https://www.moj.gov.cn/a", extra=granted), POLICY) == []


def test_permission_dated_in_the_future_is_not_a_permission() -> None:
    from datetime import date

    extra = "  permission_required: true\n"
    extra += "  permission: {granted_by: 司法部新闻办, date: 2026-06-02, method: 电话}\n"
    doc = forward("https://www.moj.gov.cn/a", extra=extra)
    (found,) = check_content(doc, POLICY, today=date(2026, 6, 1))
    assert (found.code, found.severity) == ("C110", Severity.BLOCK)
    assert found.message.startswith("source.permission：授权日期 2026-06-02 晚于今天")
    assert check_content(doc, POLICY, today=date(2026, 6, 2)) == []


def test_permission_required_by_whitelist() -> None:
    text = SHIPPED.replace(
        "      hosts: [moj.gov.cn]\n",
        "      hosts: [moj.gov.cn]\n      permission_required: true\n",
    )
    (found,) = check_content(forward("https://www.moj.gov.cn/a"), parse_policy(text))
    assert found.code == "C110"


def test_reused_material_from_a_source_needing_consent_needs_permission() -> None:
    text = SHIPPED.replace(
        "      hosts: [moj.gov.cn]\n",
        "      hosts: [moj.gov.cn]\n      permission_required: true\n",
    )
    policy = parse_policy(text)
    reuse = "reuse:\n  - {name: 司法部, title: 某图解, url: 'https://www.moj.gov.cn/a.html'"
    (found,) = check_content(draft(f"kind: original\ncategory: 便民信息\n{reuse}}}"), policy)
    assert found.code == "C110"
    assert found.message.startswith("reuse[0].permission：链接属于白名单来源“司法部”")
    granted = ", permission: {granted_by: 司法部新闻办, date: 2026-05-01, method: 书面授权}}"
    assert (
        check_content(draft(f"kind: original\ncategory: 便民信息\n{reuse}{granted}"), policy) == []
    )
    assert check_content(draft(f"kind: original\ncategory: 便民信息\n{reuse}}}"), POLICY) == []


def test_reused_material_needs_a_valid_link_and_permission() -> None:
    doc = draft(
        "kind: original\ncategory: 便民信息\nreuse:\n"
        "  - {name: 某报, title: 某文, url: 'javascript:alert(1)'}\n"
        "  - {name: 某网, title: 某图, url: 'https://example.com/a', permission_required: true}"
    )
    found = check_content(doc, POLICY)
    assert codes(found) == ["C104", "C110"]
    assert found[0].message.startswith("reuse[0].url：")
    assert found[0].line == found[1].line == 7
    assert found[1].message.startswith("reuse[1].permission：")


@pytest.mark.parametrize(
    ("body", "note", "line", "column"),
    [
        ("本文转载自人民网。\n", "转载自", 8, 3),
        ("正文。\n原标题：某某案件始末\n", "原标题：", 9, 1),
        ("正文（原标题：某某）。\n", "原标题：", 8, 4),
        ("正文。\n  原文链接: https://example.com/a\n", "原文链接:", 9, 3),
        ("转自：某公众号\n", "转自：", 8, 1),
    ],
)
def test_body_saying_it_was_taken_from_elsewhere_warns(
    body: str, note: str, line: int, column: int
) -> None:
    (found,) = check_content(draft("kind: original\ncategory: 便民信息", body), POLICY)
    assert (found.code, found.severity) == ("C111", Severity.WARN)
    assert found.message.startswith(f"正文写有“{note}”")
    assert (found.line, found.column) == (line, column)
    assert found.hint is not None and "kind: forward" in found.hint


@pytest.mark.parametrize(
    "body",
    [
        "正文。\n来源：青阳司法所\n",
        "把钱转自己账户。\n",
        "本文原标题是别的。\n",
        "转载请注明出处。\n",
    ],
)
def test_own_signature_and_ordinary_words_do_not_warn(body: str) -> None:
    assert check_content(draft("kind: original\ncategory: 便民信息", body), POLICY) == []


def test_declared_reuse_or_forward_does_not_warn_about_the_note() -> None:
    reuse = "reuse:\n  - {name: 人民网, title: 某文, url: 'https://www.people.com.cn/a'}"
    body = "本文部分内容转载自人民网。\n"
    doc = draft(f"kind: original\ncategory: 便民信息\n{reuse}", body)
    assert check_content(doc, POLICY) == []


def test_policy_without_rule_sections_fails_closed() -> None:
    bare = SHIPPED[: SHIPPED.index("# ----------")]
    policy = parse_policy(bare)
    assert codes(check_content(forward("https://www.moj.gov.cn/a"), policy)) == ["C105"]
    doc = draft("kind: original\ncategory: 便民信息", "被告人张三，电话13800138000。\n")
    assert codes(check_content(doc, policy)) == ["L106", "L104"]


BODY = "第一段。\n\n被告人张三，电话13800138000。\n身份证350582199003071238\n"


def test_lint_findings_have_line_column_and_masked_text() -> None:
    found = check_content(draft("kind: original\ncategory: 便民信息", BODY), POLICY)
    # front-matter with its fences is lines 1-7; the body starts on line 8.
    assert [(v.code, v.line, v.column) for v in found] == [
        ("L106", 10, 4),
        ("L104", 10, 9),
        ("L103", 11, 4),
    ]
    assert "3505**********1238" in found[2].message
    assert "350582199003071238" not in found[2].message
    assert all(v.severity is Severity.BLOCK for v in found)
    assert all("lint_exceptions" in (v.hint or "") for v in found)


def test_title_is_linted_too() -> None:
    doc = parse_draft(
        "---\nid: 2026-05-t\ntitle: 寻人13800138000\nunit: qingyang\nkind: original\n"
        "category: 便民信息\n---\n正文\n".encode(),
        PATH,
    )
    (found,) = check_content(doc, POLICY)
    assert found.code == "L104"
    assert found.message.startswith("title：")
    assert (found.line, found.column) == (3, 10)


def test_original_title_of_a_forward_is_linted_on_its_line() -> None:
    doc = draft(
        "kind: forward\ncategory: 转发上级信息\nsource:\n  name: 司法部\n"
        "  title: '被告人张三被判刑'\n  url: https://www.moj.gov.cn/a.html\n  type: 普法案例"
    )
    (found,) = check_content(doc, POLICY)
    assert (found.code, found.line, found.column) == ("L106", 9, 14)
    assert found.message == "source.title：被告人“张*”的姓名未匿名化"


def test_titles_of_reused_material_are_linted() -> None:
    doc = draft(
        "kind: original\ncategory: 便民信息\nreuse:\n"
        "  - {name: 某报, title: 普法图解, url: 'https://example.com/a'}\n"
        "  - {name: 某网, title: 原告李小明案评析, url: 'https://example.com/b'}"
    )
    (found,) = check_content(doc, POLICY)
    assert (found.code, found.line, found.column) == ("L106", 9, 25)
    assert found.message.startswith("reuse[1].title：原告")


def test_title_written_over_two_lines_points_at_the_field() -> None:
    doc = parse_draft(
        "---\nid: 2026-05-t\ntitle: >-\n  寻人\n  13800138000\nunit: qingyang\nkind: original\n"
        "category: 便民信息\n---\n正文\n".encode(),
        PATH,
    )
    (found,) = check_content(doc, POLICY)
    assert (found.code, found.line, found.column) == ("L104", 3, None)


def test_severity_comes_from_policy() -> None:
    text = SHIPPED.replace("    L104: block", "    L104: warn")
    found = check_content(draft("kind: original\ncategory: 便民信息", BODY), parse_policy(text))
    assert {v.code: v.severity for v in found}["L104"] is Severity.WARN


@pytest.mark.parametrize("code", ["C101", "C102", "C103", "C104", "C105", "C106", "C107", "C110"])
def test_rules_of_the_regulation_itself_cannot_be_made_warnings(code: str) -> None:
    text = SHIPPED.replace("    L104: block", f"    L104: block\n    {code}: warn")
    with pytest.raises(Exception) as err:
        parse_policy(text)
    assert f"{code} 是制度本身的要求" in str(err.value)
    assert "lint.severity" in str(getattr(err.value, "field", ""))


def test_warnings_can_be_made_blocking() -> None:
    text = SHIPPED.replace("    L104: block", "    L104: block\n    C109: block\n    C111: block")
    doc = forward("http://sfj.quanzhou.gov.cn/a.htm", name="泉州市司法局")
    (found,) = check_content(doc, parse_policy(text))
    assert (found.code, found.severity) == ("C109", Severity.BLOCK)


EXCEPTIONS = """kind: original
category: 便民信息
lint_exceptions:
  - {rule: L106, match: 张三, reason: 当事人本人同意公开姓名}
  - {rule: L104, match: '138****8000', reason: 当事人求助热线，本人同意公开}
  - {rule: L105, reason: 多余的例外}
  - {rule: C105, reason: 想绕过白名单}"""


def test_exceptions_downgrade_to_warn_and_are_never_silent() -> None:
    found = check_content(draft(EXCEPTIONS, BODY), POLICY)
    assert [(v.code, v.severity) for v in found] == [
        ("L106", Severity.WARN),
        ("L104", Severity.WARN),
        ("L103", Severity.BLOCK),
        ("L190", Severity.WARN),
        ("L190", Severity.WARN),
    ]
    assert "已登记例外：当事人本人同意公开姓名" in found[0].message
    assert "已登记例外：当事人求助热线" in found[1].message
    assert "lint_exceptions[2]" in found[3].message
    assert "C105" in found[4].message


def test_exception_without_a_real_reason_does_not_cover() -> None:
    front = "kind: original\ncategory: 便民信息\nlint_exceptions:\n"
    front += "  - {rule: L104, reason: '  。 '}"
    found = check_content(draft(front, "电话13800138000\n"), POLICY)
    assert [(v.code, v.severity) for v in found] == [
        ("L104", Severity.BLOCK),
        ("L190", Severity.WARN),
    ]
    assert "没有写明理由" in found[1].message


def test_exception_for_other_text_does_not_cover() -> None:
    front = "kind: original\ncategory: 便民信息\nlint_exceptions:\n"
    front += "  - {rule: L106, match: 李四, reason: 不相干的例外}"
    found = check_content(draft(front, BODY), POLICY)
    assert (found[0].code, found[0].severity) == ("L106", Severity.BLOCK)
    assert codes(found)[-1] == "L190"


@pytest.mark.parametrize("match", ["13800138000", "138-0013-8000", "138 0013 8000"])
def test_exception_match_ignores_separators(match: str) -> None:
    front = "kind: original\ncategory: 便民信息\nlint_exceptions:\n"
    front += f"  - {{rule: L104, match: '{match}', reason: 求助热线}}"
    found = check_content(draft(front, "电话 138 0013 8000\n"), POLICY)
    assert [(v.code, v.severity) for v in found] == [("L104", Severity.WARN)]


def test_every_message_is_chinese() -> None:
    found = check_content(draft(EXCEPTIONS, BODY), POLICY)
    assert all(re.search(r"[\u4e00-\u9fff]", v.message) for v in found)


def _policy_with_accounts() -> tuple[Policy, dict[str, str]]:
    """The shipped policy with a made-up official account registered for every source."""
    text = SHIPPED
    bizes: dict[str, str] = {}
    for index, source in enumerate(POLICY.whitelist.sources):
        biz = f"MzA{index:02d}TestBiz{index:02d}=="
        bizes[source.id] = biz
        block = text[text.index(f"    - id: {source.id}\n") :]
        line = block[: block.index("      wechat: []")]
        text = text.replace(
            line + "      wechat: []",
            line + f"      wechat: [{{name: {source.name}官微, biz: '{biz}'}}]",
            1,
        )
    return parse_policy(text), bizes


ACCOUNTS, BIZES = _policy_with_accounts()
FORWARDS = yaml.safe_load((ROOT / "tests/corpus/rules/forwards.yaml").read_text("utf-8"))


def test_forward_corpus_covers_every_shipped_source() -> None:
    assert {row[0] for row in FORWARDS["forwards"]} == {s.id for s in POLICY.whitelist.sources}


@pytest.mark.parametrize(("source_id", "name", "title", "url", "kind"), FORWARDS["forwards"])
def test_real_looking_forwards_pass(
    source_id: str, name: str, title: str, url: str, kind: str
) -> None:
    if url.startswith("wechat:"):
        biz = BIZES[url.removeprefix("wechat:")]
        url = f"https://mp.weixin.qq.com/s?__biz={biz}&mid=2650000001&idx=1&sn=0a1b2c3d#rd"
    doc = draft(
        "kind: forward\ncategory: 转发上级信息\nsource:\n"
        f"  name: {name}\n  title: '{title}'\n  url: '{url}'\n  type: {kind}"
    )
    listed = next(s for s in ACCOUNTS.whitelist.sources if s.id == source_id)
    expected = [] if listed.confirmed else [("C109", Severity.WARN)]
    assert [(v.code, v.severity) for v in check_content(doc, ACCOUNTS)] == expected


def test_gate_refuses_blocking_and_returns_warnings() -> None:
    from fzjj.errors import ExitCode
    from fzjj.rules.gate import ContentRefused, screen

    warn = Violation(
        "L107", "出现涉密词语“涉密”", path=PATH, line=8, column=1, severity=Severity.WARN
    )
    assert screen([warn], when="报送前", path=PATH) == (warn,)
    many = [Violation("L104", f"发现手机号码 {i}", path=PATH, line=i) for i in range(25)]
    with pytest.raises(ContentRefused) as err:
        screen([*many, warn], when="发布前", path=PATH)
    refused = err.value
    assert refused.exit_code is ExitCode.REFUSED
    assert (len(refused.blocking), refused.warnings) == (25, (warn,))
    assert refused.message.startswith("稿件未通过发布前检查（25 处错误、1 处警告）")
    assert f"  {PATH}:0 L104 错误 发现手机号码 0" in refused.message
    assert "另有 6 处" in refused.message


@pytest.mark.parametrize(
    ("rule", "match", "shown"),
    [
        ("L103", "350582199003071238", "3505**********1238"),
        ("L104", "138-0013-8000", "138****8000"),
        ("L104", "138****8000", "138****8000"),
        ("L105", "6228 4800 1234 5671", "6228********5671"),
        ("L106", "张三", "张*"),
        ("L102", "某某项目", "某***"),
        ("L101", "内部资料", "内部资料"),
    ],
)
def test_exception_matches_are_masked_for_display(rule: str, match: str, shown: str) -> None:
    from fzjj.rules.gate import masked_match

    assert masked_match(rule, match) == shown
