"""Secrets at rest: sealing, binding to a row, refusing the wrong key; token hashing."""

from __future__ import annotations

import pytest

from starbase.crypto import SecretBox, SecretUnreadable, hash_token, new_token, token_matches
from starbase.errors import ConfigurationError

BOX = SecretBox("first-key-0123456789abcdef0123456789")


def test_sealed_value_opens_to_the_original() -> None:
    sealed = BOX.seal("postgres://user:s3cret@db/app", context="variables:1")
    assert b"s3cret" not in sealed
    assert BOX.open(sealed, context="variables:1") == "postgres://user:s3cret@db/app"


def test_sealing_twice_gives_different_ciphertexts() -> None:
    assert BOX.seal("same") != BOX.seal("same")


def test_value_bound_to_one_row_does_not_open_for_another() -> None:
    sealed = BOX.seal("v", context="variables:1")
    with pytest.raises(SecretUnreadable, match="another record"):
        BOX.open(sealed, context="variables:2")


def test_value_sealed_under_another_key_says_so() -> None:
    sealed = SecretBox("second-key-0123456789abcdef012345678").seal("v")
    with pytest.raises(SecretUnreadable, match="different STARFORM_SECRET_KEY"):
        BOX.open(sealed)


def test_tampered_value_is_refused() -> None:
    sealed = bytearray(BOX.seal("value"))
    sealed[-1] ^= 0x01
    with pytest.raises(SecretUnreadable):
        BOX.open(bytes(sealed))


def test_malformed_value_is_refused() -> None:
    with pytest.raises(SecretUnreadable, match="malformed"):
        BOX.open(b"\x01abc")


def test_an_empty_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        SecretBox("")


def test_tokens_are_random_prefixed_and_stored_as_hashes() -> None:
    token = new_token("api")
    assert token.startswith("sf_api_")
    assert len(token) > 40
    assert new_token("api") != token
    stored = hash_token(token)
    assert len(stored) == 64
    assert token not in stored
    assert token_matches(token, stored)
    assert not token_matches(token + "x", stored)
