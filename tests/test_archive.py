"""The monthly archive (build_archive) and the `fzjj form` / `fzjj archive` commands."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
import typer
from typer.testing import CliRunner

from conftest import Bureau
from fzjj.cli import form_cmd
from fzjj.errors import UsageError
from fzjj.model import Action, Stage
from fzjj.records import RecordFields, format_message
from fzjj.render.archive import build_archive, parse_month
from fzjj.render.form import FormData, form_data
from fzjj.render.outputs import write_demo_outputs
from sigtools import cat_commit, write_commit
from test_check_support import commit_file
from test_form import make_draft, make_policy, make_state, pdf_text, squash

MONTH = "2026-01"


def forms(count: int) -> list[tuple[FormData, dict[str, object]]]:
    draft = make_draft()
    base = form_data(make_state(draft, 2), draft, make_policy())
    out: list[tuple[FormData, dict[str, object]]] = []
    for i in range(count):
        data = replace(
            base,
            draft_id=f"2026-01-qingyang-{i:02d}",
            title=f"第{i}篇稿件",
            digest=f"{i:x}" * 64,
        )
        out.append((data, {"unit_id": "qingyang", "phase": "in_review"}))
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_archive_writes_forms_combined_and_manifest(tmp_path: Path) -> None:
    items = forms(3)
    written = build_archive(list(reversed(items)), tmp_path, month=MONTH)
    names = [p.name for p in written]
    assert names == [
        "2026-01-qingyang-00-审批表.pdf",
        "2026-01-qingyang-01-审批表.pdf",
        "2026-01-qingyang-02-审批表.pdf",
        "2026-01-信息发布审批表汇编.pdf",
        "manifest.json",
    ]
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    assert manifest["month"] == MONTH and manifest["count"] == 3
    first = manifest["forms"][0]
    assert first["draft_id"] == "2026-01-qingyang-00"
    assert first["unit"] == "青阳司法所" and first["unit_id"] == "qingyang"
    assert first["state"] == "审核中" and first["digest"] == "0" * 64
    assert first["file"] == names[0]
    # the combined PDF: index page first, then every form's pages
    combined = pypdf.PdfReader(io.BytesIO((tmp_path / names[3]).read_bytes()))
    singles = [len(pypdf.PdfReader(tmp_path / n).pages) for n in names[:3]]
    assert len(combined.pages) == 1 + sum(singles)
    index = squash(combined.pages[0].extract_text())
    assert "信息发布审批表汇编" in index and "2026年1月共3份" in index
    assert all(squash(f"第{i}篇稿件") in index for i in range(3))
    assert squash(combined.pages[1].extract_text()).startswith("“法治晋江”政务微信公众号")


def test_archive_rerun_is_byte_identical(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    build_archive(forms(3), folder, month=MONTH)
    before = snapshot(folder)
    stamps = {name: (folder / name).stat().st_mtime_ns for name in before}
    build_archive(forms(3), folder, month=MONTH)
    assert snapshot(folder) == before
    assert {name: (folder / name).stat().st_mtime_ns for name in before} == stamps
    build_archive(list(reversed(forms(3))), tmp_path / "b", month=MONTH)
    assert snapshot(tmp_path / "b") == before


def test_archive_drops_forms_that_left_the_month_only(tmp_path: Path) -> None:
    build_archive(forms(3), tmp_path, month=MONTH)
    (tmp_path / "notes.txt").write_text("宣教科备注", "utf-8")
    build_archive(forms(2), tmp_path, month=MONTH)
    assert not (tmp_path / "2026-01-qingyang-02-审批表.pdf").exists()
    assert (tmp_path / "notes.txt").read_text("utf-8") == "宣教科备注"
    assert json.loads((tmp_path / "manifest.json").read_text("utf-8"))["count"] == 2


def test_empty_month_still_gives_an_index(tmp_path: Path) -> None:
    build_archive([], tmp_path, month="2026-02")
    text = pdf_text((tmp_path / "2026-02-信息发布审批表汇编.pdf").read_bytes())
    assert "本月没有报送的稿件" in text and "共0份" in text


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-01", "2026-1", "2026-01-01", ""])
def test_bad_month_is_refused_in_chinese(month: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as err:
        build_archive(forms(1), tmp_path / "out", month=month)
    assert "YYYY-MM" in err.value.message
    assert not (tmp_path / "out").exists()
    with pytest.raises(UsageError):
        parse_month(month)


def test_duplicate_draft_ids_are_refused(tmp_path: Path) -> None:
    items = forms(1) * 2
    with pytest.raises(UsageError) as err:
        build_archive(items, tmp_path, month=MONTH)
    assert "两次" in err.value.message


# ---- the commands, over a real repository with signed records ------------------------------

WHEN = "2026-11-05T10:00:00+08:00"


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer(rich_markup_mode=None)
    form_cmd.register(app)
    return app


@pytest.fixture
def in_repo(bureau: Bureau) -> Iterator[Bureau]:
    old = os.getcwd()
    os.chdir(bureau.root)
    try:
        yield bureau
    finally:
        os.chdir(old)


def run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def reviewed(bureau: Bureau) -> str:
    """A draft submitted and approved by the unit head and the secrecy office."""
    path = bureau.draft("qingyang-01", title="青阳司法所开展普法宣传", month="2026/11")
    bureau.git("add", path)
    bureau.git("commit", "-q", "-m", "Add draft")
    bureau.ok("qy_info", "submit", path, when=WHEN)
    bureau.ok("qy_head", "approve", path, "--opinion", "同意报送。", when=WHEN)
    bureau.ok("secrecy_a", "approve", path, "--opinion", "不涉密。", when=WHEN)
    return path


def test_form_command_writes_pdf_from_the_signed_history(in_repo: Bureau, cli: typer.Typer) -> None:
    path = reviewed(in_repo)
    code, out, _ = run(cli, "form", path, "-o", "out/表.pdf")
    assert code == 0
    assert "已生成审批表" in out
    text = pdf_text((in_repo.root / "out" / "表.pdf").read_bytes())
    for item in ("青阳司法所开展普法宣传", "青阳司法所", "签名：陈岚（青阳所长）", "不涉密。"):
        assert squash(item) in text
    assert "2026年11月5日" in text
    assert "王强" not in text and "李华" not in text  # later boxes stay blank
    commits = in_repo.git("log", "--format=%H", "-3").split()
    assert all(c[:12] in text for c in commits)


def test_form_command_default_is_html_in_cwd(in_repo: Bureau, cli: typer.Typer) -> None:
    path = reviewed(in_repo)
    code, out, _ = run(cli, "form", path)
    target = in_repo.root / "qingyang-01-审批表.html"
    assert code == 0 and str(target) in out
    html = target.read_text("utf-8")
    assert "size: A4" in html and "陈岚（青阳所长）" in html


def test_form_command_notes_uncommitted_edits(in_repo: Bureau, cli: typer.Typer) -> None:
    path = reviewed(in_repo)
    (in_repo.root / path).write_text("---\nid: x\n---\n改了\n", "utf-8")
    code, _, err = run(cli, "form", path, "-o", "a.html")
    assert code == 0
    assert "未提交的修改" in err
    assert "改了" not in (in_repo.root / "a.html").read_text("utf-8")


def test_form_command_refuses_unknown_suffix(in_repo: Bureau, cli: typer.Typer) -> None:
    path = reviewed(in_repo)
    code, _, err = run(cli, "form", path, "-o", "a.docx")
    assert code == 2
    assert "不支持的输出文件类型" in err


def test_archive_command_builds_the_month_twice_identically(
    in_repo: Bureau, cli: typer.Typer
) -> None:
    reviewed(in_repo)
    code, out, _ = run(cli, "archive", "--month", "2026-11")
    folder = in_repo.root / "archive" / "2026-11"
    assert code == 0 and "1 份" in out
    first = snapshot(folder)
    manifest = json.loads(first["manifest.json"])
    assert [f["draft_id"] for f in manifest["forms"]] == ["qingyang-01"]
    assert manifest["forms"][0]["phase"] == "in_review"
    assert run(cli, "archive", "--month", "2026-11")[0] == 0
    assert snapshot(folder) == first
    # another month holds none of it
    assert run(cli, "archive", "--month", "2026-10", "-o", "oct")[0] == 0
    assert json.loads((in_repo.root / "oct" / "manifest.json").read_text("utf-8"))["count"] == 0


def test_archive_command_bad_month_exits_2(in_repo: Bureau, cli: typer.Typer) -> None:
    code, out, err = run(cli, "archive", "--month", "2026-13")
    assert code == 2
    assert re.search(r"月份“2026-13”无效", err)
    assert out == ""
    assert not (in_repo.root / "archive").exists()


# ---- records that do not hold, over real signed commits -------------------------------------

FORGED = "伪造的同意意见"


def forged_approval(bureau: Bureau, person: str, path: str, stage: Stage) -> str:
    """An approval commit made by hand (not through fzjj), signed with `person`'s key."""
    data = (bureau.root / path).read_bytes()
    blob = bureau.git("hash-object", path)
    fields = RecordFields(
        action=Action.APPROVE,
        draft_id=path.rsplit("/", 1)[1].removesuffix(".md"),
        path=path,
        digest=hashlib.sha256(data).hexdigest(),
        blob=blob,
        policy_version=1,
        stage=stage,
        prev=bureau.head(),
        opinion=FORGED,
    )
    bureau.sign_as(person)
    bureau.git("commit", "-q", "--allow-empty", "-S", "-m", format_message(fields))
    return bureau.head()


