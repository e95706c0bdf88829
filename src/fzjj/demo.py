"""`fzjj demo`: a month of the bureau's publishing, played in a temporary repository.

Everything is real: keys made by ssh-keygen, commits signed by git, state rebuilt and
verified from history. Only the people are invented.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fzjj.errors import FzjjError, GitError, UsageError

OUTPUT_DIR = "输出"  # beside the demo repository: forms, archive, article, report

PEOPLE = {
    "lin_qing": "林青",
    "chen_lan": "陈岚",
    "huang_hai": "黄海",
    "wu_tao": "吴涛",
    "cai_hong": "蔡虹",
    "zhuang_yi": "庄毅",
    "xu_ming": "许明",
    "zheng_min": "郑敏",
    "wang_qiang": "王强",
    "li_hua": "李华",
    "cai_wen": "蔡文",
    "zhou_xuan": "周宣",
    "shi_lei": "施磊",
    "hong_yu": "洪宇",
}

POLICY = """# 演示用名册：人员为虚构，密钥为本次演示临时生成。
version: 1
account: 法治晋江
timezone: Asia/Shanghai
roster_admins: [zhou_xuan]
categories: [信息主动公开, 党务政务宣传, 便民信息, 澄清回应, 其他公开信息, 转发上级信息]
quota: {{per_month: 1, basis: submitted, kinds: [original, interview]}}
principal: li_hua
secrecy_office: [xu_ming, zheng_min]
operators: [cai_wen]
publicity: [zhou_xuan]
units:
  - {{id: qingyang, name: 青阳司法所, type: station,
      info_officer: lin_qing, head: chen_lan, deputy: wang_qiang}}
  - {{id: anhai, name: 安海司法所, type: station,
      info_officer: huang_hai, head: wu_tao, deputy: wang_qiang}}
  - {{id: cizao, name: 磁灶司法所, type: station,
      info_officer: cai_hong, head: zhuang_yi, deputy: wang_qiang}}
  - {{id: publicity, name: 宣教科, type: section,
      info_officer: shi_lei, head: hong_yu, deputy: wang_qiang}}
whitelist:
  sources:
    - {{id: moj, name: 司法部, category: ministry_of_justice, level: central, hosts: [moj.gov.cn]}}
