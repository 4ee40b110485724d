"""The one way an uploaded cell names a group, shared by rosters and denominators."""

import unicodedata

import pytest

from app.csvutil import fold, group_matcher
from app.localities import communes
from app.reports.data import parse_denominators
from app.teaching.services import parse_roster

# One group, as teachers and officials type it: slug or name, any case, stray spaces, and the
# accents typed apart (NFD), as some phones and spreadsheets do.
SPELLINGS = ("nguoi-dan", "NGUOI-DAN", "Người dân", "  người   DÂN ",
             unicodedata.normalize("NFD", "Người dân"))


def test_fold_ignores_case_spaces_and_how_the_accents_were_typed():
    assert {fold(s) for s in SPELLINGS[2:]} == {"người dân"}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_group_by_slug_or_name(catalog, spelling):
    assert group_matcher(catalog.groups.values())(spelling) == "nguoi-dan"


def test_an_unknown_group_is_none(catalog):
    find = group_matcher(catalog.groups.values())
    assert find("nong-dan") is None and find("") is None and find("Người") is None


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_rosters_and_denominators_read_a_group_the_same_way(app_ctx, catalog, spelling):
    roster, problems = parse_roster(f"Lò Văn Páo,0912000001,{spelling}\n".encode(), catalog)
    assert problems == [] and [r.group_slug for r in roster] == ["nguoi-dan"]
    commune = communes(38)[0][0]
    denominators, problems = parse_denominators(f"{commune};;{spelling};100\n".encode(), 38,
                                                catalog)
    assert problems == [] and [r.group_slug for r in denominators] == ["nguoi-dan"]


def test_a_roster_in_another_encoding_says_first_to_save_it_as_utf8():
    import unicodedata

    from app.csvutil import read_records

    text = "Họ tên,Email,Nhóm\nLò Văn Páo,0912000001,nguoi-dan\n"
    def cp1258(value: str) -> bytes:  # as Windows saves it: a tone mark apart where it must be
        out = b""
        for c in value:
            try:
                out += c.encode("cp1258")
            except UnicodeEncodeError:
                out += unicodedata.normalize("NFD", c).encode("cp1258")
        return out

    samples = [cp1258(text), text.encode("utf-16"), text.encode("utf-16-le"),  # -le: no BOM
               "Lo Van Pao,0912000001,x\n".encode("utf-16-le")]  # plain ASCII, still UTF-16
    for data in samples:
        records, problems = read_records(data, max_bytes=10_000, max_rows=10, header_words={"ho ten"})
        assert records == [] and len(problems) == 1
        assert problems[0][0] == 0 and "UTF-8" in problems[0][1]
