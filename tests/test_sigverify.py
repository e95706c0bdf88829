"""fzjj.sigverify against real ssh-keygen keys, real git commits and real gpg keyrings."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fzjj.sigverify import (
    CODES,
    SigCheck,
    sign_commit_payload,
    split_commit,
    sshsig_sign,
    verify_commit,
)
from sigtools import (
    SSH_BEGIN,
    SSH_END,
    SshKey,
    armor,
    cat_commit,
    commit_gpg,
    commit_ssh,
    commit_unsigned,
    craft_sshsig,
    dearmor,
    drop_gpg_home,
    git_verify_gpg,
    git_verify_ssh,
    gpg,
    gpg_export,
    gpg_fingerprints,
    gpg_new_key,
    init_repo,
    insert_gpgsig,
    make_ssh_key,
    new_gpg_home,
    payload_of,
    sig_header,
    ssh_keygen_sign,
    ssh_keygen_verify,
    wire,
    write_commit,
)

SSH_KINDS = {
    "ed25519": ("ed25519", None),
    "rsa3072": ("rsa", 3072),
    "ecdsa256": ("ecdsa", 256),
    "ecdsa384": ("ecdsa", 384),
    "ecdsa521": ("ecdsa", 521),
}


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SshKey]:
    directory = tmp_path_factory.mktemp("keys")
    made = {
        name: make_ssh_key(directory, name, kind, bits) for name, (kind, bits) in SSH_KINDS.items()
    }
    made["other"] = make_ssh_key(directory, "other", "ed25519")
    return made


@pytest.fixture(scope="session")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_repo(tmp_path_factory.mktemp("repo"))


@pytest.fixture(scope="session")
def signed(repo: Path, keys: dict[str, SshKey]) -> dict[str, tuple[str, bytes]]:
    """One real `git commit -S` per key kind: kind → (commit id, raw commit)."""
    out = {}
    for name in SSH_KINDS:
        oid = commit_ssh(repo, keys[name], f"提交 {name}")
        out[name] = (oid, cat_commit(repo, oid))
    return out


def rejected(check: SigCheck, code: str) -> None:
    assert check.ok is False
    assert check.code == code, check
    assert check.reason  # a Chinese explanation is always there


# --- accepted signatures ------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SSH_KINDS))
def test_real_git_commit_verifies_with_exact_key(
    kind: str, repo: Path, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    oid, raw = signed[kind]
    check = verify_commit(raw)
    assert check == SigCheck(True, keys[kind].ident, None, None)
    # Differential: git agrees, and only when the right key is in allowed_signers.
    assert git_verify_ssh(repo, oid, [keys[kind]])
    assert not git_verify_ssh(repo, oid, [keys["other"]])


def test_split_commit_yields_what_git_signed(
    keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    _, raw = signed["rsa3072"]
    payload, sigs = split_commit(raw)
    assert payload == payload_of(raw)
    assert b"gpgsig" not in payload
    assert len(sigs) == 1
    assert sigs[0].startswith(SSH_BEGIN) and sigs[0].endswith(SSH_END)
    assert ssh_keygen_verify(keys["rsa3072"], payload, sigs[0])


def test_split_commit_removes_every_signature_header(
    signed: dict[str, tuple[str, bytes]],
) -> None:
    _, raw = signed["ed25519"]
    payload, [sig] = split_commit(raw)
    doubled = insert_gpgsig(insert_gpgsig(payload, sig), b"extra\nlines\n", b"gpgsig-sha256")
    assert split_commit(doubled) == (payload, [sig, b"extra\nlines\n"])


def test_unsigned_payload_splits_to_itself(tmp_path: Path) -> None:
    repo = init_repo(tmp_path)
    raw = cat_commit(repo, commit_unsigned(repo, "gpgsig 不在头部时只是正文"))
    assert split_commit(raw) == (raw, [])


def test_sign_commit_payload_matches_git_byte_for_byte(
    repo: Path, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    # ed25519 signatures are deterministic, so our commit must equal git's own.
    _, raw = signed["ed25519"]
    assert sign_commit_payload(payload_of(raw), keys["ed25519"].private) == raw


@pytest.mark.parametrize("kind", list(SSH_KINDS))
def test_sign_commit_payload_passes_git_verify_commit(
    kind: str, repo: Path, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    _, raw = signed[kind]
    payload = payload_of(raw).replace(b"\n\n", b"\n\n(re-signed) ", 1)
    ours = sign_commit_payload(payload, keys[kind].private)
    oid = write_commit(repo, ours)
    assert cat_commit(repo, oid) == ours
    assert git_verify_ssh(repo, oid, [keys[kind]])
    assert verify_commit(ours) == SigCheck(True, keys[kind].ident, None, None)


def test_sign_commit_payload_refuses_signed_payload(
    keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    with pytest.raises(ValueError, match="gpgsig"):
        sign_commit_payload(signed["ed25519"][1], keys["ed25519"].private)


@pytest.mark.parametrize("kind", list(SSH_KINDS))
@pytest.mark.parametrize("hash_alg", ["sha256", "sha512"])
def test_sshsig_sign_passes_ssh_keygen(kind: str, hash_alg: str, keys: dict[str, SshKey]) -> None:
    data = "任意数据\n".encode() * 3
    sig = sshsig_sign(data, keys[kind].private, hash_alg=hash_alg)
    assert ssh_keygen_verify(keys[kind], data, sig)
    assert not ssh_keygen_verify(keys[kind], data + b"x", sig)
    assert not ssh_keygen_verify(keys[kind], data, sig, namespace="file")


def test_sshsig_sign_namespace_is_honoured(keys: dict[str, SshKey]) -> None:
    sig = sshsig_sign(b"data", keys["ed25519"].private, namespace="file")
    assert ssh_keygen_verify(keys["ed25519"], b"data", sig, namespace="file")


@pytest.mark.parametrize("hash_alg", ["sha1", "md5", "sha384"])
def test_sshsig_sign_offers_only_accepted_hashes(hash_alg: str, keys: dict[str, SshKey]) -> None:
    with pytest.raises(ValueError, match="hash"):
        sshsig_sign(b"data", keys["ed25519"].private, hash_alg=hash_alg)


def test_sshsig_sign_refuses_unknown_key_type() -> None:
    with pytest.raises(TypeError):
        sshsig_sign(b"data", "not a key")


def test_non_empty_reserved_field_is_rejected(
    keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    # ssh-keygen leaves the reserved field out of the signed data, so a value there could be
    # changed freely without breaking the signature; we refuse it instead.
    payload = payload_of(signed["ed25519"][1])
    sig = dearmor(sshsig_sign(payload, keys["ed25519"].private))
    empty_reserved = wire(b"git") + wire(b"") + wire(b"sha512")
    assert sig.count(empty_reserved) == 1
    stuffed = armor(sig.replace(empty_reserved, wire(b"git") + wire(b"x") + wire(b"sha512")))
    assert ssh_keygen_verify(keys["ed25519"], payload, stuffed)
    rejected(verify_commit(insert_gpgsig(payload, stuffed)), "malformed")


# --- threats ------------------------------------------------------------------------------


def test_unsigned_commit(tmp_path: Path, keys: dict[str, SshKey]) -> None:
    repo = init_repo(tmp_path)
    oid = commit_unsigned(repo, "未签名")
    check = verify_commit(cat_commit(repo, oid))
    assert check == SigCheck(False, None, "提交未签名", "unsigned")
    assert not git_verify_ssh(repo, oid, [keys["ed25519"]])


def test_file_namespace_signature_is_rejected(
    repo: Path, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["ed25519"][1])
    sig = ssh_keygen_sign(keys["ed25519"], payload, namespace="file")
    raw = insert_gpgsig(payload, sig)
    check = verify_commit(raw)
    rejected(check, "bad-namespace")
    assert "git" in (check.reason or "") and "file" in (check.reason or "")
    assert check.key == keys["ed25519"].ident
    assert not git_verify_ssh(repo, write_commit(repo, raw), [keys["ed25519"]])


@pytest.mark.parametrize("hash_alg", ["sha1", "md5", "sha384", "sha224"])
def test_weak_or_unlisted_hash_is_rejected(
    hash_alg: str, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["ed25519"][1])
    sig = craft_sshsig(payload, keys["ed25519"], hash_alg=hash_alg)
    check = verify_commit(insert_gpgsig(payload, sig))
    rejected(check, "weak-hash")
    assert hash_alg in (check.reason or "")
    assert not ssh_keygen_verify(keys["ed25519"], payload, sig)
    # Same crafting code with an accepted hash verifies, so the hash is the only reason.
    good = craft_sshsig(payload, keys["ed25519"], hash_alg="sha256")
    assert verify_commit(insert_gpgsig(payload, good)).ok


def test_duplicate_gpgsig_header_is_rejected(
    repo: Path, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    _, raw = signed["ed25519"]
    header = sig_header(raw)
    doubled = raw.replace(header, header + header)
    assert doubled != raw
    rejected(verify_commit(doubled), "multiple-signatures")


def test_extra_sha256_signature_header_counts_as_second_signature(
    keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    _, raw = signed["ed25519"]
    payload, [sig] = split_commit(raw)
    rejected(verify_commit(insert_gpgsig(raw, sig, b"gpgsig-sha256")), "multiple-signatures")
    lone = verify_commit(insert_gpgsig(payload, sig, b"gpgsig-sha256"))
    rejected(lone, "malformed")
    assert "gpgsig-sha256" in (lone.reason or "")


def test_signature_header_without_value_is_rejected(
    repo: Path, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    # `gpgsig` alone on its line: git does not read it as a signature (it calls the commit
    # unsigned), so neither may we, even though the continuation lines hold a good one.
    raw = signed["ed25519"][1].replace(b"gpgsig -----BEGIN", b"gpgsig\n -----BEGIN")
    assert split_commit(raw)[0] == payload_of(signed["ed25519"][1])
    rejected(verify_commit(raw), "malformed")
    assert not git_verify_ssh(repo, write_commit(repo, raw), [keys["ed25519"]])


@pytest.mark.parametrize("target", ["message", "tree", "author"])
def test_tampered_commit_is_rejected(
    target: str, repo: Path, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    _, raw = signed["ed25519"]
    empty_tree = git_empty_tree(repo)
    if target == "message":
        tampered = raw.replace("提交 ed25519".encode(), "提交 ed25520".encode())
    elif target == "tree":
        old_tree = raw.split(b"\n", 1)[0]
        tampered = raw.replace(old_tree, b"tree " + empty_tree.encode())
    else:
        tampered = raw.replace(b"author Alice", b"author Mallory")
    assert tampered != raw
    check = verify_commit(tampered)
    rejected(check, "bad-signature")
    assert check.key == keys["ed25519"].ident
    assert not git_verify_ssh(repo, write_commit(repo, tampered), [keys["ed25519"]])


def git_empty_tree(repo: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-t", "tree", "-w", "--stdin"],
        input=b"",
        capture_output=True,
        check=True,
    )
    return done.stdout.decode().strip()


def test_rsa_ssh_rsa_sha1_algorithm_is_rejected(
    keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["rsa3072"][1])
    sig = craft_sshsig(payload, keys["rsa3072"], sig_alg=b"ssh-rsa")
    check = verify_commit(insert_gpgsig(payload, sig))
    rejected(check, "weak-hash")
    assert "ssh-rsa" in (check.reason or "")
    assert not ssh_keygen_verify(keys["rsa3072"], payload, sig)
    rsa256 = craft_sshsig(payload, keys["rsa3072"], sig_alg=b"rsa-sha2-256")
    assert verify_commit(insert_gpgsig(payload, rsa256)).ok
    assert ssh_keygen_verify(keys["rsa3072"], payload, rsa256)


@pytest.mark.parametrize(
    ("kind", "sig_alg"),
    [
        ("ed25519", b"rsa-sha2-512"),
        ("ecdsa256", b"ecdsa-sha2-nistp384"),
        ("rsa3072", b"ssh-ed25519"),
    ],
)
def test_signature_algorithm_must_match_key_type(
    kind: str, sig_alg: bytes, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed[kind][1])
    # A real signature value from the key, labelled with another algorithm's name.
    sig = craft_sshsig(payload, keys[kind], sig_alg=sig_alg)
    rejected(verify_commit(insert_gpgsig(payload, sig)), "bad-algorithm")


def test_key_a_signature_with_key_b_blob_is_rejected(
    keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["ed25519"][1])
    sig = craft_sshsig(payload, keys["ed25519"], key_blob=keys["other"].blob)
    check = verify_commit(insert_gpgsig(payload, sig))
    rejected(check, "bad-signature")
    assert check.key == keys["other"].ident
    assert not ssh_keygen_verify(keys["other"], payload, sig)


@pytest.mark.parametrize(
    "field",
    ["blob", "signature"],
)
def test_trailing_bytes_inside_signature_are_rejected(
    field: str, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["ed25519"][1])
    extra = {"blob_trailing": b"\0"} if field == "blob" else {"sig_trailing": b"\0\0\0\0"}
    sig = craft_sshsig(payload, keys["ed25519"], **extra)  # type: ignore[arg-type]
    rejected(verify_commit(insert_gpgsig(payload, sig)), "malformed")


def test_trailing_bytes_in_key_blob_are_rejected(
    keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["ed25519"][1])
    sig = craft_sshsig(payload, keys["ed25519"], key_blob=keys["ed25519"].blob + b"\0")
    rejected(verify_commit(insert_gpgsig(payload, sig)), "malformed")


def test_text_after_armor_is_rejected(signed: dict[str, tuple[str, bytes]]) -> None:
    payload, [sig] = split_commit(signed["ed25519"][1])
    for tail in (b"junk\n", SSH_BEGIN, b" \n", b"="):
        rejected(verify_commit(insert_gpgsig(payload, sig + tail)), "malformed")


def test_truncated_blob_is_rejected(signed: dict[str, tuple[str, bytes]]) -> None:
    payload, [sig] = split_commit(signed["ed25519"][1])
    blob = dearmor(sig)
    for cut in range(len(blob)):
        check = verify_commit(insert_gpgsig(payload, armor(blob[:cut])))
        rejected(check, "malformed")


def stray_padding_bits(body: bytes) -> bytes:
    """Same bytes when decoded leniently, but with non-zero bits before the '=' padding."""
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    at = body.index(b"=")
    flipped = alphabet[alphabet.index(body[at - 1]) | 1]
    changed = body[: at - 1] + bytes([flipped]) + body[at:]
    assert changed != body
    assert base64.b64decode(b"".join(changed.split())) == base64.b64decode(b"".join(body.split()))
    return changed


def test_broken_armor_is_rejected(signed: dict[str, tuple[str, bytes]]) -> None:
    payload, [sig] = split_commit(signed["ed25519"][1])
    body = sig[len(SSH_BEGIN) : -len(SSH_END)]
    broken = [
        SSH_BEGIN + body,  # no END line
        SSH_BEGIN + body.replace(b"A", b"*", 1) + SSH_END,  # not base64
        SSH_BEGIN + body.replace(b"=\n", b"\n") + SSH_END,  # padding missing
        SSH_BEGIN + stray_padding_bits(body) + SSH_END,
        SSH_BEGIN + b"\n" + body + SSH_END,  # empty line
        SSH_BEGIN + body.replace(b"\n", b"\r\n") + SSH_END,  # CRLF
        SSH_BEGIN.rstrip() + b" \n" + body + SSH_END,
    ]
    assert body.endswith(b"=\n")
    for blob in broken:
        rejected(verify_commit(insert_gpgsig(payload, blob)), "malformed")


@pytest.mark.parametrize(("magic", "version"), [(b"SSHSIH", 1), (b"SSHSIG", 2), (b"SSHSIG", 0)])
def test_bad_magic_or_version_is_rejected(
    magic: bytes, version: int, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["ed25519"][1])
    sig = craft_sshsig(payload, keys["ed25519"], magic=magic, version=version)
    rejected(verify_commit(insert_gpgsig(payload, sig)), "malformed")


def test_short_rsa_key_is_rejected(
    tmp_path: Path, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    weak = make_ssh_key(tmp_path, "weak", "rsa", 1024)
    payload = payload_of(signed["rsa3072"][1])
    sig = ssh_keygen_sign(weak, payload)
    assert ssh_keygen_verify(weak, payload, sig)  # OpenSSH itself still accepts it
    check = verify_commit(insert_gpgsig(payload, sig))
    rejected(check, "weak-key")
    assert check.key == weak.ident


def test_certificate_is_unsupported(
    tmp_path: Path, keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    ca = make_ssh_key(tmp_path, "ca", "ed25519")
    user = make_ssh_key(tmp_path, "user", "ed25519")
    subprocess.run(
        ["ssh-keygen", "-q", "-s", str(ca.path), "-I", "user", "-n", "alice", f"{user.path}.pub"],
        check=True,
        capture_output=True,
    )
    cert_line = Path(f"{user.path}-cert.pub").read_text().split()
    assert cert_line[0] == "ssh-ed25519-cert-v01@openssh.com"
    payload = payload_of(signed["ed25519"][1])
    sig = craft_sshsig(
        payload, user, key_blob=base64.b64decode(cert_line[1]), sig_alg=b"ssh-ed25519"
    )
    rejected(verify_commit(insert_gpgsig(payload, sig)), "unsupported-key")


def test_fido_key_is_unsupported(
    keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["ed25519"][1])
    ed_raw = keys["ed25519"].blob[-32:]
    sk_blob = wire(b"sk-ssh-ed25519@openssh.com") + wire(ed_raw) + wire(b"ssh:")
    sig = craft_sshsig(
        payload, keys["ed25519"], key_blob=sk_blob, sig_alg=b"sk-ssh-ed25519@openssh.com"
    )
    rejected(verify_commit(insert_gpgsig(payload, sig)), "unsupported-key")


def test_unknown_key_type_is_unsupported(
    keys: dict[str, SshKey], signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["ed25519"][1])
    blob = wire(b"ssh-dss") + wire_mpint_list()
    sig = craft_sshsig(payload, keys["ed25519"], key_blob=blob)
    rejected(verify_commit(insert_gpgsig(payload, sig)), "unsupported-key")


def wire_mpint_list() -> bytes:
    return b"".join(wire(bytes([n])) for n in (5, 7, 11, 13))


@pytest.mark.parametrize(
    ("armor_line", "code"),
    [
        (b"-----BEGIN SIGNED MESSAGE-----", "unsupported-format"),
        (b"-----BEGIN PGP MESSAGE-----", "unsupported-format"),
        (b"-----BEGIN SOMETHING ELSE-----", "malformed"),
    ],
)
def test_other_signature_formats(
    armor_line: bytes, code: str, signed: dict[str, tuple[str, bytes]]
) -> None:
    payload = payload_of(signed["ed25519"][1])
    blob = armor_line + b"\nMIIB\n" + armor_line.replace(b"BEGIN", b"END") + b"\n"
    rejected(verify_commit(insert_gpgsig(payload, blob)), code)


def test_importing_sigverify_does_not_load_cryptography() -> None:
    code = "import sys, fzjj.sigverify; print('cryptography' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stdout.strip() == b"False"


# --- fuzzing ------------------------------------------------------------------------------


FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_never_verify(data: bytes) -> None:
    check = verify_commit(data)
    assert check.ok is False and check.code in CODES and check.reason


@FUZZ
@given(
    st.binary(max_size=400),
    st.sampled_from([b"gpgsig ", b"gpgsig -----BEGIN SSH SIGNATURE-----\n "]),
)
def test_random_signature_headers_never_verify(data: bytes, prefix: bytes) -> None:
    raw = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" + prefix + data + b"\n\nmsg\n"
    check = verify_commit(raw)
    assert check.ok is False and check.code in CODES and check.reason


@FUZZ
@given(data=st.data())
def test_mutated_commits_never_verify(
    data: st.DataObject, signed: dict[str, tuple[str, bytes]]
) -> None:
    kind = data.draw(st.sampled_from(["ed25519", "rsa3072", "ecdsa256"]))
    raw = signed[kind][1]
    pos = data.draw(st.integers(0, len(raw) - 1))
    op = data.draw(st.sampled_from(["flip", "insert", "delete"]))
    byte = data.draw(st.integers(0, 255))
    if op == "flip":
        mutated = raw[:pos] + bytes([raw[pos] ^ (byte or 1)]) + raw[pos + 1 :]
    elif op == "insert":
        mutated = raw[:pos] + bytes([byte]) + raw[pos:]
    else:
        mutated = raw[:pos] + raw[pos + 1 :]
    check = verify_commit(mutated)
    assert check.code in CODES | {None}
    assert check.ok is (mutated == raw)


@FUZZ
@given(data=st.data())
def test_mutated_sshsig_blobs_never_verify(
    data: st.DataObject, signed: dict[str, tuple[str, bytes]]
) -> None:
    payload, [sig] = split_commit(signed["ecdsa384"][1])
    blob = dearmor(sig)
    pos = data.draw(st.integers(0, len(blob) - 1))
    size = data.draw(st.integers(1, 8))
    junk = data.draw(st.binary(min_size=0, max_size=8))
    mutated = blob[:pos] + junk + blob[pos + size :]
    check = verify_commit(insert_gpgsig(payload, armor(mutated)))
    assert check.ok is (mutated == blob)
    assert check.code in CODES | {None}


# --- OpenPGP ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gpg_home() -> Iterator[tuple[str, str, str]]:
    """A keyring with one ed25519 primary key and a newer signing subkey.

    Yields (home, primary fingerprint, subkey fingerprint).
    """
    home = new_gpg_home()
    try:
        primary = gpg_new_key(home, "Alice <alice@example.org>")
        gpg(home, "--quick-add-key", primary, "ed25519", "sign", "never")
        fprs = gpg_fingerprints(home, primary)
        assert fprs[0] == primary and len(fprs) == 2
        yield home, primary, fprs[1]
    finally:
        drop_gpg_home(home)


@pytest.fixture(scope="module")
def gpg_commit(
    gpg_home: tuple[str, str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str, bytes]:
    home, primary, _ = gpg_home
    repo = init_repo(tmp_path_factory.mktemp("gpgrepo"))
    oid = commit_gpg(repo, home, primary, "OpenPGP 签名的提交")
    return repo, oid, cat_commit(repo, oid)


def test_openpgp_commit_verifies_with_primary_fingerprint(
    gpg_home: tuple[str, str, str], gpg_commit: tuple[Path, str, bytes]
) -> None:
    home, primary, subkey = gpg_home
    repo, oid, raw = gpg_commit
    assert b"-----BEGIN PGP SIGNATURE-----" in raw
    check = verify_commit(raw, gnupg_home=home)
    assert check == SigCheck(True, f"openpgp:{primary}", None, None)
    assert primary != subkey  # gpg signed with the subkey; we still name the primary
    assert git_verify_gpg(repo, oid, home)


def test_openpgp_unknown_key(gpg_commit: tuple[Path, str, bytes]) -> None:
    _, _, raw = gpg_commit
    empty = new_gpg_home()
    try:
        rejected(verify_commit(raw, gnupg_home=empty), "openpgp-unknown-key")
    finally:
        drop_gpg_home(empty)


def test_openpgp_tampered_commit(
    gpg_home: tuple[str, str, str], gpg_commit: tuple[Path, str, bytes]
) -> None:
    repo, _, raw = gpg_commit
    tampered = raw.replace("OpenPGP 签名的提交".encode(), "OpenPGP 签名的提交!".encode())
    assert tampered != raw
    rejected(verify_commit(tampered, gnupg_home=gpg_home[0]), "openpgp-bad")
    assert not git_verify_gpg(repo, write_commit(repo, tampered), gpg_home[0])


def test_openpgp_duplicate_header(
    gpg_home: tuple[str, str, str], gpg_commit: tuple[Path, str, bytes]
) -> None:
    raw = gpg_commit[2]
    header = sig_header(raw)
    rejected(
        verify_commit(raw.replace(header, header + header), gnupg_home=gpg_home[0]),
        "multiple-signatures",
    )


def test_openpgp_expired_key(tmp_path: Path) -> None:
    # Key made and used in 2020 with a one-year lifetime: expired when verified now.
    home = new_gpg_home()
    try:
        fake = "20200601T000000"
        fpr = gpg_new_key(home, "Old <old@example.org>", expire="1y", faked_time=fake)
        program = gpg_wrapper(tmp_path, "gpg-2020", f"--faked-system-time {fake}")
        repo = init_repo(tmp_path / "repo")
        raw = cat_commit(repo, commit_gpg(repo, home, fpr, "过期密钥", program=program))
        check = verify_commit(raw, gnupg_home=home)
        rejected(check, "openpgp-bad")
        assert "过期" in (check.reason or "")
    finally:
        drop_gpg_home(home)


def test_openpgp_revoked_key(tmp_path: Path) -> None:
    home = new_gpg_home()
    try:
        fpr = gpg_new_key(home, "Gone <gone@example.org>")
        repo = init_repo(tmp_path / "repo")
        raw = cat_commit(repo, commit_gpg(repo, home, fpr, "吊销前签名"))
        assert verify_commit(raw, gnupg_home=home).ok
        # gpg writes a revocation certificate at key creation, guarded by a leading ':'.
        rev = Path(home, "openpgp-revocs.d", f"{fpr}.rev").read_bytes()
        gpg(home, "--import", data=rev.replace(b":-----BEGIN PGP", b"-----BEGIN PGP"))
        check = verify_commit(raw, gnupg_home=home)
        rejected(check, "openpgp-bad")
        assert "吊销" in (check.reason or "")
    finally:
        drop_gpg_home(home)


def test_openpgp_signature_from_key_imported_elsewhere(
    gpg_home: tuple[str, str, str], gpg_commit: tuple[Path, str, bytes]
) -> None:
    # A verifier that only holds the public key (as CI would) reaches the same answer.
    home, primary, _ = gpg_home
    other = new_gpg_home()
    try:
        gpg(other, "--import", data=gpg_export(home, primary))
        check = verify_commit(gpg_commit[2], gnupg_home=other)
        assert check == SigCheck(True, f"openpgp:{primary}", None, None)
    finally:
        drop_gpg_home(other)


def gpg_wrapper(directory: Path, name: str, options: str) -> str:
    wrapper = directory / name
    wrapper.write_text(f'#!/bin/sh\nexec gpg {options} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def test_openpgp_sha1_signature_is_rejected(tmp_path: Path, gpg_home: tuple[str, str, str]) -> None:
    home, primary, _ = gpg_home
    program = gpg_wrapper(tmp_path, "gpg-sha1", "--digest-algo SHA1")
    repo = init_repo(tmp_path / "repo")
    oid = commit_gpg(repo, home, primary, "SHA-1 签名", program=program)
    check = verify_commit(cat_commit(repo, oid), gnupg_home=home)
    rejected(check, "weak-hash")
    assert "sha1" in (check.reason or "")
    assert check.key == f"openpgp:{primary}"
    assert git_verify_gpg(repo, oid, home)  # git itself accepts SHA-1 OpenPGP signatures


def test_openpgp_text_mode_signature_is_rejected(
    tmp_path: Path, gpg_home: tuple[str, str, str]
) -> None:
    home, primary, _ = gpg_home
    program = gpg_wrapper(tmp_path, "gpg-text", "--textmode")
    repo = init_repo(tmp_path / "repo")
    raw = cat_commit(repo, commit_gpg(repo, home, primary, "文本模式签名", program=program))
    check = verify_commit(raw, gnupg_home=home)
    rejected(check, "openpgp-bad")
    assert "01" in (check.reason or "")