people:
{people}
"""

DRAFTS = {
    "qingyang-constitution": (
        "2026/11",
        "2026-11-qingyang-01",
        "青阳司法所开展“宪法进社区”主题宣传活动",
        "qingyang",
        "original",
        "党务政务宣传",
        "",
        "11月4日，青阳司法所联合社区居委会在青阳街道中心广场开展“宪法进社区”主题宣传活动。\n\n"
        "活动现场，工作人员通过发放宣传手册、解答法律咨询等方式，向群众普及宪法知识。"
        "共发放宣传资料 600 余份，解答群众咨询 40 余人次。\n",
    ),
    "anhai-mediation": (
        "2026/11",
        "2026-11-anhai-01",
        "安海司法所成功调解一起邻里漏水纠纷",
        "anhai",
        "original",
        "便民信息",
        "",
        "近日，安海司法所人民调解员成功化解一起因楼上漏水引发的邻里纠纷。\n\n"
        "当事人王某某与李某因房屋漏水问题多次争执。调解员实地查看后，"
        "依据《民法典》相邻关系的规定耐心释法，双方最终达成赔偿协议并当场履行。\n",
    ),
    "cizao-lecture": (
        "2026/11",
        "2026-11-cizao-01",
        "磁灶司法所举办陶瓷企业合规经营法律讲座",
        "cizao",
        "original",
        "党务政务宣传",
        "",
        "为助力民营企业健康发展，磁灶司法所走进辖区陶瓷企业，举办合规经营专题法律讲座。\n\n"
        "讲座围绕劳动用工、安全生产、合同管理等内容展开，30 余家企业负责人参加。\n",
    ),
    "moj-forward": (
        "2026/11",
        "2026-11-publicity-01",
        "司法部：进一步加强公共法律服务体系建设",
        "publicity",
        "forward",
        "转发上级信息",
        "source:\n  name: 司法部\n  title: 司法部印发意见进一步加强公共法律服务体系建设\n"
        "  url: https://www.moj.gov.cn/pub/sfbgw/zwxxgk/202611/t20261120_000001.html\n"
        "  type: 新规政策\n",
        "司法部近日印发意见，对进一步加强公共法律服务体系建设作出部署。\n\n"
        "意见提出，要推进公共法律服务实体、热线、网络平台融合发展。\n",
    ),
}


class Demo:
    def __init__(self, root: Path, keys: Path, say: Callable[[str], None]) -> None:
        self.root = root
        self.keys = keys
        self.say = say

    def git(self, *args: str) -> None:
        proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, check=False)
        if proc.returncode != 0:
            raise GitError(f"演示中 git {args[0]} 失败：{proc.stderr.decode(errors='replace')}")

    @contextmanager
    def as_person(self, person: str, when: str) -> Iterator[None]:
        self.git("config", "user.signingkey", str(self.keys / person))
        self.git("config", "user.name", PEOPLE[person])
        self.git("config", "user.email", f"{person}@jinjiang.example")
        saved = {k: os.environ.get(k) for k in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE")}
        os.environ["GIT_COMMITTER_DATE"] = os.environ["GIT_AUTHOR_DATE"] = when
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def act(self, person: str, when: str, verb: str, path: str, text: str = "") -> bool:
        from fzjj import actions
        from fzjj.service import open_workspace

        with self.as_person(person, when):
            ws = open_workspace(self.root)
            try:
                if verb == "submit":
                    out = actions.submit(ws, path, text)
                elif verb == "approve":
                    out = actions.review(ws, path, approve=True, opinion=text or "同意。")
                elif verb == "reject":
                    out = actions.review(ws, path, approve=False, opinion=text)
                else:
                    out = actions.publish(ws, path, text)
            except FzjjError as exc:
                self.say(f"  [red]✗ {PEOPLE[person]} {verb} 被拒绝[/red]：{exc.message}")
                if exc.hint:
                    self.say(f"    {exc.hint}")
                return False
        label = {
            "submit": "报送",
            "approve": "同意",
            "reject": "退回",
            "publish": "发布",
        }[verb]
        stage = f"（{actions.stage_label(out.stage)}）" if out.stage else ""
        day = when[5:16].replace("T", " ")
        title = out.draft.meta.title
        self.say(f"  {day} {PEOPLE[person]} {label}{stage}《{title}》 签名提交 {out.commit[:10]}")
        return True

    def write(self, slug: str, body_extra: str = "") -> str:
        month, draft_id, title, unit, kind, category, extra, body = DRAFTS[slug]
        rel = f"content/{month}/{slug}.md"
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        head = (
            f"id: {draft_id}\ntitle: {title}\nunit: {unit}\nkind: {kind}\ncategory: {category}\n"
            f"{extra}"
        )
        path.write_text(f"---\n{head}---\n\n{body}{body_extra}", encoding="utf-8")
        return rel

    def chain(self, path: str, unit_head: str, day: int) -> None:
        stamp = f"2026-11-{day:02d}T"
        self.act(unit_head, stamp + "10:00:00+08:00", "approve", path, "内容属实，同意报送。")
        self.act("xu_ming", stamp + "14:30:00+08:00", "approve", path, "经审查，不涉密。")
        self.act("wang_qiang", f"2026-11-{day + 1:02d}T09:10:00+08:00", "approve", path, "同意。")
        self.act("li_hua", f"2026-11-{day + 1:02d}T16:40:00+08:00", "approve", path, "同意发布。")


def make_keys(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for person in PEOPLE:
        key = folder / person
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", person, "-f", str(key)],
            check=True,
            capture_output=True,
        )
        out[person] = " ".join(key.with_name(person + ".pub").read_text().split()[:2])
    return out


DEMO_MONTH = "2026-11"


def showcase_draft(root: Path) -> Path:
    """The demo's published draft whose form and article the demo writes at the end."""
    return root / "content" / "2026" / "11" / "qingyang-constitution.md"


