"""The approval form (信息发布审批表) of the regulation's attachment, filled from records.

Pipeline: ``form_data(state, draft, policy)`` picks the verified records of the current
cycle and turns them into a ``FormData`` (pure, no I/O); ``render_form_html`` fills the
jinja2 template ``form.html.j2``; ``fzjj.render.pdf.render_form_pdf`` draws the same
fields with fpdf2.

The form never prints a signature that the records do not support: only valid records of
the current cycle fill a box, an approval must be about the exact content printed, and every
other box stays blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fzjj.errors import UsageError
from fzjj.model import FULL_CHAIN, PHASE_LABELS, Action, Phase, Record, Stage
from fzjj.rules.gate import exception_notes

if TYPE_CHECKING:
    from fzjj.draft import Draft, Source
    from fzjj.model import DraftState
    from fzjj.policy import Policy

FORM_TEMPLATE = "form.html.j2"
FORM_CSS = "form.css"
FORM_NAME = "信息发布审批表"
FORM_SUFFIX = "-审批表"
CC_LINE = "抄送：福建法治报社"

# The four opinion boxes of the attachment, in its order.
BOX_LABELS: dict[Stage, str] = {
    Stage.UNIT_HEAD: "科室负责人意见",
    Stage.SECRECY_OFFICE: "涉密审查意见（信息公开保密审查工作领导小组办公室）",
    Stage.DEPUTY: "分管领导意见",
    Stage.PRINCIPAL: "主要领导意见",
}
NOT_IN_CHAIN = "（按审核链配置，本类稿件不经此环节）"
REJECTED_PREFIX = "【退回】"
BLANK_DATE = "　　　　年　　月　　日"


@dataclass(frozen=True)
class FormStage:
    """One opinion box. All of opinion/signer/signed_on/commit are None for a blank box."""

    label: str
    opinion: str | None
    signer: str | None  # the signer's name, as the roster spells it
    signed_on: date | None
    commit: str | None  # full id of the record commit
    applies: bool = True  # False when the draft's kind skips this stage


@dataclass(frozen=True)
class FormData:
    """Everything printed on one form, already resolved to names and local dates."""

    account: str
    title: str
    submitted_on: date | None
    unit_name: str
    content: str  # the body as plain text
    submitter: str | None
    stages: tuple[FormStage, ...]  # the four boxes, in the attachment's order
    draft_id: str
    path: str
    digest: str
    record_commits: tuple[str, ...]
    state_label: str
    exceptions: tuple[str, ...]  # lint exceptions recorded in the draft, shown on the form
    source_line: str | None  # 来源 line for forwards and reused material

    @property
    def heading(self) -> tuple[str, str]:
        """The form's two title lines."""
        return (f"“{self.account}”政务微信公众号", FORM_NAME)

    def dates(self) -> list[date]:
        """Every date printed on the form."""
        stages = [s.signed_on for s in self.stages if s.signed_on is not None]
        return [self.submitted_on, *stages] if self.submitted_on else stages

    @property
    def file_stem(self) -> str:
        """`<draft-id>-审批表`, checked to be a safe file name."""
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{2,63}", self.draft_id):
            raise UsageError(
                f"稿件编号“{self.draft_id}”不能用作文件名",
                path=self.path,
                field="id",
                hint="稿件 id 只能含小写字母、数字和横线。",
            )
        return self.draft_id + FORM_SUFFIX


# ---- building FormData from records -------------------------------------------------------


