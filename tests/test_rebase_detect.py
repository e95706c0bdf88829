"""Records re-created by a rebase or a squash, recognised by commit in every mode.

The gate table (test_gate_matrix) sees each code in the full check, the pull-request check
and the server hook; here every re-created record must be named by its own commit, the
first record of a rebased series included (its Fzjj-Prev still names a commit that exists,
so only the author and committer headers show what happened), and records that count, or
that were made in one go, must not be named at all.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import Bureau
from test_check_support import (
    SITUATIONS,
    _one_approval_on_side,
    an_hour_after,
    chain_until,
    check_json,
    codes,
    commit_file,
    push,
    rebase_and_merge,
    record,
)
from test_hook import make_server, server_head

REBASES = [
    "rebased-first-record",
    "rebased-by-host-key",
    "rebased-by-signer-unsigned",
    "rebased-unsigned",
    "rebased-resigned",
]
HOST_SETTING_WORDS = ("Allow merge commits", "Merge method", "创建合并提交")


def records_between(b: Bureau, base: str) -> set[str]:
    out = b.git("log", "--format=%H", "--grep=Fzjj-Action:", f"{base}..HEAD")
    return set(out.split())


def commits_with(doc: dict, code: str) -> set[str]:
    return {v["commit"] for v in doc["violations"] if v["code"] == code}


def hook_commits_with(stderr: str, code: str) -> set[str]:
    """Short ids of the commits the hook's text report names under `code`."""
    return set(re.findall(rf"错误 {code} \S+?（提交 ([0-9a-f]{{12}})）", stderr))


def hook_report(b: Bureau, tmp_path: Path, base: str) -> tuple[int, str]:
    """Push `base` to a fresh server with the hook, then main; (exit code, stderr)."""
    server = make_server(tmp_path)
    first = push(b, server.as_uri(), f"{base}:refs/heads/main")
    assert first.returncode == 0, first.stderr
    proc = push(b, server.as_uri(), "main")
    if proc.returncode != 0:
        assert server_head(server) == base
    return proc.returncode, proc.stderr


@pytest.mark.parametrize("name", REBASES)
def test_every_rebased_record_is_named_in_every_mode(
    bureau: Bureau, tmp_path: Path, name: str
) -> None:
    base, _ = SITUATIONS[name](bureau)
    rebased = records_between(bureau, base)
    assert rebased

    # The second full check reads the history from the cache the first one wrote.
    for args in ((), (), ("--base", base)):
        code, doc = check_json(bureau, *args)
        assert code == 1
        assert commits_with(doc, "G011") == rebased, doc
        assert not commits_with(doc, "G010"), doc
        for v in doc["violations"]:
            if v["code"] == "G011":
                assert all(word in v["hint"] for word in HOST_SETTING_WORDS), v
        # The records' own errors stay (R010, R012, R020), after the merge damage.
        assert codes(doc)[0] == "G011" and len(set(codes(doc))) > 1, doc

    code, stderr = hook_report(bureau, tmp_path, base)
    assert code != 0
    assert hook_commits_with(stderr, "G011") == {c[:12] for c in rebased}, stderr


def test_the_first_rebased_record_names_the_headers(bureau: Bureau) -> None:
    base, _ = SITUATIONS["rebased-first-record"](bureau)
    (record,) = records_between(bureau, base)
    _, doc = check_json(bureau, "--base", base)
    (v,) = [v for v in doc["violations"] if v["code"] == "G011"]
    assert v["commit"] == record
    assert "作者是 qy_head <qy_head@example.org>" in v["message"]
    assert "提交者却是 周宣 <zhouxuan@bureau.example>" in v["message"]
    assert "原签名没有保留下来" in v["message"]


def test_a_rebase_by_the_signer_shows_in_the_dates(bureau: Bureau) -> None:
    base, _ = SITUATIONS["rebased-by-signer-unsigned"](bureau)
    _, doc = check_json(bureau)
    (v,) = [v for v in doc["violations"] if v["code"] == "G011"]
    authored, committed = map(int, bureau.git("log", "-1", "--format=%at %ct", v["commit"]).split())
    assert committed == authored + 3600
    # Both dates in the committer's zone (+0800), so that the hour between them shows.
    zone = timezone(timedelta(hours=8))

    def shown(t: int) -> str:
        return datetime.fromtimestamp(t, zone).strftime("%Y-%m-%d %H:%M:%S +0800")

    assert f"作者时间 {shown(authored)}，提交时间却是 {shown(committed)}" in v["message"], v
    assert v["commit"] in records_between(bureau, base)


def test_github_rebase_and_merge_is_a_re_creation_not_a_squash(bureau: Bureau) -> None:
    """A rebase merge the host commits as itself (GitHub's identity), unsigned: each record
    is re-created one for one (G011), the first one too; none holds several records (G010)."""
    path = bureau.draft("2026-11-github")
    chain_until(bureau, path, 0)
    bureau.git("switch", "-q", "-c", "side")
    bureau.ok("qy_head", "approve", path)
    bureau.ok("secrecy_a", "approve", path)
    bureau.git("switch", "-q", "main")
    bureau.ok("ah_info", "submit", bureau.draft("2026-11-github-other", unit="anhai"))
    base = bureau.head()
    rebase_and_merge(bureau, ("GitHub", "noreply@github.com"), an_hour_after(bureau, base))
    rebased = records_between(bureau, base)
    assert len(rebased) == 2
    for args in ((), ("--base", base)):
        _, doc = check_json(bureau, *args)
        assert commits_with(doc, "G011") == rebased, doc
        assert not commits_with(doc, "G010"), doc
        assert any(
            "托管平台（GitHub <noreply@github.com>）" in v["message"] for v in doc["violations"]
        )


