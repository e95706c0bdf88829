"""policies.yaml sections owned by the content rules: `whitelist` and `lint`.

Every field has a default, so a policies.yaml without these sections still loads: the
whitelist is then empty (no forward can pass, which fails closed) and the lint runs its
built-in markings, terms and personal-data rules with no sensitive words.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from fzjj.model import Severity
from fzjj.rules.codes import ALWAYS_BLOCK, RULES
from fzjj.schema import (
    Boolean,
    Checked,
    DictOf,
    EnumOf,
    ListOf,
    Nested,
    OneOf,
    Optional,
    Record,
    Text,
    field,
)

# An id in policies.yaml: a person, a unit, a whitelisted source.
IDENT = Text(pattern=r"^[a-z][a-z0-9_]{0,63}$")
WORDS = ListOf(Text(1, 50))

SOURCE_CATEGORIES = (
    "mainstream_media",
    "regional_media",
    "political_legal_committee",
    "ministry_of_justice",
    "provincial_justice_department",
    "city_justice_bureau",
)

# WeChat article hosts: a source is recognised there by its account, never by the host.
WECHAT_HOST = "mp.weixin.qq.com"
_FORBIDDEN_HOSTS = ("qq.com", "weixin.qq.com", WECHAT_HOST)
_PROVINCE_SUFFIXES = (
    "ah bj cq fj gd gs gx gz ha hb he hi hk hl hn jl js jx ln mo nm nx qh sc sd sh sn sx tj"
    " tw xj xz yn zj"
)
# Registry suffixes under which anyone (any agency, any company) gets a domain: listing one
# would whitelist every site below it.
PUBLIC_SUFFIXES = frozenset(
    f"{second}.cn" for second in ("ac", "com", "edu", "gov", "mil", "net", "org")
) | frozenset(f"{province}.cn" for province in _PROVINCE_SUFFIXES.split())

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_BIZ = re.compile(r"[A-Za-z0-9+/]{4,64}")


def canonical_biz(value: str) -> str:
    """A WeChat account's `__biz` as compared: percent-decoded, without base64 padding.

    `MzA5MTIzNDU2Nw==`, `MzA5MTIzNDU2Nw%3D%3D` and `MzA5MTIzNDU2Nw` name one account.
    """
    return unquote(value).strip().rstrip("=")


# Phrases that mark a document as classified or internal (L101, blocking by default). Words
# that only talk about secrecy (国家秘密 in 保守国家秘密法, 涉密文件管理) are terms (L107).
DEFAULT_MARKINGS = (
    "内部资料",
    "内部文件",
    "内部材料",
    "内部刊物",
    "内部传阅",
    "内部使用",
    "内部参考",
    "内部通报",
    "内部发行",
    "注意保密",
    "不得外传",
    "请勿外传",
    "严禁外传",
    "禁止外传",
    "此件不公开",
)
DEFAULT_TERMS = ("绝密", "机密", "涉密", "国家秘密", "秘密文件", "秘密资料", "秘密材料")
DEFAULT_PARTY_TITLES = (
    "犯罪嫌疑人",
    "嫌疑人",
    "被告人",
    "被告",
    "原告",
    "第三人",
    "当事人",
    "被申请人",
    "申请人",
    "被上诉人",
    "上诉人",
    "申诉人",
    "被执行人",
    "申请执行人",
    "被害人",
    "受害人",
    "罪犯",
    "服刑人员",
    "社区矫正对象",
    "矫正对象",
    "吸毒人员",
    "被监护人",
    "证人",
    "嫌犯",
    "行为人",
    "违法行为人",
    "被处罚人",
    "被调查人",
    "受援人",
    "求助人",
    "举报人",
    "被举报人",
    "投诉人",
    "被投诉人",
    "债务人",
    "债权人",
    "继承人",
    "被继承人",
    "帮教对象",
    "安置帮教对象",
    "刑满释放人员",
    "戒毒人员",
)


def _distinct_categories(value: list[str]) -> list[str]:
    """Art. 3 categories: each written once, on one line, without surrounding spaces."""
    for name in value:
        if name != name.strip() or "\n" in name:
            raise ValueError(f"栏目 {name!r} 首尾不能有空白，也不能换行")
    duplicated = sorted({name for name in value if value.count(name) > 1})
    if duplicated:
        raise ValueError(f"栏目重复：{'、'.join(duplicated)}")
    return value


# The `categories` of policies.yaml (Art. 3); a draft's `category` must be one of them.
CATEGORIES = Checked(ListOf(Text(1, 40), min_len=1), _distinct_categories)


def normalize_config_host(value: str) -> str:
    """Validate one whitelisted host: plain ASCII, lower case, no scheme, path or port."""
    host = value.strip().rstrip(".")
    labels = host.lower().split(".")
    if not host.isascii() or len(labels) < 2 or not all(_LABEL.fullmatch(x) for x in labels):
        raise ValueError(
            f"网站域名 {value!r} 格式无效：只写域名本身（如 moj.gov.cn），"
            "不带 http://、路径或端口，只含小写字母、数字、横线和点"
        )
    if any(label.startswith("xn--") for label in labels):
        raise ValueError(f"网站域名 {value!r} 是国际化域名（xn--），白名单只接受 ASCII 域名")
    host = host.lower()
    if labels[-1].isdigit():
        raise ValueError(f"{value!r} 是 IP 地址，白名单只接受域名")
    if host in PUBLIC_SUFFIXES:
        raise ValueError(
            f"{value!r} 是公共域名后缀，其下有众多单位和企业的网站，不能整体列入白名单；"
            "请写来源自己的域名（如 moj.gov.cn）"
        )
    if host in _FORBIDDEN_HOSTS:
        raise ValueError(
            f"{value!r} 是微信平台的域名，不能整体列入白名单；"
            "请在该来源的 wechat 中登记公众号 __biz"
        )
    return host


def _biz(value: str | None) -> str | None:
    if value is not None and not _BIZ.fullmatch(canonical_biz(value)):
        raise ValueError(
            "__biz 应为公众号文章长链接中 __biz= 后面的值（字母、数字、+、/，末尾可有 =）"
        )
    return value.strip() if value is not None else None


class WechatAccount(Record):
    """An official WeChat account (官微) of a whitelisted source."""

    name: str = field(Text(1, 64))
    biz: str | None = field(Optional(Text(max_len=80)), default=None, after=_biz)


def _hosts(value: list[str]) -> list[str]:
    return [normalize_config_host(host) for host in value]


class WhitelistSource(Record):
    """One source of Art. 4(2): who it is, its websites (官网) and accounts (官微)."""

    id: str = field(IDENT)
    name: str = field(Text(1, 64))
    aliases: list[str] = field(WORDS, default_factory=list)
    category: str = field(OneOf(*SOURCE_CATEGORIES))
    level: str | None = field(
        Optional(OneOf("central", "province", "city", "county")), default=None
    )
    hosts: list[str] = field(ListOf(Text()), default_factory=list, after=_hosts)
    wechat: list[WechatAccount] = field(ListOf(Nested(WechatAccount)), default_factory=list)
    confirmed: bool = field(Boolean(), default=True)
    permission_required: bool = field(Boolean(), default=False)
    note: str = field(Text(max_len=500), default="")

    @property
    def names(self) -> frozenset[str]:
        """The source's name, aliases and account names, for matching `source.name`."""
        return frozenset([self.name, *self.aliases, *(a.name for a in self.wechat)])


