"""check, init, hook pre-receive, hook install."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from fzjj.cli.base import FzjjApp
from fzjj.errors import ExitCode, FzjjError, UsageError


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    JUNIT = "junit"


def _exit(exc: FzjjError) -> typer.Exit:
    print(f"错误：{exc.render()}", file=sys.stderr)
    return typer.Exit(int(exc.exit_code))


def register(app: typer.Typer) -> None:
    @app.command()
    def check(
        fmt: Annotated[
            Format, typer.Option("--format", "-f", help="输出格式：text、json、github、junit")
        ] = Format.TEXT,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="把报告写入文件（终端仍显示文字报告）"),
        ] = None,
        base: Annotated[
            str | None,
            typer.Option(
                "--base", help="合并请求模式：以该版本（目标分支）为信任起点，只检查新增的提交"
            ),
        ] = None,
        rev: Annotated[str, typer.Option("--rev", help="要检查的版本")] = "HEAD",
    ) -> None:
        """检查名册、稿件、审核记录与审核链、内容规则。退出码：0 通过，1 有违规，2 无法检查。"""
        from fzjj.check import format_text, render, run_check
        from fzjj.gitstore import open_repo

        try:
            report = run_check(open_repo(Path.cwd()), rev, base)
        except FzjjError as exc:
            raise _exit(exc) from None
        text = render(report, fmt.value)
        if output is not None:
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(text, "utf-8")
            except OSError as exc:
                raise _exit(
                    FzjjError(f"无法写入报告文件：{exc.strerror}", path=str(output))
                ) from None
            text = format_text(report)
        sys.stdout.write(text)
        raise typer.Exit(int(report.exit_code))

    @app.command()
    def init(
        folder: Annotated[Path, typer.Argument(help="新内容仓库的目录（不存在会新建）")],
    ) -> None:
        """新建内容仓库：policies.yaml、content/、templates/、说明和 CI 配置。"""
        from fzjj.initrepo import init_repository

        try:
            result = init_repository(folder)
        except FzjjError as exc:
            raise _exit(exc) from None
        if result.git_initialised:
            print(f"已在 {result.root} 初始化 git 仓库（分支 main）")
        for rel in result.created:
            print(f"  新建 {rel}")
        for rel in result.skipped:
            print(f"  已存在，未改动 {rel}")
        print(
            "下一步：名册管理员把 policies.yaml 中的示例人员换成真实人员和公钥，然后签名提交：\n"
            f"  cd {result.root}\n"
            "  git add -A && git commit -S -m '建立名册'\n"
            "  fzjj check"
        )

    hook = FzjjApp(help="服务器端 git 钩子：拒绝违反审核规则的推送。", no_args_is_help=True)

    @hook.command("pre-receive")
    def pre_receive() -> None:
        """由 git 在接收推送前调用（从标准输入读取“旧值 新值 引用名”）。"""
        from fzjj import hook as server
        from fzjj.gitstore import open_hook_repo

        try:
            repo = open_hook_repo(server.hook_git_dir())
            updates = server.parse_updates(sys.stdin)
            result = server.pre_receive(repo, updates)
        except FzjjError as exc:
            print(f"fzjj：无法检查本次推送，已拒绝。\n错误：{exc.render()}", file=sys.stderr)
            raise typer.Exit(int(ExitCode.CANNOT_RUN)) from None
        sys.stderr.write(server.render_result(result))
        raise typer.Exit(1 if result.refused else 0)

    @hook.command("install")
    def install(
        bare_repo: Annotated[Path, typer.Argument(help="服务器上的（裸）仓库目录")],
        force: Annotated[
            bool, typer.Option("--force", help="替换已有的其他 pre-receive 钩子")
        ] = False,
    ) -> None:
        """在仓库中安装 pre-receive 钩子（使用当前 Python 环境中的 fzjj）。"""
        from fzjj import hook as server
        from fzjj.gitstore import open_repo

        try:
            if not bare_repo.is_dir():
                raise UsageError(f"{bare_repo} 不是目录", hint="指定服务器上的 git 仓库目录。")
            target = server.install(open_repo(bare_repo), force=force)
        except FzjjError as exc:
            raise _exit(exc) from None
        print(f"已安装 {target}")
        print("受保护分支默认为 main；修改：git config fzjj.protectedBranch <分支名>")

    app.add_typer(hook, name="hook")
