"""Every chain command through the real CLI: exit code, message, and — for every refusal or
failure — no commit, no moved ref, no changed index entry and no changed file."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import Result

from conftest import Bureau
from test_chain_threats import change_roster, state

URL = "https://mp.weixin.qq.com/s/abcdef"


def snapshot(b: Bureau) -> tuple[object, ...]:
    files = {
        p.relative_to(b.root).as_posix(): p.read_bytes()
        for p in sorted(b.root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(b.root).parts
    }
    return (
        b.git("for-each-ref"),
        b.git("rev-parse", "HEAD"),
        b.git("ls-files", "--stage"),
        b.git("status", "--porcelain"),
        files,
    )


def refused(b: Bureau, person: str, *args: str, code: int, says: tuple[str, ...]) -> str:
    """Run a command that must fail and leave the repository exactly as it was."""
    before = snapshot(b)
    got, out = b.act(person, *args)
    assert got == code, out
    for text in says:
        assert text in out, out
    assert snapshot(b) == before
    return out


def invoke(b: Bureau, *args: str, answers: str | None = None) -> Result:
    """`fzjj <args>` in the repository as git is configured now (no `sign_as`)."""
    from fzjj.cli.main import app

    old = os.getcwd()
    os.chdir(b.root)
    try:
        return b.runner.invoke(app, list(args), input=answers)
    finally:
        os.chdir(old)


def submitted(b: Bureau, slug: str, **kw: str) -> str:
    path = b.draft(slug, **kw)
    b.ok("qy_info", "submit", path)
    return path


# ---- submit ------------------------------------------------------------------------------------


def test_submit_says_what_was_recorded_and_who_signs_next(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-sub", title="青阳普法进社区")
    out = bureau.ok("qy_info", "submit", path)
    oid = bureau.head()
    assert f"已报送《青阳普法进社区》（2026-11-sub），记录 {oid[:12]}" in out
    assert "下一步：科室负责人审核，由 陈岚（青阳所长） 签署" in out
    message = bureau.git("log", "-1", "--format=%B")
    assert "Fzjj-Action: submit" in message and f"Fzjj-Path: {path}" in message
    assert bureau.git("status", "--porcelain") == ""  # index and work tree match the record


def test_submit_by_another_units_officer_names_the_right_one(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-sub2")
    refused(
        bureau,
        "ah_info",
        "submit",
        path,
        code=4,
        says=("黄海（安海信息员） 无权报送该稿件；应由 林青（青阳信息员） 报送",),
    )


def test_submit_twice_without_change(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-sub3")
    refused(bureau, "qy_info", "submit", path, code=4, says=("内容没有变化，无需重复报送",))


def test_submit_a_duplicate_id(bureau: Bureau) -> None:
    submitted(bureau, "2026-11-dup")
    copy = bureau.draft("2026-11-dup-copy", draft_id="2026-11-dup")
    refused(bureau, "qy_info", "submit", copy, code=3, says=("稿件 id 2026-11-dup 已被", "字段 id"))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("---\nid: 2026-11-bad\ntitle: t\nunit: qingyang\nkind: original\ncategory: 便民信息\n"
         "colour: red\n---\n", ("字段 colour", "未知字段", "这里允许的字段")),
        ("---\nid: 2026-11-bad\ntitle: [1, 2]\nunit: qingyang\nkind: original\n"
         "category: 便民信息\n---\n", ("字段 title", "应为文本")),
        ("---\nid: 2026-11-bad\ntitle: t\nunit: nowhere\nkind: original\ncategory: 便民信息\n"
         "---\n", ("字段 unit", "单位 'nowhere' 不在 policies.yaml 的 units 中",
                   "qingyang（青阳司法所）")),
        ("---\nid: 2026-11-bad\ntitle: t\nunit: qingyang\nkind: original\ncategory: 便民信息\n"
         "emergency: {coordinated_with: 市委宣传部}\nreuse:\n  - {name: a, title: b, url: c,"
         " permission: {granted_by: d, date: 2026-02-30, method: e}}\n---\n",
         ("日期 2026-02-30 不存在",)),
        ("# 没有 front-matter\n", ("缺少 front-matter",)),
    ],
)  # fmt: skip
def test_submit_an_invalid_draft_names_file_and_field(
    bureau: Bureau, text: str, says: tuple[str, ...]
) -> None:
    path = bureau.write("content/2026/11/bad.md", text)
    refused(bureau, "qy_info", "submit", path, code=3, says=(path, *says))


def test_submit_a_non_utf8_draft(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-gbk")
    (bureau.root / path).write_bytes((bureau.root / path).read_text().encode("gb18030"))
    refused(bureau, "qy_info", "submit", path, code=3, says=("不是 UTF-8 编码", "另存"))


def test_submit_outside_content_and_missing_file(bureau: Bureau) -> None:
    bureau.write("drafts/x.md", "---\n---\n")
    refused(bureau, "qy_info", "submit", "drafts/x.md", code=3, says=("content/YYYY/MM",))
    refused(bureau, "qy_info", "submit", "content/2026/11/none.md", code=2, says=("文件不存在",))


def test_submit_with_no_signing_key_configured(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-nokey")
    bureau.sign_as("qy_info")
    bureau.git("config", "--unset", "user.signingkey")
    before = snapshot(bureau)
    result = invoke(bureau, "submit", path)
    assert result.exit_code == 5
    assert "没有配置签名密钥（git config user.signingkey）" in result.output
    assert snapshot(bureau) == before


def test_submit_when_git_signs_with_another_key_than_judged(bureau: Bureau, tmp_path: Path) -> None:
    """A signing program that swaps the key: fzjj judges qy_info's key, git signs with
    ah_info's. The commit is verified before the branch moves, so nothing is recorded."""
    path = bureau.draft("2026-11-mismatch")
    wrapper = tmp_path / "swap-key"
    wrapper.write_text(
        f"#!{sys.executable}\nimport os, sys\nargs = sys.argv[1:]\n"
        f"args[args.index('-f') + 1] = {str(bureau.keys['ah_info'])!r}\n"
        "os.execvp('ssh-keygen', ['ssh-keygen', *args])\n"
    )
    wrapper.chmod(0o755)
    bureau.git("config", "gpg.ssh.program", str(wrapper))
    refused(bureau, "qy_info", "submit", path, code=5, says=("实际使用的签名密钥", "没有写入记录"))


