"""The dashboard on the small province of conftest.py: every expected number is worked out by
hand there, not with the code under test."""

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.certificates.models import Certificate
from app.columns import utcnow
from app.extensions import db
from app.reports import services, snapshot
from app.reports.models import CommuneCount, LearnerStatus

from ..conftest import csrf_token, follow_job
from .conftest import ND, certificate

ND_NAME, CB_NAME = "Người dân", "Cán bộ, công chức, viên chức"


# -- helpers -----------------------------------------------------------------------------

class _Tables(HTMLParser):
    """The text of every cell of every <table class="... figures ..."> on a page."""

    def __init__(self):
        super().__init__()
        self.tables, self.row, self.cell, self.depth = [], None, None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "figures" in (dict(attrs).get("class") or ""):
            self.tables.append([])
        elif self.tables and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def screen_tables(html: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def number(text: str):
    """A cell as shown in Vietnamese (1.234 / 12,5 / —) or written in the CSV (1234 / 12.5 / '')."""
    if text in ("—", ""):
        return None
    if re.fullmatch(r"\d{1,3}(\.\d{3})*", text):
        return int(text.replace(".", ""))
    if re.fullmatch(r"\d{1,3}(\.\d{3})*,\d", text):
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+\.\d+", text):
        return float(text)
    return text


def csv_rows(response) -> list[list]:
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def by_place(rows, group=None):
    return {r[0]: r for r in rows if group is None or r[1] == group}


def _view(app, year=2026, group="nguoi-dan"):
    catalog = app.extensions["catalog"]
    targets = catalog.targets
    return services.province_view(38, year, catalog.groups[group], catalog, targets)


# -- numbers -----------------------------------------------------------------------------

def test_province_figures_against_the_2026_targets(app, refreshed):
    with app.app_context():
        view = _view(app)
        rows = {r.group.slug: services.cells(r) for r in view.groups}
        #            place, group, denominator, registered, %, trained, %, target, short,
        #            confirmed, %, target, short
        assert rows["nguoi-dan"] == ["Thanh Hóa", ND_NAME, 35, 14, 40.0, 5, 14.3, 100, 30, 6, 17.1, 80, 22]
        assert rows["can-bo"] == ["Thanh Hóa", CB_NAME, 4, 3, 75.0, 1, 25.0, 100, 3, 0, 0.0, None, None]
        assert rows["hoc-sinh"][2:] == [None, 0, None, 0, None, 100, None, 0, None, None, None]
        assert view.coverage == {"nguoi-dan": 3, "can-bo": 1, "hoc-sinh": 0, "doanh-nghiep": 0}
        communes = {r.code: services.cells(r) for r in view.communes}
        assert len(communes) == 166
        A, B, C, D = refreshed.A, refreshed.B, refreshed.C, refreshed.D
        assert communes[A][2:] == [20, 8, 40.0, 4, 20.0, 100, 16, 4, 20.0, 80, 12]
        assert communes[B][2:] == [10, 3, 30.0, 1, 10.0, 100, 9, 1, 10.0, 80, 7]
        assert communes[C][2:] == [None, 2, None, 0, None, 100, None, 0, None, 80, None]
        assert communes[D][2:] == [5, 1, 20.0, 0, 0.0, 100, 5, 1, 20.0, 80, 3]


def test_a_past_year_counts_up_to_its_last_day_in_vietnamese_time(app, refreshed):
    with app.app_context():
        view = _view(app, year=2025)
        province = {r.group.slug: services.cells(r) for r in view.groups}["nguoi-dan"]
        # a1, a2 and b1 registered in 2025; a1 finished; a1 and b1 (23:59 on 31 Dec) confirmed
        assert province[2:] == [35, 3, 8.6, 1, 2.9, 85, 29, 2, 5.7, 60, 19]
        communes = {r.code: services.cells(r) for r in view.communes}
        assert communes[refreshed.A][2:] == [20, 2, 10.0, 1, 5.0, 85, 16, 1, 5.0, 60, 11]
        # b1's last course came at 01:00 on 1 January 2026, Vietnamese time
        assert communes[refreshed.B][2:] == [10, 1, 10.0, 0, 0.0, 85, 9, 1, 10.0, 60, 5]


def test_commune_and_unit_figures(app, refreshed):
    catalog = app.extensions["catalog"]
    targets = catalog.targets
    with app.app_context():
        view = services.commune_view(38, refreshed.A, 2026, catalog.groups["nguoi-dan"], catalog, targets)
        groups = {r.group.slug: services.cells(r) for r in view.groups}
        assert groups["nguoi-dan"][2:] == [20, 8, 40.0, 4, 20.0, 100, 16, 4, 20.0, 80, 12]
        assert groups["can-bo"][2:] == [4, 3, 75.0, 1, 25.0, 100, 3, 0, 0.0, None, None]
        units = {u.name: services.cells(row) for u, row in view.units}
        assert units["Trường Một"][2:] == [4, 2, 50.0, 2, 50.0, 100, 2, 2, 50.0, 80, 2]
        assert units["=Tổ công nghệ số thôn Hai"][2:] == [1, 1, 100.0, 1, 100.0, 100, 0, 1, 100.0, 80, 0]
        from app.reports.models import Unit

        unit = db.session.get(Unit, refreshed.units["U1"])
        rows = {r.group.slug: services.cells(r) for r in services.unit_view(unit, 2026, catalog, targets).groups}
        assert rows["can-bo"][2:] == [2, 1, 50.0, 1, 50.0, 100, 1, 0, 0.0, None, None]


def test_rankings_order_ties_and_periods(app, refreshed):
    catalog = app.extensions["catalog"]
    nd = catalog.groups["nguoi-dan"]
    A, B, D = refreshed.A, refreshed.B, refreshed.D
    with app.app_context():
        today = snapshot.local_today()

        def top(indicator, period, n=3):
            ranked = services.rank_communes(38, nd, services.parse_period(period, today), indicator, 80)
            return [(r.rank, r.code, r.percent) for r in ranked[:n]]

        # A and D both 20.0 % confirmed: a shared first place (A first: more people), B third
        assert top("confirmed", "all") == [(1, A, 20.0), (1, D, 20.0), (3, B, 10.0)]
        assert top("trained", "all") == [(1, A, 20.0), (2, B, 10.0), (3, D, 0.0)]
        # during 2025 only a1 (A) and b1 (B) were confirmed
        assert top("confirmed", "2025") == [(1, B, 10.0), (2, A, 5.0), (3, D, 0.0)]
        # April–June 2026: a3 and a5 (A), d1 (D)
        assert top("confirmed", "2026-q2") == [(1, D, 20.0), (2, A, 10.0), (3, B, 0.0)]
        everyone = services.rank_communes(38, nd, services.parse_period("all", today), "confirmed", 80)
        assert len(everyone) == 166 and all(r.rank is None for r in everyone[3:])
        assert [r.meets_target for r in everyone[:3]] == [False, False, False]
        units = services.rank_units(38, nd, services.parse_period("all", today), "confirmed", 80)
        assert [(r.rank, r.code, r.percent) for r in units] == [
            (1, refreshed.units["U2"], 100.0), (2, refreshed.units["U1"], 50.0),
            (None, refreshed.units["U3"], None)]
        assert units[0].meets_target is True


def test_rankings_page_shows_the_same_order(app, client, refreshed, admin):
    page = client.get("/reports/rankings?group=nguoi-dan&by=confirmed&period=all")
    assert page.status_code == 200
    communes_table = screen_tables(page.get_data(as_text=True))[0]
    first = [(row[0], row[1].split(" Dẫn đầu")[0]) for row in communes_table[1:4]]
    from app.localities import commune_name

    assert first == [("1", commune_name(refreshed.A)), ("1", commune_name(refreshed.D)),
                     ("3", commune_name(refreshed.B))]
    exported = csv_rows(client.get("/reports/rankings.csv?group=nguoi-dan&by=confirmed&period=all"))
    assert [r[:2] for r in exported[1:4]] == [[a, b] for a, b in first]
    assert exported[1][3:6] == ["20", "4", "20.0"]


# -- the screen and its CSV --------------------------------------------------------------

@pytest.mark.parametrize("which", ["province", "commune"])
def test_csv_equals_the_screen(app, client, refreshed, admin, which):
    if which == "province":
        url, csv_url = "/reports/?year=2026&group=nguoi-dan", "/reports/province.csv?year=2026&group=nguoi-dan"
    else:
        url = f"/reports/communes/{refreshed.A}?year=2026&group=nguoi-dan"
        csv_url = f"/reports/communes/{refreshed.A}.csv?year=2026&group=nguoi-dan"
    page = client.get(url)
    assert page.status_code == 200
    tables = screen_tables(page.get_data(as_text=True))
    exported = csv_rows(client.get(csv_url))
    # the only difference allowed: a text cell that a spreadsheet would run as a formula
    def as_shown(cell):
        return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@") else cell

    # On a phone a table leaves out the column its caption already names (the one place of
    # the groups table, the one group of the communes table); the rest are the CSV's columns.
    rows, screen, shown = iter(exported[1:]), [], []
    for table in tables:
        columns = [exported[0].index(name) for name in table[0]]
        assert columns == sorted(columns) and len(columns) == len(exported[0]) - 1
        for row in table[1:]:
            screen.append([number(c) for c in row])
            shown.append([number(as_shown(c)) for i, c in enumerate(next(rows)) if i in columns])
    assert shown == screen and next(rows, None) is None
    assert len(screen) == (4 + 166 if which == "province" else 4 + 2)
    if which == "commune":
        # a unit whose name starts with "=" is text in a spreadsheet, not a formula
        assert any(row[0] == "'=Tổ công nghệ số thôn Hai" for row in exported)
        assert by_place(exported[1:], ND_NAME)["Trường Một"][2:] == ["4", "2", "50.0", "2", "50.0", "100",
                                                                   "2", "2", "50.0", "80", "2"]


def test_figures_pages_say_how_old_the_figures_are(app, client, province, admin):
    page = client.get("/reports/").get_data(as_text=True)
    assert "Chưa có số liệu" in page
    token = csrf_token(client, "/reports/")
    response = client.post("/reports/refresh", data={"csrf_token": token, "next": "/reports/?year=2025"})
    done = follow_job(client, response).get_data(as_text=True)  # a job counted, the page says so
    # conftest.py's 17 people and the admin; back to the page the button was on
    assert "Đã cập nhật số liệu: 18 người học" in done and 'href="/reports/?year=2025"' in done
    page = client.get("/reports/").get_data(as_text=True)
    assert "Số liệu tính lúc" in page and "không phải trực tiếp" in page
    assert 'role="img"' in page and "<title id=\"chart-province-t\">" in page
    assert "Người dân: Đăng ký: 40,0%; Học xong: 14,3% (chỉ tiêu 100%)" in page  # the chart's text


def test_a_refresh_sends_back_only_to_a_reports_page(client, province, admin):
    token = csrf_token(client, "/reports/")
    for target in ("/courses/", "//evil.example/reports/", "https://evil.example/reports/", ""):
        response = client.post("/reports/refresh", data={"csrf_token": token, "next": target})
        page = follow_job(client, response).get_data(as_text=True)
        assert re.findall(r'class="button" href="([^"]*)"', page) == ["/reports/"], target
        assert "evil" not in response.headers["Location"] + page and "/courses/" not in page


def test_public_page_has_no_personal_data(app, client, refreshed):
    page = client.get("/progress")
    assert page.status_code == 200 and page.cache_control.public
    html = page.get_data(as_text=True)
    assert "Thanh Hóa" in html and "17,1" in html  # 6 of 35 adults confirmed
    with app.app_context():
        for name, in db.session.execute(sa.select(User.full_name)):
            assert f">{name}<" not in html
    assert "Trường Một" not in html


# -- keeping the counts ------------------------------------------------------------------

def test_refresh_recomputes_only_what_changed_and_is_repeatable(app, refreshed):
    catalog = app.extensions["catalog"]
    ids = refreshed.users
    with app.app_context():
        before = db.session.scalars(sa.select(CommuneCount).order_by(CommuneCount.id)).all()
        before_counts = sorted((c.commune_code, c.group_slug, c.month, c.registered, c.trained, c.confirmed)
                          for c in before)
        again = snapshot.refresh(catalog, 38)
        assert again.recomputed == 0
        assert sorted((c.commune_code, c.group_slug, c.month, c.registered, c.trained, c.confirmed)
                      for c in db.session.scalars(sa.select(CommuneCount))) == before_counts

        certificate(ids["a4"], "nguoi-dan", utcnow(), "confirmation")  # a4 confirmed today
        db.session.execute(sa.update(Certificate).where(      # a1 loses a course certificate
            Certificate.user_id == ids["a1"], Certificate.course_slug == ND[1]).values(revoked_at=utcnow()))
        db.session.get(User, ids["k2"]).group_slug = "nguoi-dan"  # k2 holds the nguoi-dan courses
        db.session.commit()
        result = snapshot.refresh(catalog, 38)
        assert result.recomputed == 3
        communes = {r.code: services.cells(r) for r in _view(app).communes}
        # registered 8 + k2; trained a2 a3 a4 k2; confirmed a1 a2 a3 a5 a4
        assert communes[refreshed.A][2:] == [20, 9, 45.0, 4, 20.0, 100, 16, 5, 25.0, 80, 11]
        status = db.session.get(LearnerStatus, ids["a1"])
        assert status.trained_at is None and status.confirmed_at is not None

        # a content change (another programme) makes the next refresh recompute everyone
        rebuilt = snapshot.refresh(catalog, 38, rebuild=True)
        assert rebuilt.recomputed is None
        assert {r.code: services.cells(r) for r in _view(app).communes}[refreshed.A] == communes[refreshed.A]


def test_refresh_command(app, refreshed):
    result = app.test_cli_runner().invoke(args=["reports", "refresh"])
    assert result.exit_code == 0, result.output
    assert "Đã cập nhật số liệu: 17 người học" in result.output


def test_dashboard_pages_take_a_bounded_number_of_queries(app, client, refreshed, admin):
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    pages = {"/reports/": 6, f"/reports/communes/{refreshed.A}": 8,
             f"/reports/units/{refreshed.units['U1']}": 6, "/reports/rankings": 7,
             "/reports/ambassadors": 6, "/progress": 5}
    for url, bound in pages.items():
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(url)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, url
        print(f"\n{url}: {len(statements)} SQL statements")
        assert len(statements) <= bound, (url, statements)
        # and none of them reads what learners do: the snapshot is enough
        assert not any(t in s for s in statements
                       for t in ("learner_status", "certificates", "module_progress", "attempts")), url


# -- access ------------------------------------------------------------------------------

def _report_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/reports/") and rule.endpoint != "reports.static":
            url = re.sub(r"<int:\w+>", "1", rule.rule)
            yield url, "POST" if "POST" in rule.methods else "GET"


@pytest.mark.parametrize("role", ["learner", "teacher", "ambassador"])
def test_every_reports_route_is_forbidden_to_other_roles(app, client, make_user, auth, role):
    make_user(role=role, login=f"{role}@tinh.example.vn")
    auth.login(f"{role}@tinh.example.vn")
    token = csrf_token(client, "/")
    checked = 0
    for url, method in _report_rules(app):
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (url, response.status_code)
        checked += 1
    assert checked >= 14


def test_leaders_read_but_do_not_change(app, client, make_user, auth, refreshed):
    make_user(role="leader", login="lanh.dao@tinh.example.vn")
    auth.login("lanh.dao@tinh.example.vn")
    for url, method in _report_rules(app):
        if method == "GET" and not url.startswith(("/reports/data", "/reports/refresh")):
            assert client.get(url).status_code in (200, 404), url  # 404: no unit or commune 1
    assert client.get(f"/reports/communes/{refreshed.A}").status_code == 200
    token = csrf_token(client, "/")
    for method, url in (("GET", "/reports/data"), ("POST", "/reports/refresh"),
                        ("GET", "/reports/refresh/" + "0" * 32),  # a refresh's page: admins'
                        ("POST", "/reports/data/units"), ("POST", "/reports/data/denominators")):
        assert client.open(url, method=method, data={"csrf_token": token}).status_code == 403
    assert "Xếp hạng thi đua" in client.get("/reports/").get_data(as_text=True)
    assert "Dữ liệu báo cáo" not in client.get("/reports/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/reports/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_commune_of_another_province_is_not_found(client, admin):
    from app.localities import communes

    assert client.get(f"/reports/communes/{communes(1)[0][0]}").status_code == 404


def test_learner_picks_a_unit_of_their_own_commune(app, client, make_user, auth, province):
    from app.localities import communes
    from app.reports.models import Unit

    user_id = make_user(login="hoc@tinh.example.vn")
    with app.app_context():
        home = communes(38)[0][0]
        mine = Unit(province_code=38, commune_code=home, kind="school", name="Trường Nhà")
        db.session.add(mine)
        db.session.commit()
        mine_id = mine.id
    auth.login("hoc@tinh.example.vn")
    page = client.get("/me/unit").get_data(as_text=True)
    assert "Trường Nhà" in page and "Trường Một" not in page  # only units of the learner's commune
    token = csrf_token(client, "/me/unit")
    other = client.post("/me/unit", data={"csrf_token": token, "unit_id": province.units["U1"]})
    assert other.status_code == 400
    assert client.post("/me/unit", data={"csrf_token": token, "unit_id": mine_id}).status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).unit_id == mine_id


def test_as_of_is_the_start_of_the_refresh(app, refreshed):
    with app.app_context():
        row = snapshot.last_refresh(38)
        assert utcnow() - row.refreshed_at < timedelta(minutes=1)
        assert row.learners == 17 and row.seconds >= 0


def test_garbage_in_the_query_string_falls_back_to_defaults(client, refreshed, admin):
    for query in ("year=abc&group=%3Cscript%3E&period=x", "year=99999999999999999999&page=-4&by=__class__",
                  "year=1999&group=nguoi-dan&period=2025-q9", "before=abc&period=2026"):
        for url in ("/reports/", f"/reports/communes/{refreshed.A}", "/reports/rankings",
                    "/reports/ambassadors", "/reports/province.csv", "/reports/rankings.csv"):
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200, (url, query, response.status_code)
