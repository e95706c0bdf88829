"""`fzjj check`: the whole repository, or what a pull request or a push adds.

Pipeline of the full check: `history.load` (policies.yaml trust, every record verified, the
chains replayed, drafts parsed) → the content rules of every draft → records whose
signatures a squash or rebase merge destroyed → one ordered list of violations. The
pull-request mode lives in `fzjj.prcheck`; the server hook in `fzjj.hook`. Output formats
(text, json, github, junit) are pure functions of a `CheckReport`.

Pure apart from the reads through `GitRepo`; no typer, no rich.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from fzjj.errors import ExitCode, FzjjError, PolicyError
from fzjj.gitstore import Commit, GitRepo
from fzjj.model import Severity, Violation

if TYPE_CHECKING:
    from fzjj.chain import RecordInput
    from fzjj.records import RecordFields

JSON_SCHEMA = "fzjj-check/1"
FORMATS = ("text", "json", "github", "junit")

# Codes this module and its siblings (prcheck, hook) report.
POLICY_INVALID = "G001"
MERGE_SQUASH = "G010"
MERGE_RECREATED = "G011"
PUSH_NOT_FAST_FORWARD = "G020"
PUSH_DELETE = "G021"
PUSH_OTHER_REF = "G022"

# Every code of fzjj's own checks: code → (short Chinese title, area).
# Areas group the JUnit test cases: policy, drafts, records, merge, push.
CODES: dict[str, tuple[str, str]] = {
    "P001": ("policies.yaml 无法解析，修改不生效", "policy"),
    "P002": ("名册修改没有有效签名", "policy"),
    "P003": ("名册修改者不是名册管理员", "policy"),
    "P004": ("名册版本号没有递增", "policy"),
    "P005": ("policies.yaml 被删除", "policy"),
    "P006": ("当前 policies.yaml 不是可信名册", "policy"),
    POLICY_INVALID: ("policies.yaml 格式错误", "policy"),
    "D001": ("稿件文件无效", "drafts"),
    "D002": ("稿件 id 重复", "drafts"),
    "D003": ("稿件单位不在名册中", "drafts"),
    "R001": ("发布时审核链不完整（先审后发）", "records"),
    "R003": ("发布后内容被修改", "records"),
    "R010": ("记录未签名", "records"),
    "R011": ("记录签名无效", "records"),
    "R012": ("签名密钥不在名册中", "records"),
    "R013": ("签名密钥已泄露", "records"),
    "R020": ("签署人不具备该环节的角色", "records"),
    "R021": ("审核自己报送的稿件", "records"),
    "R022": ("同一人签署两个环节", "records"),
    "R023": ("审核环节顺序错误", "records"),
    "R024": ("重复的审核环节", "records"),
    "R025": ("稿件未报送或已退回", "records"),
    "R026": ("Fzjj-Prev 没有指向上一条记录", "records"),
    "R027": ("记录针对的内容与报送内容不同", "records"),
    "R028": ("Fzjj-Blob 与提交中的文件不符", "records"),
    "R029": ("记录格式错误", "records"),
    "R031": ("无权报送", "records"),
    "R032": ("无权发布", "records"),
    "R040": ("报送后内容被修改", "records"),
    MERGE_SQUASH: ("压缩（squash）或变基（rebase）合并丢失了签名", "merge"),
    MERGE_RECREATED: ("记录被重新生成（变基或拣选）", "merge"),
    PUSH_NOT_FAST_FORWARD: ("改写受保护分支的历史（非快进推送）", "push"),
    PUSH_DELETE: ("删除受保护分支", "push"),
    PUSH_OTHER_REF: ("不接受该分支的推送", "push"),
}

HOST_SETTING = (
    "请在代码托管平台的仓库设置中只允许“合并提交”（merge commit）或“快进”（fast-forward）"
    "合并，关闭“压缩合并”（squash）与“变基合并”（rebase）："
    "GitHub 在 Settings → General → Pull Requests 只勾选 Allow merge commits；"
    "GitLab 在 Settings → Merge requests 把 Merge method 设为 Merge commit，"
    "Squash commits when merging 设为 Do not allow；"
    "Gitea/Forgejo 在仓库设置 → 合并请求中只启用“创建合并提交”。"
    "然后由原签署人重新签署丢失签名的记录。详见 docs/ci.md。"
)


@dataclass(slots=True)
class CheckReport:
    """What one check found. `mode`: full, pr or push."""

    mode: str
    head: str | None
    base: str | None
    policy_version: int | None
    violations: list[Violation]
    drafts: list[str] = field(default_factory=list)  # paths of the drafts checked
    commits: int = 0  # commits read

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.severity is Severity.BLOCK]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity is not Severity.BLOCK]

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.VIOLATIONS if self.blocking else ExitCode.OK


def code_title(code: str) -> str:
    if code in CODES:
        return CODES[code][0]
    try:
        from fzjj.rules.codes import RULES
    except ImportError:  # pragma: no cover - rules are part of the package
        return ""
    return RULES[code][0] if code in RULES else ""


def code_area(code: str) -> str:
    if code in CODES:
        return CODES[code][1]
    return "content" if code[:1] in ("C", "L") else "other"


def order_violations(violations: Iterable[Violation]) -> list[Violation]:
    """Drop duplicates; publication without a chain first, then merge damage, then the rest."""
    seen: set[tuple[str, str | None, str | None, str | None, int | None]] = set()
    out: list[Violation] = []
    for v in violations:
        key = (v.code, v.commit, v.path, v.draft_id, v.line)
        if v.code == "R001":
            key = (v.code, v.commit, None, v.draft_id, None)
        if key in seen:
            continue
        seen.add(key)
        out.append(v)

    def rank(v: Violation) -> int:
        if v.code == "R001":
            return 0
        return 1 if v.code.startswith("G0") else 2

    return sorted(out, key=rank)


# ---- the full check --------------------------------------------------------------------------


def check_repository(repo: GitRepo, rev: str = "HEAD") -> CheckReport:
    """Check everything reachable from `rev`: roster, drafts, records, chains, content."""
    from fzjj import history

    head = repo.resolve(rev)
    if head is None:
        raise FzjjError(
            f"找不到版本 {rev}（仓库还没有提交，或版本名写错了）",
            hint="用 git log 查看可用的提交，或先提交 policies.yaml。",
        )
    hist = history.load(repo, head)
    found: list[Violation] = list(hist.all_violations())
    found += _head_policy_detail(repo, head)
    for draft in sorted(hist.drafts.values(), key=lambda d: d.path):
        found += history.draft_violations(draft, hist.policy)
    refused = {r.commit for s in hist.states.values() for r in s.history if not r.valid}
    found += _full_merge_damage(repo, head, hist.inputs, refused)
    drafts = sorted({*hist.paths, *(s.path for s in hist.states.values() if s.path)})
    return CheckReport(
        mode="full",
        head=head,
        base=None,
        policy_version=hist.policy.version,
        violations=order_violations(found),
        drafts=drafts,
        commits=hist.commits,
    )


def _head_policy_detail(repo: GitRepo, head: str) -> list[Violation]:
    """The exact field and line when the revision's own policies.yaml does not parse."""
    from fzjj.policy import POLICY_FILE, decode_policy

    data = repo.show(head, POLICY_FILE)
    if data is None:
        return []
    try:
        decode_policy(data)
    except PolicyError as exc:
        return [policy_error_violation(exc, head)]
    return []


