"""The four actions: submit, approve, reject, publish.

Each action is first judged by the same chain replay that verification uses, with the
would-be record added as if it were already signed by the configured key. Only when that
record would count does fzjj ask git to sign and commit it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from fzjj import chain
from fzjj.draft import Draft, digest_bytes, line_of
from fzjj.errors import DraftError, RefusedError, UsageError
from fzjj.history import draft_violations
from fzjj.model import STAGE_LABELS, Action, DraftState, Phase, Stage, Violation
from fzjj.records import RecordFields, format_message
from fzjj.rules.gate import screen
from fzjj.service import Workspace


@dataclass(frozen=True, slots=True)
class Outcome:
    commit: str
    draft: Draft
    state: DraftState
    stage: Stage | None
    warnings: tuple[Violation, ...] = ()  # content-rule warnings, for the command to show


def _git_blob_id(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _refuse_content(ws: Workspace, draft: Draft, when: str) -> tuple[Violation, ...]:
    """The content rules with the trusted policy: `ContentRefused` if any blocks, else warnings."""
    return screen(draft_violations(draft, ws.policy), when=when, path=draft.path)


def _judge(
    ws: Workspace, draft: Draft, fields: RecordFields, key: str
) -> tuple[DraftState, chain.RecordInput]:
    """Replay the draft's records plus the proposed one; refuse unless it counts."""
    history = ws.history
    items = list(history.inputs.get(draft.meta.id, []))
    hypothetical = chain.RecordInput(
        commit="0" * 40,
        fields=fields,
        malformed=None,
        sig_ok=True,
        sig_key=key,
        sig_reason=None,
        roster=history.policy,
        blob_at_path=fields.blob,
        when=datetime.now(UTC).astimezone(history.policy.tz),
    )
    states, _ = chain.replay(
        [*items, hypothetical], {draft.meta.id: chain.summarize(draft)}, history.policy
    )
    state = states[draft.meta.id]
    verdict = state.history[-1]
    if not verdict.valid:
        policy = history.policy
        person = policy.key_owner.get(key)
        who = policy.name_of(person) if person else "（未登记的密钥）"
        raise RefusedError(
            f"不能执行该操作：{verdict.reason}",
            path=draft.path,
            hint=f"当前签名密钥属于 {who}。" + _next_hint(ws, draft),
        )
    return state, hypothetical


def _next_hint(ws: Workspace, draft: Draft) -> str:
    state = ws.history.states.get(draft.meta.id)
    if state is None or not state.next_signers:
        return ""
    names = "、".join(ws.policy.name_of(p) for p in state.next_signers)
    return f"现在可以操作的人：{names}。"


def _signing_key(ws: Workspace) -> str:
    return ws.repo.signing_config().key


def _committed(ws: Workspace, draft: Draft) -> tuple[str, bytes]:
    """The draft as committed at HEAD; refuse if the work tree differs."""
    ws.repo.check_worktree(draft.path, committed=True)
    data = ws.repo.show("HEAD", draft.path)
    if data is None:
        raise RefusedError("稿件还没有报送到仓库", path=draft.path, hint="先由信息员 fzjj submit。")
    if digest_bytes(data) != draft.digest:
        raise RefusedError(
            "工作区中该稿件有未提交的修改，审核的必须是已报送的内容",
            path=draft.path,
            hint="先 git pull 获取最新内容，或撤销本地修改（git restore 该文件）后重试。",
        )
    return _git_blob_id(data), data


def _prev(state: DraftState | None) -> str | None:
    if state is None:
        return None
    valid = [r for r in state.history if r.valid]
    return valid[-1].commit if valid else None


def _known_unit(ws: Workspace, draft: Draft) -> None:
    """A draft whose unit the trusted roster does not know is invalid input, not a refusal."""
    policy = ws.policy
    if draft.meta.unit not in policy.unit_by_id:
        raise DraftError(
            f"单位 {draft.meta.unit!r} 不在 policies.yaml 的 units 中",
            path=draft.path,
            field="unit",
            line=line_of(draft, "unit"),
            hint="unit 填写单位 id：" + "、".join(f"{u.id}（{u.name}）" for u in policy.units),
        )


