"""The API other company systems call: JSON in, JSON out, errors included.

Each view parses its input (``schemas``), calls one service (``services``) and answers.
Domain errors become 404 or 409 answers; bad input a 400 listing every field at fault.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..auth import limits
from ..consent import Evidence, GrantRefused, purposes_from_config
from ..consent.catalogue import MARKETING_CHANNELS
from ..extensions import csrf, db
from ..jsonbody import json_object
from ..models import ApiKey, Communication, NoticeVersion, Order
from ..suppression.queries import BadCursor, UnknownChannel
from ..suppression.queries import page as suppression_page
from . import auth, bp, services
from .schemas import (
    COMMUNICATION_CHANNELS,
    CURRENCY_PATTERN,
    DIRECTIONS,
    MAX_AMOUNT_PENCE,
    ORDER_STATUSES,
    REFERENCE_PATTERN,
    Fields,
    InvalidInput,
)

# Callers authenticate with an API key, not a browser session, so CSRF protection does not
# apply; each key has its own rate limit (API_RATE_LIMIT).
csrf.exempt(bp)
limits.blueprint_limit(bp, auth.rate_limit, scope="api", key_func=auth.rate_limit_key)

MAX_API_BODY = 64 * 1024  # far above any real request; the app-wide limit is for uploads


def error(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify({"error": message, **extra}), status


@bp.before_request
def require_api_key() -> tuple[Response, int] | None:
    if (request.content_length or 0) > MAX_API_BODY:
        return error(413, "Too much data", detail=f"Requests are limited to {MAX_API_BODY} bytes.")
    key = auth.key_from_request()
    if key is None:
        response, status = error(401, "A valid API key is required",
                                 detail="Send it as: Authorization: Bearer <key>.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response, status
    if auth.note_use(key):
        db.session.commit()  # at once, so a read-only request keeps the record
    return None


@bp.errorhandler(InvalidInput)
def invalid_input(exc: InvalidInput) -> tuple[Response, int]:
    db.session.rollback()
    return error(400, "Invalid input", fields=exc.fields)


@bp.errorhandler(services.NotFound)
def not_found(exc: services.NotFound) -> tuple[Response, int]:
    db.session.rollback()
    return error(404, str(exc))


@bp.errorhandler(services.Conflict)
@bp.errorhandler(GrantRefused)  # the ledger's own check, when a refusal came in meanwhile
def conflict(exc: services.Conflict | GrantRefused) -> tuple[Response, int]:
    db.session.rollback()
    return error(409, str(exc))


def caller() -> ApiKey:
    """The key this request came with (``require_api_key`` has already checked it)."""
    key = auth.key_from_request()
    if key is None:
        abort(401)
    return key


def json_body() -> Fields:
    """The request's JSON object, whose fields the view reads (a 400 if there is none)."""
    return Fields(json_object())


@bp.get("/contact-check")
def contact_check() -> Response:
    """May we contact this person, on this channel, about this topic, right now?"""
    return contact_decision(Fields(request.args.to_dict()))


@bp.post("/contact-check")
def contact_check_by_post() -> Response:
    """The same question with the address in the body, where no access log records it."""
    return contact_decision(json_body())


def contact_decision(fields: Fields) -> Response:
    email = fields.email(required=False)
    person_id = fields.integer("person_id", required=False, minimum=1)
    channel = fields.text("channel", max_length=20, required=True)
    topic = fields.text("topic", max_length=40, required=True)
    if email is None and person_id is None and "email" not in fields.errors:
        fields.errors.setdefault("email", "Give email or person_id.")
    if channel and topic and f"{channel}:{topic}" not in purposes_from_config(current_app.config):
        fields.errors["topic"] = f"{channel}:{topic} is not a purpose in the catalogue."
    fields.done()
    decision = services.check_contact(channel or "", topic or "", email=email,
                                      person_id=person_id)
    return jsonify({"allowed": decision.allowed, "reason": decision.reason})


def evidence_from(fields: Fields, *, required: bool = False) -> Evidence | None:
    """The evidence of a captured choice, or None when the request gives none (with
    ``required``, an empty one, which the consent rules then refuse), its notice version
    checked against the published ones."""
    evidence = fields.evidence(now=clock.utcnow())
    version = evidence.notice_version if evidence is not None else None
    if version and db.session.execute(db.select(NoticeVersion.id).where(
            NoticeVersion.version == version)).first() is None:
        fields.errors["notice_version"] = "Not a published notice version (see /privacy)."
    if evidence is None and required:
        return Evidence()
    return evidence


@bp.get("/people/<id:person_id>/consent")
def person_consent(person_id: int) -> Response:
    person = services.get_person(person_id)
    return jsonify(services.consent_overview(person))


@bp.post("/people")
def create_person() -> tuple[Response, int]:
    """Find or create a person by email, recording any consents given."""
    fields = json_body()
    email = fields.email()
    name = fields.text("name", max_length=200)
    consents = fields.choices_map("consents", services.changeable_purposes())
    verified = fields.boolean("email_verified")
    source_note = fields.text("source_note", max_length=200)
    evidence = evidence_from(fields)
    fields.done()
    key = caller()
    arguments = dict(key_prefix=key.key_prefix, key_name=key.name, name=name,
                     consents=consents, verified=bool(verified), source_note=source_note,
                     evidence=evidence)
    try:
        person, created, events = services.find_or_create_person(email or "", **arguments)
        db.session.commit()
    except IntegrityError:
        # Another request created the same address a moment ago: use that person.
        db.session.rollback()
        person, created, events = services.find_or_create_person(email or "", **arguments)
        db.session.commit()
    body = {"person_id": person.id, "created": created, "status": person.status,
            "changed": [event.purpose for event in events]}
    return jsonify(body), 201 if created else 200


