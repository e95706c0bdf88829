"""The chain's docs match the code: every field, exit code and command option they name."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from fzjj.cli.main import app
from fzjj.draft import Emergency, FrontMatter, LintException, Permission, Source
from fzjj.errors import ExitCode
from fzjj.policy import Person, Policy, Quota, Unit

DOCS = Path(__file__).resolve().parents[1] / "docs"
USER_DOCS = ["workflow.md", "policies.md", "drafts.md", "exit-codes.md", "design.md"]


def text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("model", [Policy, Person, Unit, Quota])
def test_policies_doc_names_every_field(model: type) -> None:
    doc = text("policies.md")
    missing = [f for f in model.FIELDS if f"`{f}`" not in doc]
    assert not missing


@pytest.mark.parametrize("model", [FrontMatter, Source, Permission, Emergency, LintException])
def test_drafts_doc_names_every_field(model: type) -> None:
    doc = text("drafts.md")
    missing = [f for f in model.FIELDS if f"`{f}`" not in doc]
    assert not missing


def test_exit_codes_doc_lists_every_code() -> None:
    doc = text("exit-codes.md")
    for code in ExitCode:
        assert re.search(rf"^\| {code.value} \| `{code.name}` \|", doc, re.M), code


def commands(name: str) -> list[list[str]]:
    """Every `fzjj …` command line written in a doc (code blocks and inline code)."""
    doc = text(name)
    blocks = re.findall(r"(?ms)^\s*```[a-z]*\n(.*?)^\s*```", doc)
    found = [line for b in blocks for line in re.findall(r"(?m)^\s*(fzjj [^#\n]+)", b)]
    found += re.findall(r"`(fzjj [^`]+)`", doc)
    out = []
    for line in found:
        try:
            words = line.rstrip("\\ ").split("   #")[0].replace("[", " ").replace("]", " ")
            out.append(shlex.split(words)[1:])
        except ValueError:
            continue
    return out


def resolve(words: list[str]) -> tuple[object, list[str]]:
    """The (typer-vendored click) command the words name, and the words left for it."""
    command: object = typer.main.get_command(app)
    rest = list(words)
    while hasattr(command, "commands") and rest:
        if rest[0].startswith("-"):
            option = rest.pop(0)
            if option == "--trust-root" and rest:
                rest.pop(0)
            continue
        sub = command.commands.get(rest[0])
        if sub is None:
            break
        command = sub
        rest.pop(0)
    return command, rest


@pytest.mark.parametrize("name", USER_DOCS)
def test_every_command_and_option_in_the_docs_exists(name: str) -> None:
    for words in commands(name):
        if not words:
            continue
        command, rest = resolve(words)
        if hasattr(command, "commands") and not rest:
            continue  # `fzjj --help`, `fzjj roster`
        assert not hasattr(command, "commands"), f"{name}: unknown command in {words}"
        params = getattr(command, "params", [])
        options = {opt for p in params for opt in p.opts if opt.startswith("-")}
        for word in rest:
            if word.startswith("-") and word not in ("-", "--"):
                assert word.split("=")[0] in options, f"{name}: {words}: {word}"
