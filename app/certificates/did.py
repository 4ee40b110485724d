"""The issuer as a did:web DID: `did:web:<BASE_URL host>`, its document at /.well-known/did.json.

Every signing key, rotated ones included, is a Multikey verification method `<did>#<kid>`
in assertionMethod, so what an old key signed keeps verifying. A JWT's kid and a Data
Integrity proof's verificationMethod are such DID URLs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from flask import current_app

from . import keys

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def issuer_did() -> str:
    """did:web of BASE_URL's host; a port is part of the host, its colon written %3A."""
    host = urlsplit(current_app.config["BASE_URL"]).netloc.rsplit("@", 1)[-1].lower()
    return f"did:web:{quote(host, safe='.-')}"


def method_id(kid: str) -> str:
    return f"{issuer_did()}#{kid}"


def kid_of(method: object) -> str | None:
    """The key id in one of our DID URLs (`<our did>#<kid>`), else None."""
    if not isinstance(method, str):
        return None
    did, _, kid = method.partition("#")
    return kid if did == issuer_did() and kid else None


def document() -> dict:
    did = issuer_did()
    methods = [{"id": f"{did}#{k.kid}", "type": "Multikey", "controller": did,
                "publicKeyMultibase": k.public_multibase()}
               for k in keys.load_keys(keys.keys_dir())]
    ids = [m["id"] for m in methods]
    return {"@context": DID_CONTEXT, "id": did, "verificationMethod": methods,
            "assertionMethod": ids}


def public_key(method: object) -> Ed25519PublicKey | None:
    """The public key a verification method id names, if it is one of ours."""
    kid = kid_of(method)
    key = keys.find_key(kid) if kid else None
    return key.key.public_key if key else None