def submit(ws: Workspace, path: str, opinion: str = "") -> Outcome:
    draft = ws.read_draft(path)
    if ws.repo.head() is None:
        raise UsageError("仓库还没有任何提交", hint="先提交 policies.yaml（fzjj init 会完成）。")
    _known_unit(ws, draft)
    other = ws.history.drafts.get(draft.meta.id)
    if other is not None and other.path != draft.path:
        raise DraftError(
            f"稿件 id {draft.meta.id} 已被 {other.path} 使用",
            path=draft.path,
            field="id",
            hint="给这篇稿件换一个新的 id。",
        )
    warnings = _refuse_content(ws, draft, "报送前")
    current = ws.history.states.get(draft.meta.id)
    if (
        current is not None
        and current.phase in (Phase.IN_REVIEW, Phase.APPROVED, Phase.PUBLISHED)
        and current.digest == draft.digest
    ):
        raise RefusedError(
            f"该稿件已报送，当前状态：{chain.describe_phase(current)}；内容没有变化，无需重复报送",
            path=draft.path,
        )
    ws.repo.check_worktree(draft.path, committed=False)
    data = (ws.root / draft.path).read_bytes()
    key = _signing_key(ws)
    fields = RecordFields(
        action=Action.SUBMIT,
        draft_id=draft.meta.id,
        path=draft.path,
        digest=draft.digest,
        blob=_git_blob_id(data),
        policy_version=ws.policy.version,
        opinion=opinion,
    )
    state, _ = _judge(ws, draft, fields, key)
    blob = ws.repo.write_blob(data)
    if blob != fields.blob:  # pragma: no cover - git and hashlib disagree only on corruption
        raise DraftError("写入对象库的内容与文件不一致", path=draft.path)
    oid = ws.repo.record_commit(format_message(fields), signer=key, path=draft.path, blob=blob)
    return Outcome(oid, draft, state, None, warnings)


def review(ws: Workspace, path: str, *, approve: bool, opinion: str) -> Outcome:
    draft = ws.read_draft(path)
    blob, _ = _committed(ws, draft)
    state = ws.history.states.get(draft.meta.id)
    if state is None or state.phase is not Phase.IN_REVIEW or state.next_stage is None:
        phase = chain.describe_phase(state) if state else "未报送"
        raise RefusedError(
            f"该稿件当前不在审核中（{phase}）", path=draft.path, hint=_next_hint(ws, draft)
        )
    if not approve and not opinion.strip():
        raise UsageError("退回稿件必须写明意见", hint='用 --opinion "退回理由" 说明需要修改什么。')
    warnings = _refuse_content(ws, draft, "审核前") if approve else ()
    stage = state.next_stage
    fields = RecordFields(
        action=Action.APPROVE if approve else Action.REJECT,
        draft_id=draft.meta.id,
        path=draft.path,
        digest=draft.digest,
        blob=blob,
        policy_version=ws.policy.version,
        stage=stage,
        prev=_prev(state),
        opinion=opinion,
    )
    key = _signing_key(ws)
    new_state, _ = _judge(ws, draft, fields, key)
    oid = ws.repo.record_commit(format_message(fields), signer=key)
    return Outcome(oid, draft, new_state, stage, warnings)


def publish(ws: Workspace, path: str, url: str) -> Outcome:
    draft = ws.read_draft(path)
    blob, _ = _committed(ws, draft)
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise UsageError(
            f"发布链接无效：{url}",
            hint="填写公众号文章的 https 链接（https://mp.weixin.qq.com/s…）。",
        )
    state = ws.history.states.get(draft.meta.id)
    if state is not None and state.phase is Phase.PUBLISHED and state.publication:
        raise RefusedError(
            f"该稿件已于 {state.publication.when:%Y-%m-%d} 记录发布：{state.publication.url}",
            path=draft.path,
            hint="更正已发布的稿件：修改后重新报送（fzjj submit），走完审核链再发布。",
        )
    if state is None or state.phase is not Phase.APPROVED:
        phase = chain.describe_phase(state) if state else "未报送"
        raise RefusedError(
            f"先审后发：该稿件尚未完成审核链（当前：{phase}），不能发布",
            path=draft.path,
            hint=_next_hint(ws, draft),
        )
    warnings = _refuse_content(ws, draft, "发布前")
    fields = RecordFields(
        action=Action.PUBLISH,
        draft_id=draft.meta.id,
        path=draft.path,
        digest=draft.digest,
        blob=blob,
        policy_version=ws.policy.version,
        prev=_prev(state),
        url=url.strip(),
    )
    key = _signing_key(ws)
    new_state, _ = _judge(ws, draft, fields, key)
    oid = ws.repo.record_commit(format_message(fields), signer=key)
    return Outcome(oid, draft, new_state, None, warnings)


def stage_label(stage: Stage | None) -> str:
    return STAGE_LABELS[stage] if stage else ""
