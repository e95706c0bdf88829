"""Content rules (Art. 1, 3, 4(2), 5): forwarding whitelist, attribution, pre-review lint.

Call `check_content(draft, policy)` for everything about one draft. The helpers below are
public for other modules (rendering the 来源 line, the approval form, `fzjj check`).

The names are loaded from their submodules when first used: policies.yaml's schema lives
in `fzjj.rules.config`, and reading a roster must not import the rule engine (start-up of
`fzjj report` and the gate, docs/benchmarks.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fzjj.rules.checks import check_content
    from fzjj.rules.codes import LINT_CODES, RULES
    from fzjj.rules.hosts import (
        ParsedUrl,
        SourceMatch,
        UrlProblem,
        find_source,
        host_in,
        host_matches,
        match_source,
        parse_url,
        wechat_biz,
    )
    from fzjj.rules.lint import Finding, Matcher, matcher_for

_HOMES = {
    "check_content": "checks",
    "LINT_CODES": "codes",
    "RULES": "codes",
    "ParsedUrl": "hosts",
    "SourceMatch": "hosts",
    "UrlProblem": "hosts",
    "find_source": "hosts",
    "host_in": "hosts",
    "host_matches": "hosts",
    "match_source": "hosts",
    "parse_url": "hosts",
    "wechat_biz": "hosts",
    "Finding": "lint",
    "Matcher": "lint",
    "matcher_for": "lint",
}

__all__ = [
    "LINT_CODES",
    "RULES",
    "Finding",
    "Matcher",
    "ParsedUrl",
    "SourceMatch",
    "UrlProblem",
    "check_content",
    "find_source",
    "host_in",
    "host_matches",
    "match_source",
    "matcher_for",
    "parse_url",
    "wechat_biz",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'fzjj.rules' has no attribute {name!r}")
    return getattr(importlib.import_module(f"fzjj.rules.{home}"), name)
