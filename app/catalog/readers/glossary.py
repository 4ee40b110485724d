"""content/glossary.yaml: the terms the modules use, and the link from each term's first use
in a module to its entry on the glossary page ("Thuật ngữ")."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from app.text import ascii_fold

from ..types import GlossaryTerm
from ..yamlfile import LineList
from .collector import Collector

FILENAME = "glossary.yaml"
PAGE = "../../thuat-ngu"  # from a module page, /courses/<course>/<module>, to /thuat-ngu


def read_glossary(col: Collector) -> tuple[GlossaryTerm, ...]:
    """A missing file means no glossary page and no links."""
    path = col.root / FILENAME
    if not path.exists():
        return ()
    data = col.read_yaml(path)
    if not isinstance(data, LineList):
        if data is not None:
            col.problem(path, getattr(data, "line", 1), "glossary.yaml phải là một danh sách thuật ngữ")
        return ()
    terms: list[GlossaryTerm] = []
    taken: dict[str, str] = {}  # spelling (case-folded) → its term
    for raw in data:
        raw = col.mapping(path, raw, "mỗi thuật ngữ")
        if raw is None:
            continue
        term = col.text(path, raw, "term")
        aliases = raw.get("aliases") or LineList()
        if not isinstance(aliases, LineList) or not all(isinstance(a, str) and a.strip() for a in aliases):
            col.problem(path, raw.line_of("aliases"), "'aliases' là danh sách cách viết khác của từ")
            aliases = LineList()
        entry = GlossaryTerm(term, tuple(a.strip() for a in aliases), col.text(path, raw, "en"),
                             col.text(path, raw, "definition"), _anchor(term))
        for spelling in entry.spellings if term else ():
            if spelling.casefold() in taken:
                col.problem(path, raw.line, f"'{spelling}' đã có ở thuật ngữ "
                                            f"'{taken[spelling.casefold()]}'")
            taken[spelling.casefold()] = term
        terms.append(entry)
    return tuple(sorted(terms, key=lambda t: ascii_fold(t.term)))


def _anchor(term: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(term)).strip("-") or "thuat-ngu"


_SKIP = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}  # never link inside these


def _spelling_pattern(spelling: str) -> str:
    first = re.escape(spelling[0])
    if spelling[0].lower() != spelling[0].upper():  # either case of the first letter
        first = f"[{re.escape(spelling[0].lower())}{re.escape(spelling[0].upper())}]"
    return first + re.escape(spelling[1:])


class GlossaryLinker:
    """Links the first use of each term (or an alias) in a page of HTML to its glossary entry:
    longest spelling first, whole words only, never inside a link, a heading or code."""

    def __init__(self, terms: tuple[GlossaryTerm, ...], page: str = PAGE):
        self.page = page
        self.by_spelling = {s.casefold(): t for t in terms for s in t.spellings}
        spellings = sorted(self.by_spelling, key=len, reverse=True)
        originals = {s.casefold(): s for t in terms for s in t.spellings}
        self.pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(_spelling_pattern(originals[s]) for s in spellings) + r")(?!\w)"
        ) if spellings else None

    def link(self, page_html: str) -> str:
        if self.pattern is None:
            return page_html
        parser = _Linker(self)
        parser.feed(page_html)
        parser.close()
        return "".join(parser.out)

    def term_of(self, matched: str) -> GlossaryTerm | None:
        return self.by_spelling.get(matched.casefold())


class _Linker(HTMLParser):
    def __init__(self, linker: GlossaryLinker):
        super().__init__(convert_charrefs=True)
        self.linker = linker
        self.out: list[str] = []
        self.inside: list[str] = []  # the open tags of _SKIP
        self.linked: set[str] = set()  # anchors already linked on this page

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.inside.append(tag)
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag in _SKIP and tag in self.inside:
            while self.inside and self.inside.pop() != tag:
                pass
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.inside:
            self.out.append(html.escape(data, quote=False))
            return
        pos = 0
        for m in self.linker.pattern.finditer(data):
            term = self.linker.term_of(m.group(0))
            if term is None or term.anchor in self.linked:
                continue
            self.linked.add(term.anchor)
            self.out.append(html.escape(data[pos:m.start()], quote=False))
            self.out.append(f'<a class="term" href="{self.linker.page}#{term.anchor}" '
                            f'title="{html.escape(term.en)}">{html.escape(m.group(0), quote=False)}</a>')
            pos = m.end()
        self.out.append(html.escape(data[pos:], quote=False))
