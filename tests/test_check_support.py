"""Helpers shared by the check, pull-request and hook tests: hand-made record commits (the
situations fzjj's own commands refuse to create), and running `fzjj check` in-process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import typer
from typer.testing import CliRunner

from conftest import Bureau
from fzjj.cli import check_cmds
from fzjj.model import Action, Stage
from fzjj.records import RecordFields, format_message


def check_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """test root"""

    check_cmds.register(app)
    return app


def fzjj_check(b: Bureau, *args: str) -> tuple[int, str, str]:
    """Run `fzjj check <args>` in the bureau's repository: (exit code, stdout, stderr)."""
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(b.root)
    try:
        result = runner.invoke(check_app(), ["check", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def check_json(b: Bureau, *args: str) -> tuple[int, dict]:
    code, out, err = fzjj_check(b, "--format", "json", *args)
    assert code in (0, 1), (code, out, err)
    return code, json.loads(out)


def codes(doc: dict) -> list[str]:
    return [v["code"] for v in doc["violations"]]


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def last_record(b: Bureau) -> str:
    return b.git("log", "-1", "--format=%H", "--grep=Fzjj-Action:")


def record(
    b: Bureau,
    person: str | None,
    action: str,
    path: str,
    *,
    stage: str | None = None,
    prev: str | None = None,
    url: str | None = None,
    committer: tuple[str, str] | None = None,
    extra_message: str = "",
) -> str:
    """Commit a record by hand: signed by `person` (unsigned when None); returns the id."""
    data = (b.root / path).read_bytes()
    draft_id = path.rsplit("/", 1)[1].removesuffix(".md")
    fields = RecordFields(
        action=Action(action),
        draft_id=draft_id,
        path=path,
        digest=hashlib.sha256(data).hexdigest(),
        blob=blob_id(data),
        policy_version=1,
        stage=Stage(stage) if stage else None,
        prev=prev,
        opinion="同意。",
        url=url,
    )
    message = extra_message + format_message(fields)
    env = {}
    if committer:
        env = {"GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1]}
    b.git("add", path)
    if person:
        b.sign_as(person)
        b.git("commit", "-q", "--allow-empty", "-S", "-m", message, env=env)
    else:
        b.git("commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", message, env=env)
    return b.head()


def commit_file(b: Bureau, person: str | None, rel: str, text: str, message: str) -> str:
    b.write(rel, text)
    b.git("add", rel)
    if person:
        b.sign_as(person)
        b.git("commit", "-q", "-S", "-m", message)
    else:
        b.git("commit", "-q", "--no-gpg-sign", "-m", message)
    return b.head()


def bare_remote(b: Bureau, tmp: Path) -> Path:
    """A bare repository holding the bureau's main branch, with the fzjj hook installed."""
    bare = tmp / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    return bare


def push(b: Bureau, url: str, *refspec: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "push", "--porcelain", url, *refspec],
        cwd=b.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )


def test_helper_record_is_a_valid_submit(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-helper")
    record(bureau, "qy_info", "submit", path)
    code, doc = check_json(bureau)
    assert code == 0 and codes(doc) == []
    assert doc["counts"]["drafts"] == 1


# ---- situations: each returns (base, expected code); base = the last good commit ------------


def chain_until(b: Bureau, path: str, stages: int) -> str:
    """Submit (by fzjj) and approve `stages` stages; returns the last record id."""
    b.ok("qy_info", "submit", path)
    for person in ("qy_head", "secrecy_a", "deputy", "principal")[:stages]:
        b.ok(person, "approve", path, "--opinion", "同意。")
    return b.head()


def s_unsigned_record(b: Bureau) -> tuple[str, str]:
    base = b.head()
    record(b, None, "submit", b.draft("2026-11-unsigned"))
    return base, "R010"


def s_unknown_key(b: Bureau) -> tuple[str, str]:
    base = b.head()
    record(b, "stranger", "submit", b.draft("2026-11-stranger"))
    return base, "R012"


def s_wrong_role(b: Bureau) -> tuple[str, str]:
    path = b.draft("2026-11-wrongrole")
    prev = chain_until(b, path, 0)
    record(b, "ah_head", "approve", path, stage="unit_head", prev=prev)
    return prev, "R020"


def s_publish_without_chain(b: Bureau) -> tuple[str, str]:
    path = b.draft("2026-11-nochain")
    prev = chain_until(b, path, 2)
    record(b, "operator", "publish", path, prev=prev, url="https://mp.weixin.qq.com/s/x")
    return prev, "R001"


def s_edited_then_published(b: Bureau) -> tuple[str, str]:
    path = b.draft("2026-11-edited")
    prev = chain_until(b, path, 4)
    b.draft("2026-11-edited", body="审批后偷偷改过的正文。\n")
    record(b, "operator", "publish", path, prev=prev, url="https://mp.weixin.qq.com/s/y")
    return prev, "R001"


def s_roster_self_grant(b: Bureau) -> tuple[str, str]:
    path = b.draft("2026-11-selfgrant")
    prev = chain_until(b, path, 0)
    text = (b.root / "policies.yaml").read_text("utf-8")
    text = text.replace("version: 1", "version: 2").replace("head: qy_head", "head: ah_info")
    commit_file(b, "ah_info", "policies.yaml", text, "Make me the head of qingyang")
    record(b, "ah_info", "approve", path, stage="unit_head", prev=prev)
    return prev, "P003"


def s_squash(b: Bureau) -> tuple[str, str]:
    path = b.draft("2026-11-squash")
    prev = chain_until(b, path, 0)
    b.git("branch", "-f", "side")
    b.git("switch", "-q", "side")
    b.ok("qy_head", "approve", path)
    b.ok("secrecy_a", "approve", path)
    messages = b.git("log", "--format=* %B", f"{prev}..side")
    b.git("switch", "-q", "main")
    b.git("merge", "-q", "--squash", "side")
    env = {"GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com"}
    b.git(
        "commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", "审核 (#3)\n\n" + messages, env=env
    )
    return prev, "G010"


def s_rebase(b: Bureau) -> tuple[str, str]:
    path = b.draft("2026-11-rebase")
    prev = chain_until(b, path, 0)
    b.git("switch", "-q", "-c", "side")
    b.ok("qy_head", "approve", path)
    b.ok("secrecy_a", "approve", path)
    b.git("switch", "-q", "main")
    b.git(
        "-c",
        "user.name=qy_info",
        "cherry-pick",
        "--allow-empty",
        "--no-gpg-sign",
        "main..side",
    )
    return prev, "G011"


def s_bad_front_matter(b: Bureau) -> tuple[str, str]:
    base = b.head()
    commit_file(b, "qy_info", "content/2026/11/broken.md", "没有 front-matter 的稿件\n", "draft")
    return base, "D001"


def s_unknown_unit(b: Bureau) -> tuple[str, str]:
    base = b.head()
    path = b.draft("2026-11-nounit", unit="nowhere")
    commit_file(b, "qy_info", path, (b.root / path).read_text("utf-8"), "draft")
    return base, "D003"


def s_phone_number(b: Bureau) -> tuple[str, str]:
    base = b.head()
    path = b.draft("2026-11-phone", body="咨询电话 13812345678，欢迎来电。\n")
    record(b, "qy_info", "submit", path)
    return base, "L104"


def s_policy_deleted(b: Bureau) -> tuple[str, str]:
    base = b.head()
    b.sign_as("qy_info")
    b.git("rm", "-q", "policies.yaml")
    b.git("commit", "-q", "-S", "-m", "remove the roster")
    return base, "P005"


SITUATIONS = {
    "unsigned-record": s_unsigned_record,
    "unknown-key": s_unknown_key,
    "wrong-role": s_wrong_role,
    "publish-without-chain": s_publish_without_chain,
    "edited-then-published": s_edited_then_published,
    "roster-self-grant": s_roster_self_grant,
    "squash-merge": s_squash,
    "rebase-merge": s_rebase,
    "bad-front-matter": s_bad_front_matter,
    "unknown-unit": s_unknown_unit,
    "phone-number": s_phone_number,
    "policy-deleted": s_policy_deleted,
}


def s_clean(b: Bureau) -> str:
    """A clean history: a full chain and a publication, a draft in review, a rejection."""
    base = b.head()
    path = b.draft("2026-11-clean-01")
    chain_until(b, path, 4)
    b.ok("operator", "publish", path, "--url", "https://mp.weixin.qq.com/s/clean")
    other = b.draft("2026-11-clean-02", unit="anhai")
    b.ok("ah_info", "submit", other)
    b.ok("ah_head", "reject", other, "--opinion", "请补充活动时间。")
    b.draft("2026-11-clean-02", unit="anhai", body="补充：11 月 3 日上午。\n")
    b.ok("ah_info", "submit", other)
    b.ok("ah_head", "approve", other)
    return base
