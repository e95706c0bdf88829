"""One test per threat of design.md that the review chain answers, with real keys and commits.

The same situations also run through `fzjj check`, the pull-request mode and the server hook
(test_check_support SITUATIONS); squash and rebase merges are there. Namespace, hash, key
type and signature-header tricks at the verifier are in test_sigverify; roster versions and
the trust anchor in test_roster; OpenPGP in test_chain_openpgp. Here each test asserts the
specific violation on the specific commit, and what the draft's state becomes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from conftest import Bureau
from fzjj.model import Action, Stage
from fzjj.records import RecordFields, format_message
from sigtools import cat_commit, insert_gpgsig, payload_of, sig_header, write_commit
from test_check_support import blob_id, chain_until, check_json, codes, commit_file

URL = "https://mp.weixin.qq.com/s/threat"


def state(b: Bureau, path: str) -> dict:
    code, out = b.act("admin", "status", path, "--json")
    assert code == 0, out
    return json.loads(out)[0]


def violation(b: Bureau, path: str, commit: str) -> dict:
    """The violation reported for `commit` in the draft's state (exactly one)."""
    found = [v for v in state(b, path)["violations"] if v["commit"] == commit]
    assert len(found) == 1, state(b, path)["violations"]
    return found[0]


def fields_for(b: Bureau, path: str, action: str, **over: object) -> RecordFields:
    data = (b.root / path).read_bytes()
    base = RecordFields(
        action=Action(action),
        draft_id=path.rsplit("/", 1)[1].removesuffix(".md"),
        path=path,
        digest=hashlib.sha256(data).hexdigest(),
        blob=blob_id(data),
        policy_version=1,
        opinion="同意。",
    )
    return dataclasses.replace(base, **over)  # type: ignore[arg-type]


def signed(b: Bureau, person: str, fields: RecordFields, env: dict[str, str] | None = None) -> str:
    """A record commit made by hand with plain `git commit -S` as `person`."""
    b.sign_as(person)
    b.git("commit", "-q", "--allow-empty", "-S", "-m", format_message(fields), env=env)
    return b.head()


def change_roster(b: Bureau, edit: object, person: str = "admin") -> str:
    """A signed roster change: `edit(text) -> text`, version bumped by one."""
    text = (b.root / "policies.yaml").read_text("utf-8")
    version = int(text.split("version: ", 1)[1].split("\n", 1)[0])
    new = edit(text).replace(f"version: {version}", f"version: {version + 1}", 1)  # type: ignore[operator]
    return commit_file(b, person, "policies.yaml", new, "Roster change")


def with_key(text: str, person: str, key: str, *, extra: str = "") -> str:
    """Give `person` the keys `key` (a JSON list body) and optional extra lines."""
    head = f"  - id: {person}\n"
    start = text.index(head)
    keys = text.index("    ssh_keys:", start)
    end = text.index("\n", keys)
    return text[:keys] + f"    ssh_keys: [{key}]{extra}" + text[end:]


# ---- who signed, not who says ----------------------------------------------------------------


def test_unsigned_record_does_not_count(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-unsigned")
    prev = chain_until(bureau, path, 0)
    bureau.sign_as("qy_head")
    fields = fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev)
    bureau.git("commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", format_message(fields))
    oid = bureau.head()
    v = violation(bureau, path, oid)
    assert v["code"] == "R010" and "未签名" in v["message"]
    assert state(bureau, path)["records"][-1]["signer"] is None
    assert state(bureau, path)["next_stage"] == "unit_head"


def test_valid_key_wrong_role(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-role")
    prev = chain_until(bureau, path, 0)
    oid = signed(
        bureau, "operator", fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev)
    )
    v = violation(bureau, path, oid)
    assert v["code"] == "R020" and "蔡文（法治报社） 不具备 科室负责人审核 的角色" in v["message"]
    assert state(bureau, path)["next_stage"] == "unit_head"


def test_author_and_committer_are_ignored_for_identity(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-spoof")
    prev = chain_until(bureau, path, 0)
    spoof = {
        "GIT_AUTHOR_NAME": "qy_head",
        "GIT_AUTHOR_EMAIL": "qy_head@example.org",
        "GIT_COMMITTER_NAME": "qy_head",
        "GIT_COMMITTER_EMAIL": "qy_head@example.org",
    }
    oid = signed(
        bureau,
        "ah_head",
        fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev),
        env=spoof,
    )
    assert bureau.git("log", "-1", "--format=%an %cn") == "qy_head qy_head"
    v = violation(bureau, path, oid)
    assert v["code"] == "R020" and "吴涛（安海所长）" in v["message"]
    rec = state(bureau, path)["records"][-1]
    assert rec["signer"] == "ah_head" and rec["valid"] is False
    assert state(bureau, path)["next_stage"] == "unit_head"


