"""Outgoing mail over SMTP (the standard library's smtplib), sent off the request.

A message goes out on a thread of its own: how long the mail server takes must never show in
the answer's timing (the reset page says the same thing whether or not an account exists).
With no MAIL_SERVER (development) the message is written to the log.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage

from flask import current_app

_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS")


def message(to: str, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_FROM"]
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(body)
    return mail


def send(mail: EmailMessage) -> threading.Thread:
    """Hand `mail` to the SMTP server (or the log) on a thread; returns the thread."""
    settings = {key: current_app.config.get(key) for key in _SETTINGS}
    thread = threading.Thread(target=_deliver, args=(mail, settings, current_app.logger),
                              name="mail", daemon=True)
    thread.start()
    return thread


def _deliver(mail: EmailMessage, settings: dict, logger: logging.Logger) -> None:
    if not settings["MAIL_SERVER"]:
        logger.info("No MAIL_SERVER: the message that would be sent:\nTo: %s\nSubject: %s\n\n%s",
                    mail["To"], mail["Subject"], mail.get_content())  # readable, not base64
        return
    try:
        with smtplib.SMTP(settings["MAIL_SERVER"], settings["MAIL_PORT"], timeout=20) as smtp:
            if settings["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if settings["MAIL_USERNAME"]:
                smtp.login(settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"])
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException):  # nobody waits on this thread: say it in the log
        logger.exception("Could not send the mail %r", mail["Subject"])  # no address: personal
