"""`fzjj demo` plays its month for real and ends with the expected states."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from fzjj.cli.main import app


def test_demo_runs_and_history_verifies(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "被拒绝" in out and "不具备 科室负责人审核 的角色" in out  # wrong person refused
    assert "先审后发" in out  # publishing before the chain is refused
    repo = tmp_path / "法治晋江"
    old = os.getcwd()
    os.chdir(repo)
    try:
        status = CliRunner().invoke(app, ["status", "--all", "--json"])
    finally:
        os.chdir(old)
    states = {s["id"]: s for s in json.loads(status.output)}
    assert states["2026-11-qingyang-01"]["phase"] == "published"
    assert states["2026-11-anhai-01"]["phase"] == "published"
    assert states["2026-11-cizao-01"]["phase"] == "approved"
    assert states["2026-11-publicity-01"]["phase"] == "approved"
    # the rejected-then-resubmitted draft keeps its rejection in history
    anhai = [r["action"] for r in states["2026-11-anhai-01"]["records"]]
    assert anhai.count("reject") == 1 and anhai.count("submit") == 2
    # every record the demo made is valid
    assert all(r["valid"] for s in states.values() for r in s["records"])
