"""The home page, the confirmation page and the dashboard say the same thing about when the
confirmation may be taken, and it is what the assessment's `requires` says: a page that
claims "after the courses" while anyone may take it (or the reverse) fails here."""

import re
from dataclasses import replace
from types import MappingProxyType


ANYTIME = "Bạn có thể làm bài xác nhận bất cứ lúc nào, kể cả trước khi học xong."
AFTER = "Bạn làm được bài xác nhận sau khi học xong:"
# the dashboard's note under its figures: what "Được xác nhận đạt phổ cập" counts
MAY_NOT_HAVE_FINISHED = "nên có người đã được xác nhận mà chưa học xong chương trình."
ONLY_AFTER = "bài này chỉ làm được sau khi học xong chương trình."
ALL_GROUPS_EARLY = "; bài này làm được cả trước khi học xong"


def _requiring(app, monkeypatch, requires_for):
    """The content with each group's confirmation requiring requires_for(group) instead."""
    catalog = app.extensions["catalog"]
    assessments = {slug: replace(a, requires=tuple(requires_for(catalog.groups[a.group])))
                   for slug, a in catalog.assessments.items()}
    monkeypatch.setitem(app.extensions, "catalog",
                        replace(catalog, assessments=MappingProxyType(assessments)))
    return app.extensions["catalog"]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _pages(client, make_user, auth) -> dict[str, str]:
    make_user(role="admin", group="nguoi-dan", login="xem@tinh.example.vn")
    auth.login("xem@tinh.example.vn")
    return {name: _text(client.get(url).get_data(as_text=True)) for name, url in (
        ("home", "/"), ("confirmation", "/confirmation"),
        ("dashboard", "/reports/?group=nguoi-dan"), ("public", "/progress"))}


def test_with_no_requirement_every_page_says_anytime(app, client, make_user, auth):
    catalog = app.extensions["catalog"]
    assert all(a.requires == () for a in catalog.assessments.values())  # today's content
    pages = _pages(client, make_user, auth)
    for name in ("home", "confirmation"):
        assert ANYTIME in pages[name] and AFTER not in pages[name], name
    for name in ("dashboard", "public"):
        assert MAY_NOT_HAVE_FINISHED in pages[name] and ALL_GROUPS_EARLY in pages[name], name
        assert ONLY_AFTER not in pages[name], name
    assert pages["dashboard"].count(MAY_NOT_HAVE_FINISHED) == 2  # under both figures tables


def test_requiring_the_programme_names_it_and_the_dashboard_says_confirmed_people_finished(
        app, client, make_user, auth, monkeypatch):
    catalog = _requiring(app, monkeypatch, lambda group: group.programme)
    pages = _pages(client, make_user, auth)
    titles = ", ".join(catalog.courses[s].title for s in catalog.groups["nguoi-dan"].programme)
    for name in ("home", "confirmation"):
        assert f"{AFTER} {titles}." in pages[name] and ANYTIME not in pages[name], name
    for name in ("dashboard", "public"):
        assert ONLY_AFTER in pages[name] and MAY_NOT_HAVE_FINISHED not in pages[name], name


def test_requiring_part_of_the_programme_still_warns_the_dashboard(
        app, client, make_user, auth, monkeypatch):
    catalog = _requiring(app, monkeypatch, lambda group: group.programme[:1])
    pages = _pages(client, make_user, auth)
    first = catalog.courses[catalog.groups["nguoi-dan"].programme[0]].title
    for name in ("home", "confirmation"):
        assert f"{AFTER} {first}." in pages[name] and ANYTIME not in pages[name], name
    for name in ("dashboard", "public"):
        assert MAY_NOT_HAVE_FINISHED in pages[name] and ONLY_AFTER not in pages[name], name


def test_the_dashboard_names_the_groups_that_may_confirm_first(
        app, client, make_user, auth, monkeypatch):
    catalog = _requiring(app, monkeypatch,
                         lambda group: group.programme if group.slug == "nguoi-dan" else ())
    dashboard = _pages(client, make_user, auth)["dashboard"]
    others = ", ".join(g.name for g in catalog.groups.values() if g.slug != "nguoi-dan")
    # the table of every group names the others; the communes' table (nguoi-dan) needs no warning
    assert f"; ở nhóm {others} bài này làm được cả trước khi học xong, {MAY_NOT_HAVE_FINISHED}" \
        in dashboard
    assert ONLY_AFTER in dashboard


def test_the_wording_is_translated(app, client, make_user, auth):
    make_user(group="nguoi-dan", login="en@example.vn")
    auth.login("en@example.vn")
    client.post("/lang/en")
    home = _text(client.get("/").get_data(as_text=True))
    assert "You can take the confirmation assessment at any time" in home
    assert ANYTIME not in home
