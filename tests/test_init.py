"""`fzjj init DIR`: the skeleton, its CI files, and a first signed commit that checks clean."""

from __future__ import annotations

import errno
import glob
import os
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import Bureau, policy_yaml, pubkey
from fzjj.initrepo import packaged_files
from fzjj.policy import parse_policy
from test_check_support import check_app, check_json, record

EXPECTED = {
    "policies.yaml",
    "README.md",
    "content/.gitkeep",
    "templates/README.md",
    "templates/gov.css",
    ".gitignore",
    ".github/workflows/fzjj.yml",
    ".gitlab-ci.yml",
    ".gitea/workflows/fzjj.yml",
    ".forgejo/workflows/fzjj.yml",
    ".pre-commit-hooks.yaml",
    ".pre-commit-config.yaml",
}


def run_init(folder: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(check_app(), ["init", str(folder)])
    return result.exit_code, result.stdout, result.stderr


def test_init_lays_out_a_repository(tmp_path: Path) -> None:
    target = tmp_path / "bureau"
    code, out, err = run_init(target)
    assert code == 0, err
    files = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    files = {f for f in files if not f.startswith(".git/")}
    assert files == EXPECTED
    assert (target / ".git").is_dir() and "新建内容仓库" in out
    branch = subprocess.run(
        ["git", "symbolic-ref", "HEAD"], cwd=target, capture_output=True, text=True, check=True
    )
    assert branch.stdout.strip() == "refs/heads/main"
    policy = parse_policy((target / "policies.yaml").read_text("utf-8"))
    assert all(p.sample for p in policy.people)
    assert "示例" in (target / "policies.yaml").read_text("utf-8")
    assert "先审后发" in (target / "README.md").read_text("utf-8")


def test_generated_yaml_parses_and_runs_the_check(tmp_path: Path) -> None:
    target = tmp_path / "bureau"
    assert run_init(target)[0] == 0
    docs = {
        rel: yaml.safe_load((target / rel).read_text("utf-8"))
        for rel in EXPECTED
        if rel.endswith((".yml", ".yaml"))
    }
    for rel in (".github/workflows/fzjj.yml", ".gitea/workflows/fzjj.yml"):
        steps = docs[rel]["jobs"]["check"]["steps"]
        assert steps[0]["uses"].startswith("actions/checkout@")
        assert steps[0]["with"]["fetch-depth"] == 0
        runs = " ".join(s.get("run", "") for s in steps)
        assert "pip install fzjj" in runs
        assert 'fzjj check --base "origin/$BASE"' in runs
        # yaml reads the bare key `on` as True
        triggers = docs[rel].get("on", docs[rel].get(True))
        assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    forgejo = docs[".forgejo/workflows/fzjj.yml"]["jobs"]["check"]["steps"]
    assert forgejo[0]["with"]["fetch-depth"] == 0
    assert "fzjj check --base" in " ".join(s.get("run", "") for s in forgejo)
    gitlab = docs[".gitlab-ci.yml"]["fzjj"]
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    assert "--base" in "\n".join(gitlab["script"])
    assert gitlab["artifacts"]["reports"]["junit"] == "fzjj-report.xml"
    hooks = {h["id"]: h for h in docs[".pre-commit-hooks.yaml"]}
    assert hooks["fzjj-check"]["entry"] == "fzjj check"
    assert hooks["fzjj-lint"]["entry"] == "fzjj lint"
    local = docs[".pre-commit-config.yaml"]["repos"][0]
    assert local["repo"] == "local"
    assert {h["id"] for h in local["hooks"]} == {"fzjj-check", "fzjj-lint"}


def test_check_passes_after_the_first_signed_commit(
    tmp_path: Path, keyring: dict[str, Path]
) -> None:
    target = tmp_path / "bureau"
    assert run_init(target)[0] == 0
    b = Bureau(target, keyring)
    b.git("config", "gpg.format", "ssh")
    b.sign_as("admin")
    b.git("add", "-A")
    b.git("commit", "-q", "-S", "-m", "建立名册")
    code, doc = check_json(b)
    assert code == 0, doc
    assert doc["violations"] == [] and doc["policy_version"] == 1


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (lambda d: (d / "policies.yaml").write_text("version: 1\n", "utf-8"), "已经是一个内容仓库"),
        (
            lambda d: (d / "README.md").write_text("我们自己的说明\n", "utf-8"),
            "不是空目录（有 README.md）",
        ),
        (
            lambda d: subprocess.run(["git", "init", "-q", str(d)], check=True),
            "已经是一个 git 仓库",
        ),
        (
            lambda d: subprocess.run(["git", "init", "-q", "--bare", str(d)], check=True),
            "已经是一个 git 仓库",
        ),
    ],
)
def test_init_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, prepare: Callable[[Path], object], message: str
) -> None:
    target = tmp_path / "bureau"
    target.mkdir()
    prepare(target)
    before = _snapshot(target)
    code, out, err = run_init(target)
    assert code == 4, (out, err)
    assert message in err and "没有做任何修改" in err
    assert _snapshot(target) == before


