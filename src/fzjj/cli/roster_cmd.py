"""roster log, roster diff: the roster's trusted versions and the filing record (备案) of a
change (Art. 7)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from fzjj.errors import FzjjError, UsageError

if TYPE_CHECKING:
    from fzjj.service import RosterEntry, Workspace


def _exit(exc: FzjjError) -> typer.Exit:
    print(f"错误：{exc.render()}", file=sys.stderr)
    return typer.Exit(int(exc.exit_code))


def _entries() -> tuple[Workspace, list[RosterEntry]]:
    from fzjj.service import open_workspace, roster_entries

    ws = open_workspace()
    return ws, roster_entries(ws)


def register(app: typer.Typer) -> None:
    from fzjj.cli.base import FzjjApp

    roster = FzjjApp(
        help="名册（policies.yaml）的可信版本与变更备案（第七条）。", no_args_is_help=True
    )
    app.add_typer(roster, name="roster")

    @roster.command("log")
    def log(
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    ) -> None:
        """列出可信历史中生效的每一版名册：版本、提交、日期、由谁签署。"""
        try:
            ws, entries = _entries()
            anchor = _anchor_of(ws)
        except FzjjError as exc:
            raise _exit(exc) from None
        if as_json:
            print(json.dumps([_as_json(e) for e in entries], ensure_ascii=False))
            return
        print(f"名册的可信版本（共 {len(entries)} 版）：")
        previous = None
        for entry in entries:
            v = entry.version
            print(
                f"第 {v.version} 版  提交 {v.commit[:12]}  {entry.when:%Y-%m-%d %H:%M}  "
                + _describe(entry, previous, anchor)
            )
            previous = entry

    @roster.command("diff")
    def diff(
        old: Annotated[int | None, typer.Argument(help="起始版本号（默认：上一版）")] = None,
        new: Annotated[int | None, typer.Argument(help="结束版本号（默认：当前版）")] = None,
    ) -> None:
        """打印两版名册之间的变更备案（第七条：变更后重新登记并报市委宣传部备案）。"""
        try:
            ws, entries = _entries()
            anchor = _anchor_of(ws)
            start, end = _pick(entries, old, new)
        except FzjjError as exc:
            raise _exit(exc) from None
        _print_filing(entries, start, end, anchor, ws.history.policy.account)


def _anchor_of(ws: Workspace) -> str | None:
    from fzjj.gitstore import trust_anchor

    head = ws.history.head
    return trust_anchor(ws.repo, head) if head else None


def _describe(entry: RosterEntry, previous: RosterEntry | None, anchor: str | None) -> str:
    from fzjj.policy import key_label

    v = entry.version
    if v.anchor:
        return "信任根（本机配置）" if anchor == v.commit else "第一版名册（首次使用即信任）"
    assert previous is not None and v.signer is not None and v.key is not None
    return f"{previous.policy.name_of(v.signer)}（{v.signer}）签署，密钥 {key_label(v.key)}"


def _as_json(entry: RosterEntry) -> dict[str, object]:
    v = entry.version
    return {
        "version": v.version,
        "commit": v.commit,
        "date": entry.when.isoformat(),
        "signer": v.signer,
        "key": v.key,
        "anchor": v.anchor,
    }


def _pick(entries: list[RosterEntry], old: int | None, new: int | None) -> tuple[int, int]:
    """Indexes into `entries` of the two versions to compare."""
    numbers = [e.version.version for e in entries]
    if new is None:
        end = len(entries) - 1
    elif new in numbers:
        end = numbers.index(new)
    else:
        raise UsageError(
            f"可信历史中没有第 {new} 版名册", hint="可选版本：" + "、".join(map(str, numbers))
        )
    if old is None:
        return max(end - 1, 0), end
    if old not in numbers:
        raise UsageError(
            f"可信历史中没有第 {old} 版名册", hint="可选版本：" + "、".join(map(str, numbers))
        )
    start = numbers.index(old)
    if start > end:
        raise UsageError("起始版本应早于结束版本", hint=f"例如 fzjj roster diff {new} {old}")
    return start, end


def _print_filing(
    entries: list[RosterEntry], start: int, end: int, anchor: str | None, account: str
) -> None:
    from fzjj.policy import roster_changes

    first, last = entries[start], entries[end]
    print(f"“{account}”政务微信公众号 名册变更备案")
    print(
        f"变更：第 {first.version.version} 版（提交 {first.version.commit[:12]}）→ "
        f"第 {last.version.version} 版（提交 {last.version.commit[:12]}）"
    )
    print("信任根：" + (anchor or "未配置（以历史中第一版名册为起点）"))
    if start == end:
        print("两版相同，没有变更。" if start else "这是名册的第一版：以下为初始登记的人员与角色。")
        if start == 0:
            policy = first.policy
            for person in policy.people:
                roles = "、".join(policy.roles_of(person.id)) or "（无角色）"
                print(f"  {person.name}（{person.id}）：{roles}")
        return
    print("签署：")
    for index in range(start + 1, end + 1):
        entry = entries[index]
        print(
            f"  第 {entry.version.version} 版  {entry.when:%Y-%m-%d}  "
            + _describe(entry, entries[index - 1], anchor)
        )
    print("变更内容：")
    changes = roster_changes(first.policy, last.policy)
    for number, line in enumerate(changes, start=1):
        print(f"  {number}. {line}" if not line.startswith("  ") else f"     {line.strip()}")
    if not changes:
        print("  （人员、密钥与角色没有变化）")
