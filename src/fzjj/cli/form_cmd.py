"""`fzjj form` and `fzjj archive`: the approval form of one draft, the month's archive."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fzjj.errors import FzjjError, UsageError

if TYPE_CHECKING:
    from fzjj.draft import Draft
    from fzjj.model import DraftState
    from fzjj.render.form import FormData
    from fzjj.service import Workspace

ARCHIVE_DIR = "archive"
WORKTREE_DIFFERS = (
    "提示：{path} 在工作区中有未提交的修改；审批表按仓库中已提交的版本填写，"
    "签名栏只显示针对该版本内容的有效记录。"
)


def register(app: typer.Typer) -> None:
    app.command("form")(form)
    app.command("archive")(archive)


def form(
    path: Annotated[Path, typer.Argument(help="稿件文件 content/YYYY/MM/<名称>.md")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="输出文件：.pdf 生成 PDF，.html 生成网页；默认 <稿件编号>-审批表.html",
        ),
    ] = None,
) -> None:
    """生成信息发布审批表（A4）：按已验证的签名记录填写，未签的栏目留空。"""
    from fzjj.cli.main import fail

    try:
        _form(path, output)
    except FzjjError as exc:
        raise fail(exc) from None


def archive(
    month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM（按首次有效报送的月份）")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="输出目录；默认 archive/YYYY-MM/")
    ] = None,
) -> None:
    """生成当月全部审批表的存档：每份一个 PDF、一份带目录的汇编 PDF、manifest.json。"""
    from fzjj.cli.main import fail

    try:
        _archive(month, output)
    except FzjjError as exc:
        raise fail(exc) from None


# ---- fzjj form -----------------------------------------------------------------------------


def _form(path: Path, output: Path | None) -> None:
    from fzjj.render.form import form_data, render_form_html
    from fzjj.render.pdf import render_form_pdf
    from fzjj.service import open_workspace

    suffix = output.suffix.lower() if output is not None else ".html"
    if suffix not in (".pdf", ".html", ".htm"):
        raise UsageError(
            f"不支持的输出文件类型“{suffix or '（无扩展名）'}”",
            field="--output",
            hint="输出文件名以 .pdf 或 .html 结尾。",
        )
    workspace = open_workspace(Path.cwd())
    state = workspace.state_for(path)
    draft = _committed_draft(workspace, state, path)
    data = form_data(state, draft, workspace.policy)
    target = output if output is not None else Path.cwd() / f"{data.file_stem}.html"
    if suffix == ".pdf":
        _write(target, render_form_pdf(data))
    else:
        _write(target, render_form_html(data, repo_root=workspace.root).encode("utf-8"))
    print(f"已生成审批表：{target}")


def _committed_draft(workspace: Workspace, state: DraftState, path: Path | str) -> Draft:
    """The draft as committed (what the records are about); the work tree only as fallback."""
    draft = workspace.history.drafts.get(state.draft_id)
    if draft is None:
        return workspace.read_draft(path)
    try:
        current = workspace.read_draft(state.path)
    except FzjjError:
        current = None
    if current is None or current.digest != draft.digest:
        print(WORKTREE_DIFFERS.format(path=state.path), file=sys.stderr)
    return draft


def _write(target: Path, data: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise UsageError(
            f"无法写入文件：{exc.strerror}", path=str(target), field="--output"
        ) from exc


# ---- fzjj archive --------------------------------------------------------------------------


def _archive(month: str, output: Path | None) -> None:
    from fzjj.render.archive import build_archive, parse_month, select_month
    from fzjj.render.form import form_data
    from fzjj.service import open_workspace

    parse_month(month)  # a bad month fails before the repository is read
    workspace = open_workspace(Path.cwd())
    policy = workspace.policy
    items: list[tuple[FormData, dict[str, Any]]] = []
    for state in select_month(workspace.states().values(), policy, month):
        draft = workspace.history.drafts.get(state.draft_id)
        if draft is None:
            print(f"提示：{state.path} 已不在仓库中，跳过。", file=sys.stderr)
            continue
        extra = {"unit_id": state.unit, "phase": state.phase.value, "kind": state.kind.value}
        items.append((form_data(state, draft, policy), extra))
    out_dir = output if output is not None else workspace.root / ARCHIVE_DIR / month
    try:
        written = build_archive(items, out_dir, month=month)
    except OSError as exc:
        raise UsageError(
            f"无法写入存档目录：{exc.strerror}", path=str(out_dir), field="--output"
        ) from exc
    print(f"已生成 {month} 审批表存档：{len(items)} 份，目录 {out_dir}")
    for path in written:
        print(f"  {path.name}")
