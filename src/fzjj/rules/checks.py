"""`check_content`: every content rule for one draft, as a list of violations.

Art. 3 (the category is one the policy lists), Art. 4(2) (a forward comes from a
whitelisted source), Art. 5 (attribution and permission) and Art. 1 (the lint). Pure: the
draft and the policy come in, violations go out; nothing is read from disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from fzjj.draft import line_of
from fzjj.model import Kind, Severity, Violation
from fzjj.rules import codes
from fzjj.rules.hosts import HINT_URL, UrlProblem, find_source, parse_url
from fzjj.rules.lint import Finding, matcher_for

if TYPE_CHECKING:
    from fzjj.draft import Draft, LintException, Source
    from fzjj.policy import Policy
    from fzjj.rules.config import LintConfig, WhitelistSource

_LINT_MESSAGES = {
    codes.CLASSIFICATION_MARK: "发现密级标志“{shown}”",
    codes.SENSITIVE_WORD: "发现敏感词“{shown}”",
    codes.RESIDENT_ID: "发现居民身份证号码 {shown}",
    codes.MOBILE: "发现手机号码 {shown}",
    codes.BANK_CARD: "发现银行卡号 {shown}",
    codes.PARTY_NAME: "{title}“{shown}”的姓名未匿名化",
    codes.CLASSIFICATION_TERM: "出现涉密词语“{shown}”，请确认内容不涉密",
}
_LINT_HINTS = {
    codes.CLASSIFICATION_MARK: (
        "涉密或内部材料不得发布（第一条）。删除该内容，或交保密审查办公室确认。"
    ),
    codes.SENSITIVE_WORD: "该词在 policies.yaml 的 lint.sensitive_words 中，请改写或删除。",
    codes.RESIDENT_ID: "删除身份证号码，或只保留前 4 位与后 4 位以外全部打码。",
    codes.MOBILE: "删除手机号码；需公布联系方式的，请用单位办公电话。",
    codes.BANK_CARD: "删除银行卡号。",
    codes.PARTY_NAME: "案件当事人请写作“张某”“张某某”等匿名形式。",
    codes.CLASSIFICATION_TERM: "如确不涉密，可在 lint_exceptions 中登记例外并写明理由。",
}
# Words in a body that say the text was taken from elsewhere (Art. 5). "来源：" alone is not
# among them: units sign their own pieces "来源：青阳司法所".
_REUSE_NOTE = re.compile(
    r"转载自|(?:^|(?<=[\n（(【]))[ \t]*(?:转自|原标题|原文链接)[ \t]*[:：]", re.M
)
_REUSE_WORDS = ("转载自", "转自", "原标题", "原文链接")
HINT_UNDECLARED_REUSE = (
    "整篇转载的，请以 kind: forward 报送，并在 source 中写明来源、原标题、链接和类型"
    "（只能转载白名单来源，第四条第二款）；只引用了部分内容的，在 reuse 中登记来源 name、"
    "原标题 title 和链接 url（第五条）。"
)
HINT_EXCEPTION = (
    "如确需保留，请在 front-matter 的 lint_exceptions 中登记：rule 写规则代码，"
    "match 写匹配文字（可用打码后的形式），reason 写理由；例外会显示给每位审核人并印在审批表上。"
)


@dataclass(frozen=True, slots=True)
class _Hit:
    finding: Finding
    line: int | None
    column: int | None
    where: str  # "" for the body, else the front-matter field


def check_content(draft: Draft, policy: Policy, *, today: date | None = None) -> list[Violation]:
    """Every content-rule violation of one draft, front-matter first, then the text in order.

    `today` bounds plausible birth dates in resident IDs and the dates of permission
    records; it defaults to the current date in the policy's time zone.
    """
    if today is None:
        today = datetime.now(policy.tz).date()
    report = _Report(draft, policy.lint)
    _check_category(report, policy.categories)
    _check_forward(report, policy)
    _check_attribution(report, policy, today)
    _check_undeclared_reuse(report)
    _check_lint(report, today)
    return report.violations


class _Report:
    """Collects violations for one draft, applying the policy's severities."""

    def __init__(self, draft: Draft, lint: LintConfig) -> None:
        self.draft = draft
        self.lint = lint
        self.violations: list[Violation] = []

    def add(
        self,
        code: str,
        message: str,
        *,
        hint: str | None = None,
        line: int | None = None,
        column: int | None = None,
        severity: Severity | None = None,
        field: str | None = None,
    ) -> None:
        """Add a violation; `field` (e.g. `source.url`) locates it in the front-matter."""
        if line is None and field:
            line = _field_line(self.draft, field)
        self.violations.append(
            Violation(
                code=code,
                message=message,
                path=self.draft.path,
                line=line,
                column=column,
                draft_id=self.draft.meta.id,
                severity=severity or self.lint.severity_of(code),
                hint=hint,
            )
        )


