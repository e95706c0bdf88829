"""`fzjj status`: which drafts it lists, the summary line, the table and its errors."""

from __future__ import annotations

import json

from conftest import Bureau
from fzjj.render.console import print_table, text_width

URL = "https://mp.weixin.qq.com/s/status"


def listed(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.startswith("content/")]


def month_of_work(b: Bureau) -> dict[str, str]:
    paths = {
        "published": b.draft("2026-10-done", month="2026/10"),
        "approved": b.draft("2026-11-approved"),
        "review": b.draft("2026-11-review", unit="anhai"),
        "fresh": b.draft("2026-11-fresh"),
    }
    b.full_chain(paths["published"])
    b.ok("operator", "publish", paths["published"], "--url", URL)
    b.full_chain(paths["approved"])
    b.ok("ah_info", "submit", paths["review"])
    b.git("add", paths["fresh"])
    b.git("commit", "-q", "--no-gpg-sign", "-m", "Add a draft")
    return paths


def test_status_lists_unpublished_drafts_and_counts_the_rest(bureau: Bureau) -> None:
    paths = month_of_work(bureau)
    out = bureau.ok("admin", "status")
    assert listed(out) == sorted([paths["approved"], paths["fresh"], paths["review"]])
    assert "共 4 篇稿件：未报送 1，审核中 1，已审批 1，已发布 1。" in out
    assert "待科室负责人审核" in out and "吴涛（安海所长）" in out


def test_status_all_and_month(bureau: Bureau) -> None:
    paths = month_of_work(bureau)
    assert listed(bureau.ok("admin", "status", "--all")) == sorted(paths.values())
    assert listed(bureau.ok("admin", "status", "--month", "2026-10")) == [paths["published"]]
    rows = json.loads(bureau.ok("admin", "status", "--all", "--json"))
    assert {r["path"]: r["phase"] for r in rows} == {
        paths["published"]: "published",
        paths["approved"]: "approved",
        paths["review"]: "in_review",
        paths["fresh"]: "unsubmitted",
    }
    published = next(r for r in rows if r["phase"] == "published")
    assert [r["action"] for r in published["records"]] == ["submit", *["approve"] * 4, "publish"]


def test_a_published_draft_with_a_problem_is_listed(bureau: Bureau) -> None:
    paths = month_of_work(bureau)
    path = paths["published"]
    bureau.write(path, (bureau.root / path).read_text("utf-8") + "发布后又改了一句。\n")
    bureau.git("commit", "-q", "--no-gpg-sign", "-am", "Edit a published draft")
    out = bureau.ok("admin", "status")
    assert path in listed(out)
    assert "R003" in out and "其中 1 篇有问题" in out


def test_status_refuses_a_bad_month_and_unknown_paths(bureau: Bureau) -> None:
    month_of_work(bureau)
    code, out = bureau.act("admin", "status", "--month", "2026-13")
    assert code == 2 and "月份格式不对：2026-13" in out
    code, out = bureau.act("admin", "status", "content/2026/11/nope.md")
    assert code == 2 and "仓库中没有这些稿件：content/2026/11/nope.md" in out


def test_repository_problems_are_counted_not_flooded(bureau: Bureau) -> None:
    text = (bureau.root / "policies.yaml").read_text("utf-8").replace("version: 1", "version: 2")
    for n in range(3):
        bureau.write("policies.yaml", text + f"\n# unsigned change {n}\n")
        bureau.git("commit", "-q", "--no-gpg-sign", "-am", f"Unsigned roster change {n}")
    out = bureau.ok("admin", "status")
    assert "另有 4 项仓库级问题" in out  # three P002, one P006
    assert "P002" not in out


def test_table_cells_align_by_display_width() -> None:
    import io

    buffer = io.StringIO()
    print_table(
        "标题", ["稿件", "单位"], [["content/a.md", "青阳司法所"], ["b", "宣教科"]], out=buffer
    )
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "标题"
    assert text_width(lines[1].split("单位")[0]) == text_width("content/a.md  ")
    assert lines[3] == "content/a.md  青阳司法所"
    assert lines[4] == "b             宣教科"
    assert text_width("青阳a") == 5


def test_a_rejected_draft_shows_who_sent_it_back_and_why(bureau: Bureau) -> None:
    path = bureau.draft("2026-11-back")
    bureau.ok("qy_info", "submit", path)
    bureau.ok("qy_head", "reject", path, "--opinion", "请补充活动时间和地点。")
    line = next(line for line in bureau.ok("admin", "status").splitlines() if path in line)
    assert "已退回" in line and "陈岚（青阳所长）退回：请补充活动时间和地点。" in line
    assert "林青（青阳信息员）" in line  # the info officer submits again