def test_form_never_prints_a_record_signed_by_an_unknown_key(
    in_repo: Bureau, cli: typer.Typer
) -> None:
    path = in_repo.draft("qingyang-02", title="青阳司法所调解纠纷", month="2026/11")
    in_repo.ok("qy_info", "submit", path, when=WHEN)
    in_repo.ok("qy_head", "approve", path, "--opinion", "同意报送。", when=WHEN)
    unknown = forged_approval(in_repo, "stranger", path, Stage.SECRECY_OFFICE)
    wrong_role = forged_approval(in_repo, "qy_info", path, Stage.SECRECY_OFFICE)
    assert run(cli, "form", path, "-o", "f.pdf")[0] == 0
    assert run(cli, "form", path, "-o", "f.html")[0] == 0
    text = pdf_text((in_repo.root / "f.pdf").read_bytes())
    html = (in_repo.root / "f.html").read_text("utf-8")
    for output in (text, html):
        assert squash(FORGED) not in squash(output)
        assert unknown[:12] not in output and wrong_role[:12] not in output
    assert squash("签名：陈岚（青阳所长）") in text
    assert squash("签名：林青") not in text.replace(squash("经办人签名：林青"), "")
    # the box stays open for the real signer, whose record then fills it
    in_repo.ok("secrecy_a", "approve", path, "--opinion", "经审查不涉密。", when=WHEN)
    assert run(cli, "form", path, "-o", "f.pdf")[0] == 0
    text = pdf_text((in_repo.root / "f.pdf").read_bytes())
    assert squash("签名：许明（保密办）") in text and squash("经审查不涉密。") in text
    assert squash(FORGED) not in text