def _field_line(draft: Draft, field: str) -> int | None:
    """The line of a front-matter field; for `source.url` and the like, of the sub-field
    when it is written in block style on its own line, else of the top-level field."""
    top, _, sub = field.partition(".")
    first = line_of(draft, top)
    if not sub or first is None:
        return first
    lines = draft.front.splitlines()  # lines[0] is file line 2
    for number in range(first + 1, len(lines) + 2):
        text = lines[number - 2]
        if text[:1] not in (" ", "\t"):
            break
        if re.match(rf"\s+{re.escape(sub)}\s*:", text):
            return number
    return first


def _check_category(report: _Report, categories: list[str]) -> None:
    category = report.draft.meta.category
    if category not in categories:
        report.add(
            codes.CATEGORY_UNKNOWN,
            f"category：栏目“{category}”不在 policies.yaml 的 categories 中（第三条）",
            hint=f"可选栏目：{'、'.join(categories)}。",
            field="category",
        )


def _check_forward(report: _Report, policy: Policy) -> None:
    meta = report.draft.meta
    if meta.kind is not Kind.FORWARD:
        return
    source = meta.source
    if source is None:
        report.add(
            codes.FORWARD_NO_SOURCE,
            "转载稿必须写明来源 source（第四条第二款、第五条）",
            hint=(
                "在 front-matter 中写 source: 来源名称 name、原标题 title、"
                "原文链接 url、类型 type。"
            ),
            field="kind",
        )
        return
    if source.type is None:
        report.add(
            codes.FORWARD_NO_TYPE,
            "source.type：转载稿必须写明转载类型",
            hint="type 取 时政热点、新规政策 或 普法案例（第四条第二款）。",
            field="source",
        )
    found = find_source(source.url, policy.whitelist)
    if found.source is None:
        code = found.code or codes.URL_INVALID
        report.add(code, f"source.url：{found.reason}", hint=found.hint, field="source.url")
        return
    _check_matched(report, source, found.source)


def _check_matched(report: _Report, source: Source, listed: WhitelistSource) -> None:
    if not listed.confirmed:
        report.add(
            codes.SOURCE_UNCONFIRMED,
            f"source.url：白名单来源“{listed.name}”的登记信息尚未经局里确认",
            hint="请宣教科核实该来源的网站和公众号后，在 policies.yaml 中把 confirmed 改为 true。",
            field="source.url",
        )
    if _plain(source.name) not in {_plain(name) for name in listed.names}:
        report.add(
            codes.SOURCE_NAME_MISMATCH,
            f"source.name：来源写作“{source.name}”，但链接属于“{listed.name}”",
            hint=f"来源名称请写“{listed.name}”或其登记的别名，与原文链接一致（第五条注明出处）。",
            field="source.name",
        )
    if listed.permission_required and source.permission is None:
        _missing_permission(report, "source", f"白名单来源“{listed.name}”要求转载前取得授权")


def _check_attribution(report: _Report, policy: Policy, today: date) -> None:
    """Art. 5: reused material has a trustworthy link, and consent where it is needed."""
    meta = report.draft.meta
    items = [("source", meta.source)] if meta.source is not None else []
    items += [(f"reuse[{i}]", item) for i, item in enumerate(meta.reuse)]
    for field, item in items:
        forwarded = field == "source" and meta.kind is Kind.FORWARD
        if not forwarded:  # a forward's link is judged by the whitelist in _check_forward
            try:
                parse_url(item.url)
            except UrlProblem as exc:
                message = f"{field}.url：{exc.reason}"
                report.add(codes.URL_INVALID, message, hint=HINT_URL, field=field)
        if item.permission is not None:
            if item.permission.date > today:
                report.add(
                    codes.PERMISSION_MISSING,
                    f"{field}.permission：授权日期 {item.permission.date} 晚于今天（{today}），"
                    "不是已经取得的授权（第五条）",
                    hint="date 写实际取得授权的日期；尚未取得授权的，取得后再报送。",
                    field=field,
                )
            continue
        listed = None if forwarded else _permission_source(item, policy)
        if item.permission_required:
            _missing_permission(report, field, "稿件注明该材料需要著作权人授权")
        elif listed is not None:
            why = f"链接属于白名单来源“{listed.name}”，policies.yaml 要求使用其材料前取得授权"
            _missing_permission(report, field, why)


def _check_undeclared_reuse(report: _Report) -> None:
    """A body that says it was taken from elsewhere, in a draft that declares no source."""
    draft = report.draft
    if draft.meta.kind is Kind.FORWARD or draft.meta.source or draft.meta.reuse:
        return
    if not any(word in draft.body for word in _REUSE_WORDS):
        return  # substring tests are far cheaper than the expression on every body
    note = _REUSE_NOTE.search(draft.body)
    if note is None:
        return
    start = note.start() + len(note.group()) - len(note.group().lstrip(" \t"))
    line_start = draft.body.rfind("\n", 0, start) + 1
    report.add(
        codes.UNDECLARED_REUSE,
        f"正文写有“{note.group().strip()}”，但稿件不是转载稿，也没有用 reuse 登记来源"
        "（第四条第二款、第五条）",
        hint=HINT_UNDECLARED_REUSE,
        line=draft.body_line + draft.body.count("\n", 0, start),
        column=start - line_start + 1,
    )