def run_demo(workdir: Path | None, say: Callable[[str], None]) -> Path:
    """Play the month; returns the repository path."""
    base = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="fzjj-demo-"))
    root = base / "法治晋江"
    keys = base / "keys"
    for folder in (root, keys, base / OUTPUT_DIR):
        if folder.exists():
            raise UsageError(
                f"{folder} 已存在，演示不会覆盖它",
                hint="换一个 --dir，或省略 --dir 使用新的临时目录。",
            )
    try:
        root.mkdir(parents=True)
        keys.mkdir()
    except OSError as exc:
        raise UsageError(f"无法创建演示目录 {base}：{exc.strerror}") from exc
    say(f"[bold]演示仓库：{root}[/bold]")
    say("生成 14 位虚构人员的 SSH 签名密钥（ssh-keygen）……")
    pubs = make_keys(keys)
    people = "\n".join(
        f'  - id: {pid}\n    name: {name}\n    ssh_keys: ["{pubs[pid]}"]'
        for pid, name in PEOPLE.items()
    )
    (root / "policies.yaml").write_text(POLICY.format(people=people), encoding="utf-8")
    demo = Demo(root, keys, say)
    demo.git("init", "-q", "-b", "main")
    demo.git("config", "gpg.format", "ssh")
    with demo.as_person("zhou_xuan", "2026-10-30T09:00:00+08:00"):
        demo.git("add", "policies.yaml")
        demo.git("commit", "-q", "-S", "-m", "Roster for the demo bureau")
    say("宣教科 周宣 签名提交名册 policies.yaml（信任根）。\n")

    say("[bold]11 月上旬：各单位报送[/bold]")
    qy = demo.write("qingyang-constitution")
    demo.act("lin_qing", "2026-11-05T09:20:00+08:00", "submit", qy)
    ah = demo.write("anhai-mediation")
    demo.act("huang_hai", "2026-11-06T15:00:00+08:00", "submit", ah)
    cz = demo.write("cizao-lecture")
    demo.act("cai_hong", "2026-11-09T11:00:00+08:00", "submit", cz)

    say("\n[bold]审核：青阳的稿件走完四级审核[/bold]")
    demo.chain(qy, "chen_lan", 6)

    say("\n[bold]错误的人试图审核：安海的稿件由青阳所长来签[/bold]")
    demo.act("chen_lan", "2026-11-07T10:00:00+08:00", "approve", ah)

    say("\n[bold]涉密审查退回安海的稿件，信息员修改后重新报送[/bold]")
    demo.act("wu_tao", "2026-11-07T11:00:00+08:00", "approve", ah, "同意。")
    demo.act(
        "zheng_min",
        "2026-11-07T16:00:00+08:00",
        "reject",
        ah,
        "当事人信息需进一步隐去，请删去具体楼栋。",
    )
    say("\n[bold]先审后发：运维人员试图发布被退回的稿件[/bold]")
    demo.act("cai_wen", "2026-11-08T09:00:00+08:00", "publish", ah, "https://mp.weixin.qq.com/s/x")
    demo.write("anhai-mediation", "\n（本文当事人信息已作处理。）\n")
    demo.act("huang_hai", "2026-11-10T09:00:00+08:00", "submit", ah, "已按意见修改。")
    demo.chain(ah, "wu_tao", 11)

    say("\n[bold]审核后又改稿：磁灶的稿件在所长同意后被改动，此前的审核作废[/bold]")
    demo.act("zhuang_yi", "2026-11-13T10:00:00+08:00", "approve", cz, "同意。")
    demo.write("cizao-lecture", "\n讲座还邀请了律师现场答疑。\n")
    with demo.as_person("cai_hong", "2026-11-13T17:00:00+08:00"):
        demo.git("commit", "-q", "-am", "Edit the Cizao draft after approval")
    say("  磁灶信息员在所长同意后直接修改了稿件并提交（未重新报送）。")
    demo.act("xu_ming", "2026-11-14T09:00:00+08:00", "approve", cz)
    demo.act("cai_hong", "2026-11-14T10:00:00+08:00", "submit", cz, "补充律师答疑内容。")
    demo.chain(cz, "zhuang_yi", 15)

    say("\n[bold]转载：宣教科转发司法部的新规政策[/bold]")
    fw = demo.write("moj-forward")
    demo.act("cai_wen", "2026-11-20T09:00:00+08:00", "submit", fw, "转载司法部官网。")
    demo.chain(fw, "hong_yu", 20)

    say("\n[bold]发布：审核链完成的稿件由运维人员发布[/bold]")
    demo.act(
        "cai_wen",
        "2026-11-23T10:00:00+08:00",
        "publish",
        qy,
        "https://mp.weixin.qq.com/s?__biz=MzA5demo&mid=2650000001&idx=1",
    )
    demo.act(
        "cai_wen",
        "2026-11-24T10:00:00+08:00",
        "publish",
        ah,
        "https://mp.weixin.qq.com/s?__biz=MzA5demo&mid=2650000002&idx=1",
    )
    return root
