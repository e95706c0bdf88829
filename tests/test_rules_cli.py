"""`fzjj lint` through typer's CliRunner on a tiny app that only registers the command."""

import errno
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from fzjj.cli import lint_cmd

ROOT = Path(__file__).resolve().parents[1]


def _draft(draft_id: str, title: str, body: str) -> str:
    head = f"id: {draft_id}\ntitle: {title}\nunit: qingyang\nkind: original\ncategory: 便民信息"
    return f"---\n{head}\n---\n{body}"


CLEAN = _draft("2026-05-clean", "普法活动", "社区普法活动顺利举行。\n")
LEAKY = _draft("2026-05-leaky", "案例", "第一行。\n被告人张三，电话13800138000。\n")
WARN_ONLY = _draft("2026-05-warn", "保密宣传", "涉密人员应当遵守保密纪律。\n")


def _app() -> typer.Typer:
    app = typer.Typer()
    lint_cmd.register(app)

    @app.callback()
    def main() -> None:
        """A one-command app for tests."""

    return app


APP = _app()


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """A content directory with the shipped policies.yaml; the cwd while the test runs."""
    shutil.copy(ROOT / "policies.yaml", tmp_path / "policies.yaml")
    drafts = tmp_path / "content" / "2026" / "05"
    drafts.mkdir(parents=True)
    (drafts / "clean.md").write_text(CLEAN, "utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def _write(repo: Path, name: str, text: str | bytes) -> str:
    path = repo / "content" / "2026" / "05" / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return f"content/2026/05/{name}"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(APP, ["lint", *args], catch_exceptions=False)


def test_clean_drafts_exit_zero(repo: Path) -> None:
    result = invoke("content")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "检查了 1 篇稿件：0 处错误，0 处警告。\n"


def test_blocking_findings_exit_one_with_file_line_col(repo: Path) -> None:
    path = _write(repo, "leaky.md", LEAKY)
    result = invoke(path)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if not line.startswith("    ")]
    assert lines == [
        f"{path}:9:4 L106 错误 被告人“张*”的姓名未匿名化",
        f"{path}:9:9 L104 错误 发现手机号码 138****8000",
    ]
    assert "13800138000" not in result.stdout
    assert "    提示：案件当事人请写作" in result.stdout
    assert result.stderr == "检查了 1 篇稿件：2 处错误，0 处警告。\n"


def test_warnings_alone_exit_zero(repo: Path) -> None:
    path = _write(repo, "warn.md", WARN_ONLY)
    result = invoke(path)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{path}:8:1 L107 警告 出现涉密词语“涉密”")


def test_directory_is_walked_from_a_subfolder(repo: Path) -> None:
    _write(repo, "leaky.md", LEAKY)
    os.chdir(repo / "content" / "2026")
    result = invoke(".")
    assert result.exit_code == 1
    assert result.stderr == "检查了 2 篇稿件：2 处错误，0 处警告。\n"
    assert "content/2026/05/leaky.md:9:4 L106" in result.stdout


def test_hidden_files_and_folders_and_other_files_are_skipped(repo: Path) -> None:
    hidden = repo / "content" / ".drafts"
    hidden.mkdir()
    (hidden / "leaky.md").write_text(LEAKY, "utf-8")
    _write(repo, ".leaky.md", LEAKY)
    _write(repo, "notes.txt", LEAKY)
    os.mkfifo(repo / "content" / "2026" / "05" / "pipe.md")  # would block if opened
    result = invoke("content")
    assert result.exit_code == 0
    assert result.stderr == "检查了 1 篇稿件：0 处错误，0 处警告。\n"


def test_json_format(repo: Path) -> None:
    path = _write(repo, "leaky.md", LEAKY)
    result = invoke("--format", "json", "content")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["drafts"] == 2
    assert data["errors"] == []
    assert [
        (v["path"], v["line"], v["column"], v["code"], v["severity"]) for v in data["violations"]
    ] == [
        (path, 9, 4, "L106", "block"),
        (path, 9, 9, "L104", "block"),
    ]
    assert data["violations"][0]["draft_id"] == "2026-05-leaky"


def test_unreadable_draft_exits_three_and_others_are_still_checked(repo: Path) -> None:
    _write(repo, "broken.md", "没有 front-matter\n")
    _write(repo, "latin1.md", "---\nid: x\n---\n\xe9".encode("latin-1"))
    _write(repo, "leaky.md", LEAKY)
    result = invoke("content")
    assert result.exit_code == 3
    assert "L106" in result.stdout
    assert "错误：content/2026/05/broken.md:1：缺少 front-matter" in result.stderr
    assert "content/2026/05/latin1.md：文件不是 UTF-8 编码" in result.stderr
    assert result.stderr.endswith("检查了 2 篇稿件：2 处错误，0 处警告；2 个文件无法检查。\n")


def test_without_a_path_the_content_directory_is_linted(repo: Path) -> None:
    _write(repo, "leaky.md", LEAKY)
    os.chdir(repo / "content" / "2026")
    result = invoke()
    assert result.exit_code == 1
    assert "content/2026/05/leaky.md:9:4 L106" in result.stdout
    assert result.stderr == "检查了 2 篇稿件：2 处错误，0 处警告。\n"


def test_without_a_path_or_content_directory_nothing_is_linted(tmp_path: Path) -> None:
    shutil.copy(ROOT / "policies.yaml", tmp_path / "policies.yaml")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = invoke()
    finally:
        os.chdir(old)
    assert result.exit_code == 0
    assert result.stderr == "检查了 0 篇稿件：0 处错误，0 处警告。\n"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (errno.EACCES, "没有读取权限"),
        (errno.ENOENT, "文件不存在（可能是失效的链接）"),
        (errno.EISDIR, "这是目录，不是文件"),
        (errno.ENOSPC, "系统错误（errno 28）"),
    ],
)
def test_operating_system_errors_are_told_in_chinese(number: int, reason: str) -> None:
    assert lint_cmd.os_reason(OSError(number, os.strerror(number))) == reason


def test_missing_path_is_a_usage_error(repo: Path) -> None:
    result = invoke("content/nope.md")
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：路径不存在：content/nope.md")


def test_bad_format_is_a_usage_error(repo: Path) -> None:
    result = invoke("--format", "xml", "content")
    assert result.exit_code == 2
    assert "不支持的输出格式 'xml'" in result.stderr


def test_no_policy_exits_two(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(CLEAN, "utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = invoke("a.md")
    finally:
        os.chdir(old)
    assert result.exit_code == 2
    assert "找不到 policies.yaml" in result.stderr


def test_invalid_policy_exits_two(repo: Path) -> None:
    text = (repo / "policies.yaml").read_text("utf-8").replace("L107: warn", "L999: warn")
    (repo / "policies.yaml").write_text(text, "utf-8")
    result = invoke("content")
    assert result.exit_code == 2
    assert "L999" in result.stderr
    assert "lint.severity" in result.stderr


def test_git_work_tree_root_is_used(repo: Path) -> None:
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    nested = repo / "sub"
    nested.mkdir()
    (nested / "policies.yaml").write_text("not: [a policy", "utf-8")
    os.chdir(nested)
    # Inside a git work tree the policy is the one at the top, not the nearest one.
    result = invoke(str(repo / "content"))
    assert result.exit_code == 0
    assert result.stderr == "检查了 1 篇稿件：0 处错误，0 处警告。\n"
