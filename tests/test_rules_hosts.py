"""Host matching and source lookup against the shipped whitelist and adversarial URLs."""

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fzjj.policy import Policy, parse_policy
from fzjj.rules import find_source, host_in, host_matches, match_source, parse_url, wechat_biz
from fzjj.rules.config import WhitelistConfig
from fzjj.rules.hosts import UrlProblem

ROOT = Path(__file__).resolve().parents[1]
CORPUS = yaml.safe_load((ROOT / "tests/corpus/rules/hosts.yaml").read_text("utf-8"))
MOJ_BIZ = "MzA5MTIzNDU2Nw=="


def _policy_with_wechat() -> Policy:
    """The shipped policy, with one official account registered for 司法部."""
    text = (ROOT / "policies.yaml").read_text("utf-8")
    marker = "      hosts: [moj.gov.cn]\n      wechat: []  # __biz 待填写\n"
    assert marker in text
    account = f"      hosts: [moj.gov.cn]\n      wechat: [{{name: 中国普法, biz: '{MOJ_BIZ}'}}]\n"
    return parse_policy(text.replace(marker, account))


POLICY = _policy_with_wechat()


@pytest.mark.parametrize(("expected", "url"), CORPUS["real"])
def test_real_forward_urls_match_their_source(expected: str, url: str) -> None:
    found = find_source(url, POLICY.whitelist)
    assert found.code is None, found.reason
    assert found.source is not None
    assert found.source.id == expected


@pytest.mark.parametrize(("expected", "url"), CORPUS["adversarial"])
def test_adversarial_urls_never_match(expected: str, url: str) -> None:
    found = find_source(url, POLICY.whitelist)
    assert found.source is None
    assert found.code == expected, found.reason
    assert found.hint


def test_every_shipped_source_with_hosts_has_a_real_looking_case() -> None:
    covered = {source_id for source_id, _ in CORPUS["real"]}
    with_hosts = {s.id for s in POLICY.whitelist.sources if s.hosts}
    assert with_hosts <= covered


@pytest.mark.parametrize(
    "url",
    [
        f"https://mp.weixin.qq.com/s?__biz={MOJ_BIZ}&mid=2650000001&idx=1&sn=0123456789abcdef",
        "https://mp.weixin.qq.com/s?__biz=MzA5MTIzNDU2Nw%3D%3D&mid=2650000001&idx=1",
        f"http://mp.weixin.qq.com/mp/appmsg/show?__biz={MOJ_BIZ}&appmsgid=10000001",
        f"https://MP.WEIXIN.QQ.COM/s?mid=1&__biz={MOJ_BIZ}#wechat_redirect",
        "https://mp.weixin.qq.com/s?%5F%5Fbiz=MzA5MTIzNDU2Nw%3D%3D&mid=1",
        "https://mp.weixin.qq.com/s?__biz=MzA5MTIzNDU2Nw&mid=1",
        "https://mp.weixin.qq.com/s?__biz=MzA5MTIzNDU2Nw%3d%3d&mid=1",
        "https://mp.weixin.qq.com/s?__biz=MzA5MTIzNDU2Nw%3D&mid=1",
        f"https://mp.weixin.qq.com/s?__biz=MzA5MTIzNDU2Nw&__biz={MOJ_BIZ}&mid=1",
        f"https://mp.weixin.qq.com/s/?__biz={MOJ_BIZ}&mid=1",
        f"https://mp.weixin.qq.com./s?__biz={MOJ_BIZ}&mid=1",
    ],
)
def test_wechat_long_link_matches_by_account(url: str) -> None:
    source, reason = match_source(url, POLICY.whitelist)
    assert source is not None
    assert source.id == "moj"
    assert "中国普法" in reason


def test_wechat_short_link_is_unverifiable_with_what_to_do() -> None:
    found = find_source("https://mp.weixin.qq.com/s/Ab3dEfGhIjKlMnOpQrStUv", POLICY.whitelist)
    assert found.code == "C106"
    assert found.hint is not None
    assert "__biz" in found.hint
    assert "policies.yaml" in found.hint


def test_short_link_with_a_biz_appended_is_still_unverifiable() -> None:
    # WeChat opens the article the token names; a __biz added by hand proves nothing.
    url = f"https://mp.weixin.qq.com/s/Ab3dEfGhIjKlMnOpQrStUv?__biz={MOJ_BIZ}"
    found = find_source(url, POLICY.whitelist)
    assert (found.source, found.code) == (None, "C106")
    assert "短链接" in found.reason


