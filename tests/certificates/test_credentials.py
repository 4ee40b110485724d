"""The signed credential: Open Badges 3.0 JSON, VC-JWT with Ed25519, published keys, rotation,
and the public check of a pasted or uploaded credential, hostile input included."""

import base64
import io
import json
import os
import stat
from datetime import datetime, timezone

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.certificates import credentials, keys, services
from app.certificates.models import Certificate
from app.extensions import db
from tests.conftest import csrf_token

BASE = "https://hocvuso.example.vn"
DID = "did:web:hocvuso.example.vn"
MAX = credentials.MAX_INPUT_BYTES
FRAMEWORK = "Khung năng lực số (Thông tư 02/2025/TT-BGDĐT)"


def b64d(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def verifies(token: str, jwks: dict) -> bool:
    """Ed25519 verification written from RFC 7515/8037 with `cryptography`, not our code."""
    h, p, s = token.split(".")
    header = json.loads(b64d(h))
    kid = str(header.get("kid", "")).removeprefix(f"{DID}#")  # a DID URL, or a bare kid
    jwk = next((k for k in jwks["keys"] if k["kid"] == kid), None)
    if jwk is None or header.get("alg") not in ("EdDSA", "Ed25519") or jwk["crv"] != "Ed25519":
        return False
    try:
        Ed25519PublicKey.from_public_bytes(b64d(jwk["x"])).verify(b64d(s), f"{h}.{p}".encode())
    except InvalidSignature:
        return False
    return True


def check(client, *, text: str | None = None, upload: bytes | None = None, filename="c.json"):
    data = {"csrf_token": csrf_token(client, "/verify/credential"), "credential": text or ""}
    if upload is not None:
        data["file"] = (io.BytesIO(upload), filename)
    response = client.post("/verify/credential", data=data, content_type="multipart/form-data")
    return response, response.get_data(as_text=True)


def test_json_credential_is_an_open_badge_signed_with_a_published_key(app, client,
                                                                      issue_certificate):
    code = issue_certificate(full_name="Trịnh Thị Ngọc Ánh", login="anh@example.vn")
    response = client.get(f"/verify/{code}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["status"] == "valid" and "revoked_at" not in doc
    vc = doc["credential"]
    url = f"{BASE}/verify/{code}"
    assert vc["@context"] == ["https://www.w3.org/ns/credentials/v2",
                              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == url
    assert vc["issuer"] == {"id": DID, "type": ["Profile"], "name": "Học vụ số", "url": BASE}
    with app.app_context():
        certificate = services.by_code(code)
        assert vc["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        competences = certificate.competences
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["name"] == "Trịnh Thị Ngọc Ánh"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "Kỹ năng số cơ bản"
    assert achievement["description"] and achievement["criteria"]["narrative"]
    assert [(a["targetCode"], a["targetName"]) for a in achievement["alignment"]] == [
        (c["code"], c["name"]) for c in competences]
    assert all(a["type"] == ["Alignment"] and a["targetFramework"] == FRAMEWORK
               and a["targetType"] == "CFItem" for a in achievement["alignment"])
    results = subject["result"]
    descriptions = {d["id"]: d for d in achievement["resultDescription"]}
    assert [(descriptions[r["resultDescription"]]["alignment"][0]["targetCode"], r["value"])
            for r in results] == [(c["code"], f"{c['correct']}/{c['total']}") for c in competences]
    levels = {level["id"]: level["level"] for d in achievement["resultDescription"]
              for level in d.get("rubricCriterionLevel", [])}
    assert [r["resultDescription"] for r in results] == [
        d["id"] for d in achievement["resultDescription"]]
    assert [levels.get(r.get("achievedLevel")) for r in results] == [
        c["level"] for c in competences]
    # The JWT carries exactly this credential, plus the registered claims taken from it.
    h, p, _s = doc["jwt"].split(".")
    header, payload = json.loads(b64d(h)), json.loads(b64d(p))
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT" and header["kid"]
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf")} == {
        k: v for k, v in vc.items() if k != "proof"}
    assert payload["iss"] == DID and payload["jti"] == url
    assert payload["nbf"] == int(datetime.fromisoformat(vc["validFrom"].replace("Z", "+00:00"))
                                 .timestamp())
    jwks = client.get("/.well-known/jwks.json").get_json()
    assert verifies(doc["jwt"], jwks)
    assert all(set(k) == {"kty", "crv", "x", "kid", "use"} for k in jwks["keys"])  # no "d"
    # Nothing private: the learner's login is nowhere in the answer.
    assert "anh@example.vn" not in response.get_data(as_text=True)
    # (the hashed login's identityType names the kind of login, never the login itself)
    claims = json.dumps(payload).replace('"identityType": "emailAddress"', "")
    assert "email" not in claims and "phone" not in claims


def _positions(length: int, spread: int = 96) -> list[int]:
    import random

    ends = set(range(min(32, length))) | set(range(max(0, length - 32), length))
    return sorted(ends | set(random.Random(length).sample(range(length), min(spread, length))))


def test_changing_any_byte_of_the_payload_breaks_the_signature(app, client, issue_certificate):
    code = issue_certificate()
    token = client.get(f"/verify/{code}.json").get_json()["jwt"]
    jwks = client.get("/.well-known/jwks.json").get_json()
    h, p, s = token.split(".")
    payload = b64d(p)
    assert verifies(token, jwks)
    # Ed25519 itself is not under test: a sample of positions (the ends, where the claims
    # and the name sit, and a seeded spread) shows the signature covers the whole payload.
    for i in _positions(len(payload)):  # bytes of the decoded payload
        changed = payload[:i] + bytes([payload[i] ^ 0x01]) + payload[i + 1:]
        assert not verifies(f"{h}.{b64e(changed)}.{s}", jwks), i
    for i in _positions(len(p)):  # characters of the encoded payload
        replacement = "A" if p[i] != "A" else "B"
        assert not verifies(f"{h}.{p[:i]}{replacement}{p[i + 1:]}.{s}", jwks), i
    # And the site's own check says so, on a spread of positions.
    with app.app_context():
        for i in range(0, len(payload), max(1, len(payload) // 40)):
            changed = payload[:i] + bytes([payload[i] ^ 0x01]) + payload[i + 1:]
            result = credentials.check(f"{h}.{b64e(changed)}.{s}", services.by_code)
            assert result.status == "tampered", i


def test_check_page_answers_valid_tampered_and_takes_a_file(app, client, issue_certificate):
    code = issue_certificate(full_name="Mai Văn Sơn")
    doc = client.get(f"/verify/{code}.json").get_json()
    response, html = check(client, text=doc["jwt"])
    assert response.status_code == 200 and "HỢP LỆ" in html and "Mai Văn Sơn" in html
    # The JSON file as downloaded from /verify/<code>.json, uploaded.
    response, html = check(client, upload=json.dumps(doc, ensure_ascii=False).encode())
    assert response.status_code == 200 and "HỢP LỆ" in html
    # A forger edits the name in the payload and keeps the signature.
    h, p, s = doc["jwt"].split(".")
    claims = json.loads(b64d(p))
    claims["credentialSubject"]["name"] = "Kẻ Giả Mạo"
    forged = f"{h}.{b64e(json.dumps(claims, ensure_ascii=False).encode())}.{s}"
    response, html = check(client, text=forged)
    assert response.status_code == 200 and "ĐÃ BỊ SỬA" in html and "HỢP LỆ" not in html
    assert "Kẻ Giả Mạo" not in html  # nothing from an unverified file is shown as fact
    # Unsigned fields of the JSON file are ignored: only its "jwt" counts.
    doc["credential"]["credentialSubject"]["name"] = "Kẻ Giả Mạo"
    doc["jwt"] = forged
    _, html = check(client, upload=json.dumps(doc).encode())
    assert "ĐÃ BỊ SỬA" in html


def test_credential_signed_by_a_rotated_out_key_still_verifies(app, client, issue_certificate):
    code = issue_certificate()
    old = client.get(f"/verify/{code}.json").get_json()["jwt"]
    old_kid = json.loads(b64d(old.split(".")[0]))["kid"].removeprefix(f"{DID}#")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["credentials", "generate-key"])
    assert result.exit_code == 0, result.output
    new = client.get(f"/verify/{code}.json").get_json()["jwt"]
    new_kid = json.loads(b64d(new.split(".")[0]))["kid"].removeprefix(f"{DID}#")
    assert new_kid != old_kid and new_kid in result.output  # the newest key signs
    jwks = client.get("/.well-known/jwks.json").get_json()
    assert {k["kid"] for k in jwks["keys"]} == {old_kid, new_kid}
    assert verifies(old, jwks) and verifies(new, jwks)
    _, html = check(client, text=old)
    assert "HỢP LỆ" in html
    listing = runner.invoke(args=["credentials", "list-keys"]).output.splitlines()
    assert [line.split()[0] for line in listing] == [old_kid, new_kid]
    assert "signs" in listing[1] and "signs" not in listing[0]
    # Removing a key (say, one that leaked) makes what it signed fail.
    os.remove(os.path.join(app.config["CREDENTIAL_KEYS_DIR"], f"{old_kid}.json"))
    _, html = check(client, text=old)
    assert "ĐÃ BỊ SỬA" in html


def test_generated_key_file_is_private_and_dev_makes_one_on_first_use(app, client,
                                                                     issue_certificate):
    directory = app.config["CREDENTIAL_KEYS_DIR"]
    assert not os.path.exists(directory)
    code = issue_certificate()
    client.get(f"/verify/{code}.json")
    client.get(f"/verify/{code}.json")
    files = [f for f in os.listdir(directory) if f.endswith(".json")]
    assert len(files) == 1  # made once, then reused
    mode = os.stat(os.path.join(directory, files[0])).st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    with open(os.path.join(directory, files[0])) as f:
        assert "d" in json.load(f)  # the private key lives only in that file


def test_missing_key_outside_development_is_a_clear_error(app, issue_certificate, monkeypatch):
    code = issue_certificate()
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.setitem(app.config, "TESTING", False)
    with app.app_context():
        with pytest.raises(keys.CredentialKeyError, match="flask credentials generate-key"):
            credentials.sign(services.by_code(code))
    assert not os.path.exists(app.config["CREDENTIAL_KEYS_DIR"])


def test_ed25519_alg_name_verifies_too(app, client, issue_certificate, monkeypatch):
    code = issue_certificate()
    monkeypatch.setitem(app.config, "CREDENTIAL_JWS_ALG", "Ed25519")
    token = client.get(f"/verify/{code}.json").get_json()["jwt"]
    assert json.loads(b64d(token.split(".")[0]))["alg"] == "Ed25519"
    monkeypatch.setitem(app.config, "CREDENTIAL_JWS_ALG", "EdDSA")
    _, html = check(client, text=token)
    assert "HỢP LỆ" in html


def test_validly_signed_credential_of_an_unknown_code(app, client, issue_certificate):
    issue_certificate()
    with app.app_context():
        ghost = Certificate(code="ma-khong-co-trong-co-so-du-lieu-1", kind="course",
                            course_slug="ky-nang-so-co-ban", holder_name="Người Ảo",
                            title="Kỹ năng số cơ bản", competences=[],
                            issued_at=datetime(2026, 1, 2, tzinfo=timezone.utc))
        token = credentials.sign(ghost)
    response, html = check(client, text=token)
    assert response.status_code == 200 and "KHÔNG CÓ TRONG HỆ THỐNG" in html
    assert "Người Ảo" not in html


def test_unknown_code_is_404_in_html_and_json(client):
    assert client.get("/verify/khong-co-ma-nay").status_code == 404
    response = client.get("/verify/khong-co-ma-nay.json")
    assert response.status_code == 404 and response.get_json() == {"status": "unknown"}


def _forged_tokens(jwks: dict, token: str) -> list[str]:
    h, p, s = token.split(".")
    kid = jwks["keys"][0]["kid"]
    foreign = Ed25519PrivateKey.generate()

    def signed(header: dict, key=foreign) -> str:
        head = b64e(json.dumps(header).encode())
        return f"{head}.{p}.{b64e(key.sign(f'{head}.{p}'.encode()))}"

    return [
        signed({"alg": "EdDSA", "kid": kid}),  # someone else's key under our key id
        signed({"alg": "EdDSA", "kid": f"{DID}#{kid}"}),  # … and under its DID URL
        signed({"alg": "EdDSA", "kid": f"did:web:evil.example#{kid}"}),  # another DID
        # Our kid, but the attacker's key in the header's jwk: the jwk is never trusted.
        signed({"alg": "EdDSA", "kid": f"{DID}#{kid}", "jwk": {
            "kty": "OKP", "crv": "Ed25519",
            "x": b64e(foreign.public_key().public_bytes_raw())}}),
        signed({"alg": "EdDSA", "kid": "their-own-key"}),
        signed({"alg": "EdDSA"}),  # no key id
        f"{b64e(json.dumps({'alg': 'none', 'kid': kid}).encode())}.{p}.AAAA",
        f"{b64e(json.dumps({'alg': 'HS256', 'kid': kid}).encode())}.{p}.{s}",
        f"{h}.{p}.{s[:-4]}AAAA",
        f"{h}.{p}.{s}{s}",
        f"AAAA.{p}.{s}",  # a header that is not JSON
        f"{b64e(b'[1,2]')}.{p}.{s}",  # a header that is JSON, not an object
    ]


def test_forged_tokens_are_tampered_never_an_error(app, client, issue_certificate):
    code = issue_certificate()
    token = client.get(f"/verify/{code}.json").get_json()["jwt"]
    jwks = client.get("/.well-known/jwks.json").get_json()
    for forged in _forged_tokens(jwks, token):
        response, html = check(client, text=forged)
        assert response.status_code == 200 and "ĐÃ BỊ SỬA" in html, forged


@pytest.mark.parametrize("text,upload,status,message", [
    ("", None, 400, "Hãy dán chứng chỉ số"),
    ("xin chào, đây là chứng chỉ của tôi", None, 400, "không phải chứng chỉ số"),
    ("{\"jwt\": 5}", None, 400, "không có chữ ký số"),
    ("{\"credential\": {}}", None, 400, "không có chữ ký số"),
    ("[\"a.b.c\"]", None, 400, "không phải chứng chỉ số"),
    ("{\"jwt\": ", None, 400, "không đọc được"),
    ("{\"a\":" * 10000 + "1" + "}" * 10000, None, 400, "không đọc được"),  # nesting bomb
    (None, b"\xff\xfe\x00garbage\x80", 400, "không phải văn bản"),
    (None, b"%PDF-1.4 binary", 400, "không phải chứng chỉ số"),
    (None, b"a" * (MAX + 1), 413, "quá lớn"),  # just over, inside the request's limit
    # Over the request's limit: refused before it is read. (Under 500 KB, where Werkzeug's test
    # client would spool the body to a temporary file it never closes.)
    (None, b"a" * (MAX + 64 * 1024), 413, "quá lớn"),
    ("a" * (MAX + 64 * 1024), None, 413, "quá lớn"),
])
def test_hostile_input_gets_a_clear_message(client, text, upload, status, message):
    response, html = check(client, text=text, upload=upload)
    assert response.status_code == status
    assert message in html.replace("\n", " ")
    assert "Kiểm tra chứng chỉ số" in html  # the form again, to try once more


def test_check_form_needs_its_csrf_token_and_no_account(client):
    page = client.get("/verify/credential")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    assert client.head("/verify/credential").status_code == 200
    assert client.post("/verify/credential", data={"credential": "a.b.c"}).status_code == 400
    stylesheet = client.get("/certificates/static/certificates.css")
    assert stylesheet.status_code == 200 and stylesheet.mimetype == "text/css"
    stylesheet.close()


def test_public_json_and_keys_are_open_to_other_sites_verifiers(client, issue_certificate):
    code = issue_certificate()
    for url in (f"/verify/{code}.json", "/.well-known/jwks.json"):
        response = client.get(url)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.mimetype == "application/json"


def test_revoked_credential_says_revoked_in_json_and_check(app, client, issue_certificate):
    code = issue_certificate()
    token = client.get(f"/verify/{code}.json").get_json()["jwt"]
    with app.app_context():
        certificate = services.by_code(code)
        certificate.revoked_at = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
        certificate.revoked_reason = "Cấp nhầm người"
        db.session.commit()
    doc = client.get(f"/verify/{code}.json").get_json()
    assert doc["status"] == "revoked" and doc["revoked_at"] == "2026-11-20T03:00:00Z"
    assert doc["reason"] == "Cấp nhầm người" and doc["jwt"] == token  # same signed credential
    _, html = check(client, text=token)
    assert "ĐÃ THU HỒI" in html and "20/11/2026" in html and "HỢP LỆ" not in html
