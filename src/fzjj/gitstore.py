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
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from fzjj.errors import GitError, RepoError

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

    # ---- work tree -----------------------------------------------------------------------

    def worktree_status(self, paths: Sequence[str] = ()) -> list[str]:
        """Paths with staged or unstaged changes (untracked included)."""
        proc = self.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths)
        items = [i for i in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if i]
        return [i[3:] for i in items if len(i) > 3]

    def branch(self) -> str:
        proc = self.run("symbolic-ref", "-q", "HEAD", check=False)
        ref = proc.stdout.decode().strip()
        if proc.returncode != 0 or not ref.startswith("refs/heads/"):
            raise RepoError("当前不在任何分支上（HEAD 游离）", hint="先 git switch main 再操作。")
        return ref

    # ---- signing and writing -------------------------------------------------------------

    def signing_config(self) -> SigningConfig:
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
            return SigningConfig("openpgp", "openpgp:" + _gpg_fingerprint(key))
        raise GitError(f"不支持的签名格式 gpg.format={fmt}", hint="使用 ssh 或 openpgp。")

    def _config(self, name: str) -> str | None:
        proc = self.run("config", "--get", name, check=False)
        value = proc.stdout.decode().strip()
        return value or None

    def write_blob(self, data: bytes) -> str:
        return (
            self.out("hash-object", "-w", "--stdin")
            if False
            else self.run("hash-object", "-w", "--stdin", input=data).stdout.decode().strip()
        )

    def record_commit(
        self, message: str, *, path: str | None = None, blob: str | None = None
    ) -> str:
        """Make one signed commit on the current branch; optionally set `path` to `blob`.

        Nothing is changed unless git signs and the branch still points where it did.
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
        proc = self.run(*args, input=message.encode("utf-8"), check=False)
        if proc.returncode != 0:
            raise GitError(
                "签名提交失败：" + proc.stderr.decode("utf-8", "replace").strip()[:400],
                hint="检查 git config gpg.format 与 user.signingkey 指向可用的私钥。",
            )
        oid = proc.stdout.decode().strip()
        update = ["update-ref", "-m", "fzjj record", ref, oid, parent or "0" * 40]
        if self.run(*update, check=False).returncode != 0:
            raise GitError("分支在操作期间被其他人更新了", hint="重新运行该命令。")
        if path is not None and blob is not None:
            # keep the user's index in step with the new commit for this path only
            self.run("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", check=False)
        return oid


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


def _gpg_fingerprint(key: str | None) -> str:
    args = ["gpg", "--batch", "--with-colons", "--fingerprint"]
    proc = subprocess.run([*args, *([key] if key else [])], capture_output=True, check=False)
    for line in proc.stdout.decode(errors="replace").splitlines():
        if line.startswith("fpr:"):
            return line.split(":")[9].upper()
    raise GitError(
        "找不到 OpenPGP 签名密钥", hint="git config user.signingkey <指纹>，并确认 gpg 中有该私钥。"
    )


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
