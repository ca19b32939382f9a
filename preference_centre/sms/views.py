"""``POST /sms/inbound``: a provider forwards a reply to one of our texts.

Authenticated by the shared secret ``SMS_INBOUND_SECRET`` (header ``X-SMS-Secret`` or form
field ``secret``); there is no browser and no session, so it is exempt from CSRF.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Response, abort, current_app, request

from ..extensions import csrf, db
from . import bp, services


def _authorised() -> bool:
    expected = current_app.config.get("SMS_INBOUND_SECRET") or ""
    given = request.headers.get("X-SMS-Secret") or request.form.get("secret") or ""
    # No secret configured: nobody may post here.
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"),
                                                  expected.encode("utf-8"))


def _field(name: str) -> str:
    data: Any = request.get_json(silent=True) if request.is_json else None
    value = data.get(name) if isinstance(data, dict) else request.form.get(name)
    return str(value or "")


@csrf.exempt
@bp.post("/sms/inbound")
def inbound() -> Response:
    """A "STOP" reply opts the sending number out of all marketing texts."""
    if not _authorised():
        abort(403)
    number, text = _field("from"), _field("text")
    if not any(ch.isdigit() for ch in number):
        abort(400, description="The reply has no sender number ('from').")
    if not services.is_stop_reply(text):
        return _plain("Thank you. To stop our marketing texts, reply STOP.")
    services.opt_out_number(number)
    db.session.commit()
    company = current_app.config["COMPANY_NAME"]
    return _plain(f"You will get no more marketing texts from {company}.")


def _plain(text: str) -> Response:
    return Response(text + "\n", 200, mimetype="text/plain")
