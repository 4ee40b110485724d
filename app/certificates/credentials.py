"""Certificates as Open Badges 3.0 credentials (W3C VC 2.0), issued by did:web, signed twice
with the same Ed25519 key: as JSON-LD with a Data Integrity proof (eddsa-rdfc-2022, what the
DCC verifier and wallets check) and as a VC-JWT (1EdTech's validator, JOSE tools).

The JWT payload is the same credential (OB 3.0 §8.2) plus the registered claims iss, jti
and nbf. Both carry the same credentialStatus. Nothing is fetched at run time: the JSON-LD
contexts ship with the app, the keys are ours.
"""

from __future__ import annotations

import binascii
import copy
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from types import SimpleNamespace

from flask import current_app
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l

from . import dataintegrity, did, keys, status
from .models import Certificate
from .services import nfc, verify_url

CONTEXT = ["https://www.w3.org/ns/credentials/v2",
           "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
ISSUER_NAME = "Học vụ số"
FRAMEWORK = "Khung năng lực số (Thông tư 02/2025/TT-BGDĐT)"
# Both names of the one Ed25519 signature (RFC 9864 renamed "EdDSA" to "Ed25519"): a token
# issued under either, by any published key, verifies.
ACCEPTED_ALGORITHMS = ("EdDSA", "Ed25519")
# A 24-competence credential is ~25 KB, and its downloaded JSON file (credential + JWT) ~80 KB.
MAX_INPUT_BYTES = 256 * 1024
_JWS_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat")


@cache
def _jose() -> SimpleNamespace:
    """joserfc, with cryptography under it (13 MiB a process), imported by the first token
    signed or checked, not by every worker at start."""
    from joserfc import jws, jwt
    from joserfc.errors import JoseError
    from joserfc.jwa import EdDSAAlgorithm
    from joserfc.jwk import OKPKey
    from joserfc.jws import JWSRegistry

    class EdDSAWithoutWarning(EdDSAAlgorithm):
        # "EdDSA" is issued on purpose (README: older verifiers know no other name), so
        # joserfc's RFC 9864 SecurityWarning is silenced for this registry only, thread-safely.
        security_warning = None

    class Registry(JWSRegistry):
        algorithms = {**JWSRegistry.algorithms, "EdDSA": EdDSAWithoutWarning()}

    return SimpleNamespace(jws=jws, jwt=jwt, JoseError=JoseError, OKPKey=OKPKey,
                           Registry=Registry)


def _registry(algorithms):
    return _jose().Registry(algorithms=list(algorithms))


# --- building and signing ----------------------------------------------------------------

def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _alignment(competence: dict, base_url: str) -> dict:
    return {"type": ["Alignment"], "targetName": competence["name"],
            "targetCode": competence["code"], "targetFramework": FRAMEWORK,
            "targetType": "CFItem", "targetUrl": f"{base_url}/khung-nang-luc-so"}


def build_credential(certificate: Certificate) -> dict:
    """The OpenBadgeCredential, from the certificate's stored snapshot only (never current
    content), in Vietnamese whatever the visitor's language: a signed text cannot vary.
    No email, phone or birth data: the holder is named, as on the public verify page."""
    base_url = current_app.config["BASE_URL"]
    url = verify_url(certificate.code)
    course = certificate.kind == "course"
    heading = "Chứng nhận hoàn thành khóa học" if course else "Xác nhận đạt phổ cập kỹ năng số"
    competences = certificate.competences or []
    descriptions, results = [], []
    for c in competences:
        alignment = [_alignment(c, base_url)]
        description = {"id": f"{url}#result-{c['code']}", "type": ["ResultDescription"],
                       "name": f"{c['code']} {c['name']}", "resultType": "RawScore",
                       "alignment": alignment}
        # The competence is named once, in the description; results stay small.
        result = {"type": ["Result"], "resultDescription": description["id"],
                  "value": f"{c['correct']}/{c['total']}"}
        if c.get("level"):
            level_id = f"{url}#level-{c['code']}"
            description["rubricCriterionLevel"] = [{
                "id": level_id, "type": ["RubricCriterionLevel"], "name": c["level"],
                "level": c["level"]}]
            result["achievedLevel"] = level_id
        descriptions.append(description)
        results.append(result)
    achievement = {
        "id": f"urn:hocvuso:achievement:{certificate.kind}:{certificate.course_slug}",
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion" if course else "Certification",
        "name": certificate.title,
        "description": (f"Hoàn thành khóa học “{certificate.title}” trên Học vụ số." if course
                        else f"Xác nhận đạt phổ cập kỹ năng số: {certificate.title}."),
        "criteria": {"narrative": (
            "Đọc hết các bài học của khóa và đạt mọi bài kiểm tra kiến thức; kết quả theo "
            "từng năng lực là của các lần làm bài đạt tốt nhất." if course else
            "Đạt bài đánh giá xác nhận phổ cập kỹ năng số của nhóm đối tượng, theo quy tắc "
            "đạt (năng lực, trình độ, điểm) mà tỉnh công bố trên Học vụ số.")},
        "inLanguage": "vi",
    }
    if competences:
        achievement["alignment"] = [_alignment(c, base_url) for c in competences]
        achievement["resultDescription"] = descriptions
    subject = {
        "type": ["AchievementSubject"],
        "name": certificate.holder_name,
        "achievement": achievement,
    }
    if certificate.subject_hash:
        # The login, salted and hashed (the holder proves it by showing login and salt); the
        # name above is for display only.
        subject["identifier"] = [{
            "type": "IdentityObject", "identityType": certificate.subject_type,
            "hashed": True, "identityHash": certificate.subject_hash,
            "salt": certificate.subject_salt}]
    if results:
        subject["result"] = results
    credential = {
        "@context": CONTEXT,
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did.issuer_did(), "type": ["Profile"], "name": ISSUER_NAME,
                   "url": base_url},
        "validFrom": _iso(certificate.issued_at),
        "name": f"{heading}: {certificate.title}",
        "credentialSubject": subject,
    }
    status_entry = status.entry(certificate)
    if status_entry:
        credential["credentialStatus"] = status_entry
    return nfc(credential)


