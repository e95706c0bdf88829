"""Report arithmetic: the monthly quota, the annual evaluation, what waits on whom.

Pure: every function takes the policy, the drafts' states (rebuilt from signed history) and,
for the year, the reads imported from the WeChat statistics; nothing here reads files or git.

Definitions (docs/reports.md says the same for readers):

- A draft is *submitted* (报送) in month M when its first **valid** submit record falls in M,
  the record's time taken in the policy's timezone. Resubmissions after a rejection do not
  count again, so a draft is submitted in exactly one month.
- For the drafts submitted in M, the report counts where each stands now: in review,
  approved, rejected, published, or `changed` (edited since, to be submitted again).
- *Published in M* counts drafts whose valid publish record falls in M.
- The quota (policy.quota) counts drafts of `quota.kinds` either submitted in M
  (`basis: submitted`) or published in M (`basis: published`); a unit meets it with at least
  `quota.per_month` of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from fzjj.model import STAGE_LABELS, Action, DraftState, Kind, Phase, Record, Stage

if TYPE_CHECKING:
    # only for annotations: a report fed from a cache never needs the policy module
    from fzjj.policy import Policy

MONTHS = tuple(range(1, 13))
NOT_IN_ROSTER = "（名册外）"


@dataclass(frozen=True, slots=True)
class UnitMonth:
    """One unit's figures for one month."""

    unit: str
    name: str
    submitted: int = 0
    in_review: int = 0
    approved: int = 0
    rejected: int = 0
    published: int = 0  # submitted this month and published by now
    changed: int = 0  # submitted this month, file edited since: to be submitted again
    withdrawn: int = 0  # submitted this month, file deleted since (not published)
    published_in_month: int = 0  # publish record dated this month, whenever submitted
    quota_count: int = 0
    quota_target: int = 0
    in_roster: bool = True

    @property
    def quota_met(self) -> bool:
        return self.quota_count >= self.quota_target


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A draft submitted in the report's month, for the detail list."""

    draft_id: str
    title: str
    unit: str
    unit_name: str
    kind: Kind
    category: str
    phase: Phase
    submitted: datetime
    published: datetime | None


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    year: int
    month: int
    timezone: str
    quota_per_month: int
    quota_basis: str
    quota_kinds: tuple[Kind, ...]
    units: tuple[UnitMonth, ...]
    totals: UnitMonth
    by_category: dict[str, int]
    by_kind: dict[Kind, int]
    drafts: tuple[DraftLine, ...]
    # Submissions per unit and month of the report's year (the HTML grid): unit → 12 counts;
    # None when the report was made without it.
    year_grid: dict[str, tuple[int, ...]] | None

    @property
    def below_quota(self) -> list[str]:
        return [u.unit for u in self.units if u.in_roster and not u.quota_met]

    @property
    def units_met(self) -> int:
        return sum(1 for u in self.units if u.in_roster and u.quota_met)

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class UnitYear:
    """One unit's published pieces and reads for a year (Art. 9)."""

    unit: str
    name: str
    published: tuple[int, ...]  # 12 months
    reads: tuple[int, ...]  # 12 months, by the month of publication
    rank: int
    in_roster: bool = True
    missing_reads: int = 0  # published pieces with no imported reads

    @property
    def published_total(self) -> int:
        return sum(self.published)

    @property
    def reads_total(self) -> int:
        return sum(self.reads)


@dataclass(frozen=True, slots=True)
class YearlyReport:
    year: int
    timezone: str
    units: tuple[UnitYear, ...]  # in ranking order
    published_by_month: tuple[int, ...]
    reads_by_month: tuple[int, ...]
    missing_reads: int

    @property
    def published_total(self) -> int:
        return sum(self.published_by_month)

    @property
    def reads_total(self) -> int:
        return sum(self.reads_by_month)


