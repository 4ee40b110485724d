"""`flask ops backup` then `flask ops restore` into an empty PostgreSQL database and another
keys folder: every certificate still verifies (page, JSON, signature, status list), every
table has as many rows, and the restored site serves and signs people in."""

import io
import json
import os
import secrets
import tarfile

import psycopg
import pytest
import sqlalchemy as sa

from app.auth import services as accounts
from app.certificates import keys, status
from app.certificates import services as certificates
from app.extensions import db
from app.localities import communes
from app.ops import backup as backups
from tests.certificates.test_certificates import _complete_course, _last_step
from tests.certificates.test_credentials import verifies
from tests.conftest import PG_SERVER, TEST_PASSWORD, Auth, _driver_url, csrf_token

pytestmark = pytest.mark.integration  # PostgreSQL databases of its own, pg_dump, pg_restore

BASE = "https://hocvuso.example.vn"
PASSPHRASE = "cụm mật khẩu sao lưu của tỉnh 2026"


@pytest.fixture
def empty_database():
    name = f"hocvuso_restore_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _site(make_app, database: str, keys_dir, **config):
    return make_app(SQLALCHEMY_DATABASE_URI=_driver_url(f"{PG_SERVER}/{database}"),
                    CREDENTIAL_KEYS_DIR=str(keys_dir), BASE_URL=BASE,
                    CERTIFICATE_PDF_CACHE_DIR=str(keys_dir) + "-pdfs",
                    PASSWORD_HASH_METHOD="scrypt:1024:8:1", **config)


def _learners(app) -> list[str]:
    """Four learners, three certificates (one revoked), a failed attempt and an admin."""
    with app.app_context():
        commune = communes(38)[0][0]
        ids = [accounts.register(full_name=f"Lê Thị Hoa {i}", login=f"hoa{i}@example.vn",
                                 password=TEST_PASSWORD, group_slug="nguoi-dan", province_code=38,
                                 commune_code=commune, consent=True).id for i in range(4)]
        admin = accounts.register(full_name="Quản trị", login="qt@example.vn",
                                  password=TEST_PASSWORD, group_slug="can-bo", province_code=38,
                                  commune_code=commune, role="admin", consent=True).id
    codes = []
    for user_id in ids[:3]:
        _complete_course(app, user_id)
        with app.app_context():
            certificate, issued = _last_step(app, user_id)
            assert issued
            codes.append(certificate.code)
    with app.app_context():
        certificates.revoke(certificates.by_code(codes[1]), "Cấp nhầm người", admin)
    return codes


def _evidence(app, codes: list[str]) -> dict:
    """What a verifier sees for each certificate."""
    client = app.test_client()
    seen = {}
    for code in codes:
        page = client.get(f"/verify/{code}")
        doc = client.get(f"/verify/{code}.json").get_json()
        entry = doc["credential"].get("credentialStatus")
        listed = client.get(f"/credentials/status/{entry['statusListCredential'].rsplit('/', 1)[1]}")
        bits = status.decode(listed.get_json()["credentialSubject"]["encodedList"])
        seen[code] = {"page": page.status_code, "valid": "HỢP LỆ" in page.get_data(as_text=True),
                      "revoked": "ĐÃ THU HỒI" in page.get_data(as_text=True),
                      "status": doc["status"], "jwt": doc["jwt"],
                      "listed_revoked": status.is_set(bits, int(entry["statusListIndex"])),
                      "proof_by": listed.get_json()["proof"]["verificationMethod"]}
    return seen


def _counts(app) -> dict:
    with app.app_context():
        return backups.counts()


