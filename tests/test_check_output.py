"""`fzjj check` output and exit codes: JUnit structure, GitHub annotations, the order of
R001, hostile file names, and the typer-free entry point (`python -m fzjj`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer.main

from conftest import Bureau
from fzjj.check import CheckReport, format_github, format_junit, format_text, to_json
from fzjj.cli.check_cmds import Format
from fzjj.cli.entry import CHECK_OPTIONS, FORMATS
from fzjj.model import Severity, Violation
from test_check_support import (
    SITUATIONS,
    chain_until,
    check_app,
    check_json,
    codes,
    fzjj_check,
    record,
)


def fzjj(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point in a subprocess, as CI and the hook run it."""
    return subprocess.run(
        [sys.executable, "-m", "fzjj", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )


HOSTILE = CheckReport(
    "full",
    "a" * 40,
    None,
    1,
    [
        Violation("D001", "坏的 front-matter：\x00\x1b[31m红字\x07",
                  path="content/2026/11/\udcff.md"),
        Violation("R001", "稿件被记录为已发布，但发布记录无效：审核链尚未完成就发布",
                  path="content/2026/11/a.md", commit="b" * 40, draft_id="a"),
        Violation("R003", "发布后又修改 <b>&\"'</b>", path="content/2026/11/a.md",
                  severity=Severity.WARN),
        Violation("G020", "改写历史", commit="c" * 40, hint="不要 --force"),
    ],
    drafts=["content/2026/11/\udcff.md", "content/2026/11/a.md"],
    commits=3,
)  # fmt: skip


def test_junit_is_well_formed_with_hostile_text() -> None:
    text = format_junit(HOSTILE)
    text.encode("utf-8")  # no lone surrogates left
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "")) == len(cases) == int(root.get("tests", ""))
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures", "")) == len(failed) == int(root.get("failures", ""))
    assert all(c.get("classname", "").startswith("fzjj.") and c.get("name") for c in cases)
    # R001 has the first test case, as it comes first everywhere else
    first = cases[0].find("failure")
    assert first is not None and first.get("type") == "R001"
    by_name = {c.get("name"): c for c in cases}
    bad = by_name["content/2026/11/\\xff.md"]
    assert bad.get("file") == "content/2026/11/\\xff.md"
    failure = bad.find("failure")
    assert failure is not None and failure.get("type") == "D001"
    assert "\\x1b[31m红字\\x07" in (failure.text or "") and "\x1b" not in text
    warned = by_name["content/2026/11/a.md"].find("system-out")
    assert warned is not None and "<b>&\"'</b>" in (warned.text or "")
    assert by_name["content/2026/11/a.md"].find("failure") is None  # R001 went first
    assert "G020" in (by_name["受保护分支"].findtext("failure") or "")


def test_every_format_puts_r001_first_and_escapes() -> None:
    ordered = CheckReport(
        HOSTILE.mode,
        HOSTILE.head,
        None,
        1,
        [HOSTILE.violations[i] for i in (1, 0, 2, 3)],
        HOSTILE.drafts,
    )
    lines = format_text(ordered).splitlines()
    assert lines[0].startswith("错误 R001 ")
    assert "\x1b" not in "\n".join(lines) and "\\xff.md" in lines[1]
    doc = to_json(ordered)
    json.dumps(doc, ensure_ascii=False).encode("utf-8")
    assert next(v["code"] for v in doc["violations"]) == "R001"  # type: ignore[attr-defined]
    github = format_github(ordered).splitlines()
    assert github[0].startswith("::error file=content/2026/11/a.md,line=1,title=R001 ")
    assert github[1].startswith("::error file=content/2026/11/\\xff.md,line=1,")
    assert github[2].startswith("::warning file=content/2026/11/a.md,line=1,")
    assert github[3].startswith("::error title=G020 ")  # no file: a push
    assert "\x1b" not in "".join(github)


def test_report_order_from_a_real_history(bureau: Bureau) -> None:
    bureau.git("add", bureau.draft("2026-11-aaa", unit="nowhere"))
    bureau.git("commit", "-qm", "a draft of an unknown unit")  # D003 sorts before R001
    path = bureau.draft("2026-11-zzz")
    prev = chain_until(bureau, path, 1)
    record(bureau, "operator", "publish", path, prev=prev, url="https://mp.weixin.qq.com/s/z")
    for fmt in ("text", "github", "junit"):
        _, out, _ = fzjj_check(bureau, "--format", fmt)
        found = [code for code in ("R001", "D003") if code in out]
        assert found == ["R001", "D003"] and out.index("R001") < out.index("D003"), fmt
    _, doc = check_json(bureau)
    assert codes(doc)[0] == "R001"


