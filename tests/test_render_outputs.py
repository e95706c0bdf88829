"""Writing rendered files: atomic, all-or-nothing, no stray temporary files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from fzjj.errors import UsageError
from fzjj.render.outputs import write_file, write_files


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_write_file_creates_folders_and_uses_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "新" / "目录" / "表.html"
    write_file(target, "审批表".encode())
    assert target.read_text("utf-8") == "审批表"
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert listing(tmp_path) == ["新", "新/目录", "新/目录/表.html"]


def test_a_file_named_like_the_old_temporary_file_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "a.pdf.tmp").write_text("宣教科的文件", "utf-8")
    write_file(tmp_path / "a.pdf", b"%PDF")
    assert (tmp_path / "a.pdf.tmp").read_text("utf-8") == "宣教科的文件"
    assert listing(tmp_path) == ["a.pdf", "a.pdf.tmp"]


def test_unchanged_bytes_keep_the_file_and_its_timestamp(tmp_path: Path) -> None:
    target = tmp_path / "a.html"
    write_file(target, b"same")
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    write_file(target, b"same")
    assert target.stat().st_mtime_ns == 1_000_000_000
    write_file(target, b"different")
    assert target.read_bytes() == b"different"
    assert target.stat().st_mtime_ns != 1_000_000_000


def test_a_failure_writes_nothing_and_removes_what_it_created(tmp_path: Path) -> None:
    existing = tmp_path / "old.html"
    existing.write_text("旧的", "utf-8")
    folder_target = tmp_path / "是目录.html"
    folder_target.mkdir()
    items = [
        (existing, "新的".encode()),
        (tmp_path / "new" / "deep" / "b.html", b"b"),
        (folder_target, b"c"),  # cannot be replaced: it is a folder
    ]
    with pytest.raises(UsageError) as err:
        write_files(items)
    assert err.value.path == str(folder_target)
    assert err.value.field == "--output"
    assert "目标是一个目录" in err.value.message
    assert existing.read_text("utf-8") == "旧的"
    assert listing(tmp_path) == ["old.html", "是目录.html"]


def test_a_file_where_a_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("备注", "utf-8")
    with pytest.raises(UsageError) as err:
        write_files([(tmp_path / "a.html", b"a"), (tmp_path / "notes.txt" / "b.pdf", b"b")])
    assert "同名文件" in err.value.message
    assert listing(tmp_path) == ["notes.txt"]


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot write into: a chmod 555 folder, or for root (who
    ignores modes) /sys, which the kernel keeps closed."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    if not Path("/sys/kernel").is_dir() or _writable():
        pytest.skip("no folder here is closed to root")
    yield Path("/sys")


def _writable() -> bool:
    try:
        (Path("/sys") / "fzjj-probe").touch()
    except OSError:
        return False
    return True


def test_a_read_only_folder(read_only_folder: Path) -> None:
    before = sorted(p.name for p in read_only_folder.iterdir())
    with pytest.raises(UsageError) as err:
        write_file(read_only_folder / "a.html", b"a")
    assert "没有写入权限" in err.value.message
    assert err.value.path == str(read_only_folder / "a.html")
    assert sorted(p.name for p in read_only_folder.iterdir()) == before
