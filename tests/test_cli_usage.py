"""Help pages and usage errors: Chinese everywhere, exit code 2 for a command line that cannot
run. One real subprocess run of the installed `fzjj` (the entry point), the rest in-process."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from fzjj.cli.main import app

ENGLISH = re.compile(r"Usage:|Options:|Arguments:|Commands:|Show this message|\[required\]")


def every_command_path() -> list[list[str]]:
    root = get_command(app)
    paths: list[list[str]] = [[]]
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        paths.append([name])
        for sub in getattr(command, "commands", {}):
            paths.append([name, sub])
    return paths


def test_the_installed_entry_point_answers_in_chinese() -> None:
    exe = Path(sys.executable).with_name("fzjj")
    done = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("用法：fzjj [选项] 命令 [参数]...")
    assert "显示本帮助并退出。" in done.stdout and not ENGLISH.search(done.stdout)


@pytest.mark.parametrize("path", every_command_path(), ids=" ".join)
def test_every_help_page_is_chinese(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("用法：fzjj")
    assert not ENGLISH.search(result.output), result.output
    summary = result.output.split("\n\n")[1].strip()
    assert re.search(r"[\u4e00-\u9fff]", summary), f"{path} has no Chinese description"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--bogus"], "错误：没有选项 --bogus"),
        (["status", "--alll"], "错误：没有选项 --alll，是不是想用 --all？"),
        (["approve"], "错误：缺少参数 path"),
        (["publish", "content/2026/11/x.md"], "错误：缺少选项 --url"),
        (["report", "--month"], "错误：选项 --month 需要一个值"),
        (["nosuch"], "错误：没有命令 nosuch"),
        (["new", "--kind"], "错误：选项 --kind 需要一个值"),
        (["approve", "a.md", "b.md"], "错误：多余的参数：b.md"),
    ],
)
def test_usage_errors_are_chinese_with_exit_code_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "提示：运行 fzjj" in result.output and "--help 查看用法。" in result.output
    assert "Error" not in result.output and "Try '" not in result.output
