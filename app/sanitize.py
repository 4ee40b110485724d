"""The one place HTML is sanitised.

nh3 (Ammonia) rather than bleach: bleach stopped receiving security fixes in 2026.
"""

import nh3

ALLOWED_TAGS = {
    "a", "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
    "img", "dl", "dt", "dd", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html: str) -> str:
    """Keep only harmless markup; drop <script>/<style> together with their text."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    )
