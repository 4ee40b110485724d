"""One archive with everything that cannot be rebuilt, and its restore.

The archive is a tar file (0600) of:
- `manifest.json`: when, the schema revision, every table's row count, which content commit
  was live, the signing keys' ids, and how the secrets are protected;
- `database.pgdump` (`pg_dump --format=custom`) or `database.sqlite3` (SQLite's backup API);
- `secrets.tar.enc`: the credential signing keys (CREDENTIAL_KEYS_DIR) and the secret key,
  encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key derived
  by scrypt from BACKUP_PASSPHRASE; `secrets.tar` in clear only when the operator says so.

Losing the signing keys would make every credential ever issued unverifiable, so a restore
refuses to replace a key of the same id with different bytes, and checks after restoring
that every key reads and every table holds as many rows as the manifest says.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import sqlite3
# pg_dump, pg_restore and git, run with argument lists and no shell.
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from app.certificates import keys
from app.extensions import db

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

FORMAT = 1
MANIFEST = "manifest.json"
SECRETS_CLEAR, SECRETS_SEALED = "secrets.tar", "secrets.tar.enc"
KEYS_FOLDER, SECRET_FILE = "credential_keys", "secret_key"
SCRYPT = {"n": 2**17, "r": 8, "p": 1}  # 128 MiB and about half a second: once a backup
MIN_PASSPHRASE = 12


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says what to do."""


@dataclass
class Outcome:
    path: str
    manifest: dict
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the database


