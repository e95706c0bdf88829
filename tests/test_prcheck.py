"""Pull-request mode, `fzjj check --base REV`, with real git and real keys."""

from __future__ import annotations

from conftest import Bureau
from fzjj.gitstore import open_repo
from fzjj.prcheck import check_range
from test_check_support import (
    SITUATIONS,
    chain_until,
    check_json,
    codes,
    commit_file,
    record,
    s_clean,
)


def test_clean_pull_request_passes(bureau: Bureau) -> None:
    base = s_clean(bureau)
    code, doc = check_json(bureau, "--base", base)
    assert code == 0, doc
    assert doc["violations"] == []
    assert doc["drafts"] == [
        "content/2026/11/2026-11-clean-01.md",
        "content/2026/11/2026-11-clean-02.md",
    ]


def test_pr_continues_a_chain_from_base_history(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-continue")
    base = chain_until(bureau, path, 2)  # submit + two stages already on main
    bureau.ok("deputy", "approve", path)
    bureau.ok("principal", "approve", path)
    bureau.ok("operator", "publish", path, "--url", "https://mp.weixin.qq.com/s/c")
    report = check_range(open_repo(bureau.root), base, "HEAD")
    assert report.violations == []
    # three range commits plus the three earlier records reached through Fzjj-Prev
    assert report.commits == 6
    assert report.drafts == [path]


def test_only_what_the_range_adds_is_checked(bureau: Bureau) -> None:
    SITUATIONS["unsigned-record"](bureau)  # a violation already on the base branch
    base = bureau.head()
    path = bureau.draft("2026-11-later")
    bureau.ok("qy_info", "submit", path)
    code, doc = check_json(bureau, "--base", base)
    assert code == 0, doc
    assert doc["counts"]["commits"] == 1
    code, doc = check_json(bureau)  # the full check still sees the old one
    assert code == 1 and "R010" in codes(doc)


def test_pr_granting_itself_a_role_then_using_it_fails(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-grant")
    base = chain_until(bureau, path, 0)
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    # the unit head of anhai makes himself unit head of qingyang too, version bumped
    text = text.replace("version: 1", "version: 2").replace(
        "info_officer: qy_info, head: qy_head", "info_officer: qy_info, head: ah_head"
    )
    commit_file(bureau, "ah_head", "policies.yaml", text, "roster: qingyang head")
    bureau.sign_as("ah_head")
    record(bureau, "ah_head", "approve", path, stage="unit_head", prev=base)
    code, doc = check_json(bureau, "--base", base)
    assert code == 1
    assert "P003" in codes(doc) and "R020" in codes(doc)
    r020 = next(v for v in doc["violations"] if v["code"] == "R020")
    assert "陈岚" in r020["message"]  # judged by the base roster: qy_head should sign


def test_roster_change_by_admin_takes_effect_in_the_range(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-newhead")
    base = chain_until(bureau, path, 0)
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    text = text.replace("version: 1", "version: 2").replace(
        "info_officer: qy_info, head: qy_head", "info_officer: qy_info, head: ah_head"
    )
    commit_file(bureau, "admin", "policies.yaml", text, "roster: new qingyang head")
    record(bureau, "ah_head", "approve", path, stage="unit_head", prev=base)
    code, doc = check_json(bureau, "--base", base)
    assert code == 0, doc
    assert doc["policy_version"] == 2
    code, doc = check_json(bureau)
    assert code == 0, doc


def test_version_must_go_up(bureau: Bureau) -> None:
    base = bureau.head()
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    commit_file(bureau, "admin", "policies.yaml", text + "\n# comment\n", "same version")
    code, doc = check_json(bureau, "--base", base)
    assert code == 1 and codes(doc) == ["P004", "P006"]


def test_base_without_policy_exits_2(bureau: Bureau) -> None:
    bureau.git("switch", "-q", "--orphan", "empty")
    bureau.write("README.md", "x\n")
    bureau.git("add", "README.md")
    bureau.git("commit", "-qm", "empty")
    empty = bureau.head()
    bureau.git("switch", "-q", "-f", "main")
    from test_check_support import fzjj_check

    code, _, err = fzjj_check(bureau, "--base", empty)
    assert code == 2 and "policies.yaml" in err


def test_empty_range_is_clean(bureau: Bureau) -> None:
    code, doc = check_json(bureau, "--base", "HEAD")
    assert code == 0 and doc["counts"]["commits"] == 0


def test_pr_behind_its_base_sees_the_stage_signed_there(bureau: Bureau) -> None:
    """Not merged yet: the pull request's tip lacks the record the base gained meanwhile."""
    path = bureau.draft("2026-11-behind")
    chain_until(bureau, path, 1)
    bureau.git("switch", "-q", "-c", "side")
    bureau.ok("secrecy_b", "approve", path)
    bureau.git("switch", "-q", "main")
    bureau.ok("secrecy_a", "approve", path)
    code, doc = check_json(bureau, "--base", "main", "--rev", "side")
    assert code == 1 and "R026" in codes(doc), doc
    r026 = next(v for v in doc["violations"] if v["code"] == "R026")
    assert r026["commit"] == bureau.git("rev-parse", "side")  # the pull request's record
    # without the competing record on main the same pull request is clean
    bureau.git("reset", "-q", "--hard", "HEAD~1")
    code, doc = check_json(bureau, "--base", "main", "--rev", "side")
    assert code == 0, doc


def test_a_key_removed_on_the_base_cannot_sign_from_an_old_branch(bureau: Bureau) -> None:
    """The record lands on the base branch as it is now, so its roster judges it, however
    old the commit the branch started from."""
    path = bureau.draft("2026-11-oldbranch")
    fork = chain_until(bureau, path, 0)
    bureau.git("switch", "-q", "-c", "side")
    record(bureau, "qy_head", "approve", path, stage="unit_head", prev=fork)
    bureau.git("switch", "-q", "main")
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    old = text.split("  - id: qy_head\n", 1)[1].split("\n", 2)[1]  # the ssh_keys line
    text = text.replace("version: 1", "version: 2").replace(old, "    ssh_keys: []")
    commit_file(bureau, "admin", "policies.yaml", text, "qy_head left; key removed")
    code, doc = check_json(bureau, "--base", "main", "--rev", "side")
    assert code == 1 and "R012" in codes(doc), doc


def test_a_merge_signed_by_an_admin_adopts_a_change_alike_in_both_modes(bureau: Bureau) -> None:
    """The roster rules of the pull-request mode are those of the full check: a merge commit
    an admin signs, whose policies.yaml differs from its first parent's, is a roster change."""
    base = bureau.head()
    bureau.git("switch", "-q", "-c", "side")
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    grant = text.replace("version: 1", "version: 2").replace("head: qy_head", "head: ah_head")
    unsigned = commit_file(bureau, None, "policies.yaml", grant, "Unsigned roster change")
    bureau.git("switch", "-q", "main")
    bureau.sign_as("admin")
    bureau.git("merge", "-q", "--no-ff", "-S", "-m", "Merge the roster change", "side")
    _, full = check_json(bureau)
    _, pr = check_json(bureau, "--base", base)
    for doc in (full, pr):
        assert [(v["code"], v["commit"]) for v in doc["violations"]] == [("P002", unsigned)]
    path = bureau.draft("2026-11-adopted")
    bureau.ok("qy_info", "submit", path)
    code, out = bureau.act("admin", "status", path, "--json")
    assert code == 0 and '"id": "ah_head"' in out  # the merge put version 2 in force
