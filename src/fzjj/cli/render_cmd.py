"""`fzjj render PATH [-o FILE] [--preview]`: the draft as WeChat-ready HTML."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fzjj.errors import FzjjError, RepoError, UsageError

if TYPE_CHECKING:
    from fzjj.draft import Draft
    from fzjj.policy import Policy

#: draft/add accepts article content of fewer than 20,000 characters (wechat.md §4).
WECHAT_CONTENT_LIMIT = 20_000
DIGEST_CHANGED = (
    "提示：{path} 的内容与审核通过时不同，审核人员不列入“审核”一栏；请重新报送审核后再渲染发布稿。"
)


def register(app: typer.Typer) -> None:
    app.command("render")(render)


def render(
    path: Annotated[Path, typer.Argument(help="稿件文件 content/YYYY/MM/<名称>.md")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="把正文 HTML 写入该文件；默认输出到标准输出"),
    ] = None,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help="另外生成预览页 <文件名>.preview.html（公众号正文栏宽 677px），供人工查看",
        ),
    ] = False,
) -> None:
    """把稿件渲染为可粘贴到公众号编辑器的 HTML：样式全部内联，外部链接转为文末参考资料。"""
    from fzjj.cli.main import fail

    try:
        _render(path, output, preview)
    except FzjjError as exc:
        raise fail(exc) from None


@dataclass(frozen=True)
class _Job:
    draft: Draft
    policy: Policy
    root: Path | None
    editor: str | None
    reviewers: list[str]


def _render(path: Path, output: Path | None, preview: bool) -> None:
    from fzjj.render.article import render_article, render_preview

    if not path.is_file():
        raise UsageError(f"文件不存在：{path}", hint="检查路径，例如 content/2026/11/稿件.md。")
    job = _load(path)
    fragment = render_article(
        job.draft, job.policy, repo_root=job.root, editor=job.editor, reviewers=job.reviewers
    )
    if len(fragment) >= WECHAT_CONTENT_LIMIT:
        print(
            f"提示：正文 HTML 共 {len(fragment)} 个字符，超过微信草稿接口 2 万字符的上限，"
            "请精简稿件或拆分发布。",
            file=sys.stderr,
        )
    if output is not None:
        _write(output, fragment)
        print(f"已生成正文 HTML：{output}")
    elif not preview:
        sys.stdout.write(fragment)
    if preview:
        base = output if output is not None else Path(path.name)
        target = base.with_name(base.stem + ".preview.html")
        page = render_preview(fragment, title=job.draft.meta.title, repo_root=job.root)
        _write(target, page)
        print(f"已生成预览页：{target}（用浏览器打开查看）")


def _load(path: Path) -> _Job:
    """The draft, its policy and the signers' names: from the repository's history when the
    draft lives in a git content repository, else from the nearest policies.yaml."""
    from fzjj.service import open_workspace

    try:
        workspace = open_workspace(Path.cwd())
    except RepoError:
        return _load_without_git(path)
    draft = workspace.read_draft(path)
    policy = workspace.policy
    editor: str | None = None
    reviewers: list[str] = []
    try:
        state = workspace.state_for(path)
    except UsageError:
        state = None  # not submitted yet: the front-matter editor, no reviewers
    if state is not None:
        if state.submission is not None and state.submission.signer:
            editor = policy.name_of(state.submission.signer)
        approvals = [r for r in state.approvals if r.valid and r.signer]
        current = [r for r in approvals if r.digest == draft.digest]
        if len(current) < len(approvals):
            print(DIGEST_CHANGED.format(path=draft.path), file=sys.stderr)
        reviewers = [policy.name_of(r.signer) for r in current]
    return _Job(draft, policy, workspace.root, editor, reviewers)


def _load_without_git(path: Path) -> _Job:
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
        raise UsageError(f"无法读取文件：{exc.strerror}", path=str(path)) from exc
    draft = parse_draft(data, full.relative_to(root).as_posix())
    return _Job(draft, policy, root, None, [])


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"无法写入文件：{exc.strerror}", path=str(target), field="--output"
        ) from exc
