"""Helpers for signature tests: real ssh-keygen keys, real git commits, real gpg keyrings.

Also an SSHSIG encoder written separately from `fzjj.sigverify`, with knobs for every
field, so tests can craft hostile signatures (weak hash, wrong namespace, ssh-rsa, swapped
key blob, trailing bytes) without going through the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import load_ssh_private_key

SSH_BEGIN = b"-----BEGIN SSH SIGNATURE-----\n"
SSH_END = b"-----END SSH SIGNATURE-----\n"

_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Alice",
    "GIT_AUTHOR_EMAIL": "alice@example.org",
    "GIT_COMMITTER_NAME": "Alice",
    "GIT_COMMITTER_EMAIL": "alice@example.org",
    "GIT_AUTHOR_DATE": "2025-03-01T10:00:00+08:00",
    "GIT_COMMITTER_DATE": "2025-03-01T10:00:00+08:00",
}


def run(
    cmd: list[str],
    *,
    data: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, **_GIT_ENV, **(env or {})}
    done = subprocess.run(
        cmd, input=data, capture_output=True, env=full_env, cwd=cwd, check=False, timeout=120
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{cmd} failed ({done.returncode}): {done.stderr.decode()}")
    return done


# --- SSH keys -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SshKey:
    path: Path  # private key file; the public key is path + ".pub"

    @property
    def pub_line(self) -> str:
        return Path(f"{self.path}.pub").read_text().strip()

    @property
    def ident(self) -> str:
        """`type base64` without the comment: what verify_commit reports."""
        kind, b64 = self.pub_line.split()[:2]
        return f"{kind} {b64}"

    @property
    def blob(self) -> bytes:
        return base64.b64decode(self.pub_line.split()[1])

    @cached_property
    def private(self) -> Any:
        return load_ssh_private_key(self.path.read_bytes(), password=None)


def make_ssh_key(directory: Path, name: str, kind: str, bits: int | None = None) -> SshKey:
    path = directory / name
    cmd = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"{name}@test", "-f", str(path)]
    if bits:
        cmd += ["-b", str(bits)]
    run(cmd)
    return SshKey(path)


def ssh_keygen_sign(key: SshKey, data: bytes, namespace: str = "git") -> bytes:
    return run(
        ["ssh-keygen", "-q", "-Y", "sign", "-f", str(key.path), "-n", namespace], data=data
    ).stdout


def ssh_keygen_verify(key: SshKey, data: bytes, sig: bytes, namespace: str = "git") -> bool:
    """`ssh-keygen -Y verify` against an allowed-signers file that lists only `key`."""
    with tempfile.TemporaryDirectory() as tmp:
        allowed, sig_file = Path(tmp, "allowed"), Path(tmp, "sig")
        allowed.write_text(f"signer {key.pub_line}\n")
        sig_file.write_bytes(sig)
        cmd = [
            "ssh-keygen",
            "-Y",
            "verify",
            "-f",
            str(allowed),
            "-I",
            "signer",
            "-n",
            namespace,
            "-s",
            str(sig_file),
        ]
        return run(cmd, data=data, check=False).returncode == 0


# --- git ----------------------------------------------------------------------------------


def git(
    repo: Path,
    *args: str,
    data: bytes | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    return run(["git", "-C", str(repo), *args], data=data, env=env, check=check)


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def _stage_change(repo: Path, message: str) -> None:
    note = repo / "content.md"
    with note.open("a", encoding="utf-8") as handle:
        handle.write(message + "\n")
    git(repo, "add", "content.md")


def commit_unsigned(repo: Path, message: str) -> str:
    _stage_change(repo, message)
    git(repo, "commit", "-q", "-m", message)
    return head(repo)


def commit_ssh(repo: Path, key: SshKey, message: str) -> str:
    _stage_change(repo, message)
    git(
        repo,
        "-c",
        "gpg.format=ssh",
        "-c",
        f"user.signingkey={key.path}",
        "commit",
        "-q",
        "-S",
        "-m",
        message,
    )
    return head(repo)


def commit_gpg(repo: Path, home: str, signing_key: str, message: str, program: str = "gpg") -> str:
    _stage_change(repo, message)
    git(
        repo,
        "-c",
        "gpg.format=openpgp",
        "-c",
        f"gpg.program={program}",
        "-c",
        f"user.signingkey={signing_key}",
        "commit",
        "-q",
        "-S",
        "-m",
        message,
        env={"GNUPGHOME": home},
    )
    return head(repo)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").stdout.decode().strip()


def cat_commit(repo: Path, oid: str) -> bytes:
    return git(repo, "cat-file", "commit", oid).stdout


def write_commit(repo: Path, raw: bytes) -> str:
    return (
        git(repo, "hash-object", "-t", "commit", "-w", "--stdin", data=raw).stdout.decode().strip()
    )


def git_verify_ssh(repo: Path, oid: str, keys: list[SshKey]) -> bool:
    """`git verify-commit` with an allowed-signers file listing `keys`."""
    allowed = repo / ".git" / "allowed_signers"
    allowed.write_text("".join(f"p{i} {k.pub_line}\n" for i, k in enumerate(keys)))
    done = git(
        repo, "-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", oid, check=False
    )
    return done.returncode == 0


def git_verify_gpg(repo: Path, oid: str, home: str) -> bool:
    done = git(repo, "verify-commit", oid, env={"GNUPGHOME": home}, check=False)
    return done.returncode == 0


def payload_of(raw: bytes) -> bytes:
    """The unsigned commit: drop gpgsig headers and their continuation lines (test copy)."""
    head_part, sep, body = raw.partition(b"\n\n")
    kept, skipping = [], False
    for line in head_part.split(b"\n"):
        if line.startswith(b"gpgsig"):
            skipping = True
        elif skipping and line.startswith(b" "):
            continue
        else:
            skipping = False
            kept.append(line)
    return b"\n".join(kept) + sep + body


def insert_gpgsig(payload: bytes, sig: bytes, name: bytes = b"gpgsig") -> bytes:
    """Put a signature header at the end of the commit header block, git style."""
    head_part, sep, body = payload.partition(b"\n\n")
    lines = sig.rstrip(b"\n").split(b"\n")
    header = name + b" " + b"\n ".join(lines)
    return head_part + b"\n" + header + sep + body


def sig_header(raw: bytes) -> bytes:
    """The `gpgsig ...` header with its continuation lines, as it sits in `raw`."""
    start = end = raw.index(b"\ngpgsig ") + 1
    while True:
        end = raw.index(b"\n", end) + 1
        if raw[end : end + 1] != b" ":
            return raw[start:end]


# --- hand-made SSHSIG ---------------------------------------------------------------------


def wire(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def wire_mpint(value: int) -> bytes:
    return wire(value.to_bytes(value.bit_length() // 8 + 1, "big") if value else b"")


def armor(blob: bytes) -> bytes:
    text = base64.b64encode(blob)
    return SSH_BEGIN + b"".join(text[i : i + 70] + b"\n" for i in range(0, len(text), 70)) + SSH_END


def dearmor(sig: bytes) -> bytes:
    assert sig.startswith(SSH_BEGIN) and sig.endswith(SSH_END)
    return base64.b64decode(b"".join(sig[len(SSH_BEGIN) : -len(SSH_END)].split()))


def raw_signature(private: Any, message: bytes, sig_alg: bytes) -> bytes:
    """The inner SSH signature value (without its algorithm name)."""
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return private.sign(message)
    if isinstance(private, rsa.RSAPrivateKey):
        digest = {
            b"ssh-rsa": hashes.SHA1(),
            b"rsa-sha2-256": hashes.SHA256(),
        }.get(sig_alg, hashes.SHA512())
        return private.sign(message, padding.PKCS1v15(), digest)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    digest = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}
    r, s = utils.decode_dss_signature(
        private.sign(message, ec.ECDSA(digest[private.curve.key_size]))
    )
    return wire_mpint(r) + wire_mpint(s)


def craft_sshsig(
    data: bytes,
    key: SshKey,
    *,
    namespace: bytes = b"git",
    hash_alg: str = "sha512",
    sig_alg: bytes | None = None,
    key_blob: bytes | None = None,
    magic: bytes = b"SSHSIG",
    version: int = 1,
    reserved: bytes = b"",
    blob_trailing: bytes = b"",
    sig_trailing: bytes = b"",
) -> bytes:
    """An armored SSHSIG with any field overridden, including hashes git never accepts."""
    kind = key.blob[4 : 4 + int.from_bytes(key.blob[:4], "big")]
    if sig_alg is None:
        sig_alg = b"rsa-sha2-512" if kind == b"ssh-rsa" else kind
    digest = hashlib.new(hash_alg, data).digest()
    signed = b"SSHSIG" + wire(namespace) + wire(reserved) + wire(hash_alg.encode()) + wire(digest)
    inner = wire(sig_alg) + wire(raw_signature(key.private, signed, sig_alg)) + sig_trailing
    blob = (
        magic
        + version.to_bytes(4, "big")
        + wire(key.blob if key_blob is None else key_blob)
        + wire(namespace)
        + wire(reserved)
        + wire(hash_alg.encode())
        + wire(inner)
        + blob_trailing
    )
    return armor(blob)


# --- gpg ----------------------------------------------------------------------------------


def new_gpg_home() -> str:
    """A fresh, short GNUPGHOME (agent socket paths must stay short)."""
    return tempfile.mkdtemp(prefix="fzjj-gpg-")


def drop_gpg_home(home: str) -> None:
    run(["gpgconf", "--homedir", home, "--kill", "all"], check=False)
    shutil.rmtree(home, ignore_errors=True)


def gpg(
    home: str, *args: str, data: bytes | None = None, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    return run(
        [
            "gpg",
            "--homedir",
            home,
            "--batch",
            "--no-tty",
            "--passphrase",
            "",
            "--pinentry-mode",
            "loopback",
            *args,
        ],
        data=data,
        check=check,
    )


def gpg_new_key(
    home: str, uid: str, *, expire: str = "never", faked_time: str | None = None
) -> str:
    """Create an ed25519 signing key without a passphrase; returns the primary fingerprint."""
    extra = ["--faked-system-time", faked_time] if faked_time else []
    gpg(home, *extra, "--quick-gen-key", uid, "ed25519", "sign", expire)
    return gpg_fingerprints(home, uid)[0]


def gpg_fingerprints(home: str, uid: str) -> list[str]:
    """Fingerprints of the key for `uid`: primary first, then subkeys."""
    out = gpg(home, "--with-colons", "--list-keys", uid).stdout.decode()
    lines = out.splitlines()
    return [
        line.split(":")[9]
        for i, line in enumerate(lines)
        if line.startswith("fpr:") and lines[i - 1].startswith(("pub:", "sub:"))
    ]


def gpg_export(home: str, fpr: str) -> bytes:
    return gpg(home, "--armor", "--export", fpr).stdout