# ---- bad input: exit codes and Chinese messages, through the real fzjj app ---------------


def fzjj(*args: str) -> tuple[int, str, str]:
    from fzjj.cli.main import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def bad_inputs(bureau: Bureau) -> dict[str, str]:
    bureau.write("notes.txt", "宣教科备注\n")
    latin = bureau.root / "content" / "2026" / "11" / "latin.md"
    latin.parent.mkdir(parents=True, exist_ok=True)
    latin.write_bytes("---\nid: latin\ntitle: café\n---\n".encode("latin-1"))
    bureau.write("content/2026/11/yaml.md", "---\nid: yaml\ntitle: [未闭合\n---\n正文\n")
    bureau.write("content/2026/11/bare.md", "没有 front-matter 的正文\n")
    (bureau.root / "content" / "2026" / "11" / "folder.md").mkdir()
    return {
        "unknown": "content/2026/11/nope.md",
        "not-a-draft": "notes.txt",
        "non-utf8": "content/2026/11/latin.md",
        "bad-yaml": "content/2026/11/yaml.md",
        "no-front-matter": "content/2026/11/bare.md",
        "folder": "content/2026/11/folder.md",
    }


@pytest.mark.parametrize("command", ["form", "render"])
@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("unknown", 2, "文件不存在：content/2026/11/nope.md"),
        ("not-a-draft", 3, "草稿路径应为 content/YYYY/MM/<名称>.md"),
        ("non-utf8", 3, "content/2026/11/latin.md：文件不是 UTF-8 编码"),
        ("bad-yaml", 3, "content/2026/11/yaml.md:4：YAML 格式错误"),
        ("no-front-matter", 3, "content/2026/11/bare.md:1：缺少 front-matter"),
        ("folder", 2, "content/2026/11/folder.md 是一个目录，不是稿件文件"),
    ],
)
def test_bad_draft_paths_fail_in_chinese(
    in_repo: Bureau, command: str, case: str, code: int, message: str
) -> None:
    path = bad_inputs(in_repo)[case]
    before = in_repo.git("status", "--porcelain")
    exit_code, out, err = fzjj(command, path)
    assert exit_code == code
    assert err.startswith("错误：") and message in err
    assert out == "" and "Traceback" not in err
    assert in_repo.git("status", "--porcelain") == before