def test_init_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", "utf-8")
    code, _, err = run_init(target)
    assert code == 2 and "不是目录" in err
    assert target.read_text("utf-8") == "x"


def test_init_uses_an_empty_folder_and_creates_missing_parents(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_init(empty)[0] == 0
    assert (empty / "policies.yaml").is_file() and (empty / ".git").is_dir()
    deep = tmp_path / "a" / "b" / "bureau"
    assert run_init(deep)[0] == 0
    assert (deep / ".github" / "workflows" / "fzjj.yml").is_file()
    assert sorted(p.name for p in deep.parent.iterdir()) == ["bureau"]  # no staging left


@pytest.mark.parametrize("exists", [True, False])
def test_a_failed_init_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exists: bool
) -> None:
    """The disk fills up half-way: whatever was written is gone, the folder is as it was."""
    target = tmp_path / "bureau"
    if exists:
        target.mkdir()
    real = Path.write_bytes
    written: list[Path] = []

    def disk_full(self: Path, data: bytes) -> int:
        if len(written) >= 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(self)
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    code, _, err = run_init(target)
    assert code == 2 and "没有留下任何文件" in err
    assert len(written) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == (["bureau"] if exists else [])
    if exists:
        assert list(target.iterdir()) == []


# ---- the CI files ----------------------------------------------------------------------------

