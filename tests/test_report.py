"""The report arithmetic, on states built from records the way the chain would build them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from fzjj.model import Action, DraftState, Kind, Phase, Record, Stage
from fzjj.policy import Policy, parse_policy
from fzjj.report import (
    first_submitted,
    monthly_report,
    pending,
    published_at,
    reminders,
    yearly_report,
)

ROOT = Path(__file__).resolve().parents[1]
BJ = timezone(timedelta(hours=8))


def shipped_policy() -> Policy:
    return parse_policy((ROOT / "policies.yaml").read_text("utf-8"))


def rec(
    action: Action,
    draft_id: str,
    when: datetime,
    *,
    stage: Stage | None = None,
    signer: str = "someone",
    valid: bool = True,
    url: str | None = None,
) -> Record:
    return Record(
        commit=hashlib.sha1(f"{action}{draft_id}{when}".encode()).hexdigest(),
        action=action,
        draft_id=draft_id,
        path=f"content/{when.year}/{when.month:02d}/{draft_id}.md",
        stage=stage,
        digest="0" * 64,
        blob=None,
        opinion="同意",
        signer=signer,
        key=None,
        when=when,
        url=url,
        valid=valid,
        reason=None if valid else "签名无效",
    )


def state(
    draft_id: str,
    unit: str,
    phase: Phase,
    history: list[Record],
    *,
    kind: Kind = Kind.ORIGINAL,
    category: str = "党务政务宣传",
    next_stage: Stage | None = None,
    next_signers: list[str] | None = None,
) -> DraftState:
    submits = [r for r in history if r.action is Action.SUBMIT and r.valid]
    rejects = [r for r in history if r.action is Action.REJECT and r.valid]
    publishes = [r for r in history if r.action is Action.PUBLISH and r.valid]
    current = submits[-1] if submits else None
    approvals = [
        r
        for r in history
        if r.action is Action.APPROVE and r.valid and current and r.when > current.when
    ]
    waiting = approvals[-1].when if approvals else (current.when if current else None)
    return DraftState(
        draft_id=draft_id,
        path=f"content/x/{draft_id}.md",
        title=f"标题{draft_id}",
        unit=unit,
        kind=kind,
        category=category,
        phase=phase,
        digest="0" * 64,
        submission=current,
        approvals=approvals,
        rejection=rejects[-1] if phase is Phase.REJECTED and rejects else None,
        publication=publishes[-1] if publishes else None,
        next_stage=next_stage,
        next_signers=next_signers or [],
        waiting_since=waiting if phase is Phase.IN_REVIEW else None,
        first_submitted=submits[0].when if submits else None,
        history=history,
    )


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=BJ)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


FOUR = (Stage.UNIT_HEAD, Stage.SECRECY_OFFICE, Stage.DEPUTY, Stage.PRINCIPAL)


def approvals(draft_id: str, start: datetime, stages: tuple[Stage, ...] = FOUR) -> list[Record]:
    return [
        rec(Action.APPROVE, draft_id, start + timedelta(hours=i), stage=s)
        for i, s in enumerate(stages)
    ]


def scenario() -> list[DraftState]:
    """Three months of history across the edge cases the reports must get right.

    - qy-midnight: submitted 2026-03-01 00:30 Beijing (still February in UTC), in review.
    - qy-feb-late: submitted 2026-02-28 23:50 Beijing, published 2026-03-02.
    - ml-resubmit: submitted in February, rejected, resubmitted in March, in review.
    - xy-cross: submitted in March, approved in April, published 2026-04-03 (Beijing).
    - ls-invalid: an invalid submit in March, the first valid one in April.
    - pub-forward: a forward by an operator in March (not counted for the quota).
    - cz-rejected: submitted in March, rejected, waiting for resubmission.
    - ah-approved: submitted in March, fully approved, waiting for publication.
    - ghost-1: a unit that is not in the roster, submitted in March.
    - Every other unit (e.g. xibin) has nothing at all.
    """
    qy_mid = [rec(Action.SUBMIT, "qy-midnight", utc(2026, 2, 28, 16, 30))]
    qy_mid += approvals("qy-midnight", utc(2026, 3, 1, 2), (Stage.UNIT_HEAD,))
    qy_late = [rec(Action.SUBMIT, "qy-feb-late", utc(2026, 2, 28, 15, 50))]
    qy_late += approvals("qy-feb-late", bj(2026, 3, 1, 9))
    qy_late.append(
        rec(
            Action.PUBLISH,
            "qy-feb-late",
            bj(2026, 3, 2, 10),
            url="https://mp.weixin.qq.com/s/late",
        )
    )
    ml = [
        rec(Action.SUBMIT, "ml-resubmit", bj(2026, 2, 20, 9)),
        rec(Action.REJECT, "ml-resubmit", bj(2026, 2, 22, 9), stage=Stage.UNIT_HEAD),
        rec(Action.SUBMIT, "ml-resubmit", bj(2026, 3, 2, 9)),
    ]
    xy = [rec(Action.SUBMIT, "xy-cross", bj(2026, 3, 31, 23, 59))]
    xy += approvals("xy-cross", bj(2026, 4, 1, 8))
    xy.append(
        rec(
            Action.PUBLISH,
            "xy-cross",
            utc(2026, 4, 2, 17),  # 2026-04-03 01:00 Beijing
            url="https://mp.weixin.qq.com/s/cross",
        )
    )
    ls = [
        rec(Action.SUBMIT, "ls-invalid", bj(2026, 3, 10, 9), valid=False),
        rec(Action.SUBMIT, "ls-invalid", bj(2026, 4, 1, 0, 5)),
    ]
    fwd = [rec(Action.SUBMIT, "pub-forward", bj(2026, 3, 15, 9))]
    cz = [
        rec(Action.SUBMIT, "cz-rejected", bj(2026, 3, 3, 9)),
        rec(Action.REJECT, "cz-rejected", bj(2026, 3, 4, 9), stage=Stage.DEPUTY),
    ]
    ah = [rec(Action.SUBMIT, "ah-approved", bj(2026, 3, 5, 9))]
    ah += approvals("ah-approved", bj(2026, 3, 6, 9))
    ghost = [rec(Action.SUBMIT, "ghost-1", bj(2026, 3, 7, 9))]
    return [
        state(
            "qy-midnight",
            "qingyang",
            Phase.IN_REVIEW,
            qy_mid,
            next_stage=Stage.SECRECY_OFFICE,
            next_signers=["sample_secrecy_1", "sample_secrecy_2"],
        ),
        state("qy-feb-late", "qingyang", Phase.PUBLISHED, qy_late, category="便民信息"),
        state(
            "ml-resubmit",
            "meiling",
            Phase.IN_REVIEW,
            ml,
            next_stage=Stage.UNIT_HEAD,
            next_signers=["meiling_head"],
        ),
        state("xy-cross", "xiyuan", Phase.PUBLISHED, xy, kind=Kind.INTERVIEW),
        state(
            "ls-invalid",
            "luoshan",
            Phase.IN_REVIEW,
            ls,
            next_stage=Stage.UNIT_HEAD,
            next_signers=["luoshan_head"],
        ),
        state(
            "pub-forward",
            "publicity",
            Phase.IN_REVIEW,
            fwd,
            kind=Kind.FORWARD,
            category="转发上级信息",
            next_stage=Stage.UNIT_HEAD,
            next_signers=["publicity_head"],
        ),
        state("cz-rejected", "cizao", Phase.REJECTED, cz, next_signers=["cizao_info"]),
        state(
            "ah-approved",
            "anhai",
            Phase.APPROVED,
            ah,
            category="信息主动公开",
            next_signers=list(shipped_policy().operators),
        ),
        state("ghost-1", "ghost", Phase.IN_REVIEW, ghost, next_stage=Stage.UNIT_HEAD),
    ]


def by_unit(report: object) -> dict[str, object]:
    return {u.unit: u for u in report.units}  # type: ignore[attr-defined]


def test_midnight_submission_belongs_to_new_month() -> None:
    policy = shipped_policy()
    states = {s.draft_id: s for s in scenario()}
    when = first_submitted(states["qy-midnight"], policy)
    assert when is not None
    assert (when.year, when.month, when.day, when.hour, when.minute) == (2026, 3, 1, 0, 30)
    late = first_submitted(states["qy-feb-late"], policy)
    assert late is not None and (late.month, late.day) == (2, 28)


def test_first_valid_submit_counts_not_invalid_or_resubmission() -> None:
    policy = shipped_policy()
    states = {s.draft_id: s for s in scenario()}
    ls = first_submitted(states["ls-invalid"], policy)
    assert ls is not None and (ls.month, ls.day) == (4, 1)
    ml = first_submitted(states["ml-resubmit"], policy)
    assert ml is not None and (ml.month, ml.day) == (2, 20)
    pub = published_at(states["xy-cross"], policy)
    assert pub is not None and (pub.month, pub.day, pub.hour) == (4, 3, 1)


def test_march_figures_per_unit() -> None:
    policy = shipped_policy()
    report = monthly_report(policy, scenario(), 2026, 3)
    units = {u.unit: u for u in report.units}

    qy = units["qingyang"]
    assert (qy.submitted, qy.in_review, qy.published, qy.published_in_month) == (1, 1, 0, 1)
    assert qy.quota_count == 1 and qy.quota_met

    ml = units["meiling"]  # submitted in February; the March resubmission does not count
    assert (ml.submitted, ml.in_review, ml.quota_count, ml.quota_met) == (0, 0, 0, False)

    xy = units["xiyuan"]  # submitted 23:59 on the 31st, published in April
    assert (xy.submitted, xy.published, xy.published_in_month, xy.quota_met) == (1, 1, 0, True)

    assert units["luoshan"].submitted == 0  # only an invalid submit in March
    fwd = units["publicity"]
    assert (fwd.submitted, fwd.in_review, fwd.quota_count, fwd.quota_met) == (1, 1, 0, False)
    assert (units["cizao"].submitted, units["cizao"].rejected) == (1, 1)
    assert (units["anhai"].submitted, units["anhai"].approved) == (1, 1)
    assert units["xibin"].submitted == 0 and not units["xibin"].quota_met

    ghost = units["ghost"]
    assert not ghost.in_roster and ghost.name == "ghost（名册外）" and ghost.submitted == 1
    assert ghost.quota_count == 0 and ghost.quota_target == 0


def test_march_totals_categories_kinds() -> None:
    policy = shipped_policy()
    report = monthly_report(policy, scenario(), 2026, 3)
    t = report.totals
    assert (t.submitted, t.in_review, t.approved, t.rejected, t.published, t.changed) == (
        6,
        3,
        1,
        1,
        1,
        0,
    )
    assert t.published_in_month == 1
    assert t.quota_target == len(policy.units)
    # every roster unit appears, in roster order, then the unit outside the roster
    assert [u.unit for u in report.units] == [*(u.id for u in policy.units), "ghost"]
    assert report.units_met == 4  # qingyang, xiyuan, cizao, anhai
    assert set(report.below_quota) == {u.id for u in policy.units} - {
        "qingyang",
        "xiyuan",
        "cizao",
        "anhai",
    }
    assert report.by_kind == {Kind.ORIGINAL: 4, Kind.INTERVIEW: 1, Kind.FORWARD: 1}
    assert list(report.by_category) == policy.categories
    assert report.by_category["党务政务宣传"] == 4
    assert report.by_category["信息主动公开"] == 1
    assert report.by_category["转发上级信息"] == 1
    assert report.by_category["便民信息"] == 0
    assert [d.draft_id for d in report.drafts] == [
        "qy-midnight",
        "cz-rejected",
        "ah-approved",
        "ghost-1",
        "pub-forward",
        "xy-cross",
    ]


def test_year_grid_counts_submissions_by_month() -> None:
    report = monthly_report(shipped_policy(), scenario(), 2026, 3)
    assert report.year_grid["qingyang"] == (0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert report.year_grid["meiling"][1] == 1 and sum(report.year_grid["meiling"]) == 1
    assert report.year_grid["luoshan"][3] == 1 and sum(report.year_grid["luoshan"]) == 1
    assert sum(report.year_grid["xibin"]) == 0


def test_april_and_february() -> None:
    policy = shipped_policy()
    april = {u.unit: u for u in monthly_report(policy, scenario(), 2026, 4).units}
    assert april["xiyuan"].published_in_month == 1 and april["xiyuan"].submitted == 0
    assert april["luoshan"].submitted == 1 and april["luoshan"].quota_met
    feb = {u.unit: u for u in monthly_report(policy, scenario(), 2026, 2).units}
    assert feb["qingyang"].submitted == 1 and feb["qingyang"].published == 1
    assert feb["meiling"].submitted == 1 and feb["meiling"].in_review == 1


def test_quota_basis_published_and_kinds() -> None:
    text = (ROOT / "policies.yaml").read_text("utf-8")
    text = text.replace("per_month: 1\n  basis: submitted", "per_month: 1\n  basis: published")
    policy = parse_policy(text)
    assert policy.quota.basis == "published"
    march = {u.unit: u for u in monthly_report(policy, scenario(), 2026, 3).units}
    assert march["qingyang"].quota_met  # qy-feb-late published 2 March
    assert not march["xiyuan"].quota_met  # published in April
    april = {u.unit: u for u in monthly_report(policy, scenario(), 2026, 4).units}
    assert april["xiyuan"].quota_met  # an interview: in quota.kinds

    two = parse_policy(text.replace("per_month: 1", "per_month: 2"))
    march2 = monthly_report(two, scenario(), 2026, 3)
    assert march2.units_met == 0 and march2.totals.quota_target == 2 * len(two.units)


def test_reminders_lists_units_without_submission() -> None:
    policy = shipped_policy()
    march = reminders(policy, scenario(), 2026, 3)
    assert "qingyang" not in march and "xiyuan" not in march
    assert "meiling" in march and "xibin" in march
    assert "publicity" in march  # a forward does not count towards the quota
    assert "ghost" not in march  # only roster units are reminded
    assert len(march) == len(policy.units) - 4
    assert reminders(policy, [], 2026, 3) == [u.id for u in policy.units]


def test_pending_names_stage_people_and_since() -> None:
    policy = shipped_policy()
    items = {i.draft_id: i for i in pending(policy, scenario())}
    assert set(items) == {
        "qy-midnight",
        "ml-resubmit",
        "ls-invalid",
        "pub-forward",
        "cz-rejected",
        "ah-approved",
        "ghost-1",
    }
    qy = items["qy-midnight"]
    assert qy.stage is Stage.SECRECY_OFFICE and qy.step == "涉密审查"
    assert qy.waiting_for_names == ("示例·保密办甲", "示例·保密办乙")
    assert qy.since is not None and qy.since.utcoffset() == timedelta(hours=8)
    assert (qy.since.month, qy.since.day, qy.since.hour) == (3, 1, 10)
    cz = items["cz-rejected"]
    assert cz.step == "待修改后重新报送" and cz.waiting_for == ("cizao_info",)
    assert cz.since is not None and cz.since.day == 4
    ah = items["ah-approved"]
    assert ah.step == "待发布" and ah.waiting_for == tuple(policy.operators)
    ghost = items["ghost-1"]  # no signers known: the roster names nobody for that unit
    assert ghost.waiting_for == () and ghost.unit_name == "ghost（名册外）"
    order = [i.draft_id for i in pending(policy, scenario())]
    assert order.index("ml-resubmit") < order.index("pub-forward")


def test_yearly_ranks_published_then_reads() -> None:
    policy = shipped_policy()
    reads = {"qy-feb-late": 120, "xy-cross": 300}
    report = yearly_report(policy, scenario(), 2026, reads)
    units = {u.unit: u for u in report.units}
    assert units["qingyang"].published == (0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert units["xiyuan"].published[3] == 1 and units["xiyuan"].reads[3] == 300
    assert units["qingyang"].reads_total == 120
    assert [u.unit for u in report.units[:2]] == ["xiyuan", "qingyang"]
    assert [u.rank for u in report.units[:3]] == [1, 2, 3]
    assert all(u.rank == 3 for u in report.units[2:])  # everyone else ties at zero
    assert report.published_total == 2 and report.reads_total == 420
    assert report.published_by_month[2] == 1 and report.reads_by_month[3] == 300
    assert report.missing_reads == 0
    assert len(report.units) == len(policy.units)


def test_yearly_tie_and_missing_reads() -> None:
    policy = shipped_policy()
    report = yearly_report(policy, scenario(), 2026, {"qy-feb-late": 50, "xy-cross": 50})
    top = report.units[:2]
    assert [u.rank for u in top] == [1, 1]
    assert [u.unit for u in top] == ["qingyang", "xiyuan"]  # roster order breaks ties
    partial = yearly_report(policy, scenario(), 2026, {"xy-cross": 7})
    qy = next(u for u in partial.units if u.unit == "qingyang")
    assert qy.missing_reads == 1 and partial.missing_reads == 1
    assert yearly_report(policy, scenario(), 2025, {}).published_total == 0


@pytest.mark.parametrize(("year", "month"), [(2026, 0), (2026, 13), (0, 5)])
def test_bad_month_is_rejected(year: int, month: int) -> None:
    with pytest.raises(ValueError):
        monthly_report(shipped_policy(), [], year, month)


def test_submit_date_is_capped_by_a_later_record_of_someone_else() -> None:
    """A submit record dated 1 April, approved by the unit head on 31 March, counts in March."""
    policy = shipped_policy()
    history = [
        rec(Action.SUBMIT, "fwd-dated", bj(2026, 4, 1, 0, 10), signer="qingyang_info"),
        rec(
            Action.APPROVE,
            "fwd-dated",
            bj(2026, 3, 31, 23),
            stage=Stage.UNIT_HEAD,
            signer="qingyang_head",
        ),
    ]
    draft = state("fwd-dated", "qingyang", Phase.IN_REVIEW, history)
    when = first_submitted(draft, policy)
    assert when is not None and (when.month, when.day, when.hour) == (3, 31, 23)
    assert by_unit(monthly_report(policy, [draft], 2026, 3))["qingyang"].submitted == 1
    assert by_unit(monthly_report(policy, [draft], 2026, 4))["qingyang"].submitted == 0
    # the submitter's own later record, or an invalid one, does not move the date
    own = [
        history[0],
        rec(Action.SUBMIT, "fwd-dated", bj(2026, 3, 20), signer="qingyang_info"),
        rec(Action.APPROVE, "fwd-dated", bj(2026, 3, 1), signer="x", valid=False),
    ]
    again = first_submitted(state("fwd-dated", "qingyang", Phase.IN_REVIEW, own), policy)
    assert again is not None and (again.month, again.day) == (4, 1)
