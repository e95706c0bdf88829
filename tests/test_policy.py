from pathlib import Path

import pytest

from fzjj.errors import PolicyError
from fzjj.policy import parse_policy

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_policy_is_valid_and_marks_samples() -> None:
    policy = parse_policy((ROOT / "policies.yaml").read_text("utf-8"))
    assert len([u for u in policy.units if u.type == "station"]) == 19
    assert all(p.sample for p in policy.people)
    assert policy.timezone == "Asia/Shanghai"


def test_unknown_person_reference_names_field() -> None:
    text = (
        (ROOT / "policies.yaml")
        .read_text("utf-8")
        .replace("principal: sample_principal", "principal: nobody")
    )
    with pytest.raises(PolicyError) as err:
        parse_policy(text)
    assert "nobody" in err.value.message
