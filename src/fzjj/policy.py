"""policies.yaml: the roster, the review chains, categories, quota and content rules.

Pure: parsing takes text, never a path on disk. The records are `fzjj.schema` records, and
every problem becomes a Chinese message naming the field.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fzjj.errors import PolicyError
from fzjj.model import FULL_CHAIN, Kind, Stage
from fzjj.rules.config import CATEGORIES, IDENT, LintConfig, WhitelistConfig
from fzjj.schema import (
    Boolean,
    DictOf,
    EnumOf,
    Integer,
    ListOf,
    Nested,
    OneOf,
    Record,
    SchemaError,
    Text,
    field,
)
from fzjj.validation import describe

POLICY_FILE = "policies.yaml"


class PolicyProblem(ValueError):
    """A validation problem that knows its field and what to do about it."""

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.field = field
        self.hint = hint


KEY_HINT = (
    "ssh_keys 的每一项是一行 SSH 公钥，即本人 ~/.ssh/id_ed25519.pub 的全部内容"
    "（ssh-ed25519 AAAA… 注释）；openpgp 写 40 位指纹（gpg --fingerprint）。"
)
PERSON_HINT = "先在 people 中登记该人员（id、name、ssh_keys），或改成已登记的人员 id。"

_SSH_TYPES = {
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
}


def normalize_ssh_key(text: str) -> str:
    """`type base64` without the comment; raises ValueError with a Chinese message."""
    parts = text.strip().split()
    if len(parts) < 2 or parts[0] not in _SSH_TYPES:
        raise ValueError(f"不是 SSH 公钥（应以 {'、'.join(sorted(_SSH_TYPES))} 开头）")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError as exc:
        raise ValueError("SSH 公钥的 base64 部分无效") from exc
    name_len = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if blob[4 : 4 + name_len].decode("ascii", "replace") != parts[0]:
        raise ValueError("SSH 公钥的类型与内容不一致")
    return f"{parts[0]} {parts[1]}"


def ssh_fingerprint(key: str) -> str:
    blob = base64.b64decode(key.split()[1])
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def _keys(value: list[str]) -> list[str]:
    out = []
    for item in value:
        if item.startswith("openpgp:"):
            out.append("openpgp:" + _fingerprint(item.removeprefix("openpgp:")))
        else:
            try:
                out.append(normalize_ssh_key(item))
            except ValueError as exc:
                raise PolicyProblem(f"{exc}：{item[:40]!r}", hint=KEY_HINT) from exc
    return out


def _fingerprints(value: list[str]) -> list[str]:
    return [_fingerprint(v) for v in value]


class Person(Record):
    id: str = field(IDENT)
    name: str = field(Text(1, 32))
    ssh_keys: list[str] = field(ListOf(Text()), default_factory=list, after=_keys)
    openpgp: list[str] = field(ListOf(Text()), default_factory=list, after=_fingerprints)
    compromised_keys: list[str] = field(ListOf(Text()), default_factory=list, after=_keys)
    sample: bool = field(Boolean(), default=False)


def _fingerprint(text: str) -> str:
    fpr = re.sub(r"\s+", "", text).upper()
    if not re.fullmatch(r"[0-9A-F]{40}|[0-9A-F]{64}", fpr):
        raise ValueError("OpenPGP 指纹应为 40 或 64 位十六进制数字")
    return fpr


_ONE_PERSON = {
    "info_officer": "每个单位只能指定一名信息员（第四条第一款），请只写一个人员 id",
    "head": "每个单位只有一名负责人，请只写一个人员 id",
    "deputy": "每个单位只有一名分管领导，请只写一个人员 id",
}


def _one_person(role: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, list):
            raise ValueError(_ONE_PERSON[role])
        return value

    return check


class Unit(Record):
    id: str = field(IDENT)
    name: str = field(Text(1, 40))
    type: str = field(OneOf("station", "section"), default="section")
    info_officer: str = field(IDENT, before=_one_person("info_officer"))
    head: str = field(IDENT, before=_one_person("head"))
    deputy: str = field(IDENT, before=_one_person("deputy"))


class Quota(Record):
    per_month: int = field(Integer(ge=0, le=100), default=1)
    basis: str = field(OneOf("submitted", "published"), default="submitted")
    kinds: list[Kind] = field(
        ListOf(EnumOf(Kind)), default_factory=lambda: [Kind.ORIGINAL, Kind.INTERVIEW]
    )


def _chains(value: dict[Kind, list[Stage]]) -> dict[Kind, list[Stage]]:
    for kind, stages in value.items():
        if not stages:
            raise ValueError(f"{kind} 的审核链不能为空：先审后发，至少要有一个审核环节")
        if len(set(stages)) != len(stages):
            raise ValueError(f"{kind} 的审核链中有重复环节")
        order = [FULL_CHAIN.index(s) for s in stages]
        if order != sorted(order):
            raise ValueError(f"{kind} 的审核链顺序应为 科室负责人→涉密审查→分管领导→主要领导")
    return {k: value.get(k, list(FULL_CHAIN)) for k in Kind}


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PolicyProblem(
            f"未知时区 {value!r}",
            hint="填写 IANA 时区名，晋江为 Asia/Shanghai（也是默认值）。",
        ) from exc
    return value


_IDS = ListOf(IDENT, min_len=1)


class Policy(Record):
    version: int = field(Integer(ge=1))
    account: str = field(Text(), default="法治晋江")
    timezone: str = field(Text(), default="Asia/Shanghai", after=_timezone)
    units: list[Unit] = field(ListOf(Nested(Unit), min_len=1))
    people: list[Person] = field(ListOf(Nested(Person), min_len=1))
    secrecy_office: list[str] = field(_IDS)
    principal: str = field(IDENT)
    operators: list[str] = field(ListOf(IDENT), default_factory=list)
    publicity: list[str] = field(ListOf(IDENT), default_factory=list)
    roster_admins: list[str] = field(_IDS)
    deputies: dict[str, list[str]] = field(DictOf(IDENT, ListOf(IDENT)), default_factory=dict)
    chains: dict[Kind, list[Stage]] = field(
        DictOf(EnumOf(Kind), ListOf(EnumOf(Stage))),
        default_factory=lambda: {k: list(FULL_CHAIN) for k in Kind},
        after=_chains,
    )
    categories: list[str] = field(CATEGORIES)
    quota: Quota = field(Nested(Quota), default_factory=Quota)
    whitelist: WhitelistConfig = field(Nested(WhitelistConfig), default_factory=WhitelistConfig)
    lint: LintConfig = field(Nested(LintConfig), default_factory=LintConfig)

    @classmethod
    def prepare(cls, data: dict[Any, Any]) -> dict[Any, Any]:
        """`deputies: {person: [unit, …]}` fills in each listed unit's `deputy`."""
        if not isinstance(data, dict) or not isinstance(data.get("deputies"), dict):
            return data
        units = data.get("units")
        if not isinstance(units, list):
            return data
        by_id = {u.get("id"): u for u in units if isinstance(u, dict)}
        owner: dict[str, str] = {}
        for person, unit_ids in data["deputies"].items():
            for unit_id in unit_ids if isinstance(unit_ids, list) else []:
                unit = by_id.get(unit_id)
                if unit is None:
                    raise PolicyProblem(
                        f"单位 {unit_id!r} 不在 units 中",
                        field=f"deputies.{person}",
                        hint="填写 units 中已有的单位 id，例如 "
                        + "、".join(str(i) for i in list(by_id)[:3]),
                    )
                if unit_id in owner and owner[unit_id] != person:
                    raise ValueError(
                        f"单位 {unit_id} 同时分给了 {owner[unit_id]} 和 {person} 两位分管领导"
                    )
                current = unit.get("deputy")
                if current is not None and current != person:
                    raise ValueError(
                        f"单位 {unit_id} 的 deputy 写的是 {current}，"
                        f"与 deputies 中的 {person} 不一致"
                    )
                owner[unit_id] = person
        units = [
            {**u, "deputy": owner[u["id"]]} if isinstance(u, dict) and u.get("id") in owner else u
            for u in units
        ]
        return {**data, "units": units}

    def verify(self) -> None:
        ids = [p.id for p in self.people]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise PolicyProblem(
                f"人员 id 重复：{', '.join(sorted(dup))}",
                field="people",
                hint="每个人员 id 只能登记一次；同一人有多把密钥时都写在其 ssh_keys 中。",
            )
        unit_ids = [u.id for u in self.units]
        dup = {i for i in unit_ids if unit_ids.count(i) > 1}
        if dup:
            raise PolicyProblem(
                f"单位 id 重复：{', '.join(sorted(dup))}",
                field="units",
                hint="每个单位 id 只能出现一次。",
            )
        known = set(ids)
        refs: list[tuple[str, str]] = []
        for unit in self.units:
            refs += [
                (f"units[{unit.id}].info_officer", unit.info_officer),
                (f"units[{unit.id}].head", unit.head),
                (f"units[{unit.id}].deputy", unit.deputy),
            ]
        refs += [("principal", self.principal)]
        for name in ("secrecy_office", "operators", "publicity", "roster_admins"):
            refs += [(name, pid) for pid in getattr(self, name)]
        refs += [("deputies", pid) for pid in self.deputies]
        for where, pid in refs:
            if pid not in known:
                raise PolicyProblem(
                    f"引用的人员 {pid!r} 不在 people 中", field=where, hint=PERSON_HINT
                )
        owners: dict[str, str] = {}
        for person in self.people:
            for key in [*person.ssh_keys, *("openpgp:" + f for f in person.openpgp)]:
                if key in owners and owners[key] != person.id:
                    raise PolicyProblem(
                        f"同一个密钥登记给了两个人：{owners[key]} 与 {person.id}",
                        field=f"people[{person.id}].ssh_keys",
                        hint="每把密钥只属于一个人；请本人各自生成密钥（ssh-keygen -t ed25519）。",
                    )
                owners[key] = person.id
        officers = [u.info_officer for u in self.units]
        twice = sorted({p for p in officers if officers.count(p) > 1})
        if twice:
            raise PolicyProblem(
                f"{twice[0]} 被指定为多个单位的信息员；每个单位应有自己的一名信息员",
                field="units.info_officer",
                hint="第四条第一款：各单位确定一名信息员；为每个单位登记不同的人员。",
            )

    # ---- lookups -------------------------------------------------------------------------

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def person_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @cached_property
    def unit_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def key_owner(self) -> dict[str, str]:
        """Registered key (`type base64` or `openpgp:FPR`) → person id."""
        out: dict[str, str] = {}
        for person in self.people:
            for key in person.ssh_keys:
                out[key] = person.id
            for fpr in person.openpgp:
                out["openpgp:" + fpr] = person.id
        return out

    @cached_property
    def compromised(self) -> frozenset[str]:
        return frozenset(k for p in self.people for k in p.compromised_keys)

    def name_of(self, person_id: str | None) -> str:
        if person_id is None:
            return "（未知）"
        person = self.person_by_id.get(person_id)
        return person.name if person else person_id

    def unit_name(self, unit_id: str) -> str:
        unit = self.unit_by_id.get(unit_id)
        return unit.name if unit else unit_id

    def signers_for(self, stage: Stage, unit_id: str) -> list[str]:
        unit = self.unit_by_id.get(unit_id)
        if stage is Stage.SECRECY_OFFICE:
            return list(self.secrecy_office)
        if stage is Stage.PRINCIPAL:
            return [self.principal]
        if unit is None:
            return []
        return [unit.head] if stage is Stage.UNIT_HEAD else [unit.deputy]

    def submitters_for(self, kind: Kind, unit_id: str) -> list[str]:
        unit = self.unit_by_id.get(unit_id)
        if kind is Kind.ORIGINAL:
            return [unit.info_officer] if unit else []
        return list(self.operators)

    def roles_of(self, person_id: str) -> list[str]:
        """Chinese descriptions of every role a person holds (for messages)."""
        roles: list[str] = []
        for unit in self.units:
            if unit.info_officer == person_id:
                roles.append(f"{unit.name}信息员")
            if unit.head == person_id:
                roles.append(f"{unit.name}负责人")
            if unit.deputy == person_id:
                roles.append(f"{unit.name}分管领导")
        if person_id in self.secrecy_office:
            roles.append("保密审查办公室成员")
        if person_id == self.principal:
            roles.append("局主要领导")
        if person_id in self.operators:
            roles.append("运维人员")
        if person_id in self.publicity:
            roles.append("宣教科")
        if person_id in self.roster_admins:
            roles.append("名册管理员")
        return roles


