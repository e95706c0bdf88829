"""Checked records: the shape of policies.yaml and of a draft's front-matter.

A `Record` subclass declares its fields with `field(spec, …)`; `Cls.validate(data)` checks
plain YAML data against them and returns a frozen instance, or raises `SchemaError` with
every problem found, each with its location (`("units", 3, "head")`), a kind
(`"missing"`, `"string_too_long"`, …) and the offending input. `fzjj.validation` turns the
problems into Chinese messages.

Pure and dependency-free on purpose: the gate (`fzjj check --base`, the pre-receive hook)
validates the base revision's policies.yaml on every run, and its start-up time is part of
its budget (docs/benchmarks.md). Declaring a record costs no code generation, and checking
one is a walk over its fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar, dataclass_transform

Loc = tuple[str | int, ...]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Issue:
    """One problem: where (`loc`), what (`kind`, `ctx`), and the input found there."""

    __slots__ = ("cause", "ctx", "input", "kind", "loc")

    def __init__(
        self,
        loc: Loc,
        kind: str,
        value: Any,
        ctx: dict[str, Any] | None = None,
        cause: Exception | None = None,
    ) -> None:
        self.loc = loc
        self.kind = kind
        self.input = value
        self.ctx = ctx or {}
        self.cause = cause

    def __repr__(self) -> str:
        return f"Issue({self.loc!r}, {self.kind!r}, {self.input!r})"


class SchemaError(ValueError):
    """The data does not fit the record; `issues` lists every problem, in field order."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(f"{i.loc}: {i.kind}" for i in issues))
        self.issues = issues


