"""The issuer's Ed25519 signing keys: one private JWK file per key in CREDENTIAL_KEYS_DIR.

The newest key signs; the public part of every key in the folder is published at
/.well-known/jwks.json and in the DID document (/.well-known/did.json), so credentials signed
before a rotation keep verifying. Keys are configuration: made by
`flask credentials generate-key`, never committed.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING

from flask import current_app

from .dataintegrity import base58btc_encode

if TYPE_CHECKING:
    from joserfc.jwk import KeySet, OKPKey

ED25519_PUB_MULTICODEC = b"\xed\x01"  # varint 0xed: ed25519-pub


@cache
def _jwk():
    """joserfc's keys, with cryptography under them (13 MiB a process), imported by the first
    key read or made, not by every worker at start."""
    from joserfc import jwk

    return jwk


@cache
def _raw():
    """cryptography's names for a key's raw bytes (imported with _jwk())."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return Encoding.Raw, PublicFormat.Raw


class CredentialKeyError(RuntimeError):
    """No usable signing key, or a broken key file: a deployment problem, said plainly."""


@dataclass(frozen=True)
class IssuerKey:
    kid: str
    created_at: datetime
    key: OKPKey
    path: str

    @property
    def can_sign(self) -> bool:
        return self.key.is_private

    def public_jwk(self) -> dict:
        return {**self.key.as_dict(private=False), "kid": self.kid, "use": "sig"}

    def public_bytes(self) -> bytes:
        return self.key.public_key.public_bytes(*_raw())

    def public_multibase(self) -> str:
        """The Multikey form (z6Mk…): base58btc of the ed25519-pub multicodec and the key."""
        return "z" + base58btc_encode(ED25519_PUB_MULTICODEC + self.public_bytes())


def keys_dir() -> str:
    return (current_app.config.get("CREDENTIAL_KEYS_DIR")
            or os.path.join(current_app.instance_path, "credential_keys"))


def generate_key(directory: str) -> IssuerKey:
    """A new Ed25519 key written as <kid>.json with 0600 permissions; it becomes the signing key."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    now = datetime.now(timezone.utc)
    key = _jwk().OKPKey.generate_key("Ed25519", private=True, auto_kid=False)
    # The date tells people which key is which; the thumbprint makes the id unique.
    thumbprint = base64.urlsafe_b64decode(key.thumbprint() + "=").hex()  # RFC 7638, in hex
    kid = f"{now:%Y%m%d}-{thumbprint[:16]}"
    document = {**key.as_dict(private=True), "kid": kid, "created_at": now.isoformat()}
    path = os.path.join(directory, f"{kid}.json")
    temporary = os.path.join(directory, f".{kid}.tmp")
    # Written aside, then renamed: a reader never sees half a key; 0600 from the first byte.
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        json.dump(document, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)
    return _read(path)


def load_keys(directory: str) -> list[IssuerKey]:
    """Every key in the folder, oldest first (public-only files verify but never sign)."""
    try:
        entries = [e for e in os.scandir(directory)
                   if e.name.endswith(".json") and not e.name.startswith(".") and e.is_file()]
    except FileNotFoundError:
        return []
    stamp = tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries))
    cached = _cache.get(directory)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    keys = sorted((_read(e.path) for e in entries), key=lambda k: (k.created_at, k.kid))
    _cache[directory] = (stamp, keys)
    return keys


_cache: dict[str, tuple[tuple, list[IssuerKey]]] = {}
_generate_lock = threading.Lock()


def _read(path: str) -> IssuerKey:
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        created = document.pop("created_at", None)
        kid = document.get("kid")
        if document.get("kty") != "OKP" or document.get("crv") != "Ed25519":
            raise ValueError("not an Ed25519 (OKP) key")
        if kid != os.path.basename(path)[:-len(".json")]:
            raise ValueError(f"kid {kid!r} differs from the file name")
        key = _jwk().OKPKey.import_key(document)
        created_at = (datetime.fromisoformat(created) if created
                      else datetime.fromtimestamp(os.path.getmtime(path), timezone.utc))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise CredentialKeyError(f"Credential key file {path} is unusable: {exc}") from exc
    return IssuerKey(kid=kid, created_at=created_at, key=key, path=path)


def signing_key() -> IssuerKey:
    """The newest private key. Development and tests make one on first use; elsewhere a
    missing key is an error for the operator, not a key silently made on one host."""
    directory = keys_dir()
    signing = [k for k in load_keys(directory) if k.can_sign]
    if signing:
        return signing[-1]
    if current_app.config.get("ENV_NAME") != "development" and not current_app.testing:
        raise CredentialKeyError(
            f"No credential signing key in {directory}. Run `flask credentials generate-key` "
            "(with CREDENTIAL_KEYS_DIR set to the keys folder) and deploy the key to every host.")
    os.makedirs(directory, mode=0o700, exist_ok=True)
    # Two workers starting at once must not each make a key: the first one's is used by both.
    with _generate_lock, open(os.path.join(directory, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        signing = [k for k in load_keys(directory) if k.can_sign]
        if signing:
            return signing[-1]
        current_app.logger.warning("No credential signing key: generated one in %s", directory)
        return generate_key(directory)


def public_keyset() -> KeySet:
    """The published keys, as joserfc verifies with them (private parts left out)."""
    jwk = _jwk()
    return jwk.KeySet([jwk.OKPKey.import_key(k.public_jwk()) for k in load_keys(keys_dir())])


def jwks() -> dict:
    return {"keys": [k.public_jwk() for k in load_keys(keys_dir())]}


def find_key(kid: str) -> IssuerKey | None:
    """A published key by its id (rotated ones included)."""
    return next((k for k in load_keys(keys_dir()) if k.kid == kid), None)
