"""Rendering tests: templates, the WeChat article, the render command."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from fzjj.errors import UsageError
from fzjj.render.templating import clear_cache, make_env, read_asset


@pytest.fixture(autouse=True)
def _fresh_envs() -> None:
    clear_cache()


def test_env_autoescapes_and_is_strict() -> None:
    env = make_env(None)
    assert env.from_string("{{ v }}").render(v="<b>&") == "&lt;b&gt;&amp;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_env_is_cached_per_root(tmp_path: Path) -> None:
    assert make_env(None) is make_env(None)
    assert make_env(tmp_path) is make_env(tmp_path)
    assert make_env(tmp_path) is not make_env(None)


def test_repository_templates_override_packaged(tmp_path: Path) -> None:
    packaged = read_asset(None, "gov.css")
    assert "fz-p" in packaged
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "gov.css").write_text(".fz-p { color: rgb(1,2,3); }", "utf-8")
    assert read_asset(tmp_path, "gov.css") == ".fz-p { color: rgb(1,2,3); }"
    # a repository without templates/ falls back to the defaults
    assert read_asset(tmp_path / "nowhere", "gov.css") == packaged


def test_sandbox_blocks_python_internals_in_repo_templates(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "evil.html.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}", "utf-8"
    )
    with pytest.raises(jinja2.exceptions.SecurityError):
        make_env(tmp_path).get_template("evil.html.j2").render()


@pytest.mark.parametrize("name", ["../x.css", "a/b.css", ".hidden", ""])
def test_read_asset_rejects_paths(name: str) -> None:
    with pytest.raises(UsageError):
        read_asset(None, name)


def test_read_asset_missing() -> None:
    with pytest.raises(UsageError, match="找不到模板资源"):
        read_asset(None, "nope.css")
