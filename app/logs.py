"""Logs an operator can search, without personal data.

Every request gets an id (nginx's X-Request-ID when it sends a well-formed one, else a new
one), sent back as `X-Request-ID` and attached to every log line written while it runs.
With LOG_FORMAT=json each line is one JSON object, and one line per request says what was
asked and how it went. Phone numbers and email addresses are masked in every line, whatever
logger wrote it (the app, Flask-Limiter's "login:0912…" keys, gunicorn's access log).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

# Vietnamese numbers: 0 or +84/84 then nine digits, spaces or hyphens allowed between them.
# Not after a digit, a letter or a dot (a float, a hex id), not before a digit or a letter.
PHONE = re.compile(r"(?<![\w.+])(?:\+?84|0)(?:[ -]?\d){9}(?![\w])")
EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.)+[\w-]{2,}", re.UNICODE)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def mask(text: str) -> str:
    text = EMAIL.sub(lambda m: "***@" + m.group(0).rsplit("@", 1)[1], text)
    return PHONE.sub(lambda m: "0*******" + m.group(0)[-2:], text)


class MaskPersonalData(logging.Filter):
    """On a handler: the message, its arguments and any traceback lose phones and emails."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        for name in ("route", "path"):  # fields of the request line
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, mask(value))
        return True


class RequestId(logging.Filter):
    """Every line written during a request carries its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


_FIELDS = ("method", "route", "path", "status", "duration_ms", "request_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc)
                .isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name,
                "message": record.getMessage()}
        line.update({k: getattr(record, k) for k in _FIELDS if getattr(record, k, None) is not None})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


class _Stderr(logging.StreamHandler):
    """Whatever sys.stderr is at the time of writing (gunicorn and pytest replace it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def json_handler() -> logging.Handler:
    handler = _Stderr()
    handler.setFormatter(JsonFormatter())
    return handler


def _guard(handler: logging.Handler) -> None:
    for kind in (RequestId, MaskPersonalData):
        if not any(isinstance(f, kind) for f in handler.filters):
            handler.addFilter(kind())


def _install(app: Flask, json_lines: bool) -> None:
    """JSON: one handler on the root logger, which the app's, Flask-Limiter's and gunicorn's
    lines reach. Text: Flask's own handler, as before. Either way every handler masks."""
    if json_lines:
        root = logging.getLogger()
        # Only JSON lines: a plain console handler (say, left by Alembic's logging set-up) goes,
        # and so does an earlier app's in the same process; pytest's capture stays.
        for old in [h for h in root.handlers
                    if getattr(h, "hocvuso", False) or type(h) is logging.StreamHandler]:
            root.removeHandler(old)
        handler = json_handler()
        handler.hocvuso = True
        _guard(handler)
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        app.logger.removeHandler(default_handler)  # it would write each line a second time
        app.logger.setLevel(logging.INFO)
    handlers = list(app.logger.handlers)
    for name in ("gunicorn.error", "gunicorn.access"):  # gunicorn keeps handlers of its own
        handlers += logging.getLogger(name).handlers
    for handler in handlers:
        _guard(handler)


def init_app(app: Flask) -> None:
    json_lines = (app.config.get("LOG_FORMAT") or "text").lower() == "json"
    _install(app, json_lines)

    def _request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.log_started = time.perf_counter()

    # First of all: a request that an earlier hook refuses (CSRF, a rate limit) has an id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _request_id)

    @app.after_request
    def _send_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
            if json_lines:
                _request_line(app, response.status_code)
        return response


def _request_line(app: Flask, status: int) -> None:
    started = g.get("log_started") or time.perf_counter()
    rule = request.url_rule.rule if request.url_rule is not None else None
    app.logger.info("%s %s %s", request.method, rule or "-", status, extra={
        "method": request.method, "route": rule, "path": None if rule else request.path,
        "status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
