"""Helpers shared by the check, pull-request and hook tests: hand-made record commits (the
situations fzjj's own commands refuse to create), and running `fzjj check` in-process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import typer
from typer.testing import CliRunner

from conftest import Bureau, pubkey
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
    committed_text: str | None = None,
) -> str:
    """Commit a record by hand: signed by `person` (unsigned when None); returns the id.

    `committed_text` replaces the file after its digest went into the trailers, so the
    commit holds other content than the record names.
    """
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
    if committed_text is not None:
        b.write(path, committed_text)
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


# ---- situations -------------------------------------------------------------------------------
#
# Each builds one violation kind on top of the genesis roster with real git and real keys and
# returns (base, codes): base is the last good commit (what the protected branch held before
# the pull request or push), codes the codes the full check, the pull-request check of
# base..HEAD and the server hook must all report. HEAD is main's tip.


Case = tuple[str, tuple[str, ...]]
PUBLISH_URL = "https://mp.weixin.qq.com/s/x"


def chain_until(b: Bureau, path: str, stages: int) -> str:
    """Submit (by fzjj) and approve `stages` stages; returns the last record id."""
    b.ok("qy_info", "submit", path)
    for person in ("qy_head", "secrecy_a", "deputy", "principal")[:stages]:
        b.ok(person, "approve", path, "--opinion", "同意。")
    return b.head()


def change_roster(b: Bureau, person: str | None, edit: Callable[[str], str], msg: str) -> str:
    """Commit an edited policies.yaml (signed by `person`, unsigned when None)."""
    text = edit((b.root / "policies.yaml").read_text("utf-8"))
    return commit_file(b, person, "policies.yaml", text, msg)


def bump(text: str, version: int = 2) -> str:
    return text.replace("version: 1", f"version: {version}", 1)


def s_policy_unparseable(b: Bureau) -> Case:
    base = b.head()
    change_roster(b, "admin", lambda t: bump(t) + "foo: bar\n", "roster typo")
    return base, ("P001", "G001", "P006")


def s_policy_unsigned(b: Bureau) -> Case:
    base = b.head()
    change_roster(b, None, lambda t: bump(t).replace("head: qy_head", "head: qy_info"), "web edit")
    return base, ("P002", "P006")


def s_roster_self_grant(b: Bureau) -> Case:
    path = b.draft("2026-11-selfgrant")
    prev = chain_until(b, path, 0)
    change_roster(
        b, "ah_info", lambda t: bump(t).replace("head: qy_head", "head: ah_info"), "me, head"
    )
    record(b, "ah_info", "approve", path, stage="unit_head", prev=prev)
    return prev, ("P003", "R020", "P006")


def s_policy_version_kept(b: Bureau) -> Case:
    base = b.head()
    change_roster(b, "admin", lambda t: t + "\n# 只加了注释\n", "same version")
    return base, ("P004", "P006")


def s_policy_deleted(b: Bureau) -> Case:
    base = b.head()
    b.sign_as("qy_info")
    b.git("rm", "-q", "policies.yaml")
    b.git("commit", "-q", "-S", "-m", "remove the roster")
    return base, ("P005",)


def s_bad_front_matter(b: Bureau) -> Case:
    base = b.head()
    commit_file(b, "qy_info", "content/2026/11/broken.md", "没有 front-matter 的稿件\n", "draft")
    return base, ("D001",)


def s_duplicate_id(b: Bureau) -> Case:
    base = b.head()
    first = b.draft("2026-11-twin-a", draft_id="2026-11-same")
    second = b.draft("2026-11-twin-b", draft_id="2026-11-same")
    b.git("add", first, second)
    b.sign_as("qy_info")
    b.git("commit", "-q", "-S", "-m", "two drafts")
    return base, ("D002",)


def s_unknown_unit(b: Bureau) -> Case:
    base = b.head()
    path = b.draft("2026-11-nounit", unit="nowhere")
    commit_file(b, "qy_info", path, (b.root / path).read_text("utf-8"), "draft")
    return base, ("D003",)


def s_publish_without_chain(b: Bureau) -> Case:
    path = b.draft("2026-11-nochain")
    prev = chain_until(b, path, 2)
    record(b, "operator", "publish", path, prev=prev, url=PUBLISH_URL)
    return prev, ("R001",)


def s_edited_then_published(b: Bureau) -> Case:
    path = b.draft("2026-11-edited")
    prev = chain_until(b, path, 4)
    b.draft("2026-11-edited", body="审批后偷偷改过的正文。\n")
    record(b, "operator", "publish", path, prev=prev, url=PUBLISH_URL)
    return prev, ("R001", "R027")


def s_publication_unsigned(b: Bureau) -> Case:
    path = b.draft("2026-11-pubunsigned")
    prev = chain_until(b, path, 4)
    record(b, None, "publish", path, prev=prev, url=PUBLISH_URL)
    return prev, ("R001", "R010")


def s_published_by_non_operator(b: Bureau) -> Case:
    path = b.draft("2026-11-pubinfo")
    prev = chain_until(b, path, 4)
    record(b, "qy_info", "publish", path, prev=prev, url=PUBLISH_URL)
    return prev, ("R001", "R032")


def s_changed_after_publication(b: Bureau) -> Case:
    path = b.draft("2026-11-afterpub")
    prev = chain_until(b, path, 4)
    b.ok("operator", "publish", path, "--url", PUBLISH_URL)
    text = (b.root / path).read_text("utf-8").replace("活动", "活动（已更正）")
    commit_file(b, "qy_info", path, text, "typo after publishing")
    return prev, ("R003",)


def s_unsigned_record(b: Bureau) -> Case:
    base = b.head()
    record(b, None, "submit", b.draft("2026-11-unsigned"))
    return base, ("R010",)


def s_bad_signature(b: Bureau) -> Case:
    base = b.head()
    record(b, "qy_info", "submit", b.draft("2026-11-tampered"))
    raw = b.git("cat-file", "commit", "HEAD") + "\n"
    forged = raw.replace("Fzjj-Opinion: 同意。", "Fzjj-Opinion: 同意！")
    proc = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=b.root,
        input=forged.encode("utf-8"),
        capture_output=True,
        check=True,
    )
    b.git("update-ref", "refs/heads/main", proc.stdout.decode().strip())
    return base, ("R011",)


def s_unknown_key(b: Bureau) -> Case:
    base = b.head()
    record(b, "stranger", "submit", b.draft("2026-11-stranger"))
    return base, ("R012",)


def s_compromised_key(b: Bureau) -> Case:
    old, new = pubkey(b.keys["qy_head"]), pubkey(b.keys["spare"])

    def edit(text: str) -> str:
        return bump(text).replace(
            f'ssh_keys: ["{old}"]', f'ssh_keys: ["{new}"]\n    compromised_keys: ["{old}"]'
        )

    change_roster(b, "admin", edit, "qy_head's key leaked")
    path = b.draft("2026-11-leaked")
    prev = chain_until(b, path, 0)
    record(b, "qy_head", "approve", path, stage="unit_head", prev=prev)  # the leaked key
    return prev, ("R013",)


def s_wrong_role(b: Bureau) -> Case:
    path = b.draft("2026-11-wrongrole")
    prev = chain_until(b, path, 0)
    record(b, "ah_head", "approve", path, stage="unit_head", prev=prev)
    return prev, ("R020",)


def join_secrecy_office(b: Bureau, person: str) -> None:
    """A roster change by the admin: `person` replaces secrecy_a in the secrecy office."""
    change_roster(
        b,
        "admin",
        lambda t: bump(t).replace("secrecy_office: [secrecy_a,", f"secrecy_office: [{person},"),
        f"{person} joins the secrecy office",
    )


def s_self_approval(b: Bureau) -> Case:
    join_secrecy_office(b, "operator")
    path = b.draft("2026-11-interview", kind="interview")
    b.ok("operator", "submit", path)
    b.ok("qy_head", "approve", path)
    prev = b.head()
    record(b, "operator", "approve", path, stage="secrecy_office", prev=prev)
    return prev, ("R021",)


def s_two_stages_one_person(b: Bureau) -> Case:
    join_secrecy_office(b, "deputy")
    path = b.draft("2026-11-twostages")
    b.ok("qy_info", "submit", path)
    b.ok("qy_head", "approve", path)
    prev = record(b, "deputy", "approve", path, stage="secrecy_office", prev=b.head())
    record(b, "deputy", "approve", path, stage="deputy", prev=prev)
    return prev, ("R022",)


def s_out_of_order(b: Bureau) -> Case:
    path = b.draft("2026-11-order")
    prev = chain_until(b, path, 1)
    record(b, "deputy", "approve", path, stage="deputy", prev=prev)
    return prev, ("R023",)


def s_duplicate_stage(b: Bureau) -> Case:
    path = b.draft("2026-11-dupstage")
    prev = chain_until(b, path, 1)
    record(b, "qy_head", "approve", path, stage="unit_head", prev=prev)
    return prev, ("R024",)


def s_not_submitted(b: Bureau) -> Case:
    base = b.head()
    path = b.draft("2026-11-nosubmit")
    record(b, "qy_head", "approve", path, stage="unit_head", prev=base)
    return base, ("R025",)


def s_wrong_prev(b: Bureau) -> Case:
    other = b.draft("2026-11-other")
    elsewhere = chain_until(b, other, 1)
    path = b.draft("2026-11-wrongprev")
    prev = chain_until(b, path, 0)
    record(b, "qy_head", "approve", path, stage="unit_head", prev=elsewhere)
    return prev, ("R026",)


def s_other_content(b: Bureau) -> Case:
    path = b.draft("2026-11-changed")
    prev = chain_until(b, path, 1)
    b.draft("2026-11-changed", body="复核前改过的正文。\n")
    record(b, "secrecy_a", "approve", path, stage="secrecy_office", prev=prev)
    return prev, ("R027",)


def s_blob_mismatch(b: Bureau) -> Case:
    path = b.draft("2026-11-blob")
    prev = chain_until(b, path, 0)
    text = (b.root / path).read_text("utf-8")
    record(
        b, "qy_head", "approve", path, stage="unit_head", prev=prev, committed_text=text + "附言\n"
    )
    return prev, ("R028",)


def s_malformed_record(b: Bureau) -> Case:
    base = b.head()
    b.sign_as("qy_head")
    b.git("commit", "-q", "--allow-empty", "-S", "-m", "approve\n\nFzjj-Action: approve\n")
    return base, ("R029",)


def s_not_allowed_to_submit(b: Bureau) -> Case:
    base = b.head()
    record(b, "ah_info", "submit", b.draft("2026-11-notmine"))
    return base, ("R031",)


def s_changed_after_submission(b: Bureau) -> Case:
    path = b.draft("2026-11-aftersubmit")
    prev = chain_until(b, path, 0)
    b.ok("qy_head", "approve", path)
    text = (b.root / path).read_text("utf-8").replace("活动", "活动（补充）")
    commit_file(b, "qy_info", path, text, "edit during review")
    return prev, ("R040",)


def s_competing_record_on_base(b: Bureau) -> Case:
    """A pull request approves a stage that the base branch had signed meanwhile: merged,
    both records name the same previous record, and only the first one can count."""
    path = b.draft("2026-11-race")
    chain_until(b, path, 1)
    b.git("switch", "-q", "-c", "side")
    b.ok("secrecy_b", "approve", path, "--opinion", "可以发布。")
    b.git("switch", "-q", "main")
    b.ok("secrecy_a", "approve", path)
    base = b.head()
    b.git("merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "Merge side", "side")
    return base, ("R026",)


def s_squash_by_host(b: Bureau) -> Case:
    path = b.draft("2026-11-squash")
    prev = chain_until(b, path, 0)
    b.git("switch", "-q", "-c", "side")
    b.ok("qy_head", "approve", path)
    b.ok("secrecy_a", "approve", path)
    messages = b.git("log", "--format=* %B", f"{prev}..side")
    b.git("switch", "-q", "main")
    b.git("merge", "-q", "--squash", "side")
    env = {"GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com"}
    b.git(
        "commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", "审核 (#3)\n\n" + messages, env=env
    )
    return prev, ("G010",)


def s_squash_locally(b: Bureau) -> Case:
    """`git merge --squash` made and signed by a registered person, not the host."""
    path = b.draft("2026-11-localsquash")
    prev = chain_until(b, path, 0)
    b.git("switch", "-q", "-c", "side")
    b.ok("qy_head", "approve", path)
    b.ok("secrecy_a", "approve", path)
    b.git("switch", "-q", "main")
    b.git("merge", "-q", "--squash", "side")
    b.sign_as("qy_info")
    b.git("commit", "-q", "--allow-empty", "-S", "--no-edit")
    return prev, ("G010",)


def _approvals_on_side(b: Bureau, slug: str) -> tuple[str, str]:
    """Two approvals on branch `side`; main gains another record meanwhile."""
    path = b.draft(slug)
    prev = chain_until(b, path, 0)
    b.git("switch", "-q", "-c", "side")
    b.ok("qy_head", "approve", path)
    b.ok("secrecy_a", "approve", path)
    b.git("switch", "-q", "main")
    b.ok("ah_info", "submit", b.draft(slug + "-other", unit="anhai"))
    return prev, b.head()


def s_cherry_picked(b: Bureau) -> Case:
    _, base = _approvals_on_side(b, "2026-11-picked")
    b.git("-c", "user.name=qy_info", "cherry-pick", "--allow-empty", "--no-gpg-sign", "main..side")
    return base, ("G011",)


def s_rebased_unsigned(b: Bureau) -> Case:
    """`git rebase` re-creates the records without signatures; main fast-forwards to them."""
    _, base = _approvals_on_side(b, "2026-11-rebased")
    b.git("-c", "commit.gpgsign=false", "rebase", "-q", "main", "side")
    b.git("switch", "-q", "main")
    b.git("merge", "-q", "--ff-only", "side")
    return base, ("G011", "R010")


def s_rebased_resigned(b: Bureau) -> Case:
    """`git rebase` with signing on: each record is re-signed by whoever rebased."""
    _, base = _approvals_on_side(b, "2026-11-resigned")
    b.sign_as("deputy")
    b.git("-c", "commit.gpgsign=true", "rebase", "-q", "main", "side")
    b.git("switch", "-q", "main")
    b.git("merge", "-q", "--ff-only", "side")
    return base, ("G011", "R020")


def _one_approval_on_side(b: Bureau, slug: str) -> tuple[str, str]:
    """A pull request with a single record (the unit head's approval) on branch `side`;
    main gains another record meanwhile. Returns (the approval, main's tip)."""
    path = b.draft(slug)
    chain_until(b, path, 0)
    b.git("switch", "-q", "-c", "side")
    b.ok("qy_head", "approve", path)
    approval = b.head()
    b.git("switch", "-q", "main")
    b.ok("ah_info", "submit", b.draft(slug + "-other", unit="anhai"))
    return approval, b.head()


def an_hour_after(b: Bureau, commit: str) -> str:
    """A committer date (git's internal format) an hour after `commit`'s author date."""
    return f"{int(b.git('log', '-1', '--format=%at', commit)) + 3600} +0800"


def rebase_and_merge(
    b: Bureau, committer: tuple[str, str], when: str, *, signing_key: str | None = None
) -> None:
    """What a host's "rebase and merge" does: re-create side's commits on main as
    `committer` at `when` (unsigned, or signed with the host's own key), then fast-forward."""
    env = {
        "GIT_COMMITTER_NAME": committer[0],
        "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_COMMITTER_DATE": when,
    }
    sign = ["-c", "commit.gpgsign=false"]
    if signing_key:
        sign = ["-c", "commit.gpgsign=true", "-c", f"user.signingkey={signing_key}"]
    b.git(*sign, "rebase", "-q", "main", "side", env=env)
    b.git("switch", "-q", "main")
    b.git("merge", "-q", "--ff-only", "side")


def s_rebased_first_record(b: Bureau) -> Case:
    """A host's "rebase and merge" (GitLab, Gitea) of a pull request holding one record: the
    record is re-created unsigned by whoever pressed the button, and its Fzjj-Prev still
    names the submission, which exists."""
    approval, base = _one_approval_on_side(b, "2026-11-hostrebase")
    rebase_and_merge(b, ("周宣", "zhouxuan@bureau.example"), an_hour_after(b, approval))
    return base, ("G011", "R010")


def s_rebased_by_host_key(b: Bureau) -> Case:
    """As above, but the host signs the re-created commit with its own key (not in the
    roster) and commits as itself."""
    approval, base = _one_approval_on_side(b, "2026-11-hostkey")
    host = ("Gitea", "gitea@git.bureau.example")
    rebase_and_merge(b, host, an_hour_after(b, approval), signing_key=str(b.keys["stranger"]))
    return base, ("G011", "R012")


def s_rebased_by_signer_unsigned(b: Bureau) -> Case:
    """The approver rebases their own one-record branch an hour later without signing: the
    same identity, only the committer date says the record was made again."""
    approval, base = _one_approval_on_side(b, "2026-11-selfrebase")
    rebase_and_merge(b, ("qy_head", "qy_head@example.org"), an_hour_after(b, approval))
    return base, ("G011", "R010")


def s_squash_one_record_locally(b: Bureau) -> Case:
    """`git merge --squash` of a branch holding one record, committed with git's own squash
    message and signed by a registered person: the record's trailers are indented, so the
    commit is no record at all."""
    path = b.draft("2026-11-squashone")
    prev = chain_until(b, path, 0)
    b.git("switch", "-q", "-c", "side")
    b.ok("qy_head", "approve", path)
    b.git("switch", "-q", "main")
    b.git("merge", "-q", "--squash", "side")
    b.sign_as("qy_head")
    b.git("commit", "-q", "--allow-empty", "-S", "--no-edit")
    return prev, ("G010",)


def s_content_rules(b: Bureau) -> Case:
    base = b.head()
    body = "绝密★10年\n\n咨询电话 13812345678。\n"
    record(b, "qy_info", "submit", b.draft("2026-11-content", body=body))
    source = (
        "source:\n  name: 某网站\n  title: 原文\n  url: https://example.com/a\n  type: 普法案例\n"
    )
    record(b, "operator", "submit", b.draft("2026-11-forward", kind="forward", extra=source))
    text = (b.root / "content/2026/11/2026-11-content.md").read_text("utf-8")
    path = b.write(
        "content/2026/11/2026-11-category.md", text.replace("2026-11-content", "2026-11-category")
    )
    text = (b.root / path).read_text("utf-8").replace("党务政务宣传", "体育新闻")
    commit_file(b, "qy_info", path, text, "a draft in an unknown category")
    return base, ("L101", "L104", "C105", "C101")


SITUATIONS: dict[str, Callable[[Bureau], Case]] = {
    "policy-unparseable": s_policy_unparseable,
    "policy-unsigned": s_policy_unsigned,
    "roster-self-grant": s_roster_self_grant,
    "policy-version-kept": s_policy_version_kept,
    "policy-deleted": s_policy_deleted,
    "bad-front-matter": s_bad_front_matter,
    "duplicate-id": s_duplicate_id,
    "unknown-unit": s_unknown_unit,
    "publish-without-chain": s_publish_without_chain,
    "edited-then-published": s_edited_then_published,
    "publication-unsigned": s_publication_unsigned,
    "published-by-non-operator": s_published_by_non_operator,
    "changed-after-publication": s_changed_after_publication,
    "unsigned-record": s_unsigned_record,
    "bad-signature": s_bad_signature,
    "unknown-key": s_unknown_key,
    "compromised-key": s_compromised_key,
    "wrong-role": s_wrong_role,
    "self-approval": s_self_approval,
    "two-stages-one-person": s_two_stages_one_person,
    "out-of-order": s_out_of_order,
    "duplicate-stage": s_duplicate_stage,
    "not-submitted": s_not_submitted,
    "wrong-prev": s_wrong_prev,
    "other-content": s_other_content,
    "blob-mismatch": s_blob_mismatch,
    "malformed-record": s_malformed_record,
    "not-allowed-to-submit": s_not_allowed_to_submit,
    "changed-after-submission": s_changed_after_submission,
    "competing-record-on-base": s_competing_record_on_base,
    "squash-by-host": s_squash_by_host,
    "squash-locally": s_squash_locally,
    "cherry-picked": s_cherry_picked,
    "rebased-unsigned": s_rebased_unsigned,
    "rebased-resigned": s_rebased_resigned,
    "rebased-first-record": s_rebased_first_record,
    "rebased-by-host-key": s_rebased_by_host_key,
    "rebased-by-signer-unsigned": s_rebased_by_signer_unsigned,
    "squash-one-record-locally": s_squash_one_record_locally,
    "content-rules": s_content_rules,
}

# Codes that only the server hook can report: they are about a push, not a history.
HOOK_ONLY = {"G020", "G021", "G022"}
# Warnings: reported in every mode, but they do not fail the check or refuse the push.
WARNINGS = {"R003", "R040"}


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