def _url() -> sa.engine.URL:
    return sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url: sa.engine.URL) -> tuple[str, dict]:
    """pg_dump's connection string, with the password passed in the environment (not `ps`)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict | None = None) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)  # nosec B603
    except FileNotFoundError as error:
        raise BackupError(f"Không tìm thấy {command[0]}: cài gói postgresql-client "
                          "(apt-get install postgresql-client).") from error
    if done.returncode != 0:
        raise BackupError(f"{command[0]} lỗi ({done.returncode}): {done.stderr.strip()[-2000:]}")


def counts() -> dict[str, int]:
    """Rows in every table the models know, for the manifest and the check after a restore."""
    with db.engine.connect() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in db.metadata.sorted_tables}


def _revision() -> str | None:
    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _dump_database(folder: str) -> str:
    url = _url()
    if url.get_backend_name() == "postgresql":
        target = os.path.join(folder, "database.pgdump")
        dsn, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}", dsn], env)
        return target
    if url.get_backend_name() == "sqlite":
        target = os.path.join(folder, "database.sqlite3")
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)  # consistent even while the site writes
        return target
    raise BackupError(f"Không sao lưu được loại cơ sở dữ liệu {url.get_backend_name()}.")


def _tables_present() -> list[str]:
    with db.engine.connect() as conn:
        return sa.inspect(conn).get_table_names()


def _restore_database(member_path: str, force: bool) -> None:
    url = _url()
    present = _tables_present()
    if present and not force:
        raise BackupError(f"Cơ sở dữ liệu đích đã có {len(present)} bảng. Khôi phục vào một cơ "
                          "sở dữ liệu trống, hoặc thêm --force để xoá và thay toàn bộ.")
    db.engine.dispose()  # nothing of ours holds the database while it is replaced
    if url.get_backend_name() == "postgresql":
        dsn, env = _libpq(url)
        options = ["--clean", "--if-exists"] if present else []
        # One transaction: a restore that fails half-way leaves the database as it was.
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", *options, f"--dbname={dsn}", member_path], env)
    else:
        with sqlite3.connect(member_path) as source, sqlite3.connect(url.database) as target:
            source.backup(target)


# ---------------------------------------------------------------- keys and the secret key


def _secrets_tar() -> tuple[bytes, list[str]]:
    """The keys folder (every key file, public-only ones too) and the secret key, as a tar."""
    directory = keys.keys_dir()
    kids = [k.kid for k in keys.load_keys(directory)]  # fails loudly on a broken key file
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for kid in kids:
            tar.add(os.path.join(directory, f"{kid}.json"), arcname=f"{KEYS_FOLDER}/{kid}.json")
        secret = current_app.config["SECRET_KEY"].encode()
        info = tarfile.TarInfo(SECRET_FILE)
        info.size, info.mode = len(secret), 0o600
        tar.addfile(info, io.BytesIO(secret))
    return buffer.getvalue(), kids


@cache
def _crypto() -> SimpleNamespace:
    """cryptography's Fernet and scrypt, imported by a backup or a restore, not by every web
    worker (the ops commands are part of the app)."""
    from cryptography.fernet import Fernet, InvalidToken
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return SimpleNamespace(Fernet=Fernet, InvalidToken=InvalidToken, Scrypt=Scrypt)


def _fernet(passphrase: str, salt: bytes, params: dict) -> Fernet:
    crypto = _crypto()
    key = crypto.Scrypt(salt=salt, length=32, **params).derive(passphrase.encode())
    return crypto.Fernet(base64.urlsafe_b64encode(key))


def _passphrase() -> str:
    passphrase = os.environ.get("BACKUP_PASSPHRASE", "")
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"Đặt BACKUP_PASSPHRASE (ít nhất {MIN_PASSPHRASE} ký tự) để mã hoá khoá "
                          "ký và khoá bí mật, hoặc chọn --keys-in-clear nếu tệp sao lưu được "
                          "giữ ở nơi an toàn.")
    return passphrase


def _seal(plain: bytes) -> tuple[bytes, dict]:
    salt = os.urandom(16)
    sealed = _fernet(_passphrase(), salt, SCRYPT).encrypt(plain)
    return sealed, {"cipher": "fernet", "kdf": "scrypt", **SCRYPT,
                    "salt": base64.b64encode(salt).decode()}


def _unseal(sealed: bytes, how: dict) -> bytes:
    params = {k: how[k] for k in ("n", "r", "p")}
    try:
        return _fernet(_passphrase(), base64.b64decode(how["salt"]), params).decrypt(sealed)
    except _crypto().InvalidToken as error:
        raise BackupError("BACKUP_PASSPHRASE không mở được khoá trong tệp sao lưu này "
                          "(sai cụm mật khẩu, hoặc tệp đã bị sửa).") from error


def _write_private(path: str, data: bytes) -> None:
    """Written aside with 0600, then renamed: no reader sees half a key."""
    temporary = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp")
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def _secret_key_path() -> str:
    return (current_app.config.get("SECRET_KEY_FILE")
            or os.path.join(current_app.instance_path, "secret_key"))


def _plan_secrets(plain: bytes) -> tuple[dict[str, bytes], bytes]:
    """Key files to write (name -> bytes) and the secret key; refuses a clash before writing."""
    directory = keys.keys_dir()
    files, secret = {}, b""
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member).read() if member.isfile() else None
            if member.name == SECRET_FILE:
                secret = data
            elif member.name.startswith(f"{KEYS_FOLDER}/") and data is not None:
                name = os.path.basename(member.name)  # never a path out of the folder
                if not name.endswith(".json") or name.startswith("."):
                    raise BackupError(f"Tệp lạ trong phần khoá: {member.name}")
                files[name] = data
    for name, data in files.items():
        existing = os.path.join(directory, name)
        if os.path.exists(existing):
            with open(existing, "rb") as f:
                if f.read() != data:
                    raise BackupError(f"Khoá {name} trong {directory} khác với khoá cùng tên trong "
                                      "tệp sao lưu: không ghi đè khoá ký. Hãy kiểm tra thư mục.")
    return files, secret


def _restore_secrets(files: dict[str, bytes], secret: bytes, warnings: list[str]) -> None:
    directory = keys.keys_dir()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    for name, data in files.items():
        _write_private(os.path.join(directory, name), data)
    keys.load_keys(directory)  # every restored key must read
    path = _secret_key_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    _write_private(path, secret)
    running = os.environ.get("SECRET_KEY", "").encode()  # the environment wins over the file
    if running and running != secret:
        warnings.append(f"Khoá bí mật của bản sao lưu đã ghi vào {path}, nhưng SECRET_KEY đang "
                        "đặt khác: bỏ SECRET_KEY khỏi môi trường và đặt SECRET_KEY_FILE=" + path +
                        " để phiên đăng nhập cũ còn hiệu lực.")


# ---------------------------------------------------------------- content


def _git(directory: str, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", directory, *args],  # nosec B603 B607
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def content_state() -> dict:
    directory = current_app.config["CONTENT_DIR"]
    commit = _git(directory, "rev-parse", "HEAD")
    changes = _git(directory, "status", "--porcelain", "--", ".") if commit else None
    return {"dir": directory, "commit": commit, "uncommitted_changes": bool(changes)}


# ---------------------------------------------------------------- archive


def backup(path: str, *, keys_in_clear: bool = False) -> Outcome:
    try:
        return _backup(path, keys_in_clear)
    except sa.exc.OperationalError as error:
        raise BackupError(f"Không kết nối được cơ sở dữ liệu (DATABASE_URL): {error.orig}") from error


def restore(path: str, *, force: bool = False) -> Outcome:
    try:
        return _restore(path, force)
    except sa.exc.OperationalError as error:
        raise BackupError(f"Không kết nối được cơ sở dữ liệu đích (DATABASE_URL; tạo nó trước "
                          f"bằng createdb): {error.orig}") from error


def _backup(path: str, keys_in_clear: bool) -> Outcome:
    plain, kids = _secrets_tar()
    if keys_in_clear:
        secrets_name, secrets_data, protection = SECRETS_CLEAR, plain, None
    else:
        secrets_name = SECRETS_SEALED
        secrets_data, protection = _seal(plain)
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.TemporaryDirectory(dir=folder, prefix=".hocvuso-backup-") as work:
        os.chmod(work, 0o700)
        dump = _dump_database(work)
        manifest = {
            "format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(),
            "database": {"backend": _url().get_backend_name(), "file": os.path.basename(dump),
                         "revision": _revision(), "counts": counts()},
            "content": content_state(), "credential_keys": kids,
            "secrets": {"file": secrets_name, "encryption": protection},
        }
        partial = os.path.join(work, "archive.tar")
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
            _add_bytes(tar, secrets_name, secrets_data)
            tar.add(dump, arcname=os.path.basename(dump))
        os.replace(partial, path)  # a backup file is whole or absent
    return Outcome(path=path, manifest=manifest)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    info.mtime = int(datetime.now(timezone.utc).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _read_archive(path: str, work: str) -> tuple[dict, bytes, str]:
    try:
        tar = tarfile.open(path, mode="r:")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path} không phải tệp sao lưu của Học vụ số: {error}") from error
    with tar:
        names = tar.getnames()
        if MANIFEST not in names:
            raise BackupError(f"{path} không có {MANIFEST}: không phải tệp sao lưu của Học vụ số.")
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Định dạng sao lưu {manifest.get('format')} không được hỗ trợ.")
        secrets_data = tar.extractfile(manifest["secrets"]["file"]).read()
        dump_name = manifest["database"]["file"]
        if dump_name not in ("database.pgdump", "database.sqlite3"):
            raise BackupError(f"Tên tệp cơ sở dữ liệu lạ trong bản sao lưu: {dump_name}")
        dump_path = os.path.join(work, dump_name)
        with tar.extractfile(dump_name) as source, open(dump_path, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
    return manifest, secrets_data, dump_path


def _restore(path: str, force: bool) -> Outcome:
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hocvuso-restore-") as work:
        manifest, secrets_data, dump = _read_archive(path, work)
        backend = _url().get_backend_name()
        if manifest["database"]["backend"] != backend:
            raise BackupError(f"Bản sao lưu là {manifest['database']['backend']}, cơ sở dữ liệu "
                              f"đích là {backend}.")
        how = manifest["secrets"]["encryption"]
        plain = secrets_data if how is None else _unseal(secrets_data, how)
        files, secret = _plan_secrets(plain)  # every check before anything is written
        _restore_database(dump, force)
    _restore_secrets(files, secret, warnings)
    found = counts()
    expected = manifest["database"]["counts"]
    differ = {t: (n, found.get(t)) for t, n in expected.items() if found.get(t) != n}
    if differ:
        raise BackupError(f"Số dòng sau khi khôi phục khác bản sao lưu: {differ}")
    warnings += _content_warnings(manifest["content"])
    return Outcome(path=path, manifest=manifest, warnings=warnings)


def _content_warnings(saved: dict) -> list[str]:
    now = content_state()
    if saved.get("commit") and now.get("commit") != saved["commit"]:
        return [f"Nội dung đang ở commit {now.get('commit')}, bản sao lưu dùng {saved['commit']}: "
                f"git -C {now['dir']} checkout {saved['commit']}"]
    return []