def parse_policy(text: str, path: str = POLICY_FILE) -> Policy:
    from fzjj.yamlio import load_yaml  # PyYAML only when a roster is parsed from text

    data: Any = load_yaml(text, path, PolicyError)
    if not isinstance(data, dict):
        raise PolicyError("内容应为一个 YAML 映射", path=path, hint="参考 docs/policies.md。")
    try:
        policy: Policy = Policy.validate(data)
    except SchemaError as exc:
        problems = describe(exc, data)
        field, msg = problems[0]
        more = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
        cause = exc.issues[0].cause
        hint = "各字段的含义与写法见 docs/policies.md。"
        if isinstance(cause, PolicyProblem):
            field = cause.field or field
            hint = (cause.hint or "") + hint
        raise PolicyError(msg + more, path=path, field=field or None, hint=hint) from exc
    return policy


def decode_policy(data: bytes, path: str = POLICY_FILE) -> Policy:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(
            "文件不是 UTF-8 编码", path=path, hint="用 UTF-8 编码另存该文件。"
        ) from exc
    return parse_policy(text.removeprefix("\ufeff"), path)


# ---- the filing record of a roster change (Art. 7) ----------------------------------------

_ROLE_LISTS = {
    "secrecy_office": "保密审查办公室成员",
    "operators": "运维人员",
    "publicity": "宣教科",
    "roster_admins": "名册管理员",
}
_UNIT_ROLES = {"info_officer": "信息员", "head": "负责人", "deputy": "分管领导"}
_SETTINGS = ("account", "timezone", "categories", "quota", "chains", "whitelist", "lint")


