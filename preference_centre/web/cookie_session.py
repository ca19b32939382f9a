"""The session cookie: Flask's signed cookie, opened and saved only when a request needs it."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, minus the work it does on requests that neither bring
    nor need one: a signing serializer built before looking for the cookie, and cookie
    settings worked out before seeing there is nothing to save. Most requests are such
    (one-click posts, links from messages, health checks, first visits)."""

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        if app.secret_key and (
            "HTTP_COOKIE" not in request.environ
            or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if session or session.modified:
            super().save_session(app, session, response)
        elif session.accessed:  # as Flask does; Flask-Login looks at every session
            response.vary.add("Cookie")
