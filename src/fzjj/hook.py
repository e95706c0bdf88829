"""The server side: `fzjj hook pre-receive` and `fzjj hook install`.

git runs the pre-receive hook in the receiving (bare) repository with one `old new ref` line
per updated ref on stdin, before any ref moves; a non-zero exit refuses the whole push and
whatever the hook printed on stderr reaches the pusher as `remote: …` lines. The pushed
objects sit in a quarantine directory the hook must read through git's environment
(`fzjj.gitstore.open_hook_repo`).

For a protected branch (`git config fzjj.protectedBranch`, repeatable, default `main`) the
hook refuses a deletion (G021), a non-fast-forward update (G020) and any blocking violation
that the update adds, judged exactly like the pull-request check with the old tip as the
trust root; the first push of the branch gets the full check. Other branches are allowed
unless `git config fzjj.otherBranches` says `check` or `refuse`.
"""

from __future__ import annotations

import fnmatch
import os
import shlex
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fzjj.check import (
    PUSH_DELETE,
    PUSH_NOT_FAST_FORWARD,
    PUSH_OTHER_REF,
    CheckReport,
    check_repository,
    format_text,
)
from fzjj.errors import FzjjError, RefusedError, UsageError
from fzjj.gitstore import GitRepo
from fzjj.model import Violation

ZERO = "0" * 40
DEFAULT_PROTECTED = ("main",)
HOOK_MARKER = "# fzjj pre-receive hook"
_OTHER_MODES = ("allow", "check", "refuse")


@dataclass(frozen=True, slots=True)
class RefUpdate:
    old: str
    new: str
    ref: str

    @property
    def branch(self) -> str | None:
        return self.ref.removeprefix("refs/heads/") if self.ref.startswith("refs/heads/") else None


@dataclass(slots=True)
class HookResult:
    reports: list[tuple[RefUpdate, CheckReport]]

    @property
    def refused(self) -> bool:
        return any(r.blocking for _, r in self.reports)


def parse_updates(lines: Iterable[str]) -> list[RefUpdate]:
    updates: list[RefUpdate] = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise UsageError(
                f"pre-receive 输入行格式错误：{line.strip()!r}（应为 旧值 新值 引用名）"
            )
        updates.append(RefUpdate(*parts))
    return updates


def protected_patterns(repo: GitRepo) -> list[str]:
    from fzjj.gitstore import config_values

    return config_values(repo, "fzjj.protectedBranch") or list(DEFAULT_PROTECTED)


def other_branches_mode(repo: GitRepo) -> str:
    from fzjj.gitstore import config_values

    values = config_values(repo, "fzjj.otherBranches")
    mode = values[-1].strip().lower() if values else "allow"
    if mode not in _OTHER_MODES:
        raise UsageError(
            f"git config fzjj.otherBranches 的值 {mode!r} 无效",
            hint="取 allow（默认，放行）、check（检查但允许改写历史）或 refuse（拒绝）。",
        )
    return mode


def check_update(repo: GitRepo, update: RefUpdate, *, protected: bool) -> CheckReport:
    """Judge one ref update; a protected branch may not be deleted or rewritten."""
    is_zero = set(update.new) == {"0"}
    if is_zero:
        if not protected:
            return CheckReport("push", None, update.old, None, [])
        return _refusal(
            update,
            PUSH_DELETE,
            f"不允许删除受保护分支 {update.branch}：分支历史就是审核记录",
            "受保护分支不能删除；如确需调整，请联系仓库管理员修改 fzjj.protectedBranch。",
        )
    if set(update.old) == {"0"}:
        report = check_repository(repo, update.new)
        report.mode = "push"
        return report
    if protected and not repo.is_ancestor(update.old, update.new):
        return _refusal(
            update,
            PUSH_NOT_FAST_FORWARD,
            f"不允许改写受保护分支 {update.branch} 的历史（强制推送 / 非快进）：新提交 "
            f"{update.new[:12]} 不包含原来的 {update.old[:12]}",
            "先 git pull（合并而不是变基）把服务器上的提交合并进来，再普通推送；不要使用 --force。",
        )
    from fzjj.prcheck import check_range

    return check_range(repo, update.old, update.new, mode="push")


