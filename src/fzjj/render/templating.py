"""The jinja2 environment shared by every renderer, and theme assets.

Lookup order for templates and assets: ``<repo_root>/templates/`` first (the publicity
section's overrides, kept in the content repository), then the defaults packaged in
``fzjj/templates/``. A file in the repository with the same name as a packaged default
replaces it.

Safety:
- autoescaping is on for every template (html/j2/xml by extension, and by default for
  anything else), so values placed in the context are always escaped;
- undefined names raise (``StrictUndefined``) instead of rendering as empty text;
- the environment is sandboxed (``ImmutableSandboxedEnvironment``), so a template placed in
  the repository's templates/ cannot reach Python internals, and no extensions are loaded;
- user text (a draft's title, body, source...) is only ever passed as context values; it is
  never compiled as a template, so ``{{ 7*7 }}`` in a draft stays literal text.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from fzjj.errors import UsageError

if TYPE_CHECKING:
    import jinja2

TEMPLATES_DIR = "templates"
PACKAGE = "fzjj"


def override_dir(repo_root: Path | None) -> Path | None:
    """The repository's templates/ folder, if there is one."""
    if repo_root is None:
        return None
    folder = repo_root / TEMPLATES_DIR
    return folder if folder.is_dir() else None


def make_env(repo_root: Path | None) -> jinja2.Environment:
    """Return the (cached) template environment for a repository root, or the defaults."""
    key = str(repo_root.resolve()) if repo_root is not None else None
    return _cached_env(key)


@functools.lru_cache(maxsize=16)
def _cached_env(root: str | None) -> jinja2.Environment:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    loaders: list[jinja2.BaseLoader] = []
    folder = override_dir(Path(root)) if root is not None else None
    if folder is not None:
        loaders.append(jinja2.FileSystemLoader(str(folder), encoding="utf-8"))
    loaders.append(jinja2.PackageLoader(PACKAGE, TEMPLATES_DIR))
    return ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        extensions=(),
    )


def clear_cache() -> None:
    """Forget cached environments (tests create and delete template folders)."""
    _cached_env.cache_clear()


def _check_name(name: str) -> None:
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
        raise UsageError(
            f"模板资源名“{name}”不合法",
            hint="资源名只能是 templates/ 目录下的文件名，例如 gov.css",
        )


def read_asset(repo_root: Path | None, name: str) -> str:
    """Read a non-template file (e.g. ``gov.css``): the repository copy first, else the default."""
    _check_name(name)
    folder = override_dir(repo_root)
    if folder is not None:
        candidate = folder / name
        if candidate.is_file():
            try:
                return candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(
                    f"无法读取模板资源：{exc}",
                    path=str(candidate),
                    hint="请确认该文件存在且为 UTF-8 编码",
                ) from exc
    packaged = resources.files(PACKAGE).joinpath(TEMPLATES_DIR, name)
    if not packaged.is_file():
        raise UsageError(
            f"找不到模板资源 {name}",
            hint="请检查 templates/ 目录中的文件名，或重新安装 fzjj",
        )
    return packaged.read_text(encoding="utf-8")
