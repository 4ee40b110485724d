"""Vietnamese first; English for visitors who ask for it (kept in the session).

Message ids are the Vietnamese text; app/translations/en holds the English.
"""

from datetime import date, datetime

from flask import current_app, g, has_request_context, session
from flask_babel import format_date, format_datetime, get_locale, get_translations

from .extensions import babel


def select_locale() -> str:
    # Outside a request (CLI, services called from tests) there is no visitor to ask.
    lang = session.get("lang") if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _translations():
    """The request's translations, looked up once: templates call gettext 20-30 times a page."""
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


# The one date format of the site: Vietnamese day/month/four-digit year, English "2 Dec 2026".
DATE_PATTERNS = {"vi": "d/M/yyyy", "en": "d MMM yyyy"}
TIME_PATTERN = "HH:mm"


def _date_pattern() -> str:
    return DATE_PATTERNS.get(get_locale().language, DATE_PATTERNS["vi"])


def format_day(value: date | datetime | None) -> str:
    """A date (or the local date of a UTC moment): "2/12/2026", in English "2 Dec 2026"."""
    if value is None:
        return ""
    return format_date(value, _date_pattern())  # a datetime is moved to local time first


def format_moment(value: datetime | None) -> str:
    """A UTC moment in local time: "2/12/2026 14:05", in English "2 Dec 2026 14:05"."""
    if value is None:
        return ""
    return format_datetime(value, f"{_date_pattern()} {TIME_PATTERN}")


def localized(thing, field: str = "name") -> str:
    """A content object's name (or title…) in the visitor's language: `name_en` in English when
    the content gives one, the Vietnamese otherwise. Jinja: {{ group|localized }}."""
    if get_locale().language == "en":
        english = getattr(thing, f"{field}_en", None) if not isinstance(thing, dict) else thing.get(f"{field}_en")
        if english:
            return english
    return thing.get(field, "") if isinstance(thing, dict) else getattr(thing, field)


def init_app(app) -> None:
    app.jinja_env.filters["localized"] = localized
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    # Jinja formats and escapes the result itself (newstyle): these only translate.
    app.jinja_env.install_gettext_callables(
        lambda s: _translations().ugettext(s),
        lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
