"""`fzjj init DIR`: the skeleton, its CI files, and a first signed commit that checks clean."""

from __future__ import annotations

import glob
import subprocess
import tomllib
from pathlib import Path

import yaml
from typer.testing import CliRunner

from conftest import Bureau
from fzjj.initrepo import packaged_files
from fzjj.policy import parse_policy
from test_check_support import check_app, check_json

EXPECTED = {
    "policies.yaml",
    "README.md",
    "content/.gitkeep",
    "templates/README.md",
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
    assert (target / ".git").is_dir() and "初始化 git 仓库" in out
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


def test_init_refuses_an_existing_repository(tmp_path: Path) -> None:
    target = tmp_path / "bureau"
    target.mkdir()
    (target / "policies.yaml").write_text("version: 1\n", "utf-8")
    code, _, err = run_init(target)
    assert code == 4 and "policies.yaml" in err
    assert [p.name for p in target.iterdir()] == ["policies.yaml"]


def test_init_keeps_existing_files(tmp_path: Path) -> None:
    target = tmp_path / "bureau"
    target.mkdir()
    (target / "README.md").write_text("我们自己的说明\n", "utf-8")
    code, out, _ = run_init(target)
    assert code == 0
    assert (target / "README.md").read_text("utf-8") == "我们自己的说明\n"
    assert "已存在，未改动 README.md" in out
    assert (target / "policies.yaml").is_file()


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
