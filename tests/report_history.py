"""Signed history for the report tests, and readers of every output format.

`build_history` makes, through the real `fzjj` app with real keys and signed commits
(committer dates set per record, Beijing time unless marked UTC):

- ah-g  安海: submitted 2026-01-20, rejected 2026-01-21 and left so (January: 1 rejected;
  青阳 has nothing in January).
- qy-a  青阳: submitted 2026-02-28 16:30 UTC = 2026-03-01 00:30 Beijing (March), full chain
  in March, published 2026-03-05.
- qy-b  青阳: submitted 2026-02-28 23:50 Beijing (February), unit head approved, now waits
  for the secrecy review. In February 安海 has nothing at all.
- ah-c  安海: submitted 2026-03-10, rejected 2026-03-11, revised and resubmitted 2026-04-02;
  the resubmission does not count again, so it stays a March submission.
- op-e  青阳: an interview (submitted by the operator), 便民信息, 2026-03-15, in review.
- qy-d  青阳: submitted 2026-03-30, approved through April 1-2, waits for publication
  (submitted in March, approved in April: counted in March only).
- ah-f  安海: the submit record claims 2026-04-01 00:10, but the unit head's approval,
  signed by someone else, is dated 2026-03-31 23:00: it counts in March, not April.

`extend_for_year` goes on to the rest of 2026 (publication dates are what the year counts):

- qy-d  is published 2026-04-30 16:30 UTC = 2026-05-01 00:30 Beijing (May).
- ah-h  安海: submitted 2026-05-02, full chain, published 2026-05-07 10:00 (May).
- qy-x  青阳: submitted 2026-05-10, then its file is edited in a plain commit: the May
  report counts it as submitted and now "已修改" (to be submitted again).
- ah-k  安海: submitted 2026-12-01, full chain, published 2026-12-31 23:30 Beijing (December).
- ah-m  安海: submitted 2026-12-06, full chain, published 2026-12-31 16:30 UTC = 2027-01-01
  00:30 Beijing: it belongs to 2027, not 2026.

So in 2026 each unit has published two pieces: 青阳 in March and May, 安海 in May and December.
Every publish record carries the URL https://mp.weixin.qq.com/s/<id>-token.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

from typer.testing import Result

from conftest import Bureau, policy_yaml, pubkey


def new_bureau(root: Path, keyring: dict[str, Path]) -> Bureau:
    """A fresh repository with the genesis roster, as conftest's `bureau` fixture makes it.

    For module-scoped templates: building months of signed history takes seconds, copying
    the finished repository for each test takes milliseconds.
    """
    root.mkdir(parents=True, exist_ok=True)
    b = Bureau(root, keyring)
    b.git("init", "-q", "-b", "main")
    b.git("config", "gpg.format", "ssh")
    b.git("config", "commit.gpgsign", "false")
    b.write("policies.yaml", policy_yaml({pid: pubkey(path) for pid, path in keyring.items()}))
    b.sign_as("admin")
    b.git("add", "policies.yaml")
    b.git("commit", "-q", "-S", "-m", "Genesis roster")
    return b


def copy_bureau(template: Bureau, target: Path) -> Bureau:
    """An independent copy of a built repository, for a test that changes it."""
    shutil.copytree(template.root, target / "repo", symlinks=True)
    return Bureau(target / "repo", template.keys)


def run(b: Bureau, *args: str) -> Result:
    return b.invoke(*args)


def bj(stamp: str) -> str:
    return stamp + "+08:00"


INTERVIEW = """---
id: op-e
title: 青阳所法律服务进企业
unit: qingyang
kind: interview
category: 便民信息
---

