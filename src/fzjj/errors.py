"""Exit codes and the errors every layer raises.

User-facing messages are Simplified Chinese; each error carries the file and field it is about
and a hint saying what to do. The CLI maps each class to its documented exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    VIOLATIONS = 1  # check/lint found violations; the command itself ran
    CANNOT_RUN = 2  # bad arguments, not a repository, unreadable policies.yaml
    INVALID_INPUT = 3  # a draft or data file is invalid
    REFUSED = 4  # the action is not allowed for this signer or in this state
    GIT_FAILED = 5  # git refused: signing failed, dirty work tree, commit failed


class FzjjError(Exception):
    """Base error: a Chinese message, where it is about, and what to do."""

    exit_code: ExitCode = ExitCode.CANNOT_RUN

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        field: str | None = None,
        hint: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.field = field
        self.hint = hint
        self.line = line

    def render(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "")
            if self.field:
                where += f" 字段 {self.field}"
            where += "："
        elif self.field:
            where = f"字段 {self.field}："
        text = where + self.message
        if self.hint:
            text += f"\n提示：{self.hint}"
        return text


class UsageError(FzjjError):
    exit_code = ExitCode.CANNOT_RUN


class RepoError(FzjjError):
    exit_code = ExitCode.CANNOT_RUN


class PolicyError(FzjjError):
    exit_code = ExitCode.CANNOT_RUN


class DraftError(FzjjError):
    exit_code = ExitCode.INVALID_INPUT


class DataError(FzjjError):
    exit_code = ExitCode.INVALID_INPUT


class RefusedError(FzjjError):
    exit_code = ExitCode.REFUSED


class GitError(FzjjError):
    exit_code = ExitCode.GIT_FAILED
