"""The pre-review lint: corpus of true cases and near misses, and property tests."""

from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fzjj.rules import matcher_for
from fzjj.rules.config import LintConfig
from fzjj.rules.lint import trie_alternation
from fzjj.rules.personal import (
    PROVINCE_CODES,
    id_check_char,
    is_bank_card,
    is_resident_id,
    luhn_ok,
    mask,
)

CORPUS = Path(__file__).resolve().parent / "corpus/rules"
TODAY = date(2026, 6, 1)
CONFIG = LintConfig()
MATCHER = matcher_for(CONFIG)


def _lines(name: str) -> list[str]:
    text = (CORPUS / name).read_text("utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _split(line: str) -> tuple[list[str], str]:
    codes, _, text = line.partition(" | ")
    return codes.split(), text


def test_corpus_files_are_well_formed() -> None:
    from fzjj.rules import LINT_CODES

    true_cases = _lines("lint_true.txt")
    near_misses = _lines("lint_near_miss.txt")
    assert len(true_cases) >= 60 and len(near_misses) >= 50
    for line in true_cases:
        expected, text = _split(line)
        assert " | " in line and text and expected, line
        assert set(expected) <= LINT_CODES, line
    # every lint rule that needs no configured word has true cases
    covered = {code for line in true_cases for code in _split(line)[0]}
    assert covered == LINT_CODES - {"L102", "L190"}
    assert not any(" | " in line for line in near_misses)


@pytest.mark.parametrize("line", _lines("lint_true.txt"))
def test_true_cases_are_all_found(line: str) -> None:
    expected, text = _split(line)
    assert [f.code for f in MATCHER.scan(text, TODAY)] == expected


@pytest.mark.parametrize("line", _lines("lint_near_miss.txt"))
def test_near_misses_are_not_reported(line: str) -> None:
    assert MATCHER.scan(line, TODAY) == []


def test_findings_are_masked_and_located() -> None:
    text = "被告人张三，身份证350582199003071238，电话13800138000，卡号6222021234567890128。"
    found = MATCHER.scan(text, TODAY)
    assert [(f.code, f.shown) for f in found] == [
        ("L106", "张*"),
        ("L103", "3505**********1238"),
        ("L104", "138****8000"),
        ("L105", "6222***********0128"),
    ]
    for finding in found:
        assert text[finding.start : finding.end].replace(" ", "") in (finding.text, "张三")


def test_marking_keeps_its_term() -> None:
    texts = [f.text for f in MATCHER.scan("机密★启用前；秘密★6个月；绝密★十年。", TODAY)]
    assert texts == ["机密★启用前", "秘密★6个月", "绝密★十年"]


_ALPHABET = (
    "被告人原张三某王欧阳★☆绝机秘密级内部资料（）【】涉国家注意保密商业非 -0123456789X１３８"
    "abAB、\n"
)


@given(text=st.text(alphabet=_ALPHABET, max_size=80))
def test_first_character_guard_changes_no_match(text: str) -> None:
    import re

    config = LintConfig(sensitive_words=["敏感", "国家", "Ab"])
    matcher = matcher_for(config)
    unguarded = re.compile(matcher.body)
    assert [m.span() for m in matcher.pattern.finditer(text)] == [
        m.span() for m in unguarded.finditer(text)
    ]


def test_fullwidth_digits_keep_offsets() -> None:
    text = "电话：１３８００１３８０００。"
    (finding,) = MATCHER.scan(text, TODAY)
    assert (finding.start, finding.end) == (3, 14)
    assert finding.text == "13800138000"


def test_sensitive_words_from_policy_are_found_longest_first() -> None:
    config = LintConfig(sensitive_words=["敏感", "敏感词语", "禁词"])
    found = matcher_for(config).scan("这里有敏感词语和禁词，还有敏感。", TODAY)
    assert [(f.code, f.text, f.shown) for f in found] == [
        ("L102", "敏感词语", "敏***"),
        ("L102", "禁词", "禁*"),
        ("L102", "敏感", "敏*"),
    ]


def test_sensitive_words_ignore_latin_case_and_full_width() -> None:
    config = LintConfig(sensitive_words=["FLG", "禁词"])
    text = "有 flg、Flg、ＦＬＧ 和禁词。"
    found = matcher_for(config).scan(text, TODAY)
    assert [(f.code, f.text, f.shown) for f in found] == [
        ("L102", "flg", "f**"),
        ("L102", "Flg", "F**"),
        ("L102", "ＦＬＧ", "Ｆ**"),
        ("L102", "禁词", "禁*"),
    ]
    assert all(text[f.start : f.end] == f.text for f in found)


def test_a_level_alone_on_its_line_is_a_marking() -> None:
    text = "秘密\r\n关于某事的通知\n  正文提到机密。\n机密 \n绝密\n"
    found = MATCHER.scan(text, TODAY)
    assert [(f.code, f.text) for f in found] == [
        ("L101", "秘密"),
        ("L107", "机密"),
        ("L101", "机密"),
        ("L101", "绝密"),
    ]
    assert MATCHER.scan("这是一个秘密\n秘密地进行\n", TODAY) == []


def test_old_fifteen_digit_id_needs_a_word_saying_it_is_an_id() -> None:
    assert MATCHER.scan("编号350582900307123。", TODAY) == []
    for before in ("身份证号码：", "身份证 ", "公民身份号码为", "证件号"):
        (found,) = MATCHER.scan(f"{before}350582900307123。", TODAY)
        assert (found.code, found.shown) == ("L103", "3505*******7123")
    far = "身份证" + "，" * 12
    assert MATCHER.scan(f"{far}350582900307123", TODAY) == []


def test_every_name_of_a_list_after_one_title_is_checked() -> None:
    text = "被告人张某、李四、王某某、陈小华等人犯盗窃罪。"
    found = MATCHER.scan(text, TODAY)
    assert [(f.text, f.shown, f.title) for f in found] == [
        ("李四", "李*", "被告人"),
        ("陈小华", "陈**", "被告人"),
    ]
    assert [text[f.start : f.end] for f in found] == ["李四", "陈小华"]
    # the list ends where a word that is not a name comes
    assert MATCHER.scan("被告人张某、高度重视", TODAY) == []


@pytest.mark.parametrize(
    "text", ["当事人王先生", "当事人李女士", "申请人陈阿婆", "被告人黄某", "当事人王姓男子"]
)
def test_usual_anonymised_forms_pass(text: str) -> None:
    assert MATCHER.scan(text, TODAY) == []


def test_party_exclusions_from_policy_apply() -> None:
    text = "被告人黄金周期间作案。"
    assert [f.code for f in MATCHER.scan(text, TODAY)] == ["L106"]
    config = LintConfig(party_name_exclusions=["黄金周"])
    assert matcher_for(config).scan(text, TODAY) == []


def test_birth_date_is_judged_against_today() -> None:
    first17 = "35058220260501123"
    number = first17 + id_check_char(first17)
    text = f"证件号{number}"
    assert [f.code for f in MATCHER.scan(text, date(2026, 5, 2))] == ["L103"]
    assert MATCHER.scan(text, date(2026, 4, 30)) == []


def test_matcher_is_built_once_per_config() -> None:
    config = LintConfig(sensitive_words=["某词"])
    assert matcher_for(config) is matcher_for(config)
    assert matcher_for(LintConfig(sensitive_words=["某词"])) is not matcher_for(config)


def test_trie_alternation_matches_exactly_the_words() -> None:
    import re

    words = ["内部", "内部资料", "内参", "a.b", "x"]
    pattern = re.compile(trie_alternation(words))
    assert pattern.findall("内部资料 内部 内参 a.b a_b x") == [
        "内部资料",
        "内部",
        "内参",
        "a.b",
        "x",
    ]
    assert re.compile(trie_alternation([])).search("anything") is None


@pytest.mark.parametrize(
    ("number", "plausible"),
    [
        ("6217001234567890122", True),
        ("6222021234567890128", True),
        ("4111111111111111", True),
        ("5500000000000004", True),
        ("2221001234567896", True),
        ("3528001234567894", True),
        ("378282246310005", True),
        ("9558801234567890128", True),
        ("7411111111111111", False),
        ("2800123456789013", False),
        ("5600000000000003", False),
        ("3000000000000004", False),
        ("62123456789012", False),
        ("378282246310005" + "0", False),
    ],
)
def test_card_issuer_prefixes_and_lengths(number: str, plausible: bool) -> None:
    from fzjj.rules.personal import card_issuer_plausible

    assert card_issuer_plausible(number) is plausible


def _leftmost_longest(words: list[str], text: str, fold: bool = False) -> list[str]:
    """The reference the trie must agree with: at each position the longest word."""
    key = text.lower() if fold else text
    wanted = sorted({w.lower() if fold else w for w in words}, key=len, reverse=True)
    found, at = [], 0
    while at < len(text):
        word = next((w for w in wanted if key.startswith(w, at)), None)
        if word is None:
            at += 1
            continue
        found.append(text[at : at + len(word)])
        at += len(word)
    return found


_WORD_CHARS = st.sampled_from([chr(c) for c in range(0x4E00, 0x4E00 + 150)] + list("aBc"))


@given(
    words=st.lists(st.text(_WORD_CHARS, min_size=1, max_size=4), min_size=1, max_size=300),
    text=st.text(_WORD_CHARS, max_size=200),
)
def test_large_word_lists_match_like_a_plain_scan(words: list[str], text: str) -> None:
    import re

    # Long lists are laid out as a tree of lookaheads; the matches must not change.
    pattern = re.compile(trie_alternation(words))
    assert pattern.findall(text) == _leftmost_longest(words, text)
    folded = re.compile(trie_alternation(words, fold_case=True))
    assert folded.findall(text) == _leftmost_longest(words, text, fold=True)


def test_two_thousand_words_are_grouped_and_still_exact() -> None:
    import random
    import re

    rng = random.Random(4)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 400)]
    words = ["".join(rng.choices(chars, k=rng.randint(1, 4))) for _ in range(2000)]
    text = "".join(rng.choices(chars, k=5000))
    body = trie_alternation(words)
    assert "(?=[" in body  # the root's branches are grouped
    assert re.compile(body).findall(text) == _leftmost_longest(words, text)


