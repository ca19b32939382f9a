"""What every page shares: security headers, error pages (a NUL character PostgreSQL refused
among them), the session cookie and template globals, each in its own module; ``init_app``
attaches them to the app. The ``<id:...>`` converter for record numbers (``record_ids``) is
registered by the app factory, before the routes that use it."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError

from ..links import external_url
from .cookie_session import CookieSessionInterface
from .errors import ERROR_TITLES, render_csrf_error, render_data_error, render_error
from .headers import add_security_headers
from .template_globals import template_globals


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
    app.after_request(add_security_headers)
    app.context_processor(template_globals)
    app.add_template_global(external_url)  # links in messages: always against BASE_URL
    for code in ERROR_TITLES:
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(DataError, render_data_error)
