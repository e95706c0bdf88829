"""Pull-request mode, `fzjj check --base REV`: check only what `base..head` adds.

The trust root is the base revision: its policies.yaml is the roster in force where the range
starts (base is the protected branch, verified when each of its commits landed). The cost
follows the pull request, not the history:

1. read the range's commits (one `git log base..head` stream);
2. walk the trusted roster along the range, accepting a change of policies.yaml only when
   the previous trusted roster's rules allow it (`roster_change`, the same rules as
   `fzjj.history.load`);
3. for each draft the range records, follow `Fzjj-Prev` back from the range into base
   history (one `cat-file --batch` per step, a handful of objects per draft), verify those
   records too, each under the policies.yaml in force at its place in base history;
4. parse only the drafts the range changes or records, replay their chains
   (`fzjj.chain.replay`) and run the content rules on them;
5. recognise record commits whose signatures a squash or rebase merge destroyed.

The server hook uses the same function with `base` = the branch's old tip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from fzjj import gitstore
from fzjj.chain import RecordInput
from fzjj.check import (
    CheckReport,
    merge_damage,
    order_violations,
    signature_counts,
    twin_of,
    twins_index,
)
from fzjj.draft import CONTENT_DIR, Draft, check_path, parse_draft
from fzjj.errors import DraftError, FzjjError, PolicyError
from fzjj.gitstore import Commit, GitRepo
from fzjj.model import Violation
from fzjj.policy import POLICY_FILE, Policy, decode_policy
from fzjj.records import MalformedRecord, RecordFields, parse_record

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
            hint="运行 fzjj check 查看具体字段；修正后由名册管理员签名提交。",
        )
    ok, key, reason = verify()
    person = old.key_owner.get(key or "") if ok else None
    if not ok or person is None or key in old.compromised:
        why = reason if not ok else "签名密钥不在上一版名册中"
        return Violation(
            "P002",
            f"名册（policies.yaml）的修改没有有效签名，修改不生效：{why}",
            path=POLICY_FILE,
            commit=commit,
            hint="名册修改须由上一版 roster_admins 中的人签名提交。",
        )
    if person not in old.roster_admins:
        return Violation(
            "P003",
            f"{old.name_of(person)} 不是上一版名册的 roster_admins，无权修改名册",
            path=POLICY_FILE,
            commit=commit,
            hint="请由名册管理员签名提交名册修改。",
        )
    if new.version <= old.version:
        return Violation(
            "P004",
            f"名册版本号必须递增（上一版 {old.version}，本次 {new.version}），修改不生效",
            path=POLICY_FILE,
            commit=commit,
            hint="把 version 加 1 后重新提交。",
        )
    return None


def check_range(
    repo: GitRepo, base_rev: str, head_rev: str = "HEAD", *, mode: str = "pr"
) -> CheckReport:
    """Check what `base_rev..head_rev` adds, trusting `base_rev`'s policies.yaml."""
    base = _resolve(repo, base_rev, "基准版本（--base）")
    head = _resolve(repo, head_rev, "版本（--rev）")
    root = trusted_roster_at(repo, base)
    commits = list(repo.commits([head, "^" + base]))
    if not commits:
        return CheckReport(mode, head, base, root.policy.version, [])
    scan = _RangeScan(repo, root, commits, head)
    violations = scan.run(base)
    return CheckReport(
        mode=mode,
        head=head,
        base=base,
        policy_version=scan.head_policy.version,
        violations=order_violations(violations),
        drafts=sorted(scan.parsed_paths),
        commits=len(commits) + len(scan.fetched),
    )


def _resolve(repo: GitRepo, rev: str, what: str) -> str:
    oid = repo.resolve(rev)
    if oid is None:
        raise FzjjError(
            f"找不到{what} {rev}",
            hint="检查版本名；在 CI 中需要完整克隆（fetch-depth: 0）并先 git fetch 目标分支。",
        )
    return oid


def trusted_roster_at(repo: GitRepo, rev: str) -> Trusted:
    """The policies.yaml of a protected revision, taken as the trust root."""
    blob = repo.lookup([f"{rev}:{POLICY_FILE}"])[0]
    if blob is None:
        raise PolicyError(
            f"基准版本 {rev[:12]} 中没有 policies.yaml，无法确定可信名册",
            path=POLICY_FILE,
            hint=(
                "先在受保护分支上提交有效的 policies.yaml（fzjj init 可生成），"
                "或去掉 --base 做全量检查。"
            ),
        )
    data = repo.cat_objects([blob]).get(blob, b"")
    try:
        policy = decode_policy(data)
    except PolicyError as exc:
        raise PolicyError(
            f"基准版本 {rev[:12]} 的 policies.yaml 无效：{exc.message}",
            path=POLICY_FILE,
            field=exc.field,
            line=exc.line,
            hint="受保护分支上的名册必须有效；先修正名册再检查合并请求。",
        ) from exc
    return Trusted(blob, policy)


