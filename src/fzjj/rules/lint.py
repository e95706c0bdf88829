"""The pre-review lint (Art. 1): one compiled expression scans a text for every rule.

All patterns — classification markings, sensitive words, digit runs that may be personal
data, and party titles followed by a name — are joined into a single regular expression
whose literal alternatives are laid out as a trie, so a text is read once whatever the
number of words. Digit runs are then validated in Python (ID checksum and birth date, Luhn)
so random numbers are not reported. A `Matcher` is built once per `LintConfig` and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fzjj.rules import codes
from fzjj.rules.config import LintConfig
from fzjj.rules.personal import (
    id_shaped,
    is_bank_card,
    is_mobile,
    is_old_resident_id,
    is_resident_id,
    mask,
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Common Chinese surnames; compound ones are tried first. A few very frequent surnames that
# are far more often function words after a party title (于, 向, 将, 和, 全) are left out.
_COMPOUND_SURNAMES = _words("欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 令狐 慕容 夏侯 司徒 端木 长孙")
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔汤庄洪施柯颜尤粘骆康詹翁庞樊兰殷鲁倪温柳葛牛凌童饶纪连涂卓岳易"
    "甘祝滕聂游阮符盛包鲍邢裴左宁华郁丘舒景关辛边桂隋柏强时霍成季俞甄申芦屈翟焦曲梅项查齐伍"
    "卜耿章毕柴管谷祁牟路苗费靳欧单司闵解丛车冉房安蓝褚麦佘"
)
# A character right after the surname that makes it a word, not a given name:
# "被告人曾因…", "被告人陈述…", "原告方认为…"; and a third character that ends the name:
# "被告人张三犯盗窃罪", "被告人李四酒后驾车".
_FUNCTION_CHARS = frozenset(
    "某在于因被与和及的是系已将把对向从称说等经曾多认不未也都均又再就即却仍还所以之为得要应会能"
    "可并而则由述辩诉供表请提交犯涉持驾酒携趁拒伙盗窃骗故私非无姓"
)
# What follows a surname in the usual anonymised forms of news reports: 王先生, 李女士.
_HONORIFICS = _words(
    "先生 女士 小姐 师傅 老师 同学 律师 法官 警官 医生 阿姨 大爷 大妈 大姐 大哥 老伯 老人"
    " 奶奶 爷爷 阿婆 阿伯 阿公 阿嬷"
)
# Words that begin with a surname character but are not names after a party title.
_DEFAULT_EXCLUSIONS = _words(
    "方面 方式 方律师 全部 全体 何时 何种 单位 单独 单方 双方 时年 时任 时间 时常 时隔 强行"
    " 强迫 强制 强奸 强占 强取 强拿 强索 关于 关系 关押 关闭 关注 查明 查获 查询 查看 查封 申请"
    " 申辩 申诉 申领 申报 解除 解决 解释 安排 安全 安置 路过 路遇 管理 管控 车辆 车内 房屋 房产"
    " 房租 包括 包庇 包养 司法 司机 费用 毕业 成立 成为 成功 成年 万元 金额 余额 钱款 钱财 任职"
    " 任何 任意 程序 范围 白天 陆续 严重 严格 连续 连夜 连同 连忙 连日 游戏 游玩 凌晨 顾客 顾及"
    " 顾虑 尤其 纪律 符合 付款 付清 付给 付出 周围 周末 马上 胡乱 胡说 许可 许诺 董事 高度 高兴"
    " 高利 高价 高速 高额 石头 施暴 施加 施以 牟利 牟取 曾用 涂改 甘愿 左右 宁愿 焦急 黎明 郑重"
    " 粘贴 项目"
)
# Separators of a list of parties after one title: "被告人张某、李四".
_LIST_SEPARATOR = "、"
_LEVELS = r"(?:绝密|机密|秘密)"
# A level alone on its line, as in the top corner of an official document.
_LEVEL_LINE = rf"(?m:^){_LEVELS}(?=[ \t]*(?:\r?\n|\Z))"
# The term after the star of a marking: "10年", "6个月", "长期", "启用前", "公布前".
_TERM = r"(?:\s*(?:[0-9一二三四五六七八九十]+\s*(?:年|个月|月)|长期|启用前|公布前|解密前))?"
_MARK_FORMS = (
    rf"[★☆]\s*{_LEVELS}"
    rf"|{_LEVELS}\s*[★☆]{_TERM}"
    rf"|{_LEVELS}级"
    r"|密级\s*[:：]\s*(?:绝密|机密|秘密|内部)?"
    r"|[【〔［\[（(]\s*(?:内部|绝密|机密|秘密|涉密)\s*[】〕］\]）)]"
    rf"|{_LEVEL_LINE}"
)
# Every character a match of the fixed forms above, or of a number, can start with.
_FIXED_FIRST = "★☆绝机秘密【〔［[（(0123456789"
_DIGIT_RUN = r"(?<![0-9])[0-9]{11,19}[Xx]?(?![0-9])"
_GROUPED_RUN = r"(?<![0-9])[0-9]{3,6}(?:[ \-][0-9]{3,8}){1,4}[Xx]?(?![0-9])"
_CJK = r"[\u4e00-\u9fff]"

# Full-width digits, letters and hyphen, mapped one character to one character so that
# offsets into the original text stay valid. Full-width punctuation (，：（) is everywhere
# in Chinese text and the patterns spell it out themselves, so it does not trigger this.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_HAS_FULLWIDTH = re.compile("[\uff0d\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
# Words before a 15-digit number that make it a first-generation resident ID.
_OLD_ID_CONTEXT = re.compile("身份证|身份号码|证件号|公民身份")
_OLD_ID_CONTEXT_CHARS = 12


@dataclass(frozen=True, slots=True)
class Finding:
    """One lint hit in a text: rule code, offsets, the raw match and its masked form."""

    code: str
    start: int
    end: int
    text: str  # as matched; digits without separators for numbers
    shown: str  # what messages may show (masked for personal data and sensitive words)
    title: str = ""  # the party title before a name (L106)


# Python's regular-expression engine tries the branches of an alternation one after the
# other. Up to this many branches that is fast (a branch starting with a literal is skipped
# after one comparison); above it, branches are grouped under lookaheads on their first
# characters, a tree of set tests whose depth grows with the logarithm of the word count.
_FLAT_BRANCHES = 32
_GROUP_FAN_OUT = 4


def trie_alternation(words: Iterable[str], *, fold_case: bool = False) -> str:
    """A regular expression matching any of `words`, longest first, laid out as a trie.

    With `fold_case`, ASCII letters match in either case (`[aA]`); other characters are
    compared exactly, so offsets and lengths never change.
    """
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(_fold(char) if fold_case else char, {})
        node[""] = {}
    return _emit(root, fold_case) or r"(?!)"


def _fold(char: str) -> str:
    return char.lower() if char.isascii() else char


def _atom(char: str, fold_case: bool) -> str:
    if fold_case and char.isascii() and char.isalpha():
        return f"[{char.lower()}{char.upper()}]"
    return re.escape(char)


def _emit(node: dict[str, Any], fold_case: bool) -> str:
    branches = [
        (char, _atom(char, fold_case) + _emit(child, fold_case))
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    body = _alternation(branches, fold_case)
    if "" not in node:
        return body
    return body + "?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"


def _alternation(branches: list[tuple[str, str]], fold_case: bool) -> str:
    if len(branches) == 1:
        return branches[0][1]
    if len(branches) <= _FLAT_BRANCHES:
        return "(?:" + "|".join(body for _, body in branches) + ")"
    size = -(-len(branches) // _GROUP_FAN_OUT)  # fewer than len(branches): recursion ends
    groups = [branches[i : i + size] for i in range(0, len(branches), size)]
    guarded = []
    for group in groups:
        firsts = "".join(
            (f"{c.lower()}{c.upper()}" if fold_case and c.isalpha() else c) for c, _ in group
        )
        guarded.append(f"(?=[{re.escape(firsts)}]){_alternation(group, fold_case)}")
    return "(?:" + "|".join(guarded) + ")"


class Matcher:
    """The compiled lint for one `LintConfig`."""

    def __init__(self, config: LintConfig) -> None:
        surnames = "|".join([*_COMPOUND_SURNAMES, f"[{''.join(sorted(set(_SURNAMES)))}]"])
        name = rf"(?P<name>(?:{surnames}){_CJK}{{1,2}})"
        parts = [
            rf"(?P<mark>{_MARK_FORMS}|{trie_alternation(config.classification_markings)})",
            rf"(?P<word>{trie_alternation(config.sensitive_words, fold_case=True)})",
            rf"(?P<term>(?<!商业)(?<![非不]){trie_alternation(config.classification_terms)})",
            rf"(?P<num>{_DIGIT_RUN})",
            rf"(?P<grouped>{_GROUPED_RUN})",
            rf"(?P<title>{trie_alternation(config.party_titles)})[:：]?[ ]?{name}",
        ]
        self.body = "|".join(parts)
        firsts = {*_FIXED_FIRST}
        for words in (
            config.classification_markings,
            config.classification_terms,
            config.party_titles,
        ):
            firsts.update(word[0] for word in words)
        firsts.update(
            c for word in config.sensitive_words for c in (word[0].lower(), word[0].upper())
        )
        # A lookahead on the first character lets most positions fail after one set test,
        # instead of trying every alternative: about ten times faster on ordinary text.
        first = "".join(re.escape(char) for char in sorted(firsts))
        self.pattern = re.compile(f"(?=[{first}])(?:{self.body})")
        self.next_name = re.compile(f"{_LIST_SEPARATOR}{name}")
        self.exclusions = tuple({*_DEFAULT_EXCLUSIONS, *config.party_name_exclusions})

    def scan(self, text: str, today: date) -> list[Finding]:
        """Every finding in `text`, in order. Offsets index into `text` itself."""
        original = text
        if _HAS_FULLWIDTH.search(text):
            text = text.translate(_FULLWIDTH)  # same length: offsets stay valid
        found: list[Finding] = []
        for match in self.pattern.finditer(text):
            kind = match.lastgroup
            if kind in ("num", "grouped"):
                hit = _number(match, text, today)
            elif kind == "name":
                found += self._parties(match, text)
                continue
            else:
                hit = _literal(match, kind, original)
            if hit is not None:
                found.append(hit)
        return found

    def _parties(self, match: re.Match[str], text: str) -> list[Finding]:
        """The party named after a title, and the ones listed after it with 、."""
        title = match.group("title")
        found: list[Finding] = []
        current: re.Match[str] | None = match
        while current is not None:
            hit = self._party(current, title)
            if hit is not None:
                found.append(hit)
            current = self.next_name.match(text, current.end("name"))
        return found

    def _party(self, match: re.Match[str], title: str) -> Finding | None:
        name = match.group("name")
        surname_len = 2 if name[:2] in _COMPOUND_SURNAMES else 1
        if len(name) <= surname_len or name[surname_len] in _FUNCTION_CHARS:
            return None
        if name.startswith(self.exclusions) or name[surname_len:].startswith(_HONORIFICS):
            return None
        start, end = match.span("name")
        if len(name) == surname_len + 2 and name[-1] in _FUNCTION_CHARS:
            name, end = name[:-1], end - 1  # "张三在…": the name is 张三
        shown = name[:surname_len] + "*" * (len(name) - surname_len)
        return Finding(codes.PARTY_NAME, start, end, name, shown, title)


def _literal(match: re.Match[str], kind: str | None, original: str) -> Finding:
    start, end = match.span()
    text = original[start:end]  # as written, full-width characters included
    if kind == "word":
        return Finding(codes.SENSITIVE_WORD, start, end, text, mask(text, 1, 0))
    code = codes.CLASSIFICATION_MARK if kind == "mark" else codes.CLASSIFICATION_TERM
    return Finding(code, start, end, text, text)


def _number(match: re.Match[str], text: str, today: date) -> Finding | None:
    digits = match.group().replace(" ", "").replace("-", "").upper()
    start, end = match.span()
    if len(digits) == 18:
        if is_resident_id(digits, today):
            return Finding(codes.RESIDENT_ID, start, end, digits, mask(digits, 4, 4))
        if id_shaped(digits, today):
            return None  # a mistyped ID, not some other number
    if not digits.isdigit():
        return None
    if len(digits) == 15 and is_old_resident_id(digits):
        context = text[max(0, start - _OLD_ID_CONTEXT_CHARS) : start]
        if _OLD_ID_CONTEXT.search(context):
            return Finding(codes.RESIDENT_ID, start, end, digits, mask(digits, 4, 4))
    local = digits
    if len(digits) == 13 and digits.startswith("86"):
        local = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        local = digits[4:]
    if is_mobile(local):
        return Finding(codes.MOBILE, start, end, local, mask(local, 3, 4))
    if is_bank_card(digits):
        return Finding(codes.BANK_CARD, start, end, digits, mask(digits, 4, 4))
    return None


_CACHE: dict[int, tuple[LintConfig, Matcher]] = {}
_CACHE_SIZE = 16


def matcher_for(config: LintConfig) -> Matcher:
    """The compiled matcher for `config`, built once and reused while the config lives."""
    cached = _CACHE.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    matcher = Matcher(config)
    _CACHE[id(config)] = (config, matcher)
    return matcher
