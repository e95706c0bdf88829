"""Commit signature verification: strict SSHSIG in-process, OpenPGP through gpg.

One commit goes through: `split_commit` (payload and signature headers, the way git splits
them) → exactly one `gpgsig` header → pick the verifier by armor → SSH: dearmor, parse the
SSHSIG blob field by field, check namespace, hash, algorithm and key type, then verify with
`cryptography`; OpenPGP: run `gpg --verify` and read its status lines. Every failure is a
`SigCheck` with ok=False, a stable code and a Chinese reason; nothing here raises on bad input.

The signer is named by the exact key, never by the author or committer headers:
`"<type> <base64 key blob>"` for SSH and `"openpgp:<PRIMARY FINGERPRINT>"` for OpenPGP.
This module never runs git; `cryptography` is imported at the first verification.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.hashes import HashAlgorithm

# Stable failure codes (SigCheck.code).
UNSIGNED = "unsigned"
MULTIPLE_SIGNATURES = "multiple-signatures"
MALFORMED = "malformed"
BAD_NAMESPACE = "bad-namespace"
WEAK_HASH = "weak-hash"
WEAK_KEY = "weak-key"
BAD_ALGORITHM = "bad-algorithm"
BAD_SIGNATURE = "bad-signature"
UNSUPPORTED_KEY = "unsupported-key"
UNSUPPORTED_FORMAT = "unsupported-format"
OPENPGP_UNKNOWN_KEY = "openpgp-unknown-key"
OPENPGP_BAD = "openpgp-bad"
OPENPGP_UNAVAILABLE = "openpgp-unavailable"

CODES = frozenset(
    {
        UNSIGNED,
        MULTIPLE_SIGNATURES,
        MALFORMED,
        BAD_NAMESPACE,
        WEAK_HASH,
        WEAK_KEY,
        BAD_ALGORITHM,
        BAD_SIGNATURE,
        UNSUPPORTED_KEY,
        UNSUPPORTED_FORMAT,
        OPENPGP_UNKNOWN_KEY,
        OPENPGP_BAD,
        OPENPGP_UNAVAILABLE,
    }
)

NAMESPACE = b"git"
ALLOWED_HASHES = (b"sha256", b"sha512")
MIN_RSA_BITS = 2048
_MAX_RSA_BITS = 16384  # OpenSSH's own limit
_ARMOR_WIDTH = 70  # what ssh-keygen writes; any width is accepted when reading
GPG_TIMEOUT = 60

_SIG_HEADER = b"gpgsig"
_MAGIC = b"SSHSIG"
_SSH_BEGIN = b"-----BEGIN SSH SIGNATURE-----\n"
_SSH_END = b"-----END SSH SIGNATURE-----\n"
_PGP_BEGIN = b"-----BEGIN PGP SIGNATURE-----\n"
_PGP_END = b"-----END PGP SIGNATURE-----\n"
_PGP_MESSAGE = b"-----BEGIN PGP MESSAGE-----"
_X509_BEGIN = b"-----BEGIN SIGNED MESSAGE-----"

# (curve name in the key blob, hash for the signature, coordinate size in bytes)
_ECDSA = {
    b"ecdsa-sha2-nistp256": (b"nistp256", "sha256", 32),
    b"ecdsa-sha2-nistp384": (b"nistp384", "sha384", 48),
    b"ecdsa-sha2-nistp521": (b"nistp521", "sha512", 66),
}
_RSA_SIG_HASHES = {b"rsa-sha2-256": "sha256", b"rsa-sha2-512": "sha512"}
# OpenPGP hash algorithm ids (RFC 4880 §9.4): only SHA-256/384/512 are accepted.
_PGP_GOOD_HASHES = {"8", "9", "10"}
_PGP_HASH_NAMES = {"1": "md5", "2": "sha1", "3": "ripemd160", "11": "sha224"}

MSG_UNSIGNED = "提交未签名"
MSG_MULTIPLE = "含有多个签名头（只允许一个 gpgsig）"
MSG_BAD_SIGNATURE = "签名与提交内容不符（提交在签名后被改动，或签名不是用该密钥生成的）"


@dataclass(frozen=True, slots=True)
class SigCheck:
    """Result of checking one commit's signature.

    `key` names the signing key whenever it could be read, even when the check failed (so a
    report can say whose signature was bad); trust decisions must look at `ok` first.
    """

    ok: bool
    key: str | None
    reason: str | None
    code: str | None


class _Reject(Exception):
    """Internal: a verification failure with its code and Chinese reason."""

    def __init__(self, code: str, reason: str, key: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.key = key


# --- commit splitting ---------------------------------------------------------------------


def _split(raw: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """Payload and (header name, signature) pairs, following git's own header walk.

    Every header whose name starts with `gpgsig` (git drops all of them from the signed
    payload) is taken out with its continuation lines; the walk stops at the blank line.
    """
    if _SIG_HEADER not in raw:
        return raw, []
    kept: list[bytes] = []
    sigs: list[tuple[bytes, list[bytes]]] = []
    current: list[bytes] | None = None
    pos, size = 0, len(raw)
    while pos < size:
        nl = raw.find(b"\n", pos)
        nxt = size if nl < 0 else nl + 1
        line = raw[pos:nxt]
        if line == b"\n":
            kept.append(raw[pos:])
            break
        if current is not None and line[:1] == b" ":
            current.append(line[1:])
        elif line.startswith(_SIG_HEADER):
            # A name with no value keeps its newline, so it never equals b"gpgsig": git
            # does not take such a header as a signature either.
            name, sep, value = line.partition(b" ")
            current = [value] if sep else []
            sigs.append((name, current))
        else:
            current = None
            kept.append(line)
        pos = nxt
    return b"".join(kept), [(name, b"".join(parts)) for name, parts in sigs]


def split_commit(raw: bytes) -> tuple[bytes, list[bytes]]:
    """Split a raw commit into the signed payload and its signature blobs.

    The payload is `raw` with every `gpgsig*` header (`gpgsig`, `gpgsig-sha256`, …) and its
    continuation lines removed — what git hands to the signer. Each blob is one header's
    value with the continuation prefix removed, in order of appearance.
    """
    payload, sigs = _split(raw)
    return payload, [blob for _, blob in sigs]


def sign_commit_payload(payload: bytes, private_key: Any) -> bytes:
    """Sign an unsigned commit payload with an SSH key and return the full raw commit.

    The `gpgsig` header goes where git puts it: at the end of the header block (after the
    committer line and any later headers), each continuation line prefixed with one space.
    Raises ValueError if the payload already carries a signature header.
    """
    if _split(payload)[1]:
        raise ValueError("payload already carries a gpgsig header")
    lines = sshsig_sign(payload, private_key).splitlines(keepends=True)
    header = _SIG_HEADER + b" " + lines[0] + b"".join(b" " + line for line in lines[1:])
    eoh = payload.find(b"\n\n")
    at = len(payload) if eoh < 0 else eoh + 1
    return payload[:at] + header + payload[at:]


# --- SSH wire format ----------------------------------------------------------------------


class _Reader:
    """Strict reader of SSH wire-format fields; every short read is MALFORMED."""

    __slots__ = ("_buf", "_pos", "_what")

    def __init__(self, buf: bytes, what: str) -> None:
        self._buf = buf
        self._pos = 0
        self._what = what

    def _fail(self, detail: str) -> _Reject:
        return _Reject(MALFORMED, f"签名格式错误：{self._what}{detail}")

    def raw(self, size: int) -> bytes:
        end = self._pos + size
        if end > len(self._buf):
            raise self._fail("被截断")
        out = self._buf[self._pos : end]
        self._pos = end
        return out

    def u32(self) -> int:
        return int.from_bytes(self.raw(4), "big")

    def string(self) -> bytes:
        return self.raw(self.u32())

    def mpint(self) -> int:
        """A non-negative mpint in its one minimal encoding."""
        data = self.string()
        if data and data[0] & 0x80:
            raise self._fail("含有负整数")
        if data[:1] == b"\x00" and (len(data) == 1 or not data[1] & 0x80):
            raise self._fail("含有非最简编码的整数")
        return int.from_bytes(data, "big")

    def end(self) -> None:
        if self._pos != len(self._buf):
            raise self._fail("末尾有多余字节")


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _mpint(value: int) -> bytes:
    data = value.to_bytes((value.bit_length() + 8) // 8, "big") if value else b""
    return _string(data)


def _show(name: bytes) -> str:
    """A field from untrusted input, safe and short enough to quote in a message."""
    text = name[:40].decode("ascii", "replace")
    return "".join(ch if ch.isprintable() else "?" for ch in text)


# --- SSH keys -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SshKey:
    ident: str
    key_type: bytes
    obj: Ed25519PublicKey | RSAPublicKey | EllipticCurvePublicKey
    sig_len: int  # exact signature length for ed25519 and RSA; 0 for ECDSA
    ec_hash: str  # ECDSA only


@lru_cache(maxsize=512)
def _load_key(blob: bytes) -> _SshKey:
    """Parse an SSH public key blob strictly; cached per exact blob.

    Each key type imports its own part of `cryptography` (ed25519 is what fzjj's users
    have; the others cost start-up time for nothing there)."""
    reader = _Reader(blob, "公钥")
    key_type = reader.string()
    ident = f"{key_type.decode('ascii', 'replace')} {base64.b64encode(blob).decode()}"
    if key_type.startswith(b"sk-"):
        raise _Reject(UNSUPPORTED_KEY, f"不支持 FIDO 安全密钥（{_show(key_type)}）", ident)
    if key_type.endswith(b"-cert-v01@openssh.com"):
        raise _Reject(UNSUPPORTED_KEY, f"不支持 SSH 证书签名（{_show(key_type)}）", ident)

    if key_type == b"ssh-ed25519":
        raw = reader.string()
        reader.end()
        if len(raw) != 32:
            raise _Reject(MALFORMED, "签名格式错误：ed25519 公钥长度不对")
        from cryptography.hazmat.primitives.asymmetric import ed25519

        obj: Any = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        return _SshKey(ident, key_type, obj, 64, "")

    if key_type == b"ssh-rsa":
        e, n = reader.mpint(), reader.mpint()
        reader.end()
        bits = n.bit_length()
        if bits > _MAX_RSA_BITS:
            raise _Reject(UNSUPPORTED_KEY, f"RSA 密钥过长（{bits} 位）", ident)
        if bits < MIN_RSA_BITS:
            reason = f"RSA 密钥只有 {bits} 位，至少需要 {MIN_RSA_BITS} 位"
            raise _Reject(WEAK_KEY, reason, ident)
        from cryptography.hazmat.primitives.asymmetric import rsa

        try:
            obj = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as exc:
            raise _Reject(MALFORMED, "签名格式错误：RSA 公钥参数无效", ident) from exc
        return _SshKey(ident, key_type, obj, (bits + 7) // 8, "")

    if key_type in _ECDSA:
        curve_name, ec_hash, coord = _ECDSA[key_type]
        curve = reader.string()
        point = reader.string()
        reader.end()
        if curve != curve_name or len(point) != 1 + 2 * coord or point[0] != 4:
            raise _Reject(MALFORMED, "签名格式错误：ECDSA 公钥的曲线或点编码不对", ident)
        from cryptography.hazmat.primitives.asymmetric import ec

        curves: dict[str, ec.EllipticCurve] = {
            "sha256": ec.SECP256R1(),
            "sha384": ec.SECP384R1(),
            "sha512": ec.SECP521R1(),
        }
        try:
            obj = ec.EllipticCurvePublicKey.from_encoded_point(curves[ec_hash], point)
        except ValueError as exc:
            raise _Reject(MALFORMED, "签名格式错误：ECDSA 公钥不在曲线上", ident) from exc
        return _SshKey(ident, key_type, obj, 0, ec_hash)

    raise _Reject(UNSUPPORTED_KEY, f"不支持的密钥类型 {_show(key_type)}", ident)


def _check_raw_signature(key: _SshKey, sig_alg: bytes, sig: bytes, signed: bytes) -> None:
    """Verify the inner signature; the algorithm must match the key type exactly."""
    from cryptography.exceptions import InvalidSignature

    obj: Any = key.obj
    try:
        if key.key_type == b"ssh-ed25519":
            _expect_alg(sig_alg, (b"ssh-ed25519",), key)
            _expect_len(sig, key)
            obj.verify(sig, signed)
        elif key.key_type == b"ssh-rsa":
            if sig_alg == b"ssh-rsa":
                raise _Reject(WEAK_HASH, "签名算法 ssh-rsa（SHA-1）不被接受", key.ident)
            _expect_alg(sig_alg, tuple(_RSA_SIG_HASHES), key)
            _expect_len(sig, key)
            from cryptography.hazmat.primitives.asymmetric import padding

            digest = _hash(_RSA_SIG_HASHES[sig_alg])
            obj.verify(sig, signed, padding.PKCS1v15(), digest)
        else:
            _expect_alg(sig_alg, (key.key_type,), key)
            from cryptography.hazmat.primitives.asymmetric import ec, utils

            reader = _Reader(sig, "ECDSA 签名值")
            r, s = reader.mpint(), reader.mpint()
            reader.end()
            der = utils.encode_dss_signature(r, s)
            obj.verify(der, signed, ec.ECDSA(_hash(key.ec_hash)))
    except InvalidSignature as exc:
        raise _Reject(BAD_SIGNATURE, MSG_BAD_SIGNATURE, key.ident) from exc


@lru_cache(maxsize=8)
def _hash(name: str) -> HashAlgorithm:
    from cryptography.hazmat.primitives import hashes

    table: dict[str, HashAlgorithm] = {
        "sha256": hashes.SHA256(),
        "sha384": hashes.SHA384(),
        "sha512": hashes.SHA512(),
    }
    return table[name]


def _expect_alg(sig_alg: bytes, allowed: tuple[bytes, ...], key: _SshKey) -> None:
    if sig_alg not in allowed:
        want = " 或 ".join(name.decode() for name in allowed)
        reason = f"签名算法 {_show(sig_alg)} 与密钥类型不符（应为 {want}）"
        raise _Reject(BAD_ALGORITHM, reason, key.ident)


def _expect_len(sig: bytes, key: _SshKey) -> None:
    if len(sig) != key.sig_len:
        raise _Reject(MALFORMED, "签名格式错误：签名值长度不对", key.ident)


# --- SSHSIG -------------------------------------------------------------------------------


def _dearmor_ssh(blob: bytes) -> bytes:
    bad = _Reject(MALFORMED, "签名格式错误：SSH 签名的 ASCII 封装不完整")
    if not blob.startswith(_SSH_BEGIN) or not blob.endswith(_SSH_END):
        raise bad
    body = blob[len(_SSH_BEGIN) : len(blob) - len(_SSH_END)]
    if not body.endswith(b"\n"):
        raise bad
    lines = body[:-1].split(b"\n")
    if b"" in lines:
        raise bad
    text = b"".join(lines)
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise _Reject(MALFORMED, "签名格式错误：SSH 签名的 base64 无效") from exc
    # One encoding per blob: no stray padding bits or padding variants.
    if base64.b64encode(data) != text:
        raise _Reject(MALFORMED, "签名格式错误：SSH 签名的 base64 不是标准编码")
    return data


def _signed_data(namespace: bytes, hash_alg: bytes, message: bytes) -> bytes:
    """What the key signs: magic, namespace, empty reserved, hash name, H(message)."""
    digest = hashlib.new(hash_alg.decode("ascii"), message).digest()
    return _MAGIC + _string(namespace) + _string(b"") + _string(hash_alg) + _string(digest)


def _verify_sshsig(armored: bytes, message: bytes) -> str:
    """Verify one armored SSHSIG over `message`; returns the key identity or raises _Reject."""
    reader = _Reader(_dearmor_ssh(armored), "SSH 签名")
    if reader.raw(6) != _MAGIC:
        raise _Reject(MALFORMED, "签名格式错误：缺少 SSHSIG 标识")
    version = reader.u32()
    if version != 1:
        raise _Reject(MALFORMED, f"签名格式错误：不支持的 SSHSIG 版本 {version}")
    key_blob = reader.string()
    namespace = reader.string()
    reserved = reader.string()
    hash_alg = reader.string()
    sig_blob = reader.string()
    reader.end()
    # ssh-keygen leaves `reserved` out of the signed data, so a non-empty value would be an
    # unsigned, freely changeable field; refuse it.
    if reserved:
        raise _Reject(MALFORMED, "签名格式错误：SSHSIG 保留字段不为空")

    key = _load_key(key_blob)
    if namespace != NAMESPACE:
        reason = f"签名命名空间不是 git（实为 {_show(namespace)}）"
        raise _Reject(BAD_NAMESPACE, reason, key.ident)
    if hash_alg not in ALLOWED_HASHES:
        reason = f"签名哈希算法 {_show(hash_alg)} 不被接受（只接受 sha256、sha512）"
        raise _Reject(WEAK_HASH, reason, key.ident)

    inner = _Reader(sig_blob, "签名值")
    sig_alg = inner.string()
    sig = inner.string()
    inner.end()
    signed = _signed_data(namespace, hash_alg, message)
    _check_raw_signature(key, sig_alg, sig, signed)
    return key.ident


# --- OpenPGP ------------------------------------------------------------------------------


def _verify_openpgp(armored: bytes, message: bytes, gnupg_home: str | None) -> SigCheck:
    """Verify a detached OpenPGP signature with gpg; the key is the primary fingerprint."""
    import shutil
    import subprocess
    import tempfile

    if (
        not armored.startswith(_PGP_BEGIN)
        or not armored.endswith(_PGP_END)
        or armored.count(b"-----BEGIN ") != 1
        or armored.count(b"-----END ") != 1
    ):
        return _fail(MALFORMED, "签名格式错误：OpenPGP 签名的 ASCII 封装不完整")
    gpg = shutil.which("gpg")
    if gpg is None:
        return _fail(OPENPGP_UNAVAILABLE, "找不到 gpg，无法检查 OpenPGP 签名；请安装 GnuPG")
    with tempfile.TemporaryDirectory(prefix="fzjj-sig-") as tmp:
        sig_path = os.path.join(tmp, "commit.sig")
        with open(sig_path, "wb") as handle:
            handle.write(armored)
        cmd = [gpg, "--batch", "--no-tty", "--no-auto-key-retrieve", "--status-fd", "1"]
        if gnupg_home is not None:
            cmd += ["--homedir", gnupg_home]
        cmd += ["--verify", sig_path, "-"]
        try:
            done = subprocess.run(
                cmd, input=message, capture_output=True, timeout=GPG_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return _fail(OPENPGP_UNAVAILABLE, f"运行 gpg 失败（{type(exc).__name__}）")
    return _read_gpg_status(done.stdout.decode("utf-8", "replace"), done.returncode)


def _read_gpg_status(output: str, returncode: int) -> SigCheck:
    status: dict[str, list[list[str]]] = {}
    for line in output.splitlines():
        if line.startswith("[GNUPG:] "):
            word, *args = line[9:].split(" ")
            status.setdefault(word, []).append(args)

    if len(status.get("NEWSIG", [])) > 1:
        return _fail(MULTIPLE_SIGNATURES, "OpenPGP 签名块里含有多个签名")
    if "NO_PUBKEY" in status or any(a[5:6] == ["9"] for a in status.get("ERRSIG", [])):
        return _fail(OPENPGP_UNKNOWN_KEY, "本机 gpg 密钥环里没有签名所用的 OpenPGP 公钥")
    failures = (
        ("BADSIG", "OpenPGP 签名与提交内容不符"),
        ("EXPKEYSIG", "OpenPGP 签名密钥已过期"),
        ("REVKEYSIG", "OpenPGP 签名密钥已被吊销"),
        ("EXPSIG", "OpenPGP 签名已过期"),
        ("ERRSIG", "gpg 无法检查该 OpenPGP 签名"),
    )
    for word, reason in failures:
        if word in status:
            return _fail(OPENPGP_BAD, reason)

    valid = status.get("VALIDSIG", [])
    if returncode != 0 or len(valid) != 1 or len(status.get("GOODSIG", [])) != 1:
        return _fail(OPENPGP_BAD, f"gpg 未确认签名有效（退出码 {returncode}）")
    fields = valid[0]
    primary = fields[-1].upper() if len(fields) >= 10 else ""
    if len(primary) not in (40, 64) or not _is_hex(primary):
        return _fail(OPENPGP_BAD, "gpg 输出里没有主密钥指纹")
    key = f"openpgp:{primary}"
    if fields[7] not in _PGP_GOOD_HASHES:
        name = _PGP_HASH_NAMES.get(fields[7], f"#{fields[7]}")
        return SigCheck(False, key, f"签名哈希算法 {name} 不被接受", WEAK_HASH)
    if fields[8] != "00":
        reason = f"OpenPGP 签名类别 {fields[8]} 不被接受（应为二进制签名 00）"
        return SigCheck(False, key, reason, OPENPGP_BAD)
    return SigCheck(True, key, None, None)


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789ABCDEF" for ch in text)


# --- entry points -------------------------------------------------------------------------


def _fail(code: str, reason: str, key: str | None = None) -> SigCheck:
    return SigCheck(False, key, reason, code)


def verify_commit(raw: bytes, *, gnupg_home: str | None = None) -> SigCheck:
    """Check the one signature on a raw commit (bytes exactly as `git cat-file commit`).

    SSH signatures are verified in-process; OpenPGP ones by `gpg` with `gnupg_home` as its
    home directory (the default keyring when None). Never raises on bad input.
    """
    payload, sigs = _split(raw)
    if not sigs:
        return _fail(UNSIGNED, MSG_UNSIGNED)
    if len(sigs) > 1:
        return _fail(MULTIPLE_SIGNATURES, MSG_MULTIPLE)
    name, blob = sigs[0]
    if name != _SIG_HEADER:
        return _fail(MALFORMED, f"签名头 {_show(name.strip())} 不被接受（只接受 gpgsig）")

    if blob.startswith(_SSH_BEGIN):
        try:
            return SigCheck(True, _verify_sshsig(blob, payload), None, None)
        except _Reject as rej:
            return SigCheck(False, rej.key, rej.reason, rej.code)
    if blob.startswith(_PGP_BEGIN):
        return _verify_openpgp(blob, payload, gnupg_home)
    if blob.startswith(_X509_BEGIN):
        return _fail(UNSUPPORTED_FORMAT, "不支持 X.509（gpgsm）签名，请改用 SSH 密钥签名")
    if blob.startswith(_PGP_MESSAGE):
        return _fail(UNSUPPORTED_FORMAT, "不支持内嵌式 OpenPGP 签名（PGP MESSAGE）")
    return _fail(MALFORMED, "签名格式错误：无法识别的签名类型")


def sshsig_sign(
    data: bytes, private_key: Any, *, namespace: str = "git", hash_alg: str = "sha512"
) -> bytes:
    """Sign `data` as ssh-keygen -Y sign does and return the armored SSHSIG.

    Takes an ed25519, RSA (signs with rsa-sha2-512) or ECDSA (nistp256/384/521) private key
    from `cryptography`. Only sha256 and sha512 are offered, as only they are accepted.
    """
    if hash_alg not in ("sha256", "sha512"):
        raise ValueError(f"unsupported SSHSIG hash {hash_alg!r}")
    if not namespace:
        raise ValueError("SSHSIG namespace must not be empty")
    ns, alg = namespace.encode(), hash_alg.encode()
    key_blob, sign = _signer(private_key)
    signed = _signed_data(ns, alg, data)
    blob = (
        _MAGIC
        + (1).to_bytes(4, "big")
        + _string(key_blob)
        + _string(ns)
        + _string(b"")
        + _string(alg)
        + _string(sign(signed))
    )
    text = base64.b64encode(blob)
    wrapped = b"".join(
        text[i : i + _ARMOR_WIDTH] + b"\n" for i in range(0, len(text), _ARMOR_WIDTH)
    )
    return _SSH_BEGIN + wrapped + _SSH_END


def _signer(private_key: Any) -> tuple[bytes, Any]:
    """(public key blob, function signed-data → SSH signature blob) for a private key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        blob = _string(b"ssh-ed25519") + _string(raw)
        return blob, lambda m: _string(b"ssh-ed25519") + _string(private_key.sign(m))

    if isinstance(private_key, rsa.RSAPrivateKey):
        numbers = private_key.public_key().public_numbers()
        blob = _string(b"ssh-rsa") + _mpint(numbers.e) + _mpint(numbers.n)

        def sign_rsa(message: bytes) -> bytes:
            sig = private_key.sign(message, padding.PKCS1v15(), hashes.SHA512())
            return _string(b"rsa-sha2-512") + _string(sig)

        return blob, sign_rsa

    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        size = private_key.curve.key_size
        key_type = f"ecdsa-sha2-nistp{size}".encode()
        if key_type not in _ECDSA:
            raise ValueError(f"unsupported ECDSA curve {private_key.curve.name}")
        curve_name, hash_name, _ = _ECDSA[key_type]
        point = private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        blob = _string(key_type) + _string(curve_name) + _string(point)

        def sign_ec(message: bytes) -> bytes:
            der = private_key.sign(message, ec.ECDSA(_hash(hash_name)))
            r, s = utils.decode_dss_signature(der)
            return _string(key_type) + _string(_mpint(r) + _mpint(s))

        return blob, sign_ec

    raise TypeError(f"cannot sign SSHSIG with {type(private_key).__name__}")
