"""What every page shares: security headers, error pages, template globals."""

from __future__ import annotations

from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    render_template,
    request,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadHost, HTTPException, SecurityError

from .extensions import db
from .links import external_url

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ]
)

ERROR_TITLES = {
    400: ("This request could not be understood", "Something in the request was malformed."),
    403: ("You cannot do that", "You do not have permission for this page or action."),
    404: ("Page not found", "The address may have been mistyped or copied incompletely, or "
          "the page may have moved."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too much data", "What you sent is larger than we accept."),
    429: ("Too many attempts", "Please wait a little and try again."),
    500: ("Something went wrong on our side", "Nothing you did caused this; nothing was saved."),
}


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


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
    app.after_request(add_security_headers)
    app.context_processor(template_globals)
    app.add_template_global(external_url)  # links in messages: always against BASE_URL
    for code in ERROR_TITLES:
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_csrf_error)


_SECURITY_HEADERS = (
    ("content-security-policy", "Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "X-Content-Type-Options", "nosniff"),
    ("referrer-policy", "Referrer-Policy", "same-origin"),
    ("x-frame-options", "X-Frame-Options", "DENY"),
    ("cross-origin-opener-policy", "Cross-Origin-Opener-Policy", "same-origin"),
    ("permissions-policy", "Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_HSTS = ("strict-transport-security", "Strict-Transport-Security",
         "max-age=31536000; includeSubDomains")
_NO_STORE = ("cache-control", "Cache-Control", "no-store")


def add_security_headers(response: Response) -> Response:
    """Each header unless the view set its own. One pass over the response's headers rather
    than a search per header: this runs on every response."""
    wanted = list(_SECURITY_HEADERS)
    if str(current_app.config["BASE_URL"]).startswith("https://"):
        wanted.append(_HSTS)
    endpoint = request.endpoint
    if endpoint and not endpoint.endswith("static"):
        # Pages can hold personal data: never in a shared cache.
        wanted.append(_NO_STORE)
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    for lower, name, value in wanted:
        if lower not in present:
            headers.add(name, value)
    return response


def template_globals() -> dict[str, Any]:
    return {"company_name": current_app.config["COMPANY_NAME"]}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(error: Exception) -> tuple[Any, int]:
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    if code >= 500:
        # A failed request must not leave a half-done transaction behind.
        db.session.rollback()
    title, explanation = ERROR_TITLES.get(code, ERROR_TITLES[500])
    detail = getattr(error, "description", None) if code < 500 else None
    if isinstance(error, HTTPException) and detail == type(error).description:
        # Werkzeug's stock sentence ("The requested URL was not found on the server...")
        # repeats our explanation in worse words; only a description we wrote is shown.
        detail = None
    if wants_json():
        return {"error": title, "detail": detail}, code
    if isinstance(error, BadHost | SecurityError):
        # Werkzeug refused the Host header before routing: no page can build a link.
        return Response(f"{title}\n\n{detail or explanation}\n", code, mimetype="text/plain"), code
    response = render_template(
        "errors/error.html", code=code, title=title, explanation=explanation, detail=detail
    )
    return response, code


def render_csrf_error(error: CSRFError) -> tuple[Any, int]:
    title = "This form has expired"
    explanation = (
        "For your security, forms must be sent from this site within one session. "
        "Go back, reload the page and try again. Nothing was changed."
    )
    return render_template("errors/error.html", code=400, title=title,
                           explanation=explanation, detail=None), 400
