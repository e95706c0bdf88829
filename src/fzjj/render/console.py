"""Output for people (rich tables) and for scripts (JSON) of states and violations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from fzjj.chain import describe_phase
from fzjj.model import STAGE_LABELS, DraftState, Record, Violation
from fzjj.policy import Policy


def _when(moment: datetime | None, policy: Policy) -> str:
    return moment.astimezone(policy.tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def record_json(rec: Record, policy: Policy) -> dict[str, Any]:
    return {
        "commit": rec.commit,
        "action": rec.action.value,
        "stage": rec.stage.value if rec.stage else None,
        "signer": rec.signer,
        "signer_name": policy.name_of(rec.signer) if rec.signer else None,
        "when": rec.when.astimezone(policy.tz).isoformat(),
        "digest": rec.digest,
        "opinion": rec.opinion,
        "url": rec.url,
        "valid": rec.valid,
        "reason": rec.reason,
    }


def violation_json(v: Violation) -> dict[str, Any]:
    return {
        "code": v.code,
        "severity": v.severity.value,
        "message": v.message,
        "path": v.path,
        "line": v.line,
        "column": v.column,
        "commit": v.commit,
        "draft_id": v.draft_id,
        "hint": v.hint,
    }


def state_json(state: DraftState, policy: Policy) -> dict[str, Any]:
    return {
        "id": state.draft_id,
        "path": state.path,
        "title": state.title,
        "unit": state.unit,
        "unit_name": policy.unit_name(state.unit),
        "kind": state.kind.value,
        "category": state.category,
        "phase": state.phase.value,
        "phase_label": describe_phase(state),
        "next_stage": state.next_stage.value if state.next_stage else None,
        "next_signers": [{"id": p, "name": policy.name_of(p)} for p in state.next_signers],
        "waiting_since": state.waiting_since.isoformat() if state.waiting_since else None,
        "digest": state.digest,
        "records": [record_json(r, policy) for r in state.history],
        "violations": [violation_json(v) for v in state.violations],
    }


def states_to_json(states: Iterable[DraftState], policy: Policy) -> str:
    data = [state_json(s, policy) for s in states]
    return json.dumps(data, ensure_ascii=False, indent=2)


def print_states(states: Sequence[DraftState], policy: Policy, *, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for name in ("稿件", "单位", "标题", "状态", "下一步由谁签", "等待自", "问题"):
        table.add_column(name, overflow="fold")
    for s in states:
        problems = "；".join(f"{v.code} {v.message}" for v in s.violations[:2])
        if len(s.violations) > 2:
            problems += f"（另 {len(s.violations) - 2} 条）"
        who = "、".join(policy.name_of(p) for p in s.next_signers)
        style = "red" if any(v.severity.value == "block" for v in s.violations) else None
        table.add_row(
            s.path,
            policy.unit_name(s.unit),
            s.title,
            describe_phase(s),
            who,
            _when(s.waiting_since, policy),
            problems,
            style=style,
        )
    Console().print(table)


def print_record_line(rec: Record, policy: Policy) -> str:
    what = STAGE_LABELS[rec.stage] if rec.stage else rec.action.value
    return f"{_when(rec.when, policy)} {policy.name_of(rec.signer)} {what} {rec.commit[:12]}"
