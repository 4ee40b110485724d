"""Vietnamese first; English for visitors who ask for it (kept in the session).

Message ids are the Vietnamese text; app/translations/en holds the English.
"""

from flask import current_app, g, has_request_context, session
from flask_babel import get_locale, get_translations

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


def init_app(app) -> None:
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
