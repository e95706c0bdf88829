"""Drafts: `content/YYYY/MM/<slug>.md`, YAML front-matter plus a Markdown body.

Pure: `parse_draft` takes the file's bytes. Front-matter is split and dumped by
`FrontMatterRules`, fzjj's strict YAML rules in python-frontmatter's handler protocol. The
digest that approvals bind to is the SHA-256 of exactly those bytes (front-matter and body).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fzjj.errors import DraftError
from fzjj.model import Kind
from fzjj.schema import (
    Boolean,
    Day,
    EnumOf,
    ListOf,
    Nested,
    OneOf,
    Optional,
    Record,
    SchemaError,
    Text,
    field,
)
from fzjj.validation import describe

CONTENT_DIR = "content"
DRAFT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,63}$"
PATH_PATTERN = re.compile(r"^content/(\d{4})/(0[1-9]|1[0-2])/[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.md$")
FORWARD_TYPES = ("时政热点", "新规政策", "普法案例")
MAX_DRAFT_BYTES = 2_000_000


class Permission(Record):
    """Consent of the copyright holder (Art. 5)."""

    granted_by: str = field(Text(1, 100))
    date: date = field(Day())
    method: str = field(Text(1, 200))


class Source(Record):
    """Where forwarded or reused material comes from (Art. 4(2), Art. 5)."""

    name: str = field(Text(1, 100))
    title: str = field(Text(1, 200))
    url: str = field(Text(1, 2000))
    type: str | None = field(Optional(OneOf(*FORWARD_TYPES)), default=None)
    permission_required: bool = field(Boolean(), default=False)
    permission: Permission | None = field(Optional(Nested(Permission)), default=None)


class LintException(Record):
    """A justified exception to a lint finding, shown to every reviewer and on the form."""

    rule: str = field(Text(1, 40))
    match: str | None = field(Optional(Text(max_len=200)), default=None)
    reason: str = field(Text(2, 500))


class Emergency(Record):
    """Art. 8: emergency information, coordinated with the propaganda department."""

    coordinated_with: str = field(Text(1, 100))
    note: str = field(Text(max_len=500), default="")


def _title(value: str) -> str:
    if value != value.strip() or "\n" in value:
        raise ValueError("标题首尾不能有空白，也不能换行")
    return value


class FrontMatter(Record):
    id: str = field(Text(pattern=DRAFT_ID_PATTERN))
    title: str = field(Text(1, 64), after=_title)
    unit: str = field(Text(1, 64))
    kind: Kind = field(EnumOf(Kind))
    category: str = field(Text(1, 40))
    author: str | None = field(Optional(Text(max_len=32)), default=None)
    editor: str | None = field(Optional(Text(max_len=32)), default=None)
    source: Source | None = field(Optional(Nested(Source)), default=None)
    reuse: list[Source] = field(ListOf(Nested(Source)), default_factory=list)
    emergency: Emergency | None = field(Optional(Nested(Emergency)), default=None)
    lint_exceptions: list[LintException] = field(
        ListOf(Nested(LintException)), default_factory=list
    )


@dataclass(frozen=True)
class Draft:
    path: str
    meta: FrontMatter
    front: str  # the front-matter text, for line numbers
    body: str
    body_line: int  # 1-based line where the body starts
    digest: str


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)


class FrontMatterRules:
    """fzjj's front-matter rules, in python-frontmatter's handler protocol.

    Splitting keeps the body byte for byte (python-frontmatter's own `parse` strips it, and
    approvals bind to the exact bytes); loading goes through `fzjj.yamlio` (no aliases, no
    key written twice, no impossible dates, bounded size); exporting double-quotes strings
    YAML would read back differently. `path` only names the file in error messages.
    Reading uses these methods directly; writing hands them to python-frontmatter as a
    handler (`dump_front_matter`), which is imported only there: every command reads
    drafts, few write them, and start-up counts for the server hook and CI.
    """

    FM_BOUNDARY = _FENCE
    START_DELIMITER = END_DELIMITER = "---"

    def __init__(self, path: str = "") -> None:
        self.path = path

    def detect(self, text: str) -> bool:
        return _FENCE.match(text) is not None

    def split(self, text: str) -> tuple[str, str]:
        match = _FENCE.match(text)
        if not match:
            raise DraftError(
                "缺少 front-matter：文件应以 --- 开头的 YAML 块开始，并以 --- 结束",
                path=self.path,
                line=1,
                hint="用 fzjj new 生成草稿，或参考 docs/drafts.md。",
            )
        return match.group(1), text[match.end() :]

    def load(self, fm: str, **kwargs: object) -> Any:
        from fzjj.yamlio import load_yaml  # PyYAML only when a draft is parsed

        return load_yaml(fm, self.path, DraftError, first_line=2)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        from fzjj.yamlio import dump_yaml

        return dump_yaml(metadata)

    def format(self, post: Any, **kwargs: object) -> str:
        return f"---\n{self.export(post.metadata)}---\n{post.content}"


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """(yaml text, body, body start line)."""
    head, body = FrontMatterRules(path).split(text)
    return head, body, head.count("\n") + 3 if head else 3


def check_path(path: str) -> None:
    if not PATH_PATTERN.match(path):
        raise DraftError(
            "草稿路径应为 content/YYYY/MM/<名称>.md（名称只含字母、数字、点、横线、下划线）",
            path=path,
            hint="把文件移到对应年月的目录下。",
        )


def parse_draft(data: bytes, path: str) -> Draft:
    """Validate one draft file. Cross-checks against the policy live in `check_draft`."""
    if len(data) > MAX_DRAFT_BYTES:
        raise DraftError("文件过大（超过 2 MB）", path=path, hint="拆分稿件或移除嵌入内容。")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DraftError(
            f"文件不是 UTF-8 编码（第 {exc.start} 字节起无法解码）",
            path=path,
            hint="用 UTF-8 编码另存该文件（WPS/记事本“另存为”时选择 UTF-8）。",
        ) from exc
    if "\x00" in text:
        raise DraftError(
            "文件含有空字符（\\0），不是文本文件",
            path=path,
            hint="稿件应为 UTF-8 文本；用文本编辑器打开检查，或从 fzjj new 生成的文件重新开始。",
        )
    text = text.removeprefix("\ufeff")
    head, body, body_line = split_front_matter(text, path)
    raw: Any = FrontMatterRules(path).load(head)
    if not isinstance(raw, dict):
        raise DraftError(
            "front-matter 应为 YAML 映射（键: 值）",
            path=path,
            line=2,
            hint="每行写一个 字段: 值，例如 title: 标题；说明见 docs/drafts.md。",
        )
    try:
        meta: FrontMatter = FrontMatter.validate(raw)
    except SchemaError as exc:
        problems = describe(exc, raw)
        field, msg = problems[0]
        more = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
        unknown = exc.issues[0].kind == "extra_forbidden"
        raise DraftError(
            msg + more,
            path=path,
            field=field or None,
            line=_field_line(head, field),
            hint=_allowed_hint(field) if unknown else _hint_for(field),
        ) from exc
    return Draft(
        path=path, meta=meta, front=head, body=body, body_line=body_line, digest=digest_bytes(data)
    )


def _field_line(head: str, field: str) -> int | None:
    top = field.split(".")[0].split("[")[0]
    for number, line in enumerate(head.splitlines(), start=2):
        if re.match(rf"^{re.escape(top)}\s*:", line):
            return number
    return 1 if top else None


_HINTS = {
    "id": "id 只能含小写字母、数字和横线，3–64 个字符，例如 2026-12-qingyang-01；写定后不要再改。",
    "kind": "kind 取 original（原创）、interview（采访稿）或 forward（转载）。",
    "date": "日期写成 YYYY-MM-DD，并且必须是日历上存在的日期。",
    "source": "转载稿需写 source: 来源名称 name、原标题 title、链接 url、类型 type。",
}


_MODELS: dict[str, type[Record]] = {
    "source": Source,
    "reuse": Source,
    "permission": Permission,
    "emergency": Emergency,
    "lint_exceptions": LintException,
}


def _allowed_hint(field: str) -> str:
    parts = [p.split("[")[0] for p in field.split(".")]
    model = _MODELS.get(parts[-2], FrontMatter) if len(parts) > 1 else FrontMatter
    names = "、".join(model.FIELDS)
    return f"这里允许的字段：{names}。字段名区分大小写；说明见 docs/drafts.md。"


def line_of(draft: Draft, field: str) -> int | None:
    """The file line where a front-matter field starts."""
    return _field_line(draft.front, field)


def _hint_for(field: str) -> str:
    top = field.split(".")[0].split("[")[0]
    if field.endswith("date"):
        return _HINTS["date"]
    return _HINTS.get(top, "参考 docs/drafts.md 中的 front-matter 说明。")


def dump_draft(meta: FrontMatter, body: str) -> bytes:
    """The file text for `meta` and `body`; `parse_draft` reads back the same values.

    Fields left at their defaults are omitted, so a dumped draft stays as short as a
    hand-written one.
    """
    return dump_front_matter(meta.to_data(exclude_defaults=True), body)


def dump_front_matter(metadata: dict[str, Any], body: str) -> bytes:
    """A draft file from plain front-matter values (not validated: `fzjj new` writes a
    forward's empty `source` for the officer to fill in)."""
    import frontmatter
    from frontmatter.default_handlers import BaseHandler

    class Handler(FrontMatterRules, BaseHandler):  # type: ignore[misc]
        """fzjj's rules as a python-frontmatter handler."""

    post = frontmatter.Post(body, **metadata)
    return frontmatter.dumps(post, handler=Handler()).encode()


def draft_month(path: str) -> tuple[int, int] | None:
    match = PATH_PATTERN.match(path)
    return (int(match.group(1)), int(match.group(2))) if match else None
