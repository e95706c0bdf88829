"""Safe YAML reading: the C loader when present, no aliases, bounded size, Chinese errors."""

from __future__ import annotations

from typing import Any

import yaml

from fzjj.errors import FzjjError

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_YAML_BYTES = 1_000_000


def _reject_aliases(text: str, path: str, error: type[FzjjError]) -> None:
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise error(
                "不允许使用 YAML 锚点或别名（& 与 *）",
                path=path,
                line=mark.line + 1 if mark else None,
                hint="把引用处的内容直接写出来。",
            )


def load_yaml(text: str, path: str, error: type[FzjjError]) -> Any:
    """Parse YAML text, raising `error` with the file and line on any problem."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise error("YAML 内容过大（超过 1 MB）", path=path, hint="检查文件是否被误改。")
    try:
        if "&" in text or "*" in text:
            _reject_aliases(text, path, error)
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise error(
            f"YAML 格式错误：{exc.problem or exc}",
            path=path,
            line=mark.line + 1 if mark else None,
            hint="检查缩进、冒号和引号。",
        ) from exc
    except yaml.YAMLError as exc:
        raise error(f"YAML 格式错误：{exc}", path=path) from exc