def _refusal(update: RefUpdate, code: str, message: str, hint: str) -> CheckReport:
    commit = update.new if code != PUSH_DELETE else None
    violation = Violation(code, message, commit=commit, hint=hint)
    return CheckReport("push", update.new, update.old, None, [violation])


def pre_receive(repo: GitRepo, updates: Iterable[RefUpdate]) -> HookResult:
    patterns = protected_patterns(repo)
    mode: str | None = None
    reports: list[tuple[RefUpdate, CheckReport]] = []
    for update in updates:
        branch = update.branch
        protected = branch is not None and any(fnmatch.fnmatchcase(branch, p) for p in patterns)
        if not protected:
            mode = mode or other_branches_mode(repo)
            if mode == "allow":
                continue
            if mode == "refuse":
                reports.append((update, _other_refused(update)))
                continue
        reports.append((update, check_update(repo, update, protected=protected)))
    return HookResult(reports)


def _other_refused(update: RefUpdate) -> CheckReport:
    v = Violation(
        PUSH_OTHER_REF,
        f"本仓库只接受受保护分支的推送，{update.ref} 被拒绝",
        hint="git config fzjj.otherBranches 为 refuse；请推送到受保护分支或联系管理员。",
    )
    return CheckReport("push", update.new, update.old, None, [v])


def render_result(result: HookResult) -> str:
    """What the pusher sees (via git's `remote:` lines)."""
    parts: list[str] = []
    # A publication without its chain comes first, as in every report of fzjj check.
    ordered = sorted(
        result.reports, key=lambda r: not any(v.code == "R001" for v in r[1].violations)
    )
    for update, report in ordered:
        if not report.violations:
            continue
        parts.append(f"fzjj：{update.ref}（{update.old[:12]} → {update.new[:12]}）")
        parts.append(format_text(report).rstrip("\n"))
    if result.refused:
        parts.append(
            "fzjj：推送被拒绝。请按上面的提示修正后重新推送；规则代码说明见 docs/checks.md。"
        )
    elif result.reports:
        parts.append("fzjj：检查通过。")
    return "\n".join(parts) + ("\n" if parts else "")


def hook_git_dir() -> Path:
    """The receiving repository: GIT_DIR as git sets it for hooks, else the current folder."""
    value = os.environ.get("GIT_DIR")
    return Path(value).resolve() if value else Path.cwd()


# ---- installing ------------------------------------------------------------------------------


def hook_script(python: str | None = None) -> str:
    """The pre-receive script: runs this interpreter's fzjj, nothing from PATH."""
    interpreter = shlex.quote(python or sys.executable)
    return (
        "#!/bin/sh\n"
        f"{HOOK_MARKER} (installed by `fzjj hook install`; do not edit)\n"
        f'exec {interpreter} -m fzjj hook pre-receive "$@"\n'
    )


def install(repo: GitRepo, *, force: bool = False, python: str | None = None) -> Path:
    """Write hooks/pre-receive; refuse to replace a different hook unless `force`."""
    from fzjj.gitstore import hooks_dir

    folder = hooks_dir(repo)
    target = folder / "pre-receive"
    script = hook_script(python)
    if target.exists() or target.is_symlink():
        try:
            current = target.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        if current != script and not force:
            raise RefusedError(
                f"{target} 已存在另一个 pre-receive 钩子，没有覆盖",
                path=str(target),
                hint="检查该钩子的内容；确认可以替换后加 --force 重新安装。",
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name("pre-receive.fzjj-tmp")
        tmp.write_text(script, "utf-8")
        tmp.chmod(0o755)
        tmp.replace(target)
    except OSError as exc:
        raise FzjjError(f"无法写入钩子：{exc.strerror}", path=str(target)) from exc
    return target
