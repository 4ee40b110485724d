"""English mode is complete: on every page a learner, a teacher, an ambassador, a leader and an
admin open, no interface text is left in Vietnamese, and the content names the interface shows
(framework, groups, assessments, targets) are the English ones."""

from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.pofile import read_po

from app.catalog.english import english_gaps

from .browser.crowd import PASSWORD, STAFF, fill
from .browser.test_every_page import _urls
from .conftest import csrf_token

PO = Path(__file__).resolve().parents[1] / "app/translations/en/LC_MESSAGES/messages.po"
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúýõã]", re.I)


# Lessons, questions, the glossary and the help page are content in Vietnamese (the glossary gives each
# term's English beside it): only their frame is interface.
CONTENT_PAGES = {"courses.module", "main.glossary", "main.help_page",
                 "assessment.question_statistics"}  # every question's Vietnamese text, for authors


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<(title|desc)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _interface_sentences() -> list[str]:
    """Vietnamese message ids of three words or more, without placeholders: if one shows on an
    English page, a template or a service left it untranslated."""
    with PO.open("rb") as f:
        catalog = read_po(f)
    return [m.id for m in catalog if isinstance(m.id, str) and m.id and "%" not in m.id
            and len(m.id.split()) >= 3 and VIETNAMESE.search(m.id)
            and m.string != m.id]  # a name kept as it is in English: "Học vụ số"


def _content_names(catalog) -> list[tuple[str, str]]:
    """(Vietnamese, English) of every content name that English mode must show in English."""
    framework = catalog.framework
    pairs = [(lv.name, lv.name_en) for lv in framework.levels]
    pairs += [(d.name, d.name_en) for d in framework.domains]
    pairs += [(c.name, c.name_en) for d in framework.domains for c in d.competences]
    pairs += [(g.name, g.name_en) for g in catalog.groups.values()]
    pairs += [(a.title, a.title_en) for a in catalog.assessments.values()]
    pairs += [(t.note, t.note_en) for year in catalog.targets.years.values()
              for t in year.values() if t.note]
    return pairs


def test_the_content_has_every_english_name(catalog):
    assert english_gaps(catalog) == []


def test_english_mode_leaves_nothing_in_vietnamese(app, catalog):
    data = fill(app)
    urls = _urls(app, data)
    sentences = _interface_sentences()
    names = [vi for vi, _en in _content_names(catalog) if len(vi) > 12]
    left, pages = {}, 0
    for role, login in STAFF.items():
        client = app.test_client()
        client.post("/auth/login", data={"csrf_token": csrf_token(client, "/auth/login"),
                                         "login": login, "password": PASSWORD})
        client.post("/lang/en", data={"next": "/"})
        for endpoint, url in urls.items():
            if endpoint in CONTENT_PAGES:
                continue
            response = client.get(url)
            if response.status_code != 200 or not response.mimetype == "text/html":
                continue
            pages += 1
            text = _visible_text(response.get_data(as_text=True))
            assert "Tiếng Việt" in text, f"{url} is not in English mode"
            found = [s for s in sentences if s in text] + [n for n in names if n in text]
            if found:
                left[f"{role} {url}"] = found
    assert left == {}, "\n".join(f"{k}: {v}" for k, v in left.items())
    assert pages >= 60


def test_the_english_names_are_the_ones_shown(app, client, catalog):
    client.post("/lang/en", data={"next": "/"})
    framework = _visible_text(client.get("/khung-nang-luc-so").get_data(as_text=True))
    for vietnamese, english in _content_names(catalog)[:len(catalog.framework.levels) + 30]:
        assert english in framework
    progress = _visible_text(client.get("/progress").get_data(as_text=True))
    assert all(g.name_en in progress for g in catalog.groups.values())
    home = client.get("/").get_data(as_text=True)
    assert ">Courses</a>" in home
