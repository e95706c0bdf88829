"""Writing the rendered outputs of a content repository to files.

One place for what `fzjj form`, `fzjj archive`, `fzjj render` and `fzjj demo` write: it
loads the draft and its verified state from a workspace, calls the pure renderers
(`form`, `pdf`, `archive`, `article`) and writes the bytes. Nothing here prints: every
function returns an `Outcome` with the paths written and the notes (Chinese) a command
shows on stderr.

Files are written atomically (a temporary file next to the target, then a rename), so a
failed write never leaves half a form behind; write errors become a `UsageError` (exit 2)
with a Chinese reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fzjj.errors import FzjjError, RepoError, UsageError
from fzjj.model import Action

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fzjj.draft import Draft
    from fzjj.model import DraftState
    from fzjj.policy import Policy
    from fzjj.render.form import FormData
    from fzjj.service import Workspace

ARCHIVE_DIR = "archive"
FORM_SUFFIXES = (".pdf", ".html", ".htm")
WORKTREE_DIFFERS = (
    "提示：{path} 在工作区中有未提交的修改；审批表按仓库中已提交的版本填写，"
    "签名栏只显示针对该版本内容的有效记录。"
)
DIGEST_CHANGED = (
    "提示：{path} 的内容与报送或审核时不同，针对旧内容的签名不列入“编辑”“审核”栏；"
    "请重新报送审核后再渲染发布稿。"
)
#: draft/add accepts article content of fewer than 20,000 characters (wechat.md §4).
WECHAT_CONTENT_LIMIT = 20_000
TOO_LONG = (
    "提示：正文 HTML 共 {size} 个字符，超过微信草稿接口 2 万字符的上限，请精简稿件或拆分发布。"
)

_OS_REASONS = {
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "所在文件系统是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EEXIST: "路径中有一个同名文件，不是目录",
    errno.ENOTDIR: "路径中有一个同名文件，不是目录",
    errno.EISDIR: "目标是一个目录",
    errno.ENOENT: "目录不存在",
    errno.ENAMETOOLONG: "文件名过长",
}


@dataclass
class Outcome:
    """What a call wrote (in order) and the notes to show the user."""

    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---- writing files -------------------------------------------------------------------------


def os_reason(exc: OSError) -> str:
    """A Chinese reason for a failed file operation."""
    return _OS_REASONS.get(exc.errno or 0, f"系统错误 {exc.errno}")


def write_file(target: Path, data: bytes, *, option: str = "--output") -> None:
    """Write `data` to `target` atomically, creating missing folders."""
    write_files([(target, data)], option=option)


def write_files(items: Sequence[tuple[Path, bytes]], *, option: str = "--output") -> None:
    """Write several files all-or-nothing as far as the file system allows.

    Every file first goes to a uniquely named temporary file beside its target; only when
    all of them are written are they renamed over the targets. A failure removes the
    temporary files and the folders this call created, and becomes a UsageError naming
    the file. A target whose bytes are already equal is left untouched (its timestamp too).
    """
    staged: list[tuple[Path, Path]] = []
    created: list[Path] = []
    current = items[0][0] if items else None
    try:
        for target, data in items:
            current = target
            created += _make_folder(target.parent)
            if target.is_dir():  # found now, before any file is replaced
                raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
            if _same_bytes(target, data):
                continue
            staged.append((_stage(target, data), target))
        for tmp, target in staged:
            current = target
            tmp.replace(target)
    except OSError as exc:
        for tmp, _ in staged:
            _discard(tmp)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise UsageError(
            f"无法写入文件：{os_reason(exc)}",
            path=str(current),
            field=option,
            hint="换一个可写的输出位置，或检查该目录的权限。",
        ) from exc


def _make_folder(folder: Path) -> list[Path]:
    """Create `folder` with its parents; returns the folders created, outermost first."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _same_bytes(target: Path, data: bytes) -> bool:
    try:
        same_size = target.is_file() and target.stat().st_size == len(data)
        return same_size and target.read_bytes() == data
    except OSError:
        return False


