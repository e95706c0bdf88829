"""Pull-request mode, `fzjj check --base REV`: check only what `base..head` adds.

The trust root is the base revision: its policies.yaml is the roster in force where the range
lands (base is the protected branch, verified when each of its commits landed). The cost
follows the pull request, not the history:

1. read the range's commits (one `git log base..head` stream);
2. walk the trusted roster along the range, accepting a change of policies.yaml only when
   the previous trusted roster's rules allow it (`roster_change`, the same rules as
   `fzjj.history.load`);
3. for each draft the range records, follow `Fzjj-Prev` back from the range into base
   history, a handful of objects per draft, and verify those records too, each under the
   policies.yaml in force at its place in base history;
4. when the base branch moved on after the pull request branched off, read what it gained
   since (one more `git log`): records it gained for the same drafts would fork their chains
   once merged;
5. parse only the drafts the range changes or records, replay their chains
   (`fzjj.chain.replay`) and run the content rules on the drafts the range changes;
6. recognise record commits whose signatures a squash or rebase merge destroyed.

Every object is read through one long-lived `git cat-file --batch` (`ObjectReader`). The
server hook uses the same function with `base` = the branch's old tip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from fzjj.chain import RecordInput, roster_change_signer
from fzjj.check import (
    CheckReport,
    merge_damage,
    order_violations,
    policy_error_violation,
    signature_counts,
    squash_damage,
    twin_of,
    twins_index,
)
from fzjj.draft import CONTENT_DIR, Draft, check_path, parse_draft
from fzjj.errors import DraftError, FzjjError, PolicyError
from fzjj.gitstore import Commit, GitRepo, ObjectReader
from fzjj.model import Action, Violation
from fzjj.policy import POLICY_FILE, Policy, decode_policy
from fzjj.records import MalformedRecord, RecordFields, parse_record, split_records

MAX_PREV_STEPS = 64  # a cycle holds at most a submit, four stages and a publication

SigResult = tuple[bool, str | None, str | None]  # (valid, key, reason)


@dataclass(frozen=True, slots=True)
class Trusted:
    """The trusted roster at one commit: the policies.yaml blob and its parsed policy."""

    blob: str | None
    policy: Policy


def roster_change(
    commit: str, old: Policy, new: Policy | None, verify: Callable[[], SigResult]
) -> Violation | None:
    """Judge a commit that changes policies.yaml; None when the change takes effect.

    The rules of `fzjj.history.load`: the new file must parse (P001), the commit must carry a
    valid signature by a registered, uncompromised key of the previous roster (P002) whose
    owner is one of its roster_admins (P003), and the version must go up (P004).
    """
    if new is None:
        return Violation(
            "P001",
            "该提交中的 policies.yaml 无法解析或不符合规定格式，修改不生效",
            path=POLICY_FILE,
            commit=commit,
            hint="具体字段见同一报告中的 G001；修正后由名册管理员签名提交。",
        )
    return roster_change_signer(commit, old, new, verify)[1]


def check_range(
    repo: GitRepo, base_rev: str, head_rev: str = "HEAD", *, mode: str = "pr"
) -> CheckReport:
    """Check what `base_rev..head_rev` adds, trusting `base_rev`'s policies.yaml."""
    with ObjectReader(repo) as objects:
        base = _resolve(objects, base_rev, "基准版本（--base）")
        head = _resolve(objects, head_rev, "版本（--rev）")
        root = trusted_roster_at(objects, base)
        commits = list(repo.commits([head, "^" + base]))
        if not commits:
            return CheckReport(mode, head, base, root.policy.version, [])
        scan = _RangeScan(repo, objects, root, commits, base, head)
        violations = scan.run()
    return CheckReport(
        mode=mode,
        head=head,
        base=base,
        policy_version=scan.policy.version,
        violations=order_violations(violations),
        drafts=sorted(scan.parsed_paths),
        commits=len(commits) + len({*scan.fetched, *scan.gained, *scan.searched_ids}),
    )


def _resolve(objects: ObjectReader, rev: str, what: str) -> str:
    oid = objects.resolve(rev)
    if oid is None:
        raise FzjjError(
            f"找不到{what} {rev}",
            hint="检查版本名；在 CI 中需要完整克隆（fetch-depth: 0）并先 git fetch 目标分支。",
        )
    return oid


