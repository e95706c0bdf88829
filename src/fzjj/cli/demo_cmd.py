"""fzjj demo: the README's main job, a month of the bureau's publishing in a new repository."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from fzjj.errors import ExitCode, FzjjError


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        workdir: Annotated[
            Path | None, typer.Option("--dir", help="演示仓库放在这里（默认新建临时目录）")
        ] = None,
    ) -> None:
        """在临时仓库中演示一个月的报送、审核、退回、发布，最后生成审批表、存档、文章和月报。"""
        from rich.console import Console

        from fzjj.check import check_repository
        from fzjj.cli.report_run import month_report, print_month
        from fzjj.demo import DEMO_MONTH, OUTPUT_DIR, run_demo, showcase_draft
        from fzjj.render.console import print_states
        from fzjj.render.outputs import write_demo_outputs
        from fzjj.render.report_out import render_month
        from fzjj.service import open_workspace

        console = Console(highlight=False, soft_wrap=True)
        try:
            root = run_demo(workdir, console.print)
            ws = open_workspace(root)
            states = sorted(ws.states().values(), key=lambda s: s.path)
            console.print()
            print_states(states, ws.policy, title="月末：全部稿件的状态（从签名历史重建并验证）")
            report = check_repository(ws.repo)
            found = len(report.violations)
            verdict = f"发现 {found} 项问题" if found else "通过"
            console.print(
                f"\nfzjj check：{len(report.drafts)} 篇稿件、{report.commits} 个提交，{verdict}。"
            )
            out = root.parent / OUTPUT_DIR
            paths = write_demo_outputs(root, DEMO_MONTH, showcase_draft(root), out)
            console.print(f"\n[bold]宣教科留档：审批表、{DEMO_MONTH} 月存档和可发布的文章[/bold]")
            for path in paths:
                console.print(f"  {path}")
            console.print(f"\n[bold]{DEMO_MONTH} 月报（fzjj report --month {DEMO_MONTH}）[/bold]")
            year, month = (int(part) for part in DEMO_MONTH.split("-"))
            print_month(ws, year, month, console)
            page = out / f"{DEMO_MONTH}-月报.html"
            html = render_month(month_report(ws.policy, ws.states(), year, month), "html")
            page.write_text(str(html), encoding="utf-8")
            console.print(f"  网页版（带图表）：{page}")
        except FzjjError as exc:
            print(f"错误：{exc.render()}", file=sys.stderr)
            raise typer.Exit(int(exc.exit_code)) from None
        except OSError as exc:
            print(f"错误：演示输出无法写入：{exc}", file=sys.stderr)
            raise typer.Exit(int(ExitCode.CANNOT_RUN)) from None
        console.print(f"\n演示仓库保留在 {root}，可在其中运行 fzjj status、fzjj check、git log。")
