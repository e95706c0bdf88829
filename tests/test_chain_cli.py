"""The review chain end to end through the CLI, with real keys and signed commits."""

from __future__ import annotations

import json
import os

from conftest import Bureau


def status_of(b: Bureau, path: str) -> dict:
    code, out = b.act("admin", "status", path, "--json")
    assert code == 0, out
    return json.loads(out)[0]


def test_full_chain_then_publish(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-qy-01")
    out = bureau.ok("qy_info", "submit", path)
    assert "已报送" in out and "科室负责人审核" in out
    assert status_of(bureau, path)["next_stage"] == "unit_head"
    for person in ("qy_head", "secrecy_a", "deputy", "principal"):
        bureau.ok(person, "approve", path, "--opinion", "同意。")
    assert status_of(bureau, path)["phase"] == "approved"
    bureau.ok("operator", "publish", path, "--url", "https://mp.weixin.qq.com/s/abc")
    state = status_of(bureau, path)
    assert state["phase"] == "published"
    assert [r["action"] for r in state["records"]] == ["submit"] + ["approve"] * 4 + ["publish"]
    assert all(r["valid"] for r in state["records"])


def test_wrong_person_is_refused_and_nothing_is_committed(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-qy-02")
    bureau.ok("qy_info", "submit", path)
    before = bureau.head()
    code, out = bureau.act("ah_head", "approve", path)
    assert code == 4
    assert "陈岚（青阳所长）" in out  # says who may sign instead
    assert bureau.head() == before


def test_publish_before_chain_is_refused(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-qy-03")
    bureau.ok("qy_info", "submit", path)
    before = bureau.head()
    code, out = bureau.act("operator", "publish", path, "--url", "https://mp.weixin.qq.com/s/x")
    assert code == 4 and "先审后发" in out
    assert bureau.head() == before


def test_reject_then_resubmit_starts_over(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-qy-04")
    bureau.ok("qy_info", "submit", path)
    bureau.ok("qy_head", "approve", path)
    code, out = bureau.act("secrecy_a", "reject", path)
    assert code == 2 and "意见" in out  # a rejection needs a reason
    bureau.ok("secrecy_a", "reject", path, "--opinion", "涉及案件细节，请删改。")
    assert status_of(bureau, path)["phase"] == "rejected"
    bureau.draft("2026-11-qy-04", body="修改后的正文。\n")
    bureau.ok("qy_info", "submit", path)
    state = status_of(bureau, path)
    assert state["phase"] == "in_review" and state["next_stage"] == "unit_head"


def test_self_approval_and_double_stage_refused(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-qy-05")
    bureau.ok("qy_info", "submit", path)
    bureau.ok("qy_head", "approve", path)
    # the unit head may not also do the secrecy review even if the roster allowed it
    code, out = bureau.act("qy_head", "approve", path)
    assert code == 4 and "不具备" in out


def test_edit_after_approval_voids_it(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-qy-06")
    bureau.ok("qy_info", "submit", path)
    bureau.ok("qy_head", "approve", path)
    bureau.draft("2026-11-qy-06", body="偷偷改过的正文。\n")
    bureau.git("commit", "-qam", "edit")
    state = status_of(bureau, path)
    assert state["phase"] == "unsubmitted"
    assert any(v["code"] == "R040" for v in state["violations"])
    code, _ = bureau.act("secrecy_a", "approve", path)
    assert code == 4


def test_signing_failure_leaves_no_commit(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-qy-07")
    bureau.sign_as("qy_info")
    bureau.git("config", "user.signingkey", "/nonexistent/key")
    before = bureau.head()
    from fzjj.cli.main import app

    old = os.getcwd()
    os.chdir(bureau.root)
    try:
        result = bureau.runner.invoke(app, ["submit", path])
    finally:
        os.chdir(old)
    assert result.exit_code == 5
    assert bureau.head() == before
    assert bureau.git("status", "--porcelain") == "?? content/"
