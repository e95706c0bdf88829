"""`fzjj check` over the whole repository: each violation kind, the formats, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import Bureau
from fzjj.check import CODES, check_repository, format_github, to_json
from fzjj.gitstore import open_repo
from test_check_support import (
    SITUATIONS,
    chain_until,
    check_json,
    codes,
    fzjj_check,
    record,
    s_clean,
)


def test_clean_repository_passes(bureau: Bureau) -> None:
    s_clean(bureau)
    code, out, _ = fzjj_check(bureau)
    assert code == 0, out
    assert "错误 0 项" in out and "通过" in out
    code, doc = check_json(bureau)
    assert code == 0 and doc["violations"] == []
    assert doc["counts"]["drafts"] == 2


def test_warnings_do_not_fail(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-warn")
    chain_until(bureau, path, 1)
    bureau.draft("2026-11-warn", body="改过的正文。\n")
    bureau.git("commit", "-qam", "edit after review")
    code, doc = check_json(bureau)
    assert code == 0
    assert codes(doc) == ["R040"]
    assert doc["violations"][0]["severity"] == "warn"


def test_publication_without_chain_is_reported_first(bureau: Bureau) -> None:
    bad = bureau.draft("2026-11-aaa-broken", unit="nowhere")  # D003 sorts before R001
    bureau.git("add", bad)
    bureau.git("commit", "-qm", "bad draft")
    path = bureau.draft("2026-11-zzz-pub")
    prev = chain_until(bureau, path, 1)
    record(bureau, "operator", "publish", path, prev=prev, url="https://mp.weixin.qq.com/s/z")
    _, doc = check_json(bureau)
    assert codes(doc)[0] == "R001"
    assert "D003" in codes(doc)
    assert codes(doc).count("R001") == 1  # one report per publication


def test_invalid_policy_at_head_names_the_field(bureau: Bureau) -> None:
    text = (bureau.root / "policies.yaml").read_text("utf-8")
    bureau.write("policies.yaml", text.replace("version: 1", "version: 2\nfoo: bar"))
    bureau.sign_as("admin")
    bureau.git("commit", "-qa", "-S", "-m", "typo")
    _, doc = check_json(bureau)
    g001 = [v for v in doc["violations"] if v["code"] == "G001"]
    assert g001 and "foo" in g001[0]["message"]
    assert "P001" in codes(doc)


def test_json_schema_is_stable(bureau: Bureau) -> None:
    _, (expected,) = SITUATIONS["wrong-role"](bureau)
    report = check_repository(open_repo(bureau.root))
    doc = to_json(report)
    assert set(doc) == {
        "schema",
        "mode",
        "ok",
        "exit_code",
        "head",
        "base",
        "policy_version",
        "counts",
        "drafts",
        "violations",
    }
    assert doc["schema"] == "fzjj-check/1" and doc["mode"] == "full"
    assert doc["head"] == bureau.head() and doc["base"] is None
    v = next(v for v in doc["violations"] if v["code"] == expected)
    assert set(v) == {
        "code",
        "title",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "commit",
        "draft_id",
        "hint",
    }
    assert v["title"] == CODES[expected][0]
    assert v["path"] == "content/2026/11/2026-11-wrongrole.md"
    assert v["draft_id"] == "2026-11-wrongrole" and len(v["commit"]) == 40


def test_github_format_escapes_and_annotates(bureau: Bureau) -> None:
    SITUATIONS["content-rules"](bureau)
    code, out, _ = fzjj_check(bureau, "--format", "github")
    assert code == 1
    lines = out.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert any("file=content/2026/11/2026-11-content.md,line=" in e and "L104" in e for e in errors)
    for line in errors:
        _props, message = line[len("::error ") :].split("::", 1)
        assert "\n" not in message and "%0A" in message  # the hint sits on its own line
    assert lines[-1].startswith("fzjj check：")


def test_github_property_escaping() -> None:
    from fzjj.check import CheckReport
    from fzjj.model import Violation

    report = CheckReport(
        "full",
        "0" * 40,
        None,
        1,
        [Violation("D001", "100%\n坏\x1b[2J", path="content/a,b:c.md", line=3)],
    )
    first = format_github(report).splitlines()[0]
    assert first.startswith("::error file=content/a%2Cb%3Ac.md,line=3,title=D001 ")
    assert first.endswith("::100%25%0A坏\\x1b[2J")


def test_junit_report(bureau: Bureau, tmp_path: Path) -> None:
    SITUATIONS["wrong-role"](bureau)
    target = tmp_path / "out" / "report.xml"
    code, out, _ = fzjj_check(bureau, "--format", "junit", "-o", str(target))
    assert code == 1
    assert "R020" in out  # the terminal still gets the readable report
    root = ET.fromstring(target.read_text("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    cases = {c.get("name"): c for c in suites[0].findall("testcase")}
    assert "policies.yaml" in cases and cases["policies.yaml"].find("failure") is None
    failure = cases["content/2026/11/2026-11-wrongrole.md"].find("failure")
    assert failure is not None and failure.get("type") == "R020"
    assert "R020" in (failure.text or "")
    assert suites[0].get("failures") == "1"


def test_json_to_file(bureau: Bureau, tmp_path: Path) -> None:
    target = tmp_path / "check.json"
    code, out, _ = fzjj_check(bureau, "--format", "json", "-o", str(target))
    assert code == 0
    assert json.loads(target.read_text("utf-8"))["ok"] is True
    assert "通过" in out


def test_not_a_repository_exits_2(tmp_path: Path) -> None:
    import os

    from typer.testing import CliRunner

    from test_check_support import check_app

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(check_app(), ["check"])
    finally:
        os.chdir(old)
    assert result.exit_code == 2
    assert "不在 git 仓库中" in result.stderr


def test_unknown_revision_and_bad_format_exit_2(bureau: Bureau) -> None:
    code, _, err = fzjj_check(bureau, "--rev", "no-such-branch")
    assert code == 2 and "no-such-branch" in err
    code, _, err = fzjj_check(bureau, "--base", "no-such-branch")
    assert code == 2 and "no-such-branch" in err
    code, _, _ = fzjj_check(bureau, "--format", "xml")
    assert code == 2


def test_no_trusted_policy_exits_2(bureau: Bureau, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    other = Bureau(empty, bureau.keys)
    other.git("init", "-q", "-b", "main")
    other.write("README.md", "x\n")
    other.git("add", "README.md")
    other.git("-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "x")
    code, _, err = fzjj_check(other)
    assert code == 2 and "policies.yaml" in err


def test_every_code_is_documented() -> None:
    """The codes in the source and the codes in docs/checks.md are the same set, and each
    has a section with what it means, an example and the fix."""
    import re

    docs = (Path(__file__).parents[1] / "docs" / "checks.md").read_text("utf-8")
    src = Path(__file__).parents[1] / "src" / "fzjj"
    used: set[str] = set(CODES)
    for name in ("chain.py", "history.py", "prcheck.py", "check.py", "hook.py"):
        used |= set(re.findall(r'"([PDRG]\d{3})"', (src / name).read_text("utf-8")))
    assert used == set(CODES), sorted(used ^ set(CODES))
    sections = dict(re.findall(r"^### ([PDRG]\d{3}) .*\n\n((?:.+\n)+)", docs, re.M))
    assert set(sections) == used, sorted(set(sections) ^ used)
    for code, text in sections.items():
        assert "Fix:" in text or "Fix " in text, code
        assert "Example" in text, code
    assert "content-rules.md" in docs