def test_stranger_posing_as_the_head_is_an_unknown_key(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-spoof2")
    prev = chain_until(bureau, path, 0)
    env = {"GIT_AUTHOR_NAME": "qy_head", "GIT_COMMITTER_NAME": "qy_head"}
    oid = signed(
        bureau,
        "stranger",
        fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev),
        env,
    )
    v = violation(bureau, path, oid)
    assert v["code"] == "R012" and "未登记或已被移除" in v["message"]
    assert state(bureau, path)["records"][-1]["signer"] is None


# ---- keys over time: rotation, removal, compromise, backdating ---------------------------------


def test_rotated_key_earlier_records_stay_valid_later_ones_do_not(
    bureau: Bureau, pubkeys: dict[str, str]
) -> None:
    path = bureau.draft("2026-11-rotate")
    before = chain_until(bureau, path, 1)  # qy_head approves with the old key
    change_roster(bureau, lambda t: with_key(t, "qy_head", f'"{pubkeys["spare"]}"'))
    oid = signed(
        bureau,
        "qy_head",  # the old key, no longer on the roster
        fields_for(bureau, path, "approve", stage=Stage.SECRECY_OFFICE, prev=before),
    )
    s = state(bureau, path)
    assert s["records"][1]["commit"] == before and s["records"][1]["valid"] is True
    assert violation(bureau, path, oid)["code"] == "R012"
    assert s["next_stage"] == "secrecy_office"
    # qy_head signs with the new key from now on
    other = bureau.draft("2026-11-rotate2")
    bureau.ok("qy_info", "submit", other)
    code, out = bureau.act("qy_head", "approve", other)
    assert code == 4 and "未登记的密钥" in out
    bureau.ok("spare", "approve", other)
    assert state(bureau, other)["records"][-1]["signer"] == "qy_head"


def test_key_removed_from_roster_cannot_be_backdated_past_the_removal(
    bureau: Bureau, pubkeys: dict[str, str]
) -> None:
    path = bureau.draft("2026-11-backdate")
    prev = chain_until(bureau, path, 0)
    change_roster(bureau, lambda t: with_key(t, "qy_head", f'"{pubkeys["spare"]}"'))
    old_date = {"GIT_COMMITTER_DATE": "2020-01-01T09:00:00+08:00"}
    oid = signed(
        bureau,
        "qy_head",
        fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev),
        env={**old_date, "GIT_AUTHOR_DATE": old_date["GIT_COMMITTER_DATE"]},
    )
    assert bureau.git("log", "-1", "--format=%cI").startswith("2020-01-01")
    v = violation(bureau, path, oid)
    assert v["code"] == "R012"
    assert state(bureau, path)["next_stage"] == "unit_head"


def test_compromised_key_voids_every_record_it_signed(
    bureau: Bureau, pubkeys: dict[str, str]
) -> None:
    path = bureau.draft("2026-11-leak")
    first = bureau.draft("2026-11-leak-other")
    chain_until(bureau, path, 2)  # qy_head signed stage 1 of this draft
    bureau.ok("qy_info", "submit", first)
    bureau.ok("qy_head", "approve", first)
    old = pubkeys["qy_head"]
    change_roster(
        bureau,
        lambda t: with_key(
            t, "qy_head", f'"{pubkeys["spare"]}"', extra=f'\n    compromised_keys: ["{old}"]'
        ),
    )
    for draft in (path, first):
        s = state(bureau, draft)
        head_record = s["records"][1]
        assert head_record["signer"] is None and head_record["valid"] is False
        assert violation(bureau, draft, head_record["commit"])["code"] == "R013"
        assert s["next_stage"] == "unit_head"  # back to the first stage
    # the later stages of the first draft hang off a void record and do not count either
    s = state(bureau, path)
    assert [r["valid"] for r in s["records"]] == [True, False, False]
    assert violation(bureau, path, s["records"][2]["commit"])["code"] == "R026"


# ---- bound to content ---------------------------------------------------------------------------


