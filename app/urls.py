"""URLs: where a form may send the visitor back to; one url_for() for many rows."""

from urllib.parse import urlsplit

from flask import url_for


def local_target(target: str | None, prefix: str = "/", fallback: str | None = None) -> str:
    """Only a path on this site, under `prefix`: an attacker's link must not bounce a learner
    elsewhere. Anything else gives `fallback` (the home page unless said).

    "//host" and "/\\host" are other sites to a browser, so both are refused; so are control
    characters (CR/LF would split the Location header, which Werkzeug refuses with a 500).
    """
    if target and target.startswith("/") and target.startswith(prefix) \
            and not target.startswith("//") and not urlsplit(target).netloc \
            and "\\" not in target and target.isprintable():
        return target
    return fallback or url_for("main.home")


class UrlPattern:
    """url_for() once for many rows: `pattern(n)` is url_for(endpoint, **values, <varying>=n)
    for an int argument (a row's id), for a grid of hundreds of links on one page."""

    _OPEN = 987_654_321_012  # stands in for the varying argument while the URL is built

    def __init__(self, endpoint: str, varying: str, **values):
        url = url_for(endpoint, **values, **{varying: self._OPEN})
        self._head, found, self._tail = url.rpartition(str(self._OPEN))
        if not found:
            raise ValueError(f"{endpoint}: {varying} is not part of its URL")

    def __call__(self, value: int) -> str:
        return f"{self._head}{int(value)}{self._tail}"
