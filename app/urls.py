"""Where a form may send the visitor back to."""

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