# ---- never misreported ----------------------------------------------------------------------


def test_a_signer_rebasing_and_re_signing_their_own_record_is_clean(
    bureau: Bureau, tmp_path: Path
) -> None:
    """The unit head rebases her one-record branch an hour later and signs again with her
    own key: a later committer date, but the record counts, so nothing is reported."""
    approval, base = _one_approval_on_side(bureau, "2026-11-resign-own")
    rebase_and_merge(
        bureau,
        ("qy_head", "qy_head@example.org"),
        an_hour_after(bureau, approval),
        signing_key=str(bureau.keys["qy_head"]),
    )
    (record,) = records_between(bureau, base)
    assert record != approval
    committed, authored = map(int, bureau.git("log", "-1", "--format=%ct %at", record).split())
    assert committed > authored
    for args in ((), ("--base", base)):
        code, doc = check_json(bureau, *args)
        assert code == 0 and doc["violations"] == [], doc
    code, stderr = hook_report(bureau, tmp_path, base)
    assert code == 0, stderr


def test_a_record_that_counts_is_never_named_for_its_headers(
    bureau: Bureau, tmp_path: Path
) -> None:
    """Another committer header, but the unit head's own valid signature: the record counts
    as hers and the headers alone are no reason to report it."""
    approval, base = _one_approval_on_side(bureau, "2026-11-othercommitter")
    rebase_and_merge(
        bureau,
        ("周宣", "zhouxuan@bureau.example"),
        an_hour_after(bureau, approval),
        signing_key=str(bureau.keys["qy_head"]),
    )
    (record,) = records_between(bureau, base)
    assert bureau.git("log", "-1", "--format=%an|%cn", record) == "qy_head|周宣"
    for args in ((), ("--base", base)):
        code, doc = check_json(bureau, *args)
        assert code == 0 and doc["violations"] == [], doc
    code, stderr = hook_report(bureau, tmp_path, base)
    assert code == 0, stderr


@pytest.mark.parametrize(
    ("name", "own"),
    [
        ("unsigned-record", "R010"),
        ("unknown-key", "R012"),
        ("wrong-role", "R020"),
        ("not-submitted", "R025"),
        ("wrong-prev", "R026"),
    ],
)
def test_records_made_in_one_go_keep_their_own_errors(bureau: Bureau, name: str, own: str) -> None:
    """Refused records that nobody re-committed: author and committer are one identity at
    one time, so no merge damage is claimed."""
    base, _ = SITUATIONS[name](bureau)
    for args in ((), ("--base", base)):
        _, doc = check_json(bureau, *args)
        assert own in codes(doc), doc
        assert not {"G010", "G011"} & set(codes(doc)), doc


# ---- a squash of a single record ----------------------------------------------------------


def test_local_squash_of_one_record_names_the_squashed_commit(
    bureau: Bureau, tmp_path: Path
) -> None:
    base, _ = SITUATIONS["squash-one-record-locally"](bureau)
    original = bureau.git("rev-parse", "side")
    squash = bureau.head()
    for args in ((), ("--base", base)):
        code, doc = check_json(bureau, *args)
        assert code == 1
        (v,) = [v for v in doc["violations"] if v["code"] == "G010"]
        assert v["commit"] == squash
        assert "git merge --squash" in v["message"] and original[:12] in v["message"]
    code, stderr = hook_report(bureau, tmp_path, base)
    assert code != 0 and "G010" in stderr


def test_a_commit_that_only_mentions_a_record_is_not_a_squash(bureau: Bureau) -> None:
    base = bureau.head()
    commit_file(
        bureau,
        "admin",
        "README.md",
        "说明\n",
        "Explain the record format\n\n    Fzjj-Action: approve\n\nis the first trailer.\n",
    )
    for args in ((), ("--base", base)):
        code, doc = check_json(bureau, *args)
        assert code == 0 and doc["violations"] == [], doc


# ---- where Fzjj-Prev points ---------------------------------------------------------------


def test_prev_naming_a_commit_of_this_history_is_no_rewrite(bureau: Bureau) -> None:
    """An approval whose Fzjj-Prev names the roster commit (in the history, but no record) is
    refused as not submitted (R025); it does not claim the history was rewritten."""
    base, _ = SITUATIONS["not-submitted"](bureau)
    for args in ((), ("--base", base)):
        _, doc = check_json(bureau, *args)
        assert codes(doc) == ["R025"], doc


def test_prev_naming_a_commit_outside_this_history_is_a_rewrite(bureau: Bureau) -> None:
    """The same approval pointing at a commit that exists but is on no checked branch (what
    a rewritten chain leaves behind) is G011."""
    base = bureau.head()
    bureau.git("switch", "-q", "-c", "elsewhere")
    outside = commit_file(bureau, "admin", "README.md", "别处\n", "on a branch never merged")
    bureau.git("switch", "-q", "main")
    path = bureau.draft("2026-11-outside")
    record(bureau, "qy_head", "approve", path, stage="unit_head", prev=outside)
    for args in ((), ("--base", base)):
        _, doc = check_json(bureau, *args)
        assert "G011" in codes(doc) and "R025" in codes(doc), doc
        (v,) = [v for v in doc["violations"] if v["code"] == "G011"]
        assert "Fzjj-Prev 指向不在本分支历史中的提交" in v["message"]