class _Invalid(Exception):
    """Raised by a scalar spec; becomes an `Issue` at the current location."""

    def __init__(self, kind: str, **ctx: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.ctx = ctx


_BAD: Any = object()  # a value that failed; its issues are already recorded


# ---- specs: what a value must be ----------------------------------------------------------


class Spec:
    """Checks one value; returns the (possibly converted) value, or records issues."""

    def check(self, value: Any, loc: Loc, issues: list[Issue]) -> Any:
        try:
            return self.convert(value)
        except _Invalid as exc:
            issues.append(Issue(loc, exc.kind, value, exc.ctx))
            return _BAD

    def convert(self, value: Any) -> Any:
        raise NotImplementedError


class Text(Spec):
    """A string of `min_len`..`max_len` characters that `pattern` matches as a whole."""

    def __init__(
        self, min_len: int = 0, max_len: int | None = None, pattern: str | None = None
    ) -> None:
        self.min_len = min_len
        self.max_len = max_len
        self.pattern = pattern
        self._regex = re.compile(pattern) if pattern else None

    def convert(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise _Invalid("string_type")
        if len(value) < self.min_len:
            raise _Invalid("string_too_short", min_length=self.min_len)
        if self.max_len is not None and len(value) > self.max_len:
            raise _Invalid("string_too_long", max_length=self.max_len)
        if self._regex is not None and not self._regex.fullmatch(value):
            raise _Invalid("string_pattern_mismatch", pattern=self.pattern)
        return value


class Integer(Spec):
    def __init__(self, ge: int | None = None, le: int | None = None) -> None:
        self.ge = ge
        self.le = le

    def convert(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid("int_type")
        if self.ge is not None and value < self.ge:
            raise _Invalid("greater_than_equal", ge=self.ge)
        if self.le is not None and value > self.le:
            raise _Invalid("less_than_equal", le=self.le)
        return value


class Boolean(Spec):
    def convert(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise _Invalid("bool_type")
        return value


class Day(Spec):
    """A calendar date: a YAML date, or text written YYYY-MM-DD."""

    _FORM = re.compile(r"\d{4}-\d{2}-\d{2}")

    def convert(self, value: Any) -> Any:
        if isinstance(value, datetime):
            if value.time() != datetime.min.time() or value.tzinfo is not None:
                raise _Invalid("date_from_datetime_parsing")
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            if not self._FORM.fullmatch(value):
                raise _Invalid("date_parsing")
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise _Invalid("date_parsing") from None
        raise _Invalid("date_type")


def _listing(values: Iterator[str]) -> str:
    return "、".join(repr(v) for v in values)


class OneOf(Spec):
    """One of a few fixed strings."""

    def __init__(self, *values: str) -> None:
        self.values = values

    def convert(self, value: Any) -> Any:
        if not isinstance(value, str) or value not in self.values:
            raise _Invalid("literal_error", expected=_listing(iter(self.values)))
        return value


class EnumOf(Spec):
    """A member of a string enum, written as its value."""

    def __init__(self, enum: type[Enum]) -> None:
        self.enum = enum

    def convert(self, value: Any) -> Any:
        if isinstance(value, self.enum):
            return value
        member = self.enum._value2member_map_.get(value) if isinstance(value, str) else None
        if member is None:
            raise _Invalid("enum", expected=_listing(str(m.value) for m in self.enum))
        return member


class Optional(Spec):
    """`None`, or what `inner` accepts."""

    def __init__(self, inner: Spec) -> None:
        self.inner = inner

    def check(self, value: Any, loc: Loc, issues: list[Issue]) -> Any:
        return None if value is None else self.inner.check(value, loc, issues)


class ListOf(Spec):
    def __init__(self, item: Spec, min_len: int = 0) -> None:
        self.item = item
        self.min_len = min_len

    def check(self, value: Any, loc: Loc, issues: list[Issue]) -> Any:
        if not isinstance(value, list | tuple):
            issues.append(Issue(loc, "list_type", value))
            return _BAD
        before = len(issues)
        out = [self.item.check(v, (*loc, i), issues) for i, v in enumerate(value)]
        if len(out) < self.min_len:
            issues.append(Issue(loc, "too_short", value, {"min_length": self.min_len}))
        return out if len(issues) == before else _BAD


class DictOf(Spec):
    def __init__(self, key: Spec, value: Spec) -> None:
        self.key = key
        self.value = value

    def check(self, value: Any, loc: Loc, issues: list[Issue]) -> Any:
        if not isinstance(value, dict):
            issues.append(Issue(loc, "dict_type", value))
            return _BAD
        before = len(issues)
        out = {}
        for k, v in value.items():
            where = (*loc, k if isinstance(k, str | int) else repr(k))
            out[self.key.check(k, where, issues)] = self.value.check(v, where, issues)
        return out if len(issues) == before else _BAD


class Nested(Spec):
    """A mapping checked as the record `cls` (or an instance of it)."""

    def __init__(self, cls: type[Record]) -> None:
        self.cls = cls

    def check(self, value: Any, loc: Loc, issues: list[Issue]) -> Any:
        if isinstance(value, self.cls):
            return value
        if not isinstance(value, dict):
            issues.append(Issue(loc, "model_type", value))
            return _BAD
        return self.cls._build(value, loc, issues)


class Checked(Spec):
    """What `inner` accepts, then `after(value)`; a ValueError from it is a problem."""

    def __init__(self, inner: Spec, after: Callable[[Any], Any]) -> None:
        self.inner = inner
        self.after = after

    def check(self, value: Any, loc: Loc, issues: list[Issue]) -> Any:
        result = self.inner.check(value, loc, issues)
        if result is _BAD:
            return _BAD
        try:
            return self.after(result)
        except ValueError as exc:
            issues.append(Issue(loc, "value_error", value, cause=exc))
            return _BAD


# ---- records ------------------------------------------------------------------------------


class Field:
    __slots__ = ("before", "default", "default_factory", "spec")

    def __init__(
        self,
        spec: Spec,
        default: Any,
        default_factory: Callable[[], Any] | None,
        before: Callable[[Any], Any] | None,
    ) -> None:
        self.spec = spec
        self.default = default
        self.default_factory = default_factory
        self.before = before

    @property
    def required(self) -> bool:
        return self.default is MISSING and self.default_factory is None

    def default_value(self) -> Any:
        return self.default_factory() if self.default_factory is not None else self.default


def field(
    spec: Spec,
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | None = None,
    after: Callable[[Any], Any] | None = None,
    before: Callable[[Any], Any] | None = None,
) -> Any:
    """A record field: `spec` checks the value, `after` may normalise it or raise
    ValueError, `before` sees the raw input first (and may raise ValueError too)."""
    return Field(Checked(spec, after) if after else spec, default, default_factory, before)


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    return value


def plain(value: Any, exclude_defaults: bool = False) -> Any:
    """`value` as JSON-ready data: records as mappings, enums as values, dates as text."""
    if isinstance(value, Record):
        return value.to_data(exclude_defaults=exclude_defaults)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v, exclude_defaults) for v in value]
    if isinstance(value, dict):
        return {plain(k): plain(v, exclude_defaults) for k, v in value.items()}
    return value


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
class Record:
    """A frozen record of checked fields. Unknown keys are problems (`extra_forbidden`)."""

    FIELDS: ClassVar[dict[str, Field]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = dict(cls.FIELDS)
        for name, value in list(vars(cls).items()):
            if isinstance(value, Field):
                fields[name] = value
                delattr(cls, name)
        cls.FIELDS = fields

    def __init__(self, **data: Any) -> None:
        issues: list[Issue] = []
        values = self._values(data, (), issues)
        if not issues:
            self.__dict__.update(values)
            self._after_checked(issues, (), data)
        if issues:
            raise SchemaError(issues)

    @classmethod
    def validate(cls, data: Any) -> Any:
        """`data` (a mapping read from YAML) as a checked record of this class."""
        issues: list[Issue] = []
        if not isinstance(data, dict):
            raise SchemaError([Issue((), "model_type", data)])
        record = cls._build(data, (), issues)
        if issues:
            raise SchemaError(issues)
        return record

    @classmethod
    def prepare(cls, data: dict[Any, Any]) -> dict[Any, Any]:
        """Hook: rewrite the raw mapping before its fields are checked."""
        return data

    def verify(self) -> None:
        """Hook: checks across fields, run when every field is valid; raise ValueError."""

    @classmethod
    def _values(cls, data: dict[Any, Any], loc: Loc, issues: list[Issue]) -> dict[str, Any]:
        before = len(issues)
        try:
            data = cls.prepare(data)
        except ValueError as exc:
            issues.append(Issue(loc, "value_error", data, cause=exc))
            return {}
        values: dict[str, Any] = {}
        for name, spec in cls.FIELDS.items():
            raw = data.get(name, MISSING)
            if raw is MISSING:
                if spec.required:
                    issues.append(Issue((*loc, name), "missing", MISSING))
                else:
                    values[name] = spec.default_value()
                continue
            if spec.before is not None:
                try:
                    raw = spec.before(raw)
                except ValueError as exc:
                    issues.append(Issue((*loc, name), "value_error", raw, cause=exc))
                    continue
            values[name] = spec.spec.check(raw, (*loc, name), issues)
        for key in data:
            if key not in cls.FIELDS:
                shown = key if isinstance(key, str | int) else repr(key)
                issues.append(Issue((*loc, shown), "extra_forbidden", data[key]))
        return values if len(issues) == before else {}

    @classmethod
    def _build(cls, data: dict[Any, Any], loc: Loc, issues: list[Issue]) -> Any:
        before = len(issues)
        values = cls._values(data, loc, issues)
        if len(issues) != before:
            return _BAD
        record = cls.__new__(cls)
        record.__dict__.update(values)
        record._after_checked(issues, loc, data)
        return record if len(issues) == before else _BAD

    def _after_checked(self, issues: list[Issue], loc: Loc, data: Any) -> None:
        try:
            self.verify()
        except ValueError as exc:
            issues.append(Issue(loc, "value_error", data, cause=exc))

    # ---- a value, not an object ----------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def _key(self) -> tuple[Any, ...]:
        return tuple(self.__dict__[name] for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Record)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self), _frozen(self._key())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({inner})"

    def to_data(self, *, exclude_defaults: bool = False) -> dict[str, Any]:
        """The record as JSON-ready data; with `exclude_defaults`, fields left at their
        default are left out (a dumped draft stays as short as a hand-written one)."""
        out: dict[str, Any] = {}
        for name, spec in self.FIELDS.items():
            value = self.__dict__[name]
            if exclude_defaults and not spec.required and value == spec.default_value():
                continue
            out[name] = plain(value, exclude_defaults)
        return out