@pytest.mark.parametrize(
    "args",
    [
        ("form", "{draft}", "-o", "notes.txt/表.pdf"),
        ("form", "{draft}", "-o", "notes.txt/表.html"),
        ("render", "{draft}", "-o", "notes.txt/a.html"),
        ("archive", "--month", "2026-11", "-o", "notes.txt"),
        ("archive", "--month", "2026-11", "-o", "notes.txt/sub"),
    ],
    ids=["form-pdf", "form-html", "render", "archive-file", "archive-below-file"],
)
def test_unwritable_output_fails_in_chinese(in_repo: Bureau, args: tuple[str, ...]) -> None:
    draft = reviewed(in_repo)
    bad_inputs(in_repo)
    code, out, err = fzjj(*(a.format(draft=draft) for a in args))
    assert code == 2
    assert "字段 --output" in err and "无法写入" in err
    assert "同名文件" in err  # the reason, in Chinese
    assert re.search(r"[A-Za-z]{3,} (exists|directory)", err) is None
    assert out == ""
    assert (in_repo.root / "notes.txt").read_text("utf-8") == "宣教科备注\n"


def test_archive_without_month_is_explained(in_repo: Bureau) -> None:
    code, out, err = fzjj("archive")
    assert code == 2 and out == ""
    assert "缺少月份" in err and "--month YYYY-MM" in err


def test_form_of_an_unsubmitted_draft_is_blank(in_repo: Bureau) -> None:
    path = in_repo.draft("qingyang-03", title="尚未报送的稿件")
    in_repo.git("add", path)
    in_repo.git("commit", "-q", "-m", "Add draft")
    code, out, _ = fzjj("form", path, "-o", "blank.pdf")
    assert code == 0 and "已生成审批表" in out
    text = pdf_text((in_repo.root / "blank.pdf").read_bytes())
    assert "尚未报送的稿件" in text and "尚无有效记录" in text
    assert "经办人签名：年月日" in text


# ---- the outputs fzjj demo writes -------------------------------------------------------------


def test_write_demo_outputs(bureau: Bureau, tmp_path: Path) -> None:
    path = bureau.draft("qingyang-05", title="青阳司法所开展宪法宣传", month="2026/11")
    bureau.full_chain(path, when=WHEN)
    out = tmp_path / "outputs"
    paths = write_demo_outputs(bureau.root, "2026-11", path, out)
    names = [p.relative_to(out).as_posix() for p in paths]
    assert names == [
        "qingyang-05-审批表.pdf",
        "qingyang-05-审批表.html",
        "archive/qingyang-05-审批表.pdf",
        "archive/2026-11-信息发布审批表汇编.pdf",
        "archive/manifest.json",
        "qingyang-05.html",
        "qingyang-05.preview.html",
    ]
    assert all(p.is_file() for p in paths)
    text = pdf_text(paths[0].read_bytes())
    assert squash("青阳司法所开展宪法宣传") in text and squash("签名：李华（局长）") in text
    form_html = paths[1].read_text("utf-8")
    assert "青阳司法所开展宪法宣传" in form_html and "李华（局长）" in form_html
    assert "size: A4" in form_html and "@font-face" in form_html
    assert paths[0].read_bytes() == paths[2].read_bytes()
    assert json.loads(paths[4].read_text("utf-8"))["forms"][0]["state"] == "已审批"
    article = paths[5].read_text("utf-8")
    assert "<section" in article and "审核：陈岚（青阳所长）" in article
    assert "width: 677px" in paths[6].read_text("utf-8")
    before = {p: p.read_bytes() for p in paths}
    again = write_demo_outputs(bureau.root, "2026-11", bureau.root / path, out)
    assert again == paths
    assert {p: p.read_bytes() for p in again} == before


