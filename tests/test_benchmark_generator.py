"""The benchmark generator, run small: real git checks its pack, signatures and history."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fzjj.draft import parse_draft
from fzjj.model import Action
from fzjj.policy import parse_policy
from fzjj.records import parse_record

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "benchmarks" / "generate.py"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "work"
    proc = subprocess.run(
        [sys.executable, str(GENERATOR), "--small", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def test_fsck_is_clean_and_sizes_match_manifest(generated: Path) -> None:
    repo = generated / "repo"
    fsck = git(repo, "fsck", "--strict", "--no-dangling", check=False)
    assert fsck.returncode == 0, fsck.stderr
    assert fsck.stdout == ""
    manifest = json.loads((generated / "manifest.json").read_text())
    commits = git(repo, "rev-list", "main").stdout.split()
    assert len(commits) == manifest["commits"] > 20
    assert commits[0] == manifest["head"]
    drafts = list((repo / "content").rglob("*.md"))
    assert len(drafts) == manifest["drafts"]
    assert git(repo, "status", "--porcelain").stdout == ""


def test_git_verifies_a_sample_of_commits_by_the_acting_person(generated: Path) -> None:
    repo = generated / "repo"
    signers = str(generated / "allowed_signers")
    commits = git(repo, "rev-list", "main").stdout.split()
    sample = sorted({*commits[:: max(1, len(commits) // 12)], commits[-1]})
    for commit in sample:
        proc = git(
            repo,
            "-c",
            f"gpg.ssh.allowedSignersFile={signers}",
            "verify-commit",
            commit,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert 'Good "git" signature' in proc.stderr
    # %GS is the principal of the allowed_signers line that matched: the actor's address
    log = git(repo, "log", "-n", "40", "--format=%G?|%GS|%ae|%ce").stdout.splitlines()
    for line in log:
        status, principal, author, committer = line.split("|")
        assert (status, principal) == ("G", author)
        assert author == committer


def test_records_are_well_formed_bound_and_in_time_order(generated: Path) -> None:
    repo = generated / "repo"
    policy = parse_policy((repo / "policies.yaml").read_text("utf-8"))
    assert len(policy.units) == 3
    log = git(repo, "log", "--reverse", "--format=%H%x00%P%x00%ct%x00%ae%x00%B%x01").stdout
    entries = [e.lstrip("\n") for e in log.split("\x01") if e.strip()]
    times = [int(e.split("\x00")[2]) for e in entries]
    assert times == sorted(times) and len(set(times)) == len(times)

    last: dict[str, str] = {}
    actions: set[Action] = set()
    for entry in entries[1:]:
        commit, _parent, _time, email, message = entry.split("\x00")
        fields = parse_record(message)
        assert fields is not None
        actions.add(fields.action)
        data = git(repo, "cat-file", "blob", f"{commit}:{fields.path}").stdout.encode()
        assert hashlib.sha256(data).hexdigest() == fields.digest
        assert git(repo, "rev-parse", f"{commit}:{fields.path}").stdout.strip() == fields.blob
        draft = parse_draft(data, fields.path)
        assert draft.meta.id == fields.draft_id
        actor = email.split("@")[0]
        if fields.stage is not None:
            assert actor in policy.signers_for(fields.stage, draft.meta.unit)
        if fields.action is Action.SUBMIT:
            assert fields.prev is None
            assert actor in policy.submitters_for(draft.meta.kind, draft.meta.unit)
        else:
            assert fields.prev == last[fields.draft_id]
        if fields.action is Action.PUBLISH:
            assert actor in policy.operators
            assert fields.url and fields.url.startswith("https://mp.weixin.qq.com/s?__biz=")
        last[fields.draft_id] = commit
    assert {Action.SUBMIT, Action.APPROVE, Action.PUBLISH} <= actions


def test_rerun_reuses_and_extend_appends_signed_records(generated: Path) -> None:
    repo = generated / "repo"
    manifest = json.loads((generated / "manifest.json").read_text())
    proc = subprocess.run(
        [sys.executable, str(GENERATOR), "--small", "--out", str(generated)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "generated" not in proc.stdout  # reused, not rebuilt
    assert json.loads(proc.stdout)["head"] == manifest["head"]

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    tip = generate.extend(generated, 2)
    assert git(repo, "rev-parse", "main").stdout.strip() == manifest["head"]  # branch not moved
    assert git(repo, "rev-list", "--count", f"{manifest['head']}..{tip}").stdout.strip() == "2"
    assert generate.extend(generated, 2) == tip  # cached
    signers = f"gpg.ssh.allowedSignersFile={generated / 'allowed_signers'}"
    assert git(repo, "-c", signers, "verify-commit", tip, check=False).returncode == 0
    assert git(repo, "fsck", "--strict", check=False).returncode == 0