def test_submit_keeps_a_different_staged_version(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-staged", body="暂存的版本。\n")
    bureau.git("add", path)
    bureau.draft("2026-11-staged", body="文件中的版本。\n")
    refused(bureau, "qy_info", "submit", path, code=5, says=("暂存区中另有一个与文件不同的版本",))


def test_submit_during_a_merge(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-merge")
    (bureau.root / ".git" / "MERGE_HEAD").write_text(bureau.head() + "\n")
    refused(bureau, "qy_info", "submit", path, code=5, says=("仓库正在进行合并（merge）",))


def test_submit_on_a_detached_head(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-detached")
    bureau.git("switch", "-q", "--detach")
    refused(bureau, "qy_info", "submit", path, code=2, says=("HEAD 游离", "git switch"))


# ---- approve -----------------------------------------------------------------------------------


def test_approve_in_order_to_the_end(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-appr", title="青阳调解")
    out = bureau.ok("qy_head", "approve", path, "--opinion", "同意报送。")
    assert f"科室负责人审核：已同意《青阳调解》，记录 {bureau.head()[:12]}" in out
    assert "下一步：涉密审查，由 许明（保密办）、郑敏（保密办） 签署" in out
    bureau.ok("secrecy_b", "approve", path)
    bureau.ok("deputy", "approve", path)
    out = bureau.ok("principal", "approve", path, "-m", "同意发布。")
    assert "主要领导审批：已同意" in out
    assert f"审核链已完成，运维人员可以发布：fzjj publish {path} --url …" in out
    assert state(bureau, path)["records"][-1]["opinion"] == "同意发布。"


def test_approve_by_the_wrong_person_names_who_may(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-wrong")
    refused(
        bureau,
        "deputy",
        "approve",
        path,
        code=4,
        says=("不具备 科室负责人审核 的角色；应由 陈岚（青阳所长） 签署", "当前签名密钥属于 王强"),
    )


def test_approve_with_an_unregistered_key(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-stranger")
    refused(
        bureau,
        "stranger",
        "approve",
        path,
        code=4,
        says=("未登记的密钥", "现在可以操作的人：陈岚（青阳所长）"),
    )


def test_approve_a_draft_not_in_review(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-notyet")
    bureau.git("add", path)
    bureau.git("commit", "-qm", "draft")
    refused(
        bureau,
        "qy_head",
        "approve",
        path,
        code=4,
        says=("当前不在审核中（未报送）", "林青（青阳信息员）"),
    )


def test_approve_with_the_draft_edited_locally(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-dirty")
    bureau.draft("2026-11-dirty", body="本地改动、尚未提交的正文。\n")
    edited = (bureau.root / path).read_bytes()
    out = refused(bureau, "qy_head", "approve", path, code=5, says=("有未提交的修改",))
    assert "git restore" in out
    assert (bureau.root / path).read_bytes() == edited


def test_approve_with_the_draft_staged_but_not_committed(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-staged2")
    bureau.draft("2026-11-staged2", body="改过并暂存。\n")
    bureau.git("add", path)
    refused(bureau, "qy_head", "approve", path, code=5, says=("有未提交的修改",))


# ---- reject ------------------------------------------------------------------------------------


def test_reject_needs_a_reason(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-rej")
    refused(bureau, "qy_head", "reject", path, code=2, says=("退回稿件必须写明意见", "--opinion"))


def test_reject_sends_it_back_to_the_officer(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-rej2")
    out = bureau.ok("qy_head", "reject", path, "--opinion", "数字需核实。")
    assert "科室负责人审核：已退回" in out
    assert "稿件已退回信息员，修改后用 fzjj submit 重新报送。" in out
    s = state(bureau, path)
    assert s["phase"] == "rejected" and s["next_signers"][0]["id"] == "qy_info"
    refused(bureau, "secrecy_a", "approve", path, code=4, says=("当前不在审核中（已退回）",))


def test_reject_by_someone_without_the_stage(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-rej3")
    refused(
        bureau,
        "ah_head",
        "reject",
        path,
        "--opinion",
        "不行。",
        code=4,
        says=("应由 陈岚（青阳所长） 签署",),
    )


# ---- publish -----------------------------------------------------------------------------------


def test_publish_before_the_chain_is_complete(bureau: Bureau) -> None:
    path = submitted(bureau, "2026-11-pub")
    refused(
        bureau,
        "operator",
        "publish",
        path,
        "--url",
        URL,
        code=4,
        says=("先审后发", "当前：待科室负责人审核", "现在可以操作的人：陈岚（青阳所长）"),
    )


def test_publish_by_a_non_operator(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-pub2")
    bureau.full_chain(path)
    refused(
        bureau,
        "principal",
        "publish",
        path,
        "--url",
        URL,
        code=4,
        says=("李华（局长） 不是运维人员，无权发布", "现在可以操作的人：蔡文（法治报社）"),
    )


def test_publish_url_must_be_https(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-pub3")
    bureau.full_chain(path)
    bad = ("--url", "http://x")
    refused(bureau, "operator", "publish", path, *bad, code=2, says=("发布链接无效",))


def test_publish_then_again(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-pub4", title="发布测试")
    bureau.full_chain(path)
    out = bureau.ok("operator", "publish", path, "--url", URL)
    assert f"已记录发布《发布测试》：{URL}，记录 {bureau.head()[:12]}" in out
    refused(bureau, "operator", "publish", path, "--url", URL, code=4, says=("记录发布：" + URL,))


# ---- queue -------------------------------------------------------------------------------------


def test_queue_lists_what_waits_for_the_configured_key(bureau: Bureau) -> None:
    waiting = submitted(bureau, "2026-11-q1", title="等待审核的稿件")
    other = bureau.draft("2026-11-q2", unit="anhai")
    bureau.ok("ah_info", "submit", other)
    out = bureau.ok("qy_head", "queue")
    assert "等待 陈岚（青阳所长） 处理的稿件（1 篇）" in out
    doc = json.loads(bureau.ok("qy_head", "queue", "--json"))
    assert [(d["path"], d["title"]) for d in doc] == [(waiting, "等待审核的稿件")]
    assert json.loads(bureau.ok("secrecy_a", "queue", "--json")) == []
    bureau.ok("qy_head", "approve", waiting)
    assert len(json.loads(bureau.ok("secrecy_a", "queue", "--json"))) == 1
    assert json.loads(bureau.ok("qy_head", "queue", "--json")) == []


def test_queue_of_the_operator_and_of_the_officer(bureau: Bureau) -> None:
    done = bureau.draft("2026-11-q3")
    bureau.full_chain(done)
    back = submitted(bureau, "2026-11-q4")
    bureau.ok("qy_head", "reject", back, "--opinion", "请修改。")
    assert [d["path"] for d in json.loads(bureau.ok("operator", "queue", "--json"))] == [done]
    assert back in [d["path"] for d in json.loads(bureau.ok("qy_info", "queue", "--json"))]


def test_queue_with_a_key_not_on_the_roster(bureau: Bureau) -> None:
    refused(bureau, "stranger", "queue", code=2, says=("签名密钥不在名册中",))


# ---- kinds: interviews and forwards --------------------------------------------------------------


def test_interview_is_submitted_by_the_operator_for_the_unit(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-interview", kind="interview")
    refused(
        bureau,
        "qy_info",
        "submit",
        path,
        code=4,
        says=("无权报送该稿件；应由 蔡文（法治报社） 报送",),
    )
    out = bureau.ok("operator", "submit", path)
    assert "由 陈岚（青阳所长） 签署" in out  # the interviewed unit's head reviews first
    for person in ("qy_head", "secrecy_a", "deputy", "principal"):
        bureau.ok(person, "approve", path)
    bureau.ok("operator", "publish", path, "--url", URL)
    assert state(bureau, path)["phase"] == "published"


def test_forward_follows_the_chain_policies_yaml_sets(bureau: Bureau) -> None:
    whitelist = (
        "whitelist:\n  sources:\n    - id: moj\n      name: 司法部\n"
        "      category: ministry_of_justice\n      hosts: [moj.gov.cn]\n"
    )
    change_roster(
        bureau,
        lambda t: (
            t
            + "chains:\n  original: [unit_head, secrecy_office, deputy, principal]\n"
            + "  interview: [unit_head, secrecy_office, deputy, principal]\n"
            + "  forward: [secrecy_office, principal]\n"
            + whitelist
        ),
    )
    extra = (
        "source:\n  name: 司法部\n  title: 司法部发布新规\n"
        "  url: 'https://www.moj.gov.cn/pub/a.html'\n  type: 新规政策\n"
    )
    path = bureau.draft("2026-11-forward", kind="forward", extra=extra, body="转载正文。\n")
    out = bureau.ok("operator", "submit", path)
    assert "下一步：涉密审查" in out
    secrecy = ("应由 许明（保密办）、郑敏（保密办）",)
    refused(bureau, "qy_head", "approve", path, code=4, says=secrecy)
    bureau.ok("secrecy_a", "approve", path)
    out = bureau.ok("principal", "approve", path)
    assert "审核链已完成" in out
    bureau.ok("operator", "publish", path, "--url", URL)
    s = state(bureau, path)
    assert s["phase"] == "published"
    assert [r["stage"] for r in s["records"]] == [None, "secrecy_office", "principal", None]


# ---- new ---------------------------------------------------------------------------------------


def new(b: Bureau, *args: str, answers: str | None = None) -> tuple[int, str]:
    b.sign_as("qy_info")
    result = invoke(b, "new", *args, answers=answers)
    return result.exit_code, result.output


def only_draft(b: Bureau) -> str:
    (found,) = list((b.root / "content").rglob("*.md"))
    return found.read_text(encoding="utf-8")


def test_new_with_options_writes_a_valid_draft(bureau: Bureau) -> None:
    code, out = new(
        bureau, "--unit", "qingyang", "--title", "普法活动", "--kind", "original",
        "--category", "便民信息", "--slug", "pufa",
    )  # fmt: skip
    assert code == 0, out
    path = re.match(r"已新建 (\S+?)；写好正文后运行 fzjj submit (\S+)", out)
    assert path and path.group(1) == path.group(2) and path.group(1).endswith("/pufa.md")
    path = path.group(1)
    text = only_draft(bureau)
    assert "title: 普法活动\nunit: qingyang\nkind: original\ncategory: 便民信息\n" in text
    bureau.ok("qy_info", "submit", path)  # it validates and passes the content rules


def test_new_asks_for_what_is_missing(bureau: Bureau) -> None:
    code, out = new(bureau, answers="青阳\n调解案例\ninterview\n9\n3\n")
    assert code == 0, out
    assert "可选单位：qingyang（青阳司法所）" in out and "单位 id 或名称:" in out
    assert "类型 original（原创） / interview（采访稿） / forward（转载） [original]:" in out
    assert "可选栏目：1. 信息主动公开" in out
    assert "未知栏目 '9'，请重新输入。" in out
    text = only_draft(bureau)
    assert "unit: qingyang" in text and "kind: interview" in text and "category: 便民信息" in text


def test_new_takes_the_default_kind(bureau: Bureau) -> None:
    code, out = new(bureau, "--unit", "anhai", "--title", "标题", "--category", "2", answers="\n")
    assert code == 0, out
    assert "kind: original" in only_draft(bureau)


def test_new_forward_asks_for_the_source(bureau: Bureau) -> None:
    answers = "司法部\n新规出台\nhttps://www.moj.gov.cn/a.html\n2\n"
    code, out = new(
        bureau, "--unit", "qingyang", "--title", "转载", "--kind", "forward", "--category", "6",
        answers=answers,
    )  # fmt: skip
    assert code == 0, out
    assert "source:\n  name: 司法部\n  title: 新规出台\n" in only_draft(bureau)
    assert "type: 新规政策" in only_draft(bureau)


def test_new_without_answers_names_the_missing_option(bureau: Bureau) -> None:
    code, out = new(bureau, "--title", "标题", answers="")
    assert code == 2 and "缺少 --unit" in out
    assert not (bureau.root / "content").exists()


def test_new_gives_up_after_three_wrong_answers(bureau: Bureau) -> None:
    code, out = new(bureau, answers="x\ny\nz\n")
    assert code == 2 and "未知单位 'z'" in out and "qingyang（青阳司法所）" in out
    assert not (bureau.root / "content").exists()


def test_new_checks_every_given_option_before_asking(bureau: Bureau) -> None:
    code, out = new(bureau, "--kind", "bogus", answers="")
    assert code == 2 and "字段 kind：未知稿件类型 'bogus'" in out and "original（原创）" in out
    assert "单位 id 或名称" not in out  # refused before any question
    assert not (bureau.root / "content").exists()


def test_new_never_overwrites(bureau: Bureau) -> None:
    args = ("--unit", "qingyang", "--title", "一", "--category", "1", "--kind", "original")
    assert new(bureau, *args, "--slug", "same")[0] == 0
    before = only_draft(bureau)
    code, out = new(bureau, *args, "--slug", "same")
    assert code == 2 and ("文件已存在" in out or "已有稿件使用 id" in out)
    assert only_draft(bureau) == before


def test_new_numbers_drafts_of_the_same_day(bureau: Bureau) -> None:
    args = ("--unit", "qingyang", "--title", "一", "--category", "1", "--kind", "original")
    new(bureau, *args)
    new(bureau, *args)
    names = sorted(p.name for p in (bureau.root / "content").rglob("*.md"))
    assert len(names) == 2 and names[0].endswith("-01.md") and names[1].endswith("-02.md")


# ---- drafts removed from the repository ---------------------------------------------------


def test_a_deleted_draft_keeps_its_valid_records_and_waits_for_nobody(bureau: Bureau) -> None:
    from test_check_support import check_json

    dropped = submitted(bureau, "2026-11-dropped")
    bureau.ok("qy_head", "approve", dropped)
    done = bureau.draft("2026-11-done", kind="interview")
    bureau.ok("operator", "submit", done)
    for person in ("qy_head", "secrecy_a", "deputy", "principal"):
        bureau.ok(person, "approve", done)
    bureau.ok("operator", "publish", done, "--url", URL)
    bureau.git("rm", "-q", dropped, done)
    bureau.git("commit", "-qm", "drop two drafts")
    code, doc = check_json(bureau)
    assert code == 0, doc["violations"]
    states = {s["path"]: s for s in json.loads(bureau.ok("admin", "status", "--all", "--json"))}
    assert states[dropped]["phase"] == "withdrawn" and states[dropped]["next_signers"] == []
    assert states[dropped]["phase_label"] == "已撤回"
    assert states[dropped]["title"].startswith("（文件已删除）")
    assert all(r["valid"] for r in states[dropped]["records"])
    assert states[done]["phase"] == "published"  # judged as the interview it was
    assert json.loads(bureau.ok("secrecy_a", "queue", "--json")) == []
    assert dropped not in bureau.ok("admin", "status")  # nothing to do: not listed by default
    assert "已撤回 1" in bureau.ok("admin", "status")
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")  # the submit's date
    report = json.loads(bureau.ok("admin", "report", "--month", month, "--format", "json"))
    row = next(u for u in report["units"] if u["unit"] == "qingyang")
    assert (row["submitted"], row["withdrawn"], row["published"], row["in_review"]) == (2, 1, 1, 0)
    assert "已撤回" in bureau.ok("admin", "report", "--month", month)


# ---- usage errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("publish", "content/2026/11/x.md"), "错误：缺少选项 --url"),
        (("submit",), "错误：缺少参数 path"),
        (("approve", "x.md", "--bogus"), "错误：没有选项 --bogus"),
        (("approve", "x.md", "--opinon", "同意"), "没有选项 --opinon，是不是想用 --opinion？"),
        (("roster", "diff", "x"), "参数 old 的值无效：应为整数"),
        (("nosuch",), "错误：没有命令 nosuch"),
    ],
)
def test_usage_errors_are_in_chinese(bureau: Bureau, args: tuple[str, ...], says: str) -> None:
    out = refused(bureau, "qy_info", *args, code=2, says=(says, "--help 查看用法"))
    assert "Error" not in out and "Usage" not in out
