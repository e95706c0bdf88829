"""What fzjj remembers between runs, under `.git/fzjj/`, and how it is encoded.

Three stores, none of which is ever pushed or trusted across machines:

- signature verdicts by commit id, and parsed draft summaries by blob id: both are pure
  functions of content-addressed objects, so an entry never goes stale;
- the snapshot: the state of every draft at one head commit, with what is needed to extend
  it when the branch moves on (see `fzjj.history`).

Everything is stored with `marshal` as tuples of plain values (it loads an order of magnitude
faster than pickled objects); the codecs below turn fzjj's types into those tuples and back.
A store that cannot be read, or was written by another format or fzjj version, is ignored and
rebuilt; a store that cannot be written (a read-only repository) leaves fzjj working uncached.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from fzjj import __version__
from fzjj.chain import RecordInput
from fzjj.model import (
    Action,
    DraftState,
    DraftSummary,
    Kind,
    Phase,
    Record,
    Severity,
    Stage,
    Violation,
)
from fzjj.policy import Policy
from fzjj.records import RecordFields

FORMAT = 4  # bump whenever an encoding below changes
CACHE_DIR = "fzjj"
STAMP = (FORMAT, __version__)

T = TypeVar("T")


def cache_dir(git_dir: Path) -> Path:
    return git_dir / CACHE_DIR


def read_store(path: Path) -> Any | None:
    """The stored value, or None when absent, unreadable, or from another format/version."""
    try:
        data = path.read_bytes()
        stamp, value = marshal.loads(data)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return value if tuple(stamp) == STAMP else None


def write_store(path: Path, value: Any) -> None:
    """Replace the store atomically; silently skip when the repository is read-only."""
    try:
        data = marshal.dumps((STAMP, value))
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except (OSError, ValueError):
        pass


class ContentCache:
    """A dict of content-addressed results (commit or blob id → encoded value) on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, Any] | None = None
        self.dirty = False

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            loaded = read_store(self.path)
            self._data = loaded if isinstance(loaded, dict) else {}
        return self._data

    def get(self, key: str, compute: Callable[[], T], keep: Callable[[T], bool]) -> T:
        """The cached value for `key`, else `compute()`, remembered when `keep(value)`."""
        hit = self.data.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        value = compute()
        if keep(value):
            self.data[key] = value
            self.dirty = True
        return value

    def save(self) -> None:
        if self.dirty and self._data is not None:
            write_store(self.path, self._data)
            self.dirty = False


# ---- codecs ----------------------------------------------------------------------------------
# Times are stored as seconds since the epoch and come back in the policy's timezone. Long
# strings that recur in every record (signing keys, roster blob ids) go into a shared table
# and are stored as their index. A state's records are not stored again: the chain makes one
# record per input, in order, so a state keeps only each record's verdict.

Enc = tuple[Any, ...]


class Strings:
    """An append-only table of recurring strings, stored by index."""

    def __init__(self, items: list[str] | None = None) -> None:
        self.items: list[str] = items if items is not None else []
        self._index = {value: n for n, value in enumerate(self.items)}

    def ref(self, value: str | None) -> int:
        if value is None:
            return -1
        n = self._index.get(value)
        if n is None:
            n = len(self.items)
            self.items.append(value)
            self._index[value] = n
        return n

    def get(self, n: int) -> str | None:
        return None if n < 0 else self.items[n]


def enc_violation(v: Violation) -> Enc:
    return (
        v.code,
        v.message,
        v.path,
        v.line,
        v.column,
        v.commit,
        v.draft_id,
        v.severity.value,
        v.hint,
    )


def dec_violation(t: Enc) -> Violation:
    return Violation(t[0], t[1], t[2], t[3], t[4], t[5], t[6], Severity(t[7]), t[8])


def enc_fields(f: RecordFields) -> Enc:
    return (
        f.action.value,
        f.draft_id,
        f.path,
        f.digest,
        f.blob,
        f.policy_version,
        f.stage.value if f.stage else None,
        f.prev,
        f.opinion,
        f.url,
    )


def dec_fields(t: Enc) -> RecordFields:
    return RecordFields(
        Action(t[0]), t[1], t[2], t[3], t[4], t[5], Stage(t[6]) if t[6] else None, t[7], t[8], t[9]
    )


def enc_input(item: RecordInput, roster: str | None, strings: Strings) -> Enc:
    """A record input; its roster is given by blob id (the object is not stored)."""
    return (
        item.commit,
        enc_fields(item.fields) if item.fields is not None else None,
        item.malformed,
        item.sig_ok,
        strings.ref(item.sig_key),
        item.sig_reason,
        strings.ref(roster),
        item.blob_at_path,
        int(item.when.timestamp()),
    )


def dec_input(t: Enc, strings: Strings, roster: Callable[[str], Policy], tz: tzinfo) -> RecordInput:
    blob = strings.get(t[6])
    return RecordInput(
        commit=t[0],
        fields=dec_fields(t[1]) if t[1] is not None else None,
        malformed=t[2],
        sig_ok=t[3],
        sig_key=strings.get(t[4]),
        sig_reason=t[5],
        roster=roster(blob) if blob is not None else None,
        blob_at_path=t[7],
        when=datetime.fromtimestamp(t[8], tz),
    )


