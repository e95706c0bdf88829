"""docs/content-rules.md against the code: every rule code documented once, with an
example and a fix, and the documented example findings exactly what fzjj prints."""

import re
from pathlib import Path

import pytest

from fzjj.draft import parse_draft
from fzjj.policy import parse_policy
from fzjj.rules import RULES, check_content
from fzjj.rules.gate import describe

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "docs/content-rules.md").read_text("utf-8")
SHIPPED = (ROOT / "policies.yaml").read_text("utf-8")


def _sections() -> dict[str, str]:
    found = re.finditer(r"^### ([A-Z][0-9]{3}) .*?(?=^##)", DOCS + "\n## end", re.M | re.S)
    return {m.group(1): m.group(0) for m in found}


def test_every_rule_code_is_documented_once_and_no_other() -> None:
    headings = re.findall(r"^### ([A-Z][0-9]{3}) ", DOCS, re.M)
    assert sorted(headings) == sorted(RULES)


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_an_example_and_a_fix(code: str) -> None:
    section = _sections()[code]
    assert "Example" in section or "e.g." in section, code
    assert "Fix:" in section, code
    severity = RULES[code][1]
    assert f"[{severity}]" in section.splitlines()[0]


def _forward(url: str, extra: str = "") -> str:
    return (
        "kind: forward\ncategory: 转发上级信息\nsource:\n  name: 司法部\n  title: 原标题\n"
        f"  url: '{url}'\n  type: 新规政策{extra}"
    )


ORIGINAL = "kind: original\ncategory: 便民信息"
EXAMPLES = [
    ("kind: forward\ncategory: 转发上级信息", "正文。"),
    (
        "kind: forward\ncategory: 转发上级信息\nsource:\n  name: 司法部\n  title: 原标题\n"
        "  url: https://www.moj.gov.cn/a.html",
        "正文。",
    ),
    (_forward("https://moj.gov.cn@evil.com/"), "正文。"),
    (_forward("https://moj.gov.cn.evil.com/a.html"), "正文。"),
    (_forward("https://mp.weixin.qq.com/s/Ab3dEfGh"), "正文。"),
    (_forward("https://mp.weixin.qq.com/s?__biz=MzI0NTUnknownQ==&mid=1"), "正文。"),
    (
        "kind: forward\ncategory: 转发上级信息\nsource:\n  name: 泉州市司法局\n  title: 原标题\n"
        "  url: http://sfj.quanzhou.gov.cn/a.htm\n  type: 时政热点",
        "正文。",
    ),
    (_forward("https://www.moj.gov.cn/a.html", "\n  permission_required: true"), "正文。"),
    (ORIGINAL, "本文转载自人民网。"),
    (ORIGINAL, "秘密★1年"),
    (ORIGINAL, "本次活动由某某项目资助。"),
    (ORIGINAL, "联系电话13800138000。"),
    (ORIGINAL, "卡号6222021234567890128。"),
    (ORIGINAL + "\nlint_exceptions:\n  - {rule: L105, reason: 当事人同意公开}", "正文。"),
]


@pytest.mark.parametrize(("front", "body"), EXAMPLES)
def test_documented_examples_are_what_fzjj_prints(front: str, body: str) -> None:
    policy = parse_policy(SHIPPED.replace("sensitive_words: []", "sensitive_words: [某某项目]"))
    text = f"---\nid: 2026-05-case\ntitle: 普法案例\nunit: qingyang\n{front}\n---\n{body}\n"
    (found,) = check_content(parse_draft(text.encode(), "case.md"), policy)
    line = describe(found)
    assert f"`{line}`" in DOCS.replace("\n", " ") or f"`{line}`" in DOCS, line
