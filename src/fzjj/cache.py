"""What fzjj remembers between runs, and how it is encoded.

One SQLite database per repository, `.git/fzjj/cache-v<FORMAT>.sqlite`, never pushed and never
trusted across machines. It holds:

- `sigs`: signature verdicts by commit id, and `blobs`: parsed draft summaries by blob id.
  Both are functions of content-addressed objects, so an entry never goes stale;
- the snapshot of one head commit (`meta`, `commits`, `summaries`, `inputs`, `states`): the
  state of every draft there, with what is needed to extend it (see `fzjj.history`). Rows are
  read only when a step needs them, and an extension rewrites only the rows it changed, in one
  transaction that first checks the snapshot is still the one it started from.

Values are tuples of plain values packed with `marshal` (it loads an order of magnitude faster
than pickled objects); the codecs below turn fzjj's types into those tuples and back. A
database that cannot be opened or written (a read-only repository, a full disk, another
process holding the lock for too long) leaves fzjj working uncached; one written by another
format or fzjj version is emptied first.
"""

from __future__ import annotations

import marshal
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

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

FORMAT = 9  # bump whenever an encoding or a table below changes
CACHE_DIR = "fzjj"
STAMP = (FORMAT, __version__)
TABLES = ("meta", "commits", "summaries", "inputs", "states", "sigs", "blobs")
SNAPSHOT_TABLES = ("commits", "summaries", "inputs", "states")


class Store:
    """The cache database of one repository, opened on first use."""

    def __init__(self, git_dir: Path) -> None:
        self.path = git_dir / CACHE_DIR / f"cache-v{FORMAT}.sqlite"
        self._db: sqlite3.Connection | None = None
        self._opened = False

    @property
    def db(self) -> sqlite3.Connection | None:
        if not self._opened:
            self._opened = True
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection | None:
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            pass  # not a database (damaged, truncated): start a new one
        except (OSError, sqlite3.Error, ValueError, EOFError, TypeError):
            return None
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return self._connect()
        except (OSError, sqlite3.Error, ValueError, EOFError, TypeError):
            return None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(exist_ok=True)
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        for table in TABLES:
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} (k TEXT PRIMARY KEY, v BLOB)")
        row = db.execute("SELECT v FROM meta WHERE k = 'stamp'").fetchone()
        try:
            current = row is not None and tuple(marshal.loads(row[0])) == STAMP
        except (ValueError, EOFError, TypeError):
            current = False
        if not current:
            with _transaction(db):
                for table in TABLES:
                    db.execute(f"DELETE FROM {table}")
                db.execute("INSERT INTO meta VALUES ('stamp', ?)", (marshal.dumps(STAMP),))
        return db

    def get(self, table: str, key: str) -> Any | None:
        db = self.db
        if db is None:
            return None
        try:
            row = db.execute(f"SELECT v FROM {table} WHERE k = ?", (key,)).fetchone()
            return None if row is None else marshal.loads(row[0])
        except (sqlite3.Error, ValueError, EOFError, TypeError):
            return None

    def get_many(self, table: str, keys: Iterable[str]) -> dict[str, Any]:
        db = self.db
        wanted = list(keys)
        if db is None or not wanted:
            return {}
        out: dict[str, Any] = {}
        try:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                query = f"SELECT k, v FROM {table} WHERE k IN ({marks})"
                for key, value in db.execute(query, part):
                    out[key] = marshal.loads(value)
        except (sqlite3.Error, ValueError, EOFError, TypeError):
            return {}
        return out

    def get_all(self, table: str) -> dict[str, Any]:
        db = self.db
        if db is None:
            return {}
        try:
            return {k: marshal.loads(v) for k, v in db.execute(f"SELECT k, v FROM {table}")}
        except (sqlite3.Error, ValueError, EOFError, TypeError):
            return {}

    def put_many(self, table: str, items: Iterable[tuple[str, Any]]) -> None:
        """Insert or replace rows outside any snapshot transaction (content caches)."""
        db = self.db
        if db is None:
            return
        rows = [(k, marshal.dumps(v)) for k, v in items]
        if not rows:
            return
        try:
            with _transaction(db):
                db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass

    def read_snapshot(self) -> tuple[dict[str, Any], bytes] | None:
        """The stored snapshot's values and its file part, still encoded (`decode_part`).

        Both rows come from one statement, so from one write; the file part is checked
        against the digest the values hold.
        """
        db = self.db
        if db is None:
            return None
        try:
            found = dict(
                db.execute(
                    "SELECT k, v FROM meta WHERE k IN ('snapshot', 'snapshot_files')"
                ).fetchall()
            )
            if len(found) != 2:
                return None
            meta = marshal.loads(found["snapshot"])
            files = bytes(found["snapshot_files"])
        except (sqlite3.Error, ValueError, EOFError, TypeError):
            return None
        if not isinstance(meta, dict) or meta.get("files_crc") != zlib.crc32(files):
            return None
        return meta, files

    def write_snapshot(
        self,
        expected_head: str | None,
        meta: dict[str, Any],
        files: dict[str, Any] | None,
        rows: Mapping[str, Iterable[tuple[str, Any]]],
        deleted: Mapping[str, Iterable[str]],
        *,
        replace: bool,
    ) -> bool:
        """Store a snapshot in one transaction; False when another process moved it first.

        `replace` empties the snapshot tables first (a full rebuild); otherwise only `rows`
        are upserted and `deleted` removed, and only if the stored snapshot's head is still
        `expected_head`. `files` is the file part (None: unchanged, keep the stored one).
        """
        db = self.db
        if db is None:
            return False
        try:
            with _transaction(db):
                if not replace:
                    # the head in a row of its own: checking it reads no snapshot
                    row = db.execute("SELECT v FROM meta WHERE k = 'snapshot_head'").fetchone()
                    if row is None or marshal.loads(row[0]) != expected_head:
                        raise _Moved
                else:
                    for table in SNAPSHOT_TABLES:
                        db.execute(f"DELETE FROM {table}")
                for table, keys in deleted.items():
                    db.executemany(f"DELETE FROM {table} WHERE k = ?", [(k,) for k in keys])
                for table, items in rows.items():
                    db.executemany(
                        f"INSERT OR REPLACE INTO {table} VALUES (?, ?)",
                        [(k, marshal.dumps(v)) for k, v in items],
                    )
                if files is not None:
                    part = marshal.dumps(files)
                    meta = {**meta, "files_crc": zlib.crc32(part)}
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('snapshot_files', ?)", (part,))
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('snapshot', ?)", (marshal.dumps(meta),)
                )
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('snapshot_head', ?)",
                    (marshal.dumps(meta["head"]),),
                )
        except (_Moved, sqlite3.Error, ValueError):
            return False
        return True

    def forget_snapshot(self) -> None:
        """Drop the snapshot (the next run rebuilds it); the content caches stay."""
        db = self.db
        if db is not None:
            with _transaction(db):
                db.execute(
                    "DELETE FROM meta WHERE k IN ('snapshot', 'snapshot_head', 'snapshot_files')"
                )


