"""Random and malformed input into every form and URL parameter: never a 500."""

import itertools
import os
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import Auth, csrf_token, follow_job

# Derandomized, so CI is repeatable; FUZZ_EXPLORE=1 draws fresh examples on every run.
FUZZ = settings(max_examples=25, deadline=None, derandomize=os.environ.get("FUZZ_EXPLORE") != "1",
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
nasty = st.sampled_from([
    "", " ", "0", "-1", "99999999999999999999", "<script>alert(1)</script>", "javascript:alert(1)",
    "=cmd|' /C calc'!A0", "'; DROP TABLE users; --", "../../etc/passwd", "%00", "\x00", "😀" * 50,
    "a" * 5000, "Nguyễn Văn A", "0912345678", "x@y", "@", "2026-02-30", "null", "[]", "{}",
])
value = st.one_of(text, nasty)
_serial = itertools.count()  # hypothesis runs many examples inside one test's database
slug = st.one_of(st.text(string.ascii_lowercase + string.digits + "-._~%", max_size=60), nasty)


def _ok(response):
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])


@FUZZ
@given(data=st.fixed_dictionaries({k: value for k in (
    "full_name", "login", "password", "confirm", "group_slug", "province_code", "commune_code",
    "village")}))
def test_register_form(client, data):
    _ok(client.post("/auth/register", data={"csrf_token": csrf_token(client, "/auth/register"), **data}))


@FUZZ
@given(login=value, password=value)
def test_login_form(client, login, password):
    _ok(client.post("/auth/login", data={"csrf_token": csrf_token(client, "/auth/login"),
                                         "login": login, "password": password}))


@FUZZ
@given(course=slug, module=slug, code=slug, number=st.integers(min_value=-2**40, max_value=2**70))
def test_url_parameters_anonymous(client, course, module, code, number):
    for url in (f"/courses/{course}", f"/courses/{course}/{module}", f"/verify/{code}",
                f"/verify?code={code}", f"/attempts/{number}", f"/checks/{course}/{module}",
                f"/auth/localities/{number}/communes.json", f"/certificates/{code}/qr.png",
                f"/join/{code}"):
        _ok(client.get(url))


@FUZZ
@given(fields=st.dictionaries(st.one_of(st.just("q-x"), text), st.lists(value, max_size=3), max_size=6),
       number=st.integers(min_value=-5, max_value=2**40))
def test_logged_in_forms_and_attempts(app, make_user, fields, number):
    client = app.test_client()  # a fresh browser for each example
    auth = Auth(client)
    login = f"fuzz{next(_serial)}@example.vn"
    make_user(login=login, role="teacher")
    auth.login(login)
    token = csrf_token(client, "/teaching/")
    for url in ("/auth/profile", "/auth/password", "/join", "/teaching/", f"/attempts/{number}",
                f"/teaching/classes/{number}/assignments", "/confirmation/take"):
        form = {"csrf_token": token}
        for k, v in fields.items():
            form[k] = v
        _ok(client.post(url, data=form))


@settings(FUZZ, max_examples=12)  # each example may create accounts (password hashing is slow)
@given(rows=st.lists(st.lists(value, max_size=5), max_size=8), encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_roster_upload(app, make_user, rows, encoding):
    import io

    client = app.test_client()
    auth = Auth(client)
    login = f"gv{next(_serial)}@example.vn"
    make_user(login=login, role="teacher")
    auth.login(login)
    token = csrf_token(client, "/teaching/")
    created = client.post("/teaching/", data={"csrf_token": token, "name": "Lớp thử", "kind": "school"})
    class_url = created.headers.get("Location", "/teaching/classes/1")
    body = "\n".join(",".join(r) for r in rows).encode(encoding, errors="replace")
    response = client.post(f"{class_url}/roster", content_type="multipart/form-data",
                           data={"csrf_token": token, "roster": (io.BytesIO(body), "x.csv")})
    _ok(follow_job(client, response) if response.status_code == 303 else response)


def test_ids_beyond_the_database_range_are_404(client, make_user, auth):
    # Found by the fuzzer on PostgreSQL: 2**31 reached the database as "integer out of range".
    make_user(login="so-lon@example.vn")
    auth.login("so-lon@example.vn")
    for url in ("/attempts/2147483648", "/auth/localities/2147483648/communes.json",
                "/attempts/99999999999999999999"):
        assert client.get(url).status_code == 404


def test_nul_bytes_are_refused_before_any_query(client):
    # Found by the fuzzer on PostgreSQL: "text fields cannot contain NUL (0x00) bytes".
    assert client.get("/verify/%00").status_code == 400
    assert client.get("/verify?code=a%00b").status_code == 400
    assert client.post("/auth/login", data={"login": "a\x00", "password": "x"}).status_code == 400