def signed_credential(certificate: Certificate) -> dict:
    """The credential as JSON-LD with its DataIntegrityProof, by the newest key; `created` is
    the issue time, so the same certificate and key always give the same bytes."""
    key = keys.signing_key()
    method = did.method_id(key.kid)
    cache_key = (certificate.code, current_app.config["BASE_URL"], method, key.path)
    with _signed_lock:
        cached = _signed.get(cache_key)
    if cached is None:
        cached = dataintegrity.add_proof(build_credential(certificate), key.key.private_key,
                                         method, _iso(certificate.issued_at))
        with _signed_lock:
            # Canonicalising costs ~0.1 s; 256 credentials of up to ~30 KB stay in memory.
            if len(_signed) >= 256:
                _signed.clear()
            _signed[cache_key] = cached
    return copy.deepcopy(cached)  # the caller may change its copy, never the cached one


_signed: dict[tuple, dict] = {}
_signed_lock = threading.Lock()


def verify_signed(credential: dict) -> dict:
    """The proof of a JSON-LD credential if one of our keys signed it (dataintegrity.ProofError
    otherwise): the check the DCC verifier makes, done here for tests and tools."""
    return dataintegrity.verify_proof(credential, did.public_key)


def sign(certificate: Certificate) -> str:
    """The credential as a compact VC-JWT, signed by the newest key (deterministic: Ed25519)."""
    key = keys.signing_key()
    alg = current_app.config["CREDENTIAL_JWS_ALG"]
    if alg not in ACCEPTED_ALGORITHMS:
        raise keys.CredentialKeyError(f"CREDENTIAL_JWS_ALG must be one of {ACCEPTED_ALGORITHMS}")
    credential = build_credential(certificate)
    claims = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"],
              "nbf": int(certificate.issued_at.timestamp())}
    # kid: a DID URL that resolves to this one key through /.well-known/did.json; the jwk
    # is for verifiers that read the key from the header (they must still trust the kid).
    header = {"alg": alg, "kid": did.method_id(key.kid), "typ": "JWT",
              "jwk": key.key.as_dict(private=False)}
    return _jose().jwt.encode(header, claims, key.key, algorithms=[alg],
                              registry=_registry([alg]))


def document(certificate: Certificate) -> dict:
    """What /verify/<code>.json answers: the status now (a revocation first of all), the
    JSON-LD credential with its proof, and the same credential as a VC-JWT."""
    out: dict = {"status": "revoked" if certificate.revoked else "valid"}
    if certificate.revoked:
        day = certificate.revoked_at.astimezone(get_timezone())  # the province's date
        out["notice"] = (f"ĐÃ THU HỒI ngày {day.day}/{day.month}/{day.year}: chứng chỉ này "
                         "không còn giá trị.")
        out["revoked_at"] = _iso(certificate.revoked_at)
        out["reason"] = certificate.revoked_reason
    out["credential"] = signed_credential(certificate)
    out["jwt"] = sign(certificate)
    return out


def credential_of(payload: bytes | dict) -> dict:
    """The credential inside a JWT payload: without the registered claims derived from it."""
    claims = json.loads(payload) if isinstance(payload, bytes) else payload
    return {k: v for k, v in claims.items() if k not in _CLAIMS}


# --- checking a credential someone brings ------------------------------------------------

