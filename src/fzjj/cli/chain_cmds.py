"""new, submit, approve, reject, publish, status, queue."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from fzjj.errors import FzjjError, UsageError
from fzjj.model import STAGE_LABELS, Kind, Phase

if TYPE_CHECKING:
    from fzjj.history import History
    from fzjj.model import DraftState, Violation
    from fzjj.service import Workspace


def _exit(exc: FzjjError) -> typer.Exit:
    print(f"错误：{exc.render()}", file=sys.stderr)
    return typer.Exit(int(exc.exit_code))


def _print_warnings(warnings: tuple[Violation, ...]) -> None:
    """Content-rule warnings (and findings covered by a registered exception) of an action."""
    from fzjj.rules.gate import describe

    for v in warnings:
        print(f"内容提示：{describe(v)}")


def _print_exceptions(history: History, states: list[DraftState]) -> None:
    """Every lint exception the drafts record, so no reviewer misses one."""
    from fzjj.rules.gate import exception_notes

    for state in states:
        if not state.lint_exceptions or state.draft_id not in history.drafts:
            continue
        draft = history.drafts[state.draft_id]
        for note in exception_notes(draft):
            print(f"登记的例外 {draft.path}：{note}")


# Drafts nobody has to act on: left out of `fzjj status` unless they have a problem.
_CLOSED = (Phase.PUBLISHED, Phase.WITHDRAWN)


def _select(ws: Workspace, paths: list[Path], *, everything: bool, month: str | None) -> list[str]:
    """Draft ids for `fzjj status`, in path order, without decoding the states not shown."""
    states = ws.history.states
    if paths:
        by_path = {states.path_of(i): i for i in states}
        wanted = {ws.relpath(p) for p in paths}
        unknown = sorted(wanted - by_path.keys())
        if unknown:
            raise UsageError(
                f"仓库中没有这些稿件：{'、'.join(unknown)}",
                hint="路径应指向已提交的 content/YYYY/MM/*.md 文件。",
            )
        return [by_path[p] for p in sorted(wanted)]
    prefix = ""
    if month is not None:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise UsageError(f"月份格式不对：{month}", hint="写成 YYYY-MM，例如 2026-11。")
        prefix = "content/" + month.replace("-", "/") + "/"
    keep = [
        i
        for i in states
        if states.path_of(i).startswith(prefix)
        and (
            everything
            or month is not None
            or states.phase_of(i) not in _CLOSED
            or states.has_violations(i)
        )
    ]
    return sorted(keep, key=states.path_of)


def register(app: typer.Typer) -> None:
    @app.command()
    def submit(
        path: Annotated[Path, typer.Argument(help="稿件文件 content/YYYY/MM/<名称>.md")],
        opinion: Annotated[str, typer.Option("--opinion", "-m", help="报送说明（可选）")] = "",
    ) -> None:
        """信息员报送稿件（也用于修改后重新报送）：生成一条签名记录。"""
        from fzjj import actions
        from fzjj.service import open_workspace

        try:
            ws = open_workspace()
            out = actions.submit(ws, str(path), opinion)
        except FzjjError as exc:
            raise _exit(exc) from None
        policy = ws.policy
        names = "、".join(policy.name_of(p) for p in out.state.next_signers)
        print(f"已报送《{out.draft.meta.title}》（{out.draft.meta.id}），记录 {out.commit[:12]}")
        stage = out.state.next_stage
        print(f"下一步：{STAGE_LABELS[stage] if stage else ''}，由 {names} 签署")
        _print_warnings(out.warnings)

    def _review(path: Path, opinion: str, approve: bool) -> None:
        from fzjj import actions
        from fzjj.service import open_workspace

        try:
            ws = open_workspace()
            out = actions.review(ws, str(path), approve=approve, opinion=opinion)
        except FzjjError as exc:
            raise _exit(exc) from None
        label = STAGE_LABELS[out.stage] if out.stage else ""
        verb = "同意" if approve else "退回"
        print(f"{label}：已{verb}《{out.draft.meta.title}》，记录 {out.commit[:12]}")
        _print_warnings(out.warnings)
        state = out.state
        policy = ws.policy
        if state.phase is Phase.APPROVED:
            print("审核链已完成，运维人员可以发布：fzjj publish " + out.draft.path + " --url …")
        elif state.phase is Phase.REJECTED:
            print("稿件已退回信息员，修改后用 fzjj submit 重新报送。")
        elif state.next_stage is not None:
            names = "、".join(policy.name_of(p) for p in state.next_signers)
            print(f"下一步：{STAGE_LABELS[state.next_stage]}，由 {names} 签署")

    @app.command()
    def approve(
        path: Annotated[Path, typer.Argument(help="稿件文件")],
        opinion: Annotated[str, typer.Option("--opinion", "-m", help="审核意见")] = "同意。",
    ) -> None:
        """审核人签署同意（按顺序：科室负责人→涉密审查→分管领导→主要领导）。"""
        _review(path, opinion, True)

    @app.command()
    def reject(
        path: Annotated[Path, typer.Argument(help="稿件文件")],
        opinion: Annotated[str, typer.Option("--opinion", "-m", help="退回理由（必填）")] = "",
    ) -> None:
        """审核人退回稿件，写明理由；信息员修改后重新报送，审核从头开始。"""
        _review(path, opinion, False)

    @app.command()
    def publish(
        path: Annotated[Path, typer.Argument(help="稿件文件")],
        url: Annotated[str, typer.Option("--url", help="公众号上发布后的文章链接")],
    ) -> None:
        """运维人员在审核链完成后记录发布（先审后发）。"""
        from fzjj import actions
        from fzjj.service import open_workspace

        try:
            ws = open_workspace()
            out = actions.publish(ws, str(path), url)
        except FzjjError as exc:
            raise _exit(exc) from None
        print(f"已记录发布《{out.draft.meta.title}》：{url}，记录 {out.commit[:12]}")
        _print_warnings(out.warnings)

    @app.command()
    def status(
        paths: Annotated[list[Path] | None, typer.Argument(help="只看这些稿件")] = None,
        everything: Annotated[
            bool, typer.Option("--all", "-a", help="列出全部稿件，包括已发布且没有问题的")
        ] = False,
        month: Annotated[
            str | None, typer.Option("--month", help="只看 content/YYYY/MM/ 下的稿件")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    ) -> None:
        """列出稿件的单位、状态、下一步由谁签、意见与问题（默认只列尚待处理或有问题的稿件）。"""
        from fzjj.render.console import print_states, states_to_json, status_summary
        from fzjj.service import open_workspace

        try:
            ws = open_workspace()
            history = ws.history
            ids = _select(ws, paths or [], everything=everything, month=month)
        except FzjjError as exc:
            raise _exit(exc) from None
        states = [history.states[i] for i in ids]
        if as_json:
            print(states_to_json(states, history.policy))
            return
        title = (
            f"稿件状态（{len(states)} 篇）"
            if paths or everything or month
            else "尚待处理或有问题的稿件（已发布、已撤回的不列出）"
        )
        print_states(states, history.policy, title=title)
        _print_exceptions(history, states)
        if not paths:
            print(status_summary(history))

    @app.command()
    def queue(
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    ) -> None:
        """列出等待“我”（git 配置的签名密钥的主人）处理的稿件。"""
        from fzjj.render.console import print_states, states_to_json
        from fzjj.service import open_workspace

        try:
            ws = open_workspace()
            history = ws.history
            key = ws.repo.signing_config().key
            person = history.policy.key_owner.get(key)
            if person is None:
                raise UsageError(
                    "当前 git 配置的签名密钥不在名册中",
                    hint="检查 git config user.signingkey 是否是你登记在 policies.yaml 中的密钥。",
                )
        except FzjjError as exc:
            raise _exit(exc) from None
        mine = sorted(
            (
                s
                for s in history.states.values()
                if person in s.next_signers and s.phase is not Phase.PUBLISHED
            ),
            key=lambda s: (
                s.waiting_since or datetime.min.replace(tzinfo=history.policy.tz),
                s.path,
            ),
        )
        if as_json:
            print(states_to_json(mine, history.policy))
            return
        name = history.policy.name_of(person)
        print_states(mine, history.policy, title=f"等待 {name} 处理的稿件（{len(mine)} 篇）")
        _print_exceptions(history, mine)

    @app.command()
    def new(
        unit: Annotated[str | None, typer.Option(help="单位 id 或名称，见 policies.yaml")] = None,
        title: Annotated[str | None, typer.Option(help="标题（不超过 64 字）")] = None,
        kind: Annotated[
            str | None, typer.Option(help="original（原创）/ interview（采访稿）/ forward（转载）")
        ] = None,
        category: Annotated[str | None, typer.Option(help="栏目名称或序号（第三条）")] = None,
        slug: Annotated[str | None, typer.Option(help="文件名（不含 .md）")] = None,
        source_name: Annotated[str | None, typer.Option(help="转载：来源名称")] = None,
        source_title: Annotated[str | None, typer.Option(help="转载：原文标题")] = None,
        source_url: Annotated[str | None, typer.Option(help="转载：原文链接")] = None,
        forward_type: Annotated[
            str | None, typer.Option(help="转载：时政热点 / 新规政策 / 普法案例")
        ] = None,
    ) -> None:
        """按模板新建一篇稿件 content/YYYY/MM/<名称>.md；缺少的项会逐一询问。"""
        from fzjj import scaffold
        from fzjj.service import open_workspace

        try:
            ws = open_workspace()
            policy = ws.policy
            checks = (
                (unit, partial(scaffold.resolve_unit, policy)),
                (title, scaffold.resolve_title),
                (kind, scaffold.resolve_kind),
                (category, partial(scaffold.resolve_category, policy)),
                (forward_type, scaffold.resolve_forward_type),
            )
            for value, check in checks:  # every option given is checked before asking
                if value is not None:
                    check(value)
            units = "可选单位：" + "  ".join(f"{u.id}（{u.name}）" for u in policy.units)
            unit_v = _ask(
                unit, "unit", "单位 id 或名称", partial(scaffold.resolve_unit, policy), menu=units
            )
            title_v = _ask(title, "title", "标题", scaffold.resolve_title)
            kinds = " / ".join(f"{k.value}（{n}）" for k, n in scaffold.KIND_NAMES.items())
            kind_v = _ask(kind, "kind", f"类型 {kinds}", scaffold.resolve_kind, default="original")
            category_v = _ask(
                category,
                "category",
                "栏目名称或序号",
                partial(scaffold.resolve_category, policy),
                menu=scaffold.category_menu(policy),
            )
            source = None
            if kind_v is Kind.FORWARD:
                source = scaffold.ForwardSource(
                    name=_ask(source_name, "source-name", "来源名称（如 司法部）", _text),
                    title=_ask(source_title, "source-title", "原文标题", _text),
                    url=_ask(source_url, "source-url", "原文链接（https://…）", _text),
                    type=_ask(
                        forward_type,
                        "forward-type",
                        "转载类型 1. 时政热点  2. 新规政策  3. 普法案例",
                        scaffold.resolve_forward_type,
                    ),
                )
            path = scaffold.new_draft(
                ws.root,
                policy,
                unit=unit_v,
                title=title_v,
                kind=kind_v,
                category=category_v,
                slug=slug,
                source=source,
            )
        except FzjjError as exc:
            raise _exit(exc) from None
        print(f"已新建 {path}；写好正文后运行 fzjj submit {path}")


_T = TypeVar("_T")


def _text(value: str) -> str:
    if not value.strip():
        raise UsageError("不能为空")
    return value.strip()


def _ask(
    given: str | None,
    option: str,
    prompt: str,
    resolve: Callable[[str], _T],
    *,
    default: str | None = None,
    menu: str | None = None,
) -> _T:
    """`given` resolved; when missing, ask (again after each wrong answer, three times).

    Answers may also come piped on stdin. When the input ends before an answer, the missing
    option is named, so a script knows what to pass.
    """
    if given is not None:
        return resolve(given)
    if menu:
        print(menu)
    for attempt in range(3):
        try:
            answer = typer.prompt(prompt, default=default, show_default=default is not None)
        except typer.Abort:
            raise UsageError(
                f"缺少 --{option}", hint=f"用 --{option} 给出，或在终端中运行以逐项回答。"
            ) from None
        try:
            return resolve(str(answer))
        except UsageError as exc:
            if attempt == 2:
                raise
            print(f"{exc.message}，请重新输入。", file=sys.stderr)
    raise AssertionError("unreachable")  # pragma: no cover