@pytest.mark.parametrize(
    "registered", ["MzA5MTIzNDU2Nw", "MzA5MTIzNDU2Nw%3D%3D", " MzA5MTIzNDU2Nw== "]
)
def test_registered_biz_is_compared_without_padding(registered: str) -> None:
    text = (
        (ROOT / "policies.yaml")
        .read_text("utf-8")
        .replace(
            "      hosts: [gmw.cn]\n      wechat: []",
            f"      hosts: [gmw.cn]\n      wechat: [{{name: 光明日报, biz: '{registered}'}}]",
        )
    )
    whitelist = parse_policy(text).whitelist
    source, _ = match_source(f"https://mp.weixin.qq.com/s?__biz={MOJ_BIZ}&mid=1", whitelist)
    assert source is not None and source.id == "gmw"


def test_one_account_registered_twice_with_and_without_padding_is_refused() -> None:
    text = (ROOT / "policies.yaml").read_text("utf-8")
    text = text.replace(
        "      hosts: [gmw.cn]\n      wechat: []",
        "      hosts: [gmw.cn]\n      wechat: [{name: 光明日报, biz: 'MzA5MTIzNDU2Nw=='}]",
    ).replace(
        "      hosts: [moj.gov.cn]\n      wechat: []",
        "      hosts: [moj.gov.cn]\n      wechat: [{name: 中国普法, biz: 'MzA5MTIzNDU2Nw'}]",
    )
    with pytest.raises(Exception) as err:
        parse_policy(text)
    assert "MzA5MTIzNDU2Nw" in str(err.value)


def test_host_longer_than_dns_allows_is_invalid() -> None:
    host = ".".join(["a" * 60] * 4) + ".moj.gov.cn"
    found = find_source(f"https://{host}/", POLICY.whitelist)
    assert found.code == "C104"
    assert "253" in found.reason


def test_userinfo_reason_does_not_repeat_a_password() -> None:
    found = find_source("https://moj.gov.cn:s3cret@evil.com/", POLICY.whitelist)
    assert found.code == "C104"
    assert "s3cret" not in found.reason
    assert "moj.gov.cn:***@" in found.reason


def test_empty_host_says_so() -> None:
    found = find_source("https:///pub/a.html", POLICY.whitelist)
    assert found.code == "C104"
    assert "没有网站名" in found.reason


def test_match_source_explains_a_refusal() -> None:
    source, reason = match_source("https://moj.gov.cn@evil.com/", POLICY.whitelist)
    assert source is None
    assert "@" in reason


def test_empty_whitelist_matches_nothing() -> None:
    source, reason = match_source("https://www.moj.gov.cn/", WhitelistConfig())
    assert source is None
    assert "www.moj.gov.cn" in reason


def test_host_matches_on_label_boundaries() -> None:
    hosts = ["moj.gov.cn", "news.cn"]
    assert host_matches("https://www.moj.gov.cn/x", hosts)
    assert host_matches("https://news.cn", hosts)
    assert not host_matches("https://fakenews.cn", hosts)
    assert not host_matches("https://moj.gov.cn.evil.com", hosts)
    assert not host_matches("https://moj.gov.cn@evil.com", hosts)
    assert not host_matches("not a url", hosts)


def test_parse_url_normalises_case_port_and_trailing_dot() -> None:
    parsed = parse_url("HTTPS://Www.Moj.Gov.Cn.:8443/a?b=1")
    assert (parsed.scheme, parsed.host, parsed.path, parsed.query) == (
        "https",
        "www.moj.gov.cn",
        "/a",
        "b=1",
    )


def test_punycode_reason_shows_the_unicode_form() -> None:
    with pytest.raises(UrlProblem) as err:
        parse_url("https://xn--mj-fmc.gov.cn/")
    assert "mоj" in err.value.reason


def test_duplicate_biz_is_rejected() -> None:
    with pytest.raises(UrlProblem):
        wechat_biz("__biz=AAAA&__biz=BBBB")
    assert wechat_biz("__biz=AAAA&__biz=AAAA") == "AAAA"
    assert wechat_biz("mid=1") is None


@pytest.mark.parametrize(
    ("yaml_hosts", "needle"),
    [
        ("[https://moj.gov.cn]", "格式无效"),
        ("[mp.weixin.qq.com]", "微信平台"),
        ("[qq.com]", "微信平台"),
        ("[127.0.0.1]", "IP"),
        ("[xn--mj-fmc.gov.cn]", "国际化域名"),
        ("[gov.cn]", "公共域名后缀"),
        ("[fj.cn]", "公共域名后缀"),
        ('["moj\\n.gov.cn"]', "格式无效"),
        ("['\u212aoj.gov.cn']", "格式无效"),
        ("[moj.gov.cn/pub]", "格式无效"),
        ("['moj.gov.cn:443']", "格式无效"),
    ],
)
def test_whitelist_rejects_bad_hosts(yaml_hosts: str, needle: str) -> None:
    text = (ROOT / "policies.yaml").read_text("utf-8")
    bad = text.replace("hosts: [moj.gov.cn]", f"hosts: {yaml_hosts}")
    with pytest.raises(Exception) as err:
        parse_policy(bad)
    assert needle in str(err.value)
    assert "whitelist.sources" in str(getattr(err.value, "field", ""))