@dataclass(frozen=True, slots=True)
class PendingItem:
    """A draft waiting for someone: the next signer, the submitter, or the operators."""

    draft_id: str
    title: str
    path: str
    unit: str
    unit_name: str
    phase: Phase
    stage: Stage | None
    step: str  # Chinese label of what is awaited
    waiting_for: tuple[str, ...]  # person ids
    waiting_for_names: tuple[str, ...]
    since: datetime | None


# ---- record helpers ------------------------------------------------------------------------


def first_submitted(state: DraftState, policy: Policy) -> datetime | None:
    """When the draft was submitted (报送), in the policy's timezone.

    The date is the committer date of the draft's first valid submit record: it lies inside
    the signed commit object, so nobody but the signer can change it, and a pushed record
    cannot be rewritten. The signer could still have set it freely; a later valid record of
    the same draft signed by someone else (the unit head's approval, a rejection) shows the
    draft existed by then, so the date is capped by the earliest of those. A submission dated
    1 March but approved by the unit head on 28 February therefore counts in February.
    """
    records = state.history
    for index, record in enumerate(records):
        if record.action is Action.SUBMIT and record.valid:
            when = record.when
            for later in records[index + 1 :]:
                if later.valid and later.signer != record.signer and later.when < when:
                    when = later.when
            return when.astimezone(policy.tz)
    if state.first_submitted is not None:
        return state.first_submitted.astimezone(policy.tz)
    return None


def publish_record(state: DraftState) -> Record | None:
    """The draft's valid publish record: the state's own, else the first valid one in history."""
    if state.publication is not None and state.publication.valid:
        return state.publication
    return next((r for r in state.history if r.action is Action.PUBLISH and r.valid), None)


def published_at(state: DraftState, policy: Policy) -> datetime | None:
    """Time of the draft's valid publish record, in the policy's timezone."""
    record = publish_record(state)
    return record.when.astimezone(policy.tz) if record else None


def _in_month(when: datetime | None, year: int, month: int) -> bool:
    return when is not None and when.year == year and when.month == month


def _first_valid_submit(state: DraftState) -> datetime | None:
    """The uncapped date of the first valid submit record (any timezone).

    The chain keeps it on the state (`first_submitted`); states built otherwise may only
    have the records.
    """
    if state.first_submitted is not None:
        return state.first_submitted
    record = next((r for r in state.history if r.action is Action.SUBMIT and r.valid), None)
    return record.when if record else None


def _submitted_since(state: DraftState, start: datetime) -> bool:
    """Whether the draft's submission date can fall on or after `start`.

    A cheap filter before `first_submitted`: the cap there only ever moves the date earlier,
    so a draft whose uncapped date lies before `start` cannot count from `start` on. On a
    history of many years it leaves `first_submitted` (and its timezone conversion) for the
    drafts of the report's own period.
    """
    when = _first_valid_submit(state)
    return when is not None and when >= start


def check_month(year: int, month: int) -> None:
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        raise ValueError(f"invalid month {year}-{month}")


# ---- the monthly report --------------------------------------------------------------------


def monthly_report(
    policy: Policy,
    states: Iterable[DraftState],
    year: int,
    month: int,
    *,
    with_grid: bool = True,
) -> MonthlyReport:
    """Figures for every unit in the roster, and for any unit outside it that has some.

    `with_grid=False` leaves out the year's units × months grid (`year_grid` is None); the
    rest then depends only on drafts with a record dated from the month on, which a caller
    holding an index of dates can select (see `period_start`).
    """
    check_month(year, month)
    tally = _MonthTally(policy, year, month, with_grid)
    for state in states:
        tally.add(state)
    return tally.report()


def period_start(policy: Policy, year: int, month: int | None = None) -> datetime:
    """The first moment of a year or month in the policy's timezone.

    A report of that period depends only on drafts whose first valid submission or whose
    publication is dated from this moment on (the date a submission counts under can only
    be earlier than its own record's, never later): callers may leave out the rest.
    """
    return datetime(year, month or 1, 1, tzinfo=policy.tz)


