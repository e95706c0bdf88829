"""Rebuild the state of every draft from git alone.

A full rebuild reads every commit in one `git log` stream, finds the policies.yaml blob of
each tree (one `cat-file --batch-check`), decides the trusted roster at each commit, verifies
the signature of every record and roster change in-process, checks each record's blob
against its tree, reads the drafts at the revision and replays the review chain.

Three things make repeated runs cheap, all in the cache database under `.git/fzjj/` (see
`fzjj.cache`):

- signature verdicts are remembered by commit id and draft summaries by blob id; both are
  functions of content-addressed objects, so a remembered entry can never be stale;
- the snapshot keeps the outcome at one head commit. Asked for the same commit, it is the
  answer. Asked for a descendant, only the new commits are read (`git log NEW ^OLD`): each
  gets its roster from its parents' (which the snapshot holds), its records are verified and
  appended, the changed drafts are re-read (`git diff-tree`), and only the drafts those touch
  are replayed — all drafts when the trusted roster itself changed. The result equals a full
  rebuild because the trusted roster and the records of a commit depend only on its ancestry,
  and every commit outside OLD's history comes after all of it in topological order.

Anything else (a rewritten branch, another trust root, a cache from another fzjj version)
falls back to the full rebuild. `FZJJ_NO_CACHE=1` forces it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, tzinfo
from typing import Any

from fzjj import cache, chain, gitstore, sigverify
from fzjj.draft import CONTENT_DIR, Draft, check_path, line_of, parse_draft
from fzjj.errors import DraftError, FzjjError, PolicyError
from fzjj.gitstore import Commit, GitRepo
from fzjj.model import DraftState, DraftSummary, RosterVersion, Violation
from fzjj.policy import POLICY_FILE, Policy, decode_policy
from fzjj.records import RecordFields, split_records
from fzjj.schema import SchemaError

NO_CACHE_ENV = "FZJJ_NO_CACHE"

# Verdicts that depend on this machine (gpg's keyring, gpg being installed), not on the commit.
_VOLATILE = frozenset({sigverify.OPENPGP_UNKNOWN_KEY, sigverify.OPENPGP_UNAVAILABLE})

Verdict = tuple[bool, str | None, str | None, str | None]  # ok, key, reason, code


class History:
    """What one pass over a revision found."""

    def __init__(
        self,
        *,
        repo: GitRepo,
        head: str,
        policy: Policy,
        states: cache.LazyStates,
        violations: list[Violation],
        paths: dict[str, str],
        files: Callable[[], dict[str, str]],
        commits: int,
        inputs: _Inputs,
        source: str,
    ) -> None:
        self.repo = repo
        self.head = head
        self.policy = policy  # the trusted roster at the revision
        self.states = states  # by draft id
        self.violations = violations  # not tied to one draft (roster, malformed records, files)
        self.paths = paths  # path → draft id, for the drafts that parse
        self._files = files
        self.commits = commits
        self._inputs = inputs
        self._drafts: _Drafts | None = None
        self.rosters: list[RosterVersion] = []  # trusted roster versions, oldest first
        self.source = source  # "snapshot", "extended" or "rebuilt": how this was obtained

    @property
    def files(self) -> dict[str, str]:
        """path → blob id of every content/**.md at the revision."""
        return self._files()

    @property
    def drafts(self) -> Mapping[str, Draft]:
        """The parsed drafts at the revision, by draft id (read when first asked for)."""
        if self._drafts is None:
            self._drafts = _Drafts(self.repo, self.files, self.paths)
        return self._drafts

    @property
    def inputs(self) -> Mapping[str, list[chain.RecordInput]]:
        """Every record of each draft, as verified, parents first (decoded on demand)."""
        return self._inputs

    def all_violations(self) -> list[Violation]:
        """Publication violations (R001) first, then the rest."""
        states = list(self.states.values())
        out = [v for v in self.violations if v.code == "R001"]
        for state in states:
            out += [v for v in state.violations if v.code == "R001"]
        out += [v for v in self.violations if v.code != "R001"]
        for state in states:
            out += [v for v in state.violations if v.code != "R001"]
        return out


def load(
    repo: GitRepo,
    rev: str = "HEAD",
    *,
    trust_root: str | None = None,
) -> History:
    head = repo.resolve(rev)
    if head is None:
        raise FzjjError(f"找不到版本 {rev}（仓库还没有提交？）", hint="先提交 policies.yaml。")
    # --trust-root, FZJJ_TRUST_ROOT or `git config fzjj.trustRoot`, else the first roster
    root_oid = gitstore.trust_anchor(repo, head, trust_root)
    store = None if os.environ.get(NO_CACHE_ENV) else cache.Store(repo.git_dir)
    snap = _Snapshot.read(store, root_oid) if store is not None else None
    if snap is not None and snap.head == head:
        return snap.history(repo)
    if snap is not None and repo.is_ancestor(snap.head, head):
        builder = _Builder(repo, head, snap, extending=True)
        builder.new = list(repo.commits([head, "^" + snap.head]))
    else:
        builder = _full_builder(repo, head, store, root_oid, frozenset())
    while True:
        try:
            result = builder.finish()
            break
        except _Revoke as found:  # terminates: the set of revoked keys only grows
            again = builder.new if not builder.extending else None
            builder = _full_builder(repo, head, store, root_oid, found.keys, again)
    if not builder.volatile:
        builder.snap.write(replace=not builder.extending)
    return result


_PARALLEL_FROM = 2000  # records to verify before it pays to start worker processes
_OVERLAP_FROM = 500  # new commits before git's lookups pay for running beside the parsing
_CHUNK = 1000


def _verify_chunk(items: list[tuple[str, bytes]]) -> list[tuple[str, Verdict]]:
    out: list[tuple[str, Verdict]] = []
    for oid, raw in items:
        result = sigverify.verify_commit(raw)
        out.append((oid, (result.ok, result.key, result.reason, result.code)))
    return out


def _verify_in_parallel(commits: list[Commit]) -> dict[str, Verdict]:
    """Verify many signatures on every core (a first run over a long history, in CI)."""
    from concurrent.futures import ProcessPoolExecutor

    items = [(c.oid, c.raw) for c in commits]
    chunks = [items[n : n + _CHUNK] for n in range(0, len(items), _CHUNK)]
    out: dict[str, Verdict] = {}
    try:
        with ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, 8)) as pool:
            for part in pool.map(_verify_chunk, chunks):
                out.update(part)
    except (OSError, RuntimeError):
        return {}  # no worker processes here: verify one by one as usual
    return out


def _full_builder(
    repo: GitRepo,
    head: str,
    store: cache.Store | None,
    root: str | None,
    revoked: frozenset[str],
    commits: list[Commit] | None = None,
) -> _Builder:
    snap = _Snapshot.empty(store, root, head)
    snap.meta["revoked"] = sorted(revoked)
    builder = _Builder(repo, head, snap)
    has_verdicts = builder.has_verdicts()
    # With verdicts cached, most commits need no signature check: skip their bytes.
    builder.new = (
        commits if commits is not None else list(repo.commits([head], raw=not has_verdicts))
    )
    return builder


# ---- the snapshot ----------------------------------------------------------------------------


# The parts of the snapshot that change only with the draft files: stored in a row of their
# own, decoded when a step needs them (an extension that adds records only does not).
_FILE_KEYS = ("files", "ids", "errors")


class _Meta(dict[str, Any]):
    """A snapshot's small values, with the file parts decoded on first access."""

    def __init__(self, main: dict[str, Any], files: bytes) -> None:
        super().__init__(main)
        self._raw: bytes | None = files
        self.files_loaded = False

    def __missing__(self, key: str) -> Any:
        if key not in _FILE_KEYS or self._raw is None:
            raise KeyError(key)
        self.update(cache.decode_part(self._raw))
        self._raw = None
        self.files_loaded = True
        return self[key]


class _Snapshot:
    """The snapshot being read or built.

    Small, always-needed parts live in `meta` (one row); the roster of each commit, the draft
    summaries and each draft's records and state are rows fetched only when a step needs them.
    Changes are kept in memory until `write`.
    """

    def __init__(self, store: cache.Store | None, meta: dict[str, Any]) -> None:
        self.store = store
        self.meta = meta
        self.table = cache.Strings(meta["strings"])
        self._base = meta["head"]  # the head this snapshot was read at (None when new)
        self.trusted: dict[str, tuple[str | None, str | None]] = {}
        self._summaries: dict[str, cache.Enc] = {}
        self._inputs: dict[str, list[cache.Enc]] = {}
        self._states: dict[str, cache.Enc] = {}
        self._dirty: dict[str, set[str]] = {t: set() for t in cache.SNAPSHOT_TABLES}
        self._gone: dict[str, set[str]] = {t: set() for t in cache.SNAPSHOT_TABLES}

    @classmethod
    def empty(cls, store: cache.Store | None, root: str | None, head: str) -> _Snapshot:
        meta: dict[str, Any] = {
            "root": root,
            "head": None,
            "commits": 0,
            "head_roster": "",
            "rosters": {},  # blob → policies.yaml bytes, for every trusted roster
            "roster_data": {},  # blob → the validated roster as plain data (no YAML to parse)
            "files": {},  # path → blob of every content/**.md at head
            "ids": {},  # path → draft id, for every file that parses
            "errors": {},  # path → (message, line, hint) for files that do not
            "paths": {},  # path → draft id, first path of each id
            "file_violations": [],
            "roster_violations": [],
            "malformed": [],  # inputs whose trailers do not parse
            "roster_log": [],  # every roster version that took effect, oldest first
            "revoked": [],  # keys a trusted roster marked compromised: void everywhere
            "index": {},  # draft id → cache.Index: path, phase, violations, key dates
            "strings": [],
        }
        return cls(store, meta)

    @classmethod
    def read(cls, store: cache.Store, root: str | None) -> _Snapshot | None:
        found = store.read_snapshot()
        if found is None:
            return None
        meta = found[0]
        if not isinstance(meta, dict) or meta.get("root") != root or not meta.get("head"):
            return None
        return cls(store, _Meta(meta, found[1]))

    @property
    def head(self) -> str:
        return str(self.meta["head"])

    def history(
        self, repo: GitRepo, source: str = "snapshot", rosters: _Rosters | None = None
    ) -> History:
        meta = self.meta
        rosters = rosters or _Rosters(meta["rosters"], meta["roster_data"])
        policy = rosters.get(meta["head_roster"])
        tz = policy.tz
        loose = [Violation("R029", f"记录格式错误：{t[2]}", commit=t[0]) for t in meta["malformed"]]
        violations = [cache.dec_violation(v) for v in meta["roster_violations"]]
        violations += [cache.dec_violation(v) for v in meta["file_violations"]]
        history = History(
            repo=repo,
            head=self.head,
            policy=policy,
            states=cache.LazyStates(
                meta["index"],
                lambda draft_id: self.state(draft_id, tz),
                lambda: self.all_states(tz),
            ),
            violations=violations + loose,
            paths=meta["paths"],
            files=lambda: meta["files"],
            commits=meta["commits"],
            inputs=_Inputs(self, rosters, tz),
            source=source,
        )
        history.rosters = [RosterVersion(*entry) for entry in meta["roster_log"]]
        return history

    # -- rows --

    def _fetch(self, table: str, cached: dict[str, Any], keys: Iterable[str]) -> None:
        if self.store is None or self._base is None:
            return  # a new snapshot: everything is in memory
        missing = [k for k in keys if k not in cached and k not in self._gone[table]]
        if missing:
            cached.update(self.store.get_many(table, missing))

    def trusted_of(self, oids: Iterable[str]) -> None:
        """Make sure the rosters of `oids` (when known) are in `self.trusted`."""
        self._fetch("commits", self.trusted, oids)

    def set_trusted(self, oid: str, value: tuple[str | None, str | None]) -> None:
        self.trusted[oid] = value
        self._dirty["commits"].add(oid)

    def summaries(self, paths: Iterable[str]) -> dict[str, cache.Enc]:
        wanted = list(paths)
        self._fetch("summaries", self._summaries, wanted)
        return {p: self._summaries[p] for p in wanted}

    def set_summary(self, path: str, value: cache.Enc | None) -> None:
        if value is None:
            self._summaries.pop(path, None)
            self._dirty["summaries"].discard(path)
            self._gone["summaries"].add(path)
        else:
            self._summaries[path] = value
            self._dirty["summaries"].add(path)
            self._gone["summaries"].discard(path)

    def inputs_of(self, draft_id: str) -> list[cache.Enc]:
        items = self._inputs.get(draft_id)
        if items is None:
            self._fetch("inputs", self._inputs, [draft_id])
            items = self._inputs.setdefault(draft_id, [])
        return items

    def draft_ids_with_inputs(self) -> set[str]:
        if self.store is not None and self._base is not None:
            for key, value in self.store.get_all("inputs").items():
                if key not in self._gone["inputs"]:
                    self._inputs.setdefault(key, value)
        return {k for k, v in self._inputs.items() if v}

    def add_input(self, draft_id: str, item: cache.Enc) -> None:
        self.inputs_of(draft_id).append(item)
        self._dirty["inputs"].add(draft_id)

    def state(self, draft_id: str, tz: tzinfo) -> DraftState:
        self._fetch("states", self._states, [draft_id])
        return cache.dec_state(self._states[draft_id], self.inputs_of(draft_id), self.table, tz)

    def all_states(self, tz: tzinfo) -> dict[str, DraftState]:
        """Every draft's state, read in bulk."""
        for table, cached in (("states", self._states), ("inputs", self._inputs)):
            if self.store is not None and self._base is not None:
                for key, value in self.store.get_all(table).items():
                    if key not in self._gone[table]:
                        cached.setdefault(key, value)
        return {
            draft_id: cache.dec_state(
                self._states[draft_id], self._inputs.get(draft_id, []), self.table, tz
            )
            for draft_id in self.meta["index"]
        }

    def set_state(self, state: DraftState) -> None:
        draft_id = state.draft_id
        self._states[draft_id] = cache.enc_state(state, self.inputs_of(draft_id))
        self.meta["index"][draft_id] = cache.index_entry(state)
        self._dirty["states"].add(draft_id)
        self._gone["states"].discard(draft_id)

    def drop_state(self, draft_id: str) -> None:
        self._states.pop(draft_id, None)
        self.meta["index"].pop(draft_id, None)
        self._dirty["states"].discard(draft_id)
        self._gone["states"].add(draft_id)

    def write(self, *, replace: bool) -> None:
        if self.store is None:
            return
        sources: dict[str, dict[str, Any]] = {
            "commits": self.trusted,
            "summaries": self._summaries,
            "inputs": self._inputs,
            "states": self._states,
        }
        rows = {t: [(k, sources[t][k]) for k in keys] for t, keys in self._dirty.items()}
        meta = self.meta
        files = None
        if not isinstance(meta, _Meta) or meta.files_loaded:
            files = {k: meta[k] for k in _FILE_KEYS}
        main = {k: v for k, v in meta.items() if k not in _FILE_KEYS}
        self.store.write_snapshot(self._base, main, files, rows, self._gone, replace=replace)


class _Rosters:
    """Trusted policies.yaml versions by blob id, built when first needed.

    A roster parsed once is kept as plain data in the snapshot (`roster_data`): checking
    that data again is a few times cheaper than parsing the YAML, and a run served from
    the snapshot then needs no YAML parser at all.
    """

    def __init__(self, raw: dict[str, bytes], data: dict[str, Any]) -> None:
        self.raw = raw
        self.data = data
        self._parsed: dict[str, Policy] = {}

    def remember(self, blob: str, policy: Policy) -> None:
        self._parsed[blob] = policy
        self.data.setdefault(blob, policy.to_data())

    def get(self, blob: str) -> Policy:
        policy = self._parsed.get(blob)
        if policy is None:
            policy = self._from_data(blob)
            if policy is None:
                policy = decode_policy(self.raw[blob])
                self.data[blob] = policy.to_data()
            self._parsed[blob] = policy
        return policy

    def _from_data(self, blob: str) -> Policy | None:
        plain = self.data.get(blob)
        if plain is None:
            return None
        try:
            policy: Policy = Policy.validate(plain)
        except SchemaError:
            return None  # not what `to_data` wrote (a damaged row): parse the YAML again
        return policy


class _Inputs(Mapping[str, list[chain.RecordInput]]):
    """Each draft's record inputs from the snapshot, decoded when asked for: an action on
    one draft decodes that draft's records only, a full check all of them."""

    def __init__(self, snap: _Snapshot, rosters: _Rosters, tz: tzinfo):
        self.snap = snap
        self.rosters = rosters
        self.tz = tz
        self._decoded: dict[str, list[chain.RecordInput]] = {}
        self._ids: set[str] | None = None

    def __getitem__(self, draft_id: str) -> list[chain.RecordInput]:
        items = self._decoded.get(draft_id)
        if items is None:
            items = [self.decode(t) for t in self.snap.inputs_of(draft_id)]
            if not items:
                raise KeyError(draft_id)
            self._decoded[draft_id] = items
        return items

    def _all_ids(self) -> set[str]:
        if self._ids is None:
            self._ids = self.snap.draft_ids_with_inputs()
        return self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._all_ids()))

    def __len__(self) -> int:
        return len(self._all_ids())

    def decode(self, t: cache.Enc) -> chain.RecordInput:
        return cache.dec_input(t, self.snap.table, self.rosters.get, self.tz)


class _Drafts(Mapping[str, Draft]):
    """Drafts at the revision, parsed from their blobs when first asked for."""

    def __init__(self, repo: GitRepo, files: dict[str, str], paths: dict[str, str]) -> None:
        self._repo = repo
        self._files = files
        self._path_of = {draft_id: path for path, draft_id in paths.items()}
        self._parsed: dict[str, Draft] = {}
        self._complete = False

    def _read(self, ids: Iterable[str]) -> None:
        wanted = [i for i in ids if i not in self._parsed and i in self._path_of]
        blobs = self._repo.cat_objects(self._files[self._path_of[i]] for i in wanted)
        for draft_id in wanted:
            path = self._path_of[draft_id]
            data = blobs.get(self._files[path])
            if data is None:
                continue
            try:
                self._parsed[draft_id] = parse_draft(data, path)
            except DraftError:
                continue

    def _all(self) -> dict[str, Draft]:
        if not self._complete:
            self._read(self._path_of)
            self._complete = True
        return self._parsed

    def __getitem__(self, key: str) -> Draft:
        if key not in self._parsed:
            self._read([key])
        return self._parsed[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._path_of)

    def __contains__(self, key: object) -> bool:
        return key in self._path_of

    def values(self) -> Any:
        return self._all().values()

    def items(self) -> Any:
        return self._all().items()


# ---- building --------------------------------------------------------------------------------


class _Revoke(Exception):
    """Raised by a rebuild that found keys newly marked compromised."""

    def __init__(self, keys: frozenset[str]) -> None:
        super().__init__("revoked keys changed")
        self.keys = keys


class _Builder:
    """One rebuild in progress: a full one, or an extension of a snapshot by `new` commits."""

    def __init__(self, repo: GitRepo, head: str, snap: _Snapshot, *, extending: bool = False):
        self.repo = repo
        self.head = head
        self.snap = snap
        self.extending = extending
        self.new: list[Commit] = []
        self.touched: set[str] = set()  # draft ids to replay
        self.replay_all = not extending
        self.volatile = False  # a verdict depended on this machine: do not keep the snapshot
        self.rosters = _Rosters(snap.meta["rosters"], snap.meta["roster_data"])
        self._verdicts: dict[str, Verdict] = {}
        self._known: set[str] = set()  # verdicts that came from the cache
        self.revoked = frozenset(snap.meta["revoked"])
        self.fresh: dict[str, list[chain.RecordInput]] = {}  # the new commits' records

    def finish(self) -> History:
        meta = self.snap.meta
        self._load_verdicts()
        trees = list(dict.fromkeys(c.tree for c in self.new))
        rosters = [f"{t}:{POLICY_FILE}" for t in trees]
        if len(self.new) < _OVERLAP_FROM:
            # a few new commits: one git process for both lookups
            found, malformed = split_records(self.new)
            both = self.repo.lookup(rosters + [f"{c.tree}:{f.path}" for c, f in found])
            self._advance_rosters(dict(zip(trees, both[: len(trees)], strict=True)))
            at_path = both[len(trees) :]
        else:
            from concurrent.futures import ThreadPoolExecutor

            # git looks up the policies.yaml of every tree and the file of every record while
            # Python parses the records: the lookups run in threads (the work is in git).
            with ThreadPoolExecutor(max_workers=2) as pool:
                own = pool.submit(self.repo.lookup, rosters)
                found, malformed = split_records(self.new)
                blobs = pool.submit(self.repo.lookup, [f"{c.tree}:{f.path}" for c, f in found])
                self._advance_rosters(dict(zip(trees, own.result(), strict=True)))
                at_path = blobs.result()
        final = self.snap.trusted.get(self.head, (None, None))[0]
        if final is None:
            raise PolicyError(
                "没有可信的 policies.yaml",
                path=POLICY_FILE,
                hint="在仓库根目录提交一份有效的 policies.yaml（fzjj init 可生成）。",
            )
        policy = self.rosters.get(final)
        if not policy.compromised <= self.revoked:
            # A key is newly marked compromised: the roster changes it signed are void, which
            # can change every later roster. Judge the history again with it revoked.
            raise _Revoke(self.revoked | policy.compromised)
        if final != meta["head_roster"]:
            self.replay_all = True
        meta["head_roster"] = final
        self._read_records(found, at_path, malformed, policy.tz)
        self._read_files()
        self._replay(policy)
        self._store_verdicts()
        meta["head"] = self.head
        meta["commits"] += len(self.new)
        source = "extended" if self.extending else "rebuilt"
        return self.snap.history(self.repo, source, self.rosters)

    # -- signatures --

    def has_verdicts(self) -> bool:
        """Load the cached verdicts a full rebuild will need; False when there are none."""
        store = self.snap.store
        if store is not None:
            self._verdicts = store.get_all("sigs")
            self._known = set(self._verdicts)
        return bool(self._verdicts)

    def _load_verdicts(self) -> None:
        """Cached verdicts for an extension's commits, and the bytes of those still to check."""
        store = self.snap.store
        if self.extending and store is not None:
            self._verdicts = store.get_many("sigs", [c.oid for c in self.new])
            self._known = set(self._verdicts)
        missing = [
            c.oid
            for c in self.new
            if not c.raw and c.oid not in self._verdicts and "Fzjj-" in c.message
        ]
        if missing:
            exact = gitstore.read_commits(self.repo, missing)
            self.new = [exact.get(c.oid, c) for c in self.new]
        todo = [c for c in self.new if c.oid not in self._verdicts and "Fzjj-" in c.message]
        if len(todo) >= _PARALLEL_FROM and (os.cpu_count() or 1) > 1:
            self._verdicts.update(_verify_in_parallel(todo))

    def _store_verdicts(self) -> None:
        store = self.snap.store
        if store is not None:
            fresh = [(k, v) for k, v in self._verdicts.items() if k not in self._known]
            store.put_many("sigs", [(k, v) for k, v in fresh if v[3] not in _VOLATILE])

    def _verdict(self, commit: Commit) -> Verdict:
        verdict = self._verdicts.get(commit.oid)
        if verdict is None:
            if not commit.raw:  # a roster change: its bytes were not read with the records
                commit = gitstore.read_commits(self.repo, [commit.oid]).get(commit.oid, commit)
            result = sigverify.verify_commit(commit.raw)
            verdict = (result.ok, result.key, result.reason, result.code)
            self._verdicts[commit.oid] = verdict
        if verdict[3] in _VOLATILE:
            self.volatile = True
        return verdict

    # -- rosters --

    def _advance_rosters(self, own_blob: dict[str, str | None]) -> None:
        """The trusted roster at each new commit: changes need an admin of the parent's.

        `own_blob`: the policies.yaml blob of each new commit's tree.
        """
        snap = self.snap
        snap.trusted_of({p for c in self.new for p in c.parents})
        seen_trusted = bool(snap.meta["head_roster"])
        violations = snap.meta["roster_violations"]
        for commit in self.new:
            blob = own_blob[commit.tree]
            parents = [snap.trusted.get(p, (None, None)) for p in commit.parents]
            base, base_own = parents[0] if parents else (None, None)
            trusted, problem = self._roster_step(
                commit, blob, base, base_own, parents, seen_trusted
            )
            if problem is not None:
                violations.append(cache.enc_violation(problem))
            snap.set_trusted(commit.oid, (trusted, blob))
            seen_trusted = seen_trusted or trusted is not None
        head_trusted, head_own = snap.trusted.get(self.head, (None, None))
        violations[:] = [v for v in violations if v[0] != "P006"]
        if head_trusted is not None and head_own != head_trusted:
            violations.append(
                cache.enc_violation(
                    Violation(
                        "P006",
                        "当前的 policies.yaml 不是可信名册（修改未经授权），按最后一版可信名册校验",
                        path=POLICY_FILE,
                        commit=self.head,
                    )
                )
            )

    def _roster_step(
        self,
        commit: Commit,
        blob: str | None,
        base: str | None,
        base_own: str | None,
        parents: list[tuple[str | None, str | None]],
        seen_trusted: bool,
    ) -> tuple[str | None, Violation | None]:
        """(trusted roster blob at `commit`, the violation this commit adds, if any)."""
        if blob is None:
            if base is not None and base_own is not None:
                return base, Violation(
                    "P005",
                    "该提交删除了 policies.yaml；删除不生效",
                    path=POLICY_FILE,
                    commit=commit.oid,
                )
            return base, None
        if commit.oid == self.snap.meta["root"] and self._policy_from(blob) is not None:
            self._log_roster(commit, self.rosters.get(blob), blob, None, None)
            return blob, None  # the trust anchor: its roster as given, changed here or not
        if parents and blob == base_own:
            return base, None  # unchanged: judged where it changed
        if any(t == blob for t, _ in parents):
            return blob, None  # a trusted version, merged in or restored
        new = self._policy_from(blob)
        root = self.snap.meta["root"]
        genesis = commit.oid == root or (base is None and root is None and not seen_trusted)
        if new is None:
            return base, Violation(
                "P001",
                "该提交中的 policies.yaml 无法解析或不符合规定格式，修改不生效",
                path=POLICY_FILE,
                commit=commit.oid,
                hint="运行 fzjj check 查看具体字段；修正后由名册管理员签名提交。",
            )
        if genesis:
            self._log_roster(commit, new, blob, None, None)
            return blob, None
        if base is None:
            return None, None
        verdict = self._verdict(commit)
        old = self.rosters.get(base)
        person, problem = chain.roster_change_signer(
            commit.oid, old, new, lambda: verdict[:3], self.revoked
        )
        if person is None:
            return base, problem
        key = verdict[1]
        self._log_roster(commit, new, blob, person, key)
        return blob, None

    def _log_roster(
        self, commit: Commit, new: Policy, blob: str, signer: str | None, key: str | None
    ) -> None:
        """Keep a version that took effect, for `fzjj roster log` (an anchor has no signer)."""
        entry = (commit.oid, new.version, blob, signer, key, signer is None)
        self.snap.meta["roster_log"].append(entry)

    def _policy_from(self, blob: str) -> Policy | None:
        """The roster in `blob`, kept among the trusted versions; None when it does not parse."""
        rosters = self.snap.meta["rosters"]
        if blob in rosters:
            return self.rosters.get(blob)
        data = self.repo.cat_objects([blob]).get(blob)
        if data is None:
            return None
        try:
            policy = decode_policy(data)
        except PolicyError:
            return None
        rosters[blob] = data
        self.rosters.remember(blob, policy)
        return policy

    # -- records --

    def _read_records(
        self,
        found: list[tuple[Commit, RecordFields]],
        at_path: list[str | None],
        malformed: list[tuple[Commit, str]],
        tz: tzinfo,
    ) -> None:
        """Verify and keep the records: `at_path` is the blob at each record's path."""
        snap = self.snap
        for commit, why in malformed:
            when = datetime.fromtimestamp(commit.committer_time, tz)
            item = chain.RecordInput(commit.oid, None, why, False, None, None, None, None, when)
            snap.meta["malformed"].append(cache.enc_input(item, None, snap.table))
        trusted = snap.trusted
        for (commit, fields), blob in zip(found, at_path, strict=True):
            parent = trusted.get(commit.parents[0]) if commit.parents else None
            roster = parent[0] if parent else None
            ok, key, reason, _ = self._verdict(commit)
            item = chain.RecordInput(
                commit=commit.oid,
                fields=fields,
                malformed=None,
                sig_ok=ok,
                sig_key=key,
                sig_reason=reason,
                roster=self.rosters.get(roster) if roster else None,
                blob_at_path=blob,
                when=datetime.fromtimestamp(commit.committer_time, tz),
            )
            snap.add_input(fields.draft_id, cache.enc_input(item, roster, snap.table))
            self.fresh.setdefault(fields.draft_id, []).append(item)
            self.touched.add(fields.draft_id)

    # -- draft files --

    def _read_files(self) -> None:
        """Bring the drafts at the head up to date: all of them, or what changed."""
        snap = self.snap
        meta = snap.meta
        removed: list[str] = []
        if self.extending:
            changed, removed = self.repo.changed_files(snap.head, self.head, CONTENT_DIR)
        else:
            changed = self.repo.tree_files(self.head, CONTENT_DIR)
        changed = {p: o for p, o in changed.items() if p.endswith(".md")}
        if self.extending and not changed and not removed and not self._has_duplicates():
            return  # the same files: ids and file violations stand
        for path in [*removed, *changed]:
            old = meta["ids"].pop(path, None)
            if old:
                self.touched.add(old)
            meta["errors"].pop(path, None)
            meta["files"].pop(path, None)
            snap.set_summary(path, None)
        for path, summary in self._summaries(changed).items():
            meta["files"][path] = changed[path]
            if summary[0] == "!":
                meta["errors"][path] = summary[1:]
            else:
                meta["ids"][path] = summary[0]
                snap.set_summary(path, summary)
                self.touched.add(summary[0])
        self._index_files()

    def _summaries(self, files: dict[str, str]) -> dict[str, cache.Enc]:
        """Parse results for `files` (path → blob), from the content cache where possible."""
        store = self.snap.store
        known = store.get_many("blobs", files.values()) if store is not None else {}
        blobs = self.repo.cat_objects(o for o in files.values() if o not in known)
        fresh: dict[str, cache.Enc] = {}
        out: dict[str, cache.Enc] = {}
        for path, blob in files.items():
            try:
                check_path(path)
            except DraftError as exc:
                out[path] = ("!", exc.message, exc.line, exc.hint)
                continue
            hit = known.get(blob) or fresh.get(blob)
            if hit is None:
                hit = _summarize_blob(blobs.get(blob, b""), path)
                fresh[blob] = hit
            out[path] = hit if hit[0] == "!" else (hit[0], path, *hit[2:])
        if store is not None:
            store.put_many("blobs", fresh.items())
        return out

    def _has_duplicates(self) -> bool:
        """Whether files share an id (D002): new records can change which one keeps it."""
        return any(v[0] == "D002" for v in self.snap.meta["file_violations"])

    def _index_files(self) -> None:
        """Draft ids by path and the file violations (D001, D002), from ids and errors.

        When files share an id, the one the draft's records name keeps it (else the first
        in path order); the others are D002.
        """
        meta = self.snap.meta
        holders: dict[str, list[str]] = {}
        problems: list[Violation] = []
        for path in sorted(meta["files"]):
            error = meta["errors"].get(path)
            if error is not None:
                problems.append(
                    Violation("D001", error[0], path=path, line=error[1], hint=error[2])
                )
            else:
                holders.setdefault(meta["ids"][path], []).append(path)
        paths: dict[str, str] = {}
        for draft_id, found in holders.items():
            keeper = found[0]
            if len(found) > 1:
                records = self.snap.inputs_of(draft_id)
                named = records[-1][1][2] if records and records[-1][1] else None
                keeper = named if named in found else keeper
                problems += [
                    Violation(
                        "D002",
                        f"稿件 id {draft_id} 与 {keeper} 重复",
                        path=path,
                        line=2,
                        hint="每篇稿件的 id 必须唯一；给新稿件换一个 id。",
                    )
                    for path in found
                    if path != keeper
                ]
            paths[keeper] = draft_id
        problems.sort(key=lambda v: v.path or "")
        old = meta["paths"]
        self.touched.update(i for p, i in old.items() if paths.get(p) != i)
        self.touched.update(i for p, i in paths.items() if old.get(p) != i)
        meta["paths"] = dict(sorted(paths.items()))
        meta["file_violations"] = [cache.enc_violation(v) for v in problems]

    # -- the chain --

    def _replay(self, policy: Policy) -> None:
        snap = self.snap
        decoder = _Inputs(snap, self.rosters, policy.tz)
        if self.replay_all:
            ids = snap.draft_ids_with_inputs() | set(snap.meta["paths"].values())
        else:
            ids = set(self.touched)
        path_of = {i: p for p, i in snap.meta["paths"].items() if i in ids}
        summaries = snap.summaries(path_of.values())
        current = {i: cache.dec_summary(summaries[p]) for i, p in path_of.items()}
        items: list[chain.RecordInput] = []
        for draft_id in sorted(ids):
            fresh = self.fresh.get(draft_id, [])
            stored = snap.inputs_of(draft_id)
            items += [decoder.decode(t) for t in stored[: len(stored) - len(fresh)]] + fresh
        gone = {i for i in ids if i not in current and snap.inputs_of(i)}
        states, _ = chain.replay(items, current, policy, metadata=self._old_summaries(gone))
        if self.replay_all:
            for draft_id in set(snap.meta["index"]) - ids:
                snap.drop_state(draft_id)
        for draft_id in ids:
            state = states.get(draft_id)
            if state is None:
                snap.drop_state(draft_id)
            else:
                snap.set_state(state)

    def _old_summaries(self, gone: set[str]) -> dict[str, DraftSummary]:
        """Drafts whose file is gone: their front-matter as their last record saw it."""
        last: dict[str, tuple[str, str]] = {}
        for draft_id in gone:
            for t in reversed(self.snap.inputs_of(draft_id)):
                if t[7] is not None:
                    last[draft_id] = (t[7], t[1][2])  # blob at path, path
                    break
        blobs = self.repo.cat_objects(blob for blob, _ in last.values())
        out: dict[str, DraftSummary] = {}
        for draft_id, (blob, path) in last.items():
            summary = _summarize_blob(blobs.get(blob, b""), path)
            if summary[0] == draft_id:
                out[draft_id] = cache.dec_summary((summary[0], path, *summary[2:]))
        return out


def _summarize_blob(data: bytes, path: str) -> cache.Enc:
    try:
        summary = chain.summarize(parse_draft(data, path))
    except DraftError as exc:
        return ("!", exc.message, exc.line, exc.hint)
    return cache.enc_summary(summary)


def draft_violations(draft: Draft, policy: Policy) -> list[Violation]:
    """Cross-checks of a draft against the policy (units; content rules when available)."""
    out: list[Violation] = []
    if draft.meta.unit not in policy.unit_by_id:
        out.append(
            Violation(
                "D003",
                f"单位 {draft.meta.unit!r} 不在 policies.yaml 的 units 中",
                path=draft.path,
                line=line_of(draft, "unit"),
                draft_id=draft.meta.id,
                hint="unit 填写单位 id，例如 " + ", ".join(u.id for u in policy.units[:3]),
            )
        )
    try:
        from fzjj.rules.checks import check_content
    except ImportError:  # pragma: no cover - rules are part of the package
        return out
    out += check_content(draft, policy)
    return out