def policy_error_violation(exc: PolicyError, commit: str) -> Violation:
    """G001 for a policies.yaml that does not parse: the field, the line and what to do."""
    where = f"字段 {exc.field}：" if exc.field else ""
    return Violation(
        POLICY_INVALID,
        f"policies.yaml 格式错误：{where}{exc.message}",
        path="policies.yaml",
        line=exc.line,
        commit=commit,
        hint=exc.hint or "参考 docs/policies.md 修正，由名册管理员签名提交。",
    )


# ---- squash and rebase merges ----------------------------------------------------------------

_FORGE_EMAILS = frozenset(
    {
        "noreply@github.com",
        "noreply@gitlab.com",
        "noreply@gitea.com",
        "noreply@gitea.io",
        "noreply@codeberg.org",
        "noreply@forgejo.org",
    }
)
_FORGE_NAMES = frozenset({"github", "gitlab", "gitea", "forgejo", "codeberg", "github enterprise"})
_ACTION_LINE = re.compile(r"^[ \t*>-]*Fzjj-Action:", re.M)
_IDENT = re.compile(rb"^(author|committer) (.*?) <([^>]*)> (\d+) ([+-])(\d\d)(\d\d)$", re.M)
# `git merge --squash` writes this line (untranslated) above the squashed commits' logs.
_GIT_SQUASH = re.compile(r"^Squashed commit of the following:$", re.M)
_SQUASHED_COMMIT = re.compile(r"^commit ([0-9a-f]{40}|[0-9a-f]{64})$", re.M)


