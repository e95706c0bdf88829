"""Git objects computed in Python and written as one packfile (format v2).

Writing loose objects or running `git commit -S` per commit is far too slow for a
60,000-commit history, so the generator hashes blobs, trees and commits itself, appends each
object undeltified to a pack, and lets `git index-pack` build the index once at the end.
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import zlib
from pathlib import Path
from typing import BinaryIO

COMMIT, TREE, BLOB = 1, 2, 3
_TYPE_NAMES = {COMMIT: b"commit", TREE: b"tree", BLOB: b"blob"}


def object_id(kind: int, data: bytes) -> bytes:
    """The raw 20-byte SHA-1 id git gives an object of this type and content."""
    header = _TYPE_NAMES[kind] + b" " + str(len(data)).encode() + b"\0"
    return hashlib.sha1(header + data).digest()


def tree_bytes(entries: dict[str, tuple[bytes, bool]]) -> bytes:
    """Serialize a tree. `entries` maps a name to (raw id, is_directory).

    Git orders entries by name, comparing a directory's name as if it ended with '/'.
    """

    def sort_key(name: str) -> bytes:
        return name.encode() + (b"/" if entries[name][1] else b"")

    out = bytearray()
    for name in sorted(entries, key=sort_key):
        oid, is_dir = entries[name]
        out += (b"40000 " if is_dir else b"100644 ") + name.encode() + b"\0" + oid
    return bytes(out)


def _pack_entry_header(kind: int, size: int) -> bytes:
    first = (kind << 4) | (size & 0x0F)
    size >>= 4
    out = bytearray()
    while size:
        out.append(first | 0x80)
        first = size & 0x7F
        size >>= 7
    out.append(first)
    return bytes(out)


class PackWriter:
    """Append objects to a pack file; `finish` fixes the header and indexes it."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        pack_dir = git_dir / "objects" / "pack"
        pack_dir.mkdir(parents=True, exist_ok=True)
        self.tmp = pack_dir / f"tmp-fzjj-bench-{os.getpid()}.pack"
        self._file: BinaryIO = self.tmp.open("w+b")
        self._file.write(b"PACK" + struct.pack(">II", 2, 0))
        self._seen: set[bytes] = set()
        self.count = 0

    def add(self, kind: int, data: bytes) -> bytes:
        """Add one object (once) and return its raw id."""
        oid = object_id(kind, data)
        if oid not in self._seen:
            self._seen.add(oid)
            self._file.write(_pack_entry_header(kind, len(data)))
            self._file.write(zlib.compress(data, 1))
            self.count += 1
        return oid

    def finish(self) -> Path:
        """Write the object count and trailer, then run `git index-pack`; returns the pack."""
        handle = self._file
        handle.seek(8)
        handle.write(struct.pack(">I", self.count))
        handle.seek(0)
        digest = hashlib.sha1()
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
        handle.seek(0, os.SEEK_END)
        handle.write(digest.digest())
        handle.close()
        final = self.tmp.with_name(f"pack-{digest.hexdigest()}.pack")
        self.tmp.rename(final)
        subprocess.run(
            ["git", "index-pack", final.name],
            cwd=final.parent,
            check=True,
            capture_output=True,
        )
        return final