def test_edit_after_approval_voids_later_approvals(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-edit")
    prev = chain_until(bureau, path, 1)
    bureau.draft("2026-11-edit", body="审核后偷偷改过的正文。\n")
    commit_file(bureau, "qy_info", path, (bureau.root / path).read_text("utf-8"), "edit")
    # an approval naming the new content does not match the submission
    new = signed(
        bureau,
        "secrecy_a",
        fields_for(bureau, path, "approve", stage=Stage.SECRECY_OFFICE, prev=prev),
    )
    assert violation(bureau, path, new)["code"] == "R027"
    s = state(bureau, path)
    assert s["phase"] == "unsubmitted" and "R040" in [v["code"] for v in s["violations"]]


def test_approval_naming_old_content_on_an_edited_tree(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-edit2")
    submitted = fields_for(bureau, path, "submit")
    prev = chain_until(bureau, path, 1)
    bureau.draft("2026-11-edit2", body="改过的正文。\n")
    commit_file(bureau, "qy_info", path, (bureau.root / path).read_text("utf-8"), "edit")
    stale = dataclasses.replace(
        submitted, action=Action.APPROVE, stage=Stage.SECRECY_OFFICE, prev=prev
    )
    oid = signed(bureau, "secrecy_a", stale)
    v = violation(bureau, path, oid)
    assert v["code"] == "R028" and "实际内容不符" in v["message"]


# ---- replay and duplicates ----------------------------------------------------------------------


def test_approval_replayed_onto_another_draft_breaks_the_signature(bureau: Bureau) -> None:
    a = bureau.draft("2026-11-replay-a")
    b_path = bureau.draft("2026-11-replay-b")
    chain_until(bureau, a, 1)
    approval = bureau.head()
    prev_b = chain_until(bureau, b_path, 0)
    raw = cat_commit(bureau.root, approval)
    b_fields = fields_for(bureau, b_path, "approve", stage=Stage.UNIT_HEAD, prev=prev_b)
    tree = bureau.git("rev-parse", "HEAD^{tree}").encode()
    headers = []
    for line in raw.split(b"\n\n", 1)[0].split(b"\n"):
        if line.startswith(b"tree "):
            headers.append(b"tree " + tree)
        elif line.startswith(b"parent "):
            headers.append(b"parent " + prev_b.encode())
        else:
            headers.append(line)
    # A's signature kept, the message now names B
    forged = b"\n".join(headers) + b"\n\n" + format_message(b_fields).encode()
    oid = write_commit(bureau.root, forged)
    bureau.git("update-ref", "refs/heads/main", oid, prev_b)
    bureau.git("reset", "-q", "--hard")
    v = violation(bureau, b_path, oid)
    assert v["code"] == "R011"
    assert state(bureau, b_path)["next_stage"] == "unit_head"


def test_approval_resigned_for_another_draft_does_not_match_its_content(bureau: Bureau) -> None:
    a = bureau.draft("2026-11-resign-a")
    b_path = bureau.draft("2026-11-resign-b", body="另一篇稿件。\n")
    chain_until(bureau, a, 0)
    prev_b = chain_until(bureau, b_path, 0)
    # the unit head's approval of A, its digest and blob copied, pointed at B
    copied = fields_for(bureau, a, "approve", stage=Stage.UNIT_HEAD, prev=prev_b)
    copied = dataclasses.replace(copied, draft_id="2026-11-resign-b", path=b_path)
    oid = signed(bureau, "qy_head", copied)
    assert violation(bureau, b_path, oid)["code"] == "R028"
    assert state(bureau, a)["next_stage"] == "unit_head"  # A gains nothing either


def test_duplicate_signature_header_makes_a_new_commit_id_that_does_not_count(
    bureau: Bureau,
) -> None:
    path = bureau.draft("2026-11-dupsig")
    chain_until(bureau, path, 1)
    good = bureau.head()
    raw = cat_commit(bureau.root, good)
    header = sig_header(raw)
    sig = header[len(b"gpgsig ") :].replace(b"\n ", b"\n")
    twin = insert_gpgsig(raw, sig)  # the same signature twice: a different commit id
    assert payload_of(twin) == payload_of(raw)
    oid = write_commit(bureau.root, twin)
    assert oid != good
    bureau.git("update-ref", "refs/heads/main", oid, good)
    v = violation(bureau, path, oid)
    assert v["code"] == "R011" and "签名" in v["message"]
    s = state(bureau, path)
    assert s["next_stage"] == "unit_head"  # the only copy of the approval is void


def test_same_approval_signed_twice_counts_once(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-twice")
    prev = chain_until(bureau, path, 0)
    approval = fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev)
    first = signed(bureau, "qy_head", approval)
    again = signed(bureau, "qy_head", approval)  # same trailers, new commit id
    assert violation(bureau, path, again)["code"] == "R026"
    chained = signed(bureau, "qy_head", dataclasses.replace(approval, prev=first))
    assert violation(bureau, path, chained)["code"] == "R024"
    s = state(bureau, path)
    assert [r["valid"] for r in s["records"]] == [True, True, False, False]
    assert s["next_stage"] == "secrecy_office"


# ---- order -------------------------------------------------------------------------------------


def test_skipped_stage_does_not_count(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-skip")
    prev = chain_until(bureau, path, 1)
    oid = signed(
        bureau, "deputy", fields_for(bureau, path, "approve", stage=Stage.DEPUTY, prev=prev)
    )
    v = violation(bureau, path, oid)
    assert v["code"] == "R023" and "当前应进行 涉密审查" in v["message"]
    assert state(bureau, path)["next_stage"] == "secrecy_office"


def test_reordered_stages_do_not_count(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-reorder")
    prev = chain_until(bureau, path, 0)
    early = signed(
        bureau,
        "secrecy_a",
        fields_for(bureau, path, "approve", stage=Stage.SECRECY_OFFICE, prev=prev),
    )
    assert violation(bureau, path, early)["code"] == "R023"
    # the unit head's approval after it still has to point at the submission
    head = signed(
        bureau, "qy_head", fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev)
    )
    s = state(bureau, path)
    assert next(r for r in s["records"] if r["commit"] == head)["valid"] is True
    assert s["next_stage"] == "secrecy_office"


def test_approval_before_submission_and_after_rejection(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-nosubmit")
    bureau.git("add", path)
    early = signed(bureau, "qy_head", fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD))
    assert violation(bureau, path, early)["code"] == "R025"
    bureau.ok("qy_info", "submit", path)
    bureau.ok("qy_head", "reject", path, "--opinion", "请补充。")
    late = signed(
        bureau,
        "secrecy_a",
        fields_for(bureau, path, "approve", stage=Stage.SECRECY_OFFICE, prev=bureau.head()),
    )
    v = violation(bureau, path, late)
    assert v["code"] == "R025" and "退回" in v["message"]
    assert state(bureau, path)["phase"] == "rejected"


# ---- separation of duties: people, not keys ------------------------------------------------------


def test_self_approval_by_an_info_officer_who_is_also_head(bureau: Bureau) -> None:
    change_roster(bureau, lambda t: t.replace("head: qy_head", "head: qy_info"))
    path = bureau.draft("2026-11-self")
    bureau.ok("qy_info", "submit", path)
    before = bureau.head()
    code, out = bureau.act("qy_info", "approve", path)
    assert code == 4 and "不能审核自己报送的稿件" in out
    assert bureau.head() == before
    oid = signed(
        bureau, "qy_info", fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=before)
    )
    assert violation(bureau, path, oid)["code"] == "R021"


def test_one_person_with_two_keys_and_two_roles_signs_one_stage(
    bureau: Bureau, pubkeys: dict[str, str]
) -> None:
    two = f'"{pubkeys["qy_head"]}", "{pubkeys["spare"]}"'
    change_roster(
        bureau,
        lambda t: with_key(t, "qy_head", two).replace(
            "secrecy_office: [secrecy_a, secrecy_b]", "secrecy_office: [secrecy_a, qy_head]"
        ),
    )
    path = bureau.draft("2026-11-twokeys")
    prev = chain_until(bureau, path, 1)  # qy_head, first key
    code, out = bureau.act("spare", "approve", path)  # qy_head again, second key
    assert code == 4 and "同一人不能在同一稿件上签署两个环节" in out
    assert "许明（保密办）" in out  # who may sign instead
    assert bureau.head() == prev
    oid = signed(
        bureau, "spare", fields_for(bureau, path, "approve", stage=Stage.SECRECY_OFFICE, prev=prev)
    )
    v = violation(bureau, path, oid)
    assert v["code"] == "R022"
    assert state(bureau, path)["records"][-1]["signer"] == "qy_head"


# ---- the roster is itself a record -----------------------------------------------------------


def test_roster_change_by_a_non_admin_does_not_count(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-grab")
    prev = chain_until(bureau, path, 0)
    grab = change_roster(
        bureau, lambda t: t.replace("head: qy_head", "head: ah_head"), person="ah_head"
    )
    oid = signed(
        bureau, "ah_head", fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev)
    )
    code, doc = check_json(bureau)
    assert code == 1
    p003 = [v for v in doc["violations"] if v["code"] == "P003"]
    assert p003[0]["commit"] == grab  # (and again on each later commit carrying the file)
    assert "P006" in codes(doc)  # the file at HEAD is not the trusted roster
    assert violation(bureau, path, oid)["code"] == "R020"


def test_roster_change_signed_by_an_unregistered_key_does_not_count(
    bureau: Bureau, pubkeys: dict[str, str]
) -> None:
    path = bureau.draft("2026-11-stranger")
    prev = chain_until(bureau, path, 0)
    grab = change_roster(
        bureau,
        lambda t: with_key(t, "qy_head", f'"{pubkeys["stranger"]}"').replace(
            "roster_admins: [admin]", "roster_admins: [admin, qy_head]"
        ),
        person="stranger",
    )
    oid = signed(
        bureau, "stranger", fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev)
    )
    _, doc = check_json(bureau)
    assert [v["code"] for v in doc["violations"] if v["commit"] == grab] == ["P002"]
    assert violation(bureau, path, oid)["code"] == "R012"


def test_roster_change_by_the_admin_takes_effect_from_its_commit(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-newhead")
    prev = chain_until(bureau, path, 0)
    early = signed(
        bureau, "ah_head", fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev)
    )
    change_roster(bureau, lambda t: t.replace("head: qy_head", "head: ah_head"))
    late = signed(
        bureau, "ah_head", fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev)
    )
    assert violation(bureau, path, early)["code"] == "R020"  # judged by the roster of its time
    s = state(bureau, path)
    assert next(r for r in s["records"] if r["commit"] == late)["valid"] is True
    assert s["next_stage"] == "secrecy_office"


