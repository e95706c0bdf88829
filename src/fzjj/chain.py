"""The review chain as a state machine over verified records. Pure: no git, no I/O.

The loader (fzjj.history) hands over every record commit in topological order, already
verified: who signed (by key → person under the roster in force at that point of trusted
history), the blob actually at the record's path in its tree, and the roster itself. This
module decides which records count and where each draft stands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from fzjj.draft import Draft
from fzjj.model import (
    PHASE_LABELS,
    STAGE_LABELS,
    Action,
    DraftState,
    DraftSummary,
    Kind,
    Phase,
    Record,
    Severity,
    Violation,
)
from fzjj.policy import POLICY_FILE, Policy
from fzjj.records import RecordFields


@dataclass(frozen=True, slots=True)
class RecordInput:
    """One record commit as the loader found it."""

    commit: str
    fields: RecordFields | None  # None when the trailers were malformed
    malformed: str | None  # why the trailers are malformed
    sig_ok: bool
    sig_key: str | None
    sig_reason: str | None
    roster: Policy | None  # the trusted roster in force where the commit sits
    blob_at_path: str | None  # blob at fields.path in the commit's tree
    when: datetime


@dataclass(slots=True)
class _Cycle:
    submit: Record
    digest: str
    blob: str
    approvals: list[Record] = field(default_factory=list)
    rejection: Record | None = None
    last: str = ""  # commit of the last valid record of this cycle
    signers: set[str] = field(default_factory=set)


def _as_record(item: RecordInput, signer: str | None, valid: bool, reason: str | None) -> Record:
    f = item.fields
    assert f is not None
    return Record(
        commit=item.commit,
        action=f.action,
        draft_id=f.draft_id,
        path=f.path,
        stage=f.stage,
        digest=f.digest,
        blob=f.blob,
        opinion=f.opinion,
        signer=signer,
        key=item.sig_key,
        when=item.when,
        url=f.url,
        valid=valid,
        reason=reason,
    )


def _signer(item: RecordInput, head: Policy) -> tuple[str | None, str | None, str | None]:
    """(person id, violation code, reason). The person comes from the key, never the author."""
    if not item.sig_ok:
        code = (
            "R010"
            if item.sig_key is None and (item.sig_reason or "").startswith("提交未签名")
            else "R011"
        )
        return None, code, item.sig_reason or "签名无效"
    if item.sig_key in head.compromised:
        return None, "R013", "签名密钥已被标记为泄露（compromised），其签署的所有记录均无效"
    roster = item.roster
    if roster is None:
        return None, "R012", "该记录所在位置没有可信的名册（policies.yaml）"
    if item.sig_key in roster.compromised:
        return None, "R013", "签名密钥已被标记为泄露（compromised）"
    person = roster.key_owner.get(item.sig_key or "")
    if person is None:
        return None, "R012", "签名密钥不在该记录所在位置生效的名册中（未登记或已被移除）"
    return person, None, None


def summarize(draft: Draft) -> DraftSummary:
    """The parts of a parsed draft that the chain reads."""
    meta = draft.meta
    return DraftSummary(
        draft_id=meta.id,
        path=draft.path,
        digest=draft.digest,
        title=meta.title,
        unit=meta.unit,
        kind=meta.kind,
        category=meta.category,
        lint_exceptions=tuple(f"{e.rule}：{e.reason}" for e in meta.lint_exceptions),
    )


def replay(
    records: Iterable[RecordInput],
    current: Mapping[str, DraftSummary],
    head: Policy,
    *,
    metadata: Mapping[str, DraftSummary] | None = None,
) -> tuple[dict[str, DraftState], list[Violation]]:
    """Replay records (parents first) against the drafts as they stand now.

    `current`: draft id → the draft at the revision being checked. `metadata`: draft id → an
    older version of drafts no longer present (to judge roles of their records).
    Returns states by draft id and violations not tied to one draft's file.
    """
    by_draft: dict[str, list[RecordInput]] = defaultdict(list)
    loose: list[Violation] = []
    for item in records:
        if item.fields is None:
            loose.append(Violation("R029", f"记录格式错误：{item.malformed}", commit=item.commit))
            continue
        by_draft[item.fields.draft_id].append(item)

    states: dict[str, DraftState] = {}
    for draft_id, draft in current.items():
        states[draft_id] = _replay_one(draft_id, draft, by_draft.pop(draft_id, []), head)
    for draft_id, items in by_draft.items():
        old = (metadata or {}).get(draft_id)
        state = _replay_one(draft_id, old, items, head, present=False)
        states[draft_id] = state
    return states, loose


def _replay_one(
    draft_id: str,
    draft: DraftSummary | None,
    items: Sequence[RecordInput],
    head: Policy,
    *,
    present: bool = True,
) -> DraftState:
    """One draft's records in order. `present`: the file is at the revision; otherwise
    `draft` is the file as its last record saw it (or None), and nobody needs to act."""
    kind = draft.kind if draft else Kind.ORIGINAL
    unit = draft.unit if draft else ""
    title = draft.title if draft else ""
    state = DraftState(
        draft_id=draft_id,
        path=draft.path if draft else (items[-1].fields.path if items and items[-1].fields else ""),
        title=title if present else "（文件已删除）" + title,
        unit=unit,
        kind=kind,
        category=draft.category if draft else "",
        phase=Phase.UNSUBMITTED,
        digest=draft.digest if draft and present else "",
        lint_exceptions=list(draft.lint_exceptions) if draft else [],
    )
    cycle: _Cycle | None = None
    published: tuple[Record, _Cycle] | None = None
    bad_publications: list[Violation] = []

    def refuse(item: RecordInput, signer: str | None, code: str, reason: str) -> None:
        rec = _as_record(item, signer, False, reason)
        state.history.append(rec)
        f = item.fields
        assert f is not None
        if f.action is Action.PUBLISH:
            bad_publications.append(
                Violation(
                    "R001",
                    f"稿件被记录为已发布，但发布记录无效：{reason}",
                    path=state.path or f.path,
                    commit=item.commit,
                    draft_id=draft_id,
                    hint="发布前必须完成四级审核并由运维人员签名发布；核实公众号上的内容并补正。",
                )
            )
        state.violations.append(
            Violation(
                code, reason, path=state.path or f.path, commit=item.commit, draft_id=draft_id
            )
        )

    for item in items:
        f = item.fields
        assert f is not None
        person, code, reason = _signer(item, head)
        if person is None:
            refuse(item, None, code or "R011", reason or "签名无效")
            continue
        roster = item.roster
        assert roster is not None
        if item.blob_at_path is None or item.blob_at_path != f.blob:
            refuse(item, person, "R028", f"记录中的 Fzjj-Blob 与该提交中 {f.path} 的实际内容不符")
            continue
        if f.action is Action.SUBMIT:
            allowed = roster.submitters_for(kind, unit)
            if person not in allowed:
                who = "、".join(roster.name_of(p) for p in allowed) or "（无）"
                refuse(
                    item,
                    person,
                    "R031",
                    f"{roster.name_of(person)} 无权报送该稿件；应由 {who} 报送",
                )
                continue
            rec = _as_record(item, person, True, None)
            state.history.append(rec)
            cycle = _Cycle(submit=rec, digest=f.digest, blob=f.blob, last=item.commit)
            cycle.signers.add(person)
            if state.first_submitted is None:
                state.first_submitted = rec.when
            continue
        if cycle is None or (cycle.rejection is not None and f.action is not Action.PUBLISH):
            why = "稿件已被退回，需重新报送后才能审核" if cycle else "稿件尚未报送"
            refuse(item, person, "R025", why)
            continue
        if f.digest != cycle.digest or f.blob != cycle.blob:
            refuse(item, person, "R027", "该记录针对的内容与报送时的内容不同（内容已被修改）")
            continue
        if f.prev != cycle.last:
            refuse(
                item,
                person,
                "R026",
                "记录的 Fzjj-Prev 没有指向本轮审核的上一条有效记录（可能是重放）",
            )
            continue
        chain = roster.chains[kind]
        if f.action is Action.PUBLISH:
            if len(cycle.approvals) < len(chain) or cycle.rejection is not None:
                refuse(item, person, "R001", "审核链尚未完成就发布")
                continue
            if person not in roster.operators:
                refuse(item, person, "R032", f"{roster.name_of(person)} 不是运维人员，无权发布")
                continue
            rec = _as_record(item, person, True, None)
            state.history.append(rec)
            published = (rec, cycle)
            cycle.last = item.commit
            continue
        stage = f.stage
        assert stage is not None
        done = [r.stage for r in cycle.approvals]
        if stage in done:
            refuse(item, person, "R024", f"{STAGE_LABELS[stage]}已经签过，重复的记录不计")
            continue
        expected = chain[len(cycle.approvals)] if len(cycle.approvals) < len(chain) else None
        if stage != expected:
            want = STAGE_LABELS[expected] if expected else "（审核已完成）"
            refuse(
                item,
                person,
                "R023",
                f"环节顺序错误：当前应进行 {want}，而不是 {STAGE_LABELS[stage]}",
            )
            continue
        allowed = roster.signers_for(stage, unit)
        if person not in allowed:
            who = "、".join(roster.name_of(p) for p in allowed) or "（无）"
            refuse(
                item,
                person,
                "R020",
                f"{roster.name_of(person)} 不具备 {STAGE_LABELS[stage]} 的角色；应由 {who} 签署",
            )
            continue
        if person == cycle.submit.signer:
            refuse(item, person, "R021", "不能审核自己报送的稿件")
            continue
        if person in cycle.signers:
            refuse(item, person, "R022", "同一人不能在同一稿件上签署两个环节")
            continue
        rec = _as_record(item, person, True, None)
        state.history.append(rec)
        cycle.signers.add(person)
        cycle.last = item.commit
        if f.action is Action.REJECT:
            cycle.rejection = rec
        else:
            cycle.approvals.append(rec)

    # The publication rule goes first among this draft's violations.
    state.violations[:0] = bad_publications
    _settle(state, draft if present else None, cycle, published, head)
    if not present:
        # The file is gone: nobody needs to act. Unless it was published (a fact that stays),
        # the draft was withdrawn.
        state.next_stage, state.next_signers = None, []
        if state.phase is not Phase.PUBLISHED:
            state.phase, state.waiting_since = Phase.WITHDRAWN, None
    return state


def _settle(
    state: DraftState,
    draft: DraftSummary | None,
    cycle: _Cycle | None,
    published: tuple[Record, _Cycle] | None,
    head: Policy,
) -> None:
    if published is not None:
        state.publication = published[0]
    if cycle is None:
        state.phase = Phase.UNSUBMITTED
        if draft is not None:
            state.next_signers = head.submitters_for(state.kind, state.unit)
        return
    state.submission = cycle.submit
    state.approvals = list(cycle.approvals)
    state.rejection = cycle.rejection
    changed = draft is not None and draft.digest != cycle.digest
    chain = head.chains[state.kind]
    if published is not None and published[1] is cycle:
        state.phase = Phase.PUBLISHED
        if changed:
            state.violations.append(
                Violation(
                    "R003",
                    "稿件发布后内容又被修改；修改后的内容未经审核",
                    path=state.path,
                    draft_id=state.draft_id,
                    severity=Severity.WARN,
                    hint="如需更正，修改后重新报送（fzjj submit），走完审核链再发布。",
                )
            )
        return
    if changed:
        state.phase = Phase.UNSUBMITTED
        state.approvals = []
        state.next_signers = head.submitters_for(state.kind, state.unit)
        state.violations.append(
            Violation(
                "R040",
                "报送后内容被修改，此前的审核意见全部作废，需重新报送",
                path=state.path,
                draft_id=state.draft_id,
                severity=Severity.WARN,
                hint="确认修改后运行 fzjj submit 重新报送。",
            )
        )
        return
    if cycle.rejection is not None:
        state.phase = Phase.REJECTED
        state.waiting_since = cycle.rejection.when
        state.next_signers = head.submitters_for(state.kind, state.unit)
        return
    if len(cycle.approvals) >= len(chain):
        state.phase = Phase.APPROVED
        state.waiting_since = cycle.approvals[-1].when
        state.next_signers = list(head.operators)
        return
    state.phase = Phase.IN_REVIEW
    state.next_stage = chain[len(cycle.approvals)]
    last = cycle.approvals[-1] if cycle.approvals else cycle.submit
    state.waiting_since = last.when
    done = {r.signer for r in [cycle.submit, *cycle.approvals]}
    state.next_signers = [
        p for p in head.signers_for(state.next_stage, state.unit) if p not in done
    ]


def describe_phase(state: DraftState) -> str:
    if state.phase is Phase.IN_REVIEW and state.next_stage is not None:
        return f"待{STAGE_LABELS[state.next_stage]}"
    return PHASE_LABELS[state.phase]


# ---- roster changes ---------------------------------------------------------------------------

ROSTER_HINT = (
    "名册修改须由上一版 roster_admins 中的人签名提交。若是启用一个已有仓库"
    "（例如名册还是示例人员），由局里设定信任根：git config fzjj.trustRoot "
    "<提交编号>，见 docs/policies.md。"
)


def roster_change_signer(
    commit: str,
    old: Policy,
    new: Policy,
    verify: Callable[[], tuple[bool, str | None, str | None]],
    revoked: frozenset[str] = frozenset(),
) -> tuple[str | None, Violation | None]:
    """Judge who signed a change of policies.yaml from `old` to `new` (which parses).

    It takes effect (returns the signer's person id) only when the commit carries a valid
    signature (`verify()` → ok, key, reason) by a key of `old` that is neither marked
    compromised there nor `revoked` (P002), whose owner is one of `old`'s roster_admins
    (P003), and the version goes up (P004). The full check and the pull-request mode both
    judge roster changes with this.
    """
    ok, key, reason = verify()
    person = old.key_owner.get(key or "") if ok else None
    leaked = key is not None and (key in old.compromised or key in revoked)
    if not ok or person is None or leaked:
        why = reason if not ok else "签名密钥不在上一版名册中"
        if ok and leaked:
            why = "签名密钥已被标记为泄露（compromised），它签署的名册修改一律无效"
        return None, Violation(
            "P002",
            f"名册（policies.yaml）的修改没有有效签名，修改不生效：{why}",
            path=POLICY_FILE,
            commit=commit,
            hint=ROSTER_HINT,
        )
    if person not in old.roster_admins:
        return None, Violation(
            "P003",
            f"{old.name_of(person)} 不是上一版名册的 roster_admins，无权修改名册",
            path=POLICY_FILE,
            commit=commit,
            hint="请由名册管理员签名提交名册修改。",
        )
    if new.version <= old.version:
        return None, Violation(
            "P004",
            f"名册版本号必须递增（上一版 {old.version}，本次 {new.version}），修改不生效",
            path=POLICY_FILE,
            commit=commit,
            hint="把 version 加 1 后重新提交。",
        )
    return person, None
