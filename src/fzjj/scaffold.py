"""`fzjj new`: a draft file from the template, with a fresh stable id.

The answers a person gives (unit, kind, category, a forward's source) are resolved here, so
the command line and the interactive prompts accept the same things: a unit's id or its
name, a category's name or its number in the list, a kind's code or its Chinese name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fzjj.draft import FORWARD_TYPES, dump_front_matter, parse_draft
from fzjj.errors import DraftError, UsageError
from fzjj.model import Kind
from fzjj.policy import Policy

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
KIND_NAMES = {Kind.ORIGINAL: "原创", Kind.INTERVIEW: "采访稿", Kind.FORWARD: "转载"}
BODY = "\n正文写在这里。\n"


@dataclass(frozen=True, slots=True)
class ForwardSource:
    """What Art. 4(2) and Art. 5 need to know about forwarded content."""

    name: str
    title: str
    url: str
    type: str


def resolve_unit(policy: Policy, text: str) -> str:
    """A unit id from its id or its name (青阳司法所, or just 青阳)."""
    text = text.strip()
    if text in policy.unit_by_id:
        return text
    named = [u.id for u in policy.units if text and text in (u.name, u.name.removesuffix("司法所"))]
    if len(named) == 1:
        return named[0]
    raise UsageError(
        f"未知单位 {text!r}",
        field="unit",
        hint="填写单位 id 或名称：" + "、".join(f"{u.id}（{u.name}）" for u in policy.units),
    )


def resolve_category(policy: Policy, text: str) -> str:
    """A category from its name or its 1-based number in policies.yaml's list."""
    text = text.strip()
    if text in policy.categories:
        return text
    if text.isdigit() and 1 <= int(text) <= len(policy.categories):
        return policy.categories[int(text) - 1]
    raise UsageError(f"未知栏目 {text!r}", field="category", hint=category_menu(policy))


def category_menu(policy: Policy) -> str:
    return "可选栏目：" + "  ".join(f"{i}. {c}" for i, c in enumerate(policy.categories, 1))


def resolve_kind(text: str) -> Kind:
    text = text.strip()
    for kind, name in KIND_NAMES.items():
        if text in (kind.value, name):
            return kind
    raise UsageError(
        f"未知稿件类型 {text!r}",
        field="kind",
        hint="填写 " + "、".join(f"{k.value}（{n}）" for k, n in KIND_NAMES.items()),
    )


def resolve_forward_type(text: str) -> str:
    text = text.strip()
    if text in FORWARD_TYPES:
        return text
    if text.isdigit() and 1 <= int(text) <= len(FORWARD_TYPES):
        return FORWARD_TYPES[int(text) - 1]
    raise UsageError(
        f"转载类型 {text!r} 不在第四条第二款的范围内",
        field="source.type",
        hint="可选：" + "  ".join(f"{i}. {t}" for i, t in enumerate(FORWARD_TYPES, 1)),
    )


def resolve_title(text: str) -> str:
    title = text.strip()
    if not title or len(title) > 64 or "\n" in title:
        raise UsageError("标题不能为空，不能换行，且不超过 64 字", field="title")
    return title


def new_draft(
    root: Path,
    policy: Policy,
    *,
    unit: str,
    title: str,
    kind: Kind,
    category: str,
    slug: str | None = None,
    source: ForwardSource | None = None,
    now: datetime | None = None,
) -> str:
    """Write content/YYYY/MM/<slug>.md and return its repository path. Never overwrites.

    The id is `YYYYMM-<unit>-<day><n>` (or `YYYYMM-<slug>` when a slug is given), unique
    among the drafts of that month's folder; the file is read back with `parse_draft` before
    this returns, so what it writes always validates.
    """
    unit = resolve_unit(policy, unit)
    category = resolve_category(policy, category)
    title = resolve_title(title)
    if kind is Kind.FORWARD and source is None:
        raise UsageError(
            "转载稿需要来源", hint="给出 --source-name、--source-title、--source-url。"
        )
    if slug is not None and not _SLUG.match(slug):
        raise UsageError("文件名只能含字母、数字、点、横线、下划线", field="slug")
    moment = (now or datetime.now(policy.tz)).astimezone(policy.tz)
    folder = root / "content" / f"{moment:%Y}" / f"{moment:%m}"
    taken = _ids_in(folder)
    name, draft_id = _name_and_id(folder, taken, unit, slug, moment)
    target = folder / f"{name}.md"
    if target.exists():
        raise UsageError(f"文件已存在：{target.relative_to(root)}", hint="换一个 --slug。")
    meta: dict[str, object] = {
        "id": draft_id,
        "title": title,
        "unit": unit,
        "kind": kind.value,
        "category": category,
    }
    if source is not None and kind is Kind.FORWARD:
        meta["source"] = {
            "name": source.name.strip(),
            "title": source.title.strip(),
            "url": source.url.strip(),
            "type": source.type,
        }
    data = dump_front_matter(meta, BODY)
    rel = target.relative_to(root).as_posix()
    try:
        parse_draft(data, rel)
    except DraftError as exc:  # a bad source field, said in the draft's own words
        raise UsageError(exc.message, field=exc.field, hint=exc.hint) from exc
    folder.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as fh:
        fh.write(data)
    return rel


def _name_and_id(
    folder: Path, taken: set[str], unit: str, slug: str | None, moment: datetime
) -> tuple[str, str]:
    prefix = f"{moment:%Y%m}-"
    if slug is not None:
        draft_id = (prefix + re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-"))[:64]
        if draft_id in taken:
            raise UsageError(
                f"本月已有稿件使用 id {draft_id}", field="slug", hint="换一个 --slug。"
            )
        return slug, draft_id
    stem = unit.replace("_", "-")
    number = 1
    while True:
        name = f"{unit}-{moment:%d}-{number:02d}"
        draft_id = f"{prefix}{stem}-{moment:%d}{number:02d}"
        if not (folder / f"{name}.md").exists() and draft_id not in taken:
            return name, draft_id
        number += 1


def _ids_in(folder: Path) -> set[str]:
    """The ids of the drafts already in a month's folder (unreadable files are skipped)."""
    ids: set[str] = set()
    for path in folder.glob("*.md"):
        try:
            ids.add(parse_draft(path.read_bytes(), "content/x/x.md").meta.id)
        except (OSError, DraftError):
            continue
    return ids
