"""Turn pydantic validation errors into precise Chinese messages."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

_TYPE_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（不在规定的字段中）",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "date_type": "应为日期 YYYY-MM-DD",
    "date_from_datetime_parsing": "不是有效日期（YYYY-MM-DD）",
    "date_parsing": "不是有效日期（YYYY-MM-DD）",
    "string_pattern_mismatch": "格式不符合要求",
    "string_too_long": "文本过长",
    "string_too_short": "不能为空",
    "too_short": "不能为空",
    "greater_than_equal": "数值过小",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
}


def field_path(loc: tuple[Any, ...], data: Any = None) -> str:
    """`units[3].head`; with the input `data`, list items that have an id are named:
    `units[3]（anhai）.head`, so a person finds the entry without counting."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                out += f"（{node['id'][:64]}）"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def describe(exc: ValidationError, data: Any = None) -> list[tuple[str, str]]:
    """(field, Chinese message) for each error, most specific first."""
    items: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        if kind == "value_error":
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
        else:
            msg = _TYPE_MESSAGES.get(kind, err["msg"])
            ctx = err.get("ctx") or {}
            if kind in ("enum", "literal_error") and "expected" in ctx:
                msg += f"，应为 {str(ctx['expected']).replace(' or ', '、').replace(', ', '、')}"
            if kind == "string_pattern_mismatch" and "pattern" in ctx:
                msg += f"（{ctx['pattern']}）"
            if kind == "string_too_long" and "max_length" in ctx:
                msg += f"（最多 {ctx['max_length']} 字）"
        if (
            kind not in ("missing", "value_error")
            and "input" in err
            and not isinstance(err["input"], dict | list)
        ):
            shown = repr(err["input"])
            msg += f"；实际为 {shown[:60]}"
        items.append((field_path(loc, data), msg))
    return items
