"""Content rules (Art. 1, 3, 4(2), 5): forwarding whitelist, attribution, pre-review lint.

Call `check_content(draft, policy)` for everything about one draft. The helpers below are
public for other modules (rendering the 来源 line, the approval form, `fzjj check`).
"""

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