def test_the_most_specific_listed_host_wins() -> None:
    # 新华网福建频道 listed as a source of its own, after the broader 新华社 entry
    text = (ROOT / "policies.yaml").read_text("utf-8")
    text = text.replace("hosts: [fjsen.com]", "hosts: [fjsen.com, fj.news.cn]")
    whitelist = parse_policy(text).whitelist
    source, _ = match_source("https://www.fj.news.cn/20240101/a.html", whitelist)
    assert source is not None and source.id == "fjsen"
    source, _ = match_source("https://www.news.cn/20240101/a.html", whitelist)
    assert source is not None and source.id == "xinhua"


def test_whitelist_rejects_a_host_listed_twice() -> None:
    text = (ROOT / "policies.yaml").read_text("utf-8")
    bad = text.replace("hosts: [gmw.cn]", "hosts: [gmw.cn, moj.gov.cn]")
    with pytest.raises(Exception) as err:
        parse_policy(bad)
    assert "moj.gov.cn" in str(err.value)


_LABEL = st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True)


@given(prefix=_LABEL, listed=st.sampled_from(["moj.gov.cn", "news.cn", "people.com.cn"]))
def test_glued_prefix_never_matches(prefix: str, listed: str) -> None:
    assert not host_in(prefix + listed, [listed])
    assert host_in(f"{prefix}.{listed}", [listed])


@given(suffix=st.lists(_LABEL, min_size=1, max_size=3))
def test_listed_host_as_prefix_of_another_domain_never_matches(suffix: list[str]) -> None:
    url = "https://www.moj.gov.cn." + ".".join(suffix) + "/"
    assert not host_matches(url, ["moj.gov.cn"])


@given(junk=st.text(st.characters(blacklist_characters="/?#"), min_size=1, max_size=12))
def test_userinfo_is_always_refused(junk: str) -> None:
    # "/", "?" and "#" end the authority, so an "@" after them is not userinfo.
    url = f"https://www.moj.gov.cn{junk}@evil.com/"
    assert not host_matches(url, ["moj.gov.cn"])


def test_init_template_ships_the_same_whitelist_and_lint() -> None:
    template = ROOT / "src/fzjj/data/init/policies.yaml"
    shipped = parse_policy((ROOT / "policies.yaml").read_text("utf-8"))
    fresh = parse_policy(template.read_text("utf-8"))
    assert fresh.whitelist == shipped.whitelist
    assert fresh.lint == shipped.lint
    assert fresh.categories == shipped.categories


def test_shipped_whitelist_marks_what_the_bureau_must_fill_in() -> None:
    text = (ROOT / "policies.yaml").read_text("utf-8")
    shipped = parse_policy(text)
    sources = {s.id: s for s in shipped.whitelist.sources}
    # domain.md: these sources and hosts, the committees' hosts to confirm.
    assert sources["zhengfawei_central"].hosts == ["chinapeace.gov.cn"]
    assert sources["moj"].hosts == ["moj.gov.cn"]
    assert sources["fujian_sft"].hosts == ["sft.fujian.gov.cn"]
    assert sources["xinhua"].hosts == ["news.cn", "xinhuanet.com"]
    for source_id in ("zhengfawei_fujian", "zhengfawei_quanzhou", "zhengfawei_jinjiang"):
        assert sources[source_id].hosts == [] and not sources[source_id].confirmed
    assert not sources["quanzhou_sfj"].confirmed
    assert all(not s.confirmed for s in sources.values() if s.category == "regional_media")
    # No __biz is known: every wechat list is empty and says so.
    assert all(s.wechat == [] for s in sources.values())
    assert text.count("wechat: []") == len(sources)
    assert all("待填写" in line for line in text.splitlines() if "wechat: []" in line)


@given(junk=st.text(st.characters(codec="utf-8"), max_size=80))
def test_any_string_gets_a_source_or_a_code_never_an_error(junk: str) -> None:
    for url in (junk, f"https://{junk}", f"https://mp.weixin.qq.com/s?{junk}"):
        found = find_source(url, POLICY.whitelist)
        assert (found.source is None) != (found.code is None)
        assert found.reason
