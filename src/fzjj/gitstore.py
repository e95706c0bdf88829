"""Everything that touches git: bulk history reading and signed record commits.

Reading never walks objects one process at a time: history comes from one `git log` stream,
blobs from one `git cat-file --batch`. Writing builds the commit with plumbing
(`commit-tree -S`, then a compare-and-swap `update-ref`), so a failed signature or a refused
action leaves no commit, no changed index and no changed file. Returns fzjj types only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from fzjj.errors import GitError, RepoError, UsageError

if TYPE_CHECKING:
    import git

# Settings that would change what git prints or which objects it reads.
_SAFE = [
    "-c", "log.showSignature=false",
    "-c", "core.quotePath=false",
    "-c", "color.ui=false",
    "-c", "i18n.logOutputEncoding=UTF-8",
    "--no-replace-objects",
]  # fmt: skip
_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


@dataclass(frozen=True, slots=True)
class Commit:
    oid: str
    tree: str
    parents: tuple[str, ...]
    committer_time: int  # seconds since epoch as the committer claims; display only
    committer_offset: int  # minutes east of UTC
    message: str
    raw: bytes  # the commit object exactly as stored, for signature verification


@dataclass(frozen=True, slots=True)
class SigningConfig:
    format: str  # "ssh" or "openpgp"
    key: str  # "ssh-ed25519 AAAA…" or "openpgp:<FPR>"


class GitRepo:
    """A repository on disk: a work tree (`root`) or a bare repository (`root` = git dir)."""

    def __init__(self, root: Path, git_dir: Path, bare: bool) -> None:
        self.root = root
        self.git_dir = git_dir
        self.bare = bare
        self._env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
        self._env["GIT_TERMINAL_PROMPT"] = "0"
        self._env["LC_ALL"] = "C"

    # ---- plumbing ------------------------------------------------------------------------

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(
            ["git", *_SAFE, *args],
            cwd=self.root,
            input=input,
            capture_output=True,
            env=env or self._env,
            check=False,
        )
        if check and proc.returncode != 0:
            raise GitError(
                f"git {args[0]} 失败：{proc.stderr.decode('utf-8', 'replace').strip()[:500]}",
                hint="检查仓库状态后重试。",
            )
        return proc

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.decode("utf-8", "replace").strip()

    # ---- reading -------------------------------------------------------------------------

    def resolve(self, rev: str) -> str | None:
        proc = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}", check=False
        )
        if proc.returncode != 0:
            return None
        return proc.stdout.decode().strip() or None

    def head(self) -> str | None:
        return self.resolve("HEAD")

    def is_ancestor(self, old: str, new: str) -> bool:
        return self.run("merge-base", "--is-ancestor", old, new, check=False).returncode == 0

    def commits(self, revs: Sequence[str], *, raw: bool = True) -> Iterator[Commit]:
        """Every commit reachable from `revs` (which may hold ^exclusions), parents first.

        With `raw=False` the commits come without their object bytes (`raw` is empty), from a
        leaner stream: what a caller that needs no signature (or has the verdict cached)
        wants. `read_commits` fetches the bytes of the few that do.
        """
        if not raw:
            lean = self._lean_commits(revs)
            if lean is not None:
                yield from lean
                return
        data = self._log(["--pretty=raw", *revs])
        if not data:
            return
        odd: list[str] = []
        for entry in data.split(b"\0"):
            commit = _parse_raw_entry(entry)
            if commit is None:
                odd.append(entry[7:47].decode())
                continue
            yield commit
        if odd:
            # log re-encoded or reformatted these; read them exactly.
            objects = self.cat_objects(odd)
            for oid in odd:
                yield _commit_from_object(oid, objects[oid])

    def _log(self, args: list[str]) -> bytes:
        proc = subprocess.Popen(
            ["git", *_SAFE, "log", "-z", "--topo-order", "--reverse", "--no-decorate",
             "--no-abbrev", *args, "--"],
            cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self._env,
        )  # fmt: skip
        data, err = proc.communicate()
        if proc.returncode != 0:
            raise GitError(f"读取提交历史失败：{err.decode('utf-8', 'replace').strip()[:300]}")
        return data

    def _lean_commits(self, revs: Sequence[str]) -> list[Commit] | None:
        """Commits without object bytes; None when an entry does not parse (a message with a
        NUL byte, say), and the caller falls back to the exact stream."""
        data = self._log(["--format=%H %T %ct %cd %P%n%B", "--date=format:%z", *revs])
        out: list[Commit] = []
        if not data:
            return out
        for entry in data.split(b"\0"):
            if not entry:
                continue
            head, _, message = entry.partition(b"\n")
            fields = head.split(b" ")
            if len(fields) < 4 or len(fields[0]) not in (40, 64) or not fields[2].isdigit():
                return None
            zone = fields[3]
            try:
                offset = (-1 if zone[:1] == b"-" else 1) * (int(zone[1:3]) * 60 + int(zone[3:5]))
            except ValueError:
                offset = 0
            out.append(
                Commit(
                    oid=fields[0].decode(),
                    tree=fields[1].decode(),
                    parents=tuple(p.decode() for p in fields[4:] if p),
                    committer_time=int(fields[2]),
                    committer_offset=offset,
                    message=message.decode("utf-8", "replace"),
                    raw=b"",
                )
            )
        return out

    def cat_objects(self, oids: Iterable[str]) -> dict[str, bytes]:
        """Object contents by id through one `git cat-file --batch`; missing ids are left out."""
        wanted = list(dict.fromkeys(oids))
        if not wanted:
            return {}
        proc = self.run("cat-file", "--batch", input=("\n".join(wanted) + "\n").encode())
        data = proc.stdout
        out: dict[str, bytes] = {}
        pos = 0
        for oid in wanted:
            end = data.index(b"\n", pos)
            header = data[pos:end].split(b" ")
            pos = end + 1
            if len(header) == 2 and header[1] == b"missing":
                continue
            size = int(header[2])
            out[oid] = data[pos : pos + size]
            pos += size + 1
        return out

    def lookup(self, specs: Sequence[str]) -> list[str | None]:
        """`<rev>:<path>` → object id (None when absent), one `cat-file --batch-check`."""
        if not specs:
            return []
        proc = self.run(
            "cat-file", "--batch-check=%(objectname)", input=("\n".join(specs) + "\n").encode()
        )
        lines = proc.stdout.decode().split("\n")
        return [
            None if line.endswith("missing") or " " in line else line
            for line in lines[: len(specs)]
        ]

    def tree_files(self, rev: str, prefix: str) -> dict[str, str]:
        """path → blob id for every file under `prefix` at `rev`."""
        proc = self.run("ls-tree", "-r", "-z", "--full-tree", rev, "--", prefix)
        out: dict[str, str] = {}
        for item in proc.stdout.split(b"\0"):
            if not item:
                continue
            meta, path = item.split(b"\t", 1)
            _mode, kind, oid = meta.split(b" ")
            if kind == b"blob":
                out[path.decode("utf-8", "surrogateescape")] = oid.decode()
        return out

    def show(self, rev: str, path: str) -> bytes | None:
        oid = self.lookup([f"{rev}:{path}"])[0]
        return self.cat_objects([oid]).get(oid) if oid else None

    def rev_list(self, *args: str) -> list[str]:
        return self.out("rev-list", *args).split()

    def changed_files(self, old: str, new: str, prefix: str) -> tuple[dict[str, str], list[str]]:
        """Files under `prefix` that differ between two commits: (path → new blob, removed)."""
        proc = self.run("diff-tree", "-r", "-z", "--no-renames", old, new, "--", prefix)
        items = proc.stdout.split(b"\0")
        changed: dict[str, str] = {}
        removed: list[str] = []
        for meta, raw_path in zip(items[0::2], items[1::2], strict=False):
            fields = meta.split(b" ")
            if len(fields) != 5 or not meta.startswith(b":"):
                continue
            path = raw_path.decode("utf-8", "surrogateescape")
            if fields[4].startswith(b"D") or fields[1] == b"000000":
                removed.append(path)
            elif fields[1].startswith(b"100"):
                changed[path] = fields[3].decode()
            else:
                removed.append(path)  # no longer a regular file
        return changed, removed

    def changed_paths(self, old: str, new: str) -> list[str]:
        return self.out("diff", "--name-only", "-z", old, new).split("\0")

    # ---- work tree (GitPython) -----------------------------------------------------------
    #
    # Writing is rare and interactive, so here GitPython's 150 ms import is paid gladly for
    # its view of the work tree; the bulk read path above never imports it.

    @cached_property
    def _worktree(self) -> git.Repo:
        import git

        try:
            repo = git.Repo(self.root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise RepoError(f"{self.root} 不是 git 工作区", hint="进入内容仓库目录。") from exc
        # the same environment as every other git call: no inherited GIT_DIR or index
        repo.git.update_environment(**dict.fromkeys(_ENV_DROP), LC_ALL="C", GIT_TERMINAL_PROMPT="0")
        return repo

    def branch(self) -> str:
        """The checked-out branch as a full ref name; RepoError when HEAD is detached."""
        head = self._worktree.head
        if self.bare or head.is_detached:
            raise RepoError("当前不在任何分支上（HEAD 游离）", hint="先 git switch main 再操作。")
        return str(head.reference.path)

    def check_worktree(self, path: str, *, committed: bool) -> None:
        """Refuse to record while git is mid-operation or the draft's file is in doubt.

        `committed`: the draft must equal HEAD in both index and work tree (approve, reject,
        publish). Otherwise (submit) the work tree holds what is submitted, and only a
        staged version that differs from both HEAD and the file is refused: fzjj resets the
        index entry to what it commits, and a third version must not be lost silently.
        """
        for name, what in _IN_PROGRESS:
            if (self.git_dir / name).exists():
                raise GitError(
                    f"仓库正在进行{what}，不能写入记录",
                    hint="先完成或放弃该操作（git status 会提示怎么做），再重试。",
                )
        repo = self._worktree
        try:
            if committed:
                dirty = repo.is_dirty(index=True, working_tree=True, path=path)
                if dirty:
                    raise GitError(
                        "工作区中该稿件有未提交的修改，签署的必须是已报送的内容",
                        path=path,
                        hint="先 git pull 获取最新内容，或撤销本地修改（git restore "
                        "--staged --worktree 该文件）后重试。",
                    )
                return
            if self.head() is None:
                return
            staged = repo.is_dirty(index=True, working_tree=False, path=path)
            edited = repo.is_dirty(index=False, working_tree=True, path=path)
        except git_errors() as exc:
            raise GitError(f"无法读取工作区状态：{exc}", path=path) from exc
        if staged and edited:
            raise GitError(
                "该稿件在暂存区中另有一个与文件不同的版本，报送时会被覆盖",
                path=path,
                hint="确认要报送的是文件中的内容后 git add 该文件，或 git restore --staged "
                "该文件，再重试。",
            )

    # ---- signing and writing -------------------------------------------------------------

    def signing_config(self) -> SigningConfig:
        """The key git will sign with, from git's own configuration (`gpg.format`,
        `user.signingkey`, `gpg.ssh.defaultKeyCommand`), as the roster writes keys."""
        fmt = self._config("gpg.format") or "openpgp"
        key = self._config("user.signingkey")
        if fmt == "ssh":
            if not key:
                command = self._config("gpg.ssh.defaultKeyCommand")
                if command:
                    proc = subprocess.run(command, shell=True, capture_output=True, check=False)
                    key = proc.stdout.decode().strip().removeprefix("key::")
            if not key:
                raise GitError(
                    "没有配置签名密钥（git config user.signingkey）",
                    hint="git config gpg.format ssh；git config user.signingkey 私钥或公钥文件路径",
                )
            return SigningConfig("ssh", _ssh_public_key(key.removeprefix("key::"), self.root))
        if fmt == "openpgp":
            program = self._config("gpg.openpgp.program") or self._config("gpg.program") or "gpg"
            if not key:
                # git signs with the committer identity when no key is named
                ident = self.run("var", "GIT_COMMITTER_IDENT", check=False).stdout.decode()
                key = ident.rsplit(">", 1)[0] + ">" if ">" in ident else None
            return SigningConfig("openpgp", "openpgp:" + _gpg_fingerprint(key, program))
        raise GitError(f"不支持的签名格式 gpg.format={fmt}", hint="使用 ssh 或 openpgp。")

    def trust_root_config(self) -> str | None:
        """`git config fzjj.trustRoot`: this clone's own anchor, which no push can change."""
        return self._config("fzjj.trustRoot")

    def _config(self, name: str) -> str | None:
        proc = self.run("config", "--get", name, check=False)
        value = proc.stdout.decode().strip()
        return value or None

    def write_blob(self, data: bytes) -> str:
        return self.run("hash-object", "-w", "--stdin", input=data).stdout.decode().strip()

    def record_commit(
        self,
        message: str,
        *,
        signer: str,
        path: str | None = None,
        blob: str | None = None,
    ) -> str:
        """Make one signed commit on the current branch; optionally set `path` to `blob`.

        The commit object is built with plumbing (`commit-tree -S`, so git's own signing
        configuration applies), then verified in-process: unless it carries exactly one
        valid signature by `signer` — the key the action was judged for — and the branch
        still points where it did, no ref, index entry or file changes.
        """
        import tempfile  # only the writing commands need it, not the checks

        ref = self.branch()
        parent = self.head()
        with tempfile.TemporaryDirectory(prefix="fzjj-index-") as tmp:
            env = dict(self._env, GIT_INDEX_FILE=str(Path(tmp) / "index"))
            if parent:
                self.run("read-tree", parent, env=env)
            if path is not None and blob is not None:
                self.run("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            tree = self.run("write-tree", env=env).stdout.decode().strip()
        args = ["commit-tree", "-S", tree, "-F", "-"]
        if parent:
            args[2:2] = ["-p", parent]
        proc = self.run(*args, input=message.encode("utf-8"), check=False, env=_signing_env())
        if proc.returncode != 0:
            raise GitError(
                "签名提交失败：" + proc.stderr.decode("utf-8", "replace").strip()[:400],
                hint="检查 git config gpg.format 与 user.signingkey 指向可用的私钥。",
            )
        oid = proc.stdout.decode().strip()
        self._check_signed(oid, signer)
        update = ["update-ref", "-m", "fzjj record", ref, oid, parent or "0" * 40]
        if self.run(*update, check=False).returncode != 0:
            raise GitError("分支在操作期间被其他人更新了", hint="重新运行该命令。")
        if path is not None and blob is not None:
            # keep the user's index in step with the new commit for this path only
            self.run("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", check=False)
        return oid

    def _check_signed(self, oid: str, signer: str) -> None:
        from fzjj.sigverify import verify_commit

        raw = self.cat_objects([oid]).get(oid, b"")
        check = verify_commit(raw)
        if not check.ok:
            raise GitError(
                f"git 生成的签名无法通过验证（{check.reason}），没有写入记录",
                hint="检查 gpg.format、user.signingkey 与 gpg.ssh.program 的配置。",
            )
        if check.key != signer:
            raise GitError(
                "git 实际使用的签名密钥与 user.signingkey 指向的密钥不一致，没有写入记录",
                hint="检查 user.signingkey 旁的 .pub 文件是否与私钥配对，或 ssh-agent 中的密钥。",
            )


def _signing_env() -> dict[str, str]:
    """The environment for `commit-tree -S`: the person's own locale, since gpg reads a
    `Name <email>` key name in it (UTF-8 when none is set), and no inherited GIT_DIR."""
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env["GIT_TERMINAL_PROMPT"] = "0"
    if not any(env.get(name) for name in ("LC_ALL", "LC_CTYPE", "LANG")):
        env["LC_ALL"] = "C.UTF-8"
    return env


_IN_PROGRESS = (
    ("MERGE_HEAD", "合并（merge）"),
    ("CHERRY_PICK_HEAD", "拣选（cherry-pick）"),
    ("REVERT_HEAD", "还原（revert）"),
    ("rebase-merge", "变基（rebase）"),
    ("rebase-apply", "变基（rebase）或 git am"),
)


def git_errors() -> tuple[type[Exception], ...]:
    """GitPython's error types, imported only when the work tree is inspected."""
    import git

    return (git.GitError, OSError, ValueError)


def open_repo(start: Path) -> GitRepo:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    proc = subprocess.run(
        ["git", "rev-parse", "--is-bare-repository", "--absolute-git-dir", "--show-toplevel"],
        cwd=start, capture_output=True, env=env, check=False,
    )  # fmt: skip
    lines = proc.stdout.decode().split("\n")
    if proc.returncode != 0 and not (lines and lines[0] == "true"):
        raise RepoError(
            f"{start} 不在 git 仓库中", hint="进入内容仓库目录，或用 fzjj init 新建一个。"
        )
    bare = lines[0] == "true"
    git_dir = Path(lines[1])
    root = git_dir if bare else Path(lines[2])
    return GitRepo(root, git_dir, bare)


def _parse_raw_entry(entry: bytes) -> Commit | None:
    """One `git log --pretty=raw` entry back into the exact object; None if it does not hash."""
    if not entry.startswith(b"commit "):
        return None
    oid = entry[7:47].decode()
    head_end = entry.find(b"\n\n")
    if head_end < 0:
        headers, msg = entry[48:], b""
    else:
        headers = entry[48:head_end]
        lines = entry[head_end + 2 :].split(b"\n")
        msg = b"\n".join(line[4:] for line in lines)
        if msg and not msg.endswith(b"\n"):
            msg += b"\n"
    body = headers + b"\n\n" + msg
    obj = b"commit %d\0" % len(body) + body
    if hashlib.sha1(obj, usedforsecurity=False).hexdigest() != oid:
        return None
    return _commit_from_object(oid, body)


def _commit_from_object(oid: str, body: bytes) -> Commit:
    head_end = body.find(b"\n\n")
    header = body[: head_end if head_end >= 0 else len(body)]
    message = body[head_end + 2 :] if head_end >= 0 else b""
    tree = ""
    parents: list[str] = []
    when, offset = 0, 0
    for line in header.split(b"\n"):
        if line.startswith(b"tree "):
            tree = line[5:].decode()
        elif line.startswith(b"parent "):
            parents.append(line[7:].decode())
        elif line.startswith(b"committer "):
            parts = line.rsplit(b" ", 2)
            try:
                when = int(parts[1])
                sign = -1 if parts[2].startswith(b"-") else 1
                offset = sign * (int(parts[2][1:3]) * 60 + int(parts[2][3:5]))
            except (ValueError, IndexError):
                when, offset = 0, 0
    return Commit(
        oid=oid,
        tree=tree,
        parents=tuple(parents),
        committer_time=when,
        committer_offset=offset,
        message=message.decode("utf-8", "replace"),
        raw=body,
    )


def _ssh_public_key(key: str, cwd: Path) -> str:
    from fzjj.policy import normalize_ssh_key

    if key.startswith(("ssh-", "ecdsa-")):
        return normalize_ssh_key(key)
    path = Path(os.path.expanduser(key))
    if not path.is_absolute():
        path = cwd / path
    pub = path if path.suffix == ".pub" else path.with_name(path.name + ".pub")
    try:
        if pub.exists():
            return normalize_ssh_key(pub.read_text("utf-8"))
        proc = subprocess.run(
            ["ssh-keygen", "-y", "-f", str(path)], capture_output=True, check=False
        )
        if proc.returncode == 0:
            return normalize_ssh_key(proc.stdout.decode())
    except (OSError, ValueError):
        pass
    raise GitError(f"找不到签名密钥 {key}", hint="user.signingkey 应指向 SSH 私钥或公钥文件。")


def _gpg_fingerprint(key: str | None, program: str = "gpg") -> str:
    """The primary fingerprint of the one secret key `key` names (as `gpg -u` would)."""
    hint = "git config user.signingkey <40 位指纹>，并确认 gpg 中有该私钥。"
    if not key:
        raise GitError("没有配置 OpenPGP 签名密钥（git config user.signingkey）", hint=hint)
    args = [program, "--batch", "--with-colons", "--list-secret-keys", "--", key]
    try:
        proc = subprocess.run(args, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        hint = "安装 GnuPG，或检查 git config gpg.program。"
        raise GitError(f"无法运行 {program}：{exc}", hint=hint) from exc
    lines = proc.stdout.decode(errors="replace").splitlines()
    primaries = [
        line.split(":")[9].upper()
        for previous, line in zip(["", *lines], lines, strict=False)
        if line.startswith("fpr:") and previous.startswith("sec:")
    ]
    if len(primaries) != 1:
        found = "找不到" if not primaries else "匹配到多把"
        raise GitError(f"{found} OpenPGP 签名私钥 {key}", hint=hint)
    return primaries[0]


_TRUST_ROOT: ContextVar[str | None] = ContextVar("fzjj_trust_root", default=None)
_FULL_OID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
TRUST_ROOT_HINT = (
    "信任根写完整的 40 位提交编号（git rev-parse 该提交），由本机 git config fzjj.trustRoot "
    "或 --trust-root 给出；说明见 docs/policies.md“信任根”。"
)


def set_trust_root(value: str | None) -> None:
    """The `--trust-root` given on the command line, for every history read of this run."""
    _TRUST_ROOT.set(value)


TRUST_ROOT_ENV = "FZJJ_TRUST_ROOT"


def trust_anchor(repo: GitRepo, head: str, explicit: str | None = None) -> str | None:
    """The commit whose policies.yaml is trusted as given, or None (the first roster is).

    Taken from `explicit`, else `--trust-root`, else the environment variable
    `FZJJ_TRUST_ROOT` (how CI hosts pass a repository setting), else `git config
    fzjj.trustRoot` — never from a file in the repository, which a push could change. It
    must be a full commit id (a branch or tag moves; a short id can be ground to collide), an
    ancestor of `head` (a rewritten history that drops it fails closed) and hold a
    policies.yaml.
    """
    from fzjj.policy import POLICY_FILE

    given = explicit or _TRUST_ROOT.get()
    source = "--trust-root"
    if not given and os.environ.get(TRUST_ROOT_ENV, "").strip():
        given, source = os.environ[TRUST_ROOT_ENV], f"环境变量 {TRUST_ROOT_ENV}"
    if not given:
        source = "git config fzjj.trustRoot"
    shown = (given or repo.trust_root_config() or "").strip()
    text = shown.lower()
    if not text:
        return None
    if not _FULL_OID.fullmatch(text):
        raise UsageError(
            f"{source} 应为完整的提交编号，而不是 {shown[:50]!r}", hint=TRUST_ROOT_HINT
        )
    oid = repo.resolve(text)
    if oid is None:
        raise RepoError(f"{source} 指定的信任根 {text[:12]} 不在本仓库中", hint=TRUST_ROOT_HINT)
    if not repo.is_ancestor(oid, head):
        raise RepoError(
            f"{source} 指定的信任根 {text[:12]} 不在所检查版本的历史中（历史被改写，或配置有误）",
            hint="核对信任根；历史被改写时不要更改信任根来迁就，先查明原因。",
        )
    if repo.lookup([f"{oid}:{POLICY_FILE}"])[0] is None:
        raise RepoError(f"信任根 {text[:12]} 中没有 {POLICY_FILE}", hint=TRUST_ROOT_HINT)
    return oid


# ---- queries for `fzjj check`, pull-request mode and the server hook ---------------------

_QUARANTINE_VARS = (
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_QUARANTINE_PATH",
)


def open_hook_repo(git_dir: Path) -> GitRepo:
    """The receiving repository inside a pre-receive hook.

    git keeps pushed objects in a quarantine directory until the hook accepts them and says
    where through these variables; they are kept for every git call the hook makes.
    """
    repo = open_repo(git_dir)
    for name in _QUARANTINE_VARS:
        value = os.environ.get(name)
        if not value:
            continue
        if name == "GIT_ALTERNATE_OBJECT_DIRECTORIES":
            parts = [str(Path(git_dir, p).resolve()) for p in value.split(os.pathsep) if p]
            repo._env[name] = os.pathsep.join(parts)
        else:
            repo._env[name] = str(Path(git_dir, value).resolve())
    return repo


def config_values(repo: GitRepo, name: str) -> list[str]:
    """Every value of a (multi-valued) git config key; empty when unset."""
    proc = repo.run("config", "--get-all", name, check=False)
    return [v for v in proc.stdout.decode("utf-8", "replace").split("\n") if v.strip()]


def merge_base_of(repo: GitRepo, commits: Sequence[str]) -> str | None:
    """The best common ancestor of all `commits` (`git merge-base --octopus`)."""
    proc = repo.run("merge-base", "--octopus", *commits, check=False)
    return proc.stdout.decode().split()[0] if proc.returncode == 0 and proc.stdout else None


def not_reachable_from(repo: GitRepo, oids: Sequence[str], heads: Sequence[str]) -> set[str]:
    """The commits among `oids` that no commit of `heads` contains (one `rev-list`)."""
    if not oids:
        return set()
    proc = repo.run("rev-list", *oids, *("^" + h for h in heads), "--", check=False)
    if proc.returncode != 0:
        return set(oids)
    listed = set(proc.stdout.decode().split())
    return {oid for oid in oids if oid in listed}


def grep_commits(repo: GitRepo, rev: str, text: str) -> list[str]:
    """Ids of the commits reachable from `rev` whose message contains `text` (fixed string)."""
    proc = repo.run("log", "--format=%H", "--fixed-strings", f"--grep={text}", rev, "--")
    return proc.stdout.decode().split()


def hooks_dir(repo: GitRepo) -> Path:
    """Where git looks for this repository's hooks (honours core.hooksPath)."""
    path = Path(repo.out("rev-parse", "--git-path", "hooks"))
    return path if path.is_absolute() else (repo.root / path).resolve()


def init_repository(path: Path, branch: str = "main") -> None:
    """`git init` with `branch` as the initial branch."""
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    proc = subprocess.run(
        ["git", "init", "-q", "-b", branch, str(path)], capture_output=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise GitError("git init 失败：" + proc.stderr.decode("utf-8", "replace").strip()[:300])


def find_repository(path: Path) -> GitRepo | None:
    """The repository `path` is in, or None when it is in none."""
    try:
        return open_repo(path)
    except RepoError:
        return None


def read_commits(repo: GitRepo, oids: Iterable[str]) -> dict[str, Commit]:
    """Commit objects by id through one `cat-file --batch`; missing or non-commits left out."""
    out: dict[str, Commit] = {}
    for oid, body in repo.cat_objects(oids).items():
        if body.startswith(b"tree "):
            out[oid] = _commit_from_object(oid, body)
    return out


class ObjectReader:
    """One long-lived `git cat-file --batch` for a run that reads objects a few at a time.

    The pull-request check and the server hook follow `Fzjj-Prev` pointers one step at a
    time and look up a handful of `<rev>:<path>` names; a process per step would cost more
    than the check itself. Each request is written and answered in turn (no pipelining, so
    a large object can never fill both pipes). Use as a context manager.
    """

    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo
        self._proc: subprocess.Popen[bytes] | None = None
        self._cache: dict[str, tuple[str, str, bytes] | None] = {}

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None and proc.stdout is not None
        with contextlib.suppress(OSError):
            proc.stdin.close()
        proc.stdout.close()
        proc.wait()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", *_SAFE, "cat-file", "--batch"],
                cwd=self.repo.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=self.repo._env,
            )
        return self._proc

    def get(self, name: str) -> tuple[str, str, bytes] | None:
        """(object id, type, content) of an object name (`<oid>`, `<rev>:<path>`, …)."""
        if name in self._cache:
            return self._cache[name]
        if not name or "\n" in name or "\r" in name:
            return None
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline()
            parts = header.split()
            if len(parts) != 3:  # "<name> missing" or "<name> ambiguous"
                found = None
            else:
                size = int(parts[2])
                data = proc.stdout.read(size + 1)[:size]
                found = (parts[0].decode(), parts[1].decode(), data)
        except (OSError, ValueError) as exc:
            self.close()
            raise GitError(
                f"读取 git 对象失败：{exc}", hint="检查仓库是否完整（git fsck）。"
            ) from exc
        self._cache[name] = found
        if found is not None:
            self._cache[found[0]] = found
        return found

    def oid(self, name: str) -> str | None:
        found = self.get(name)
        return found[0] if found else None

    def blob(self, name: str) -> bytes | None:
        found = self.get(name)
        return found[2] if found and found[1] == "blob" else None

    def commit(self, name: str) -> Commit | None:
        found = self.get(name)
        if found is None or found[1] != "commit":
            return None
        return _commit_from_object(found[0], found[2])

    def resolve(self, rev: str) -> str | None:
        """The commit a revision names (like `git rev-parse --verify REV^{commit}`)."""
        if rev.startswith("-"):
            return None
        found = self.get(rev + "^{commit}")
        return found[0] if found and found[1] == "commit" else None

    def tree_entries(self, tree: str) -> dict[str, tuple[str, str]]:
        """name → (mode, object id) of one tree object."""
        found = self.get(tree)
        if found is None or found[1] != "tree":
            return {}
        data, pos, out = found[2], 0, {}
        while pos < len(data):
            space = data.index(b" ", pos)
            nul = data.index(b"\0", space)
            name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
            out[name] = (data[pos:space].decode(), data[nul + 1 : nul + 21].hex())
            pos = nul + 21
        return out

    def changed_files(self, old_tree: str, new_tree: str, prefix: str) -> list[str]:
        """Files under the folder `prefix` that differ between two root trees (added,
        changed or deleted), found by descending only into subtrees whose ids differ."""
        old = self._subtree(old_tree, prefix)
        new = self._subtree(new_tree, prefix)
        out: list[str] = []
        self._diff(old, new, prefix, out)
        return sorted(out)

    def _subtree(self, tree: str, path: str) -> str | None:
        current: str | None = tree
        for part in path.split("/"):
            entry = self.tree_entries(current).get(part) if current else None
            current = entry[1] if entry and entry[0] == "40000" else None
        return current

    def _diff(self, old: str | None, new: str | None, prefix: str, out: list[str]) -> None:
        if old == new:
            return
        a = self.tree_entries(old) if old else {}
        b = self.tree_entries(new) if new else {}
        for name in sorted({*a, *b}):
            left, right = a.get(name), b.get(name)
            if left == right:
                continue
            path = f"{prefix}/{name}"
            left_tree = left[1] if left and left[0] == "40000" else None
            right_tree = right[1] if right and right[0] == "40000" else None
            if left_tree or right_tree:
                self._diff(left_tree, right_tree, path, out)
            if (left and not left_tree) or (right and not right_tree):
                out.append(path)
