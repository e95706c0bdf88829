"""The on-disk snapshot (fzjj.history): served, extended or rebuilt, it must give exactly what
a full rebuild from git gives. Every test compares the cached answer with a rebuild made with
FZJJ_NO_CACHE=1 on the same real repository, after real signed commits."""

from __future__ import annotations

import marshal
import sqlite3
from pathlib import Path

import pytest

from conftest import Bureau
from fzjj.cache import FORMAT
from fzjj.gitstore import open_repo
from fzjj.history import NO_CACHE_ENV, History, load
from test_check_support import chain_until, commit_file, record


def canonical(h: History) -> tuple[object, ...]:
    states = {draft_id: h.states[draft_id] for draft_id in h.states}
    inputs = {
        draft_id: [(i.commit, i.fields, i.sig_ok, i.sig_key, i.blob_at_path, i.when) for i in items]
        for draft_id, items in h.inputs.items()
        if items
    }
    violations = sorted(repr(v) for v in h.violations)
    return (h.head, h.commits, h.policy.version, states, inputs, violations, dict(h.paths))


def cached_and_rebuilt(b: Bureau, monkeypatch: pytest.MonkeyPatch) -> History:
    """Load through the cache, check it against a full rebuild, return the cached one."""
    repo = open_repo(b.root)
    cached = load(repo)
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    rebuilt = load(repo)
    monkeypatch.delenv(NO_CACHE_ENV)
    assert rebuilt.source == "rebuilt"
    assert canonical(cached) == canonical(rebuilt)
    return cached