class WhitelistConfig(Record):
    """The forwarding whitelist (Art. 4(2))."""

    sources: list[WhitelistSource] = field(ListOf(Nested(WhitelistSource)), default_factory=list)

    def verify(self) -> None:
        ids = [source.id for source in self.sources]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"白名单来源 id 重复：{'、'.join(duplicated)}")
        owner: dict[str, str] = {}
        for source in self.sources:
            keys = [f"网站 {h}" for h in source.hosts]
            keys += [f"公众号 __biz {canonical_biz(a.biz)}" for a in source.wechat if a.biz]
            for key in keys:
                if owner.setdefault(key, source.id) != source.id:
                    raise ValueError(f"白名单中{key} 同时登记在 {owner[key]} 与 {source.id}")


def _codes(value: dict[str, Severity]) -> dict[str, Severity]:
    unknown = sorted(set(value) - set(RULES))
    if unknown:
        raise ValueError(
            f"未知的规则代码：{'、'.join(unknown)}（规则代码见 docs/content-rules.md）"
        )
    softened = sorted(c for c in ALWAYS_BLOCK if value.get(c) is Severity.WARN)
    if softened:
        raise ValueError(
            f"{'、'.join(softened)} 是制度本身的要求（栏目、转载白名单、来源与授权，"
            "第三条、第四条第二款、第五条），不能设为 warn"
        )
    return value


def _words(value: list[str]) -> list[str]:
    words = [w.strip() for w in value]
    if any(not w or "\n" in w for w in words):
        raise ValueError("词语不能为空，也不能含换行")
    return list(dict.fromkeys(words))


class LintConfig(Record):
    """The pre-review lint (Art. 1): markings, sensitive words, personal data."""

    severity: dict[str, Severity] = field(
        DictOf(Text(), EnumOf(Severity)), default_factory=dict, after=_codes
    )
    classification_markings: list[str] = field(
        WORDS, default_factory=lambda: list(DEFAULT_MARKINGS), after=_words
    )
    classification_terms: list[str] = field(
        WORDS, default_factory=lambda: list(DEFAULT_TERMS), after=_words
    )
    sensitive_words: list[str] = field(WORDS, default_factory=list, after=_words)
    party_titles: list[str] = field(
        WORDS, default_factory=lambda: list(DEFAULT_PARTY_TITLES), after=_words
    )
    party_name_exclusions: list[str] = field(WORDS, default_factory=list, after=_words)

    def severity_of(self, code: str) -> Severity:
        """The configured severity of a rule code, else its default."""
        return self.severity.get(code) or RULES[code][1]