# ---- hostile input in records -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda m: m.replace("Fzjj-Stage: unit_head", "Fzjj-Stage: mayor"), "未知的审核环节"),
        (lambda m: m + "Fzjj-Stage: deputy\n", "重复出现"),
        (lambda m: m + "Fzjj-Evil: 1\n", "未知的记录字段"),
        (lambda m: m.replace("Fzjj-Decision: approved", "Fzjj-Decision: published"), "不一致"),
        (lambda m: m + "Fzjj-Opinion: " + "长" * 2001 + "\n", "意见过长"),
    ],
)
def test_malformed_record_trailers(bureau: Bureau, mangle: object, reason: str) -> None:
    path = bureau.draft("2026-11-malformed")
    prev = chain_until(bureau, path, 0)
    fields = dataclasses.replace(
        fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev), opinion=""
    )
    bureau.sign_as("qy_head")
    message = mangle(format_message(fields))  # type: ignore[operator]
    bureau.git("commit", "-q", "--allow-empty", "-S", "-m", message)
    oid = bureau.head()
    _, doc = check_json(bureau)
    found = [v for v in doc["violations"] if v["commit"] == oid]
    assert [v["code"] for v in found] == ["R029"] and reason in found[0]["message"]
    assert state(bureau, path)["next_stage"] == "unit_head"