def test_every_step_of_a_chain_extends_the_snapshot(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = bureau.draft("2026-11-one")
    two = bureau.draft("2026-11-two", unit="anhai")
    assert cached_and_rebuilt(bureau, monkeypatch).source == "rebuilt"
    steps = [
        ("qy_info", "submit", one),
        ("ah_info", "submit", two),
        ("qy_head", "approve", one),
        ("ah_head", "approve", two),
        ("secrecy_b", "reject", two, "--opinion", "涉及未公开的案件细节。"),
        ("secrecy_a", "approve", one),
        ("ah_info", "submit", two),
        ("deputy", "approve", one),
        ("principal", "approve", one),
        ("operator", "publish", one, "--url", "https://mp.weixin.qq.com/s/abc"),
    ]
    for person, *args in steps:
        bureau.ok(person, *args)
        history = cached_and_rebuilt(bureau, monkeypatch)
        assert history.source == "extended", args
    assert history.states["2026-11-one"].phase.value == "published"
    assert history.states["2026-11-two"].phase.value == "in_review"
    again = load(open_repo(bureau.root))
    assert again.source == "snapshot"
    assert canonical(again) == canonical(history)


def test_an_edit_after_approval_voids_it_in_the_extended_state(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bureau.draft("2026-11-edit")
    bureau.full_chain(path)
    cached_and_rebuilt(bureau, monkeypatch)
    text = (bureau.root / path).read_text("utf-8") + "补充一段。\n"
    commit_file(bureau, "qy_info", path, text, "Edit after approval")
    history = cached_and_rebuilt(bureau, monkeypatch)
    assert history.source == "extended"
    state = history.states["2026-11-edit"]
    assert state.phase.value == "unsubmitted"
    assert [v.code for v in state.violations] == ["R040"]


def test_a_roster_change_replays_every_draft(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch, pubkeys: dict[str, str]
) -> None:
    path = bureau.draft("2026-11-roster")
    bureau.full_chain(path)
    other = bureau.draft("2026-11-untouched", unit="anhai")
    bureau.ok("ah_info", "submit", other)
    before = cached_and_rebuilt(bureau, monkeypatch)
    assert before.states["2026-11-roster"].phase.value == "approved"
    # The secrecy officer's key leaks: every record it signed stops counting, earlier ones too.
    text = (bureau.root / "policies.yaml").read_text("utf-8").replace("version: 1", "version: 2")
    key = pubkeys["secrecy_a"]
    text = text.replace(
        f'ssh_keys: ["{key}"]', f'ssh_keys: ["{key}"]\n    compromised_keys: ["{key}"]', 1
    )
    commit_file(bureau, "admin", "policies.yaml", text, "Mark secrecy_a's key compromised")
    after = cached_and_rebuilt(bureau, monkeypatch)
    assert after.source == "rebuilt"  # a newly revoked key can change every roster since
    assert after.policy.version == 2
    state = after.states["2026-11-roster"]
    assert state.phase.value == "in_review"
    assert "R013" in [v.code for v in state.violations]


def test_a_deleted_draft_keeps_the_unit_its_records_saw(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bureau.draft("2026-11-gone", unit="anhai")
    bureau.full_chain(path, unit="anhai")
    cached_and_rebuilt(bureau, monkeypatch)
    bureau.sign_as("ah_info")
    bureau.git("rm", "-q", path)
    bureau.git("commit", "-q", "-S", "-m", "Withdraw the draft")
    history = cached_and_rebuilt(bureau, monkeypatch)
    assert history.source == "extended"
    state = history.states["2026-11-gone"]
    assert state.unit == "anhai"
    assert all(r.valid for r in state.history), [r.reason for r in state.history]


def test_a_malformed_record_is_reported_after_extension(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached_and_rebuilt(bureau, monkeypatch)
    bureau.sign_as("qy_info")
    bureau.git("commit", "-q", "--allow-empty", "-S", "-m", "fzjj oops\n\nFzjj-Action: approve\n")
    history = cached_and_rebuilt(bureau, monkeypatch)
    assert history.source == "extended"
    assert [v.code for v in history.violations] == ["R029"]


def test_a_rewritten_branch_is_rebuilt(bureau: Bureau, monkeypatch: pytest.MonkeyPatch) -> None:
    path = bureau.draft("2026-11-rewrite")
    bureau.full_chain(path)
    cached_and_rebuilt(bureau, monkeypatch)
    bureau.git("reset", "-q", "--hard", "HEAD~2")  # the snapshot's head is gone from the branch
    assert cached_and_rebuilt(bureau, monkeypatch).source == "rebuilt"
    bureau.ok("deputy", "approve", path)
    history = cached_and_rebuilt(bureau, monkeypatch)
    assert history.source == "extended"
    assert history.states["2026-11-rewrite"].next_stage is not None


def test_a_merge_of_a_side_branch_extends(bureau: Bureau, monkeypatch: pytest.MonkeyPatch) -> None:
    path = bureau.draft("2026-11-side")
    prev = chain_until(bureau, path, 1)
    cached_and_rebuilt(bureau, monkeypatch)
    bureau.git("switch", "-q", "-c", "side")
    record(bureau, "secrecy_a", "approve", path, stage="secrecy_office", prev=prev)
    bureau.git("switch", "-q", "main")
    bureau.ok("ah_info", "submit", bureau.draft("2026-11-main", unit="anhai"))
    bureau.git("merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "Merge side", "side")
    history = cached_and_rebuilt(bureau, monkeypatch)
    assert history.source == "extended"
    assert history.states["2026-11-side"].next_stage is not None
    assert history.states["2026-11-side"].next_stage.value == "deputy"


def test_an_unauthorised_roster_change_is_reported_once(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (bureau.root / "policies.yaml").read_text("utf-8").replace("version: 1", "version: 2")
    commit_file(bureau, None, "policies.yaml", text + "\n# changed without a signature\n", "x")
    for n in range(3):
        bureau.write(f"notes-{n}.txt", "一些说明\n")
        bureau.git("add", ".")
        bureau.git("commit", "-q", "--no-gpg-sign", "-m", f"Notes {n}")
        history = cached_and_rebuilt(bureau, monkeypatch)
    assert sorted(v.code for v in history.violations) == ["P002", "P006"]
    assert history.policy.version == 1  # the untrusted version does not take effect


def test_a_damaged_or_foreign_cache_is_ignored(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bureau.draft("2026-11-damaged")
    bureau.full_chain(path)
    cached_and_rebuilt(bureau, monkeypatch)
    store = Path(bureau.git("rev-parse", "--absolute-git-dir")) / "fzjj" / f"cache-v{FORMAT}.sqlite"

    def damage_meta(value: bytes) -> None:
        with sqlite3.connect(store) as db:
            db.execute("UPDATE meta SET v = ? WHERE k = 'snapshot'", (value,))

    def damage_files(value: bytes) -> None:
        # the file part is read lazily: a part that is not the one written with the
        # snapshot (its digest differs) must not be used
        with sqlite3.connect(store) as db:
            db.execute("UPDATE meta SET v = ? WHERE k = 'snapshot_files'", (value,))

    def foreign_stamp() -> None:
        with sqlite3.connect(store) as db:
            db.execute("UPDATE meta SET v = ? WHERE k = 'stamp'", (b"\x00not a stamp",))

    def truncate() -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)
        store.write_bytes(b"SQLite format 3\x00" + b"\xff" * 100)

    damages = (
        lambda: damage_meta(b"not marshal"),
        lambda: damage_files(marshal.dumps({"files": {}, "ids": {}, "errors": {}})),
        lambda: damage_files(b"not marshal"),
        foreign_stamp,
        truncate,
    )
    for damage in damages:
        damage()
        history = cached_and_rebuilt(bureau, monkeypatch)
        assert history.source == "rebuilt"
        assert history.states["2026-11-damaged"].phase.value == "approved"
        assert load(open_repo(bureau.root)).source == "snapshot"  # and the cache works again


def test_a_read_only_cache_folder_leaves_fzjj_working(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path(bureau.git("rev-parse", "--absolute-git-dir")) / "fzjj"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        path = bureau.draft("2026-11-readonly")
        bureau.ok("qy_info", "submit", path)
        history = cached_and_rebuilt(bureau, monkeypatch)
        assert history.states["2026-11-readonly"].next_stage is not None
    finally:
        folder.chmod(0o700)


def test_another_trust_root_does_not_reuse_the_snapshot(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    genesis = bureau.head()
    path = bureau.draft("2026-11-root")
    bureau.ok("qy_info", "submit", path)
    repo = open_repo(bureau.root)
    assert load(repo).source in ("rebuilt", "extended")
    assert load(repo).source == "snapshot"
    assert load(repo, trust_root=genesis).source == "rebuilt"
    assert load(repo).source == "rebuilt"  # the snapshot now belongs to the other root


def test_verifying_on_every_core_gives_the_same_verdicts(
    bureau: Bureau, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run over a long history verifies signatures in worker processes; here the
    threshold is lowered so a short real history takes that path too."""
    from fzjj import history

    path = bureau.draft("2026-11-parallel")
    bureau.full_chain(path)
    record(bureau, None, "publish", path, prev=bureau.head(), url="https://mp.weixin.qq.com/s/x")
    monkeypatch.setattr(history, "_PARALLEL_FROM", 1)
    monkeypatch.setattr(history, "_CHUNK", 2)
    calls: list[int] = []
    real = history._verify_in_parallel

    def counted(commits: list) -> dict:
        calls.append(len(commits))
        return real(commits)

    monkeypatch.setattr(history, "_verify_in_parallel", counted)
    parallel = cached_and_rebuilt(bureau, monkeypatch)  # its rebuild verifies in workers
    assert calls and calls[-1] == 6
    state = parallel.states["2026-11-parallel"]
    assert [r.valid for r in state.history] == [True] * 5 + [False]  # the unsigned publish
    assert state.violations[0].code == "R001"