def key_label(key: str) -> str:
    """A key as people compare it: the SHA256 fingerprint of an SSH key, an OpenPGP one."""
    if key.startswith("openpgp:"):
        return "OpenPGP " + key.removeprefix("openpgp:")
    return f"{key.split()[0]} {ssh_fingerprint(key)}"


def roster_changes(old: Policy, new: Policy) -> list[str]:
    """What changed from `old` to `new`, one Chinese line each, in the order of the file:
    people and their keys, then roles, units and the other settings."""
    lines = _people_changes(old, new)
    for unit in new.units:
        before = old.unit_by_id.get(unit.id)
        if before is None:
            lines.append(f"新增单位：{unit.name}（{unit.id}）")
            continue
        for name, label in _UNIT_ROLES.items():
            was, now = getattr(before, name), getattr(unit, name)
            if was != now:
                lines.append(
                    f"{unit.name}{label}：{old.name_of(was)}（{was}）→ {new.name_of(now)}（{now}）"
                )
    lines += [f"撤销单位：{u.name}（{u.id}）" for u in old.units if u.id not in new.unit_by_id]
    if old.principal != new.principal:
        lines.append(
            f"局主要领导：{old.name_of(old.principal)}（{old.principal}）→ "
            f"{new.name_of(new.principal)}（{new.principal}）"
        )
    for name, label in _ROLE_LISTS.items():
        was, now = getattr(old, name), getattr(new, name)
        lines += [f"{label}增加：{new.name_of(p)}（{p}）" for p in now if p not in was]
        lines += [f"{label}减少：{old.name_of(p)}（{p}）" for p in was if p not in now]
    changed = [n for n in _SETTINGS if getattr(old, n) != getattr(new, n)]
    if changed:
        lines.append("其他设置有变化：" + "、".join(changed))
    return lines