def committer_of(commit: Commit) -> tuple[str, str]:
    """(name, email) of the committer header, as written (never trusted for identity)."""
    found = _headers(commit).get(b"committer")
    return (found.name, found.email) if found else ("", "")


def is_forge_committer(commit: Commit) -> bool:
    name, email = committer_of(commit)
    return email.lower() in _FORGE_EMAILS or name.lower() in _FORGE_NAMES


@dataclass(frozen=True, slots=True)
class Ident:
    """An author or committer header, as written (never trusted for identity)."""

    name: str
    email: str
    time: int  # seconds since epoch
    offset: int  # minutes east of UTC

    def same_person(self, other: Ident) -> bool:
        return self.name == other.name and self.email.lower() == other.email.lower()

    def shown(self, offset: int) -> str:
        """The date in the zone `offset` minutes east of UTC (two dates, one zone)."""
        from datetime import UTC, datetime, timedelta, timezone

        zone = timezone(timedelta(minutes=offset))
        moment = datetime.fromtimestamp(self.time, UTC).astimezone(zone)
        return moment.strftime("%Y-%m-%d %H:%M:%S %z")


def idents_of(commit: Commit) -> tuple[Ident, Ident] | None:
    """(author, committer) of a commit; None when either header is missing or malformed."""
    found = _headers(commit)
    if b"author" not in found or b"committer" not in found:
        return None
    return found[b"author"], found[b"committer"]


def _headers(commit: Commit) -> dict[bytes, Ident]:
    """The first author and committer headers of a commit's raw bytes, by name."""
    head_end = commit.raw.find(b"\n\n")
    found: dict[bytes, Ident] = {}
    for m in _IDENT.finditer(commit.raw[: head_end if head_end >= 0 else len(commit.raw)]):
        minutes = int(m.group(6)) * 60 + int(m.group(7))
        found.setdefault(
            m.group(1),
            Ident(
                m.group(2).decode("utf-8", "replace").strip(),
                m.group(3).decode("utf-8", "replace").strip(),
                int(m.group(4)),
                -minutes if m.group(5) == b"-" else minutes,
            ),
        )
    return found


def recommitted(commit: Commit, *, signed: bool) -> str | None:
    """The headers' evidence that a commit was made again after its author made it, or None.

    A rebase (git's, or a host's "rebase and merge"), a cherry-pick, the squash of a single
    commit and an amend keep the author header and write a new committer header: the
    committer's name or e-mail differs from the author's, or its date is later. `fzjj` and
    `git commit` write both headers at once, from one identity and one clock, so a record
    made in one go never shows either. When the signature counts (`signed`), only another
    identity is evidence: a signer who rebased and re-signed their own record is still its
    signer, and the record is judged as theirs.
    """
    found = idents_of(commit)
    if found is None:
        return None
    author, committer = found
    if not author.same_person(committer):
        return (
            f"作者是 {author.name} <{author.email}>，"
            f"提交者却是 {committer.name} <{committer.email}>"
        )
    if not signed and committer.time > author.time:
        zone = committer.offset
        return f"作者时间 {author.shown(zone)}，提交时间却是 {committer.shown(zone)}"
    return None