class CredentialInputError(ValueError):
    """What was pasted or uploaded is not a credential at all; the message says what to do."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass
class CredentialCheck:
    status: str  # "valid" | "revoked" | "tampered" | "unknown"
    certificate: Certificate | None = None
    credential: dict | None = None
    reason: str | None = None  # for "tampered": what failed, for the curious


def read_input(data: bytes | str) -> str | dict:
    """The credential in a pasted or uploaded text: a compact JWT (itself, or the signed "jwt"
    of the JSON /verify/<code>.json gives, never its unsigned fields), or a JSON-LD credential
    with its proof (the file /verify/<code>.jsonld gives)."""
    if isinstance(data, bytes):
        if len(data) > MAX_INPUT_BYTES:
            raise CredentialInputError(too_large_message(), 413)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CredentialInputError(_l(
                "Tệp này không phải văn bản (UTF-8). Hãy chọn tệp .json hoặc .jwt tải từ "
                "trang xác minh của Học vụ số.")) from None
    else:
        text = data
        if len(text.encode("utf-8", "replace")) > MAX_INPUT_BYTES:
            raise CredentialInputError(too_large_message(), 413)
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise CredentialInputError(_l("Hãy dán chứng chỉ số (JWT hoặc tệp JSON) hoặc chọn tệp."))
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            raise CredentialInputError(_l(
                "Nội dung JSON không đọc được (sai cú pháp). Hãy dùng nguyên tệp tải từ trang "
                "xác minh, không sửa gì.")) from None
        token = parsed.get("jwt") if isinstance(parsed, dict) else None
        if token is None and isinstance(parsed, dict) and isinstance(parsed.get("proof"), dict):
            return parsed  # the JSON-LD credential alone: the file a wallet keeps
        if not isinstance(token, str):
            raise CredentialInputError(_l(
                "Tệp JSON này không có chữ ký số (trường “jwt” hoặc “proof”), nên không thể "
                "kiểm tra. Hãy dùng tệp tải từ trang xác minh hoặc trang chứng chỉ của Học vụ "
                "số, hoặc dán chuỗi JWT."))
        text = token.strip()
    if not _JWS_SHAPE.match(text):
        raise CredentialInputError(_l(
            "Đây không phải chứng chỉ số của Học vụ số: cần một chuỗi JWT (ba phần nối bằng "
            "dấu chấm) hoặc tệp JSON tải từ trang xác minh."))
    return text


def too_large_message():
    return _l("Tệp hoặc nội dung quá lớn (tối đa %(n)d KB), lớn hơn mọi chứng chỉ số của Học "
              "vụ số: hãy kiểm tra lại tệp đã chọn.", n=MAX_INPUT_BYTES // 1024)


def check(credential: str | dict, find_by_code) -> CredentialCheck:
    """valid / revoked / tampered / unknown for what read_input gave.

    `find_by_code(code)` looks the certificate up, so this stays free of queries."""
    if isinstance(credential, dict):
        return _check_linked_data(credential, find_by_code)
    token = credential
    jose = _jose()
    try:
        header = jose.jws.extract_compact(token.encode("ascii")).headers()
    except (jose.JoseError, ValueError, TypeError, binascii.Error):
        return CredentialCheck("tampered", reason="header")
    kid = header.get("kid") if isinstance(header, dict) else None
    # Our DID URL (since did:web) or the bare key id (tokens issued before it); a jwk in the
    # header is never trusted: the key must be one we publish.
    key = keys.find_key(did.kid_of(kid) or kid) if isinstance(kid, str) else None
    if key is None:
        return CredentialCheck("tampered", reason="kid")
    try:
        verified = jose.jwt.decode(token, jose.OKPKey.import_key(key.public_jwk()),
                                   algorithms=list(ACCEPTED_ALGORITHMS),
                                   registry=_registry(ACCEPTED_ALGORITHMS))
    except (jose.JoseError, ValueError, TypeError):
        return CredentialCheck("tampered", reason="signature")
    return _known(credential_of(verified.claims), find_by_code)


# Canonicalising is costly and grows with the number of nodes: a credential of 24
# competences has ~150 objects 6 deep, so a file with many more, or deeper, is not ours.
MAX_LINKED_DATA_OBJECTS = 1000
MAX_LINKED_DATA_DEPTH = 16


def _check_linked_data(credential: dict, find_by_code) -> CredentialCheck:
    """A JSON-LD credential: its DataIntegrityProof must be by one of our keys, over exactly
    the contexts we issue with, before anything of it is canonicalised."""
    if credential.get("@context") != CONTEXT or not _small(credential):
        return CredentialCheck("tampered", reason="shape")
    try:
        verify_signed(credential)
    except dataintegrity.ProofError as exc:
        return CredentialCheck("tampered", reason=str(exc))
    return _known({k: v for k, v in credential.items() if k != "proof"}, find_by_code)


def _small(document: dict) -> bool:
    """At most MAX_LINKED_DATA_OBJECTS objects, nested at most MAX_LINKED_DATA_DEPTH deep
    (walked without recursion: the JSON parser allows far deeper nesting than Python's stack)."""
    objects, stack = 0, [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_LINKED_DATA_DEPTH:
            return False
        if isinstance(value, dict):
            objects += 1
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        if objects > MAX_LINKED_DATA_OBJECTS:
            return False
    return True


def _known(credential: dict, find_by_code) -> CredentialCheck:
    """A credential whose signature holds: valid or revoked if we hold it, else unknown."""
    credential_id = credential.get("id")
    code = None
    if isinstance(credential_id, str) and "/verify/" in credential_id:
        code = credential_id.rsplit("/verify/", 1)[-1]
    certificate = find_by_code(code) if code else None
    if certificate is None:
        return CredentialCheck("unknown", credential=credential)
    return CredentialCheck("revoked" if certificate.revoked else "valid",
                           certificate=certificate, credential=credential)
