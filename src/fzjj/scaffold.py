"""`fzjj new`: a draft file from the template, with a fresh stable id."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from fzjj.draft import dump_front_matter
from fzjj.errors import UsageError
from fzjj.model import Kind
from fzjj.policy import Policy

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def new_draft(
    root: Path,
    policy: Policy,
    *,
    unit: str,
    title: str,
    kind: Kind,
    category: str,
    slug: str | None = None,
    now: datetime | None = None,
) -> str:
    """Write content/YYYY/MM/<slug>.md and return its repository path. Never overwrites."""
    if unit not in policy.unit_by_id:
        raise UsageError(
            f"未知单位 {unit!r}",
            field="unit",
            hint="可选：" + "、".join(f"{u.id}（{u.name}）" for u in policy.units),
        )
    if category not in policy.categories:
        raise UsageError(
            f"未知栏目 {category!r}", field="category", hint="可选：" + "、".join(policy.categories)
        )
    title = title.strip()
    if not title or len(title) > 64:
        raise UsageError("标题不能为空，且不超过 64 字", field="title")
    moment = (now or datetime.now(policy.tz)).astimezone(policy.tz)
    folder = root / "content" / f"{moment:%Y}" / f"{moment:%m}"
    number = 1
    while True:
        name = slug or f"{unit}-{moment:%d}-{number:02d}"
        draft_id = f"{moment:%Y%m}-{unit.replace('_', '-')}-{moment:%d}{number:02d}"
        if slug or not (folder / f"{name}.md").exists():
            break
        number += 1
    if not _SLUG.match(name):
        raise UsageError("文件名只能含字母、数字、点、横线、下划线", field="slug")
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
    if kind is Kind.FORWARD:
        meta["source"] = {"name": "", "title": "", "url": "https://", "type": "新规政策"}
    data = dump_front_matter(meta, "\n正文写在这里。\n")
    folder.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as fh:
        fh.write(data)
    return target.relative_to(root).as_posix()