def record_key(f: RecordFields | None) -> tuple[object, ...] | None:
    """What makes two records the same record, whatever their commit ids."""
    if f is None:
        return None
    return (f.action, f.draft_id, f.stage, f.digest, f.blob, f.prev)


def merge_damage(
    commit: Commit,
    *,
    signed: bool,
    twin: str | None = None,
    prev_missing: bool = False,
    refused: bool = False,
    path: str | None = None,
    draft_id: str | None = None,
) -> Violation | None:
    """Why a record commit looks like the work of a squash, a rebase or a cherry-pick.

    `signed`: the record's signature is valid and made by a key of the roster in force; such
    a commit is not the host's re-creation, but it can still be a re-created copy. `twin`:
    another commit holding the same record; `prev_missing`: its Fzjj-Prev names a commit
    outside the checked history (the chain it continued was rewritten); `refused`: the
    record does not count (its signature or the chain refused it). A refused record whose
    headers show it was committed again (`recommitted`) is re-created too: that is how the
    first record of a rebased series shows, whose Fzjj-Prev still names a commit that
    exists. A record that counts is never reported on that evidence alone.
    """
    short = commit.oid[:12]

    def found(code: str, why: str) -> Violation:
        return Violation(
            code, why, path=path, commit=commit.oid, draft_id=draft_id, hint=HOST_SETTING
        )

    if not signed:
        actions = len(_ACTION_LINE.findall(commit.message))
        if actions >= 2:
            return found(MERGE_SQUASH, _several_records(commit, actions))
        if is_forge_committer(commit):
            name, email = committer_of(commit)
            return found(
                MERGE_RECREATED,
                f"提交 {short} 由托管平台（{name} <{email}>）重新生成："
                "变基合并（rebase）或单个提交的压缩合并，原记录的签名没有保留下来",
            )
    if twin is not None:
        why = (
            f"提交 {short} 与提交 {twin[:12]} 是同一条审核记录，但提交编号不同："
            "记录被变基（rebase）或拣选（cherry-pick）重新生成"
        )
        return found(MERGE_RECREATED, why if signed else why + "，签名随之失效")
    if prev_missing:
        why = (
            f"提交 {short} 的 Fzjj-Prev 指向不在本分支历史中的提交："
            "记录链在变基（rebase）或改写历史时被重新生成"
        )
        return found(MERGE_RECREATED, why + "（可能由他人的密钥重新签名）" if signed else why)
    evidence = recommitted(commit, signed=signed) if refused else None
    if evidence:
        why = (
            f"提交 {short} 不是作者当初提交的原样（{evidence}）："
            "记录被重新提交过——托管平台的变基合并（rebase）、单个提交的压缩合并、"
            "git rebase 或拣选（cherry-pick）"
        )
        return found(
            MERGE_RECREATED,
            why + ("，原签名被重新提交者的签名取代" if signed else "，原签名没有保留下来"),
        )
    return None


def _several_records(commit: Commit, actions: int) -> str:
    return (
        f"提交 {commit.oid[:12]} 的说明中含有 {actions} 条审核记录，"
        "是压缩合并（squash）的结果，原签名全部丢失"
    )