class _MonthTally:
    """The monthly report's counters, filled one draft at a time.

    `add` is the hot path (every draft of the history, ten years of them on a large
    repository): drafts with no record dated in the report's year are dismissed after two
    comparisons, without a timezone conversion.
    """

    def __init__(self, policy: Policy, year: int, month: int, with_grid: bool) -> None:
        self.policy = policy
        self.year = year
        self.month = month
        self.tz = policy.tz
        self.with_grid = with_grid
        self.start = period_start(policy, year, None if with_grid else month)
        self.roster = policy.unit_by_id
        self.kinds = frozenset(policy.quota.kinds)
        self.basis = policy.quota.basis
        self.rows: dict[str, dict[str, int]] = {u.id: {} for u in policy.units}
        self.grid: dict[str, list[int]] = {u.id: [0] * 12 for u in policy.units}
        self.by_category = dict.fromkeys(policy.categories, 0)
        self.by_kind = dict.fromkeys(Kind, 0)
        self.drafts: list[DraftLine] = []

    def add(self, state: DraftState) -> None:
        publication = state.publication
        if publication is None or not publication.valid:
            publication = publish_record(state)
        if publication is not None and publication.when >= self.start:
            self._published(state, publication.when.astimezone(self.tz))
        first = _first_valid_submit(state)
        if first is not None and first >= self.start:
            self._submitted(state)

    def _counts_for_quota(self, state: DraftState) -> bool:
        # units outside the roster have no quota; their drafts still count as submitted
        return state.kind in self.kinds and state.unit in self.roster

    def _published(self, state: DraftState, when: datetime) -> None:
        if not _in_month(when, self.year, self.month):
            return
        row = self.rows.setdefault(state.unit, {})
        _bump(row, "published_in_month")
        if self.basis == "published" and self._counts_for_quota(state):
            _bump(row, "quota_count")

    def _submitted(self, state: DraftState) -> None:
        submitted = first_submitted(state, self.policy)
        if submitted is None or submitted.year != self.year:
            return
        if self.with_grid:
            self.grid.setdefault(state.unit, [0] * 12)[submitted.month - 1] += 1
        if submitted.month != self.month:
            return
        row = self.rows.setdefault(state.unit, {})
        _bump(row, "submitted")
        _bump(row, _PHASE_FIELD.get(state.phase, "changed"))
        if self.basis == "submitted" and self._counts_for_quota(state):
            _bump(row, "quota_count")
        self.by_category[state.category] = self.by_category.get(state.category, 0) + 1
        self.by_kind[state.kind] += 1
        published = published_at(state, self.policy)
        self.drafts.append(_draft_line(self.policy, state, submitted, published))

    def report(self) -> MonthlyReport:
        policy, quota = self.policy, self.policy.quota
        units = tuple(_unit_month(policy, unit_id, row) for unit_id, row in self.rows.items())
        return MonthlyReport(
            year=self.year,
            month=self.month,
            timezone=policy.timezone,
            quota_per_month=quota.per_month,
            quota_basis=quota.basis,
            quota_kinds=tuple(quota.kinds),
            units=units,
            totals=_totals(units, quota.per_month),
            by_category=self.by_category,
            by_kind=self.by_kind,
            drafts=tuple(sorted(self.drafts, key=lambda d: (d.submitted, d.draft_id))),
            year_grid=(
                {unit: tuple(counts) for unit, counts in self.grid.items()}
                if self.with_grid
                else None
            ),
        )


_PHASE_FIELD = {
    Phase.IN_REVIEW: "in_review",
    Phase.APPROVED: "approved",
    Phase.REJECTED: "rejected",
    Phase.PUBLISHED: "published",
    Phase.WITHDRAWN: "withdrawn",
}


def _bump(row: dict[str, int], name: str) -> None:
    row[name] = row.get(name, 0) + 1


