"""Error pages: a titled, plain-words page (or JSON under /api/) for every error code."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadHost, BadRequest, HTTPException, SecurityError

from ..extensions import db

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


NUL = "\x00"
NUL_REFUSAL = ("What was sent holds a NUL character, which cannot be stored. Nothing was "
               "saved: go back and type or paste the text again as plain text.")


def render_data_error(error: DataError) -> tuple[Any, int]:
    """PostgreSQL cannot store a NUL character in text, and psycopg refuses one before the
    statement is sent: that is what the visitor sent (a campaign's body, the wording a person
    agreed to), so a 400 that says why, the request's writes undone. Found here, on the
    error's own values, so that no statement pays for looking; SQLite stores the character.
    Any other DataError is a fault of ours and stays a 500."""
    if not _holds_nul(error.params):
        raise error
    db.session.rollback()
    return render_error(BadRequest(description=NUL_REFUSAL))


def _holds_nul(params: Any) -> bool:
    """A statement's values: one row (a tuple, or a dict by name) or a list of rows."""
    rows = params if isinstance(params, list) else [params]
    for row in rows:
        for value in (row.values() if isinstance(row, dict) else row or ()):
            if isinstance(value, str) and NUL in value:
                return True
    return False


def render_csrf_error(error: CSRFError) -> tuple[Any, int]:
    title = "This form has expired"
    explanation = (
        "For your security, forms must be sent from this site within one session. "
        "Go back, reload the page and try again. Nothing was changed."
    )
    return render_template("errors/error.html", code=400, title=title,
                           explanation=explanation, detail=None), 400