@pytest.mark.parametrize(
    "hostile", ["../../etc/passwd", "content/2026/11/x.md:../../y", "content/../policies.yaml"]
)
def test_record_pointing_outside_content_is_malformed_not_fatal(
    bureau: Bureau, hostile: str
) -> None:
    path = bureau.draft("2026-11-escape")
    prev = chain_until(bureau, path, 0)
    fields = dataclasses.replace(
        fields_for(bureau, path, "approve", stage=Stage.UNIT_HEAD, prev=prev), path=hostile
    )
    oid = signed(bureau, "qy_head", fields)
    _, doc = check_json(bureau)
    found = [v for v in doc["violations"] if v["commit"] == oid]
    assert [v["code"] for v in found] == ["R029"] and "Fzjj-Path" in found[0]["message"]
    assert state(bureau, path)["next_stage"] == "unit_head"  # status still works


def test_script_in_an_opinion_is_kept_as_text(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-script")
    bureau.ok("qy_info", "submit", path)
    bureau.ok("qy_head", "approve", path, "--opinion", "<script>alert(1)</script>{{ 7*7 }}")
    rec = state(bureau, path)["records"][-1]
    assert rec["opinion"] == "<script>alert(1)</script>{{ 7*7 }}" and rec["valid"] is True


# ---- hostile files in the repository -------------------------------------------------------------


def file_violations(b: Bureau, path: str) -> list[dict]:
    _, doc = check_json(b)
    return [v for v in doc["violations"] if v["path"] == path]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (
            b"---\nid: &a [x, x, x]\ntitle: *a\n---\n",
            "不允许使用 YAML 锚点或别名",
        ),
        ("---\nid: 2026-11-gbk\n---\n正文".encode("gb18030"), "不是 UTF-8 编码"),
        (b"---\nid: x\n---\n" + b"a" * 2_100_000, "文件过大"),
        (b"---\nid: '../../etc/passwd'\ntitle: t\nunit: qingyang\nkind: original\n"
         b"category: c\n---\n", "格式不符合要求"),
    ],
)  # fmt: skip
def test_hostile_draft_committed_is_reported_not_fatal(
    bureau: Bureau, content: bytes, says: str
) -> None:
    good = bureau.draft("2026-11-neighbour")
    bureau.ok("qy_info", "submit", good)
    path = "content/2026/11/hostile.md"
    (bureau.root / path).write_bytes(content)
    bureau.git("add", path)
    bureau.git("commit", "-q", "-m", "hostile file")
    found = file_violations(bureau, path)
    assert [v["code"] for v in found] == ["D001"] and says in found[0]["message"]
    assert state(bureau, good)["next_stage"] == "unit_head"  # the rest still works
    code, out = bureau.act("qy_info", "submit", path)
    assert code == 3 and says in out