def _draft_line(
    policy: Policy, state: DraftState, submitted: datetime, published: datetime | None
) -> DraftLine:
    return DraftLine(
        draft_id=state.draft_id,
        title=state.title,
        unit=state.unit,
        unit_name=_unit_name(policy, state.unit),
        kind=state.kind,
        category=state.category,
        phase=state.phase,
        submitted=submitted,
        published=published,
    )


def _unit_name(policy: Policy, unit_id: str) -> str:
    if unit_id in policy.unit_by_id:
        return policy.unit_name(unit_id)
    return unit_id + NOT_IN_ROSTER


def _unit_month(policy: Policy, unit_id: str, row: Mapping[str, int]) -> UnitMonth:
    in_roster = unit_id in policy.unit_by_id
    return UnitMonth(
        unit=unit_id,
        name=_unit_name(policy, unit_id),
        quota_target=policy.quota.per_month if in_roster else 0,
        in_roster=in_roster,
        submitted=row.get("submitted", 0),
        in_review=row.get("in_review", 0),
        approved=row.get("approved", 0),
        rejected=row.get("rejected", 0),
        published=row.get("published", 0),
        changed=row.get("changed", 0),
        withdrawn=row.get("withdrawn", 0),
        published_in_month=row.get("published_in_month", 0),
        quota_count=row.get("quota_count", 0),
    )


def _totals(units: tuple[UnitMonth, ...], per_month: int) -> UnitMonth:
    def total(name: str) -> int:
        return sum(int(getattr(u, name)) for u in units)

    return UnitMonth(
        unit="",
        name="合计",
        submitted=total("submitted"),
        in_review=total("in_review"),
        approved=total("approved"),
        rejected=total("rejected"),
        published=total("published"),
        changed=total("changed"),
        withdrawn=total("withdrawn"),
        published_in_month=total("published_in_month"),
        quota_count=total("quota_count"),
        quota_target=per_month * sum(1 for u in units if u.in_roster),
    )


# ---- the yearly evaluation -----------------------------------------------------------------


def yearly_report(
    policy: Policy, states: Iterable[DraftState], year: int, reads: Mapping[str, int]
) -> YearlyReport:
    """Published pieces and reads per unit and month of `year`, ranked (Art. 9).

    A piece counts in the month of its valid publish record; its reads (the latest imported
    figure) count in the same month. Units rank by published pieces, then reads; equal
    figures share a rank (1, 2, 2, 4).
    """
    check_month(year, 1)
    published: dict[str, list[int]] = {u.id: [0] * 12 for u in policy.units}
    unit_reads: dict[str, list[int]] = {u.id: [0] * 12 for u in policy.units}
    missing: dict[str, int] = {}
    start = period_start(policy, year)
    for state in states:
        record = state.publication
        if record is None or not record.valid:
            record = publish_record(state)
        if record is None or record.when < start:
            continue
        when = record.when.astimezone(policy.tz)
        if when.year != year:
            continue
        published.setdefault(state.unit, [0] * 12)[when.month - 1] += 1
        months = unit_reads.setdefault(state.unit, [0] * 12)
        if state.draft_id in reads:
            months[when.month - 1] += reads[state.draft_id]
        else:
            missing[state.unit] = missing.get(state.unit, 0) + 1

    roster_order = {u.id: i for i, u in enumerate(policy.units)}
    order = sorted(
        published,
        key=lambda u: (
            -sum(published[u]),
            -sum(unit_reads[u]),
            roster_order.get(u, len(roster_order)),
            u,
        ),
    )
    units: list[UnitYear] = []
    for position, unit_id in enumerate(order, start=1):
        score = (sum(published[unit_id]), sum(unit_reads[unit_id]))
        tied = units and (units[-1].published_total, units[-1].reads_total) == score
        units.append(
            UnitYear(
                unit=unit_id,
                name=_unit_name(policy, unit_id),
                published=tuple(published[unit_id]),
                reads=tuple(unit_reads[unit_id]),
                rank=units[-1].rank if tied else position,
                in_roster=unit_id in policy.unit_by_id,
                missing_reads=missing.get(unit_id, 0),
            )
        )
    return YearlyReport(
        year=year,
        timezone=policy.timezone,
        units=tuple(units),
        published_by_month=tuple(sum(u.published[m] for u in units) for m in range(12)),
        reads_by_month=tuple(sum(u.reads[m] for u in units) for m in range(12)),
        missing_reads=sum(missing.values()),
    )


