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

Errors: ``render_template`` turns every failure of a template (syntax, an undefined name, a
sandbox refusal, a file that is not UTF-8, an exception raised while rendering) into a
``UsageError`` naming the template file and line, in Chinese.
"""

from __future__ import annotations

import functools
import re
import traceback
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fzjj.errors import FzjjError, UsageError

if TYPE_CHECKING:
    import jinja2

TEMPLATES_DIR = "templates"
PACKAGE = "fzjj"
TEMPLATE_HINT = (
    "修改该模板后重试；删除仓库 templates/ 中的同名文件即恢复 fzjj 内置模板。"
    "可用的变量见 docs/rendering.md 和 docs/forms.md。"
)


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
            except UnicodeDecodeError as exc:
                raise UsageError(
                    "模板资源不是 UTF-8 编码，请用 UTF-8 重新保存",
                    path=_shown_path(repo_root, str(candidate)),
                    hint=TEMPLATE_HINT,
                ) from exc
            except OSError as exc:
                from fzjj.render.outputs import os_reason

                raise UsageError(
                    f"无法读取模板资源：{os_reason(exc)}",
                    path=_shown_path(repo_root, str(candidate)),
                    hint="请确认该文件可读。",
                ) from exc
    packaged = resources.files(PACKAGE).joinpath(TEMPLATES_DIR, name)
    if not packaged.is_file():
        raise UsageError(
            f"找不到模板资源 {name}",
            hint="请检查 templates/ 目录中的文件名，或重新安装 fzjj",
        )
    return packaged.read_text(encoding="utf-8")


# ---- rendering with Chinese errors ----------------------------------------------------------


def render_template(repo_root: Path | None, name: str, context: dict[str, Any]) -> str:
    """Render the template `name` (repository copy first) with `context`.

    Any failure of the template becomes a UsageError (exit 2) that names the file and the
    line, so a broken template in the repository never ends in a traceback.
    """
    import jinja2

    env = make_env(repo_root)
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or name
        raise _template_error(repo_root, where, exc.lineno, _syntax_text(exc)) from exc
    except UnicodeDecodeError as exc:
        message = "模板文件不是 UTF-8 编码，请用 UTF-8 重新保存"
        raise _template_error(repo_root, _template_file(repo_root, name), None, message) from exc
    except FzjjError:
        raise
    except Exception as exc:  # anything raised while a template runs is the template's fault
        file, line = _failing_frame(exc, repo_root, name)
        raise _template_error(repo_root, file, line, _runtime_text(exc)) from exc


def _template_file(repo_root: Path | None, name: str) -> str:
    """The file a template name resolves to: the repository copy or the packaged default."""
    folder = override_dir(repo_root)
    if folder is not None and (folder / name).is_file():
        return str(folder / name)
    return str(resources.files(PACKAGE).joinpath(TEMPLATES_DIR, name))


def _shown_path(repo_root: Path | None, file: str) -> str:
    """`templates/x.j2` for a repository file; `fzjj 内置模板 x.j2` for a packaged one."""
    path = Path(file)
    if repo_root is not None and path.is_absolute():
        try:
            return path.resolve().relative_to(repo_root.resolve()).as_posix()
        except ValueError:
            pass
    packaged = Path(str(resources.files(PACKAGE).joinpath(TEMPLATES_DIR)))
    if path.is_absolute() and path.parent == packaged:
        return f"fzjj 内置模板 {path.name}"
    return file


def _template_error(
    repo_root: Path | None, file: str, line: int | None, message: str
) -> UsageError:
    return UsageError(message, path=_shown_path(repo_root, file), line=line, hint=TEMPLATE_HINT)


def _failing_frame(exc: BaseException, repo_root: Path | None, name: str) -> tuple[str, int | None]:
    """The innermost template frame of the traceback (jinja2 rewrites it to the template's
    file and line), or the template itself without a line."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename.endswith((".j2", ".html", ".htm", ".xml"))
    ]
    if frames:
        return frames[-1].filename, frames[-1].lineno
    return _template_file(repo_root, name), None


_UNDEFINED = re.compile(r"^'(?P<name>[^']+)' is undefined$")
_NO_ATTRIBUTE = re.compile(r"has no attribute '(?P<name>[^']+)'$")


def _syntax_text(exc: Exception) -> str:
    return f"模板语法错误，无法解析（jinja2：{getattr(exc, 'message', None) or exc}）"


def _runtime_text(exc: Exception) -> str:
    import jinja2
    from jinja2.exceptions import SecurityError

    detail = str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        undefined = _UNDEFINED.match(detail)
        if undefined:
            return f"模板使用了未定义的变量“{undefined.group('name')}”"
        missing = _NO_ATTRIBUTE.search(detail)
        if missing:
            return f"模板使用了不存在的属性“{missing.group('name')}”"
        return f"模板使用了未定义的值（jinja2：{detail}）"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"模板引用的文件 {exc.name} 不存在"
    if isinstance(exc, SecurityError):
        return f"模板试图访问受保护的内部属性，已被阻止（jinja2：{detail}）"
    return f"模板运行出错（{type(exc).__name__}：{detail}）"