def test_backup_restores_into_an_empty_database_with_every_certificate_verifying(
        make_app, postgres_database, empty_database, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    source = _site(make_app, postgres_database, tmp_path / "keys-a",
                   SECRET_KEY="bí-mật-của-tỉnh-" + secrets.token_hex(8))
    codes = _learners(source)
    before = _evidence(source, codes)
    assert [(s["status"], s["listed_revoked"]) for s in before.values()] == [
        ("valid", False), ("revoked", True), ("valid", False)]
    counts = _counts(source)
    assert counts["users"] == 5 and counts["certificates"] == 3 and counts["attempts"] >= 3
    with source.app_context():
        [key] = keys.load_keys(keys.keys_dir())
        private_d = key.key.as_dict(private=True)["d"]

    archive = tmp_path / "hocvuso.backup"
    result = source.test_cli_runner().invoke(args=["ops", "backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "mã hoá bằng BACKUP_PASSPHRASE" in result.output
    raw = archive.read_bytes()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert private_d.encode() not in raw and source.config["SECRET_KEY"].encode() not in raw
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["database.pgdump", "manifest.json", "secrets.tar.enc"]
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database"]["counts"] == counts and manifest["credential_keys"] == [key.kid]
    assert manifest["content"]["commit"] and len(manifest["content"]["commit"]) == 40

    # Another machine: an empty database, an empty keys folder, its own secret key file.
    secret_file = tmp_path / "restored" / "secret_key"
    target = _site(make_app, empty_database, tmp_path / "keys-b", SECRET_KEY="autre",
                   SECRET_KEY_FILE=str(secret_file))
    monkeypatch.setenv("BACKUP_PASSPHRASE", "not the passphrase at all")
    refused = target.test_cli_runner().invoke(args=["ops", "restore", str(archive)])
    assert refused.exit_code == 1 and "BACKUP_PASSPHRASE không mở được" in refused.output
    with target.app_context():
        assert backups._tables_present() == []  # nothing was written
    assert not os.path.exists(tmp_path / "keys-b") and not secret_file.exists()
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    result = target.test_cli_runner().invoke(args=["ops", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert secret_file.read_text() == source.config["SECRET_KEY"]
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"

    # The restored site, started the way production starts it (secret key from the file).
    restored = _site(make_app, empty_database, tmp_path / "keys-b", SECRET_KEY="",
                     SECRET_KEY_FILE=str(secret_file))
    assert restored.config["SECRET_KEY"] == source.config["SECRET_KEY"]
    assert _counts(restored) == counts
    after = _evidence(restored, codes)
    for code in codes:
        old, new = before[code], after[code]
        assert {k: new[k] for k in ("page", "valid", "revoked", "status", "listed_revoked",
                                    "proof_by")} == {k: old[k] for k in ("page", "valid", "revoked",
                                                                          "status", "listed_revoked",
                                                                          "proof_by")}
    client = restored.test_client()
    jwks = client.get("/.well-known/jwks.json").get_json()
    assert [k["kid"] for k in jwks["keys"]] == [key.kid]
    for code in codes:  # the tokens handed out before the backup verify on the restored site
        assert verifies(before[code]["jwt"], jwks)
        checked = client.post("/verify/credential", data={
            "csrf_token": csrf_token(client, "/verify/credential"), "credential": before[code]["jwt"]})
        assert checked.status_code == 200
        assert ("ĐÃ THU HỒI" in checked.get_data(as_text=True)) == (code == codes[1])
    assert client.get("/").status_code == 200 and client.get("/healthz").status_code == 200
    assert Auth(client).login("hoa0@example.vn").status_code == 302  # password hashes came too


def test_restore_refuses_a_database_that_is_not_empty_and_keys_that_clash(
        make_app, postgres_database, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    site = _site(make_app, postgres_database, tmp_path / "keys")
    with site.app_context():
        keys.generate_key(keys.keys_dir())
    archive = tmp_path / "b.tar"
    assert site.test_cli_runner().invoke(args=["ops", "backup", str(archive)]).exit_code == 0
    result = site.test_cli_runner().invoke(args=["ops", "restore", str(archive)])
    assert result.exit_code == 1 and "đã có" in result.output and "--force" in result.output
    # A key file of the same id with other bytes is never overwritten, even with --force.
    with site.app_context():
        [key] = keys.load_keys(keys.keys_dir())
    with open(key.path, "a") as f:
        f.write(" ")
    result = site.test_cli_runner().invoke(args=["ops", "restore", "--force", str(archive)])
    assert result.exit_code == 1 and "không ghi đè khoá ký" in result.output


def test_without_a_passphrase_keys_stay_out_unless_the_operator_says_so(
        make_app, postgres_database, tmp_path, monkeypatch):
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    site = _site(make_app, postgres_database, tmp_path / "keys")
    with site.app_context():
        keys.generate_key(keys.keys_dir())
        private_d = keys.load_keys(keys.keys_dir())[0].key.as_dict(private=True)["d"]
    archive = tmp_path / "b.tar"
    result = site.test_cli_runner().invoke(args=["ops", "backup", str(archive)])
    assert result.exit_code == 1 and "BACKUP_PASSPHRASE" in result.output and not archive.exists()
    result = site.test_cli_runner().invoke(args=["ops", "backup", "--keys-in-clear", str(archive)])
    assert result.exit_code == 0 and "KHÔNG mã hoá" in result.output
    with tarfile.open(archive) as tar:
        inner = tarfile.open(fileobj=io.BytesIO(tar.extractfile("secrets.tar").read()))
        assert private_d in inner.extractfile(inner.getnames()[0]).read().decode()