# ---- what waits on whom --------------------------------------------------------------------

STEP_RESUBMIT = "待修改后重新报送"
STEP_PUBLISH = "待发布"
STEP_SUBMIT = "待报送"
STEP_CHANGED = "报送后内容已修改，待重新报送"


def pending(policy: Policy, states: Iterable[DraftState]) -> list[PendingItem]:
    """Every draft waiting for someone, oldest wait first.

    The people waited for are exactly the draft's `next_signers`, the same list `fzjj queue`
    filters by, so the two always agree. In review: the next stage and who may still sign it
    (none when the roster has nobody left, which is shown too). Rejected, never submitted,
    or edited after submission: the submitters. Approved: the operators, to publish.
    """
    items: list[PendingItem] = []
    published = Phase.PUBLISHED  # most of a long history: skip it before any other test
    for state in states:
        if state.phase is published:
            continue
        item = _pending_item(policy, state)
        if item is not None:
            items.append(item)
    far = datetime.max.replace(tzinfo=policy.tz)
    return sorted(items, key=lambda i: (i.since or far, i.draft_id))


def _pending_step(state: DraftState) -> tuple[str, datetime | None] | None:
    """What the draft waits for (Chinese) and since when; None when it waits for nobody."""
    if state.phase is Phase.IN_REVIEW and state.next_stage is not None:
        return STAGE_LABELS[state.next_stage], state.waiting_since
    if state.phase is Phase.REJECTED:
        return STEP_RESUBMIT, state.waiting_since or (
            state.rejection.when if state.rejection else None
        )
    if state.phase is Phase.APPROVED:
        last = state.approvals[-1].when if state.approvals else None
        return STEP_PUBLISH, state.waiting_since or last
    if state.phase is Phase.UNSUBMITTED and state.next_signers:
        if state.submission is None:
            return STEP_SUBMIT, state.waiting_since
        return STEP_CHANGED, state.waiting_since or state.submission.when
    return None


def _pending_item(policy: Policy, state: DraftState) -> PendingItem | None:
    found = _pending_step(state)
    if found is None:
        return None
    step, since = found
    who = list(state.next_signers)
    return PendingItem(
        draft_id=state.draft_id,
        title=state.title,
        path=state.path,
        unit=state.unit,
        unit_name=_unit_name(policy, state.unit),
        phase=state.phase,
        stage=state.next_stage if state.phase is Phase.IN_REVIEW else None,
        step=step,
        waiting_for=tuple(who),
        waiting_for_names=tuple(policy.name_of(p) for p in who),
        since=since.astimezone(policy.tz) if since else None,
    )


def reminders(policy: Policy, states: Iterable[DraftState], year: int, month: int) -> list[str]:
    """Units of the roster with no draft of the quota's kinds submitted in the month."""
    check_month(year, month)
    start = period_start(policy, year, month)
    active: set[str] = set()
    for state in states:
        if (
            state.kind in policy.quota.kinds
            and _submitted_since(state, start)
            and _in_month(first_submitted(state, policy), year, month)
        ):
            active.add(state.unit)
    return [u.id for u in policy.units if u.id not in active]


__all__ = [
    "DraftLine",
    "MonthlyReport",
    "PendingItem",
    "UnitMonth",
    "UnitYear",
    "YearlyReport",
    "first_submitted",
    "monthly_report",
    "pending",
    "period_start",
    "publish_record",
    "published_at",
    "reminders",
    "yearly_report",
]