def test_non_utf8_file_name_does_not_crash(bureau: Bureau) -> None:
    name = os.fsencode(bureau.root) + b"/content/2026/11/\xff\xfe.md"
    Path(os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
    Path(os.fsdecode(name)).write_bytes(b"---\nid: x\n---\n")
    bureau.git("add", "-A")
    bureau.git("commit", "-qm", "a file whose name is not UTF-8")
    for fmt in ("text", "json", "github", "junit"):
        proc = fzjj(bureau.root, "check", "--format", fmt)
        assert proc.returncode == 1, proc.stderr
        shown = proc.stdout if fmt != "json" else json.loads(proc.stdout)["violations"][0]["path"]
        assert "\\xff\\xfe.md" in shown, fmt
    proc = fzjj(bureau.root, "check", "--base", "HEAD~1", "--format", "junit")
    assert proc.returncode == 1 and "D001" in proc.stdout
    ET.fromstring(proc.stdout.encode("utf-8"))


# ---- exit codes and the entry point -------------------------------------------------------


def test_entry_point_exit_codes(bureau: Bureau, tmp_path: Path) -> None:
    SITUATIONS["unsigned-record"](bureau)
    assert fzjj(bureau.root, "check").returncode == 1
    assert fzjj(bureau.root, "check", "--base", "HEAD").returncode == 0
    assert fzjj(bureau.root, "check", "--base", "HEAD~1", "-f", "json").returncode == 1
    for args, message in (
        (["check", "--base"], "选项 --base 需要一个值"),
        (["check", "--format", "xml"], "--format 的值 'xml' 无效"),
        (["check", "--nope"], "不接受选项 --nope"),
        (["check", "stray"], "不接受参数 'stray'"),
        (["check", "--base", "no-such-branch"], "找不到基准版本（--base） no-such-branch"),
        (["check", "--rev", "no-such-branch"], "no-such-branch"),
    ):
        proc = fzjj(bureau.root, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("错误：") and message in proc.stderr, proc.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    proc = fzjj(outside, "check")
    assert proc.returncode == 2 and "不在 git 仓库中" in proc.stderr
    proc = fzjj(bureau.root, "check", "--help")
    assert proc.returncode == 0 and "--base" in proc.stdout


def test_entry_point_writes_the_report_file(bureau: Bureau, tmp_path: Path) -> None:
    target = tmp_path / "out" / "r.xml"
    proc = fzjj(bureau.root, "check", "--base=HEAD", "--format=junit", "--output", str(target))
    assert proc.returncode == 0 and "通过" in proc.stdout
    assert ET.fromstring(target.read_bytes()).tag == "testsuites"
    blocked = tmp_path / "file"
    blocked.write_text("x", "utf-8")
    proc = fzjj(bureau.root, "check", "-o", str(blocked / "r.xml"))
    assert proc.returncode == 2 and "无法写入文件：路径中有一个同名文件，不是目录" in proc.stderr
    assert "换一个可写的输出位置" in proc.stderr and not (blocked / "r.xml").exists()


def test_unreadable_policy_exits_2(bureau: Bureau) -> None:
    bureau.write("policies.yaml", "version: [\n")
    bureau.sign_as("admin")
    bureau.git("commit", "-qa", "-S", "-m", "broken roster")
    proc = fzjj(bureau.root, "check", "--base", "HEAD")
    assert proc.returncode == 2 and "policies.yaml" in proc.stderr
    bureau.git("switch", "-q", "--orphan", "fresh")
    bureau.write("policies.yaml", "version: [\n")
    bureau.git("add", "policies.yaml")
    bureau.git("commit", "-qm", "a genesis that does not parse")
    proc = fzjj(bureau.root, "check")
    assert proc.returncode == 2 and "policies.yaml" in proc.stderr


def test_unrelated_base_exits_2(bureau: Bureau) -> None:
    main = bureau.head()
    bureau.git("switch", "-q", "--orphan", "other")
    bureau.git("commit", "-q", "--allow-empty", "-m", "unrelated")
    code, _, err = fzjj_check(bureau, "--base", main)
    assert code == 2 and "没有共同的历史" in err


def test_fast_parser_knows_every_option_of_the_typer_command() -> None:
    command = typer.main.get_command(check_app()).commands["check"]  # type: ignore[attr-defined]
    names = {name for p in command.params for name in p.opts}
    assert names == set(CHECK_OPTIONS), names ^ set(CHECK_OPTIONS)
    assert tuple(f.value for f in Format) == FORMATS


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--format", "json"],
        ["--base", "HEAD~1", "-f", "github"],
        ["--base=HEAD~1", "--rev=HEAD", "--format=junit"],
        ["--rev", "HEAD~1"],
        ["--format", "text", "--format", "json"],
    ],
)
def test_entry_point_and_typer_agree(bureau: Bureau, args: list[str]) -> None:
    SITUATIONS["wrong-role"](bureau)
    proc = fzjj(bureau.root, "check", *args)
    code, out, err = fzjj_check(bureau, *args)
    assert (proc.returncode, proc.stdout, proc.stderr) == (code, out, err)
