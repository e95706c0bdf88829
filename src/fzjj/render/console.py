"""Output for people (rich tables) and for scripts (JSON) of states and violations."""

from __future__ import annotations

import json
import os
import shutil
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TextIO

from fzjj.chain import describe_phase
from fzjj.model import PHASE_LABELS, STAGE_LABELS, DraftState, Phase, Record, Violation
from fzjj.policy import Policy

if TYPE_CHECKING:
    from fzjj.history import History


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
    # One line per draft: readable, and json's C encoder (indent=2 falls back to pure Python).
    rows = ",\n".join(json.dumps(row, ensure_ascii=False) for row in data)
    return f"[\n{rows}\n]" if rows else "[]"


def status_summary(history: History) -> str:
    """One line counting every draft by phase, and where the repository-wide problems are."""
    states = history.states
    counts = Counter(states.phase_of(i) for i in states)
    troubled = sum(1 for i in states if states.has_violations(i))
    parts = [f"{PHASE_LABELS[p]} {counts[p]}" for p in Phase if counts[p]]
    line = f"共 {len(states)} 篇稿件" + ("：" + "，".join(parts) if parts else "")
    if troubled:
        line += f"；其中 {troubled} 篇有问题"
    line += "。用 --all 列出全部，--month YYYY-MM 看某月。"
    loose = sum(1 for v in history.violations if v.severity.value == "block")
    if loose:
        line += f"\n另有 {loose} 项仓库级问题（名册、记录格式、文件），运行 fzjj check 查看。"
    return line


def print_states(states: Sequence[DraftState], policy: Policy, *, title: str) -> None:
    rows: list[list[str]] = []
    marked: list[bool] = []
    for s in states:
        notes = [f"{v.code} {v.message}" for v in s.violations[:2]]
        if len(s.violations) > 2:
            notes[-1] += f"（另 {len(s.violations) - 2} 条）"
        if s.phase is Phase.REJECTED and s.rejection is not None:
            who = policy.name_of(s.rejection.signer)
            notes.insert(0, f"{who}退回：{s.rejection.opinion or '（未写意见）'}")
        problems = "；".join(notes)
        rows.append(
            [
                s.path,
                policy.unit_name(s.unit),
                s.title,
                describe_phase(s),
                "、".join(policy.name_of(p) for p in s.next_signers),
                _when(s.waiting_since, policy),
                problems,
            ]
        )
        marked.append(any(v.severity.value == "block" for v in s.violations))
    headers = ["稿件", "单位", "标题", "状态", "下一步由谁签", "等待自", "意见与问题"]
    print_table(title, headers, rows, marked=marked, shrink=(6, 2, 4))


def print_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    marked: Sequence[bool] = (),
    shrink: Sequence[int] = (),
    out: TextIO | None = None,
) -> None:
    """A plain aligned table, one line per row, fast for thousands of rows.

    On a terminal the columns in `shrink` (in that order) are cut with "…" until the table
    fits the window, and `marked` rows are shown in red; elsewhere (a pipe, a file, a CI log)
    every cell is printed whole and without colour.
    """
    stream = out or sys.stdout
    tty = stream.isatty()
    widths = [
        max([text_width(h), *(text_width(r[n]) for r in rows)]) for n, h in enumerate(headers)
    ]
    if tty:
        room = shutil.get_terminal_size((120, 24)).columns - 2 * (len(headers) - 1)
        for n in shrink:
            excess = sum(widths) - room
            if excess <= 0:
                break
            widths[n] = max(text_width(headers[n]), widths[n] - excess, 6)
    color = tty and not os.environ.get("NO_COLOR")

    def line(cells: Sequence[str]) -> str:
        parts = [_fit(c, w) for c, w in zip(cells, widths, strict=True)]
        return "  ".join(parts).rstrip()

    stream.write(f"{title}\n{line(headers)}\n{'─' * (sum(widths) + 2 * (len(widths) - 1))}\n")
    for n, row in enumerate(rows):
        text = line(row)
        if color and n < len(marked) and marked[n]:
            text = f"\x1b[31m{text}\x1b[0m"
        stream.write(text + "\n")
    stream.flush()


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200b\u200d":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    """Columns `text` takes in a terminal (CJK characters take two)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(ch) for ch in text)


def _fit(text: str, width: int) -> str:
    """`text` cut with "…" or padded with spaces to exactly `width` columns."""
    text = text.replace("\n", " ")
    used = text_width(text)
    if used > width:
        out, used = "", 0
        for ch in text:
            w = _char_width(ch)
            if used + w > width - 1:
                break
            out += ch
            used += w
        text = out + "…"
        used += 1
    return text + " " * (width - used)


def print_record_line(rec: Record, policy: Policy) -> str:
    what = STAGE_LABELS[rec.stage] if rec.stage else rec.action.value
    return f"{_when(rec.when, policy)} {policy.name_of(rec.signer)} {what} {rec.commit[:12]}"
