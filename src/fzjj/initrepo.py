"""`fzjj init DIR`: a new content repository from the files packaged in `fzjj/data/init/`.

Packaged names starting with `dot-` become dot-files (`dot-github/` → `.github/`), so that
setuptools' package-data globs, which skip hidden files, still ship them. Only a new or an
empty folder is accepted: anything already there (files, a git repository) is refused before
anything is written. A new folder is laid out beside its final place and moved there in one
step; in an empty folder, whatever was written is removed again if a step fails.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from fzjj.errors import FzjjError, RefusedError, UsageError

INIT_PACKAGE = "fzjj"
INIT_FOLDER = ("data", "init")
_DOT = "dot-"


@dataclass(slots=True)
class InitResult:
    root: Path
    created: list[str] = field(default_factory=list)  # repository paths written


def packaged_files() -> dict[str, bytes]:
    """Repository path → content of every file `fzjj init` writes."""
    top = resources.files(INIT_PACKAGE).joinpath(*INIT_FOLDER)
    out: dict[str, bytes] = {}
    _collect(top, "", out)
    # The article theme, as an editable copy for the publicity section (templates/README.md).
    out["templates/gov.css"] = (
        resources.files(INIT_PACKAGE).joinpath("templates", "gov.css").read_bytes()
    )
    return out


def _collect(folder: Traversable, prefix: str, out: dict[str, bytes]) -> None:
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        name = item.name
        if name.startswith(("__", ".")):
            continue
        if name.startswith(_DOT):
            name = "." + name[len(_DOT) :]
        if item.is_dir():
            _collect(item, prefix + name + "/", out)
        elif item.is_file():
            out[prefix + name] = item.read_bytes()


def init_repository(target: Path) -> InitResult:
    """Lay out a content repository in `target` (new or empty) and `git init` it."""
    target = target.expanduser().absolute()
    _refuse_unless_empty(target)
    try:
        if target.is_dir():
            return _fill(target, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.fzjj-init-", dir=target.parent))
        try:
            result = _fill(staging, target)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return result
    except OSError as exc:
        raise FzjjError(
            f"无法在 {target} 中创建内容仓库：{exc.strerror}，没有留下任何文件",
            path=str(target),
            hint="检查目录权限和磁盘空间后重试。",
        ) from exc


def _refuse_unless_empty(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} 已存在且不是目录", hint="指定一个新目录或空目录。")
    if not target.is_dir():
        return
    entries = sorted(p.name for p in target.iterdir())
    if not entries:
        return
    bare = (target / "HEAD").is_file() and (target / "objects").is_dir()
    if ".git" in entries or bare:
        what = "已经是一个 git 仓库"
    elif "policies.yaml" in entries:
        what = "已经是一个内容仓库（有 policies.yaml）"
    else:
        shown = "、".join(entries[:5]) + ("等" if len(entries) > 5 else "")
        what = f"不是空目录（有 {shown}）"
    raise RefusedError(
        f"{target} {what}，没有做任何修改",
        path=str(target),
        hint="fzjj init 只用新目录或空目录；请换一个目录，或在已有仓库中直接使用 fzjj。",
    )


def _fill(folder: Path, final: Path) -> InitResult:
    """Write the packaged files into `folder` and `git init` it; `final` is where it ends up.

    When `folder` is the (empty) target itself, everything written is removed on failure.
    """
    from fzjj import gitstore

    result = InitResult(root=final)
    try:
        gitstore.init_repository(folder)
        for rel, data in packaged_files().items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            result.created.append(rel)
    except BaseException:
        if folder == final:
            for item in list(folder.iterdir()):
                if item.is_dir() and not item.is_symlink():
                    shutil.rmtree(item, ignore_errors=True)
                else:
                    item.unlink(missing_ok=True)
        raise
    return result