# ---- records voided after they were made, over real commits -------------------------------

LATE = "2026-11-05T17:30:00+00:00"  # already 6 November in the policy's timezone (UTC+8)


def signed_twice(bureau: Bureau, slug: str) -> tuple[str, list[str]]:
    """A draft submitted and approved twice at 17:30 UTC; (path, the three record ids)."""
    path = bureau.draft(slug, title="青阳司法所开展普法宣传", month="2026/11")
    bureau.ok("qy_info", "submit", path, when=LATE)
    records = [bureau.head()]
    bureau.ok("qy_head", "approve", path, "--opinion", "同意报送。", when=LATE)
    records.append(bureau.head())
    bureau.ok("secrecy_a", "approve", path, "--opinion", "不涉密。", when=LATE)
    records.append(bureau.head())
    return path, records


def test_form_dates_are_in_the_policy_timezone(in_repo: Bureau) -> None:
    path, records = signed_twice(in_repo, "qingyang-tz")
    assert fzjj("form", path, "-o", "tz.pdf")[0] == 0
    text = pdf_text((in_repo.root / "tz.pdf").read_bytes())
    assert "2026年11月6日" in text and "2026年11月5日" not in text
    assert all(r[:12] in text for r in records)


def test_an_edit_committed_after_the_signatures_voids_them_on_the_form(in_repo: Bureau) -> None:
    path, records = signed_twice(in_repo, "qingyang-edit")
    text = (in_repo.root / path).read_text("utf-8").replace("晋江市司法局", "审核后改过的")
    commit_file(in_repo, "qy_info", path, text, "Edit after review")
    assert fzjj("form", path, "-o", "edit.pdf")[0] == 0
    assert fzjj("form", path, "-o", "edit.html")[0] == 0
    pdf = pdf_text((in_repo.root / "edit.pdf").read_bytes())
    html = (in_repo.root / "edit.html").read_text("utf-8")
    assert "审核后改过的" in pdf  # the form shows the content as committed now ...
    for output in (pdf, squash(html)):
        # ... and none of the signatures, which were about the earlier content
        for gone in ("林青", "陈岚", "许明", "同意报送。", "不涉密。", "2026年11月6日"):
            assert gone not in output, gone
        assert all(r[:12] not in output for r in records)
    assert "经办人签名：年月日" in pdf
    # the article shows no signer either, and says why
    code, out, err = fzjj("render", path)
    assert code == 0
    assert "编辑：" not in out and "审核：" not in out and "审核后改过的" in out
    assert "报送或审核时不同" in err


def test_an_approval_whose_signature_was_tampered_with_is_not_printed(in_repo: Bureau) -> None:
    path, records = signed_twice(in_repo, "qingyang-sig")
    raw = cat_commit(in_repo.root, records[-1])
    forged = raw.replace("不涉密。".encode(), "不涉密，加急发布。".encode())
    assert forged != raw
    oid = write_commit(in_repo.root, forged)  # the secrecy office's signature, other words
    in_repo.git("update-ref", "refs/heads/main", oid, records[-1])
    in_repo.git("reset", "-q", "--hard")
    assert fzjj("form", path, "-o", "sig.pdf")[0] == 0
    text = pdf_text((in_repo.root / "sig.pdf").read_bytes())
    assert squash("签名：陈岚（青阳所长）") in text and records[1][:12] in text
    assert "许明" not in text and "加急" not in text and "不涉密" not in text
    assert oid[:12] not in text and records[2][:12] not in text
    out = fzjj("render", path)[1]
    assert "审核：陈岚（青阳所长）<" in out  # the head only: the forged record adds no one