def squash_damage(commit: Commit) -> Violation | None:
    """Why a commit that mentions `Fzjj-Action:` but is not itself a record is a squash.

    Its message holds several record blocks (a host's squash), or git's own
    `git merge --squash` message (which indents the squashed records' trailers), or the host
    committed it: the records it folded in lost their signatures. Any other mention (a commit
    that talks about the format, say) is not reported.
    """
    actions = len(_ACTION_LINE.findall(commit.message))
    short = commit.oid[:12]
    why: str | None = None
    if actions >= 2:
        why = _several_records(commit, actions)
    elif actions and _GIT_SQUASH.search(commit.message):
        originals = "、".join(o[:12] for o in _SQUASHED_COMMIT.findall(commit.message))
        why = (
            f"提交 {short} 是 git merge --squash 生成的压缩提交"
            + (f"（压缩了提交 {originals}）" if originals else "")
            + "，其中的审核记录不再是单独的签名提交，原签名丢失"
        )
    elif actions and is_forge_committer(commit):
        name, email = committer_of(commit)
        why = f"提交 {short} 由托管平台（{name} <{email}>）压缩合并生成，其中的审核记录原签名丢失"
    if why is None:
        return None
    return Violation(MERGE_SQUASH, why, commit=commit.oid, hint=HOST_SETTING)


def signature_counts(item: RecordInput) -> bool:
    """Whether a record's signature is valid and made by a key of the roster in force."""
    roster = item.roster
    return (
        item.sig_ok
        and roster is not None
        and (item.sig_key or "") in roster.key_owner
        and item.sig_key not in roster.compromised
    )


def twins_index(
    items: Iterable[tuple[str, RecordFields | None]],
) -> dict[tuple[object, ...], list[str]]:
    """Record key → the commits holding that record."""
    out: dict[tuple[object, ...], list[str]] = {}
    for oid, fields in items:
        key = record_key(fields)
        if key is not None:
            out.setdefault(key, []).append(oid)
    return out


def twin_of(
    index: Mapping[tuple[object, ...], list[str]], oid: str, fields: RecordFields | None
) -> str | None:
    """An earlier commit holding the same record as `oid` (the index lists parents first).

    For the first copy this is None: only the later copies are the re-created ones.
    """
    key = record_key(fields)
    copies = index.get(key, []) if key is not None else []
    if oid not in copies or copies.index(oid) == 0:
        return None
    return copies[0]


def _full_merge_damage(
    repo: GitRepo,
    head: str,
    inputs: Mapping[str, Sequence[RecordInput]],
    refused: Set[str] = frozenset(),
) -> list[Violation]:
    """Merge damage anywhere in the history: records that were re-created (copies, dangling
    Fzjj-Prev, committed again by someone else) or lost their signature, and commits that
    carry record trailers but were not read as a record (squash messages). `refused`: the
    records the chains did not count."""
    from fzjj import gitstore
    from fzjj.records import MalformedRecord, parse_record

    items = [i for group in inputs.values() for i in group]
    known = {i.commit for i in items}
    by_key = twins_index((i.commit, i.fields) for i in items)
    suspects = {
        i.commit: i
        for i in items
        if not signature_counts(i)
        or i.commit in refused
        or twin_of(by_key, i.commit, i.fields)
        or (i.fields is not None and i.fields.prev is not None and i.fields.prev not in known)
    }
    unread = [c for c in gitstore.grep_commits(repo, head, "Fzjj-Action:") if c not in known]
    pointed = {f.prev for i in items if (f := i.fields) and f.prev and f.prev not in known}
    raw = gitstore.read_commits(repo, [*suspects, *unread, *pointed])
    # A Fzjj-Prev naming a commit of this history that is no record (the roster, a draft
    # edit) is the record's own error (R025, R026), not a sign of rewritten history.
    present = sorted(pointed & raw.keys())
    elsewhere = (pointed - {*present}) | gitstore.not_reachable_from(repo, present, [head])
    out: list[Violation] = []
    for oid, item in suspects.items():
        if oid not in raw:
            continue
        f = item.fields
        prev = f.prev if f else None
        found = merge_damage(
            raw[oid],
            signed=signature_counts(item),
            twin=twin_of(by_key, oid, f),
            prev_missing=prev in elsewhere,
            refused=oid in refused or not signature_counts(item),
            path=f.path if f else None,
            draft_id=f.draft_id if f else None,
        )
        if found:
            out.append(found)
    for oid in unread:
        if oid not in raw:
            continue
        commit = raw[oid]
        try:
            fields = parse_record(commit.message)
        except MalformedRecord:
            fields = None
        if fields is not None:
            continue  # a roster record, or a record history already judged
        found = squash_damage(commit)
        if found:
            out.append(found)
    return out


