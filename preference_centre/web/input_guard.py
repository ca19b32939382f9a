"""No NUL character in what a visitor sends.

PostgreSQL cannot store one in text: it raises an error, so a form holding one would end in
a 500 after saving nothing (a campaign's body, the wording a person agreed to). No field of
ours has a use for it, so a query or form that holds one is refused whole, with a page that
says why, before any view reads it. The API checks its JSON bodies itself (api/schemas).
"""

from __future__ import annotations

from flask import abort, request
from werkzeug.datastructures import MultiDict

NUL = "\x00"
REFUSAL = ("What was sent holds a NUL character, which nothing here can store. Nothing was "
           "saved: go back and type or paste the text again as plain text.")


def refuse_nul_characters() -> None:
    """``before_request``: a 400 for a NUL in the query string or a submitted form."""
    if _holds_nul(request.args) or (request.method != "GET" and _holds_nul(request.form)):
        abort(400, description=REFUSAL)


def _holds_nul(values: MultiDict[str, str]) -> bool:
    return any(NUL in key or NUL in value for key, value in values.items(multi=True))
