"""deploy/nginx/hocvuso.conf, run by Debian's nginx in front of gunicorn with PROXY_COUNT=1:
HTTPS pages with the app's headers, https redirects and verify URLs, rate limits per client
address (a forged X-Forwarded-For does not help), bodies past the app's limit refused by
nginx, assets cached, /metrics kept inside."""

import datetime
import http.client
import io
import ipaddress
import json
import os
import re
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import zxingcpp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families

from app.config import Config

pytestmark = pytest.mark.integration  # nginx and gunicorn processes

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NGINX = "/usr/sbin/nginx"
CONF = ROOT / "deploy" / "nginx" / "hocvuso.conf"
NAME = "hocvuso.example.vn"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName(NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _nginx_conf(folder: Path, https: int, plain: int, upstream: int, cert: Path, key: Path) -> Path:
    """The deployed file with only what differs on a test machine rewritten."""
    text = CONF.read_text()
    for old, new in [("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
                     ("listen [::]:443 ssl http2;", ""), ("listen 80;", f"listen 127.0.0.1:{plain};"),
                     ("listen [::]:80;", ""), ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
                     (f"/etc/letsencrypt/live/{NAME}/fullchain.pem", str(cert)),
                     (f"/etc/letsencrypt/live/{NAME}/privkey.pem", str(key)),
                     ("/var/cache/nginx/hocvuso", str(folder / "cache")),
                     ("/var/www/letsencrypt", str(folder / "acme")),
                     # $host drops the port, which is right on 443 and not on a test port:
                     # Flask-WTF compares the Referer's origin, port included, with the host.
                     ("proxy_set_header Host $host;", "proxy_set_header Host $http_host;"),
                     ("proxy_set_header X-Forwarded-Host $host;",
                      "proxy_set_header X-Forwarded-Host $http_host;")]:
        assert old in text, f"{old!r} no longer in {CONF.name}: update this test"
        text = text.replace(old, new)
    site = folder / "hocvuso.conf"
    site.write_text(text)
    main = folder / "nginx.conf"
    temp = folder / "temp"
    temp.mkdir()
    main.write_text(f"""
{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
""")
    return main


def _direct(port: int, method: str, path: str, body=None, headers=None):
    """Plain HTTP to a port on loopback (gunicorn itself, or nginx's port 80): (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _wait(check, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not start")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not os.path.exists(NGINX):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but nginx is not installed (apt-get install nginx)")
        pytest.skip("needs Debian's nginx (apt-get install nginx)")
    folder = tmp_path_factory.mktemp("nginx")
    https, plain, upstream = _port(), _port(), _port()
    cert, key = _certificate(folder)
    database = folder / "site.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "APP_ENV": "production",
           "SECRET_KEY": "nginx-test-secret", "FLASK_APP": "wsgi", "PROXY_COUNT": "1",
           "BASE_URL": f"https://{NAME}:{https}", "CREDENTIAL_KEYS_DIR": str(folder / "keys"),
           "CERTIFICATE_PDF_CACHE_DIR": str(folder / "pdfs"), "WEB_CONCURRENCY": "2",
           "BIND": f"127.0.0.1:{upstream}", "ACCESS_LOG": "/dev/null", "LOG_FORMAT": "json"}
    env.pop("REDIS_URL", None)
    for command in (["db", "upgrade"], ["credentials", "generate-key"], ["demo", "load"]):
        subprocess.run([BIN / "flask", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    app_log = open(folder / "app.log", "wb")
    # Two workers whose counters /metrics sums, as the systemd unit runs them.
    gunicorn = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                                env={**env, "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics")},
                                stdout=app_log, stderr=app_log)
    main = _nginx_conf(folder, https, plain, upstream, cert, key)
    nginx = None
    try:
        _wait(lambda: _direct(upstream, "GET", "/healthz")[0] == 200, "gunicorn")
        nginx = subprocess.Popen([NGINX, "-c", str(main), "-p", str(folder), "-g", "daemon off;"],
                                 stdout=app_log, stderr=app_log)
        _wait(lambda: socket.create_connection(("127.0.0.1", https), timeout=1).close() or True,
              "nginx")
        with sqlite3.connect(database) as conn:
            code = conn.execute("SELECT code FROM certificates").fetchone()[0]
        yield {"https": https, "plain": plain, "upstream": upstream, "cert": cert, "code": code,
               "folder": folder}
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=20)
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        app_log.close()


class Client:
    """One visitor: its own source address, cookies, TLS verified against the test's certificate."""

    def __init__(self, site, source: str = "127.0.0.1"):
        self.site, self.source, self.cookies = site, source, {}
        self.context = ssl.create_default_context(cafile=str(site["cert"]))

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.site["https"], timeout=30,
                                           context=self.context, source_address=(self.source, 0))
        sent = {"Host": f"{NAME}:{self.site['https']}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        conn.close()
        return response, data

    def login(self, login, password, headers=None):
        if not hasattr(self, "token"):
            _r, page = self.request("GET", "/auth/login")
            self.token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"csrf_token": self.token, "login": login,
                                       "password": password})
        # The app sees HTTPS (X-Forwarded-Proto), so Flask-WTF wants a same-site Referer, as
        # a browser sends it (Referrer-Policy: same-origin).
        return self.request("POST", "/auth/login", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{NAME}:{self.site['https']}/auth/login", **(headers or {})})


def test_pages_over_https_keep_the_apps_headers(site):
    response, page = Client(site).request("GET", "/", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.headers["Content-Encoding"] in ("gzip", "br")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["Server"] == "nginx"  # no version
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])  # nginx's, kept