def _record(item: Enc, verdict: Enc, strings: Strings, tz: tzinfo) -> Record:
    f = item[1]
    return Record(
        commit=item[0],
        action=Action(f[0]),
        draft_id=f[1],
        path=f[2],
        stage=Stage(f[6]) if f[6] else None,
        digest=f[3],
        blob=f[4],
        opinion=f[8],
        signer=verdict[0],
        key=strings.get(item[4]),
        when=datetime.fromtimestamp(item[8], tz),
        url=f[9],
        valid=verdict[1],
        reason=verdict[2],
    )


def _epoch(when: datetime | None) -> int | None:
    return None if when is None else int(when.timestamp())


def _moment(value: int | None, tz: tzinfo) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, tz)


def enc_state(s: DraftState, inputs: list[Enc]) -> Enc:
    """A state whose records are the draft's `inputs`, one each, in order."""
    if len(s.history) != len(inputs) or any(
        r.commit != i[0] for r, i in zip(s.history, inputs, strict=True)
    ):
        raise ValueError(f"records of {s.draft_id} do not match its inputs")
    index = {id(r): n for n, r in enumerate(s.history)}

    def ref(r: Record | None) -> int:
        return -1 if r is None else index[id(r)]

    return (
        s.draft_id,
        s.path,
        s.title,
        s.unit,
        s.kind.value,
        s.category,
        s.phase.value,
        s.digest,
        ref(s.submission),
        tuple(ref(r) for r in s.approvals),
        ref(s.rejection),
        ref(s.publication),
        s.next_stage.value if s.next_stage else None,
        tuple(s.next_signers),
        _epoch(s.waiting_since),
        _epoch(s.first_submitted),
        tuple((r.signer, r.valid, r.reason) for r in s.history),
        tuple(enc_violation(v) for v in s.violations),
        tuple(s.lint_exceptions),
        s.reads,
    )


def dec_state(t: Enc, inputs: list[Enc], strings: Strings, tz: tzinfo) -> DraftState:
    history = [_record(i, v, strings, tz) for i, v in zip(inputs, t[16], strict=True)]

    def at(n: int) -> Record | None:
        return None if n < 0 else history[n]

    return DraftState(
        draft_id=t[0],
        path=t[1],
        title=t[2],
        unit=t[3],
        kind=Kind(t[4]),
        category=t[5],
        phase=Phase(t[6]),
        digest=t[7],
        submission=at(t[8]),
        approvals=[history[n] for n in t[9]],
        rejection=at(t[10]),
        publication=at(t[11]),
        next_stage=Stage(t[12]) if t[12] else None,
        next_signers=list(t[13]),
        waiting_since=_moment(t[14], tz),
        first_submitted=_moment(t[15], tz),
        history=history,
        violations=[dec_violation(v) for v in t[17]],
        lint_exceptions=list(t[18]),
        reads=t[19],
    )


def enc_summary(d: DraftSummary) -> Enc:
    return (
        d.draft_id,
        d.path,
        d.digest,
        d.title,
        d.unit,
        d.kind.value,
        d.category,
        d.lint_exceptions,
    )


def dec_summary(t: Enc) -> DraftSummary:
    return DraftSummary(t[0], t[1], t[2], t[3], t[4], Kind(t[5]), t[6], tuple(t[7]))


def pack(value: Any) -> bytes:
    return marshal.dumps(value)


def unpack(data: bytes) -> Any:
    return marshal.loads(data)


# path, phase, number of violations, and (for the reports) the epoch seconds of the first
# valid submission and of the valid publication
Index = tuple[str, str, int, int | None, int | None]


def index_entry(state: DraftState) -> Index:
    published = state.publication if state.publication and state.publication.valid else None
    return (
        state.path,
        state.phase.value,
        len(state.violations),
        _epoch(state.first_submitted),
        _epoch(published.when if published else None),
    )


class LazyStates(Mapping[str, DraftState]):
    """Draft states decoded when asked for.

    `index` holds what listing and filtering need (path, phase, violations) so that a
    command showing a few drafts decodes only those.
    """

    def __init__(self, index: Mapping[str, Index], decode: Callable[[str], DraftState]):
        self._index = index
        self._decode = decode
        self._done: dict[str, DraftState] = {}

    def __getitem__(self, key: str) -> DraftState:
        state = self._done.get(key)
        if state is None:
            if key not in self._index:
                raise KeyError(key)
            state = self._decode(key)
            self._done[key] = state
        return state

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def path_of(self, key: str) -> str:
        return self._index[key][0]

    def phase_of(self, key: str) -> Phase:
        return Phase(self._index[key][1])

    def has_violations(self, key: str) -> bool:
        return self._index[key][2] > 0

    def dates_of(self, key: str) -> tuple[int | None, int | None]:
        """Epoch seconds of the first valid submission and of the valid publication.

        Lets a report pick the drafts of its period without decoding the others.
        """
        entry = self._index[key]
        return entry[3], entry[4]
