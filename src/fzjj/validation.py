"""Turn `fzjj.schema` problems into precise Chinese messages."""

from __future__ import annotations

from typing import Any

from fzjj.schema import SchemaError

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
    "less_than_equal": "数值过大",
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


def describe(exc: SchemaError, data: Any = None) -> list[tuple[str, str]]:
    """(field, Chinese message) for each problem, in the order of the fields."""
    items: list[tuple[str, str]] = []
    for issue in exc.issues:
        kind = issue.kind
        ctx = issue.ctx
        if kind == "value_error":
            msg = str(issue.cause)
        else:
            msg = _TYPE_MESSAGES.get(kind, kind)
            if kind in ("enum", "literal_error") and "expected" in ctx:
                msg += f"，应为 {ctx['expected']}"
            if kind == "string_pattern_mismatch" and "pattern" in ctx:
                msg += f"（{ctx['pattern']}）"
            if kind == "string_too_long" and "max_length" in ctx:
                msg += f"（最多 {ctx['max_length']} 字）"
            if kind == "greater_than_equal" and "ge" in ctx:
                msg += f"（最小 {ctx['ge']}）"
            if kind == "less_than_equal" and "le" in ctx:
                msg += f"（最大 {ctx['le']}）"
        if kind not in ("missing", "value_error") and not isinstance(issue.input, dict | list):
            msg += f"；实际为 {repr(issue.input)[:60]}"
        items.append((field_path(issue.loc, data), msg))
    return items