WORKFLOWS = (
    ".github/workflows/fzjj.yml",
    ".gitea/workflows/fzjj.yml",
    ".forgejo/workflows/fzjj.yml",
)


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_ci_files_validate_against_the_hosts_schemas(tmp_path: Path) -> None:
    """check-jsonschema's copies of the GitHub workflow and GitLab CI schemas, and
    pre-commit's own validators (both dev dependencies; nothing is fetched)."""
    target = tmp_path / "bureau"
    assert run_init(target)[0] == 0

    def validate(schema: str, *files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [_tool("check-jsonschema"), "--builtin-schema", schema, *files],
            cwd=target,
            capture_output=True,
            text=True,
            check=False,
        )

    proc = validate("vendor.github-workflows", *WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = validate("vendor.gitlab-ci", ".gitlab-ci.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for command, rel in (
        ("validate-config", ".pre-commit-config.yaml"),
        ("validate-manifest", ".pre-commit-hooks.yaml"),
    ):
        proc = subprocess.run(
            [_tool("pre-commit"), command, rel],
            cwd=target,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # the validators do fail on a broken file
    gitlab = target / ".gitlab-ci.yml"
    gitlab.write_text(gitlab.read_text("utf-8").replace("script:", "scripts:"), "utf-8")
    assert validate("vendor.gitlab-ci", ".gitlab-ci.yml").returncode != 0
    github = target / WORKFLOWS[0]
    github.write_text(github.read_text("utf-8").replace("runs-on:", "run-on:"), "utf-8")
    assert validate("vendor.github-workflows", WORKFLOWS[0]).returncode != 0


def test_ci_files_take_the_target_branch_from_each_host(tmp_path: Path) -> None:
    target = tmp_path / "bureau"
    assert run_init(target)[0] == 0
    for rel in WORKFLOWS:
        doc = yaml.safe_load((target / rel).read_text("utf-8"))
        steps = doc["jobs"]["check"]["steps"]
        pr = next(s for s in steps if "--base" in s.get("run", ""))
        assert pr["if"] == "github.event_name == 'pull_request'", rel
        assert pr["env"]["BASE"] == "${{ github.base_ref }}", rel  # never inlined in the script
        assert "${{" not in pr["run"], rel
    gitlab = yaml.safe_load((target / ".gitlab-ci.yml").read_text("utf-8"))["fzjj"]
    script = "\n".join(gitlab["script"])
    assert '--base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"' in script
    assert {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'} in gitlab["rules"]


def _pr_scripts(target: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """host → (the shell script its CI runs for a pull request, its environment)."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for rel in WORKFLOWS:
        steps = yaml.safe_load((target / rel).read_text("utf-8"))["jobs"]["check"]["steps"]
        pr = next(s for s in steps if "--base" in s.get("run", ""))
        # the Forgejo file installs fzjj into /tmp/fzjj; here it is on PATH
        out[rel.split("/")[0]] = (pr["run"].replace("/tmp/fzjj/bin/fzjj", "fzjj"), {"BASE": "main"})
    gitlab = yaml.safe_load((target / ".gitlab-ci.yml").read_text("utf-8"))["fzjj"]
    script = "\n".join(line for line in gitlab["script"] if not line.startswith("pip "))
    out[".gitlab"] = (script, {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"})
    return out


def test_ci_scripts_run_the_pull_request_check(tmp_path: Path, keyring: dict[str, Path]) -> None:
    """Each host's pull-request step, run by bash in a fresh clone of a bare origin, as a
    runner would: clean pull request → exit 0; one with an unsigned record → exit 1."""
    target = tmp_path / "bureau"
    assert run_init(target)[0] == 0
    b = Bureau(target, keyring)
    b.git("config", "gpg.format", "ssh")
    b.write("policies.yaml", policy_yaml({p: pubkey(k) for p, k in keyring.items()}))
    b.sign_as("admin")
    b.git("add", "-A")
    b.git("commit", "-q", "-S", "-m", "建立名册")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(target), str(origin)], check=True)
    b.git("switch", "-q", "-c", "good")
    b.ok("qy_info", "submit", b.draft("2026-11-good"))
    b.git("switch", "-q", "-c", "bad")
    record(b, None, "submit", b.draft("2026-11-bad"))
    b.git("push", "-q", str(origin), "good", "bad")
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    for host, (script, env) in _pr_scripts(target).items():
        for branch, expected in (("good", 0), ("bad", 1)):
            runner = tmp_path / f"runner-{host}-{branch}"
            subprocess.run(
                ["git", "clone", "-q", "-b", branch, origin.as_uri(), str(runner)], check=True
            )
            proc = subprocess.run(
                ["bash", "-e", "-c", script],
                cwd=runner,
                capture_output=True,
                text=True,
                env={**os.environ, **env, "PATH": path},
                check=False,
            )
            assert proc.returncode == expected, (host, branch, proc.stdout, proc.stderr)
            if host != ".github":
                report = ET.fromstring((runner / "fzjj-report.xml").read_bytes())
                assert report.get("failures") == str(expected), host
            else:
                assert ("::error " in proc.stdout) == bool(expected), proc.stdout


def test_package_data_ships_every_skeleton_file() -> None:
    root = Path(__file__).parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["fzjj"]
    package = root / "src" / "fzjj"
    shipped: set[str] = set()
    for pattern in patterns:
        shipped |= set(glob.glob(pattern, root_dir=package, recursive=True))
    skeleton = {
        p.relative_to(package).as_posix()
        for p in (package / "data" / "init").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert skeleton and skeleton <= shipped
    assert len(packaged_files()) == len(EXPECTED)


def test_the_theme_copies_are_the_packaged_default(tmp_path: Path) -> None:
    """`fzjj init` gives the publicity section the default theme to edit, and this repository
    (itself a content repository) ships the same copy and the same templates/README.md."""
    target = tmp_path / "bureau"
    assert run_init(target)[0] == 0
    root = Path(__file__).resolve().parents[1]
    packaged = root / "src" / "fzjj" / "templates" / "gov.css"
    assert (target / "templates" / "gov.css").read_bytes() == packaged.read_bytes()
    assert (root / "templates" / "gov.css").read_bytes() == packaged.read_bytes()
    readme = (target / "templates" / "README.md").read_text("utf-8")
    assert readme == (root / "templates" / "README.md").read_text("utf-8")
    assert "gov.css" in readme
    ignored = (target / ".gitignore").read_text("utf-8")
    assert "/archive/" in ignored and "*-审批表.*" in ignored