def _people_changes(old: Policy, new: Policy) -> list[str]:
    lines: list[str] = []
    for person in new.people:
        before = old.person_by_id.get(person.id)
        who = f"{person.name}（{person.id}）"
        keys = [*person.ssh_keys, *("openpgp:" + f for f in person.openpgp)]
        if before is None:
            lines.append(f"新增人员：{who}")
            lines += [f"  登记密钥 {key_label(k)}" for k in keys]
            continue
        if before.name != person.name:
            lines.append(f"人员 {person.id} 更名：{before.name} → {person.name}")
        old_keys = [*before.ssh_keys, *("openpgp:" + f for f in before.openpgp)]
        lines += [f"{who} 登记新密钥 {key_label(k)}" for k in keys if k not in old_keys]
        lines += [
            f"{who} 注销密钥 {key_label(k)}（此前签署的记录仍然有效）"
            for k in old_keys
            if k not in keys and k not in person.compromised_keys
        ]
        lines += [
            f"{who} 的密钥 {key_label(k)} 标记为泄露（它签署的全部记录作废）"
            for k in person.compromised_keys
            if k not in before.compromised_keys
        ]
    for person in old.people:
        if person.id not in new.person_by_id:
            lines.append(f"删除人员：{person.name}（{person.id}），其密钥自此不再有效")
            if person.compromised_keys:
                lines.append(
                    "  注意：该人员名下标记为泄露的密钥随之不再标记，它签署的记录将重新计入；"
                    "应保留该人员条目及其 compromised_keys"
                )
    return lines
