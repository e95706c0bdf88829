"""The pre-receive hook with real `git push` to a real bare repository over file://."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import Bureau
from fzjj.hook import HOOK_MARKER
from test_check_support import SITUATIONS, check_app, push, s_clean


def install(bare: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(check_app(), ["hook", "install", str(bare), *extra])
    return result.exit_code, result.stdout, result.stderr


def make_server(tmp: Path) -> Path:
    bare = tmp / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    code, out, err = install(bare)
    assert code == 0, (out, err)
    return bare


def server_head(bare: Path, ref: str = "refs/heads/main") -> str | None:
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", ref],
        cwd=bare,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or None


@pytest.fixture
def server(tmp_path: Path) -> Path:
    return make_server(tmp_path)


def test_clean_push_is_accepted(bureau: Bureau, server: Path) -> None:
    base = bureau.head()
    assert push(bureau, server.as_uri(), "main").returncode == 0
    s_clean(bureau)
    proc = push(bureau, server.as_uri(), "main")
    assert proc.returncode == 0, proc.stderr
    assert server_head(server) == bureau.head() != base


def test_first_push_gets_the_full_check(bureau: Bureau, server: Path) -> None:
    SITUATIONS["unsigned-record"](bureau)
    proc = push(bureau, server.as_uri(), "main")
    assert proc.returncode != 0
    assert "R010" in proc.stderr
    assert server_head(server) is None


def test_force_push_is_refused(bureau: Bureau, server: Path) -> None:
    s_clean(bureau)
    assert push(bureau, server.as_uri(), "main").returncode == 0
    pushed = bureau.head()
    bureau.git("reset", "-q", "--hard", "HEAD~2")
    bureau.ok("qy_info", "submit", bureau.draft("2026-11-rewrite"))
    proc = push(bureau, server.as_uri(), "+main")
    assert proc.returncode != 0
    assert "G020" in proc.stderr and "改写" in proc.stderr
    assert server_head(server) == pushed


def test_branch_deletion_is_refused(bureau: Bureau, server: Path) -> None:
    assert push(bureau, server.as_uri(), "main").returncode == 0
    proc = push(bureau, server.as_uri(), ":main")
    assert proc.returncode != 0
    assert "G021" in proc.stderr
    assert server_head(server) == bureau.head()


def test_other_branches_are_allowed_unless_configured(bureau: Bureau, server: Path) -> None:
    assert push(bureau, server.as_uri(), "main").returncode == 0
    bureau.git("switch", "-q", "-c", "work")
    SITUATIONS["unsigned-record"](bureau)
    assert push(bureau, server.as_uri(), "work").returncode == 0
    subprocess.run(["git", "config", "fzjj.otherBranches", "check"], cwd=server, check=True)
    SITUATIONS["unknown-key"](bureau)
    proc = push(bureau, server.as_uri(), "work")
    assert proc.returncode != 0 and "R012" in proc.stderr
    subprocess.run(["git", "config", "fzjj.otherBranches", "refuse"], cwd=server, check=True)
    proc = push(bureau, server.as_uri(), "work:refs/heads/other")
    assert proc.returncode != 0 and "G022" in proc.stderr


def test_protected_branch_is_configurable(bureau: Bureau, server: Path) -> None:
    subprocess.run(["git", "config", "fzjj.protectedBranch", "release"], cwd=server, check=True)
    SITUATIONS["unsigned-record"](bureau)
    assert push(bureau, server.as_uri(), "main").returncode == 0
    proc = push(bureau, server.as_uri(), "main:release")
    assert proc.returncode != 0 and "R010" in proc.stderr


def test_roster_self_grant_push_is_refused(bureau: Bureau, server: Path) -> None:
    base, _ = SITUATIONS["roster-self-grant"](bureau)
    assert push(bureau, server.as_uri(), f"{base}:refs/heads/main").returncode == 0
    proc = push(bureau, server.as_uri(), "main")
    assert proc.returncode != 0
    assert "P003" in proc.stderr and "R020" in proc.stderr


def test_install_writes_an_executable_script(server: Path) -> None:
    hook = server / "hooks" / "pre-receive"
    text = hook.read_text("utf-8")
    assert HOOK_MARKER in text and "-m fzjj hook pre-receive" in text
    assert os.path.realpath(text.split("exec ", 1)[1].split(" ", 1)[0].strip("'"))
    assert hook.stat().st_mode & stat.S_IXUSR
    code, _, _ = install(server)  # the same hook again: fine
    assert code == 0


def test_install_refuses_to_replace_another_hook(tmp_path: Path) -> None:
    bare = tmp_path / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho mine\n", "utf-8")
    code, _, err = install(bare)
    assert code == 4 and "--force" in err
    assert hook.read_text("utf-8") == "#!/bin/sh\necho mine\n"
    code, _, _ = install(bare, "--force")
    assert code == 0 and HOOK_MARKER in hook.read_text("utf-8")


def test_install_into_missing_folder_exits_2(tmp_path: Path) -> None:
    code, _, err = install(tmp_path / "nope.git")
    assert code == 2 and "不是目录" in err


def test_hook_fails_closed_when_the_check_cannot_run(bureau: Bureau, tmp_path: Path) -> None:
    """A protected branch whose tip holds no valid roster: the hook cannot judge the push,
    so it refuses it (exit 2) and says why."""
    bare = tmp_path / "plain.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    bureau.write("policies.yaml", "version: [\n")
    bureau.sign_as("admin")
    bureau.git("commit", "-qa", "-S", "-m", "broken roster")
    assert push(bureau, bare.as_uri(), "main").returncode == 0  # no hook yet
    code, _, _ = install(bare)
    assert code == 0
    bureau.ok("qy_info", "submit", bureau.draft("2026-11-after"))
    before = server_head(bare)
    proc = push(bureau, bare.as_uri(), "main")
    assert proc.returncode != 0
    assert "remote: fzjj：无法检查本次推送，已拒绝。" in proc.stderr
    assert "policies.yaml" in proc.stderr
    assert server_head(bare) == before


def test_publication_without_chain_is_shown_first(bureau: Bureau, server: Path) -> None:
    from test_check_support import chain_until, record

    assert push(bureau, server.as_uri(), "main").returncode == 0
    bureau.git("add", bureau.draft("2026-11-aaa", unit="nowhere"))
    bureau.git("commit", "-qm", "a draft of an unknown unit")
    path = bureau.draft("2026-11-zzz")
    prev = chain_until(bureau, path, 1)
    record(bureau, "operator", "publish", path, prev=prev, url="https://mp.weixin.qq.com/s/z")
    proc = push(bureau, server.as_uri(), "main")
    errors = [line for line in proc.stderr.splitlines() if line.startswith("remote: 错误 ")]
    assert errors[0].startswith("remote: 错误 R001 ") and any("D003" in e for e in errors)
