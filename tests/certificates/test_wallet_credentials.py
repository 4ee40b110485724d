"""Credentials that wallets and outside verifiers accept: did:web, the Data Integrity proof
(eddsa-rdfc-2022) checked by the DCC's own verifier in Node, the VC-JWT's kid resolved through
the DID document, the Bitstring Status List, and the holder's hashed login."""

import base64
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from werkzeug.serving import WSGIRequestHandler, make_server

from app.certificates import credentials, dataintegrity, did, keys, services, status
from app.certificates.models import Certificate
from app.extensions import db
from app.i18n import format_day
from tests.certificates.test_credentials import check

BASE = "https://hocvuso.example.vn"
DID = "did:web:hocvuso.example.vn"
ROOT = Path(__file__).resolve().parents[2]
VERIFY_SCRIPT = ROOT / "tests" / "certificates" / "dcc_verify.mjs"
VERIFIER = ROOT / "node_modules" / "@digitalcredentials" / "verifier-core"


def b64d(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def multikey_to_raw(multibase: str) -> bytes:
    """z6Mk… -> the 32-byte Ed25519 key: base58btc, then the 0xed 0x01 multicodec prefix."""
    assert multibase.startswith("z")
    decoded = dataintegrity.base58btc_decode(multibase[1:])
    assert decoded[:2] == b"\xed\x01" and len(decoded) == 34
    return decoded[2:]


def revoke(app, code: str, reason: str = "Cấp nhầm người") -> None:
    with app.app_context():
        admin = db.session.scalar(sa.select(Certificate.user_id).where(Certificate.code == code))
        services.revoke(services.by_code(code), reason, admin)


# --- the DID document ----------------------------------------------------------------------

def test_did_document_publishes_every_key_as_a_multikey_assertion_method(app, client,
                                                                          issue_certificate):
    code = issue_certificate()
    assert client.get(f"/verify/{code}.json").status_code == 200  # signed: the first key
    with app.app_context():
        keys.generate_key(keys.keys_dir())  # a rotation: the old key stays published
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200 and response.mimetype == "application/did+json"
    assert "max-age=300" in response.headers["Cache-Control"]
    document = response.get_json()
    assert document["id"] == DID
    assert "https://www.w3.org/ns/did/v1" in document["@context"]
    jwks = {k["kid"]: k for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    assert len(jwks) == 2
    methods = {m["id"]: m for m in document["verificationMethod"]}
    assert set(methods) == {f"{DID}#{kid}" for kid in jwks}
    assert document["assertionMethod"] == list(methods)
    for kid, jwk in jwks.items():
        method = methods[f"{DID}#{kid}"]
        assert method["type"] == "Multikey" and method["controller"] == DID
        assert method["publicKeyMultibase"].startswith("z6Mk")
        assert multikey_to_raw(method["publicKeyMultibase"]) == b64d(jwk["x"])
    # Public keys only: nothing else in a verification method.
    assert all(set(m) == {"id", "type", "controller", "publicKeyMultibase"}
               for m in methods.values())


def test_a_port_in_base_url_is_part_of_the_did(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:5000")
    with app.app_context():
        assert did.issuer_did() == "did:web:127.0.0.1%3A5000"
        assert did.method_id("k1") == "did:web:127.0.0.1%3A5000#k1"


# --- the JSON-LD credential and its proof ----------------------------------------------------

def test_json_ld_credential_is_an_open_badge_with_a_data_integrity_proof(app, client,
                                                                        issue_certificate):
    code = issue_certificate(full_name="Trịnh Thị Ngọc Ánh", login="anh@example.vn")
    response = client.get(f"/verify/{code}.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    vc = response.get_json()
    assert vc["@context"] == ["https://www.w3.org/ns/credentials/v2",
                              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"] == DID and vc["issuer"]["url"] == BASE
    proof = vc["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["created"] == vc["validFrom"]
    assert proof["verificationMethod"].startswith(f"{DID}#")
    assert len(dataintegrity.base58btc_decode(proof["proofValue"][1:])) == 64
    # /verify/<code>.json carries the same signed credential beside the VC-JWT.
    assert client.get(f"/verify/{code}.json").get_json()["credential"] == vc
    with app.app_context():
        assert credentials.verify_signed(vc) == proof
        # The same certificate and key give the same bytes (downloads can be compared).
        assert credentials.signed_credential(services.by_code(code)) == vc


def test_one_changed_character_breaks_the_proof(app, client, issue_certificate):
    code = issue_certificate(full_name="Lê Văn Tám")
    vc = client.get(f"/verify/{code}.jsonld").get_json()
    with app.app_context():
        credentials.verify_signed(vc)
        for change in (lambda c: c["credentialSubject"].update(name="Lê Văn Tâm"),
                       lambda c: c.update(validFrom=c["validFrom"].replace("20", "21", 1)),
                       lambda c: c["credentialStatus"].update(statusListIndex="0"),
                       lambda c: c["proof"].update(created="2020-01-01T00:00:00Z")):
            forged = json.loads(json.dumps(vc))
            change(forged)
            with pytest.raises(dataintegrity.ProofError):
                credentials.verify_signed(forged)


def test_canonicalisation_needs_no_network(app, monkeypatch):
    """Only the shipped contexts load; pyld's own (HTTP) loader is never used."""
    def no_network(*_args, **_kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(dataintegrity._jsonld(), "_default_document_loader", no_network)  # pyld
    assert dataintegrity.canonical({"@context": ["https://www.w3.org/ns/credentials/v2"],
                                    "id": "urn:x", "name": "Ánh"})
    with pytest.raises(dataintegrity.ProofError):
        dataintegrity.canonical({"@context": "https://example.org/not-shipped", "a": 1})


def test_the_holder_is_a_salted_hash_of_the_login_and_the_name_a_display_field(
        app, client, issue_certificate):
    code = issue_certificate(full_name="Phạm Thị Dung", login="dung@example.vn")
    subject = client.get(f"/verify/{code}.jsonld").get_json()["credentialSubject"]
    assert subject["name"] == "Phạm Thị Dung"
    [identity] = subject["identifier"]
    assert identity["type"] == "IdentityObject" and identity["hashed"] is True
    assert identity["identityType"] == "emailAddress"
    salt = identity["salt"]
    assert len(salt) == 32
    assert identity["identityHash"] == (
        "sha256$" + hashlib.sha256(f"dung@example.vn{salt}".encode()).hexdigest())
    assert "dung@example.vn" not in client.get(f"/verify/{code}.json").get_data(as_text=True)
    with app.app_context():
        certificate = services.by_code(code)
        assert (certificate.subject_salt, certificate.subject_hash) == (
            salt, identity["identityHash"])
    other = issue_certificate(full_name="Phạm Thị Dung", login="0987654321")
    identity = client.get(f"/verify/{other}.jsonld").get_json()["credentialSubject"]["identifier"]
    assert identity[0]["identityType"] == "identifier" and identity[0]["salt"] != salt


def test_the_check_page_takes_the_wallet_file_too(app, client, issue_certificate):
    code = issue_certificate(full_name="Đinh Thị Mai")
    data = client.get(f"/verify/{code}.jsonld").data
    response, html = check(client, upload=data, filename="HVS-vi.json")
    assert response.status_code == 200 and "HỢP LỆ" in html and "Đinh Thị Mai" in html
    vc = json.loads(data)
    vc["credentialSubject"]["name"] = "Đinh Thị Mại"
    _, html = check(client, text=json.dumps(vc, ensure_ascii=False))
    assert "ĐÃ BỊ SỬA" in html
    # Signed by a key that is not ours (same method id), or shaped to make canonicalising
    # slow: tampered, never a 500 and never canonicalised.
    foreign = dataintegrity.add_proof({k: v for k, v in json.loads(data).items() if k != "proof"},
                                      Ed25519PrivateKey.generate(),
                                      vc["proof"]["verificationMethod"], vc["validFrom"])
    _, html = check(client, text=json.dumps(foreign))
    assert "ĐÃ BỊ SỬA" in html
    body = data.decode().rstrip().removesuffix("}")
    for hostile in (body + ', "deep": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}",
                    body + ', "many": [' + ", ".join(['{"n": 1}'] * 5000) + "]}",
                    json.dumps({**json.loads(data), "@context": ["https://example.org/c"]})):
        response, html = check(client, text=hostile)
        assert response.status_code == 200 and "ĐÃ BỊ SỬA" in html
    revoke(app, code)
    _, html = check(client, upload=data, filename="HVS-vi.json")
    assert "ĐÃ THU HỒI" in html


# --- the VC-JWT, resolved the way the 1EdTech validator does ----------------------------------

def test_jwt_kid_resolves_to_one_key_through_the_did_document(app, client, issue_certificate):
    code = issue_certificate()
    doc = client.get(f"/verify/{code}.json").get_json()
    token = doc["jwt"]
    h, p, s = token.split(".")
    header = json.loads(b64d(h))
    assert header["alg"] in ("EdDSA", "Ed25519")
    did_url, _, fragment = header["kid"].partition("#")
    assert did_url == DID and fragment
    # did:web:hocvuso.example.vn -> https://hocvuso.example.vn/.well-known/did.json
    assert "https://" + did_url.removeprefix("did:web:").replace("%3A", ":") == BASE
    document = client.get("/.well-known/did.json").get_json()
    [method] = [m for m in document["verificationMethod"] if m["id"] == header["kid"]]
    assert header["kid"] in document["assertionMethod"]
    raw = multikey_to_raw(method["publicKeyMultibase"])
    Ed25519PublicKey.from_public_bytes(raw).verify(b64d(s), f"{h}.{p}".encode())
    with pytest.raises(InvalidSignature):
        Ed25519PublicKey.from_public_bytes(raw).verify(b64d(s), f"{h}.{p}x".encode())
    # The header's jwk is that same key; the payload the same credential and status.
    assert header["jwk"]["kty"] == "OKP" and b64d(header["jwk"]["x"]) == raw
    assert "d" not in header["jwk"]
    payload = json.loads(b64d(p))
    assert payload["iss"] == DID and payload["issuer"]["id"] == DID
    assert payload["credentialStatus"] == doc["credential"]["credentialStatus"]
    assert credentials.credential_of(payload) == {
        k: v for k, v in doc["credential"].items() if k != "proof"}


def test_both_algorithm_names_and_old_bare_kids_still_verify(app, client, issue_certificate,
                                                             monkeypatch):
    code = issue_certificate()
    with app.app_context():
        certificate = services.by_code(code)
        for alg in ("EdDSA", "Ed25519"):
            monkeypatch.setitem(app.config, "CREDENTIAL_JWS_ALG", alg)
            result = credentials.check(credentials.sign(certificate), services.by_code)
            assert result.status == "valid", alg


def test_rotated_keys_keep_verifying_both_forms(app, client, issue_certificate):
    code = issue_certificate()
    before = client.get(f"/verify/{code}.json").get_json()
    with app.app_context():
        keys.generate_key(keys.keys_dir())
    after = client.get(f"/verify/{code}.json").get_json()
    old_method = before["credential"]["proof"]["verificationMethod"]
    new_method = after["credential"]["proof"]["verificationMethod"]
    assert old_method != new_method  # the newest key signs from now on
    with app.app_context():
        for doc in (before, after):
            credentials.verify_signed(doc["credential"])
            assert credentials.check(doc["jwt"], services.by_code).status == "valid"
    published = {m["id"] for m in client.get("/.well-known/did.json").get_json()[
        "verificationMethod"]}
    assert {old_method, new_method} <= published


# --- the status list -------------------------------------------------------------------------

def test_status_entry_points_at_a_signed_list_that_flips_on_revocation(app, client,
                                                                       issue_certificate):
    code = issue_certificate()
    vc = client.get(f"/verify/{code}.jsonld").get_json()
    entry = vc["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    url = entry["statusListCredential"]
    assert url.startswith(f"{BASE}/credentials/status/")
    assert entry["id"] == f"{url}#{entry['statusListIndex']}"
    index = int(entry["statusListIndex"])

    def fetch():
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200
        assert "max-age=300" in response.headers["Cache-Control"]
        listed = response.get_json()
        assert listed["id"] == url and listed["issuer"] == DID
        assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        subject = listed["credentialSubject"]
        assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
        with app.app_context():
            credentials.verify_signed(listed)
        assert subject["encodedList"].startswith("u")
        bits = gzip.decompress(b64d(subject["encodedList"][1:]))
        assert len(bits) * 8 >= 131_072
        return listed, bool(bits[index // 8] & (0x80 >> (index % 8)))

    before, revoked = fetch()
    assert not revoked
    revoke(app, code)
    after, revoked = fetch()
    assert revoked and after["proof"]["proofValue"] != before["proof"]["proofValue"]
    # The VC-JWT names the same position.
    with app.app_context():
        assert credentials.check(client.get(f"/verify/{code}.json").get_json()["jwt"],
                                 services.by_code).status == "revoked"
    for missing in ("999", "0", "99999999999999999999999", "-1", "1x"):
        assert client.get(f"/credentials/status/{missing}").status_code == 404, missing


def test_status_indexes_are_random_unique_and_never_reused(app, issue_certificate, monkeypatch):
    codes = [issue_certificate(full_name=f"Người học {n}") for n in range(6)]
    with app.app_context():
        rows = [services.by_code(code) for code in codes]
        positions = [(c.status_list, c.status_index) for c in rows]
        assert len(set(positions)) == len(positions)
        assert all(0 <= index < status.LIST_SIZE for _list, index in positions)
        # Not handed out in order: six draws from 131,072 are not consecutive.
        indexes = sorted(index for _list, index in positions)
        assert indexes != list(range(indexes[0], indexes[0] + len(indexes)))
        # A drawn index that is taken is drawn again.
        taken = rows[0].status_index
        draws = iter([taken, taken, 4242 if taken != 4242 else 4243])
        monkeypatch.setattr(status.secrets, "randbelow", lambda _n: next(draws))
        assert status.allocate() == (rows[0].status_list, 4242 if taken != 4242 else 4243)
        monkeypatch.undo()
        # And the database refuses a second certificate at a taken position.
        copy = Certificate(code=services.new_code(), user_id=rows[1].user_id, kind="course",
                           course_slug="another-course", holder_name="x", title="x",
                           competences=[], status_list=rows[0].status_list, status_index=taken)
        db.session.add(copy)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_encoded_list_round_trips(app):
    encoded = status.encode([0, 7, 8, 131_071])
    bits = status.decode(encoded)
    assert len(bits) == 16_384
    assert [i for i in (0, 1, 7, 8, 9, 131_070, 131_071) if status.is_set(bits, i)] == [
        0, 7, 8, 131_071]
    assert bits[0] == 0b1000_0001 and bits[1] == 0b1000_0000


# --- the DCC verifier (Node), against a live server ---------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live_origin(app, monkeypatch):
    """The app on a real port, BASE_URL set to it: did:web:127.0.0.1%3A<port> resolves here."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    origin = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(app.config, "BASE_URL", origin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin
    server.shutdown()
    thread.join(timeout=10)


def dcc_verify(credential: dict, origin: str, tmp_path) -> dict:
    if shutil.which("node") is None or not VERIFIER.exists():
        reason = "needs node and `npm ci` (@digitalcredentials/verifier-core)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but this {reason}")
        pytest.skip(reason)
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(["node", str(VERIFY_SCRIPT), str(path), origin], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    return out


def steps(result: dict) -> dict:
    return {step["id"]: step.get("valid", step.get("error")) for step in result.get("log", [])}


def test_the_dcc_verifier_accepts_it_then_sees_the_revocation_and_any_change(
        app, live_origin, issue_certificate, tmp_path):
    code = issue_certificate(full_name="Trịnh Thị Ngọc Ánh")
    with app.app_context():
        credential = credentials.signed_credential(services.by_code(code))
    assert credential["issuer"]["id"].startswith("did:web:127.0.0.1%3A")

    valid = dcc_verify(credential, live_origin, tmp_path)
    assert "errors" not in valid["result"], valid
    assert steps(valid["result"]) == {"valid_signature": True, "expiration": True,
                                      "revocation_status": True, "registered_issuer": False}
    # Nothing left the machine but what the test refused (the OB schema, fetched for a
    # side check the verifier reports apart).
    assert all(not url.startswith(live_origin) for url in valid["refused"])

    revoke(app, code)
    revoked = dcc_verify(credential, live_origin, tmp_path)
    assert steps(revoked["result"])["valid_signature"] is True
    assert steps(revoked["result"])["revocation_status"] is False

    tampered = json.loads(json.dumps(credential))
    tampered["credentialSubject"]["name"] = "Trịnh Thị Ngọc Anh"  # one character
    forged = dcc_verify(tampered, live_origin, tmp_path)
    assert [e["name"] for e in forged["result"]["errors"]] == ["invalid_signature"]


# --- the PDF and the certificate page ------------------------------------------------------

def first_page_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils)")
    done = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", "-", "-"], input=data,
                          capture_output=True, check=True)
    return done.stdout.decode()


def test_the_pdf_links_the_wallet_file_and_a_revoked_one_says_so_on_page_one(
        app, client, issue_certificate):
    code = issue_certificate()
    text = " ".join(first_page_text(client.get(f"/verify/{code}.pdf").data).split())
    assert f"{BASE}/verify/{code}.jsonld" in text.replace(" ", "")
    assert "ĐÃ THU HỒI" not in text
    revoke(app, code, reason="Cấp nhầm người")
    with app.test_request_context():
        day = format_day(services.by_code(code).revoked_at)  # "2/12/2026", the local date
    page = first_page_text(client.get(f"/verify/{code}.pdf").data)
    flat = " ".join(page.split())
    assert f"ĐÃ THU HỒI / REVOKED Chứng chỉ này đã bị thu hồi ngày {day}" in flat
    assert "Lý do: Cấp nhầm người" in flat
    doc = client.get(f"/verify/{code}.json").get_json()
    assert list(doc)[:2] == ["status", "notice"] and doc["status"] == "revoked"
    assert doc["notice"].startswith(f"ĐÃ THU HỒI ngày {day}") and doc["reason"] == "Cấp nhầm người"


def test_certificate_page_has_a_wallet_qr_code_and_the_file(app, client, auth, issue_certificate):
    code = issue_certificate(login="vi@example.vn")
    auth.login("vi@example.vn")
    html = client.get(f"/certificates/{code}").get_data(as_text=True)
    wallet = f"{BASE}/verify/{code}.jsonld"
    assert "Lưu vào ví" in html and "Learner Credential Wallet" in html
    assert f'href="/verify/{code}.jsonld"' in html and "download=" in html
    assert f"<title>{wallet}</title>" in html  # the second QR code's content
    assert services.qr_svg(wallet) in html


# --- flask demo load ---------------------------------------------------------------------------

def test_demo_load_gives_one_learner_a_real_certificate_and_prints_its_url(make_app, tmp_path):
    demo = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/demo.sqlite3",
                    CREDENTIAL_KEYS_DIR=str(tmp_path / "keys"), BASE_URL=BASE)
    with demo.app_context():
        upgrade()
    runner = demo.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    [line] = [x for x in first.output.splitlines() if "nguoidan@demo.hocvuso.vn" in x]
    url = line.rsplit(" ", 1)[-1]
    assert url.startswith(f"{BASE}/verify/")
    code = url.rsplit("/", 1)[-1]
    again = runner.invoke(args=["demo", "load"])  # idempotent: the same certificate
    assert again.exit_code == 0 and url in again.output
    client = demo.test_client()
    assert "HỢP LỆ" in client.get(f"/verify/{code}").get_data(as_text=True)
    with demo.app_context():
        [certificate] = db.session.scalars(sa.select(Certificate)).all()
        assert certificate.code == code and certificate.holder_name == "Lê Thị Hoa"
        assert certificate.status_index is not None and certificate.subject_hash
        credentials.verify_signed(credentials.signed_credential(certificate))
        assert credentials.check(credentials.sign(certificate), services.by_code).status == "valid"
