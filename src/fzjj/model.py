"""Domain types shared by the core, the renderers and the reports. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    ORIGINAL = "original"
    INTERVIEW = "interview"
    FORWARD = "forward"


class Stage(StrEnum):
    UNIT_HEAD = "unit_head"
    SECRECY_OFFICE = "secrecy_office"
    DEPUTY = "deputy"
    PRINCIPAL = "principal"


STAGE_LABELS: dict[Stage, str] = {
    Stage.UNIT_HEAD: "科室负责人审核",
    Stage.SECRECY_OFFICE: "涉密审查",
    Stage.DEPUTY: "分管领导复核",
    Stage.PRINCIPAL: "主要领导审批",
}

FULL_CHAIN: tuple[Stage, ...] = (
    Stage.UNIT_HEAD,
    Stage.SECRECY_OFFICE,
    Stage.DEPUTY,
    Stage.PRINCIPAL,
)


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"


class Phase(StrEnum):
    """Where a draft stands."""

    UNSUBMITTED = "unsubmitted"  # in the repository, never (validly) submitted
    IN_REVIEW = "in_review"  # submitted, chain incomplete
    REJECTED = "rejected"  # sent back; waits for a new submission
    APPROVED = "approved"  # chain complete on the current content
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # the file was deleted before publication


PHASE_LABELS: dict[Phase, str] = {
    Phase.UNSUBMITTED: "未报送",
    Phase.IN_REVIEW: "审核中",
    Phase.REJECTED: "已退回",
    Phase.APPROVED: "已审批",
    Phase.PUBLISHED: "已发布",
    Phase.WITHDRAWN: "已撤回",
}


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule. `code` is stable (docs/checks.md); `message` is Chinese."""

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    commit: str | None = None
    draft_id: str | None = None
    severity: Severity = Severity.BLOCK
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One verified-or-not stage record, as read from a signed commit."""

    commit: str
    action: Action
    draft_id: str
    path: str
    stage: Stage | None
    digest: str  # SHA-256 of the draft file bytes at that commit
    blob: str | None
    opinion: str
    signer: str | None  # person id of the verified signer; None when unverified
    key: str | None  # the key that signed (SSH public key or OpenPGP fingerprint)
    when: datetime  # committer date in the policy timezone; for display only, never trusted
    url: str | None = None
    valid: bool = True
    reason: str | None = None  # why the record does not count


@dataclass(frozen=True, slots=True)
class DraftSummary:
    """What the review chain needs of a draft file: identity, routing and content digest."""

    draft_id: str
    path: str
    digest: str  # SHA-256 of the file bytes
    title: str
    unit: str
    kind: Kind
    category: str
    lint_exceptions: tuple[str, ...] = ()  # "rule：reason", shown to every reviewer


@dataclass(slots=True)
class DraftState:
    """A draft's state rebuilt from verified history plus its current file."""

    draft_id: str
    path: str
    title: str
    unit: str
    kind: Kind
    category: str
    phase: Phase
    digest: str  # digest of the current file content
    submission: Record | None = None  # the submit that opened the current cycle
    approvals: list[Record] = field(default_factory=list)  # valid stages of the current cycle
    rejection: Record | None = None
    publication: Record | None = None
    next_stage: Stage | None = None
    next_signers: list[str] = field(default_factory=list)  # person ids who may sign next
    waiting_since: datetime | None = None
    first_submitted: datetime | None = None  # date of the first valid submission (quota)
    history: list[Record] = field(default_factory=list)  # every record, valid or not
    violations: list[Violation] = field(default_factory=list)
    lint_exceptions: list[str] = field(default_factory=list)
    reads: int | None = None


@dataclass(frozen=True, slots=True)
class RosterVersion:
    """A version of policies.yaml that took effect in trusted history (Art. 7)."""

    commit: str
    version: int
    blob: str  # the policies.yaml blob id
    signer: str | None  # person id under the previous roster; None for an anchor
    key: str | None  # the key that signed the change
    anchor: bool = False  # trusted as given: the first roster, or the configured trust root
