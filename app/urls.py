"""Where a form may send the visitor back to."""

from urllib.parse import urlsplit

from flask import url_for


def local_target(target: str | None) -> str:
    """Only a path on this site: an attacker's link must not bounce a learner elsewhere.

    "//host" and "/\\host" are other sites to a browser, so both are refused.
    """
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("main.home")
