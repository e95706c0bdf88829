"""Rebuild the state of every draft from git alone, in one bulk pass.

Steps: read every commit (one `git log` stream), find the policies.yaml blob of each tree
(one `cat-file --batch-check`), decide the trusted roster at each commit, verify the
signature of every record and roster change in-process, check each record's blob against
its tree, parse the drafts at the revision, and replay the chain. Verification results are
cached in `.git/fzjj/` keyed by commit id (content-addressed, so safe to reuse).
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fzjj import chain, sigverify
from fzjj.draft import CONTENT_DIR, Draft, check_path, line_of, parse_draft
from fzjj.errors import DraftError, FzjjError, PolicyError
from fzjj.gitstore import Commit, GitRepo, trust_anchor
from fzjj.model import DraftState, RosterVersion, Violation
from fzjj.policy import POLICY_FILE, Policy, decode_policy
from fzjj.records import MalformedRecord, RecordFields, parse_record

CACHE_VERSION = 1


@dataclass(slots=True)
class History:
    """What one pass over a revision found."""

    head: str | None
    policy: Policy  # the trusted roster at the revision
    states: dict[str, DraftState]
    violations: list[Violation]  # not tied to one draft (roster, malformed records, files)
    drafts: dict[str, Draft] = field(default_factory=dict)  # by draft id
    paths: dict[str, str] = field(default_factory=dict)  # path → draft id
    commits: int = 0
    inputs: dict[str, list[chain.RecordInput]] = field(default_factory=dict)  # by draft id
    rosters: list[RosterVersion] = field(default_factory=list)  # trusted versions, in order

    def all_violations(self) -> list[Violation]:
        out = [v for v in self.violations if v.code == "R001"]
        for state in self.states.values():
            out += [v for v in state.violations if v.code == "R001"]
        out += [v for v in self.violations if v.code != "R001"]
        for state in self.states.values():
            out += [v for v in state.violations if v.code != "R001"]
        return out


class _SigCache:
    def __init__(self, repo: GitRepo) -> None:
        self.path = repo.git_dir / "fzjj" / f"sigs-v{CACHE_VERSION}.marshal"
        self.data: dict[str, tuple[bool, str | None, str | None]] = {}
        self.dirty = False
        try:
            loaded = marshal.loads(self.path.read_bytes())
            if isinstance(loaded, dict):
                self.data = loaded
        except (OSError, ValueError, EOFError, TypeError):
            self.data = {}

    def verify(self, commit: Commit) -> tuple[bool, str | None, str | None]:
        hit = self.data.get(commit.oid)
        if hit is not None:
            return hit
        check = sigverify.verify_commit(commit.raw)
        result = (check.ok, check.key, check.reason)
        self.data[commit.oid] = result
        self.dirty = True
        return result

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(self.data))
            tmp.replace(self.path)
        except OSError:
            pass  # a read-only repository simply runs uncached


def _when(commit: Commit, policy: Policy | None) -> datetime:
    moment = datetime.fromtimestamp(commit.committer_time, UTC)
    return moment.astimezone(policy.tz) if policy else moment


def load(
    repo: GitRepo,
    rev: str = "HEAD",
    *,
    trust_root: str | None = None,
) -> History:
    head = repo.resolve(rev)
    if head is None:
        raise FzjjError(f"找不到版本 {rev}（仓库还没有提交？）", hint="先提交 policies.yaml。")
    commits = list(repo.commits([head]))
    cache = _SigCache(repo)
    violations: list[Violation] = []

    # The policies.yaml blob of every tree, one batch.
    trees = list(dict.fromkeys(c.tree for c in commits))
    tree_policy = dict(zip(trees, repo.lookup([f"{t}:{POLICY_FILE}" for t in trees]), strict=True))
    policy_blobs: dict[str, bytes] = {}
    parsed: dict[str, Policy | None] = {}

    def policy_of(blob: str) -> Policy | None:
        if blob not in parsed:
            if blob not in policy_blobs:
                policy_blobs.update(repo.cat_objects([blob]))
            try:
                parsed[blob] = decode_policy(policy_blobs[blob])
            except PolicyError:
                parsed[blob] = None
        return parsed[blob]

    # Trusted roster per commit: (blob, Policy). Changes need a roster admin of the parent's.
    trusted: dict[str, tuple[str, Policy] | None] = {}
    root_oid = trust_anchor(repo, head, trust_root)
    rosters: list[RosterVersion] = []
    tree_of = {c.oid: c.tree for c in commits}
    for commit in commits:
        blob = tree_policy[commit.tree]
        parents = [trusted.get(p) for p in commit.parents]
        base = parents[0] if parents else None
        # Only a commit that brings a new file onto its first parent's line can change the
        # roster; later commits carrying a refused file neither adopt nor report it again.
        first = tree_policy.get(tree_of.get(commit.parents[0], "")) if commit.parents else None
        changed = not commit.parents or first != blob
        if blob is None:
            trusted[commit.oid] = base
            if base is not None and changed:
                violations.append(
                    Violation(
                        "P005",
                        "该提交删除了 policies.yaml；删除不生效",
                        path=POLICY_FILE,
                        commit=commit.oid,
                    )
                )
            continue
        if base is not None and base[0] == blob:
            trusted[commit.oid] = base
            continue
        same = next((p for p in parents if p is not None and p[0] == blob), None)
        if same is not None:
            trusted[commit.oid] = same
            continue
        genesis = (base is None and root_oid is None and not any(trusted.values())) or (
            commit.oid == root_oid
        )
        if not changed and not genesis:
            trusted[commit.oid] = base
            continue
        new = policy_of(blob)
        if new is None:
            trusted[commit.oid] = base
            violations.append(
                Violation(
                    "P001",
                    "该提交中的 policies.yaml 无法解析或不符合规定格式，修改不生效",
                    path=POLICY_FILE,
                    commit=commit.oid,
                    hint="运行 fzjj check 查看具体字段；修正后由名册管理员签名提交。",
                )
            )
            continue
        if genesis:
            trusted[commit.oid] = (blob, new)
            rosters.append(RosterVersion(commit.oid, new.version, blob, None, None, anchor=True))
            continue
        if base is None:
            trusted[commit.oid] = None
            continue
        ok, key, reason = cache.verify(commit)
        old = base[1]
        person = old.key_owner.get(key or "") if ok else None
        if not ok or person is None or key in old.compromised:
            why = reason if not ok else "签名密钥不在上一版名册中"
            violations.append(
                Violation(
                    "P002",
                    f"名册（policies.yaml）的修改没有有效签名，修改不生效：{why}",
                    path=POLICY_FILE,
                    commit=commit.oid,
                    hint="名册修改须由上一版 roster_admins 中的人签名提交。",
                )
            )
            trusted[commit.oid] = base
        elif person not in old.roster_admins:
            violations.append(
                Violation(
                    "P003",
                    f"{old.name_of(person)} 不是上一版名册的 roster_admins，无权修改名册",
                    path=POLICY_FILE,
                    commit=commit.oid,
                    hint="请由名册管理员签名提交名册修改。",
                )
            )
            trusted[commit.oid] = base
        elif new.version <= old.version:
            violations.append(
                Violation(
                    "P004",
                    f"名册版本号必须递增（上一版 {old.version}，本次 {new.version}），修改不生效",
                    path=POLICY_FILE,
                    commit=commit.oid,
                    hint="把 version 加 1 后重新提交。",
                )
            )
            trusted[commit.oid] = base
        else:
            trusted[commit.oid] = (blob, new)
            rosters.append(RosterVersion(commit.oid, new.version, blob, person, key))

    final = trusted.get(head)
    if final is None:
        raise PolicyError(
            "没有可信的 policies.yaml",
            path=POLICY_FILE,
            hint="在仓库根目录提交一份有效的 policies.yaml（fzjj init 可生成）。",
        )
    head_policy = final[1]
    if tree_policy[commits[-1].tree] != final[0]:
        violations.append(
            Violation(
                "P006",
                "当前的 policies.yaml 不是可信名册（修改未经授权），按最后一版可信名册校验",
                path=POLICY_FILE,
                commit=head,
            )
        )

    # Records: parse trailers, find the blob at each record's path, verify signatures.
    pending: list[tuple[Commit, RecordFields | str]] = []
    for commit in commits:
        if "Fzjj-" not in commit.message:
            continue
        try:
            fields = parse_record(commit.message)
        except MalformedRecord as exc:
            pending.append((commit, str(exc)))
            continue
        if fields is not None and fields.draft_id:
            pending.append((commit, fields))
    specs = [f"{c.tree}:{f.path}" for c, f in pending if not isinstance(f, str)]
    found = iter(repo.lookup(specs))
    inputs: list[chain.RecordInput] = []
    for commit, entry in pending:
        parent = trusted.get(commit.parents[0]) if commit.parents else None
        roster = parent[1] if parent else None
        when = _when(commit, head_policy)
        if isinstance(entry, str):
            inputs.append(
                chain.RecordInput(commit.oid, None, entry, False, None, None, roster, None, when)
            )
            continue
        ok, key, reason = cache.verify(commit)
        inputs.append(
            chain.RecordInput(
                commit=commit.oid,
                fields=entry,
                malformed=None,
                sig_ok=ok,
                sig_key=key,
                sig_reason=reason,
                roster=roster,
                blob_at_path=next(found),
                when=when,
            )
        )
    cache.save()

    drafts, paths, file_violations = read_drafts(repo, head)
    violations += file_violations
    metadata = deleted_drafts(repo, inputs, drafts)
    states, loose = chain.replay(inputs, drafts, head_policy, metadata=metadata)
    by_draft: dict[str, list[chain.RecordInput]] = {}
    for item in inputs:
        if item.fields is not None:
            by_draft.setdefault(item.fields.draft_id, []).append(item)
    violations += loose
    return History(
        head=head,
        policy=head_policy,
        states=states,
        violations=violations,
        drafts=drafts,
        paths=paths,
        commits=len(commits),
        inputs=by_draft,
        rosters=rosters,
    )


def deleted_drafts(
    repo: GitRepo, inputs: Sequence[chain.RecordInput], drafts: dict[str, Draft]
) -> dict[str, Draft]:
    """Drafts no longer at the revision: their front-matter as their last record saw it, so
    their records are judged by their own unit and kind (one `cat-file --batch`)."""
    last: dict[str, RecordFields] = {}
    for item in inputs:
        f = item.fields
        if f is not None and f.draft_id not in drafts and item.blob_at_path == f.blob:
            last[f.draft_id] = f
    blobs = repo.cat_objects(f.blob for f in last.values())
    out: dict[str, Draft] = {}
    for draft_id, f in last.items():
        try:
            out[draft_id] = parse_draft(blobs[f.blob], f.path)
        except (KeyError, DraftError):
            continue
    return out


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
