"""fzjj.schema: the checked records behind policies.yaml and the drafts' front-matter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from fzjj.model import Kind
from fzjj.schema import (
    Boolean,
    Day,
    DictOf,
    EnumOf,
    Integer,
    ListOf,
    Nested,
    OneOf,
    Optional,
    Record,
    SchemaError,
    Text,
    field,
)
from fzjj.validation import describe


def _upper(value: str) -> str:
    if value.startswith("x"):
        raise ValueError("不能以 x 开头")
    return value.upper()


class Inner(Record):
    code: str = field(Text(1, 4, pattern=r"^[a-z]+$"), after=_upper)
    count: int = field(Integer(ge=0, le=9), default=0)


class Outer(Record):
    name: str = field(Text(1, 8))
    kind: Kind = field(EnumOf(Kind))
    level: str | None = field(Optional(OneOf("a", "b")), default=None)
    flag: bool = field(Boolean(), default=False)
    day: date | None = field(Optional(Day()), default=None)
    items: list[Inner] = field(ListOf(Nested(Inner)), default_factory=list)
    table: dict[str, int] = field(DictOf(Text(1), Integer()), default_factory=dict)

    @classmethod
    def prepare(cls, data: dict[Any, Any]) -> dict[Any, Any]:
        if data.get("name") == "alias":
            return {**data, "name": "real"}
        return data

    def verify(self) -> None:
        if self.flag and not self.items:
            raise ValueError("flag 需要 items")


def issues(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(SchemaError) as info:
        Outer.validate(data)
    return [(i.loc, i.kind) for i in info.value.issues]


def test_valid_data_becomes_a_record_with_defaults_and_conversions() -> None:
    rec = Outer.validate({"name": "n", "kind": "forward", "items": [{"code": "ab"}]})
    assert rec.kind is Kind.FORWARD
    assert rec.items == [Inner(code="ab")]
    assert rec.items[0].code == "AB"  # the after-hook's value is kept
    assert rec.items[0].count == 0
    assert rec.table == {}
    assert rec.day is None


def test_every_problem_is_reported_with_its_location_in_field_order() -> None:
    found = issues(
        {
            "name": "",
            "kind": "other",
            "items": [{"code": "ab"}, {"code": "AB", "count": 10, "zz": 1}],
            "table": {"k": "v"},
            "extra": 1,
        }
    )
    assert found == [
        (("name",), "string_too_short"),
        (("kind",), "enum"),
        (("items", 1, "code"), "string_pattern_mismatch"),
        (("items", 1, "count"), "less_than_equal"),
        (("items", 1, "zz"), "extra_forbidden"),
        (("table", "k"), "int_type"),
        (("extra",), "extra_forbidden"),
    ]


def test_missing_required_field() -> None:
    assert issues({"kind": "original"}) == [(("name",), "missing")]


def test_pattern_must_match_the_whole_text_even_before_a_final_newline() -> None:
    found = issues({"name": "n", "kind": "original", "items": [{"code": "ab\n"}]})
    assert found == [(("items", 0, "code"), "string_pattern_mismatch")]


def test_a_boolean_is_not_an_integer_and_text_is_not_a_boolean() -> None:
    found = issues(
        {"name": "n", "kind": "original", "flag": "yes", "items": [{"code": "a", "count": True}]}
    )
    assert found == [(("flag",), "bool_type"), (("items", 0, "count"), "int_type")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 2, 28), date(2026, 2, 28)),
        ("2026-02-28", date(2026, 2, 28)),
        (datetime(2026, 2, 28), date(2026, 2, 28)),
    ],
)
def test_dates(value: Any, expected: date) -> None:
    assert Outer.validate({"name": "n", "kind": "original", "day": value}).day == expected


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("2026-02-30", "date_parsing"),
        ("2026-2-3", "date_parsing"),
        (datetime(2026, 2, 28, 9, 30), "date_from_datetime_parsing"),
        (20260228, "date_type"),
    ],
)
def test_bad_dates(value: Any, kind: str) -> None:
    assert issues({"name": "n", "kind": "original", "day": value}) == [(("day",), kind)]


def test_after_hook_error_is_a_value_error_with_its_message() -> None:
    with pytest.raises(SchemaError) as info:
        Outer.validate({"name": "n", "kind": "original", "items": [{"code": "xy"}]})
    assert describe(info.value) == [("items[0].code", "不能以 x 开头")]


def test_prepare_rewrites_input_and_verify_runs_only_on_valid_fields() -> None:
    assert Outer.validate({"name": "alias", "kind": "original"}).name == "real"
    with pytest.raises(SchemaError) as info:
        Outer.validate({"name": "n", "kind": "original", "flag": True})
    assert describe(info.value) == [("", "flag 需要 items")]
    # a field problem hides the cross-field check (it would talk about invalid data)
    assert issues({"name": "", "kind": "original", "flag": True}) == [
        (("name",), "string_too_short")
    ]


def test_constructor_checks_like_validate() -> None:
    with pytest.raises(SchemaError):
        Inner(code="A1")
    assert Inner(code="ok", count=3) == Inner.validate({"code": "ok", "count": 3})


def test_records_are_frozen_values() -> None:
    one = Outer.validate({"name": "n", "kind": "original", "table": {"a": 1}})
    two = Outer.validate({"name": "n", "kind": "original", "table": {"a": 1}})
    assert one == two
    assert hash(one) == hash(two)
    assert one != Outer.validate({"name": "n", "kind": "interview"})
    with pytest.raises(AttributeError):
        one.name = "m"  # type: ignore[misc]


def test_to_data_leaves_out_defaults_only_when_asked() -> None:
    rec = Outer.validate({"name": "n", "kind": "original", "day": "2026-01-02"})
    assert rec.to_data(exclude_defaults=True) == {
        "name": "n",
        "kind": "original",
        "day": "2026-01-02",
    }
    assert rec.to_data()["items"] == []
    assert rec.to_data()["flag"] is False


def test_not_a_mapping() -> None:
    with pytest.raises(SchemaError) as info:
        Outer.validate([1])
    assert [(i.loc, i.kind) for i in info.value.issues] == [((), "model_type")]
    assert issues({"name": "n", "kind": "original", "items": ["x"]}) == [
        (("items", 0), "model_type")
    ]


def test_describe_names_list_entries_by_their_id() -> None:
    data = {"name": "n", "kind": "original", "items": [{"code": "ab"}, {"code": 5}]}
    with pytest.raises(SchemaError) as info:
        Outer.validate(data)
    assert describe(info.value, data) == [("items[1].code", "应为文本；实际为 5")]
