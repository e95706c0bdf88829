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


def test_demo_ends_with_the_check_forms_archive_and_article(tmp_path: Path) -> None:
    from test_form import pdf_text

    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "fzjj check：4 篇稿件" in result.output and "通过。" in result.output
    out = tmp_path / "输出"
    form = out / "2026-11-qingyang-01-审批表.pdf"
    for path in (form, out / "2026-11-qingyang-01.html", out / "archive" / "manifest.json"):
        assert str(path) in result.output
        assert path.stat().st_size > 0
    text = pdf_text(form.read_bytes())
    assert "信息发布审批表" in text and "陈岚" in text and "抄送" in text
    manifest = json.loads((out / "archive" / "manifest.json").read_text("utf-8"))
    assert len(manifest["forms"]) == 4
    article = (out / "2026-11-qingyang-01.html").read_text("utf-8")
    assert "宪法进社区" in article and "<script" not in article
    # the month's report: every unit, the forward does not count towards the quota
    assert "2026-11 月报" in result.output
    report = result.output.split("2026-11 月报", 1)[1]
    for unit in ("青阳司法所", "安海司法所", "磁灶司法所", "宣教科"):
        assert unit in report
    assert "未达标" in report and "3/4 达标" in report
    page = (out / "2026-11-月报.html").read_text("utf-8")
    assert "<svg" in page and "宣教科" in page and "http://" not in page


def test_demo_refuses_a_folder_it_would_overwrite(tmp_path: Path) -> None:
    (tmp_path / "法治晋江").mkdir()
    (tmp_path / "法治晋江" / "mine.txt").write_text("不要动我", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "已存在，演示不会覆盖它" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["法治晋江"]
    assert (tmp_path / "法治晋江" / "mine.txt").read_text("utf-8") == "不要动我"