def form_data(state: DraftState, draft: Draft, policy: Policy) -> FormData:
    """Fill the form from a draft's verified state.

    `state.submission` and `state.approvals` are the valid records of the current cycle;
    they are filtered again here (valid, signed, right action, and about the digest of the
    printed content), so that a record that does not hold, or that an edit made after it
    voided, is never printed as a signature.
    """
    submission = _about(_valid(state.submission, Action.SUBMIT), draft)
    boxes, commits = _stage_boxes(state, draft, policy)
    record_commits = ([submission.commit] if submission else []) + commits
    publication = _about(_valid(state.publication, Action.PUBLISH), draft)
    if publication is not None:
        record_commits.append(publication.commit)
    return FormData(
        account=policy.account,
        title=draft.meta.title,
        submitted_on=_local_date(submission, policy),
        unit_name=policy.unit_name(draft.meta.unit),
        content=plain_text(draft.body),
        submitter=policy.name_of(submission.signer) if submission else None,
        stages=boxes,
        draft_id=draft.meta.id,
        path=draft.path,
        digest=draft.digest,
        record_commits=tuple(dict.fromkeys(record_commits)),
        state_label=PHASE_LABELS[state.phase],
        exceptions=tuple(exception_notes(draft)),
        source_line=_source_line(draft),
    )


def _valid(record: Record | None, action: Action) -> Record | None:
    if record is None or not record.valid or record.signer is None or record.action is not action:
        return None
    return record


def _about(record: Record | None, draft: Draft) -> Record | None:
    """The record if it is about the exact content printed on the form."""
    return record if record is not None and record.digest == draft.digest else None


def _local_date(record: Record | None, policy: Policy) -> date | None:
    return record.when.astimezone(policy.tz).date() if record is not None else None


def _stage_boxes(
    state: DraftState, draft: Draft, policy: Policy
) -> tuple[tuple[FormStage, ...], list[str]]:
    """The four boxes and the commits that filled them, in chain order."""
    by_stage: dict[Stage, Record] = {}
    for candidate in state.approvals:
        approval = _about(_valid(candidate, Action.APPROVE), draft)
        if approval is not None and approval.stage is not None:
            by_stage.setdefault(approval.stage, approval)
    rejected = state.phase is Phase.REJECTED
    rejection = _about(_valid(state.rejection, Action.REJECT), draft) if rejected else None
    chain = policy.chains.get(draft.meta.kind, list(FULL_CHAIN))
    boxes: list[FormStage] = []
    commits: list[str] = []
    for stage in FULL_CHAIN:
        record: Record | None = by_stage.get(stage)
        opinion = record.opinion if record else None
        if record is None and rejection is not None and rejection.stage is stage:
            record, opinion = rejection, REJECTED_PREFIX + rejection.opinion
        if record is None:
            boxes.append(FormStage(BOX_LABELS[stage], None, None, None, None, stage in chain))
            continue
        commits.append(record.commit)
        boxes.append(
            FormStage(
                label=BOX_LABELS[stage],
                opinion=opinion,
                signer=policy.name_of(record.signer),
                signed_on=_local_date(record, policy),
                commit=record.commit,
                applies=stage in chain,
            )
        )
    return tuple(boxes), commits


def _describe_source(source: Source) -> str:
    return f"{source.name}《{source.title}》 {source.url}"


def _source_line(draft: Draft) -> str | None:
    parts: list[str] = []
    if draft.meta.source is not None:
        parts.append("来源：" + _describe_source(draft.meta.source))
    if draft.meta.reuse:
        parts.append("引用来源：" + "；".join(_describe_source(s) for s in draft.meta.reuse))
    return "　".join(parts) if parts else None


# ---- Markdown body → plain text ------------------------------------------------------------


