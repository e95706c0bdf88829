"""Which whitelisted source a URL belongs to (Art. 4(2)).

A URL is parsed strictly and fails closed: anything a browser might read differently from
how it looks (userinfo before `@`, backslashes, whitespace, percent-encoded or non-ASCII
hosts, IP literals) is rejected rather than guessed at. A host matches a whitelisted host
when it is equal to it or a subdomain on a label boundary. Articles on the WeChat platform
match only by their account (`__biz` in the long link), never by the platform's host.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from fzjj.rules import codes
from fzjj.rules.config import WECHAT_HOST, WhitelistConfig, WhitelistSource, canonical_biz

# Invisible characters that are letters to Unicode (Hangul fillers); every other invisible
# or spacing character is caught by its category (Cc, Cf, Zs, Zl, Zp: controls, format
# characters such as zero-width spaces and bidirectional overrides, and spaces).
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_PORT = re.compile(r"[0-9]{1,5}")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
MAX_HOST_LENGTH = 253  # RFC 1035, without the trailing dot
# A short WeChat link names its article by the token in the path, whatever the query says.
_WECHAT_SHORT = re.compile(r"/s/[^/]+/?")

HINT_URL = "请填写来源网页的原始链接：以 https:// 或 http:// 开头，直接从浏览器地址栏复制。"
HINT_HOST = (
    "只能转载 policies.yaml 白名单中来源的官网或官微内容（第四条第二款）；"
    "如确属白名单来源的新网站，请宣教科在 whitelist 中登记后再报送。"
)
HINT_WECHAT_SHORT = (
    "微信短链接（/s/…）看不出是哪个公众号：请在微信中打开文章，复制含 __biz= 的长链接填入 "
    "source.url；或由宣教科在 policies.yaml 该来源的 wechat 中登记此公众号的 __biz。"
)
HINT_WECHAT_BIZ = (
    "该公众号不在白名单中。若它是白名单来源的官方公众号，请宣教科在 policies.yaml 该来源的 "
    "wechat 中登记其 __biz（即本链接中 __biz= 后面的值）。"
)


class UrlProblem(ValueError):
    """A URL that cannot be trusted; `args[0]` is the Chinese reason."""

    @property
    def reason(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    scheme: str
    host: str  # normalised: ASCII, lower case, no trailing dot
    path: str
    query: str


@dataclass(frozen=True, slots=True)
class SourceMatch:
    """The outcome of matching a URL: the source, or the rule code and why not."""

    source: WhitelistSource | None
    code: str | None  # None when matched
    reason: str  # Chinese
    hint: str | None = None


def parse_url(url: str) -> ParsedUrl:
    """Parse a source URL strictly; raise `UrlProblem` with a Chinese reason."""
    if _has_invisible(url):
        raise UrlProblem("链接中含有空白、控制字符或不可见字符（如零宽空格、文字方向控制符）")
    if "\\" in url:
        raise UrlProblem("链接中含有反斜杠 \\，浏览器可能把它当成 /，无法确定真实网站")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise UrlProblem("链接格式无效") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"“{parts.scheme}:”" if parts.scheme else "（缺少协议）"
        raise UrlProblem(f"链接的协议{shown}不是 http 或 https")
    if not url.lower().startswith(f"{scheme}://"):
        raise UrlProblem("链接的协议后应紧跟 //")
    host = normalize_host(parts.netloc)
    return ParsedUrl(scheme, host, parts.path, parts.query)


def _has_invisible(text: str) -> bool:
    return any(unicodedata.category(char)[0] in "CZ" or char in _INVISIBLE_LETTERS for char in text)


def normalize_host(netloc: str) -> str:
    """The host of a URL's authority part, normalised, or `UrlProblem`."""
    if "@" in netloc:
        user, _, password = netloc.rpartition("@")[0].partition(":")
        shown = f"{user}:***" if password else user
        raise UrlProblem(
            f"链接含有用户信息（“{shown}@”），@ 后面的才是真实网站，这是常见的仿冒手法"
        )
    if netloc.startswith("["):
        raise UrlProblem("链接的网站是 IP 地址，不是域名")
    host, sep, port = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
    if sep and not (_PORT.fullmatch(port) and 0 < int(port) < 65536):
        raise UrlProblem(f"链接的端口 “{port}” 无效")
    if "%" in host:
        raise UrlProblem("链接的网站名中含有百分号编码（%），无法确定真实网站")
    if not host.isascii():
        raise UrlProblem(f"网站名 “{host}” 含有非 ASCII 字符（全角或其他文字），可能是仿冒域名")
    return _check_labels(host.lower())


