"""Shared fixtures: real content repositories with real ssh-keygen keys and signed commits.

`bureau` gives a fresh repository whose genesis policies.yaml (signed by the roster admin)
holds a small bureau: two units, one secrecy office of two, one deputy, the principal, an
operator and an admin. `bureau.act(person, "approve", path, ...)` runs the real CLI in-process
with git configured to sign as that person.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

PEOPLE = {
    "qy_info": "林青（青阳信息员）",
    "qy_head": "陈岚（青阳所长）",
    "ah_info": "黄海（安海信息员）",
    "ah_head": "吴涛（安海所长）",
    "secrecy_a": "许明（保密办）",
    "secrecy_b": "郑敏（保密办）",
    "deputy": "王强（分管领导）",
    "principal": "李华（局长）",
    "operator": "蔡文（法治报社）",
    "admin": "周宣（宣教科）",
}


def policy_yaml(keys: dict[str, str], *, version: int = 1, extra: str = "") -> str:
    people = "\n".join(
        f'  - id: {pid}\n    name: {name}\n    ssh_keys: ["{keys[pid]}"]'
        for pid, name in PEOPLE.items()
    )
    return f"""version: {version}
timezone: Asia/Shanghai
roster_admins: [admin]
categories: [信息主动公开, 党务政务宣传, 便民信息, 澄清回应, 其他公开信息, 转发上级信息]
principal: principal
secrecy_office: [secrecy_a, secrecy_b]
operators: [operator]
publicity: [admin]
units:
  - {{id: qingyang, name: 青阳司法所, type: station,
      info_officer: qy_info, head: qy_head, deputy: deputy}}
  - {{id: anhai, name: 安海司法所, type: station,
      info_officer: ah_info, head: ah_head, deputy: deputy}}
people:
{people}
{extra}"""


@pytest.fixture(scope="session")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One real ed25519 key per person (plus spares), made once per test session."""
    folder = tmp_path_factory.mktemp("keys")
    out: dict[str, Path] = {}
    for pid in [*PEOPLE, "stranger", "spare"]:
        path = folder / pid
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", pid, "-f", str(path)], check=True
        )
        out[pid] = path
    return out


def pubkey(path: Path) -> str:
    return " ".join(path.with_name(path.name + ".pub").read_text().split()[:2])


@dataclass
class Bureau:
    root: Path
    keys: dict[str, Path]
    runner: CliRunner = field(default_factory=CliRunner)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            check=False,
        )
        if proc.returncode != 0:
            raise AssertionError(f"git {args} failed: {proc.stderr}")
        return proc.stdout.strip()

    def sign_as(self, person: str) -> None:
        self.git("config", "user.signingkey", str(self.keys[person]))
        self.git("config", "user.name", person)
        self.git("config", "user.email", f"{person}@example.org")

    def write(self, rel: str, text: str) -> str:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return rel

    def draft(
        self,
        slug: str,
        *,
        unit: str = "qingyang",
        month: str = "2026/11",
        kind: str = "original",
        title: str | None = None,
        body: str = "晋江市司法局开展法治宣传进社区活动。\n",
        extra: str = "",
        draft_id: str | None = None,
    ) -> str:
        head = (
            f"id: {draft_id or slug}\ntitle: {title or '关于' + slug + '的报道'}\nunit: {unit}\n"
            f"kind: {kind}\ncategory: 党务政务宣传\n{extra}"
        )
        return self.write(f"content/{month}/{slug}.md", f"---\n{head}---\n\n{body}")

    def invoke(self, *args: str) -> Result:
        """Run `fzjj <args>` in-process (the typer app) from the repository's root."""
        from fzjj.cli.main import app

        old = os.getcwd()
        os.chdir(self.root)
        try:
            return self.runner.invoke(app, list(args))
        finally:
            os.chdir(old)

    def act(self, person: str, *args: str, when: str | None = None) -> tuple[int, str]:
        """Run `fzjj <args>` as `person` (git signs with their key); (exit code, output)."""
        self.sign_as(person)
        saved = os.environ.get("GIT_COMMITTER_DATE")
        if when:
            os.environ["GIT_COMMITTER_DATE"] = when
        try:
            result = self.invoke(*args)
        finally:
            if when:
                if saved is None:
                    os.environ.pop("GIT_COMMITTER_DATE", None)
                else:
                    os.environ["GIT_COMMITTER_DATE"] = saved
        return result.exit_code, result.output

    def ok(self, person: str, *args: str, when: str | None = None) -> str:
        code, out = self.act(person, *args, when=when)
        assert code == 0, out
        return out

    def full_chain(self, path: str, *, when: str | None = None, unit: str = "qingyang") -> None:
        info, head = ("qy_info", "qy_head") if unit == "qingyang" else ("ah_info", "ah_head")
        self.ok(info, "submit", path, when=when)
        for person in (head, "secrecy_a", "deputy", "principal"):
            self.ok(person, "approve", path, "--opinion", "同意。", when=when)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def commit_count(self) -> int:
        return int(self.git("rev-list", "--count", "HEAD"))


@pytest.fixture
def bureau(tmp_path: Path, keyring: dict[str, Path]) -> Iterator[Bureau]:
    root = tmp_path / "repo"
    root.mkdir()
    b = Bureau(root, keyring)
    b.git("init", "-q", "-b", "main")
    b.git("config", "gpg.format", "ssh")
    b.git("config", "commit.gpgsign", "false")
    keys = {pid: pubkey(path) for pid, path in keyring.items()}
    b.write("policies.yaml", policy_yaml(keys))
    b.sign_as("admin")
    b.git("add", "policies.yaml")
    b.git("commit", "-q", "-S", "-m", "Genesis roster")
    yield b


@pytest.fixture
def pubkeys(keyring: dict[str, Path]) -> dict[str, str]:
    return {pid: pubkey(path) for pid, path in keyring.items()}


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
