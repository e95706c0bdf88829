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
    from fzjj.render.outputs import article_files, build_article, load_article, write_files

    article = build_article(load_article(path), preview=preview)
    files = article_files(article, output, preview_base=Path(path.name))
    write_files(files)  # everything was rendered first: a failure leaves no file behind
    for note in article.notes:
        print(note, file=sys.stderr)
    if output is not None:
        print(f"已生成正文 HTML：{output}")
    elif not preview:
        sys.stdout.write(article.fragment)
    if article.page is not None:
        print(f"已生成预览页：{files[-1][0]}（用浏览器打开查看）")
