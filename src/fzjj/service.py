"""The workspace: a content repository opened for one command. Ties gitstore, history and
the chain together; the CLI talks to this, never to git directly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fzjj.draft import Draft, check_path, parse_draft
from fzjj.errors import DraftError, RepoError, UsageError
from fzjj.gitstore import GitRepo, open_repo
from fzjj.history import History, load
from fzjj.model import DraftState, RosterVersion
from fzjj.policy import POLICY_FILE, Policy, decode_policy


@dataclass
class Workspace:
    repo: GitRepo
    rev: str = "HEAD"
    _history: History | None = field(default=None, init=False, repr=False)

    @property
    def root(self) -> Path:
        return self.repo.root

    @property
    def history(self) -> History:
        if self._history is None:
            self._history = load(self.repo, self.rev)
        return self._history

    @property
    def policy(self) -> Policy:
        if self._history is None and self.repo.head() is None:
            return self.worktree_policy()
        return self.history.policy

    def worktree_policy(self) -> Policy:
        path = self.root / POLICY_FILE
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise RepoError(
                f"找不到 {POLICY_FILE}", path=str(path), hint="在仓库根目录放置 policies.yaml。"
            ) from exc
        return decode_policy(data)

    def states(self) -> Mapping[str, DraftState]:
        return self.history.states

    def relpath(self, path: str | Path) -> str:
        """A path given on the command line, as a repository path (content/…)."""
        root = self.root.resolve()
        candidates = [(Path.cwd() / path).resolve()]
        if not Path(path).is_absolute():
            candidates.append((root / path).resolve())
        for full in candidates:
            if full.is_relative_to(root):
                return full.relative_to(root).as_posix()
        raise UsageError(f"{path} 不在当前内容仓库中", hint=f"仓库根目录是 {self.root}")

    def read_draft(self, path: str | Path) -> Draft:
        rel = self.relpath(path)
        check_path(rel)
        try:
            data = (self.root / rel).read_bytes()
        except FileNotFoundError as exc:
            raise UsageError(
                f"文件不存在：{rel}", hint="检查路径，或用 fzjj new 新建稿件。"
            ) from exc
        except OSError as exc:
            raise DraftError(f"无法读取文件：{exc.strerror}", path=rel) from exc
        return parse_draft(data, rel)

    def state_for(self, path: str | Path) -> DraftState:
        rel = self.relpath(path)
        draft_id = self.history.paths.get(rel)
        if draft_id is None:
            draft = self.read_draft(rel)
            draft_id = draft.meta.id
        state = self.history.states.get(draft_id)
        if state is None:
            raise UsageError(f"{rel} 尚未提交到仓库", hint="先运行 fzjj submit 报送。")
        return state


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One trusted version of the roster, with what the filing record (备案) needs."""

    version: RosterVersion
    policy: Policy
    when: datetime  # committer date in the roster's timezone, as the signer claims it


def roster_entries(ws: Workspace) -> list[RosterEntry]:
    """Every roster version that took effect in trusted history, oldest first."""
    from fzjj.gitstore import read_commits

    versions = ws.history.rosters
    blobs = ws.repo.cat_objects(v.blob for v in versions)
    commits = read_commits(ws.repo, [v.commit for v in versions])
    tz = ws.history.policy.tz
    out = []
    for v in versions:
        moment = datetime.fromtimestamp(commits[v.commit].committer_time, UTC).astimezone(tz)
        out.append(RosterEntry(v, decode_policy(blobs[v.blob]), moment))
    return out


def open_workspace(start: Path | None = None, rev: str = "HEAD") -> Workspace:
    return Workspace(open_repo(start or Path.cwd()), rev)
