"""Rebuild the state of every draft from git alone.

A full rebuild reads every commit in one `git log` stream, finds the policies.yaml blob of
each tree (one `cat-file --batch-check`), decides the trusted roster at each commit, verifies
the signature of every record and roster change in-process, checks each record's blob
against its tree, reads the drafts at the revision and replays the review chain.

Three things make repeated runs cheap, all under `.git/fzjj/` (see `fzjj.cache`):

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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from fzjj import cache, chain, sigverify
from fzjj.draft import CONTENT_DIR, Draft, check_path, line_of, parse_draft
from fzjj.errors import DraftError, FzjjError, PolicyError
from fzjj.gitstore import Commit, GitRepo
from fzjj.model import DraftState, DraftSummary, Violation
from fzjj.policy import POLICY_FILE, Policy, decode_policy
from fzjj.records import MalformedRecord, RecordFields, parse_record

SNAPSHOT = "snapshot.marshal"
SIGNATURES = "signatures.marshal"
SUMMARIES = "drafts.marshal"
NO_CACHE_ENV = "FZJJ_NO_CACHE"

# Verdicts that depend on this machine (gpg's keyring, gpg being installed), not on the commit.
_VOLATILE = frozenset({sigverify.OPENPGP_UNKNOWN_KEY, sigverify.OPENPGP_UNAVAILABLE})

# The fields of `_Snapshot` that are written to disk.
_STORED = (
    "root", "head", "commits", "head_roster", "rosters", "trusted_packed", "summaries_packed",
    "files", "paths", "roster_violations", "file_violations", "malformed", "inputs", "states",
    "index", "strings",
)  # fmt: skip

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
        files: dict[str, str],
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
        self.files = files  # path → blob id of every content/**.md at the revision
        self.commits = commits
        self._inputs = inputs
        self._drafts: _Drafts | None = None
        self.source = source  # "snapshot", "extended" or "rebuilt": how this was obtained

    @property
    def drafts(self) -> Mapping[str, Draft]:
        """The parsed drafts at the revision, by draft id (read when first asked for)."""
        if self._drafts is None:
            self._drafts = _Drafts(self.repo, self.files, self.paths)
        return self._drafts

    @property
    def inputs(self) -> Mapping[str, list[chain.RecordInput]]:
        """Every record of each draft, as verified, parents first."""
        return self._inputs.by_draft()

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
    root_oid = None
    if trust_root:
        root_oid = repo.resolve(trust_root)
        if root_oid is None:
            raise FzjjError(
                f"找不到信任根版本 {trust_root}", hint="用 git log 查看可用的提交编号。"
            )
    store = cache.cache_dir(repo.git_dir) / SNAPSHOT
    use_cache = not os.environ.get(NO_CACHE_ENV)
    snap = _Snapshot.read(store, root_oid) if use_cache else None
    if snap is not None and snap.head == head:
        return snap.history(repo)
    if snap is not None and repo.is_ancestor(snap.head, head):
        builder = _Builder.extend(repo, snap, head)
    else:
        builder = _Builder.full(repo, head, root_oid, use_cache)
    result = builder.finish()
    if use_cache and not builder.volatile:
        builder.snapshot().write(store)
    return result


# ---- the snapshot ----------------------------------------------------------------------------


@dataclass
class _Snapshot:
    """Everything a rebuild at `head` found, encoded for `fzjj.cache`.

    The per-commit roster map, the draft summaries and each draft's records and state are
    stored packed and decoded only when a step needs them: a run at the same head touches
    none of them, an extension only the drafts it replays.
    """

    root: str | None
    head: str
    commits: int = 0
    head_roster: str = ""
    rosters: dict[str, bytes] = field(default_factory=dict)  # blob → policies.yaml bytes
    trusted_packed: bytes = b""  # commit → (trusted roster blob, own policies.yaml blob)
    summaries_packed: bytes = b""  # path → draft summary, or ("!", message, line, hint)
    files: dict[str, str] = field(default_factory=dict)  # path → blob at head
    paths: dict[str, str] = field(default_factory=dict)  # path → draft id (drafts that parse)
    roster_violations: list[cache.Enc] = field(default_factory=list)
    file_violations: list[cache.Enc] = field(default_factory=list)
    malformed: list[cache.Enc] = field(default_factory=list)  # inputs with bad trailers
    inputs: dict[str, bytes] = field(default_factory=dict)  # draft id → packed inputs
    states: dict[str, bytes] = field(default_factory=dict)  # draft id → packed state
    index: dict[str, cache.Index] = field(default_factory=dict)
    strings: list[str] = field(default_factory=list)  # recurring keys and blob ids
    _trusted: dict[str, tuple[str | None, str | None]] | None = None
    _summaries: dict[str, cache.Enc] | None = None
    _inputs: dict[str, list[cache.Enc]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, root: str | None) -> _Snapshot | None:
        value = cache.read_store(path)
        if not isinstance(value, dict) or set(value) != set(_STORED):
            return None
        snap = cls(**value)
        return snap if snap.root == root else None

    def __post_init__(self) -> None:
        self.table = cache.Strings(self.strings)

    def write(self, path: Path) -> None:
        self.trusted_packed = cache.pack(self.trusted)
        self.summaries_packed = cache.pack(self.summaries)
        for draft_id, items in self._inputs.items():
            self.inputs[draft_id] = cache.pack(items)
        cache.write_store(path, {name: getattr(self, name) for name in _STORED})

    @property
    def trusted(self) -> dict[str, tuple[str | None, str | None]]:
        if self._trusted is None:
            self._trusted = cache.unpack(self.trusted_packed) if self.trusted_packed else {}
        return self._trusted

    @property
    def summaries(self) -> dict[str, cache.Enc]:
        if self._summaries is None:
            self._summaries = cache.unpack(self.summaries_packed) if self.summaries_packed else {}
        return self._summaries

    def inputs_of(self, draft_id: str) -> list[cache.Enc]:
        items = self._inputs.get(draft_id)
        if items is None:
            packed = self.inputs.get(draft_id)
            items = list(cache.unpack(packed)) if packed else []
            self._inputs[draft_id] = items
        return items

    def set_state(self, state: DraftState) -> None:
        encoded = cache.enc_state(state, self.inputs_of(state.draft_id))
        self.states[state.draft_id] = cache.pack(encoded)
        self.index[state.draft_id] = cache.index_entry(state)

    def state(self, draft_id: str, tz: tzinfo) -> DraftState:
        encoded = cache.unpack(self.states[draft_id])
        return cache.dec_state(encoded, self.inputs_of(draft_id), self.table, tz)

    def drop_state(self, draft_id: str) -> None:
        self.states.pop(draft_id, None)
        self.index.pop(draft_id, None)

    def history(self, repo: GitRepo, source: str = "snapshot") -> History:
        rosters = _Rosters(self.rosters)
        policy = rosters.get(self.head_roster)
        tz = policy.tz
        loose = [Violation("R029", f"记录格式错误：{t[2]}", commit=t[0]) for t in self.malformed]
        violations = [cache.dec_violation(v) for v in self.roster_violations]
        violations += [cache.dec_violation(v) for v in self.file_violations]
        return History(
            repo=repo,
            head=self.head,
            policy=policy,
            states=cache.LazyStates(self.index, lambda draft_id: self.state(draft_id, tz)),
            violations=violations + loose,
            paths=self.paths,
            files=self.files,
            commits=self.commits,
            inputs=_Inputs(self, rosters, tz),
            source=source,
        )


class _Rosters:
    """Trusted policies.yaml versions by blob id, parsed when first needed."""

    def __init__(self, raw: dict[str, bytes]) -> None:
        self.raw = raw
        self._parsed: dict[str, Policy] = {}

    def get(self, blob: str) -> Policy:
        policy = self._parsed.get(blob)
        if policy is None:
            policy = decode_policy(self.raw[blob])
            self._parsed[blob] = policy
        return policy


class _Inputs:
    """Record inputs from the snapshot, decoded into `chain.RecordInput` on first use."""

    def __init__(self, snap: _Snapshot, rosters: _Rosters, tz: tzinfo):
        self.snap = snap
        self.rosters = rosters
        self.tz = tz
        self._decoded: dict[str, list[chain.RecordInput]] | None = None

    def of(self, draft_id: str) -> list[chain.RecordInput]:
        if self._decoded is not None:
            return self._decoded.get(draft_id, [])
        return [self.decode(t) for t in self.snap.inputs_of(draft_id)]

    def by_draft(self) -> dict[str, list[chain.RecordInput]]:
        if self._decoded is None:
            ids = set(self.snap.inputs) | set(self.snap._inputs)
            self._decoded = {i: [self.decode(t) for t in self.snap.inputs_of(i)] for i in ids}
        return self._decoded

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


@dataclass
class _Builder:
    """One rebuild in progress: a full one, or an extension of a snapshot."""

    repo: GitRepo
    head: str
    root: str | None
    snap: _Snapshot
    sigs: cache.ContentCache | None
    summaries_cache: cache.ContentCache | None
    new: list[Commit] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)  # draft ids to replay; all when None
    replay_all: bool = True
    extending: bool = False
    volatile: bool = False  # a verdict depended on this machine: do not keep the snapshot
    _rosters: _Rosters | None = None

    @classmethod
    def full(cls, repo: GitRepo, head: str, root: str | None, use_cache: bool) -> _Builder:
        folder = cache.cache_dir(repo.git_dir)
        empty = _Snapshot(root=root, head=head)
        builder = cls(
            repo=repo,
            head=head,
            root=root,
            snap=empty,
            sigs=cache.ContentCache(folder / SIGNATURES) if use_cache else None,
            summaries_cache=cache.ContentCache(folder / SUMMARIES) if use_cache else None,
        )
        builder.new = list(repo.commits([head]))
        return builder

    @classmethod
    def extend(cls, repo: GitRepo, snap: _Snapshot, head: str) -> _Builder:
        builder = cls(
            repo=repo,
            head=head,
            root=snap.root,
            snap=snap,
            sigs=None,  # a handful of new commits: verifying beats loading the verdicts
            summaries_cache=None,
            replay_all=False,
            extending=True,
        )
        builder.new = list(repo.commits([head, "^" + snap.head]))
        return builder

    @property
    def rosters(self) -> _Rosters:
        if self._rosters is None:
            self._rosters = _Rosters(self.snap.rosters)
        return self._rosters

    # -- the steps --

    def finish(self) -> History:
        snap = self.snap
        old_roster = snap.head_roster
        self._advance_rosters()
        final = snap.trusted.get(self.head, (None, None))[0]
        if final is None:
            raise PolicyError(
                "没有可信的 policies.yaml",
                path=POLICY_FILE,
                hint="在仓库根目录提交一份有效的 policies.yaml（fzjj init 可生成）。",
            )
        snap.head_roster = final
        if final != old_roster:
            self.replay_all = True
        policy = self.rosters.get(final)
        self._read_records(policy.tz)
        self._read_files()
        self._replay(policy)
        snap.head = self.head
        snap.commits += len(self.new)
        if self.sigs is not None:
            self.sigs.save()
        if self.summaries_cache is not None:
            self.summaries_cache.save()
        return snap.history(self.repo, "extended" if self.extending else "rebuilt")

    def snapshot(self) -> _Snapshot:
        return self.snap

    def _advance_rosters(self) -> None:
        """The trusted roster at each new commit: changes need an admin of the parent's."""
        snap = self.snap
        trees = list(dict.fromkeys(c.tree for c in self.new))
        specs = [f"{t}:{POLICY_FILE}" for t in trees]
        own_blob = dict(zip(trees, self.repo.lookup(specs), strict=True))
        seen_trusted = any(t for t, _ in snap.trusted.values()) if snap.trusted else False
        for commit in self.new:
            blob = own_blob[commit.tree]
            parents = [snap.trusted.get(p, (None, None)) for p in commit.parents]
            base, base_own = parents[0] if parents else (None, None)
            trusted, problem = self._roster_step(
                commit, blob, base, base_own, parents, seen_trusted
            )
            if problem is not None:
                snap.roster_violations.append(cache.enc_violation(problem))
            snap.trusted[commit.oid] = (trusted, blob)
            seen_trusted = seen_trusted or trusted is not None
        head_own = snap.trusted[self.head][1] if self.head in snap.trusted else None
        head_trusted = snap.trusted.get(self.head, (None, None))[0]
        snap.roster_violations = [v for v in snap.roster_violations if v[0] != "P006"]
        if head_trusted is not None and head_own != head_trusted:
            snap.roster_violations.append(
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
        if parents and blob == base_own:
            return base, None  # unchanged: judged where it changed
        if any(t == blob for t, _ in parents):
            return blob, None  # a trusted version, merged in or restored
        new = self._policy_from(blob)
        genesis = commit.oid == self.root or (
            base is None and self.root is None and not seen_trusted
        )
        if new is None:
            return base, Violation(
                "P001",
                "该提交中的 policies.yaml 无法解析或不符合规定格式，修改不生效",
                path=POLICY_FILE,
                commit=commit.oid,
                hint="运行 fzjj check 查看具体字段；修正后由名册管理员签名提交。",
            )
        if genesis:
            return blob, None
        if base is None:
            return None, None
        ok, key, reason, _ = self._verdict(commit)
        old = self.rosters.get(base)
        person = old.key_owner.get(key or "") if ok else None
        if not ok or person is None or key in old.compromised:
            why = reason if not ok else "签名密钥不在上一版名册中"
            return base, Violation(
                "P002",
                f"名册（policies.yaml）的修改没有有效签名，修改不生效：{why}",
                path=POLICY_FILE,
                commit=commit.oid,
                hint="名册修改须由上一版 roster_admins 中的人签名提交。",
            )
        if person not in old.roster_admins:
            return base, Violation(
                "P003",
                f"{old.name_of(person)} 不是上一版名册的 roster_admins，无权修改名册",
                path=POLICY_FILE,
                commit=commit.oid,
                hint="请由名册管理员签名提交名册修改。",
            )
        if new.version <= old.version:
            return base, Violation(
                "P004",
                f"名册版本号必须递增（上一版 {old.version}，本次 {new.version}），修改不生效",
                path=POLICY_FILE,
                commit=commit.oid,
                hint="把 version 加 1 后重新提交。",
            )
        return blob, None

    def _policy_from(self, blob: str) -> Policy | None:
        """The roster in `blob`, kept among the trusted versions; None when it does not parse."""
        if blob in self.snap.rosters:
            return self.rosters.get(blob)
        data = self.repo.cat_objects([blob]).get(blob)
        if data is None:
            return None
        try:
            policy = decode_policy(data)
        except PolicyError:
            return None
        self.snap.rosters[blob] = data
        self.rosters._parsed[blob] = policy
        return policy

    def _verdict(self, commit: Commit) -> Verdict:
        def check() -> Verdict:
            result = sigverify.verify_commit(commit.raw)
            return (result.ok, result.key, result.reason, result.code)

        def keep(verdict: Verdict) -> bool:
            return verdict[3] not in _VOLATILE

        verdict = self.sigs.get(commit.oid, check, keep) if self.sigs else check()
        if not keep(verdict):
            self.volatile = True
        return verdict

    def _read_records(self, tz: tzinfo) -> None:
        """Parse, locate and verify the records among the new commits."""
        snap = self.snap
        found: list[tuple[Commit, RecordFields]] = []
        for commit in self.new:
            if "Fzjj-" not in commit.message:
                continue
            when = datetime.fromtimestamp(commit.committer_time, tz)
            try:
                fields = parse_record(commit.message)
            except MalformedRecord as exc:
                item = chain.RecordInput(
                    commit.oid, None, str(exc), False, None, None, None, None, when
                )
                snap.malformed.append(cache.enc_input(item, None, snap.table))
                continue
            if fields is not None and fields.draft_id:
                found.append((commit, fields))
        blobs = self.repo.lookup([f"{c.tree}:{f.path}" for c, f in found])
        for (commit, fields), blob in zip(found, blobs, strict=True):
            parent = (
                snap.trusted.get(commit.parents[0], (None, None))[0] if commit.parents else None
            )
            ok, key, reason, _ = self._verdict(commit)
            item = chain.RecordInput(
                commit=commit.oid,
                fields=fields,
                malformed=None,
                sig_ok=ok,
                sig_key=key,
                sig_reason=reason,
                roster=None,
                blob_at_path=blob,
                when=datetime.fromtimestamp(commit.committer_time, tz),
            )
            snap.inputs_of(fields.draft_id).append(cache.enc_input(item, parent, snap.table))
            self.touched.add(fields.draft_id)

    def _read_files(self) -> None:
        """Bring the drafts at the head up to date: all of them, or what changed."""
        snap = self.snap
        removed: list[str] = []
        if snap.commits == 0:
            changed = self.repo.tree_files(self.head, CONTENT_DIR)
        else:
            changed, removed = self.repo.changed_files(snap.head, self.head, CONTENT_DIR)
        changed = {p: o for p, o in changed.items() if p.endswith(".md")}
        for path in removed:
            old = snap.paths.pop(path, None)
            snap.files.pop(path, None)
            snap.summaries.pop(path, None)
            if old:
                self.touched.add(old)
        summaries = self._summaries(changed)
        for path, blob in changed.items():
            old = snap.paths.pop(path, None)
            if old:
                self.touched.add(old)
            snap.files[path] = blob
            snap.summaries[path] = summaries[path]
            if summaries[path][0] != "!":
                self.touched.add(summaries[path][0])
        self._index_files()

    def _summaries(self, files: dict[str, str]) -> dict[str, cache.Enc]:
        """Parse results for `files` (path → blob), from the content cache where possible."""
        out: dict[str, cache.Enc] = {}
        store = self.summaries_cache
        known = store.data if store is not None else {}
        missing = [o for o in files.values() if o not in known]
        blobs = self.repo.cat_objects(missing)
        for path, blob in files.items():
            try:
                check_path(path)
            except DraftError as exc:
                out[path] = ("!", exc.message, exc.line, exc.hint)
                continue
            hit = known.get(blob)
            if hit is None:
                hit = _summarize_blob(blobs.get(blob, b""), path)
                if store is not None:
                    store.data[blob] = hit
                    store.dirty = True
            out[path] = hit if hit[0] == "!" else (*hit[:1], path, *hit[2:])
        return out

    def _index_files(self) -> None:
        """Draft ids by path, and the file violations (D001, D002), from the summaries."""
        snap = self.snap
        paths: dict[str, str] = {}
        first: dict[str, str] = {}
        problems: list[Violation] = []
        for path in sorted(snap.files):
            summary = snap.summaries[path]
            if summary[0] == "!":
                problems.append(
                    Violation("D001", summary[1], path=path, line=summary[2], hint=summary[3])
                )
                continue
            draft_id = summary[0]
            other = first.get(draft_id)
            if other is not None:
                problems.append(
                    Violation(
                        "D002",
                        f"稿件 id {draft_id} 与 {other} 重复",
                        path=path,
                        line=2,
                        hint="每篇稿件的 id 必须唯一；给新稿件换一个 id。",
                    )
                )
                continue
            first[draft_id] = path
            paths[path] = draft_id
        for path, draft_id in snap.paths.items():
            if paths.get(path) != draft_id:
                self.touched.add(draft_id)
        for path, draft_id in paths.items():
            if snap.paths.get(path) != draft_id:
                self.touched.add(draft_id)
        snap.paths = paths
        snap.file_violations = [cache.enc_violation(v) for v in problems]

    def _replay(self, policy: Policy) -> None:
        snap = self.snap
        decoder = _Inputs(snap, self.rosters, policy.tz)
        if self.replay_all:
            ids = set(snap.inputs) | set(snap._inputs) | set(snap.paths.values())
        else:
            ids = self.touched
        current: dict[str, DraftSummary] = {}
        for path, draft_id in snap.paths.items():
            if draft_id in ids:
                current[draft_id] = cache.dec_summary(snap.summaries[path])
        items: list[chain.RecordInput] = []
        for draft_id in sorted(ids):
            items += decoder.of(draft_id)
        gone = {i for i in ids if i not in current and snap.inputs_of(i)}
        states, _ = chain.replay(items, current, policy, metadata=self._old_summaries(gone))
        if self.replay_all:
            snap.states, snap.index = {}, {}
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
                out[draft_id] = cache.dec_summary((*summary[:1], path, *summary[2:]))
        return out


def _summarize_blob(data: bytes, path: str) -> cache.Enc:
    try:
        summary = chain.summarize(parse_draft(data, path))
    except DraftError as exc:
        return ("!", exc.message, exc.line, exc.hint)
    return cache.enc_summary(summary)


def read_drafts(
    repo: GitRepo, rev: str, only: Sequence[str] | None = None
) -> tuple[dict[str, Draft], dict[str, str], list[Violation]]:
    """Parse the drafts under content/ at `rev` (all, or the paths in `only`)."""
    files = repo.tree_files(rev, CONTENT_DIR)
    if only is not None:
        files = {p: o for p, o in files.items() if p in set(only)}
    files = {p: o for p, o in files.items() if p.endswith(".md")}
    blobs = repo.cat_objects(files.values())
    drafts: dict[str, Draft] = {}
    paths: dict[str, str] = {}
    violations: list[Violation] = []
    for path in sorted(files):
        try:
            check_path(path)
            draft = parse_draft(blobs[files[path]], path)
        except DraftError as exc:
            violations.append(
                Violation("D001", exc.message, path=path, line=exc.line, hint=exc.hint)
            )
            continue
        other = drafts.get(draft.meta.id)
        if other is not None:
            violations.append(
                Violation(
                    "D002",
                    f"稿件 id {draft.meta.id} 与 {other.path} 重复",
                    path=path,
                    line=2,
                    hint="每篇稿件的 id 必须唯一；给新稿件换一个 id。",
                )
            )
            continue
        drafts[draft.meta.id] = draft
        paths[path] = draft.meta.id
    return drafts, paths, violations


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
        from fzjj.rules import check_content
    except ImportError:  # pragma: no cover - rules are part of the package
        return out
    out += check_content(draft, policy)
    return out
