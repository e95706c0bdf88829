"""Validators for personal data found in text: resident IDs, mobile numbers, bank cards.

Pure functions on digit strings (separators already removed). They decide what the lint
reports, so each errs towards "not personal data" only where the number cannot be real.
"""

from __future__ import annotations

from datetime import date

# GB 11643-1999: weights of the first 17 digits, and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# First two digits: province-level division codes (GB/T 2260), plus 71/81/82/83 used for
# Taiwan, Hong Kong and Macao residents' residence permits.
PROVINCE_CODES = frozenset(
    [
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        *(71, 81, 82, 83),
    ]
)

# Issuer prefixes and lengths of payment cards seen in China (ISO/IEC 7812 ranges):
# (lowest prefix, highest prefix, allowed lengths). UnionPay 62 and 81, Discover/UnionPay
# 60 and 65, legacy domestic 95 (e.g. 9558, 95599), Visa 4, Mastercard 51-55 and
# 2221-2720, JCB 3528-3589, American Express 34 and 37.
_CARD_RANGES = (
    ("62", "62", range(16, 20)),
    ("81", "81", range(16, 20)),
    ("60", "60", range(16, 20)),
    ("65", "65", range(16, 20)),
    ("95", "95", range(16, 20)),
    ("4", "4", range(16, 20)),
    ("51", "55", (16,)),
    ("2221", "2720", (16,)),
    ("3528", "3589", range(16, 20)),
    ("34", "34", (15,)),
    ("37", "37", (15,)),
)


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_birth_date(number: str) -> date | None:
    """The birth date encoded in an 18-character ID, or None when it is not a real date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_shaped(number: str, today: date) -> bool:
    """A province code and a plausible birth date: looks like an ID even if mistyped."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    born = id_birth_date(number)
    return (
        int(number[:2]) in PROVINCE_CODES and born is not None and date(1900, 1, 1) <= born <= today
    )


def is_resident_id(number: str, today: date) -> bool:
    """An 18-character resident ID with a real region, birth date and check character."""
    return id_shaped(number, today) and number[17].upper() == id_check_char(number[:17])


def is_old_resident_id(number: str) -> bool:
    """A first-generation 15-digit ID: region, then the birth date as YYMMDD in 19YY.

    These carry no check digit, so the shape is all there is to test; the lint reports
    one only when the text around it says it is an ID.
    """
    if len(number) != 15 or not number.isdigit() or int(number[:2]) not in PROVINCE_CODES:
        return False
    try:
        date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


def is_mobile(number: str) -> bool:
    """An 11-digit mainland mobile number (1[3-9]xxxxxxxxx)."""
    return len(number) == 11 and number[0] == "1" and number[1] in "3456789" and number.isdigit()


def luhn_ok(number: str) -> bool:
    """The Luhn (mod 10) check used by payment cards."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_issuer_plausible(number: str) -> bool:
    """Whether the prefix and length fit a payment card issued or accepted in China."""
    for low, high, lengths in _CARD_RANGES:
        if len(number) in lengths and low <= number[: len(low)] <= high:
            return True
    return False


def is_bank_card(number: str) -> bool:
    """A plausible issuer prefix and length (see `card_issuer_plausible`), passing Luhn."""
    return number.isdigit() and card_issuer_plausible(number) and luhn_ok(number)


def mask(text: str, keep_head: int, keep_tail: int) -> str:
    """Replace the middle of `text` with `*`, keeping the given ends."""
    if len(text) <= keep_head + keep_tail:
        return text[:1] + "*" * (len(text) - 1)
    middle = len(text) - keep_head - keep_tail
    return text[:keep_head] + "*" * middle + (text[-keep_tail:] if keep_tail else "")