def test_plain_http_and_the_apps_redirects_lead_to_https(site):
    status, headers, _ = _direct(site["plain"], "GET", "/verify/ABC?x=1", headers={"Host": NAME})
    assert status == 301 and headers["Location"] == f"https://{NAME}/verify/ABC?x=1"
    client = Client(site)
    response, _ = client.request("GET", "/me/competences")  # signed-in page: to sign in
    location = response.headers["Location"]
    assert response.status == 302 and "/auth/login" in location
    assert not location.startswith("http:")  # relative, or https: never back to plain HTTP
    response, page = client.login("nguoidan@demo.hocvuso.vn", "hocvuso2026")
    assert response.status == 302, re.findall(r"<h1[^>]*>[^<]*|error[^<]{0,200}", page.decode())
    assert not response.headers["Location"].startswith("http:")
    assert all("Secure" in c for c in response.headers.get_all("Set-Cookie"))
    response, _ = client.request("GET", "/me/competences")
    assert response.status == 200  # the Secure session cookie works through the proxy


def test_qr_and_verify_urls_are_https(site):
    client = Client(site)
    code = site["code"]
    url = f"https://{NAME}:{site['https']}/verify/{code}"
    response, page = client.request("GET", f"/verify/{code}")
    assert response.status == 200 and "HỢP LỆ".encode() in page
    response, data = client.request("GET", f"/verify/{code}.json")
    assert json.loads(data)["credential"]["id"] == url
    response, png = client.request("GET", f"/certificates/{code}/qr.png")
    assert response.status == 200  # the QR image decodes to the same https address
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))] == [url]


def test_rate_limit_keys_on_the_client_address_not_a_forged_header(site):
    first, second = Client(site, "127.0.0.2"), Client(site, "127.0.0.3")
    limit = 30  # LOGIN_LIMIT_ADDRESS: 30 failed sign-ins per address in 5 minutes
    for i in range(limit):  # a different account each time: only the address limit counts
        response, _ = first.login(f"khong-co-{i}@example.vn", "sai-mat-khau")
        assert response.status == 400, i
    response, page = first.login("khong-co-nua@example.vn", "sai-mat-khau")
    assert response.status == 429 and "Bạn đã thử quá nhiều lần".encode() in page
    # Forging the header nginx appends to: the app trusts only nginx's last entry.
    for forged in ("203.0.113.7", "127.0.0.3", "203.0.113.7, 127.0.0.3"):
        response, _ = first.login("khong-co-gia@example.vn", "sai-mat-khau",
                                  {"X-Forwarded-For": forged})
        assert response.status == 429, forged
    response, _ = second.login("khong-co-khac@example.vn", "sai-mat-khau")
    assert response.status == 400  # the other visitor behind the same proxy is not limited


def test_a_body_past_the_apps_limit_is_refused_by_nginx(site):
    configured = re.search(r"client_max_body_size (\d+)m;", CONF.read_text()).group(1)
    assert int(configured) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH
    client = Client(site)
    headers = {"Content-Type": "application/octet-stream"}
    response, page = client.request("POST", "/verify/credential",
                                    b"x" * (Config.MAX_CONTENT_LENGTH + 1), headers)
    assert response.status == 413 and b"nginx" in page  # nginx's answer: the app never saw it
    response, page = client.request("POST", "/auth/login",
                                    b"x" * (Config.MAX_CONTENT_LENGTH - 1024), headers)
    assert response.status == 400  # within the limit it reaches the app (no CSRF token: 400)


def test_without_nginx_the_app_refuses_the_same_size_in_vietnamese(client):
    response = client.post("/auth/login", data=b"x" * (Config.MAX_CONTENT_LENGTH + 1),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "Tệp gửi lên quá lớn" in response.get_data(as_text=True)


def test_assets_are_cached_by_nginx_with_their_immutable_headers(site):
    client = Client(site)
    _r, page = client.request("GET", "/")
    path = re.search(rb'href="(/assets/site\.[0-9a-f]+\.css)"', page).group(1).decode()
    statuses = []
    for _ in range(2):
        response, css = client.request("GET", path, headers={"Accept-Encoding": "gzip"})
        assert response.status == 200 and "immutable" in response.headers["Cache-Control"]
        statuses.append(response.headers["X-Cache-Status"])
    assert statuses[-1] == "HIT"


def test_metrics_stay_inside_and_sum_both_workers(site):
    response, _ = Client(site).request("GET", "/metrics")
    assert response.status == 404  # nginx never forwards it
    for _ in range(12):  # each on a new connection: both workers answer some of them
        assert Client(site).request("GET", "/khung-nang-luc-so")[0].status == 200
    status, _h, page = _direct(site["upstream"], "GET", "/metrics")
    assert status == 200
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for f in text_string_to_metric_families(page.decode()) for s in f.samples}
    framework = (("endpoint", "main.framework"), ("method", "GET"), ("status", "200"))
    assert samples[("hocvuso_http_requests_total", framework)] == 12
    # Counted in the shared folder (whichever worker answered), not in one worker's memory.
    assert [n for n in os.listdir(site["folder"] / "metrics") if n.startswith("counter_")]
    assert samples[("hocvuso_http_request_duration_seconds_count",
                    (("endpoint", "main.framework"),))] == 12
    status, _h, _p = _direct(site["upstream"], "GET", "/metrics",
                             headers={"X-Forwarded-For": "198.51.100.9"})
    assert status == 404  # a visitor's address, as nginx would forward it
