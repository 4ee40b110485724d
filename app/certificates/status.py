"""Revocation any verifier can check: W3C Bitstring Status List v1.0.

Each certificate owns one bit, at a random index of a list of LIST_SIZE bits (a verifier that
fetches the list learns nothing about which credential it checks). A list is filled to half
before the next one opens, so a free index is found in two draws on average. Positions are
never reused: certificates are never deleted and (status_list, status_index) is unique.

The list credential is made from the certificates table, the one record of what is revoked,
and signed again whenever its content changes (a revocation flips a bit): any number of web
processes serve the same list, with nothing to keep in step.
"""

from __future__ import annotations

import base64
import copy
import gzip
import secrets
import threading
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app

from app.extensions import db

from . import dataintegrity, did, keys
from .models import Certificate

LIST_SIZE = 131_072  # bits, 16 KiB: the specification's minimum for group privacy
PURPOSE = "revocation"
DRAWS = 32  # a free index at half fill fails 32 draws once in 4 billion
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


class StatusListFull(RuntimeError):
    """No free index found: a bug or an impossible fill, not a visitor's error."""


def list_url(number: int) -> str:
    return f"{current_app.config['BASE_URL']}/credentials/status/{number}"


def entry(certificate: Certificate) -> dict | None:
    """The credential's credentialStatus (BitstringStatusListEntry), if it has a position."""
    if certificate.status_list is None or certificate.status_index is None:
        return None
    url = list_url(certificate.status_list)
    return {"id": f"{url}#{certificate.status_index}", "type": "BitstringStatusListEntry",
            "statusPurpose": PURPOSE, "statusListIndex": str(certificate.status_index),
            "statusListCredential": url}


def allocate() -> tuple[int, int]:
    """A free (list, index) for a new certificate: random, never one used before.

    Free when drawn; two issues drawing the same one at the same instant are settled by the
    unique constraint (the loser draws again: see completion._issue)."""
    number = db.session.scalar(sa.select(sa.func.max(Certificate.status_list))) or 1
    used = db.session.scalar(sa.select(sa.func.count()).where(Certificate.status_list == number))
    if used >= LIST_SIZE // 2:
        number += 1
    for _ in range(DRAWS):
        index = secrets.randbelow(LIST_SIZE)
        taken = db.session.scalar(sa.select(Certificate.id).where(
            Certificate.status_list == number, Certificate.status_index == index))
        if taken is None:
            return number, index
    raise StatusListFull(f"no free index in status list {number} after {DRAWS} draws")


def encode(indexes) -> str:
    """The encodedList: bit i set for each revoked index i (bit 0 is the first byte's highest),
    GZIP-compressed, base64url without padding, multibase prefix "u"."""
    bits = bytearray(LIST_SIZE // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: the same list, the same bytes
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u')")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def list_credential(number: int) -> dict | None:
    """The signed BitstringStatusListCredential of list `number`, or None if it has no
    certificate. Signed once per content and key, then served from memory."""
    if not 1 <= number < 2**31:  # a number from a URL: beyond an INTEGER column's range
        return None
    if not db.session.scalar(sa.select(sa.exists().where(Certificate.status_list == number))):
        return None
    revoked = db.session.execute(sa.select(Certificate.status_index, Certificate.revoked_at).where(
        Certificate.status_list == number, Certificate.revoked_at.is_not(None))).all()
    key = keys.signing_key()
    indexes = tuple(sorted(index for index, _at in revoked))
    # The list is valid from its last change: the newest revocation (else the key's making).
    since = max((at for _index, at in revoked), default=key.created_at)
    cache_key = (list_url(number), did.method_id(key.kid), key.path, indexes, _iso(since))
    with _lock:
        cached = _signed.get(cache_key)
    if cached is None:
        cached = _sign_list(number, indexes, key, _iso(since))
        with _lock:
            if len(_signed) > 64:  # old versions of the lists: drop them all, rebuild on use
                _signed.clear()
            _signed[cache_key] = cached
    return copy.deepcopy(cached)


_signed: dict[tuple, dict] = {}
_lock = threading.Lock()


def _sign_list(number: int, indexes: tuple[int, ...], key: keys.IssuerKey, since: str) -> dict:
    url = list_url(number)
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did.issuer_did(),
        "validFrom": since,
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": PURPOSE, "encodedList": encode(indexes)},
    }
    return dataintegrity.add_proof(credential, key.key.private_key, did.method_id(key.kid), since)
