"""Markdown → sanitised HTML, once, at catalog load, with the problems a content editor must fix."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import HTML_RE, HtmlInlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from app.sanitize import URL_SCHEMES, clean_html

_SLUG_MD = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.md$")


@dataclass
class Rendered:
    html: str
    words: int
    raw_html: list[str] = field(default_factory=list)
    # (href as written, course slug, module slug) for links to other modules
    module_links: list[tuple[str, str, str]] = field(default_factory=list)
    bad_links: list[tuple[str, str]] = field(default_factory=list)  # (href, why)
    top_headings: list[str] = field(default_factory=list)


class _Audit(Extension):
    """Records raw HTML, rewrites links between modules to relative URLs, and finds bad links."""

    def __init__(self, course_slug: str, result: Rendered):
        super().__init__()
        self.course_slug = course_slug
        self.result = result

    def extendMarkdown(self, md):
        result = self.result
        block = md.preprocessors["html_block"]

        class RecordingBlocks(Preprocessor):
            def run(self, lines):
                before = len(md.htmlStash.rawHtmlBlocks)
                out = block.run(lines)
                result.raw_html.extend(str(b) for b in md.htmlStash.rawHtmlBlocks[before:])
                return out

        class RecordingInline(HtmlInlineProcessor):
            def handleMatch(self, m, data):
                result.raw_html.append(m.group(1))
                return super().handleMatch(m, data)

        md.preprocessors.register(RecordingBlocks(md), "html_block", 20)
        md.inlinePatterns.register(RecordingInline(HTML_RE, md), "html", 90)
        md.treeprocessors.register(_LinkAudit(md, self.course_slug, result), "link_audit", 0)


class _LinkAudit(Treeprocessor):
    def __init__(self, md, course_slug: str, result: Rendered):
        super().__init__(md)
        self.course_slug = course_slug
        self.result = result

    def run(self, root):
        for el in root.iter():
            if el.tag == "h1":
                self.result.top_headings.append("".join(el.itertext()))
            elif el.tag == "a":
                el.set("href", self._link(el.get("href", "")))
            elif el.tag == "img":
                src = el.get("src", "")
                if urlsplit(src).scheme != "https":
                    self.result.bad_links.append((src, "ảnh phải là địa chỉ https://"))
                el.set("loading", "lazy")
        return None

    def _link(self, href: str) -> str:
        parts = urlsplit(href)
        if parts.scheme:
            if parts.scheme not in URL_SCHEMES:
                self.result.bad_links.append((href, f"giao thức '{parts.scheme}:' không được phép"))
            return href
        if not parts.path:  # "#anchor" within the page
            return href
        # The module file's own relative path, as it works in any Markdown viewer:
        # <slug>.md in the same course, ../../<course>/modules/<slug>.md in another one.
        here = f"courses/{self.course_slug}/modules"
        pieces = posixpath.normpath(posixpath.join(here, parts.path)).split("/")
        if len(pieces) == 4 and pieces[0] == "courses" and pieces[2] == "modules" \
                and _SLUG_MD.match(pieces[3]):
            course, module = pieces[1], pieces[3][:-3]
            self.result.module_links.append((href, course, module))
            target = module if course == self.course_slug else f"../{course}/{module}"
            return target + (f"#{parts.fragment}" if parts.fragment else "")
        self.result.bad_links.append((href, "liên kết nội bộ phải trỏ tới tệp bài học .md"))
        return href


def render_markdown(text: str, course_slug: str) -> Rendered:
    result = Rendered(html="", words=len(text.split()))
    md = markdown.Markdown(
        extensions=[
            "sane_lists",
            "fenced_code",
            "tables",
            _Audit(course_slug, result),
        ],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    result.html = clean_html(md.convert(text))
    return result
