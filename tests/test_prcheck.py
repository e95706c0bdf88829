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
