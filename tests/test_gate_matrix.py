"""The gate's table: every violation kind, built with real git and real keys, is caught by
the full check, the pull-request check and the server hook (a real `git push` to a bare
repository over file://); a clean history passes all three.

Codes that cannot arise in a mode are listed in docs/checks.md ("Where each code is
reported"); `test_the_table_covers_every_code` keeps that list and this table complete.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Bureau
from fzjj.check import CODES
from fzjj.rules import RULES
from test_check_support import (
    HOOK_ONLY,
    SITUATIONS,
    WARNINGS,
    Case,
    check_json,
    codes,
    push,
    s_clean,
)
from test_hook import make_server, server_head

DOCS = Path(__file__).parents[1] / "docs" / "checks.md"


def _reported(text: str) -> set[str]:
    return set(re.findall(r"(?:错误|警告) ([A-Z]\d{3}) ", text))


@pytest.mark.parametrize("name", sorted(SITUATIONS))
def test_every_mode_catches(bureau: Bureau, tmp_path: Path, name: str) -> None:
    build: Callable[[Bureau], Case] = SITUATIONS[name]
    base, expected = build(bureau)
    warn_only = set(expected) <= WARNINGS
    head = bureau.head()

    code, full = check_json(bureau)
    assert set(expected) <= set(codes(full)), full
    assert code == (0 if warn_only else 1)

    code, pr = check_json(bureau, "--base", base)
    assert set(expected) <= set(codes(pr)), pr
    assert code == (0 if warn_only else 1)
    assert pr["mode"] == "pr" and pr["base"] == base and pr["head"] == head

    server = make_server(tmp_path)
    first = push(bureau, server.as_uri(), f"{base}:refs/heads/main")
    assert first.returncode == 0, first.stderr
    proc = push(bureau, server.as_uri(), "main")
    assert set(expected) <= _reported(proc.stderr), proc.stderr
    if warn_only:
        assert proc.returncode == 0, proc.stderr
        assert server_head(server) == head
    else:
        assert proc.returncode != 0 and "推送被拒绝" in proc.stderr
        assert server_head(server) == base


def test_clean_history_passes_every_mode(bureau: Bureau, tmp_path: Path) -> None:
    server = make_server(tmp_path)
    assert push(bureau, server.as_uri(), "main").returncode == 0
    base = s_clean(bureau)
    code, full = check_json(bureau)
    assert code == 0 and full["violations"] == []
    code, pr = check_json(bureau, "--base", base)
    assert code == 0 and pr["violations"] == []
    proc = push(bureau, server.as_uri(), "main")
    assert proc.returncode == 0, proc.stderr
    assert server_head(server) == bureau.head()


def _documented_modes() -> dict[str, str]:
    """code → the "modes" cell of the table in docs/checks.md."""
    text = DOCS.read_text("utf-8")
    table = text.split("## Where each code is reported", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `?([A-Z]\d{3})`? \| ([^|]+) \|", table, re.M)
    return {code: modes.strip() for code, modes in rows}


def test_the_table_covers_every_code() -> None:
    """Each code of fzjj's own checks is built above for all three modes, or the docs say
    in which modes it can arise and why; content codes are covered by representatives."""
    tested = {c for build in SITUATIONS.values() for c in _codes_of(build)}
    documented = _documented_modes()
    own = set(CODES)
    assert own <= set(documented), sorted(own - set(documented))
    for code in own:
        if code in tested:
            assert documented[code] == "all", (code, documented[code])
        else:
            assert documented[code] != "all", code
    assert own - tested <= HOOK_ONLY
    assert {c for c in tested if c in RULES}, "at least one content rule goes through the table"


def _codes_of(build: Callable[[Bureau], Case]) -> set[str]:
    """The codes a situation builder says it produces (from its return statement)."""
    returns = re.findall(r"return \w+, \(([^)]*)\)", inspect.getsource(build))
    assert returns, build.__name__
    return {c for r in returns for c in re.findall(r'"([A-Z]\d{3})"', r)}