def plain_text(markdown: str) -> str:
    """The body as it reads, without Markdown syntax: one line per block, lists marked."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    lines: list[str] = []
    lists: list[list[int]] = []  # per open list: [ordered?, next number]
    marker = ""
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(str(token.attrGet("start") or 1))
            lists.append([kind == "ordered_list_open", start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            marker = f"{number}. " if ordered else "· "
            lists[-1][1] = number + 1
        elif kind == "inline":
            indent = "　" * max(len(lists) - 1, 0)
            lines.append(indent + marker + _inline_text(token.children or []))
            marker = ""
        elif kind in ("fence", "code_block", "html_block"):
            lines.append(token.content.rstrip("\n"))
        elif kind == "hr":
            lines.append("————")
    return "\n".join(lines).strip("\n")


def _inline_text(children: list[Any]) -> str:
    out: list[str] = []
    href: str | None = None
    link_start = 0
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif kind == "softbreak":
            out.append("\x00")  # resolved below: nothing between CJK, a space otherwise
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "image":
            out.append(f"［图片：{child.content}］" if child.content else "［图片］")
        elif kind == "link_open":
            href, link_start = str(child.attrGet("href") or ""), len(out)
        elif kind == "link_close" and href is not None:
            label = "".join(out[link_start:])
            if href and not href.startswith("#") and href != label:
                out.append(f"（{href}）")
            href = None
    return _join_soft("".join(out))


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _join_soft(text: str) -> str:
    pieces = text.split("\x00")
    joined = pieces[0]
    for piece in pieces[1:]:
        tight = bool(joined and _CJK.match(joined[-1])) or bool(piece and _CJK.match(piece[0]))
        joined += piece if tight else " " + piece
    return joined


# ---- display helpers shared by HTML and PDF -----------------------------------------------


def cn_date(value: date | None) -> str:
    """`2026 年 1 月 5 日`, or the blank `年 月 日` of the paper form."""
    if value is None:
        return BLANK_DATE
    return f"{value.year} 年 {value.month} 月 {value.day} 日"


def short_digest(digest: str) -> str:
    """The first 16 hex digits in groups of four: easy to read aloud and to type."""
    head = digest[:16]
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def short_commit(commit: str) -> str:
    return commit[:12]


def record_lines(data: FormData) -> list[str]:
    """The lines that tie the paper form to its digital record."""
    commits = "、".join(short_commit(c) for c in data.record_commits) or "（尚无有效记录）"
    return [
        f"电子记录　稿件编号：{data.draft_id}　状态：{data.state_label}　文件：{data.path}",
        f"内容摘要（SHA-256 前 16 位）：{short_digest(data.digest)}　记录提交：{commits}",
    ]


def template_context(data: FormData, css: str) -> dict[str, Any]:
    """The variables `form.html.j2` sees (documented in docs/forms.md)."""
    from markupsafe import Markup

    if "</style" in css.lower():
        raise UsageError(
            "表格样式文件中不能出现 </style>",
            path=f"templates/{FORM_CSS}",
            hint="删除该文件中的 HTML 标签，只保留 CSS。",
        )
    return {
        "form": data,
        "heading": data.heading,
        "submitted_on": cn_date(data.submitted_on),
        "stages": [
            {
                "label": stage.label,
                "label_main": stage.label.partition("（")[0],
                "label_note": "".join(stage.label.partition("（")[1:]),
                "opinion": stage.opinion if stage.applies else (stage.opinion or NOT_IN_CHAIN),
                "signer": stage.signer or "",
                "date": cn_date(stage.signed_on),
                "commit": short_commit(stage.commit) if stage.commit else "",
                "filled": stage.commit is not None,
            }
            for stage in data.stages
        ],
        "digest_short": short_digest(data.digest),
        "record_lines": record_lines(data),
        "commits_short": [short_commit(c) for c in data.record_commits],
        "cc_line": CC_LINE,
        "css": Markup(css),  # trusted: the packaged default or the repository's templates/
    }


def render_form_html(data: FormData, *, repo_root: Path | None) -> str:
    """A4 print-ready HTML of the form, from `form.html.j2` (repository copy first).

    The page carries its own font: a first pass finds the characters printed, the second
    adds Noto Serif SC cut down to them (`font_face`), so no system font is needed.
    """
    from markupsafe import Markup

    from fzjj.render.fonts import font_face_css
    from fzjj.render.templating import read_asset, render_template

    context = template_context(data, read_asset(repo_root, FORM_CSS))
    draft_page = render_template(repo_root, FORM_TEMPLATE, {**context, "font_face": Markup("")})
    context["font_face"] = Markup(font_face_css(draft_page))
    return render_template(repo_root, FORM_TEMPLATE, context)