def _check_labels(host: str) -> str:
    host = host.removesuffix(".")
    if not host:
        raise UrlProblem("链接中没有网站名（// 后面应是网站域名，如 www.moj.gov.cn）")
    if len(host) > MAX_HOST_LENGTH:
        raise UrlProblem(f"网站名长达 {len(host)} 个字符，超过域名上限 {MAX_HOST_LENGTH}")
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise UrlProblem(f"网站名 “{host}” 格式无效")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        raise UrlProblem(f"链接的网站 “{host}” 是 IP 地址，不是域名")
    puny = [label for label in labels if label.startswith("xn--")]
    if puny:
        raise UrlProblem(f"网站名 “{host}” 是国际化域名（{_decode_idna(puny[0])}），可能是仿冒域名")
    if len(labels) < 2:
        raise UrlProblem(f"网站名 “{host}” 不是完整域名")
    return host


def _decode_idna(label: str) -> str:
    try:
        return label.encode("ascii").decode("idna")
    except UnicodeError:
        return label


def host_in(host: str, hosts: Sequence[str]) -> bool:
    """A normalised host equals one of `hosts` or is its subdomain on a label boundary."""
    return any(host == listed or host.endswith("." + listed) for listed in hosts)


def host_matches(url: str, hosts: Sequence[str]) -> bool:
    """Whether a URL is on one of `hosts` (see `host_in`); an untrustworthy URL never is."""
    try:
        return host_in(parse_url(url).host, hosts)
    except UrlProblem:
        return False


def wechat_biz(query: str) -> str | None:
    """The `__biz` of a WeChat article query, in canonical form (see `canonical_biz`).

    Key and value are percent-decoded; the same account written with and without its
    base64 padding counts once. `UrlProblem` when two different accounts are given.
    """
    values = set()
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if unquote(key) == "__biz" and canonical_biz(value):
            values.add(canonical_biz(value))
    if len(values) > 1:
        raise UrlProblem("微信链接中 __biz 出现了两个不同的值，无法确定公众号")
    return values.pop() if values else None


def find_source(url: str, whitelist: WhitelistConfig) -> SourceMatch:
    """Match a URL against the whitelist, with the rule code when it does not match."""
    try:
        parsed = parse_url(url)
    except UrlProblem as exc:
        return SourceMatch(None, codes.URL_INVALID, exc.reason, HINT_URL)
    if parsed.host == WECHAT_HOST:
        return _find_wechat(parsed, whitelist)
    # The most specific listed host wins: a sub-site listed as its own source
    # (fj.news.cn) is not taken for the broader one (news.cn).
    matches = [
        (len(listed), source)
        for source in whitelist.sources
        for listed in source.hosts
        if host_in(parsed.host, [listed])
    ]
    if matches:
        source = max(matches, key=lambda match: match[0])[1]
        return SourceMatch(source, None, f"网站 {parsed.host} 属于白名单来源“{source.name}”")
    reason = f"网站 {parsed.host} 不属于转载白名单中的任何来源"
    return SourceMatch(None, codes.HOST_NOT_LISTED, reason, HINT_HOST)


def _find_wechat(parsed: ParsedUrl, whitelist: WhitelistConfig) -> SourceMatch:
    if _WECHAT_SHORT.fullmatch(parsed.path):
        # WeChat opens the article the token names; a __biz added to the query is ignored.
        reason = "微信短链接（/s/…）只含文章代码，看不出来自哪个公众号"
        return SourceMatch(None, codes.WECHAT_UNVERIFIABLE, reason, HINT_WECHAT_SHORT)
    try:
        biz = wechat_biz(parsed.query)
    except UrlProblem as exc:
        return SourceMatch(None, codes.URL_INVALID, exc.reason, HINT_URL)
    if biz is None:
        reason = "微信文章链接不含 __biz（公众号标识），无法确认来自哪个公众号"
        return SourceMatch(None, codes.WECHAT_UNVERIFIABLE, reason, HINT_WECHAT_SHORT)
    for source in whitelist.sources:
        for account in source.wechat:
            if account.biz is not None and canonical_biz(account.biz) == biz:
                reason = f"公众号“{account.name}”（__biz={biz}）属于白名单来源“{source.name}”"
                return SourceMatch(source, None, reason)
    reason = f"公众号 __biz={biz} 不属于转载白名单中的任何来源"
    return SourceMatch(None, codes.WECHAT_NOT_LISTED, reason, HINT_WECHAT_BIZ)


def match_source(url: str, whitelist: WhitelistConfig) -> tuple[WhitelistSource | None, str]:
    """The whitelisted source a URL belongs to, or None; and a Chinese reason either way."""
    found = find_source(url, whitelist)
    return found.source, found.reason