def test_alias_bomb_in_a_signed_roster_change_keeps_the_old_roster(bureau: Bureau) -> None:
    text = (bureau.root / "policies.yaml").read_text("utf-8").replace("version: 1", "version: 2")
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    oid = commit_file(bureau, "admin", "policies.yaml", text + bomb, "roster with a bomb")
    _, doc = check_json(bureau)
    p001 = [v for v in doc["violations"] if v["code"] == "P001"]
    assert [v["commit"] for v in p001] == [oid]
    path = bureau.draft("2026-11-bomb")
    bureau.ok("qy_info", "submit", path)  # judged by the last trusted roster
    assert state(bureau, path)["next_signers"][0]["id"] == "qy_head"


def test_two_files_with_one_id(bureau: Bureau) -> None:
    first = bureau.draft("2026-11-twin")
    bureau.full_chain(first)
    later = bureau.draft("2026-11-zz", draft_id="2026-11-twin", body="另一篇内容。\n")
    bureau.git("add", later)
    bureau.git("commit", "-q", "-m", "twin")
    found = file_violations(bureau, later)
    assert [v["code"] for v in found] == ["D002"] and first in found[0]["message"]
    assert state(bureau, first)["phase"] == "approved"


def test_a_twin_file_does_not_take_the_id_or_the_approvals(bureau: Bureau) -> None:
    """A new file with an existing id, even one sorted first, never takes over the draft:
    the file the records name keeps the id, the newcomer is D002."""
    first = bureau.draft("2026-11-twin")
    bureau.full_chain(first)
    early = bureau.draft("2026-11-twin-a", draft_id="2026-11-twin", body="换过的内容。\n")
    bureau.git("add", early)
    bureau.git("commit", "-q", "-m", "twin sorted first")
    assert state(bureau, first)["phase"] == "approved"
    found = file_violations(bureau, early)
    assert [v["code"] for v in found] == ["D002"] and first in found[0]["message"]
    code, out = bureau.act("admin", "status", early)
    assert code == 2 and "仓库中没有这些稿件" in out


def test_a_roster_action_in_the_trailers_is_malformed(bureau: Bureau) -> None:
    bureau.sign_as("admin")
    message = "roster\n\nFzjj-Action: roster\nFzjj-Policy: not-a-number\n"
    bureau.git("commit", "-q", "--allow-empty", "-S", "-m", message)
    oid = bureau.head()
    _, doc = check_json(bureau)
    found = [v for v in doc["violations"] if v["commit"] == oid]
    assert [v["code"] for v in found] == ["R029"] and "未知的记录动作" in found[0]["message"]
