"""`fzjj render PATH [-o FILE] [--preview]`: the draft as WeChat-ready HTML."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from fzjj.errors import FzjjError


def register(app: typer.Typer) -> None:
    app.command("render")(render)


def render(
    path: Annotated[Path, typer.Argument(help="稿件文件 content/YYYY/MM/<名称>.md")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="把正文 HTML 写入该文件；默认输出到标准输出"),
    ] = None,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview",
            help="另外生成预览页 <文件名>.preview.html（公众号正文栏宽 677px），供人工查看",
        ),
    ] = False,
) -> None:
    """把稿件渲染为可粘贴到公众号编辑器的 HTML：样式全部内联，外部链接转为文末参考资料。"""
    from fzjj.cli.main import fail

    try:
        _render(path, output, preview)
    except FzjjError as exc:
        raise fail(exc) from None


def _render(path: Path, output: Path | None, preview: bool) -> None:
    from fzjj.render.article import render_preview
    from fzjj.render.outputs import article_html, load_article, preview_path, write_file

    job = load_article(path)
    fragment, notes = article_html(job)
    for note in notes:
        print(note, file=sys.stderr)
    if output is not None:
        write_file(output, fragment.encode("utf-8"))
        print(f"已生成正文 HTML：{output}")
    elif not preview:
        sys.stdout.write(fragment)
    if preview:
        target = preview_path(output if output is not None else Path(path.name))
        page = render_preview(fragment, title=job.draft.meta.title, repo_root=job.root)
        write_file(target, page.encode("utf-8"))
        print(f"已生成预览页：{target}（用浏览器打开查看）")
