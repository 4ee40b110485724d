"""Real places only: every "xã …" and "phường …" named in a module or its questions is one of
the configured province's communes and wards, unless the module declares it invented."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from app.localities import communes

from ..yamlfile import LineDict, LineList
from .collector import Collector

# "xã"/"phường" (either case of the first letter) and the words after it, up to punctuation;
# the place's name is the longest run of those that start with a capital letter.
_PLACE = re.compile(r"(?<!\w)([Xx]ã|[Pp]hường)(?=((?:[ \t]+[^\W\d_]\w*)+))")
_PREFIXES = ("xã ", "phường ")


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()


@lru_cache(maxsize=8)
def known_places(province_code: int) -> frozenset[str]:
    """The province's communes and wards, without "Xã "/"Phường ", case-folded."""
    names = set()
    for _, name in communes(province_code):
        folded = _fold(name)
        for prefix in _PREFIXES:
            if folded.startswith(prefix):
                folded = folded[len(prefix):]
        names.add(folded)
    return frozenset(names)


def places_in(text: str) -> list[tuple[int, str, str]]:
    """(line, "xã"/"phường", name) for every place named in `text`; lines from 1."""
    found = []
    for n, line in enumerate(unicodedata.normalize("NFC", text).splitlines(), start=1):
        for m in _PLACE.finditer(line):
            words = m.group(2).split()
            run = next((i for i, w in enumerate(words) if not w[0].isupper()), len(words))
            if run:
                found.append((n, m.group(1).lower(), " ".join(words[:run])))
    return found


def invented_places(col: Collector, path: Path, front: LineDict) -> frozenset[str]:
    raw = front.get("invented_places") or LineList()
    if not isinstance(raw, LineList) or not all(isinstance(p, str) for p in raw):
        col.problem(path, front.line_of("invented_places"),
                    "'invented_places' là danh sách tên địa danh hư cấu, ví dụ [\"xã Yên Bình\"]")
        return frozenset()
    out = set()
    for place in raw:
        folded = _fold(place)
        for prefix in _PREFIXES:
            folded = folded.removeprefix(prefix)
        out.add(folded)
    return frozenset(out)


def check_places(col: Collector, path: Path, text: str, known: frozenset[str],
                 invented: frozenset[str]) -> None:
    """Refuses every place in `text` (a file's whole text) that is neither real nor declared."""
    if not known:  # no list for the configured province: nothing to compare with
        return
    for line, kind, name in places_in(text):
        if _fold(name) not in known and _fold(name) not in invented:
            col.problem(path, line, f"không có {kind} '{name}' trong danh sách xã, phường của tỉnh; "
                                    "sửa tên, hoặc khai báo trong 'invented_places' nếu là ví dụ hư cấu")
