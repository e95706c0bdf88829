"""Stable rule codes of the content rules, their Chinese titles and default severities.

`C1xx` codes cover the draft's metadata (category, forward source, attribution, permission);
`L1xx` codes are findings of the pre-review lint in the text. docs/content-rules.md documents
every code; policies.yaml `lint.severity` may override the default severity of any of them.
"""

from __future__ import annotations

from typing import Final

from fzjj.model import Severity

CATEGORY_UNKNOWN: Final = "C101"
FORWARD_NO_SOURCE: Final = "C102"
FORWARD_NO_TYPE: Final = "C103"
URL_INVALID: Final = "C104"
HOST_NOT_LISTED: Final = "C105"
WECHAT_UNVERIFIABLE: Final = "C106"
WECHAT_NOT_LISTED: Final = "C107"
SOURCE_NAME_MISMATCH: Final = "C108"
SOURCE_UNCONFIRMED: Final = "C109"
PERMISSION_MISSING: Final = "C110"
UNDECLARED_REUSE: Final = "C111"

CLASSIFICATION_MARK: Final = "L101"
SENSITIVE_WORD: Final = "L102"
RESIDENT_ID: Final = "L103"
MOBILE: Final = "L104"
BANK_CARD: Final = "L105"
PARTY_NAME: Final = "L106"
CLASSIFICATION_TERM: Final = "L107"
EXCEPTION_UNUSED: Final = "L190"

B, W = Severity.BLOCK, Severity.WARN

RULES: Final[dict[str, tuple[str, Severity]]] = {
    CATEGORY_UNKNOWN: ("栏目不在 policies.yaml 的 categories 中", B),
    FORWARD_NO_SOURCE: ("转载稿缺少来源 source", B),
    FORWARD_NO_TYPE: ("转载稿缺少转载类型 source.type", B),
    URL_INVALID: ("来源链接无效", B),
    HOST_NOT_LISTED: ("来源网站不在转载白名单中", B),
    WECHAT_UNVERIFIABLE: ("微信短链接无法确认公众号", B),
    WECHAT_NOT_LISTED: ("微信公众号不在转载白名单中", B),
    SOURCE_NAME_MISMATCH: ("来源名称与链接所属来源不一致", W),
    SOURCE_UNCONFIRMED: ("白名单条目尚未经局里确认", W),
    PERMISSION_MISSING: ("缺少著作权人授权记录", B),
    UNDECLARED_REUSE: ("正文注明转载，但未登记来源", W),
    CLASSIFICATION_MARK: ("密级标志", B),
    SENSITIVE_WORD: ("敏感词", B),
    RESIDENT_ID: ("居民身份证号码", B),
    MOBILE: ("手机号码", B),
    BANK_CARD: ("银行卡号", B),
    PARTY_NAME: ("案件当事人姓名未匿名化", B),
    CLASSIFICATION_TERM: ("涉密词语", W),
    EXCEPTION_UNUSED: ("登记的例外没有对应的检查结果", W),
}

LINT_CODES: Final = frozenset(code for code in RULES if code.startswith("L"))

# What the regulation itself forbids: a category outside Art. 3, a forward without its
# source or type or from outside the whitelist (Art. 4(2)), reuse without consent where
# the law needs it (Art. 5). policies.yaml may not make these warnings.
ALWAYS_BLOCK: Final = frozenset(
    [
        CATEGORY_UNKNOWN,
        FORWARD_NO_SOURCE,
        FORWARD_NO_TYPE,
        URL_INVALID,
        HOST_NOT_LISTED,
        WECHAT_UNVERIFIABLE,
        WECHAT_NOT_LISTED,
        PERMISSION_MISSING,
    ]
)