法治报社记者采访青阳司法所。
"""


def build_history(b: Bureau) -> Bureau:
    """The months of January to April 2026 described at the top of this module."""
    ah_g = b.draft("ah-g", unit="anhai", month="2026/01", title="安海所元旦普法")
    b.ok("ah_info", "submit", ah_g, when=bj("2026-01-20T09:00:00"))
    b.ok("ah_head", "reject", ah_g, "--opinion", "请重写。", when=bj("2026-01-21T09:00:00"))

    qy_a = b.draft("qy-a", month="2026/03", title="青阳所开展普法讲座")
    b.ok("qy_info", "submit", qy_a, when="2026-02-28T16:30:00+00:00")
    for i, person in enumerate(("qy_head", "secrecy_a", "deputy", "principal")):
        b.ok(person, "approve", qy_a, when=bj(f"2026-03-0{2 + i}T09:00:00"))
    b.ok(
        "operator",
        "publish",
        qy_a,
        "--url",
        "https://mp.weixin.qq.com/s/qy-a-token",
        when=bj("2026-03-05T20:00:00"),
    )

    qy_b = b.draft("qy-b", month="2026/02", title="青阳所调解纠纷一起")
    b.ok("qy_info", "submit", qy_b, when=bj("2026-02-28T23:50:00"))
    b.ok("qy_head", "approve", qy_b, when=bj("2026-03-01T08:00:00"))

    ah_c = b.draft("ah-c", unit="anhai", month="2026/03", title="安海所社区矫正工作")
    b.ok("ah_info", "submit", ah_c, when=bj("2026-03-10T10:00:00"))
    b.ok("ah_head", "reject", ah_c, "--opinion", "请补充数据。", when=bj("2026-03-11T10:00:00"))
    b.draft("ah-c", unit="anhai", month="2026/03", title="安海所社区矫正工作", body="补充后。\n")
    b.ok("ah_info", "submit", ah_c, when=bj("2026-04-02T10:00:00"))

    op_e = b.write("content/2026/03/op-e.md", INTERVIEW)
    b.ok("operator", "submit", op_e, when=bj("2026-03-15T10:00:00"))

    qy_d = b.draft("qy-d", month="2026/03", title="青阳所法律援助")
    b.ok("qy_info", "submit", qy_d, when=bj("2026-03-30T18:00:00"))
    for i, person in enumerate(("qy_head", "secrecy_a", "deputy", "principal")):
        b.ok(person, "approve", qy_d, when=bj(f"2026-04-01T1{i}:00:00"))

    ah_f = b.draft("ah-f", unit="anhai", month="2026/03", title="安海所月末报送")
    b.ok("ah_info", "submit", ah_f, when=bj("2026-04-01T00:10:00"))
    b.ok("ah_head", "approve", ah_f, when=bj("2026-03-31T23:00:00"))
    return b


def full_chain(
    b: Bureau, path: str, unit: str, submitted: str, approved: list[str], published: str
) -> None:
    """Submit, four approvals and publication, at those times."""
    info, head = ("qy_info", "qy_head") if unit == "qingyang" else ("ah_info", "ah_head")
    b.ok(info, "submit", path, when=submitted)
    for person, when in zip((head, "secrecy_a", "deputy", "principal"), approved, strict=True):
        b.ok(person, "approve", path, "--opinion", "同意。", when=when)
    slug = path.rsplit("/", 1)[-1].removesuffix(".md")
    url = f"https://mp.weixin.qq.com/s/{slug}-token"
    b.ok("operator", "publish", path, "--url", url, when=published)


def extend_for_year(b: Bureau) -> Bureau:
    """The rest of 2026 described at the top of this module."""
    qy_d = "content/2026/03/qy-d.md"
    url = "https://mp.weixin.qq.com/s/qy-d-token"
    b.ok("operator", "publish", qy_d, "--url", url, when="2026-04-30T16:30:00+00:00")

    ah_h = b.draft("ah-h", unit="anhai", month="2026/05", title="安海所人民调解")
    days = [bj(f"2026-05-0{d}T09:00:00") for d in (3, 4, 5, 6)]
    full_chain(b, ah_h, "anhai", bj("2026-05-02T09:00:00"), days, bj("2026-05-07T10:00:00"))

    qy_x = b.draft("qy-x", month="2026/05", title="青阳所五月报送")
    b.ok("qy_info", "submit", qy_x, when=bj("2026-05-10T09:00:00"))
    b.draft("qy-x", month="2026/05", title="青阳所五月报送", body="报送后又改了正文。\n")
    b.git("commit", "-q", "-am", "Edit qy-x after submission")

    ah_k = b.draft("ah-k", unit="anhai", month="2026/12", title="安海所年终总结")
    days = [bj(f"2026-12-0{d}T09:00:00") for d in (2, 3, 4, 5)]
    full_chain(b, ah_k, "anhai", bj("2026-12-01T09:00:00"), days, "2026-12-31T15:30:00+00:00")

    ah_m = b.draft("ah-m", unit="anhai", month="2026/12", title="安海所新年普法")
    days = [bj(f"2026-12-{d:02d}T09:00:00") for d in (7, 8, 9, 10)]
    full_chain(b, ah_m, "anhai", bj("2026-12-06T09:00:00"), days, "2026-12-31T16:30:00+00:00")
    return b


EXPORT_ROWS = [
    # by URL (tracking parameters ignored)
    ("随手改过的标题", "2026-03-05", "100", "https://mp.weixin.qq.com/s/qy-a-token?scene=1"),
    # by title and the Beijing date of publication (2026-04-30 in UTC)
    ("青阳所法律援助", "2026-05-01 00:30", "200", ""),
    ("青阳所法律援助", "2026-04-30", "5", ""),  # the UTC date: no match
    ("安海所人民调解", "2026/5/7", "250", ""),
    ("安海所年终总结", "2026-12-31", "50", "https://mp.weixin.qq.com/s/ah-k-token"),
    ("安海所新年普法", "2027-01-01", "999", "https://mp.weixin.qq.com/s/ah-m-token"),
    ("䶮山𠀀普法", "2026-05-01", "7", ""),  # characters only GB18030 (not GBK) can encode
]


def write_export(path: Path) -> Path:
    lines = ["文章标题,发表时间,阅读次数,阅读人数,内容链接"]
    lines += [f"{t},{d},{r},1,{u}" for t, d, r, u in EXPORT_ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def sheets(fmt: str, result: Result, titles: list[str]) -> dict[str, list[list[str]]]:
    """The report's tables read back from the output of one format (header rows dropped)."""
    if fmt == "csv":
        assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
        assert b"\r\n" in result.stdout_bytes
        rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
        out: dict[str, list[list[str]]] = {}
        blocks = "\x00".join("\x01".join(r) for r in rows).split("\x00\x00")
        for block in blocks[1:]:  # the first holds the title and notes
            lines = [line.split("\x01") for line in block.split("\x00")]
            out[lines[0][0]] = lines[2:]
        return out
    text = result.stdout
    parts = _split(text, fmt, titles)
    if fmt == "markdown":
        return {
            title: [
                [c.strip().strip("*") for c in line.strip("|").split(" | ")]
                for line in body.splitlines()
                if line.startswith("|")
            ][2:]
            for title, body in parts.items()
        }
    if fmt == "html":
        return {
            title: [
                re.findall(r"<td[^>]*>([^<]*)</td>", tr)
                for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
                if "<td" in tr
            ]
            for title, body in parts.items()
        }
    return {
        title: [
            [c.strip() for c in re.split("[│┃]", line)[1:-1]]
            for line in body.splitlines()
            if line.startswith("│")  # body and footer rows; the header uses ┃
        ]
        for title, body in parts.items()
    }


def _split(text: str, fmt: str, titles: list[str]) -> dict[str, str]:
    marks = {"markdown": "## {}\n", "html": "<h2>{}</h2>", "table": "\n{}\n"}[fmt]
    out: dict[str, str] = {}
    for index, title in enumerate(titles):
        begin = text.index(marks.format(title))
        end = text.index(marks.format(titles[index + 1])) if index + 1 < len(titles) else None
        out[title] = text[begin:end]
    return out
