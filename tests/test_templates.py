"""Broken templates in the repository's templates/ folder: a Chinese error, never a traceback.

Each case writes one bad file into a real content repository with signed records and runs
the real `fzjj` app; the command must fail with exit 2, name the file and line, print
nothing on stdout and write no output file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from conftest import Bureau
from fzjj.render.templating import clear_cache, render_template
from test_archive import reviewed

# (file, content, command, expected "path:line：message")
CASES = [
    (
        "article.html.j2",
        "<p>正常</p>\n{% if %}\n",
        "render",
        "templates/article.html.j2:2：模板语法错误，无法解析",
    ),
    (
        "article.html.j2",
        "{{ body }}\n\n{% for x in references %}{{ x.nope }}{% endfor %}{{ 1 / 0 }}",
        "render",
        "templates/article.html.j2:3：模板运行出错（ZeroDivisionError",
    ),
    (
        "article.html.j2",
        "{{ body }}\n{% include 'missing.j2' %}",
        "render",
        "templates/article.html.j2:2：模板引用的文件 missing.j2 不存在",
    ),
    (
        "article-preview.html.j2",
        "<p>预览</p>\n\n{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "render",
        "templates/article-preview.html.j2:3：模板试图访问受保护的内部属性，已被阻止",
    ),
    (
        "article-preview.html.j2",
        "{{ article }}\n{{ cycler.__init__.__globals__.os }}",
        "render",
        "templates/article-preview.html.j2:2：",
    ),
    (
        "form.html.j2",
        "<p>{{ form.title }}</p>\n{{ signature }}",
        "form",
        "templates/form.html.j2:2：模板使用了未定义的变量“signature”",
    ),
    (
        "form.html.j2",
        "<p>{{ form.title }}</p>\n\n\n{{ form.secret_key }}",
        "form",
        "templates/form.html.j2:4：模板使用了不存在的属性“secret_key”",
    ),
    (
        "form.html.j2",
        b"<p>\xb1\xed</p>",  # GBK, not UTF-8
        "form",
        "templates/form.html.j2：模板文件不是 UTF-8 编码",
    ),
    ("gov.css", b".fz-p { color: \xba\xec; }", "render", "templates/gov.css：模板资源不是 UTF-8"),
    ("form.css", "body {}\n</style><script>x()</script>", "form", "templates/form.css："),
]


@pytest.fixture
def repo(bureau: Bureau) -> Iterator[Bureau]:
    old = os.getcwd()
    os.chdir(bureau.root)
    clear_cache()
    try:
        yield bureau
    finally:
        os.chdir(old)
        clear_cache()


def fzjj(*args: str) -> tuple[int, str, str]:
    from fzjj.cli.main import app

    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("name", "content", "command", "expected"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_broken_repository_template_fails_in_chinese(
    repo: Bureau, name: str, content: str | bytes, command: str, expected: str
) -> None:
    path = reviewed(repo)
    target = repo.root / "templates" / name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    args = ["form", path, "-o", "out/表.html"]
    if command == "render":
        args = ["render", path, "-o", "out/a.html", "--preview"]
    code, out, err = fzjj(*args)
    assert code == 2
    assert err.startswith("错误：" + expected), err
    assert "提示：" in err and "Traceback" not in err
    assert out == ""
    assert not (repo.root / "out").exists()  # nothing half-written, no folder either


def test_the_pdf_form_does_not_depend_on_the_html_template(repo: Bureau) -> None:
    path = reviewed(repo)
    repo.write("templates/form.html.j2", "{% if %}")
    assert fzjj("form", path, "-o", "表.pdf")[0] == 0
    assert fzjj("form", path, "-o", "表.html")[0] == 2


def test_a_fixed_template_is_used_at_once(repo: Bureau) -> None:
    """The environment is cached, but an edited template file is read again."""
    path = reviewed(repo)
    repo.write("templates/article.html.j2", "{% if %}")
    assert fzjj("render", path)[0] == 2
    repo.write("templates/article.html.j2", "<section>修好了：{{ body }}</section>")
    code, out, _ = fzjj("render", path)
    assert code == 0 and "修好了：" in out


def test_packaged_templates_are_named_as_such() -> None:
    """An error in a packaged template (a missing variable) names it as fzjj's own."""
    from fzjj.errors import UsageError

    with pytest.raises(UsageError) as err:
        render_template(None, "article-preview.html.j2", {"title": "x"})
    assert err.value.path == "fzjj 内置模板 article-preview.html.j2"
    assert err.value.line is not None
    assert "未定义的变量" in err.value.message