class _RangeScan:
    def __init__(self, repo: GitRepo, root: Trusted, commits: list[Commit], head: str) -> None:
        self.repo = repo
        self.root = root
        self.commits = commits
        self.head = head
        self.in_range = {c.oid: c for c in commits}
        self.policies: dict[str, Policy | None] = {}
        if root.blob:
            self.policies[root.blob] = root.policy
        self.sigs: dict[str, SigResult] = {}
        self.trusted: dict[str, Trusted] = {}
        self.fetched: dict[str, tuple[Commit, RecordFields]] = {}
        self.parsed_paths: set[str] = set()
        self.head_policy = root.policy

    # ---- helpers -----------------------------------------------------------------------

    def verify(self, commit: Commit) -> SigResult:
        if commit.oid not in self.sigs:
            from fzjj import sigverify

            check = sigverify.verify_commit(commit.raw)
            self.sigs[commit.oid] = (check.ok, check.key, check.reason)
        return self.sigs[commit.oid]

    def load_policies(self, blobs: Iterable[str | None]) -> None:
        wanted = {b for b in blobs if b and b not in self.policies}
        for blob, data in self.repo.cat_objects(wanted).items():
            try:
                self.policies[blob] = decode_policy(data)
            except PolicyError:
                self.policies[blob] = None

    def when(self, commit: Commit) -> datetime:
        moment = datetime.fromtimestamp(commit.committer_time, UTC)
        return moment.astimezone(self.head_policy.tz)

    # ---- the steps ---------------------------------------------------------------------

    def run(self, base: str) -> list[Violation]:
        records, malformed = self.read_records(self.commits)
        outside = sorted({p for c in self.commits for p in c.parents if p not in self.in_range})
        specs = [f"{c.tree}:{POLICY_FILE}" for c in self.commits]
        specs += [f"{p}:{POLICY_FILE}" for p in outside]
        specs += [f"{c.tree}:{f.path}" for c, f in records]
        found = self.repo.lookup(specs)
        n, m = len(self.commits), len(outside)
        tree_policy = dict(zip([c.oid for c in self.commits], found[:n], strict=True))
        tree_policy.update(zip(outside, found[n : n + m], strict=True))
        blob_at = dict(zip([c.oid for c, _ in records], found[n + m :], strict=True))

        violations = self.walk_roster(tree_policy)
        head_trusted = self.trusted.get(self.head, self.root)
        self.head_policy = head_trusted.policy
        self.follow_prev(records)
        inputs = self.base_inputs()
        for commit, fields in records:
            inputs.append(self.range_input(commit, fields, blob_at[commit.oid]))
        for commit, why in malformed:
            inputs.append(self.malformed_input(commit, why))

        touched = {f.draft_id for _, f in records}
        drafts, meta, draft_violations = self.read_drafts(base, records, touched)
        violations += draft_violations
        from fzjj import chain, history

        states, loose = chain.replay(
            inputs,
            {i: chain.summarize(d) for i, d in drafts.items() if i in touched},
            self.head_policy,
            metadata={i: chain.summarize(d) for i, d in meta.items()},
        )
        violations += loose
        for draft_id in sorted(touched):
            if draft_id in states:
                violations += states[draft_id].violations
        for draft in sorted(drafts.values(), key=lambda d: d.path):
            violations += history.draft_violations(draft, self.head_policy)
        violations += self.merge_damage(records, inputs)
        return violations

    def read_records(
        self, commits: Sequence[Commit]
    ) -> tuple[list[tuple[Commit, RecordFields]], list[tuple[Commit, str]]]:
        records: list[tuple[Commit, RecordFields]] = []
        malformed: list[tuple[Commit, str]] = []
        for commit in commits:
            if "Fzjj-" not in commit.message:
                continue
            try:
                fields = parse_record(commit.message)
            except MalformedRecord as exc:
                malformed.append((commit, str(exc)))
                continue
            if fields is not None and fields.draft_id:
                records.append((commit, fields))
        return records, malformed

    def walk_roster(self, tree_policy: dict[str, str | None]) -> list[Violation]:
        """The trusted roster at every commit of the range, parents first."""
        out: list[Violation] = []
        changed = [
            tree_policy[c.oid]
            for c in self.commits
            if tree_policy[c.oid] not in [tree_policy.get(p) for p in c.parents]
        ]
        self.load_policies(changed)
        for commit in self.commits:
            blob = tree_policy[commit.oid]
            parents = [(tree_policy.get(p), self.trusted.get(p, self.root)) for p in commit.parents]
            first = parents[0][1] if parents else self.root
            same = next((t for b, t in parents if b == blob), None)
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
                    )
                )
                continue
            new = self.policies.get(blob)
            problem = roster_change(commit.oid, first.policy, new, partial(self.verify, commit))
            if problem is not None:
                out.append(problem)
            elif new is not None:
                self.trusted[commit.oid] = Trusted(blob, new)
        return out

    def follow_prev(self, records: Sequence[tuple[Commit, RecordFields]]) -> None:
        """Fetch the earlier records of each touched draft from base history via Fzjj-Prev."""
        pending = {f.prev for _, f in records if f.prev and f.prev not in self.in_range}
        steps = 0
        while pending and steps < MAX_PREV_STEPS:
            steps += 1
            found = gitstore.read_commits(self.repo, sorted(pending))
            pending = set()
            for oid, commit in found.items():
                try:
                    fields = parse_record(commit.message)
                except MalformedRecord:
                    continue
                if fields is None or not fields.draft_id:
                    continue
                self.fetched[oid] = (commit, fields)
                prev = fields.prev
                if prev and prev not in self.fetched and prev not in self.in_range:
                    pending.add(prev)
        # A Prev may name a commit that exists but is not part of this history.
        stray = gitstore.not_reachable(self.repo, sorted(self.fetched), self.head)
        for oid in stray:
            del self.fetched[oid]

    def base_inputs(self) -> list[RecordInput]:
        """The fetched base records, oldest first, each under the roster at its place."""
        items = list(self.fetched.values())
        specs = [f"{c.parents[0]}:{POLICY_FILE}" if c.parents else "" for c, _ in items]
        specs += [f"{c.tree}:{f.path}" for c, f in items]
        found = self.repo.lookup(specs)
        rosters, blobs = found[: len(items)], found[len(items) :]
        self.load_policies(rosters)

        def depth(oid: str) -> int:
            hops = 0
            prev = self.fetched[oid][1].prev
            while prev in self.fetched and hops < MAX_PREV_STEPS:
                hops += 1
                prev = self.fetched[prev][1].prev
            return hops

        order = sorted(range(len(items)), key=lambda i: depth(items[i][0].oid))
        out: list[RecordInput] = []
        for i in order:
            commit, fields = items[i]
            roster_blob = rosters[i]
            roster = self.policies.get(roster_blob) if roster_blob else None
            ok, key, reason = self.verify(commit)
            out.append(
                RecordInput(
                    commit.oid, fields, None, ok, key, reason, roster, blobs[i], self.when(commit)
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

    def malformed_input(self, commit: Commit, why: str) -> RecordInput:
        return RecordInput(commit.oid, None, why, False, None, None, None, None, self.when(commit))

    def read_drafts(
        self,
        base: str,
        records: Sequence[tuple[Commit, RecordFields]],
        touched: set[str],
    ) -> tuple[dict[str, Draft], dict[str, Draft], list[Violation]]:
        """Parse the drafts at head that the range changes or records (and nothing else)."""
        start = gitstore.merge_base(self.repo, base, self.head) or base
        changed = [
            p
            for p in gitstore.diff_paths(self.repo, start, self.head)
            if p.startswith(CONTENT_DIR + "/") and p.endswith(".md")
        ]
        record_paths: dict[str, str] = {}
        for _, fields in [*self.fetched.values(), *records]:
            record_paths[fields.draft_id] = fields.path
        paths = sorted({*changed, *record_paths.values()})
        oids = self.repo.lookup([f"{self.head}:{p}" for p in paths])
        present = {p: o for p, o in zip(paths, oids, strict=True) if o}
        blobs = self.repo.cat_objects(present.values())
        drafts: dict[str, Draft] = {}
        violations: list[Violation] = []
        for path in sorted(present):
            self.parsed_paths.add(path)
            try:
                check_path(path)
                draft = parse_draft(blobs[present[path]], path)
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
        meta = self.old_metadata(
            [i for i in touched if i not in drafts], [*self.fetched.values(), *records]
        )
        return drafts, meta, violations

    def old_metadata(
        self, missing: Sequence[str], records: Sequence[tuple[Commit, RecordFields]]
    ) -> dict[str, Draft]:
        """Drafts deleted by the range: their front-matter as their last record saw it."""
        last: dict[str, tuple[Commit, RecordFields]] = {}
        for commit, fields in records:
            if fields.draft_id in missing:
                last[fields.draft_id] = (commit, fields)
        specs = [f"{c.tree}:{f.path}" for c, f in last.values()]
        oids = self.repo.lookup(specs)
        blobs = self.repo.cat_objects(o for o in oids if o)
        out: dict[str, Draft] = {}
        for (draft_id, (_, fields)), oid in zip(last.items(), oids, strict=True):
            if oid is None or oid not in blobs:
                continue
            try:
                out[draft_id] = parse_draft(blobs[oid], fields.path)
            except DraftError:
                continue
        return out

    def merge_damage(
        self, records: Sequence[tuple[Commit, RecordFields]], inputs: Sequence[RecordInput]
    ) -> list[Violation]:
        known = {*self.in_range, *self.fetched}
        index = twins_index(
            [(c.oid, f) for c, f in records] + [(o, f) for o, (_, f) in self.fetched.items()]
        )
        by_commit = {i.commit: i for i in inputs}
        out: list[Violation] = []
        for commit, fields in records:
            if signature_counts(by_commit[commit.oid]):
                continue
            found = merge_damage(
                commit,
                twin=twin_of(index, commit.oid, fields),
                prev_missing=fields.prev is not None and fields.prev not in known,
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
                roster = parse_record(commit.message)
            except MalformedRecord:
                roster = None
            if roster is not None:
                continue  # a roster record
            found = merge_damage(commit)
            if found:
                out.append(found)
        return out
