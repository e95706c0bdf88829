"""The record format: a commit message whose trailers say what the commit records.

Every record commit carries, in its last paragraph::

    Fzjj-Action: approve            submit | approve | reject | publish
    Fzjj-Draft: 2026-12-qingyang-01 the draft's stable id
    Fzjj-Path: content/2026/12/qingyang-01.md
    Fzjj-Stage: unit_head           approve / reject only
    Fzjj-Decision: approved         submitted | approved | rejected | published
    Fzjj-SHA256: <hex>              digest of the draft file bytes the record is about
    Fzjj-Blob: <oid>                git blob id of the same bytes (checked against the tree)
    Fzjj-Prev: <commit>             the previous record of this cycle (none for submit)
    Fzjj-Policy: 3                  policies.yaml version the signer acted under
    Fzjj-URL: https://…             publish only
    Fzjj-Opinion: 同意。            意见; further lines continue with one leading space

Pure: formatting and parsing only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from fzjj.draft import DRAFT_ID_PATTERN, PATH_PATTERN
from fzjj.model import Action, Stage

TRAILER_PREFIX = "Fzjj-"
DECISIONS = {
    Action.SUBMIT: "submitted",
    Action.APPROVE: "approved",
    Action.REJECT: "rejected",
    Action.PUBLISH: "published",
}
_KEYS = ("Action", "Draft", "Path", "Stage", "Decision", "SHA256", "Blob", "Prev", "Policy", "URL")
_ALL_KEYS = frozenset((*_KEYS, "Opinion"))
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DRAFT_ID = re.compile(DRAFT_ID_PATTERN)
_TRAILER = re.compile(r"^Fzjj-([A-Za-z0-9]+): ?(.*)$", re.M)
_OID = re.compile(r"^[0-9a-f]{40}$|^[0-9a-f]{64}$")
MAX_OPINION = 2000


@dataclass(frozen=True, slots=True)
class RecordFields:
    action: Action
    draft_id: str
    path: str
    digest: str
    blob: str
    policy_version: int
    stage: Stage | None = None
    prev: str | None = None
    opinion: str = ""
    url: str | None = None


class MalformedRecord(ValueError):
    """The trailers are present but not well-formed; the message is Chinese."""


class _Commit(Protocol):
    @property
    def message(self) -> str: ...


C = TypeVar("C", bound=_Commit)


def split_records(commits: Iterable[C]) -> tuple[list[tuple[C, RecordFields]], list[tuple[C, str]]]:
    """The draft records among `commits` (parsed), and the commits whose Fzjj trailers are
    malformed (with why); commits that are not records are left out."""
    records: list[tuple[C, RecordFields]] = []
    malformed: list[tuple[C, str]] = []
    for commit in commits:
        if TRAILER_PREFIX not in commit.message:
            continue
        try:
            fields = parse_record(commit.message)
        except MalformedRecord as exc:
            malformed.append((commit, str(exc)))
            continue
        if fields is not None and fields.draft_id:
            records.append((commit, fields))
    return records, malformed


def clean_opinion(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def format_message(fields: RecordFields) -> str:
    subject = f"fzjj {fields.action.value} {fields.draft_id}"
    if fields.stage is not None:
        subject += f" ({fields.stage.value})"
    lines = [
        f"Fzjj-Action: {fields.action.value}",
        f"Fzjj-Draft: {fields.draft_id}",
        f"Fzjj-Path: {fields.path}",
    ]
    if fields.stage is not None:
        lines.append(f"Fzjj-Stage: {fields.stage.value}")
    lines += [
        f"Fzjj-Decision: {DECISIONS[fields.action]}",
        f"Fzjj-SHA256: {fields.digest}",
        f"Fzjj-Blob: {fields.blob}",
    ]
    if fields.prev:
        lines.append(f"Fzjj-Prev: {fields.prev}")
    lines.append(f"Fzjj-Policy: {fields.policy_version}")
    if fields.url:
        lines.append(f"Fzjj-URL: {fields.url}")
    opinion = clean_opinion(fields.opinion)
    if opinion:
        first, *rest = opinion.split("\n")
        lines.append(f"Fzjj-Opinion: {first}")
        lines += [f" {line}" for line in rest]
    return subject + "\n\n" + "\n".join(lines) + "\n"


def parse_trailers(message: str) -> dict[str, str] | None:
    """The Fzjj trailers of a commit message; None when it is not a record.

    Raises MalformedRecord for duplicated or unknown Fzjj keys.
    """
    if TRAILER_PREFIX not in message:
        return None
    block = message.rstrip("\n").rsplit("\n\n", 1)[-1]
    if "\n " not in block and not block.startswith(" "):
        # No continuation lines (the usual case): one pass of the C regex engine.
        pairs = _TRAILER.findall(block)
        out = dict(pairs)
        if len(out) != len(pairs) or not out.keys() <= _ALL_KEYS:
            _refuse_keys([k for k, _ in pairs])
        return out or None
    out = {}
    key: str | None = None
    for line in block.split("\n"):
        if line[:1] == " " and key is not None:
            out[key] += "\n" + line[1:]
            continue
        # `Fzjj-<Key>: <value>` (the space after the colon is optional); anything else ends
        # a continuation. Parsed by hand: this runs for every record of the history.
        colon = line.find(":") if line.startswith(TRAILER_PREFIX) else -1
        name = line[5:colon] if colon > 5 else ""
        if not (name.isascii() and name.isalnum()):
            key = None
            continue
        key = name
        if key not in _ALL_KEYS:
            raise MalformedRecord(f"未知的记录字段 Fzjj-{key}")
        if key in out:
            raise MalformedRecord(f"记录字段 Fzjj-{key} 重复出现")
        value = line[colon + 1 :]
        out[key] = value[1:] if value[:1] == " " else value
    return out or None


def _refuse_keys(keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key not in _ALL_KEYS:
            raise MalformedRecord(f"未知的记录字段 Fzjj-{key}")
        if key in seen:
            raise MalformedRecord(f"记录字段 Fzjj-{key} 重复出现")
        seen.add(key)


def parse_record(message: str) -> RecordFields | None:
    """Validated record fields, None when the commit is not a record."""
    raw = parse_trailers(message)
    if raw is None or "Action" not in raw:
        if raw:
            raise MalformedRecord("缺少 Fzjj-Action 字段")
        return None
    try:
        action = Action(raw["Action"])
    except ValueError as exc:
        raise MalformedRecord(f"未知的记录动作 {raw['Action']!r}") from exc
    for needed in ("Draft", "Path", "Decision", "SHA256", "Blob", "Policy"):
        if needed not in raw:
            raise MalformedRecord(f"缺少 Fzjj-{needed} 字段")
    # Both go into git object lookups and messages: a hostile path (`../x`, `a:b`) must
    # make this one record malformed, never break the reading of the whole history.
    if not PATH_PATTERN.match(raw["Path"]):
        raise MalformedRecord("Fzjj-Path 不是 content/YYYY/MM/<名称>.md 形式的稿件路径")
    if not _DRAFT_ID.match(raw["Draft"]):
        raise MalformedRecord("Fzjj-Draft 不是有效的稿件 id")
    if raw["Decision"] != DECISIONS[action]:
        raise MalformedRecord("Fzjj-Decision 与 Fzjj-Action 不一致")
    if not _HEX64.match(raw["SHA256"]):
        raise MalformedRecord("Fzjj-SHA256 不是 64 位十六进制摘要")
    if not _OID.match(raw["Blob"]) or ("Prev" in raw and not _OID.match(raw["Prev"])):
        raise MalformedRecord("Fzjj-Blob 或 Fzjj-Prev 不是提交对象编号")
    stage: Stage | None = None
    if action in (Action.APPROVE, Action.REJECT):
        try:
            stage = Stage(raw.get("Stage", ""))
        except ValueError as exc:
            raise MalformedRecord(f"未知的审核环节 {raw.get('Stage')!r}") from exc
    elif "Stage" in raw:
        raise MalformedRecord("该动作不应带有 Fzjj-Stage")
    if not raw["Policy"].isdigit():
        raise MalformedRecord("Fzjj-Policy 应为整数版本号")
    url = raw.get("URL")
    if (action is Action.PUBLISH) != (url is not None):
        raise MalformedRecord("只有发布记录带 Fzjj-URL，且发布记录必须带")
    opinion = raw.get("Opinion", "")
    if len(opinion) > MAX_OPINION:
        raise MalformedRecord("意见过长")
    return RecordFields(
        action=action,
        draft_id=raw["Draft"],
        path=raw["Path"],
        digest=raw["SHA256"],
        blob=raw["Blob"],
        policy_version=int(raw["Policy"]),
        stage=stage,
        prev=raw.get("Prev"),
        opinion=opinion,
        url=url,
    )
