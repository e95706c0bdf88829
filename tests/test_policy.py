"""policies.yaml: the shipped file, and one precise Chinese error per kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import policy_yaml
from fzjj.errors import ExitCode, PolicyError
from fzjj.model import FULL_CHAIN, Kind, Stage
from fzjj.policy import decode_policy, parse_policy

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = (ROOT / "policies.yaml").read_text("utf-8")

STATIONS = (
    "青阳 梅岭 西园 罗山 灵源 新塘 安海 磁灶 陈埭 池店 内坑 紫帽 东石 永和 英林 金井 龙湖 深沪 西滨"
)


def refused(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as err:
        parse_policy(text)
    assert err.value.exit_code is ExitCode.CANNOT_RUN
    assert err.value.path == "policies.yaml"
    assert err.value.hint  # every error says what to do
    return err.value


# ---- the shipped file ----------------------------------------------------------------------


def test_shipped_policy_holds_the_19_stations_and_the_named_sections() -> None:
    policy = parse_policy(SHIPPED)
    stations = [u.name for u in policy.units if u.type == "station"]
    assert stations == [f"{name}司法所" for name in STATIONS.split()]
    sections = {u.name for u in policy.units if u.type == "section"}
    assert {"宣教科", "办公室"} <= sections
    assert policy.timezone == "Asia/Shanghai"
    assert policy.chains[Kind.ORIGINAL] == list(FULL_CHAIN)


def test_shipped_people_and_keys_are_marked_as_samples() -> None:
    policy = parse_policy(SHIPPED)
    assert all(p.sample for p in policy.people)
    assert all(p.name.startswith("示例") for p in policy.people)
    assert "【示例】" in SHIPPED.split("version:")[0]


def test_timezone_defaults_to_shanghai() -> None:
    text = SHIPPED.replace("timezone: Asia/Shanghai", "")
    assert parse_policy(text).tz.key == "Asia/Shanghai"


# ---- YAML level ----------------------------------------------------------------------------


def test_malformed_yaml_names_the_line() -> None:
    err = refused(SHIPPED.replace("principal: sample_principal", "principal: [sample_principal"))
    assert "YAML 格式错误" in err.message
    assert err.line is not None and err.line >= 37
    assert "缩进" in (err.hint or "")


def test_yaml_alias_bomb_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    err = refused(bomb)
    assert "锚点或别名" in err.message and err.line == 1


def test_key_written_twice_is_refused_not_silently_overwritten() -> None:
    text = SHIPPED.replace(
        "principal: sample_principal", "principal: sample_principal\nprincipal: x"
    )
    err = refused(text)
    assert "'principal' 重复出现" in err.message
    assert err.line == SHIPPED.splitlines().index("principal: sample_principal") + 2


def test_not_a_mapping() -> None:
    err = refused("- just\n- a list\n")
    assert "YAML 映射" in err.message


def test_not_utf8() -> None:
    with pytest.raises(PolicyError) as err:
        decode_policy(SHIPPED.encode("gb18030"))
    assert "UTF-8" in err.value.message


def test_oversized_file() -> None:
    err = refused(SHIPPED + "#" * 1_000_001)
    assert "过大" in err.message


# ---- schema level --------------------------------------------------------------------------


def test_unknown_top_level_field() -> None:
    err = refused(SHIPPED.replace("version: 1\n", "version: 1\ncolour: red\n"))
    assert err.field == "colour" and "未知字段" in err.message
    assert "docs/policies.md" in (err.hint or "")


def test_unknown_field_in_a_unit_names_the_unit() -> None:
    text = SHIPPED.replace(
        "{id: anhai, name: 安海司法所,", "{id: anhai, name: 安海司法所, boss: x,"
    )
    err = refused(text)
    assert err.field == "units[6]（anhai）.boss"


def test_wrong_type_says_what_was_expected() -> None:
    err = refused(SHIPPED.replace("version: 1", "version: one"))
    assert err.field == "version"
    assert "应为整数" in err.message and "'one'" in err.message


def test_missing_principal() -> None:
    err = refused(SHIPPED.replace("principal: sample_principal\n", ""))
    assert err.field == "principal" and "缺少必填字段" in err.message


def test_missing_roster_admins_means_nobody_could_change_the_roster() -> None:
    err = refused(SHIPPED.replace("roster_admins: [admin_publicity]", "roster_admins: []"))
    assert err.field == "roster_admins" and "不能为空" in err.message


def test_roster_admin_must_be_a_registered_person() -> None:
    err = refused(SHIPPED.replace("roster_admins: [admin_publicity]", "roster_admins: [ghost]"))
    assert err.field == "roster_admins" and "'ghost'" in err.message
    assert "people" in (err.hint or "")


def test_role_held_by_unregistered_person_names_unit_and_field() -> None:
    err = refused(SHIPPED.replace("head: anhai_head", "head: nobody"))
    assert err.field == "units[anhai].head"
    assert "'nobody' 不在 people 中" in err.message


def test_two_info_officers_for_one_unit_as_a_list() -> None:
    text = SHIPPED.replace("info_officer: anhai_info", "info_officer: [anhai_info, cizao_info]")
    err = refused(text)
    assert err.field == "units[6]（anhai）.info_officer"
    assert "只能指定一名信息员" in err.message


def test_two_info_officers_for_one_unit_as_a_repeated_key() -> None:
    text = SHIPPED.replace(
        "info_officer: anhai_info,", "info_officer: anhai_info, info_officer: cizao_info,"
    )
    err = refused(text)
    assert "'info_officer' 重复出现" in err.message


def test_one_person_as_info_officer_of_two_units() -> None:
    err = refused(SHIPPED.replace("info_officer: cizao_info", "info_officer: anhai_info"))
    assert "anhai_info 被指定为多个单位的信息员" in err.message
    assert err.field == "units.info_officer"


def test_one_key_registered_to_two_people(pubkeys: dict[str, str]) -> None:
    text = policy_yaml({**pubkeys, "ah_head": pubkeys["qy_head"]})
    err = refused(text)
    assert "同一个密钥登记给了两个人" in err.message and "qy_head" in err.message


def test_duplicate_person_id(pubkeys: dict[str, str]) -> None:
    text = policy_yaml(pubkeys).replace("id: ah_head", "id: qy_head")
    err = refused(text)
    assert "人员 id 重复：qy_head" in err.message


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("ssh-ed25519 AAAA!!!!", "base64 部分无效"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "不是 SSH 公钥"),
        ("hello", "不是 SSH 公钥"),
        # an ed25519 key body under an RSA label
        ("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIAu0cDnT+jVN0QAdZ00pHXCEqj+ukM8Wav5fIU65iwnc", "不一致"),
    ],
)
def test_bad_key_text_names_the_person(key: str, expected: str) -> None:
    start = SHIPPED.index('ssh_keys: ["', SHIPPED.index("id: sample_deputy_2"))
    end = SHIPPED.index('"]', start)
    text = SHIPPED[:start] + f'ssh_keys: ["{key}' + SHIPPED[end:]
    err = refused(text)
    assert err.field == "people[2]（sample_deputy_2）.ssh_keys"
    assert expected in err.message
    assert "id_ed25519.pub" in (err.hint or "")


def test_bad_openpgp_fingerprint() -> None:
    text = SHIPPED.replace("    name: 示例·局长\n", "    name: 示例·局长\n    openpgp: [ABCD]\n")
    err = refused(text)
    assert "40 或 64 位" in err.message


def test_bad_timezone() -> None:
    err = refused(SHIPPED.replace("timezone: Asia/Shanghai", "timezone: Asia/Beijing"))
    assert err.field == "timezone" and "'Asia/Beijing'" in err.message
    assert "Asia/Shanghai" in (err.hint or "")


def test_chain_out_of_order() -> None:
    text = SHIPPED.replace(
        "forward: [unit_head, secrecy_office, deputy, principal]",
        "forward: [deputy, unit_head]",
    )
    err = refused(text)
    assert err.field == "chains" and "顺序" in err.message


def test_chain_with_unknown_stage() -> None:
    text = SHIPPED.replace(
        "forward: [unit_head, secrecy_office, deputy, principal]", "forward: [mayor]"
    )
    err = refused(text)
    assert err.field is not None and err.field.startswith("chains.forward")
    assert "取值不在允许范围内" in err.message and "unit_head" in err.message


def test_forward_chain_may_be_shorter() -> None:
    text = SHIPPED.replace(
        "forward: [unit_head, secrecy_office, deputy, principal]",
        "forward: [secrecy_office, principal]",
    )
    policy = parse_policy(text)
    assert policy.chains[Kind.FORWARD] == [Stage.SECRECY_OFFICE, Stage.PRINCIPAL]
    assert policy.chains[Kind.INTERVIEW] == list(FULL_CHAIN)


def test_empty_chain_is_refused() -> None:
    text = SHIPPED.replace("forward: [unit_head, secrecy_office, deputy, principal]", "forward: []")
    with pytest.raises(PolicyError) as err:
        parse_policy(text)
    assert err.value.field == "chains" and "先审后发" in err.value.message


# ---- deputies: each deputy with the units in their charge ------------------------------------


def _without_deputies(text: str) -> str:
    for person in ("sample_deputy_1", "sample_deputy_2"):
        text = text.replace(f", deputy: {person}}}", "}")
    return text


def test_deputies_mapping_assigns_units() -> None:
    text = _without_deputies(SHIPPED).replace(
        "version: 1\n",
        "version: 1\ndeputies:\n"
        "  sample_deputy_1: [qingyang, meiling, xiyuan, luoshan, lingyuan, xintang, anhai,"
        " cizao, chendai, chidian]\n"
        "  sample_deputy_2: [neikeng, zimao, dongshi, yonghe, yinglin, jinjing, longhu,"
        " shenhu, xibin, office, publicity]\n",
    )
    policy = parse_policy(text)
    assert policy.unit_by_id["anhai"].deputy == "sample_deputy_1"
    assert policy.unit_by_id["office"].deputy == "sample_deputy_2"
    assert policy.signers_for(Stage.DEPUTY, "xibin") == ["sample_deputy_2"]


def test_deputies_with_unknown_unit() -> None:
    text = SHIPPED.replace("version: 1\n", "version: 1\ndeputies: {sample_deputy_1: [nowhere]}\n")
    err = refused(text)
    assert err.field == "deputies.sample_deputy_1"
    assert "'nowhere' 不在 units 中" in err.message


def test_deputies_conflicting_with_a_unit_entry() -> None:
    text = SHIPPED.replace("version: 1\n", "version: 1\ndeputies: {sample_deputy_2: [qingyang]}\n")
    err = refused(text)
    assert "不一致" in err.message and "qingyang" in err.message


def test_unit_without_any_deputy() -> None:
    err = refused(_without_deputies(SHIPPED))
    assert err.field == "units[0]（qingyang）.deputy" and "缺少必填字段" in err.message


def test_deputy_in_mapping_must_be_registered() -> None:
    text = SHIPPED.replace(
        "head: qingyang_head, deputy: sample_deputy_1}", "head: qingyang_head}"
    ).replace("version: 1\n", "version: 1\ndeputies: {ghost: [qingyang]}\n")
    err = refused(text)
    assert err.field == "units[qingyang].deputy" and "'ghost'" in err.message


def test_quota_out_of_range_says_the_bound() -> None:
    assert "per_month: 1\n" in SHIPPED
    err = refused(SHIPPED.replace("per_month: 1\n", "per_month: 101\n"))
    assert err.field == "quota.per_month"
    assert "数值过大（最大 100）" in err.message and "101" in err.message
    err = refused(SHIPPED.replace("per_month: 1\n", "per_month: true\n"))
    assert err.field == "quota.per_month" and "应为整数" in err.message


def test_checked_plain_data_gives_the_same_roster(pubkeys: dict[str, str]) -> None:
    """The history cache keeps each trusted roster as `to_data()` and rebuilds it with
    `Policy.validate`: that must give back an equal roster, with every normalisation
    (key comments dropped, fingerprints upper-cased, words stripped, deputies filled in)
    already applied and stable."""
    fpr = "ab12 " * 10
    extra = """deputies:
  deputy: [qingyang, anhai]
quota: {per_month: 2, basis: published, kinds: [original]}
chains:
  forward: [secrecy_office, principal]
lint:
  severity: {L104: warn}
  sensitive_words: ["  敏感词 ", 敏感词]
"""
    text = policy_yaml(pubkeys, extra=extra).replace(
        "  - id: admin\n", f"  - id: admin\n    openpgp: ['{fpr}']\n"
    )
    for policy in (parse_policy(SHIPPED), parse_policy(text)):
        data = policy.to_data()
        again = type(policy).validate(data)
        assert again == policy
        assert again.to_data() == data
    policy = parse_policy(text)
    assert policy.person_by_id["admin"].openpgp == [fpr.replace(" ", "").upper()]
    assert policy.lint.sensitive_words == ["敏感词"]
    assert policy.unit_by_id["anhai"].deputy == "deputy"
