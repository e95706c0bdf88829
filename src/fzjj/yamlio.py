"""Safe YAML reading: the C loader when present, no aliases, bounded size, Chinese errors.

Besides PyYAML's safe loading this refuses what a person never means to write: anchors and
aliases (the "billion laughs" bomb), a key given twice in one mapping (PyYAML would keep the
last one silently), and dates that do not exist on the calendar (PyYAML would raise a bare
ValueError).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml

from fzjj.errors import FzjjError

try:
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader

MAX_YAML_BYTES = 1_000_000
# characters YAML reads as line breaks (or drops): strings holding one are double-quoted
_LINE_BREAKS = frozenset("\r\x85\u2028\u2029\ufeff")


class _Problem(Exception):
    """A construction problem with the 1-based line it is on."""

    def __init__(self, message: str, line: int, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


class _StrictLoader(_Base):  # type: ignore[misc,valid-type]
    first_line = 1  # file line of the YAML text's first line (front-matter starts on 2)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: dict[Hashable, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + self.first_line
            if isinstance(key, Hashable) and key in seen:
                raise _Problem(
                    f"键 {key!r} 重复出现（第 {seen[key]} 行已经写过）",
                    line,
                    "每个键只能写一次；删除多余的一行。",
                )
            if isinstance(key, Hashable):
                seen[key] = line
        result: dict[Any, Any] = super().construct_mapping(node, deep)
        return result


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise _Problem(
            f"日期 {node.value} 不存在",
            node.start_mark.line + getattr(loader, "first_line", 1),
            "日期写成 YYYY-MM-DD，并且必须是日历上存在的日期（例如没有 2 月 30 日）。",
        ) from exc


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _reject_aliases(text: str, path: str, error: type[FzjjError], first_line: int) -> None:
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise error(
                "不允许使用 YAML 锚点或别名（& 与 *）",
                path=path,
                line=mark.line + first_line if mark else None,
                hint="把引用处的内容直接写出来。",
            )


def load_yaml(text: str, path: str, error: type[FzjjError], *, first_line: int = 1) -> Any:
    """Parse YAML text, raising `error` with the file and line on any problem.

    `first_line` is the file line the text starts on, so that every line number in a
    message is a line of the file the person edits.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise error("YAML 内容过大（超过 1 MB）", path=path, hint="检查文件是否被误改。")
    try:
        if "&" in text or "*" in text:
            _reject_aliases(text, path, error, first_line)
        loader = _StrictLoader(text)
        loader.first_line = first_line
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _Problem as exc:
        raise error(exc.message, path=path, line=exc.line, hint=exc.hint) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise error(
            f"YAML 格式错误：{exc.problem or exc}",
            path=path,
            line=mark.line + first_line if mark else None,
            hint="检查缩进、冒号和引号。",
        ) from exc
    except yaml.YAMLError as exc:
        raise error(f"YAML 格式错误：{exc}", path=path) from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise error(
            "YAML 内容无法读取（数值过大、嵌套过深或取值无效）",
            path=path,
            hint="检查文件是否被误改；front-matter 与 policies.yaml 只需要简单的键和值。",
        ) from exc


class _Dumper(yaml.SafeDumper):
    """Double-quotes (and so escapes) strings YAML would re-read differently: those with
    Unicode line breaks or a byte-order mark."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _LINE_BREAKS.intersection(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: dict[str, object]) -> str:
    """Block-style YAML for front-matter: keys in the given order, Chinese as is."""
    return str(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000))
