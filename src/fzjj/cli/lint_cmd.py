"""`fzjj lint PATH…`: the content rules on draft files, before anything is submitted."""

from __future__ import annotations

import errno
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fzjj.errors import DraftError, ExitCode, FzjjError, PolicyError, RepoError, UsageError

if TYPE_CHECKING:
    from fzjj.model import Violation
    from fzjj.policy import Policy

FORMATS = ("text", "json")
SEVERITY_LABELS = {"block": "错误", "warn": "警告"}
NO_POLICY = "找不到 policies.yaml：当前目录及其上级目录中都没有"
NO_POLICY_HINT = "在内容仓库（含 policies.yaml 的目录）或其子目录中运行 fzjj lint。"
CONTENT_DIR = "content"
_OS_REASONS = {
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.ENOENT: "文件不存在（可能是失效的链接）",
    errno.EISDIR: "这是目录，不是文件",
    errno.ELOOP: "链接循环指向自身",
    errno.EIO: "磁盘读取出错",
}


@dataclass
class LintRun:
    """What one `fzjj lint` found: violations per draft and drafts it could not read."""

    drafts: int = 0
    violations: list[Violation] = field(default_factory=list)
    errors: list[FzjjError] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        if self.errors:
            return ExitCode.INVALID_INPUT
        if any(v.severity == "block" for v in self.violations):
            return ExitCode.VIOLATIONS
        return ExitCode.OK


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)


def lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="稿件文件或目录（目录下的所有 .md 稿件都会检查）；不写则检查仓库的 content 目录。",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="输出格式：text（默认，每行一处）或 json。")
    ] = "text",
) -> None:
    """发布前检查：栏目、转载白名单、来源标注、密级标志、敏感词和个人信息。

    退出码：0 没有“错误”级问题；1 有“错误”级问题；2 找不到 policies.yaml 或参数有误；
    3 有稿件无法读取或格式无效。
    """
    from fzjj.cli.main import fail

    try:
        if fmt not in FORMATS:
            raise UsageError(
                f"不支持的输出格式 {fmt!r}", field="--format", hint="可选：text、json。"
            )
        root, policy = find_policy(Path.cwd())
        run = lint_paths(paths or _default_paths(root), root, policy)
    except FzjjError as exc:
        raise fail(exc) from None
    if fmt == "json":
        _print_json(run)
    else:
        _print_text(run)
    raise typer.Exit(int(run.exit_code))


def _default_paths(root: Path) -> list[Path]:
    """Without arguments: the repository's content directory (none yet: nothing to lint)."""
    content = root / CONTENT_DIR
    return [content] if content.is_dir() else []


def find_policy(start: Path) -> tuple[Path, Policy]:
    """The content repository's root and its working-tree policies.yaml.

    Inside a git repository the root is the work tree's top; elsewhere it is the nearest
    directory upwards that holds policies.yaml.
    """
    from fzjj.policy import POLICY_FILE, decode_policy

    root = _git_root(start) or _policy_dir(start)
    if root is None or not (root / POLICY_FILE).is_file():
        raise PolicyError(NO_POLICY, path=str(start), hint=NO_POLICY_HINT)
    path = root / POLICY_FILE
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"无法读取 {POLICY_FILE}：{os_reason(exc)}", path=str(path)) from exc
    return root, decode_policy(data, str(path))


def _git_root(start: Path) -> Path | None:
    from fzjj.service import open_workspace

    try:
        return open_workspace(start).root
    except RepoError:
        return None


def _policy_dir(start: Path) -> Path | None:
    from fzjj.policy import POLICY_FILE

    for folder in [start.resolve(), *start.resolve().parents]:
        if (folder / POLICY_FILE).is_file():
            return folder
    return None


def lint_paths(paths: list[Path], root: Path, policy: Policy) -> LintRun:
    """Run the content rules on every draft file under `paths`."""
    from fzjj.draft import parse_draft
    from fzjj.rules.checks import check_content

    run = LintRun()
    top = str(root.resolve()) + os.sep
    for path in _draft_files(paths):
        shown = _display(path, top)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            run.errors.append(DraftError(f"无法读取文件：{os_reason(exc)}", path=shown))
            continue
        try:
            draft = parse_draft(data, shown)
        except DraftError as exc:
            run.errors.append(exc)
            continue
        run.drafts += 1
        run.violations += check_content(draft, policy)
    return run


def os_reason(exc: OSError) -> str:
    """A Chinese reason for an operating-system error (its own text is English)."""
    known = _OS_REASONS.get(exc.errno or 0)
    return known or f"系统错误（errno {exc.errno}）"


def _draft_files(paths: list[Path]) -> list[str]:
    """The draft files under `paths` as resolved path strings, each once, in order."""
    files: list[str] = []
    for path in paths:
        if path.is_dir():
            files += sorted(_markdown_under(str(path.resolve())))
        elif path.exists():
            files.append(str(path.resolve()))
        else:
            raise UsageError(f"路径不存在：{path}", hint="给出稿件文件或含稿件的目录。")
    return list(dict.fromkeys(files))


def _markdown_under(folder: str) -> list[str]:
    """Every regular `*.md` file below `folder`, skipping hidden files and folders.

    `os.scandir` knows each entry's type without a `stat` per file, which matters over
    the ten thousand drafts of a decade.
    """
    found: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found  # an unreadable folder holds nothing we can lint
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            found += _markdown_under(entry.path)
        elif entry.name.endswith(".md") and entry.is_file():
            found.append(entry.path)
    return found


def _display(path: str, top: str) -> str:
    """A resolved draft path, relative to the repository root (`top` ends in a separator)
    when inside it, with forward slashes."""
    shown = path[len(top) :] if path.startswith(top) else path
    return shown.replace(os.sep, "/")


def _location(v: Violation) -> str:
    where = v.path or ""
    if v.line is not None:
        where += f":{v.line}"
        if v.column is not None:
            where += f":{v.column}"
    return where


def _print_text(run: LintRun) -> None:
    for v in run.violations:
        print(f"{_location(v)} {v.code} {SEVERITY_LABELS[v.severity]} {v.message}")
        if v.hint:
            print(f"    提示：{v.hint}")
    for error in run.errors:
        print(f"错误：{error.render()}", file=sys.stderr)
    blocking = sum(v.severity == "block" for v in run.violations)
    warnings = len(run.violations) - blocking
    summary = f"检查了 {run.drafts} 篇稿件：{blocking} 处错误，{warnings} 处警告"
    if run.errors:
        summary += f"；{len(run.errors)} 个文件无法检查"
    print(summary + "。", file=sys.stderr)


def _print_json(run: LintRun) -> None:
    document = {
        "drafts": run.drafts,
        "violations": [
            {
                "path": v.path,
                "line": v.line,
                "column": v.column,
                "code": v.code,
                "severity": str(v.severity),
                "message": v.message,
                "hint": v.hint,
                "draft_id": v.draft_id,
            }
            for v in run.violations
        ],
        "errors": [
            {"path": e.path, "line": e.line, "field": e.field, "message": e.message, "hint": e.hint}
            for e in run.errors
        ],
    }
    print(json.dumps(document, ensure_ascii=False, indent=2))
