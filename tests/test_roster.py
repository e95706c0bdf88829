"""Roster changes (Art. 7) and the trust anchor, with real keys and signed commits.

Each roster change is a commit of policies.yaml that counts only when a roster admin of the
previous trusted version signed it and the version went up; `fzjj roster log` / `roster diff`
print what took effect. The trust anchor lets a bureau adopt a repository whose first roster
holds people nobody can sign for (fzjj's own shipped samples).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Bureau, policy_yaml
from test_chain_threats import change_roster, state, with_key
from test_check_support import check_json, codes, commit_file

SHIPPED = Path(__file__).resolve().parents[1] / "policies.yaml"


def roster_codes(doc: dict) -> list[tuple[str, str]]:
    return [(v["code"], v["commit"]) for v in doc["violations"] if v["code"].startswith("P")]


# ---- changes to the roster ---------------------------------------------------------------------


def test_a_refused_change_is_reported_once_and_never_adopted_later(bureau: Bureau) -> None:
    grab = change_roster(
        bureau, lambda t: t.replace("head: qy_head", "head: ah_head"), person="ah_head"
    )
    path = bureau.draft("2026-11-later")
    for _ in range(3):  # later commits carry the refused file
        bureau.ok("admin", "status")
        commit_file(bureau, None, "notes.txt", f"{bureau.commit_count()}\n", "notes")
    # the roster admin signs a later commit that does not touch policies.yaml
    commit_file(bureau, "admin", "notes.txt", "admin\n", "unrelated signed commit")
    bureau.ok("qy_info", "submit", path)
    _, doc = check_json(bureau)
    assert [c for c, _ in roster_codes(doc)] == ["P003", "P006"]
    assert roster_codes(doc)[0][1] == grab
    # qy_head is still the head: the admin's unrelated signature adopted nothing
    assert state(bureau, path)["next_signers"][0]["id"] == "qy_head"


def test_version_must_go_up(bureau: Bureau) -> None:
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    same = commit_file(
        bureau, "admin", "policies.yaml", text.replace("head: qy_head", "head: ah_head"), "v1 again"
    )
    _, doc = check_json(bureau)
    p004 = [v for v in doc["violations"] if v["code"] == "P004"]
    assert p004 and p004[0]["commit"] == same and "上一版 1，本次 1" in p004[0]["message"]
    path = bureau.draft("2026-11-version")
    bureau.ok("qy_info", "submit", path)
    assert state(bureau, path)["next_signers"][0]["id"] == "qy_head"  # the change is not in force


def test_rollback_to_an_older_version_number_is_refused(bureau: Bureau) -> None:
    change_roster(bureau, lambda t: t.replace("head: qy_head", "head: ah_head"))  # v2
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    old = text.replace("version: 2", "version: 1").replace("head: ah_head", "head: qy_head", 1)
    back = commit_file(bureau, "admin", "policies.yaml", old, "roll back")
    _, doc = check_json(bureau)
    assert ("P004", back) in roster_codes(doc)


def test_a_pull_request_granting_itself_a_role_and_using_it_fails(
    bureau: Bureau, pubkeys: dict[str, str]
) -> None:
    """A stranger adds their own key as a new deputy and the principal, signs, and approves."""
    path = bureau.draft("2026-11-selfgrant")
    bureau.ok("qy_info", "submit", path)
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    grant = text.replace("version: 1", "version: 2").replace(
        "principal: principal", "principal: intruder"
    ) + (f'  - id: intruder\n    name: 冒充者\n    ssh_keys: ["{pubkeys["stranger"]}"]\n')
    commit_file(bureau, "stranger", "policies.yaml", grant, "grant myself")
    code, out = bureau.act("stranger", "approve", path)
    assert code == 4 and "未登记" in out
    _, doc = check_json(bureau)
    assert {"P002", "P006"} <= set(codes(doc))
    assert state(bureau, path)["next_stage"] == "unit_head"


def test_roster_log_and_filing_record(bureau: Bureau, pubkeys: dict[str, str]) -> None:
    change_roster(
        bureau,
        lambda t: with_key(
            t,
            "qy_head",
            f'"{pubkeys["spare"]}"',
            extra=f'\n    compromised_keys: ["{pubkeys["qy_head"]}"]',
        ).replace("operators: [operator]", "operators: [operator, secrecy_b]"),
    )
    change_roster(bureau, lambda t: t.replace("head: ah_head", "head: ah_info"))
    out = bureau.ok("admin", "roster", "log")
    lines = out.splitlines()
    assert lines[0] == "名册的可信版本（共 3 版）："
    assert "第 1 版" in lines[1] and "第一版名册（首次使用即信任）" in lines[1]
    assert "第 3 版" in lines[3] and "周宣（宣教科）（admin）签署" in lines[3]
    filing = bureau.ok("admin", "roster", "diff", "1", "2")
    assert "名册变更备案" in filing and "第 1 版" in filing and "第 2 版" in filing
    assert "陈岚（青阳所长）（qy_head） 登记新密钥 ssh-ed25519 SHA256:" in filing
    assert "标记为泄露（它签署的全部记录作废）" in filing
    assert "运维人员增加：郑敏（保密办）（secrecy_b）" in filing
    assert "注销密钥" not in filing  # the old key is compromised, not merely retired
    latest = bureau.ok("admin", "roster", "diff")  # the last change by default
    assert "第 2 版" in latest and "第 3 版" in latest
    assert "安海司法所负责人：吴涛（安海所长）（ah_head）→ 黄海（安海信息员）（ah_info）" in latest
    doc = json.loads(bureau.ok("admin", "roster", "log", "--json"))
    assert [d["version"] for d in doc] == [1, 2, 3]
    assert doc[0]["anchor"] is True and doc[2]["signer"] == "admin"


def test_a_key_that_revokes_itself_voids_every_roster_change_it_signed(
    bureau: Bureau, pubkeys: dict[str, str]
) -> None:
    v2 = change_roster(bureau, lambda t: t.replace("head: ah_head", "head: ah_info"))
    # The only roster admin rotates a leaked key with the leaked key itself.
    v3 = change_roster(
        bureau,
        lambda t: with_key(
            t,
            "admin",
            f'"{pubkeys["spare"]}"',
            extra=f'\n    compromised_keys: ["{pubkeys["admin"]}"]',
        ),
    )
    _, doc = check_json(bureau)
    assert [c for c, _ in roster_codes(doc)] == ["P002", "P002", "P006"]
    assert [commit for _, commit in roster_codes(doc)][:2] == [v2, v3]
    assert all("已被标记为泄露" in v["message"] for v in doc["violations"][:2])
    # Both changes are void, the revocation stands: the roster is version 1 again ...
    entries = json.loads(bureau.ok("spare", "roster", "log", "--json"))
    assert [e["version"] for e in entries] == [1]
    path = bureau.draft("2026-11-after-leak", unit="anhai")
    bureau.ok("ah_info", "submit", path)
    assert state(bureau, path)["next_signers"][0]["id"] == "ah_head"
    # ... and nothing the leaked key signs counts any more, roster changes included.
    change_roster(bureau, lambda t: t.replace("operators: [operator]", "operators: [admin]"))
    _, doc = check_json(bureau)
    assert [c for c, _ in roster_codes(doc)].count("P002") == 3


def test_another_admin_replaces_a_leaked_key(bureau: Bureau, pubkeys: dict[str, str]) -> None:
    # A bureau with two roster admins from its first roster on.
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    bureau.write(
        "policies.yaml", text.replace("roster_admins: [admin]", "roster_admins: [admin, principal]")
    )
    bureau.sign_as("admin")
    bureau.git("commit", "-q", "-S", "--amend", "-a", "--no-edit")
    path = bureau.draft("2026-11-leak")
    bureau.ok("qy_info", "submit", path)
    bureau.ok("qy_head", "approve", path)
    # The leaked key grants its holder a role and uses it ...
    grab = change_roster(
        bureau,
        lambda t: t.replace(
            "secrecy_office: [secrecy_a, secrecy_b]",
            "secrecy_office: [secrecy_a, secrecy_b, admin]",
        ),
    )
    bureau.ok("admin", "approve", path)
    assert state(bureau, path)["next_stage"] == "deputy"
    # ... until the other admin revokes the key and takes the grant back.
    change_roster(
        bureau,
        lambda t: with_key(
            t.replace("secrecy_a, secrecy_b, admin]", "secrecy_a, secrecy_b]"),
            "admin",
            f'"{pubkeys["spare"]}"',
            extra=f'\n    compromised_keys: ["{pubkeys["admin"]}"]',
        ),
        person="principal",
    )
    _, doc = check_json(bureau)
    p002 = [v for v in doc["violations"] if v["code"] == "P002"]
    assert [v["commit"] for v in p002] == [grab]
    assert "R013" in codes(doc)  # the approval the leaked key signed
    current = state(bureau, path)
    assert current["next_stage"] == "secrecy_office"
    versions = [e["version"] for e in json.loads(bureau.ok("principal", "roster", "log", "--json"))]
    assert versions == [1, 3]  # version 2, the grab, never took effect


def test_roster_diff_of_an_unknown_version(bureau: Bureau) -> None:
    code, out = bureau.act("admin", "roster", "diff", "1", "7")
    assert code == 2 and "没有第 7 版名册" in out and "可选版本：1" in out


def test_first_roster_filing_lists_everyone(bureau: Bureau) -> None:
    out = bureau.ok("admin", "roster", "diff")
    assert "这是名册的第一版" in out
    assert "李华（局长）（principal）：局主要领导" in out


def test_removed_person_with_compromised_keys_is_called_out(
    bureau: Bureau, pubkeys: dict[str, str]
) -> None:
    change_roster(
        bureau,
        lambda t: with_key(
            t, "secrecy_b", "", extra=f'\n    compromised_keys: ["{pubkeys["secrecy_b"]}"]'
        ),
    )
    change_roster(
        bureau,
        lambda t: t.replace(
            "secrecy_office: [secrecy_a, secrecy_b]", "secrecy_office: [secrecy_a]"
        ).replace(
            "  - id: secrecy_b\n    name: 郑敏（保密办）\n    ssh_keys: []\n"
            f'    compromised_keys: ["{pubkeys["secrecy_b"]}"]\n',
            "",
        ),
    )
    out = bureau.ok("admin", "roster", "diff")
    assert "删除人员：郑敏（保密办）（secrecy_b）" in out
    assert "应保留该人员条目及其 compromised_keys" in out


# ---- adopting a repository: the trust anchor ----------------------------------------------------


@pytest.fixture
def adopted(tmp_path: Path, keyring: dict[str, Path], pubkeys: dict[str, str]) -> Bureau:
    """fzjj's own situation: the first roster is the shipped sample (no one holds its keys),
    engineering commits changed it unsigned, then the bureau put in its real people."""
    root = tmp_path / "adopted"
    root.mkdir()
    b = Bureau(root, keyring)
    b.git("init", "-q", "-b", "main")
    b.git("config", "gpg.format", "ssh")
    b.git("config", "commit.gpgsign", "false")
    sample = SHIPPED.read_text("utf-8")
    commit_file(b, None, "policies.yaml", sample, "Shipped sample roster")
    commit_file(b, None, "policies.yaml", sample + "\n# engineering edit\n", "Engineering")
    commit_file(b, "admin", "policies.yaml", policy_yaml(pubkeys, version=2), "Bureau roster")
    return b


def test_without_an_anchor_the_bureau_cannot_act(adopted: Bureau) -> None:
    path = adopted.draft("2026-11-adopt0")
    code, out = adopted.act("qy_info", "submit", path)
    assert code == 4 and "未登记的密钥" in out
    _, doc = check_json(adopted)
    assert [c for c, _ in roster_codes(doc)] == ["P002", "P002", "P006"]


def test_anchor_from_git_config_adopts_the_bureau_roster(adopted: Bureau) -> None:
    anchor = adopted.head()
    adopted.git("config", "fzjj.trustRoot", anchor)
    code, doc = check_json(adopted)
    assert code == 0 and not roster_codes(doc)
    path = adopted.draft("2026-11-adopt1")
    adopted.full_chain(path)
    assert state(adopted, path)["phase"] == "approved"
    out = adopted.ok("admin", "roster", "log")
    assert "共 1 版" in out and "信任根（本机配置）" in out and anchor[:12] in out
    assert anchor in adopted.ok("admin", "roster", "diff")


def test_anchor_from_the_command_line(adopted: Bureau) -> None:
    anchor = adopted.head()
    path = adopted.draft("2026-11-adopt2")
    adopted.ok("qy_info", "--trust-root", anchor, "submit", path)
    code, out = adopted.act("qy_head", "approve", path)  # no anchor on this run
    assert code == 4
    adopted.ok("qy_head", "--trust-root", anchor, "approve", path)
    code, _ = adopted.act("admin", "check")
    assert code == 1  # without the anchor the samples are the roster
    code, out = adopted.act("admin", "--trust-root", anchor, "check")
    assert code == 0, out


def test_changes_after_the_anchor_still_need_the_previous_admin(
    adopted: Bureau, pubkeys: dict[str, str]
) -> None:
    adopted.git("config", "fzjj.trustRoot", adopted.head())
    grab = change_roster(
        adopted, lambda t: t.replace("head: qy_head", "head: ah_head"), person="ah_head"
    )
    _, doc = check_json(adopted)
    assert ("P003", grab) in roster_codes(doc)
    ok = change_roster(adopted, lambda t: t.replace("principal: principal", "principal: deputy"))
    _, doc = check_json(adopted)
    assert ok not in [c for _, c in roster_codes(doc)]
    log = json.loads(adopted.ok("admin", "roster", "log", "--json"))
    assert [d["commit"] for d in log][-1] == ok


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("HEAD", "应为完整的提交编号"),
        ("main", "应为完整的提交编号"),
        ("abc1234", "应为完整的提交编号"),
        ("0" * 40, "不在本仓库中"),
    ],
)
def test_anchor_must_be_a_full_commit_id_of_this_repository(
    adopted: Bureau, value: str, message: str
) -> None:
    adopted.git("config", "fzjj.trustRoot", value)
    code, out = adopted.act("admin", "status")
    assert code == 2 and message in out and "docs/policies.md" in out


def test_anchor_outside_the_history_fails_closed(adopted: Bureau) -> None:
    adopted.git("switch", "-q", "-c", "side")
    side = commit_file(adopted, "admin", "notes.txt", "x\n", "side")
    adopted.git("switch", "-q", "main")
    adopted.git("config", "fzjj.trustRoot", side)
    code, out = adopted.act("admin", "status")
    assert code == 2 and "不在所检查版本的历史中" in out


def test_anchor_without_a_roster(tmp_path: Path, keyring: dict[str, Path]) -> None:
    b = Bureau(tmp_path, keyring)
    b.git("init", "-q", "-b", "main")
    first = commit_file(b, None, "README", "x\n", "no roster yet")
    commit_file(b, None, "policies.yaml", SHIPPED.read_text("utf-8"), "roster")
    b.git("config", "fzjj.trustRoot", first)
    code, out = b.act("admin", "status")
    assert code == 2 and "中没有 policies.yaml" in out


def test_a_committed_file_cannot_set_the_anchor(adopted: Bureau) -> None:
    """Only the clone's own config names the anchor: a pushed .gitconfig or include is inert."""
    anchor = adopted.head()
    commit_file(adopted, None, ".gitconfig", f"[fzjj]\n\ttrustRoot = {anchor}\n", "try")
    _, doc = check_json(adopted)
    assert "P006" in codes(doc)


def test_anchor_on_a_commit_that_does_not_touch_the_roster(adopted: Bureau) -> None:
    later = commit_file(adopted, None, "notes.txt", "x\n", "unrelated, unsigned")
    adopted.git("config", "fzjj.trustRoot", later)
    code, doc = check_json(adopted)
    assert code == 0 and not roster_codes(doc)
    log = json.loads(adopted.ok("admin", "roster", "log", "--json"))
    assert [(d["commit"], d["anchor"]) for d in log] == [(later, True)]


def test_anchor_from_the_environment(adopted: Bureau, monkeypatch: pytest.MonkeyPatch) -> None:
    """How CI passes a repository setting: FZJJ_TRUST_ROOT, above git config."""
    anchor = adopted.head()
    adopted.git("config", "fzjj.trustRoot", "0" * 40)  # a wrong local setting loses
    monkeypatch.setenv("FZJJ_TRUST_ROOT", anchor)
    code, doc = check_json(adopted)
    assert code == 0 and not roster_codes(doc)
    monkeypatch.setenv("FZJJ_TRUST_ROOT", "main")
    code, out = adopted.act("admin", "check")
    assert code == 2 and "环境变量 FZJJ_TRUST_ROOT 应为完整的提交编号" in out
