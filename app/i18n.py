"""Vietnamese first; English for visitors who ask for it (kept in the session).

Message ids are the Vietnamese text; app/translations/en holds the English.
"""

from flask import current_app, has_request_context, session
from flask_babel import get_locale

from .extensions import babel


def select_locale() -> str:
    # Outside a request (CLI, services called from tests) there is no visitor to ask.
    lang = session.get("lang") if has_request_context() else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