def test_known_reference_values() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    assert mask("350582199003071238", 4, 4) == "3505**********1238"


# ---- properties --------------------------------------------------------------------------

_PROVINCES = st.sampled_from(sorted(PROVINCE_CODES))
_DATES = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    region = f"{draw(_PROVINCES):02d}{draw(st.integers(0, 9999)):04d}"
    born = draw(_DATES).strftime("%Y%m%d")
    first17 = region + born + f"{draw(st.integers(0, 999)):03d}"
    return first17 + id_check_char(first17)


@given(number=valid_ids(), before=st.sampled_from(["", "号码", "：", "ID "]))
def test_generated_valid_ids_are_always_flagged(number: str, before: str) -> None:
    assert is_resident_id(number, TODAY)
    found = MATCHER.scan(f"{before}{number}。", TODAY)
    assert [f.code for f in found] == ["L103"]
    assert found[0].shown == number[:4] + "*" * 10 + number[-4:]


@given(number=valid_ids(), wrong=st.sampled_from("0123456789X"))
def test_wrong_check_character_is_never_flagged(number: str, wrong: str) -> None:
    assume(wrong != number[-1])
    assert MATCHER.scan(f"号码{number[:17]}{wrong}。", TODAY) == []


@given(number=valid_ids(), digit=st.integers(0, 9), front=st.booleans())
def test_id_inside_a_longer_digit_run_is_never_flagged(
    number: str, digit: int, front: bool
) -> None:
    run = f"{digit}{number}" if front else f"{number}{digit}"
    found = MATCHER.scan(f"编号{run}。", TODAY)
    assert all(f.code != "L103" for f in found)