def _stage(target: Path, data: bytes) -> Path:
    """`data` in a new temporary file beside `target`, with the permissions of a new file."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        tmp.chmod(0o666 & ~_umask())
    except OSError:
        _discard(tmp)
        raise
    return tmp


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _discard(tmp: Path) -> None:
    # when the folder itself is unusable there is nothing to clean up
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


# ---- the approval form ---------------------------------------------------------------------


def form_suffix(output: Path | None) -> str:
    """The output type of `fzjj form -o FILE`; refuses anything but .pdf/.html/.htm."""
    suffix = output.suffix.lower() if output is not None else ".html"
    if suffix not in FORM_SUFFIXES:
        raise UsageError(
            f"不支持的输出文件类型“{suffix or '（无扩展名）'}”",
            field="--output",
            hint="输出文件名以 .pdf 或 .html 结尾。",
        )
    return suffix


def load_form(workspace: Workspace, path: Path | str) -> tuple[FormData, list[str]]:
    """The form of one draft, filled from its verified records, and any notes."""
    from fzjj.render.form import form_data

    _refuse_folder(Path(path))
    state = workspace.state_for(path)
    draft, notes = committed_draft(workspace, state, path)
    return form_data(state, draft, workspace.policy), notes


def _refuse_folder(path: Path) -> None:
    if path.is_dir():
        raise UsageError(
            f"{path} 是一个目录，不是稿件文件",
            hint="给出稿件文件的路径，例如 content/2026/11/稿件.md。",
        )


def committed_draft(
    workspace: Workspace, state: DraftState, path: Path | str
) -> tuple[Draft, list[str]]:
    """The draft as committed (what the records are about); the work tree only as fallback."""
    draft = workspace.history.drafts.get(state.draft_id)
    if draft is None:
        return workspace.read_draft(path), []
    try:
        current: Draft | None = workspace.read_draft(state.path)
    except FzjjError:
        current = None
    if current is None or current.digest != draft.digest:
        return draft, [WORKTREE_DIFFERS.format(path=state.path)]
    return draft, []


def write_form(workspace: Workspace, path: Path | str, output: Path | None) -> Outcome:
    """Write the form as PDF or HTML (by suffix); default `<cwd>/<draft-id>-审批表.html`."""
    from fzjj.render.form import render_form_html
    from fzjj.render.pdf import render_form_pdf

    suffix = form_suffix(output)
    data, notes = load_form(workspace, path)
    target = output if output is not None else Path.cwd() / f"{data.file_stem}.html"
    if suffix == ".pdf":
        write_file(target, render_form_pdf(data))
    else:
        write_file(target, render_form_html(data, repo_root=workspace.root).encode("utf-8"))
    return Outcome([target], notes)


# ---- the monthly archive -------------------------------------------------------------------


def write_archive(workspace: Workspace, month: str, output: Path | None) -> Outcome:
    """Write the month's archive; default folder `<root>/archive/YYYY-MM/`.

    `paths` lists the single forms, then the combined PDF, then manifest.json.
    """
    from fzjj.render.archive import build_archive, parse_month, select_month
    from fzjj.render.form import form_data

    parse_month(month)
    policy = workspace.policy
    items: list[tuple[FormData, dict[str, Any]]] = []
    notes: list[str] = []
    for state in select_month(workspace.states().values(), policy, month):
        draft = workspace.history.drafts.get(state.draft_id)
        if draft is None:
            notes.append(f"提示：{state.path} 已不在仓库中，跳过。")
            continue
        extra = {"unit_id": state.unit, "phase": state.phase.value, "kind": state.kind.value}
        items.append((form_data(state, draft, policy), extra))
    out_dir = output if output is not None else workspace.root / ARCHIVE_DIR / month
    return Outcome(build_archive(items, out_dir, month=month), notes)


# ---- the article ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleJob:
    """A draft ready to render, with the names for its 编辑/审核 lines."""

    draft: Draft
    policy: Policy
    root: Path | None
    editor: str | None
    reviewers: list[str]
    notes: list[str]


def load_article(path: Path, *, start: Path | None = None) -> ArticleJob:
    """The draft at `path` with signers' names from the verified history of the repository
    found from `start` (default: the current directory); without git, the nearest
    policies.yaml and the front-matter only."""
    from fzjj.service import open_workspace

    _refuse_folder(path)
    if not path.is_file():
        raise UsageError(f"文件不存在：{path}", hint="检查路径，例如 content/2026/11/稿件.md。")
    try:
        workspace = open_workspace(start or Path.cwd())
    except RepoError:
        return _load_without_git(path)
    draft = workspace.read_draft(path)
    policy = workspace.policy
    try:
        state: DraftState | None = workspace.state_for(path)
    except UsageError:
        state = None  # not submitted yet: the front-matter editor, no reviewers
    editor, reviewers, notes = _signers(state, draft, policy)
    return ArticleJob(draft, policy, workspace.root, editor, reviewers, notes)


def _signers(
    state: DraftState | None, draft: Draft, policy: Policy
) -> tuple[str | None, list[str], list[str]]:
    """The 编辑 (submitter) and 审核 names: valid records about the content being rendered."""
    if state is None:
        return None, [], []
    signed = [
        r for r in (state.submission, *state.approvals) if r is not None and r.valid and r.signer
    ]
    current = [r for r in signed if r.digest == draft.digest]
    submitter = next((r.signer for r in current if r.action is Action.SUBMIT), None)
    editor = policy.name_of(submitter) if submitter else None
    approvals = [r.signer for r in current if r.action is Action.APPROVE and r.signer]
    reviewers = [policy.name_of(signer) for signer in approvals]
    notes = [DIGEST_CHANGED.format(path=draft.path)] if len(current) < len(signed) else []
    return editor, reviewers, notes


def _load_without_git(path: Path) -> ArticleJob:
    from fzjj.draft import parse_draft
    from fzjj.policy import POLICY_FILE, decode_policy

    full = path.resolve()
    root = next((p for p in full.parents if (p / POLICY_FILE).is_file()), None)
    if root is None:
        raise RepoError(
            f"找不到 {POLICY_FILE}：{path} 不在内容仓库中",
            hint="在内容仓库（含 policies.yaml 的目录）内运行 fzjj render。",
        )
    policy = decode_policy((root / POLICY_FILE).read_bytes())
    try:
        data = full.read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取文件：{os_reason(exc)}", path=str(path)) from exc
    draft = parse_draft(data, full.relative_to(root).as_posix())
    return ArticleJob(draft, policy, root, None, [], [])


def article_html(job: ArticleJob) -> tuple[str, list[str]]:
    """The WeChat fragment of a loaded draft, and notes (e.g. over the API's size limit)."""
    from fzjj.render.article import render_article

    fragment = render_article(
        job.draft, job.policy, repo_root=job.root, editor=job.editor, reviewers=job.reviewers
    )
    notes = list(job.notes)
    if len(fragment) >= WECHAT_CONTENT_LIMIT:
        notes.append(TOO_LONG.format(size=len(fragment)))
    return fragment, notes


def preview_path(base: Path) -> Path:
    """`a/b.html` → `a/b.preview.html`."""
    return base.with_name(base.stem + ".preview.html")


@dataclass(frozen=True)
class Article:
    """A rendered article: the fragment to publish, the preview page if asked, notes."""

    fragment: str
    page: str | None
    notes: list[str]


def build_article(job: ArticleJob, *, preview: bool) -> Article:
    """Render everything first, so that a failing template leaves no file behind."""
    from fzjj.render.article import render_preview

    fragment, notes = article_html(job)
    page = None
    if preview:
        page = render_preview(fragment, title=job.draft.meta.title, repo_root=job.root)
    return Article(fragment, page, notes)


def article_files(
    article: Article, output: Path | None, *, preview_base: Path
) -> list[tuple[Path, bytes]]:
    """The files to write: the fragment to `output` (if given), the preview page beside
    `output`, or beside `preview_base` when there is no output file."""
    files: list[tuple[Path, bytes]] = []
    if output is not None:
        files.append((output, article.fragment.encode("utf-8")))
    if article.page is not None:
        target = preview_path(output if output is not None else preview_base)
        files.append((target, article.page.encode("utf-8")))
    return files


def write_article(path: Path, output: Path, *, preview: bool, start: Path | None = None) -> Outcome:
    """Write the fragment to `output` and, with `preview`, the page next to it."""
    article = build_article(load_article(path, start=start), preview=preview)
    files = article_files(article, output, preview_base=output)
    write_files(files)
    return Outcome([target for target, _ in files], article.notes)


# ---- fzjj demo -----------------------------------------------------------------------------


def write_demo_outputs(
    workspace_root: Path, month: str, draft_path: str | Path, out_dir: Path
) -> list[Path]:
    """Write, for a repository: one form (PDF and HTML), the month's archive, one article.

    Layout under `out_dir`: `<draft-id>-审批表.pdf`, `<draft-id>-审批表.html`,
    `archive/…` (as `fzjj archive`), `<draft-id>.html` and `<draft-id>.preview.html`.
    Returns every path written, in that order.
    """
    from fzjj.render.form import FORM_SUFFIX
    from fzjj.service import open_workspace

    workspace = open_workspace(workspace_root)
    full = Path(draft_path)
    full = full if full.is_absolute() else workspace.root / full
    draft_id = workspace.state_for(full).draft_id
    form = out_dir / f"{draft_id}{FORM_SUFFIX}"
    paths = write_form(workspace, full, form.with_name(form.name + ".pdf")).paths
    paths += write_form(workspace, full, form.with_name(form.name + ".html")).paths
    paths += write_archive(workspace, month, out_dir / ARCHIVE_DIR).paths
    article = out_dir / f"{draft_id}.html"
    paths += write_article(full, article, preview=True, start=workspace.root).paths
    return paths