def trusted_roster_at(objects: ObjectReader, rev: str) -> Trusted:
    """The policies.yaml of a protected revision, taken as the trust root."""
    found = objects.get(f"{rev}:{POLICY_FILE}")
    if found is None or found[1] != "blob":
        raise PolicyError(
            f"基准版本 {rev[:12]} 中没有 policies.yaml，无法确定可信名册",
            path=POLICY_FILE,
            hint=(
                "先在受保护分支上提交有效的 policies.yaml（fzjj init 可生成），"
                "或去掉 --base 做全量检查。"
            ),
        )
    try:
        policy = decode_policy(found[2])
    except PolicyError as exc:
        raise PolicyError(
            f"基准版本 {rev[:12]} 的 policies.yaml 无效：{exc.message}",
            path=POLICY_FILE,
            field=exc.field,
            line=exc.line,
            hint="受保护分支上的名册必须有效；先修正名册再检查合并请求。",
        ) from exc
    return Trusted(found[0], policy)


@dataclass(slots=True)
class _BaseRecord:
    """A record of base history the range builds on or competes with."""

    commit: Commit
    fields: RecordFields
    order: int  # position in a parents-first order of the base records


@dataclass(slots=True)
class _RangeScan:
    repo: GitRepo
    objects: ObjectReader
    root: Trusted
    commits: list[Commit]
    base: str
    head: str
    in_range: dict[str, Commit] = field(default_factory=dict)
    policies: dict[str, Policy | None] = field(default_factory=dict)
    policy_errors: dict[str, PolicyError] = field(default_factory=dict)
    sigs: dict[str, SigResult] = field(default_factory=dict)
    trusted: dict[str, Trusted] = field(default_factory=dict)
    fetched: dict[str, _BaseRecord] = field(default_factory=dict)  # reached via Fzjj-Prev
    gained: dict[str, _BaseRecord] = field(default_factory=dict)  # base's since branching
    searched: dict[str, list[_BaseRecord]] = field(default_factory=dict)  # by draft id
    # Commits of base history a Fzjj-Prev names that are no records (the roster, an edit).
    pointed_other: set[str] = field(default_factory=set)
    parsed_paths: set[str] = field(default_factory=set)
    outside: list[str] = field(default_factory=list)  # parents of the range on base history
    head_policy: Policy | None = None

    def __post_init__(self) -> None:
        self.in_range = {c.oid: c for c in self.commits}
        self.outside = sorted(
            {p for c in self.commits for p in c.parents if p not in self.in_range}
        )
        if self.root.blob:
            self.policies[self.root.blob] = self.root.policy
        self.head_policy = self.root.policy

    # ---- helpers -----------------------------------------------------------------------

    @property
    def searched_ids(self) -> set[str]:
        return {r.commit.oid for found in self.searched.values() for r in found}

    @property
    def policy(self) -> Policy:
        assert self.head_policy is not None
        return self.head_policy

    def verify(self, commit: Commit) -> SigResult:
        if commit.oid not in self.sigs:
            from fzjj import sigverify

            check = sigverify.verify_commit(commit.raw)
            self.sigs[commit.oid] = (check.ok, check.key, check.reason)
        return self.sigs[commit.oid]

    def policy_blob(self, commit: str) -> str | None:
        return self.objects.oid(f"{commit}:{POLICY_FILE}")

    def load_policy(self, blob: str | None) -> Policy | None:
        if blob is None:
            return None
        if blob not in self.policies:
            try:
                self.policies[blob] = decode_policy(self.objects.blob(blob) or b"")
            except PolicyError as exc:
                self.policies[blob] = None
                self.policy_errors[blob] = exc
        return self.policies[blob]

    def when(self, commit: Commit) -> datetime:
        moment = datetime.fromtimestamp(commit.committer_time, UTC)
        return moment.astimezone(self.policy.tz)

    # ---- the steps ---------------------------------------------------------------------

    def run(self) -> list[Violation]:
        outside = self.outside
        if not outside:
            raise FzjjError(
                f"版本 {self.head[:12]} 与基准版本 {self.base[:12]} 没有共同的历史",
                hint="--base 应为合并请求的目标分支（例如 origin/main）；确认两者来自同一仓库。",
            )
        records, malformed = split_records(self.commits)
        tree_policy = {c: self.policy_blob(c) for c in [*self.in_range, *outside]}
        violations = self.walk_roster(tree_policy)
        self.head_policy = self.trusted[self.head].policy
        violations += self.head_policy_problems(tree_policy[self.head])

        touched = {f.draft_id for _, f in records}
        self.follow_prev(records)
        self.read_gained(outside, touched)
        self.read_unlinked(records)
        inputs = self.base_inputs()
        first_range_input = len(inputs)
        for commit, fields in records:
            blob = self.objects.oid(f"{commit.tree}:{fields.path}")
            inputs.append(self.range_input(commit, fields, blob))
        for commit, why in malformed:
            inputs.append(
                RecordInput(commit.oid, None, why, False, None, None, None, None, self.when(commit))
            )

        drafts, meta, changed, found = self.read_drafts(records, touched)
        violations += found
        from fzjj import chain

        states, loose = chain.replay(
            inputs,
            {i: chain.summarize(d) for i, d in drafts.items() if i in touched},
            self.policy,
            metadata={i: chain.summarize(d) for i, d in meta.items()},
        )
        violations += loose
        added = {i.commit for i in inputs[first_range_input:]}
        for draft_id in sorted(touched):
            if draft_id in states:
                # Problems of base records are the base branch's, reported by its own check.
                violations += [
                    v for v in states[draft_id].violations if v.commit is None or v.commit in added
                ]
        # Content rules run on what the range changes; drafts it only records were checked
        # when they landed on the base branch, unless the range changes the roster's rules.
        rules_changed = self.trusted[self.head].blob != self.root.blob
        for draft in sorted(drafts.values(), key=lambda d: d.path):
            if rules_changed or draft.path in changed:
                from fzjj.history import draft_violations

                violations += draft_violations(draft, self.policy)
        refused = {r.commit for s in states.values() for r in s.history if not r.valid}
        violations += self.merge_damage(records, inputs, refused)
        return violations

    def walk_roster(self, tree_policy: dict[str, str | None]) -> list[Violation]:
        """The trusted roster at every commit of the range, parents first.

        A commit whose parent lies outside the range sits on the base branch's history; what
        it adds is judged under the base revision's roster, wherever the branch started, so a
        key removed on the base branch cannot sign new records from an old branch.
        """
        out: list[Violation] = []
        for commit in self.commits:
            blob = tree_policy[commit.oid]
            parents = [(tree_policy.get(p), self.trusted.get(p, self.root)) for p in commit.parents]
            first = parents[0][1] if parents else self.root
            # As history.load: unchanged from the first parent, or a version already trusted
            # on some parent (merged in or restored); anything else is a change to judge.
            same = first if parents and parents[0][0] == blob else None
            same = same or next((t for _, t in parents if t.blob == blob), None)
            if same is not None:
                self.trusted[commit.oid] = same
                continue
            self.trusted[commit.oid] = first
            if blob is None:
                out.append(
                    Violation(
                        "P005",
                        "该提交删除了 policies.yaml；删除不生效",
                        path=POLICY_FILE,
                        commit=commit.oid,
                        hint="恢复 policies.yaml（git checkout HEAD~1 -- policies.yaml）后提交。",
                    )
                )
                continue
            new = self.load_policy(blob)
            problem = roster_change(commit.oid, first.policy, new, partial(self.verify, commit))
            if problem is not None:
                out.append(problem)
            elif new is not None:
                self.trusted[commit.oid] = Trusted(blob, new)
        return out

    def head_policy_problems(self, head_blob: str | None) -> list[Violation]:
        """G001 (the head's file does not parse, with field and line) and P006 (the head's
        file is not the trusted roster), as the full check reports them."""
        out: list[Violation] = []
        error = self.policy_errors.get(head_blob or "")
        if error is not None:
            out.append(policy_error_violation(error, self.head))
        if head_blob is not None and head_blob != self.trusted[self.head].blob:
            out.append(
                Violation(
                    "P006",
                    "当前的 policies.yaml 不是可信名册（修改未经授权），按最后一版可信名册校验",
                    path=POLICY_FILE,
                    commit=self.head,
                    hint="撤销未经授权的修改，或由名册管理员签名提交新版本（version 加 1）。",
                )
            )
        return out

    def follow_prev(self, records: Sequence[tuple[Commit, RecordFields]]) -> None:
        """Fetch the earlier records of each touched draft from base history via Fzjj-Prev."""
        pending = [f.prev for _, f in records if f.prev and f.prev not in self.in_range]
        seen: set[str] = set()
        steps = 0
        while pending and steps < MAX_PREV_STEPS:
            steps += 1
            following: list[str] = []
            for oid in dict.fromkeys(pending):
                if oid in seen:
                    continue
                seen.add(oid)
                commit = self.objects.commit(oid)
                fields = record_of(commit) if commit else None
                if commit is None or fields is None:
                    if commit is not None:
                        self.pointed_other.add(oid)
                    continue
                self.fetched[oid] = _BaseRecord(commit, fields, 0)
                if fields.prev and fields.prev not in self.in_range:
                    following.append(fields.prev)
            pending = following
        # A Prev may name a commit that exists but is part of neither branch.
        from fzjj import gitstore

        heads = [self.head, self.base]
        named = sorted({*self.fetched, *self.pointed_other})
        for oid in gitstore.not_reachable_from(self.repo, named, heads):
            self.fetched.pop(oid, None)
            self.pointed_other.discard(oid)

    def read_gained(self, outside: Sequence[str], touched: set[str]) -> None:
        """Records of the touched drafts that the base branch gained after the range's
        branch point: merging would put them in the same chains as the range's records."""
        from fzjj import gitstore

        attach = [p for p in outside if p != self.base]
        if not attach or not touched:
            return
        fork = attach[0] if len(attach) == 1 else gitstore.merge_base_of(self.repo, attach)
        if fork is None:
            return
        for i, commit in enumerate(self.repo.commits([self.base, "^" + fork])):
            fields = record_of(commit)
            if fields is not None and fields.draft_id in touched:
                self.gained[commit.oid] = _BaseRecord(commit, fields, i)

    def read_unlinked(self, records: Sequence[tuple[Commit, RecordFields]]) -> None:
        """The base records of drafts whose chain the range does not link to.

        A draft's first record in the range is a submission, or its Fzjj-Prev leads back
        through that draft's records to one. When it does not (a record copied from another
        draft, a pointer to nothing), the draft's records are searched in base history, the
        only step whose cost grows with the history; a normal pull request never takes it.
        """
        first: dict[str, RecordFields] = {}
        for _, fields in records:
            first.setdefault(fields.draft_id, fields)
        unlinked = sorted(i for i, f in first.items() if not self.reaches_submit(f))
        if not unlinked:
            return
        patterns = [f"--grep=Fzjj-Draft: {draft_id}" for draft_id in unlinked]
        for i, commit in enumerate(self.repo.commits(["--fixed-strings", *patterns, self.base])):
            found = record_of(commit)
            if found is not None and found.draft_id in unlinked:
                self.searched.setdefault(found.draft_id, []).append(_BaseRecord(commit, found, i))

    def reaches_submit(self, fields: RecordFields) -> bool:
        hops = 0
        current: RecordFields | None = fields
        while current is not None and hops <= MAX_PREV_STEPS:
            if current.action is Action.SUBMIT:
                return True
            if current.prev is None:
                return False
            found = self.fetched.get(current.prev)
            in_range = self.in_range.get(current.prev)
            if found is not None:
                current = found.fields if found.fields.draft_id == fields.draft_id else None
            elif in_range is not None:
                current = record_of(in_range)
                if current is not None and current.draft_id != fields.draft_id:
                    current = None
            else:
                current = None
            hops += 1
        return False

    def base_inputs(self) -> list[RecordInput]:
        """The base records, parents first, each under the roster at its place in base
        history (the base branch is trusted as it stands)."""

        def depth(oid: str) -> int:
            hops = 0
            prev = self.fetched[oid].fields.prev
            while prev in self.fetched and hops < MAX_PREV_STEPS:
                hops += 1
                prev = self.fetched[prev].fields.prev
            return hops

        # Records reached only through Fzjj-Prev lie below the branch point: they come first,
        # in chain order; then what the base gained, in git's parents-first order.
        searched = self.searched_ids
        older = sorted(
            (o for o in self.fetched if o not in self.gained and o not in searched), key=depth
        )
        items = [self.fetched[o] for o in older]
        items += sorted(
            (r for r in self.gained.values() if r.commit.oid not in searched),
            key=lambda r: r.order,
        )
        items += [r for found in self.searched.values() for r in found]
        out: list[RecordInput] = []
        for item in items:
            commit, fields = item.commit, item.fields
            parent = commit.parents[0] if commit.parents else None
            roster = self.load_policy(self.policy_blob(parent)) if parent else None
            blob = self.objects.oid(f"{commit.tree}:{fields.path}")
            ok, key, reason = self.verify(commit)
            out.append(
                RecordInput(
                    commit.oid, fields, None, ok, key, reason, roster, blob, self.when(commit)
                )
            )
        return out

    def range_input(self, commit: Commit, fields: RecordFields, blob: str | None) -> RecordInput:
        parent = commit.parents[0] if commit.parents else None
        roster = self.trusted.get(parent, self.root) if parent else self.root
        ok, key, reason = self.verify(commit)
        return RecordInput(
            commit.oid, fields, None, ok, key, reason, roster.policy, blob, self.when(commit)
        )

    def changed_drafts(self, outside: Sequence[str]) -> list[str]:
        """Drafts the range changes: the difference between where it branched off and head."""
        from fzjj import gitstore

        start = self.base if list(outside) == [self.base] else None
        if start is None:
            start = gitstore.merge_base_of(self.repo, [self.base, self.head]) or self.base
        old, new = self.objects.commit(start), self.objects.commit(self.head)
        if old is None or new is None:
            return []
        return [
            p
            for p in self.objects.changed_files(old.tree, new.tree, CONTENT_DIR)
            if p.endswith(".md")
        ]

    def read_drafts(
        self, records: Sequence[tuple[Commit, RecordFields]], touched: set[str]
    ) -> tuple[dict[str, Draft], dict[str, Draft], set[str], list[Violation]]:
        """Parse the drafts at head that the range changes or records (and nothing else).

        Returns the drafts by id, the last known version of touched drafts the range deleted,
        the changed paths, and the file violations (D001, D002).
        """
        changed = set(self.changed_drafts(self.outside))
        base_records = [
            *self.fetched.values(),
            *self.gained.values(),
            *(r for found in self.searched.values() for r in found),
        ]
        record_paths = {r.fields.draft_id: r.fields.path for r in base_records}
        record_paths.update({f.draft_id: f.path for _, f in records})
        drafts: dict[str, Draft] = {}
        violations: list[Violation] = []
        for path in sorted({*changed, *record_paths.values()}):
            data = self.objects.blob(f"{self.head}:{path}")
            if data is None:
                continue
            self.parsed_paths.add(path)
            try:
                check_path(path)
                draft = parse_draft(data, path)
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
        everything = [*((r.commit, r.fields) for r in base_records), *records]
        meta = self.old_metadata([i for i in touched if i not in drafts], everything)
        return drafts, meta, changed, violations

    def old_metadata(
        self, missing: Sequence[str], records: Sequence[tuple[Commit, RecordFields]]
    ) -> dict[str, Draft]:
        """Drafts deleted by the range: their front-matter as their last record saw it."""
        last: dict[str, tuple[Commit, RecordFields]] = {}
        for commit, fields in records:
            if fields.draft_id in missing:
                last[fields.draft_id] = (commit, fields)
        out: dict[str, Draft] = {}
        for draft_id, (commit, fields) in last.items():
            data = self.objects.blob(f"{commit.tree}:{fields.path}")
            if data is None:
                continue
            try:
                out[draft_id] = parse_draft(data, fields.path)
            except DraftError:
                continue
        return out

    def merge_damage(
        self,
        records: Sequence[tuple[Commit, RecordFields]],
        inputs: Sequence[RecordInput],
        refused: Set[str],
    ) -> list[Violation]:
        """Squash and rebase damage among the range's records (`refused`: the records the
        chains did not count) and squash messages among its other commits."""
        known = {*self.in_range, *self.fetched, *self.gained, *self.searched_ids}
        known |= self.pointed_other
        base_records = [*self.fetched.items(), *self.gained.items()]
        base_records += [(r.commit.oid, r) for found in self.searched.values() for r in found]
        index = twins_index(
            [(o, r.fields) for o, r in base_records] + [(c.oid, f) for c, f in records]
        )
        by_commit = {i.commit: i for i in inputs}
        out: list[Violation] = []
        for commit, fields in records:
            signed = signature_counts(by_commit[commit.oid])
            found = merge_damage(
                commit,
                signed=signed,
                twin=twin_of(index, commit.oid, fields),
                prev_missing=fields.prev is not None and fields.prev not in known,
                refused=commit.oid in refused or not signed,
                path=fields.path,
                draft_id=fields.draft_id,
            )
            if found:
                out.append(found)
        recorded = {c.oid for c, _ in records}
        for commit in self.commits:
            if commit.oid in recorded or "Fzjj-Action:" not in commit.message:
                continue
            try:
                if parse_record(commit.message) is not None:
                    continue  # a roster record
            except MalformedRecord:
                pass
            found = squash_damage(commit)
            if found:
                out.append(found)
        return out


def record_of(commit: Commit) -> RecordFields | None:
    """The draft record a commit carries; None for other commits and malformed records."""
    if "Fzjj-" not in commit.message:
        return None
    try:
        fields = parse_record(commit.message)
    except MalformedRecord:
        return None
    return fields if fields is not None and fields.draft_id else None