@given(rest=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mobile_numbers_are_flagged_unless_inside_longer_numbers(rest: str) -> None:
    assert [f.code for f in MATCHER.scan(f"电话{rest}。", TODAY)] == ["L104"]
    assert MATCHER.scan(f"编号{rest}1。", TODAY) == []
    assert MATCHER.scan(f"编号2{rest}。", TODAY) == []


@given(body=st.from_regex(r"(?:62|60|65|81|95|4)[0-9]{14,16}", fullmatch=True))
def test_cards_are_flagged_exactly_when_luhn_passes(body: str) -> None:
    number = next(body + d for d in "0123456789" if luhn_ok(body + d))
    assume(not is_resident_id(number, TODAY))
    codes = [f.code for f in MATCHER.scan(f"卡号{number}。", TODAY)]
    assert codes == ["L105"]
    broken = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not is_bank_card(broken)
    assert "L105" not in [f.code for f in MATCHER.scan(f"卡号{broken}。", TODAY)]


_NOT_A_CARD_PREFIX = r"(?:1|7|8[02-9]|6[46-9]|9[0-46-9])"


@given(body=st.from_regex(_NOT_A_CARD_PREFIX + r"[0-9]{14,16}", fullmatch=True))
def test_luhn_numbers_without_a_card_prefix_are_not_cards(body: str) -> None:
    number = next(body + d for d in "0123456789" if luhn_ok(body + d))
    assert not is_bank_card(number)
    assert "L105" not in [f.code for f in MATCHER.scan(f"编号{number}。", TODAY)]


@given(text=st.text(alphabet="0123456789 -", max_size=60))
def test_digit_soup_never_crashes(text: str) -> None:
    for finding in MATCHER.scan(text, TODAY):
        assert 0 <= finding.start < finding.end <= len(text)


@given(text=st.text(st.characters(codec="utf-8"), max_size=200))
def test_any_text_never_crashes_and_offsets_hold(text: str) -> None:
    for finding in MATCHER.scan(text, TODAY):
        assert 0 <= finding.start < finding.end <= len(text)
        if finding.code in ("L101", "L107"):
            assert text[finding.start : finding.end] == finding.text
