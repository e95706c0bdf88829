"""policies.yaml sections owned by the content rules: `whitelist` and `lint`.

Every field has a default, so a policies.yaml without these sections still loads: the
whitelist is then empty (no forward can pass, which fails closed) and the lint runs its
built-in markings, terms and personal-data rules with no sensitive words.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fzjj.model import Severity
from fzjj.rules.codes import RULES

Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Word = Annotated[str, Field(min_length=1, max_length=50)]

SourceCategory = Literal[
    "mainstream_media",
    "regional_media",
    "political_legal_committee",
    "ministry_of_justice",
    "provincial_justice_department",
    "city_justice_bureau",
]

# WeChat article hosts: a source is recognised there by its account, never by the host.
WECHAT_HOST = "mp.weixin.qq.com"
_FORBIDDEN_HOSTS = ("qq.com", "weixin.qq.com", WECHAT_HOST)

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_BIZ = re.compile(r"^[A-Za-z0-9+/]{4,64}={0,2}$")

DEFAULT_MARKINGS = (
    "内部资料",
    "内部文件",
    "内部材料",
    "内部刊物",
    "内部传阅",
    "内部使用",
    "内部参考",
    "内部通报",
    "注意保密",
    "不得外传",
    "涉密文件",
    "涉密材料",
    "涉密资料",
    "国家秘密",
)
DEFAULT_TERMS = ("绝密", "机密", "涉密")
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
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def normalize_config_host(value: str) -> str:
    """Validate one whitelisted host: plain ASCII, lower case, no scheme, path or port."""
    host = value.strip().lower().rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(
            f"网站域名 {value!r} 格式无效：只写域名本身（如 moj.gov.cn），"
            "不带 http://、路径或端口，只含小写字母、数字、横线和点"
        )
    if any(label.startswith("xn--") for label in labels):
        raise ValueError(f"网站域名 {value!r} 是国际化域名（xn--），白名单只接受 ASCII 域名")
    if labels[-1].isdigit():
        raise ValueError(f"{value!r} 是 IP 地址，白名单只接受域名")
    if host in _FORBIDDEN_HOSTS:
        raise ValueError(
            f"{value!r} 是微信平台的域名，不能整体列入白名单；"
            "请在该来源的 wechat 中登记公众号 __biz"
        )
    return host


class WechatAccount(_Strict):
    """An official WeChat account (官微) of a whitelisted source."""

    name: str = Field(min_length=1, max_length=64)
    biz: str | None = Field(default=None, max_length=80)

    @field_validator("biz")
    @classmethod
    def _biz(cls, value: str | None) -> str | None:
        if value is not None and not _BIZ.match(value.strip()):
            raise ValueError(
                "__biz 应为公众号文章长链接中 __biz= 后面的值（字母、数字、+、/，末尾可有 =）"
            )
        return value.strip() if value is not None else None


class WhitelistSource(_Strict):
    """One source of Art. 4(2): who it is, its websites (官网) and accounts (官微)."""

    id: Ident
    name: str = Field(min_length=1, max_length=64)
    aliases: list[Word] = Field(default_factory=list)
    category: SourceCategory
    level: Literal["central", "province", "city", "county"] | None = None
    hosts: list[str] = Field(default_factory=list)
    wechat: list[WechatAccount] = Field(default_factory=list)
    confirmed: bool = True
    permission_required: bool = False
    note: str = Field(default="", max_length=500)

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        return [normalize_config_host(host) for host in value]

    @property
    def names(self) -> frozenset[str]:
        """The source's name, aliases and account names, for matching `source.name`."""
        return frozenset([self.name, *self.aliases, *(a.name for a in self.wechat)])


class WhitelistConfig(_Strict):
    """The forwarding whitelist (Art. 4(2))."""

    sources: list[WhitelistSource] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> WhitelistConfig:
        ids = [source.id for source in self.sources]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"白名单来源 id 重复：{'、'.join(duplicated)}")
        owner: dict[str, str] = {}
        for source in self.sources:
            keys = [f"网站 {h}" for h in source.hosts]
            keys += [f"公众号 __biz {a.biz}" for a in source.wechat if a.biz]
            for key in keys:
                if owner.setdefault(key, source.id) != source.id:
                    raise ValueError(f"白名单中{key} 同时登记在 {owner[key]} 与 {source.id}")
        return self


class LintConfig(_Strict):
    """The pre-review lint (Art. 1): markings, sensitive words, personal data."""

    severity: dict[str, Severity] = Field(default_factory=dict)
    classification_markings: list[Word] = Field(default_factory=lambda: list(DEFAULT_MARKINGS))
    classification_terms: list[Word] = Field(default_factory=lambda: list(DEFAULT_TERMS))
    sensitive_words: list[Word] = Field(default_factory=list)
    party_titles: list[Word] = Field(default_factory=lambda: list(DEFAULT_PARTY_TITLES))
    party_name_exclusions: list[Word] = Field(default_factory=list)

    @field_validator("severity")
    @classmethod
    def _codes(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        unknown = sorted(set(value) - set(RULES))
        if unknown:
            raise ValueError(
                f"未知的规则代码：{'、'.join(unknown)}（规则代码见 docs/content-rules.md）"
            )
        return value

    @field_validator(
        "classification_markings",
        "classification_terms",
        "sensitive_words",
        "party_titles",
        "party_name_exclusions",
    )
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        words = [w.strip() for w in value]
        if any(not w or "\n" in w for w in words):
            raise ValueError("词语不能为空，也不能含换行")
        return list(dict.fromkeys(words))

    def severity_of(self, code: str) -> Severity:
        """The configured severity of a rule code, else its default."""
        return self.severity.get(code) or RULES[code][1]
