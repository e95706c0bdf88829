"""OpenPGP keys in the roster, end to end: a real gpg key, git signing with it, fzjj judging
the action before the commit and verifying the record afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import Result

from conftest import Bureau, have
from sigtools import drop_gpg_home, gpg_new_key, new_gpg_home
from test_chain_threats import change_roster, state, with_key

pytestmark = pytest.mark.skipif(not have("gpg"), reason="gpg is not installed")


@pytest.fixture
def gpg_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    home = new_gpg_home()
    monkeypatch.setenv("GNUPGHOME", home)
    yield home
    drop_gpg_home(home)


def as_openpgp(b: Bureau, key: str | None, ident: str, *args: str) -> Result:
    """Run `fzjj <args>` with git set to sign with OpenPGP (`key` None: as `ident`, like git:
    `Name <email>`)."""
    b.git("config", "gpg.format", "openpgp")
    if key:
        b.git("config", "user.signingkey", key)
    else:
        b.git("config", "--unset", "user.signingkey")
    name, email = ident.removesuffix(">").split(" <")
    b.git("config", "user.name", name)
    b.git("config", "user.email", email)
    try:
        return b.invoke(*args)
    finally:
        b.git("config", "gpg.format", "ssh")


def test_principal_signs_the_last_stage_with_openpgp(
    bureau: Bureau, gpg_home: str, pubkeys: dict[str, str]
) -> None:
    fpr = gpg_new_key(gpg_home, "李华 <principal@example.org>")
    change_roster(
        bureau,
        lambda t: with_key(
            t, "principal", f'"{pubkeys["principal"]}"', extra=f'\n    openpgp: ["{fpr}"]'
        ),
    )
    path = bureau.draft("2026-11-pgp")
    bureau.ok("qy_info", "submit", path)
    for person in ("qy_head", "secrecy_a", "deputy"):
        bureau.ok(person, "approve", path)
    queue = as_openpgp(bureau, fpr, "李华 <principal@example.org>", "queue", "--json")
    assert queue.exit_code == 0 and path in queue.output
    done = as_openpgp(bureau, fpr, "李华 <principal@example.org>", "approve", path)
    assert done.exit_code == 0, done.output
    assert "审核链已完成" in done.output
    assert "BEGIN PGP SIGNATURE" in bureau.git("cat-file", "commit", "HEAD")
    record = state(bureau, path)["records"][-1]
    assert record["valid"] is True and record["signer"] == "principal"
    assert state(bureau, path)["phase"] == "approved"


def test_openpgp_key_found_by_the_committer_identity(
    bureau: Bureau, gpg_home: str, pubkeys: dict[str, str]
) -> None:
    """Without user.signingkey git signs as the committer; fzjj judges that same key."""
    fpr = gpg_new_key(gpg_home, "林青 <qy_info@example.org>")
    change_roster(
        bureau,
        lambda t: with_key(
            t, "qy_info", f'"{pubkeys["qy_info"]}"', extra=f'\n    openpgp: ["{fpr}"]'
        ),
    )
    path = bureau.draft("2026-11-pgp-ident")
    done = as_openpgp(bureau, None, "林青 <qy_info@example.org>", "submit", path)
    assert done.exit_code == 0, done.output
    assert state(bureau, path)["records"][0]["signer"] == "qy_info"


def test_unregistered_openpgp_key_is_refused_and_nothing_is_committed(
    bureau: Bureau, gpg_home: str
) -> None:
    fpr = gpg_new_key(gpg_home, "某人 <someone@example.org>")
    path = bureau.draft("2026-11-pgp-stranger")
    before = bureau.head()
    done = as_openpgp(bureau, fpr, "某人 <someone@example.org>", "submit", path)
    assert done.exit_code == 4 and "未登记的密钥" in done.output
    assert bureau.head() == before


def test_openpgp_without_any_matching_secret_key(bureau: Bureau, gpg_home: str) -> None:
    path = bureau.draft("2026-11-pgp-none")
    before = bureau.head()
    done = as_openpgp(bureau, None, "无名 <nobody@example.org>", "submit", path)
    assert done.exit_code == 5 and "找不到 OpenPGP 签名私钥" in done.output
    assert bureau.head() == before
