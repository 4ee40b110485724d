"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C VC Data Integrity EdDSA
Cryptosuites v1.0, §3.3), the signature the Digital Credentials Consortium's verifier and the
Learner Credential Wallet check.

The document and the proof options are canonicalised as RDF (RDFC-1.0, URDNA2015 in pyld),
each hashed with SHA-256, and the two hashes signed with Ed25519. Every JSON-LD context is
read from contexts/ beside this file: nothing is fetched, at signing or at verification.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

CRYPTOSUITE = "eddsa-rdfc-2022"
CONTEXTS_DIR = os.path.join(os.path.dirname(__file__), "contexts")
# URL -> file: the contexts credentials and DID documents of this platform use. Copied from
# the npm packages the DCC verifier itself loads them from (see contexts/README.md).
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
}


_pyld_lock = threading.Lock()


@cache
def _jsonld():
    """pyld, with lxml and asyncio under it (8 MiB a process), imported by the first proof made
    or checked, not by every worker at start."""
    from pyld import jsonld

    return jsonld


@cache
def _ed25519():
    """cryptography's Ed25519 public key and the error a wrong signature raises, imported by the
    first proof checked."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey, InvalidSignature


class ProofError(ValueError):
    """The document cannot be canonicalised, or its proof is missing, malformed or wrong."""


@lru_cache(maxsize=None)
def _context(url: str) -> str:
    with open(os.path.join(CONTEXTS_DIR, CONTEXT_FILES[url]), encoding="utf-8") as f:
        return f.read()


def document_loader(url: str, _options=None) -> dict:
    """pyld's loader: the shipped contexts, and nothing else (no network, ever)."""
    if url not in CONTEXT_FILES:
        raise _jsonld().JsonLdError(f"Context {url!r} is not shipped with the platform.",
                                    "jsonld.LoadDocumentError", code="loading document failed")
    # A fresh copy each time: pyld may annotate what it is given.
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(_context(url))}


def canonical(document: dict) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    jsonld = _jsonld()
    try:
        # One at a time: pyld's shared context cache (cachetools) is not thread-safe, and the
        # work holds the GIL anyway.
        with _pyld_lock:
            return jsonld.normalize(document, {"algorithm": "URDNA2015",
                                               "format": "application/n-quads",
                                               "documentLoader": document_loader})
    except (jsonld.JsonLdError, TypeError, ValueError, KeyError) as exc:
        raise ProofError(f"cannot canonicalise: {exc}") from exc


def _hash_data(unsecured: dict, options: dict) -> bytes:
    config = {**options, "@context": unsecured["@context"]}
    return (hashlib.sha256(canonical(config).encode()).digest()
            + hashlib.sha256(canonical(unsecured).encode()).digest())


def add_proof(document: dict, private_key: Ed25519PrivateKey, verification_method: str,
              created: str, purpose: str = "assertionMethod") -> dict:
    """The document with a DataIntegrityProof (deterministic: Ed25519 and RDFC both are)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "created": created,
               "verificationMethod": verification_method, "proofPurpose": purpose}
    signature = private_key.sign(_hash_data(unsecured, options))
    return {**copy.deepcopy(unsecured),
            "proof": {**options, "proofValue": "z" + base58btc_encode(signature)}}


def verify_proof(document: dict, public_key_for) -> dict:
    """The proof of a secured document if its signature holds, else ProofError.

    `public_key_for(verification_method)` returns the Ed25519PublicKey or None."""
    proof = document.get("proof") if isinstance(document, dict) else None
    if not isinstance(proof, dict) or proof.get("type") != "DataIntegrityProof" \
            or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("no eddsa-rdfc-2022 DataIntegrityProof")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proofValue is not base58btc multibase")
    key = public_key_for(proof.get("verificationMethod"))
    public_key_type, invalid_signature = _ed25519()
    if not isinstance(key, public_key_type):
        raise ProofError("unknown verification method")
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        key.verify(base58btc_decode(value[1:]), _hash_data(unsecured, options))
    except (invalid_signature, ValueError) as exc:
        raise ProofError("signature does not match") from exc
    return proof


# --- base58btc (the Bitcoin alphabet), for multibase "z" values --------------------------

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = _ALPHABET[digit] + out
    # Each leading zero byte is one leading "1".
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError("not base58btc")
        number = number * 58 + _INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body
