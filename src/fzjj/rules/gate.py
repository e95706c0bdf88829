"""The content gate of the actions: submit, approve and publish refuse blocking findings.

`screen` takes the violations of one draft (`fzjj.history.draft_violations`, which runs
`check_content`) and either raises `ContentRefused` listing them, or returns the warnings
for the command to show. Pure: no git, no printing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from fzjj.errors import RefusedError
from fzjj.model import Severity, Violation
from fzjj.rules import codes
from fzjj.rules.personal import mask

if TYPE_CHECKING:
    from fzjj.draft import Draft

SEVERITY_LABELS = {Severity.BLOCK: "错误", Severity.WARN: "警告"}
MAX_LISTED = 20
HINT_REFUSED = (
    "逐项修改稿件后重新操作；运行 fzjj lint 稿件路径 可看到每一处的修改提示。"
    "确有理由保留的 L 开头的检查结果，可在 front-matter 的 lint_exceptions 中登记例外并写明理由"
    "（例外会显示给每位审核人并印在审批表上）；栏目、白名单和来源规则（C 开头）不能豁免。"
)


class ContentRefused(RefusedError):
    """An action refused because the draft breaks a blocking content rule."""

    def __init__(self, when: str, path: str, violations: Iterable[Violation]) -> None:
        found = list(violations)
        self.blocking = tuple(v for v in found if v.severity is Severity.BLOCK)
        self.warnings = tuple(v for v in found if v.severity is not Severity.BLOCK)
        counts = f"{len(self.blocking)} 处错误"
        if self.warnings:
            counts += f"、{len(self.warnings)} 处警告"
        listed = [*self.blocking, *self.warnings]
        lines = [f"  {describe(v)}" for v in listed[:MAX_LISTED]]
        if len(listed) > MAX_LISTED:
            lines.append(f"  ……另有 {len(listed) - MAX_LISTED} 处，用 fzjj lint 查看全部")
        message = f"稿件未通过{when}检查（{counts}），操作已取消，仓库没有改动：\n" + "\n".join(
            lines
        )
        super().__init__(message, path=path, hint=HINT_REFUSED)


def describe(v: Violation) -> str:
    """One finding on one line: `file:line:col 代码 严重性 消息` (personal data masked)."""
    where = v.path or ""
    if v.line is not None:
        where += f":{v.line}"
        if v.column is not None:
            where += f":{v.column}"
    return f"{where} {v.code} {SEVERITY_LABELS[v.severity]} {v.message}".strip()


def screen(violations: Iterable[Violation], *, when: str, path: str) -> tuple[Violation, ...]:
    """The warnings among `violations`; raise `ContentRefused` if any of them blocks."""
    found = list(violations)
    if any(v.severity is Severity.BLOCK for v in found):
        raise ContentRefused(when, path, found)
    return tuple(found)


def exception_notes(draft: Draft) -> list[str]:
    """The lint exceptions a draft records, one Chinese line each, for every reviewer."""
    notes = []
    for item in draft.meta.lint_exceptions:
        rule = item.rule.strip().upper()
        title = f" {codes.RULES[rule][0]}" if rule in codes.RULES else ""
        match = f"（匹配“{masked_match(rule, item.match)}”）" if item.match else "（不限匹配文字）"
        notes.append(f"规则 {rule}{title}{match}：{item.reason}")
    return notes


_KEEP = {codes.RESIDENT_ID: (4, 4), codes.BANK_CARD: (4, 4), codes.MOBILE: (3, 4)}


def masked_match(rule: str, match: str) -> str:
    """An exception's `match` as it may be shown: personal data and words masked."""
    text = match.strip()
    if rule in _KEEP:
        compact = "".join(text.split()).replace("-", "")
        if "*" in compact:
            return compact
        return mask(compact, *_KEEP[rule])
    if rule in (codes.PARTY_NAME, codes.SENSITIVE_WORD):
        return text if "*" in text else mask(text, 1, 0)
    return text