def decode_part(raw: bytes) -> dict[str, Any]:
    """A part of the snapshot that `read_snapshot` left encoded."""
    part: dict[str, Any] = marshal.loads(raw)
    return part


class _Moved(Exception):
    """The stored snapshot changed under us; the write is dropped."""


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


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


_ACTIONS = {a.value: a for a in Action}
_STAGES: dict[str | None, Stage | None] = {s.value: s for s in Stage}
_STAGES[None] = None


def _record(item: Enc, verdict: Enc, strings: Strings, tz: tzinfo) -> Record:
    f = item[1]
    key = item[4]
    return Record(
        item[0],
        _ACTIONS[f[0]],
        f[1],
        f[2],
        _STAGES[f[6]],
        f[3],
        f[4],
        f[8],
        verdict[0],
        None if key < 0 else strings.items[key],
        datetime.fromtimestamp(item[8], tz),
        f[9],
        verdict[1],
        verdict[2],
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
    command showing a few drafts decodes only those; `values()` and `items()` decode all of
    them with `decode_all`, in bulk.
    """

    def __init__(
        self,
        index: Mapping[str, Index],
        decode: Callable[[str], DraftState],
        decode_all: Callable[[], dict[str, DraftState]],
    ) -> None:
        self._index = index
        self._decode = decode
        self._decode_all = decode_all
        self._done: dict[str, DraftState] = {}
        self._complete = False

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

    def _all(self) -> dict[str, DraftState]:
        if not self._complete:
            for key, state in self._decode_all().items():
                self._done.setdefault(key, state)
            self._complete = True
        return {key: self._done[key] for key in self._index}

    def values(self) -> Any:
        return self._all().values()

    def items(self) -> Any:
        return self._all().items()

    def path_of(self, key: str) -> str:
        return self._index[key][0]

    def phase_of(self, key: str) -> Phase:
        return Phase(self._index[key][1])

    def has_violations(self, key: str) -> bool:
        return self._index[key][2] > 0

    def dated_from(self, floor: float, *, submitted: bool, published: bool) -> list[str]:
        """The drafts first submitted (`submitted`) or published (`published`) at or after
        `floor` (epoch seconds), from the index alone."""
        return [
            key
            for key, entry in self._index.items()
            if (submitted and entry[3] is not None and entry[3] >= floor)
            or (published and entry[4] is not None and entry[4] >= floor)
        ]
