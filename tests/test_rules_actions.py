"""The content rules at `fzjj submit`, `approve`, `publish` and in `fzjj status`, through the
real CLI with real keys and signed commits: blocking findings refuse and leave no commit,
warnings and registered exceptions are shown."""

from __future__ import annotations

from conftest import Bureau, policy_yaml, pubkey
from test_check_support import check_json, codes

ID_NUMBER = "350582199003071238"
MOJ_URL = "https://www.moj.gov.cn/pub/sfbgw/zwxxgk/202611/t20261102_1.html"
WHITELIST = """whitelist:
  sources:
    - id: moj
      name: 司法部
      category: ministry_of_justice
      hosts: [{hosts}]
"""


def change_policy(b: Bureau, version: int, extra: str) -> None:
    """A signed roster change by the roster admin: a new policies.yaml version."""
    keys = {pid: pubkey(path) for pid, path in b.keys.items()}
    b.write("policies.yaml", policy_yaml(keys, version=version, extra=extra))
    b.sign_as("admin")
    b.git("commit", "-qa", "-S", "-m", f"Roster version {version}")


def forward(b: Bureau, slug: str, url: str) -> str:
    extra = f"source:\n  name: 司法部\n  title: 司法部发布新规\n  url: '{url}'\n  type: 新规政策\n"
    return b.draft(slug, kind="forward", extra=extra, body="转载正文。\n")


def forward_chain(b: Bureau, path: str) -> None:
    """Forwards are submitted by the operator (Art. 4(2)) and reviewed like any draft."""
    b.ok("operator", "submit", path)
    for person in ("qy_head", "secrecy_a", "deputy", "principal"):
        b.ok(person, "approve", path)


def test_submit_with_an_id_number_is_refused_and_leaves_no_commit(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-leak", body=f"当事人身份证号{ID_NUMBER}已登记。\n")
    before = (bureau.head(), bureau.commit_count())
    code, out = bureau.act("qy_info", "submit", path)
    assert code == 4, out
    assert "稿件未通过报送前检查（1 处错误）" in out
    assert f"{path}:9:8 L103 错误 发现居民身份证号码 3505**********1238" in out
    assert ID_NUMBER not in out  # the refusal does not repeat the leak
    assert "lint_exceptions" in out
    assert (bureau.head(), bureau.commit_count()) == before
    assert bureau.git("status", "--porcelain") == "?? content/"


def test_submit_lists_every_blocking_finding(bureau: Bureau) -> None:
    body = "被告人张三，电话13800138000。\n本文件为绝密★10年。\n"
    path = bureau.draft("2026-11-many", body=body)
    code, out = bureau.act("qy_info", "submit", path)
    assert code == 4
    assert "3 处错误" in out
    for expected in ("L106 错误", "L104 错误", "L101 错误", "138****8000", "张*"):
        assert expected in out
    assert "13800138000" not in out


def test_warnings_are_shown_but_the_submit_goes_through(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-warn", body="涉密人员应当遵守保密纪律。\n")
    before = bureau.commit_count()
    out = bureau.ok("qy_info", "submit", path)
    assert "已报送" in out
    assert f"内容提示：{path}:9:1 L107 警告 出现涉密词语“涉密”" in out
    assert bureau.commit_count() == before + 1


EXCEPTION = (
    "lint_exceptions:\n"
    "  - {rule: L104, match: '13800138000', reason: 当事人求助热线，本人书面同意公开}\n"
)


def test_an_exception_is_shown_to_every_reviewer_and_in_status(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-exc", body="求助热线13800138000。\n", extra=EXCEPTION)
    out = bureau.ok("qy_info", "submit", path)
    assert "L104 警告 发现手机号码 138****8000（已登记例外：当事人求助热线" in out
    for person in ("qy_head", "secrecy_a", "deputy", "principal"):
        out = bureau.ok(person, "approve", path)
        assert "已登记例外：当事人求助热线，本人书面同意公开" in out, person
    out = bureau.ok("admin", "status")
    note = f"登记的例外 {path}：规则 L104 手机号码（匹配“138****8000”）：当事人求助热线"
    assert note in out
    assert "13800138000" not in out
    code, out = bureau.act("operator", "queue")  # the operator publishes it next
    assert code == 0 and note in out


def test_publish_is_refused_when_the_source_left_the_whitelist(bureau: Bureau) -> None:
    change_policy(bureau, 2, WHITELIST.format(hosts="moj.gov.cn"))
    path = forward(bureau, "2026-11-fwd", MOJ_URL)
    forward_chain(bureau, path)
    # The bureau narrows the whitelist before the operator publishes.
    change_policy(bureau, 3, WHITELIST.format(hosts="sfj.moj.gov.cn"))
    before = (bureau.head(), bureau.commit_count())
    code, out = bureau.act("operator", "publish", path, "--url", "https://mp.weixin.qq.com/s/x")
    assert code == 4, out
    assert "稿件未通过发布前检查（1 处错误）" in out
    assert "C105 错误 source.url：网站 www.moj.gov.cn 不属于转载白名单中的任何来源" in out
    assert (bureau.head(), bureau.commit_count()) == before
    _, doc = check_json(bureau)  # fzjj check reports the same draft
    assert "C105" in codes(doc)


def test_publish_is_refused_when_a_new_sensitive_word_matches(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-word", body="本次活动由某某项目资助。\n")
    bureau.full_chain(path)
    change_policy(bureau, 2, "lint:\n  sensitive_words: [某某项目]\n")
    before = bureau.commit_count()
    code, out = bureau.act("operator", "publish", path, "--url", "https://mp.weixin.qq.com/s/y")
    assert code == 4, out
    assert "L102 错误 发现敏感词“某***”" in out
    assert "某某项目" not in out
    assert bureau.commit_count() == before


def test_whitelisted_forward_goes_all_the_way(bureau: Bureau) -> None:
    change_policy(bureau, 2, WHITELIST.format(hosts="moj.gov.cn"))
    path = forward(bureau, "2026-11-ok", MOJ_URL)
    forward_chain(bureau, path)
    out = bureau.ok("operator", "publish", path, "--url", "https://mp.weixin.qq.com/s/z")
    assert "已记录发布" in out
    assert "内容提示" not in out


def test_forward_from_a_lookalike_host_cannot_be_submitted(bureau: Bureau) -> None:
    change_policy(bureau, 2, WHITELIST.format(hosts="moj.gov.cn"))
    path = forward(bureau, "2026-11-evil", "https://moj.gov.cn.evil.com/a.html")
    before = bureau.commit_count()
    code, out = bureau.act("operator", "submit", path)
    assert code == 4
    assert "C105" in out and "moj.gov.cn.evil.com" in out
    assert bureau.commit_count() == before
