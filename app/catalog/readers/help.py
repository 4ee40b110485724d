"""content/help.md: the public page "Khi cần giúp đỡ" (where to turn when something goes wrong)."""

from __future__ import annotations

from ..types import HelpPage
from .collector import Collector
from .courses import Links, read_markdown_file, render_body
from .provenance import read_reviewed, read_sources

FILENAME = "help.md"


def read_help(col: Collector, links: Links) -> HelpPage | None:
    """A missing file means no help page."""
    path = col.root / FILENAME
    if not path.exists():
        return None
    doc = read_markdown_file(col, path, what="trang trợ giúp")
    if doc is None:
        return None
    # Links to modules are written from the content folder: courses/<course>/modules/<slug>.md.
    rendered = render_body(col, path, doc, "", links)
    return HelpPage(col.text(path, doc.front, "title"),
                    col.text(path, doc.front, "summary", required=False),
                    read_sources(col, path, doc.front), read_reviewed(col, path, doc.front),
                    rendered.html)