def _permission_source(item: Source, policy: Policy) -> WhitelistSource | None:
    """The whitelisted source of a link when policies.yaml says its material needs consent."""
    listed = find_source(item.url, policy.whitelist).source
    return listed if listed is not None and listed.permission_required else None


def _missing_permission(report: _Report, field: str, why: str) -> None:
    report.add(
        codes.PERMISSION_MISSING,
        f"{field}.permission：{why}，但没有授权记录（第五条）",
        hint=f"在 {field} 下写 permission: 授权人 granted_by、日期 date、方式 method。",
        field=field,
    )


def _plain(name: str) -> str:
    return "".join(name.split()).strip("《》“”\"'")


def _check_lint(report: _Report, today: date) -> None:
    draft = report.draft
    matcher = matcher_for(report.lint)
    hits = _front_hits(draft, "title", draft.meta.title, matcher.scan(draft.meta.title, today))
    if draft.meta.source is not None:
        value = draft.meta.source.title
        hits += _front_hits(draft, "source", value, matcher.scan(value, today), "source.title")
    for index, item in enumerate(draft.meta.reuse):
        found = matcher.scan(item.title, today)
        hits += _front_hits(draft, "reuse", item.title, found, f"reuse[{index}].title")
    body = draft.body
    for finding in matcher.scan(body, today):
        line_start = body.rfind("\n", 0, finding.start) + 1
        line = draft.body_line + body.count("\n", 0, finding.start)
        hits.append(_Hit(finding, line, finding.start - line_start + 1, ""))
    _report_hits(report, hits, draft.meta.lint_exceptions)


def _front_hits(
    draft: Draft, field: str, value: str, found: list[Finding], where: str | None = None
) -> list[_Hit]:
    """Findings in a front-matter value, located on the file line that holds the value.

    The column is exact when the value is written on one line as it reads (plain or simply
    quoted); otherwise the finding points at the field's first line without a column.
    """
    first = line_of(draft, field)
    line, column = first, None
    if found and first is not None:
        lines = draft.front.splitlines()  # lines[0] is file line 2
        for number in range(first, len(lines) + 2):
            text = lines[number - 2]
            if number > first and text[:1] not in (" ", "\t"):
                break  # the next top-level field: the value is not written plainly
            offset = text.find(value)
            if offset >= 0:
                line, column = number, offset + 1
                break
    return [
        _Hit(f, line, None if column is None else column + f.start, where or field) for f in found
    ]


def _report_hits(report: _Report, hits: list[_Hit], exceptions: list[LintException]) -> None:
    used: set[int] = set()
    for hit in hits:
        finding = hit.finding
        message = _LINT_MESSAGES[finding.code].format(shown=finding.shown, title=finding.title)
        if hit.where:
            message = f"{hit.where}：{message}"
        index = _covering(finding, exceptions)
        if index is None:
            hint = f"{_LINT_HINTS[finding.code]}{HINT_EXCEPTION}"
            report.add(finding.code, message, hint=hint, line=hit.line, column=hit.column)
            continue
        used.add(index)
        reason = exceptions[index].reason
        message += f"（已登记例外：{reason}）"
        report.add(finding.code, message, line=hit.line, column=hit.column, severity=Severity.WARN)
    _report_unused(report, exceptions, used)


def _covering(finding: Finding, exceptions: list[LintException]) -> int | None:
    for index, exception in enumerate(exceptions):
        if exception.rule.strip().upper() != finding.code or not _justified(exception):
            continue
        wanted = exception.match
        if wanted is None:
            return index
        compact = "".join(wanted.split()).replace("-", "")
        if wanted.strip() in (finding.text, finding.shown) or compact == finding.text:
            return index
    return None


def _justified(exception: LintException) -> bool:
    """An exception counts only with a real reason: at least two non-blank characters."""
    return len("".join(exception.reason.split())) >= 2


def _report_unused(report: _Report, exceptions: list[LintException], used: set[int]) -> None:
    for index, exception in enumerate(exceptions):
        if index in used:
            continue
        rule = exception.rule.strip().upper()
        field = f"lint_exceptions[{index}]"
        if rule not in codes.LINT_CODES or rule == codes.EXCEPTION_UNUSED:
            message = f"{field}：规则代码 {exception.rule} 不是可登记例外的检查规则"
            hint = "只有 L101–L107 的检查结果可以登记例外；来源与栏目规则（C 开头）不能豁免。"
        elif not _justified(exception):
            message = f"{field}：例外 {rule} 没有写明理由，不予采用"
            hint = "在 reason 中写明为什么可以保留（如“当事人本人书面同意公开”）。"
        else:
            shown = f"“{exception.match}”" if exception.match else ""
            message = f"{field}：例外 {rule}{shown} 没有对应的检查结果"
            hint = "内容已修改的，请删除这条例外，以免日后掩盖新的问题。"
        report.add(codes.EXCEPTION_UNUSED, message, hint=hint, field="lint_exceptions")
