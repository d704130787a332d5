"""Secrets at rest and token hashing.

``SecretBox`` seals values (variable values, add-on credentials, config snapshots) with AES-256-GCM from
``cryptography``. The key is derived with HKDF-SHA256 from ``STARFORM_SECRET_KEY``; every sealed value
carries the key's id so a value sealed under another key fails with a message that says so, and may be
bound to its row with associated data (``context``) so ciphertexts cannot be swapped between rows.
Tokens (API, cluster, sign-in) are random and stored only as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from starbase.errors import ConfigurationError, StarbaseError

_VERSION = b"\x01"
_NONCE_BYTES = 12
_KEY_ID_BYTES = 4
KEY_FILE = "secret.key"


class SecretUnreadable(StarbaseError):
    """A sealed value cannot be opened: wrong key, tampered data, or the wrong row."""

    code = "secret_unreadable"
    status = 500


class SecretBox:
    """Seal and open small secrets with one key. Thread-safe; build once in ``bootstrap``."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ConfigurationError("is empty", setting="STARFORM_SECRET_KEY")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"starform", info=b"secrets-at-rest v1").derive(
            secret_key.encode()
        )
        self._aead = AESGCM(key)
        self._key_id = hashlib.sha256(key).digest()[:_KEY_ID_BYTES]
        self._mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"starform", info=b"fingerprints v1").derive(
            secret_key.encode()
        )

    def fingerprint(self, data: str | bytes) -> str:
        """A keyed digest (HMAC-SHA256) to tell secret contents apart without revealing or allowing
        offline guessing of them."""
        raw = data.encode() if isinstance(data, str) else data
        return hmac.new(self._mac_key, raw, hashlib.sha256).hexdigest()

    def seal(self, plaintext: str | bytes, *, context: str = "") -> bytes:
        """Encrypt; ``context`` (e.g. ``"variable:<id>"``) must be given again to open."""
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        nonce = os.urandom(_NONCE_BYTES)
        header = _VERSION + self._key_id
        return header + nonce + self._aead.encrypt(nonce, data, header + context.encode())

    def open_bytes(self, sealed: bytes, *, context: str = "") -> bytes:
        header_len = 1 + _KEY_ID_BYTES
        if len(sealed) < header_len + _NONCE_BYTES + 16 or sealed[:1] != _VERSION:
            raise SecretUnreadable("sealed value is malformed or of an unknown version")
        header, rest = sealed[:header_len], sealed[header_len:]
        if header[1:] != self._key_id:
            raise SecretUnreadable("sealed under a different STARFORM_SECRET_KEY than the one configured")
        nonce, ciphertext = rest[:_NONCE_BYTES], rest[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, ciphertext, header + context.encode())
        except InvalidTag as e:
            raise SecretUnreadable("sealed value was tampered with or belongs to another record") from e

    def open(self, sealed: bytes, *, context: str = "") -> str:
        """Decrypt to text."""
        return self.open_bytes(sealed, context=context).decode()


def load_or_create_key(data_dir: Path) -> str:
    """Embedded mode: the key saved in the data dir, created (mode 0600) on first use."""
    path = data_dir / KEY_FILE
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    os.replace(tmp, path)  # atomic: a crash never leaves a half-written key
    return key


def new_token(kind: str) -> str:
    """A new bearer token, ``sf_<kind>_<43 url-safe chars>`` (256 bits of randomness)."""
    return f"sf_{kind}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    """What is stored for a token: its SHA-256 hex digest (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(token), stored_hash)
