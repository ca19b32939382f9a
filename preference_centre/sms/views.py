"""``POST /sms/inbound``: a provider forwards a reply to one of our texts.

Authenticated by the shared secret ``SMS_INBOUND_SECRET`` (header ``X-SMS-Secret`` or form
field ``secret``); there is no browser and no session, so it is exempt from CSRF.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from flask import Response, abort, current_app, request

from ..extensions import csrf, db
from ..jsonbody import json_object
from . import bp, services


def _authorised() -> bool:
    expected = current_app.config.get("SMS_INBOUND_SECRET") or ""
    given = request.headers.get("X-SMS-Secret") or request.form.get("secret") or ""
    # No secret configured: nobody may post here.
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"),
                                                  expected.encode("utf-8"))


def _fields() -> Mapping[str, Any]:
    """The reply's fields: a JSON object or a form (a 400 for JSON that is no object)."""
    if not request.is_json:
        return request.form
    data = json_object()
    if data is None:
        abort(400, description="Send the reply as a JSON object or as a form.")
    return data


def _text(fields: Mapping[str, Any], name: str) -> str:
    # A provider may send the number as a JSON number; a list or object is no reply text.
    value = fields.get(name)
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


@csrf.exempt
@bp.post("/sms/inbound")
def inbound() -> Response:
    """A "STOP" reply opts the sending number out of all marketing texts; "START" ends that."""
    if not _authorised():
        abort(403)
    fields = _fields()
    number, text = _text(fields, "from"), _text(fields, "text")
    if not any(ch.isdigit() for ch in number):
        abort(400, description="The reply has no sender number ('from').")
    company = current_app.config["COMPANY_NAME"]
    if services.is_start_reply(text):
        services.opt_in_number(number)
        db.session.commit()
        return _plain(f"Texts from {company} are no longer stopped. Choose what you would "
                      "like to get on your preferences page. Reply STOP to stop them again.")
    if not services.is_stop_reply(text):
        return _plain("Thank you. To stop our marketing texts, reply STOP.")
    services.opt_out_number(number)
    db.session.commit()
    return _plain(f"You will get no more marketing texts from {company}.")


def _plain(text: str) -> Response:
    return Response(text + "\n", 200, mimetype="text/plain")