@bp.put("/people/<id:person_id>/consent")
def change_consent(person_id: int) -> Response:
    """Set purposes to true or false, e.g. {"email:offers": false}."""
    person = services.get_person(person_id)
    body = json_body().data
    # Either the purposes themselves or, like POST /people, wrapped in "consents".
    fields = Fields(body if "consents" in body else {"consents": body})
    consents = fields.choices_map("consents", services.changeable_purposes())
    if not consents and not fields.errors:
        fields.errors["consents"] = "Give at least one purpose: true or false."
    evidence = evidence_from(fields)
    fields.done()
    events = services.change_consents(person, consents, caller().key_prefix, evidence)
    db.session.commit()
    return jsonify({**services.consent_overview(person),
                    "changed": [event.purpose for event in events]})


@bp.post("/consent-events")
def consent_event() -> Response:
    """A choice another system captured: a withdrawal always counts, a grant only with its
    evidence and if captured after the person's latest refusal (else 409, nothing written)."""
    fields = json_body()
    email = fields.email()
    purpose = fields.text("purpose", max_length=80, required=True)
    if purpose and purpose not in services.changeable_purposes():
        fields.errors["purpose"] = f"{purpose} is not an optional purpose in the catalogue."
    granted = fields.boolean("granted", required=True)
    evidence = evidence_from(fields, required=True)
    fields.done()
    person, events = services.record_consent_event(
        email or "", purpose or "", bool(granted), evidence or Evidence(), caller().key_prefix)
    db.session.commit()
    return jsonify({"person_id": person.id, "purpose": purpose, "granted": bool(granted),
                    "changed": [event.purpose for event in events]})


def order_json(order: Order) -> dict[str, Any]:
    return {"reference": order.reference, "person_id": order.person_id,
            "product": order.product, "amount_pence": order.amount_pence,
            "currency": order.currency, "status": order.status,
            "ordered_at": order.ordered_at.isoformat(),
            "updated_at": order.updated_at.isoformat()}


@bp.post("/orders")
def create_order() -> tuple[Response, int]:
    fields = json_body()
    person_id = fields.integer("person_id", minimum=1)
    reference = fields.text("reference", max_length=32, required=True, pattern=REFERENCE_PATTERN)
    product = fields.text("product", max_length=200, required=True)
    amount = fields.integer("amount_pence", maximum=MAX_AMOUNT_PENCE)
    currency = fields.text("currency", max_length=3, pattern=CURRENCY_PATTERN) or "GBP"
    fields.done()
    try:
        order = services.create_order(person_id or 0, reference or "", product or "",
                                      amount or 0, currency)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise services.Conflict(f"An order with reference {reference} already exists.") from None
    return jsonify(order_json(order)), 201


@bp.patch("/orders/<reference>")
def update_order(reference: str) -> Response:
    fields = json_body()
    status = fields.text("status", max_length=20, choices=ORDER_STATUSES)
    note = fields.text("note", max_length=1000)
    fields.done()
    if not REFERENCE_PATTERN.fullmatch(reference):
        raise services.NotFound("No such order.")
    order = services.update_order(reference, status, note)
    db.session.commit()
    return jsonify(order_json(order))


@bp.post("/people/<id:person_id>/communications")
def add_communication(person_id: int) -> tuple[Response, int]:
    fields = json_body()
    channel = fields.text("channel", max_length=10, required=True,
                          choices=COMMUNICATION_CHANNELS)
    direction = fields.text("direction", max_length=10, required=True, choices=DIRECTIONS)
    summary = fields.text("summary", max_length=2000)
    occurred_at = fields.moment("occurred_at", now=clock.utcnow())
    fields.done()
    row: Communication = services.add_communication(person_id, channel or "", direction or "",
                                                    summary, occurred_at)
    db.session.commit()
    return jsonify({"id": row.id, "person_id": row.person_id, "channel": row.channel,
                    "direction": row.direction, "occurred_at": row.occurred_at.isoformat()}), 201


@bp.get("/suppressions")
def suppressions() -> Response:
    """The opt-out list for one channel, a page at a time (follow ``next_cursor``)."""
    fields = Fields(request.args.to_dict())
    channel = fields.text("channel", max_length=10, choices=MARKETING_CHANNELS) or "email"
    limit = fields.integer("limit", required=False, minimum=1, maximum=1000) or 100
    cursor = fields.text("cursor", max_length=20)
    fields.done()
    try:
        entries, next_cursor = suppression_page(channel, cursor, limit)
    except (UnknownChannel, BadCursor) as exc:
        raise InvalidInput({"cursor": str(exc)}) from exc
    return jsonify({"channel": channel, "entries": [entry.as_dict() for entry in entries],
                    "next_cursor": next_cursor})