# ---- output ----------------------------------------------------------------------------------

# C0 controls other than tab and newline, DEL, C1 controls, and the lone surrogates that stand
# for undecodable bytes in a file name: shown as escapes, never sent to a terminal or an XML file.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def clean_text(text: str) -> str:
    """`text` with control characters and undecodable bytes shown as visible escapes."""
    return _UNSAFE.sub(_escape_char, text)


def _clean(v: Violation) -> Violation:
    return replace(
        v,
        message=clean_text(v.message),
        path=clean_text(v.path) if v.path else v.path,
        hint=clean_text(v.hint) if v.hint else v.hint,
    )


def _cleaned(report: CheckReport) -> CheckReport:
    return replace(
        report,
        violations=[_clean(v) for v in report.violations],
        drafts=[clean_text(d) for d in report.drafts],
    )


def _where(v: Violation) -> str:
    if v.path:
        return v.path + (f":{v.line}" if v.line else "")
    if v.commit:
        return f"提交 {v.commit[:12]}"
    return "仓库"


def format_text(report: CheckReport) -> str:
    """A readable report for people (Chinese)."""
    report = _cleaned(report)
    lines: list[str] = []
    for v in report.violations:
        level = "错误" if v.severity is Severity.BLOCK else "警告"
        extra = f"（提交 {v.commit[:12]}）" if v.commit and v.path else ""
        lines.append(f"{level} {v.code} {_where(v)}{extra}：{v.message}")
        if v.hint:
            lines.append(f"    提示：{v.hint}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def summary_line(report: CheckReport) -> str:
    scope = {
        "full": "整个仓库",
        "pr": f"合并请求（{(report.base or '')[:12]}..{(report.head or '')[:12]}）",
        "push": f"推送（{(report.base or '')[:12]}..{(report.head or '')[:12]}）",
    }.get(report.mode, report.mode)
    blocking, warnings = len(report.blocking), len(report.warnings)
    return (
        f"fzjj check：{scope}，{len(report.drafts)} 篇稿件、{report.commits} 个提交；"
        f"错误 {blocking} 项，警告 {warnings} 项。" + ("未通过。" if blocking else "通过。")
    )


def _violation_json(v: Violation) -> dict[str, object]:
    return {
        "code": v.code,
        "title": code_title(v.code),
        "severity": v.severity.value,
        "message": v.message,
        "path": v.path,
        "line": v.line,
        "column": v.column,
        "commit": v.commit,
        "draft_id": v.draft_id,
        "hint": v.hint,
    }


def to_json(report: CheckReport) -> dict[str, object]:
    """The documented JSON document (schema `fzjj-check/1`, docs/checks.md)."""
    report = _cleaned(report)
    return {
        "schema": JSON_SCHEMA,
        "mode": report.mode,
        "ok": not report.blocking,
        "exit_code": int(report.exit_code),
        "head": report.head,
        "base": report.base,
        "policy_version": report.policy_version,
        "counts": {
            "block": len(report.blocking),
            "warn": len(report.warnings),
            "drafts": len(report.drafts),
            "commits": report.commits,
        },
        "drafts": list(report.drafts),
        "violations": [_violation_json(v) for v in report.violations],
    }


def format_json(report: CheckReport) -> str:
    return json.dumps(to_json(report), ensure_ascii=False, indent=2) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: CheckReport) -> str:
    """GitHub Actions workflow commands: one annotation per violation, then the summary.

    A violation about a file is annotated on its line; one without a line of its own (a
    record of that draft, a roster change) on the file's first line, so that it still shows
    on the file in the pull request.
    """
    report = _cleaned(report)
    lines: list[str] = []
    for v in report.violations:
        command = "error" if v.severity is Severity.BLOCK else "warning"
        props: list[str] = []
        if v.path:
            props.append("file=" + _gh_property(v.path))
            props.append(f"line={v.line or 1}")
            if v.line and v.column:
                props.append(f"col={v.column}")
        title = f"{v.code} {code_title(v.code)}".strip()
        props.append("title=" + _gh_property(title))
        message = v.message
        if v.commit:
            message += f"（提交 {v.commit[:12]}）"
        if v.hint:
            message += "\n提示：" + v.hint
        lines.append(f"::{command} {','.join(props)}::{_gh_data(message)}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


_PUBLICATION_CASE = ("publication", "先审后发：已发布稿件的审核链")
_AREA_CASES = {"push": "受保护分支", "other": "其他"}


def format_junit(report: CheckReport) -> str:
    """JUnit XML: one test suite; a test case per check area and per draft checked.

    Publication without a complete chain (R001) has a test case of its own, the first one,
    as it comes first in every other format.
    """
    import xml.etree.ElementTree as ET

    report = _cleaned(report)
    cases: dict[tuple[str, str], list[Violation]] = {
        _PUBLICATION_CASE: [],
        ("policy", "policies.yaml"): [],
        ("records", "审核记录与审核链"): [],
        ("merge", "合并方式（签名保留）"): [],
    }
    if report.mode == "push":
        cases[("push", "受保护分支")] = []
    for path in report.drafts:
        cases.setdefault(("drafts", path), [])
    for v in report.violations:
        cases.setdefault(_junit_case(v, cases), []).append(v)
    failed = sum(1 for found in cases.values() if any(_blocks(v) for v in found))
    suite = ET.Element(
        "testsuite",
        name="fzjj check",
        tests=str(len(cases)),
        failures=str(failed),
        errors="0",
        skipped="0",
        time="0",
    )
    for (area, name), found in cases.items():
        case = ET.SubElement(suite, "testcase", classname=f"fzjj.{area}", name=name, time="0")
        if area == "drafts" and name.startswith("content/"):
            case.set("file", name)
        blocking = [v for v in found if _blocks(v)]
        if blocking:
            first = blocking[0]
            failure = ET.SubElement(
                case, "failure", message=f"{first.code} {first.message}", type=first.code
            )
            failure.text = "\n".join(_junit_line(v) for v in blocking)
        warns = [v for v in found if not _blocks(v)]
        if warns:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join("警告 " + _junit_line(v) for v in warns)
    root = ET.Element(
        "testsuites", name="fzjj", tests=str(len(cases)), failures=str(failed), errors="0"
    )
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _junit_case(v: Violation, cases: Mapping[tuple[str, str], object]) -> tuple[str, str]:
    if v.code == "R001":
        return _PUBLICATION_CASE
    area = code_area(v.code)
    if area in ("drafts", "content", "records") and v.path and v.path.startswith("content/"):
        return ("drafts", v.path)
    if area in ("drafts", "content"):
        return ("drafts", v.path or "稿件")
    return next((key for key in cases if key[0] == area), (area, _AREA_CASES.get(area, area)))


def _blocks(v: Violation) -> bool:
    return v.severity is Severity.BLOCK


def _junit_line(v: Violation) -> str:
    text = f"{v.code} {_where(v)}：{v.message}"
    if v.commit:
        text += f"（提交 {v.commit[:12]}）"
    if v.hint:
        text += f"\n  提示：{v.hint}"
    return text


def render(report: CheckReport, fmt: str) -> str:
    renderers = {
        "text": format_text,
        "json": format_json,
        "github": format_github,
        "junit": format_junit,
    }
    return renderers[fmt](report)


# ---- entry point for the CLI -----------------------------------------------------------------


def run_check(repo: GitRepo, rev: str = "HEAD", base: str | None = None) -> CheckReport:
    """Full check of `rev`, or the pull-request check of `base..rev` when `base` is given."""
    if base is None:
        return check_repository(repo, rev)
    from fzjj.prcheck import check_range

    return check_range(repo, base, rev)
