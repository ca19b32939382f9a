"""A person's record by its number, and recording a choice the person asked us to make
("staff on request": by phone, letter, email or in person), for marketing and privacy.

The record by number is where a recorded choice comes back to (post, redirect, get), so the
address looked up never goes into a page address or an access log; showing it is a look-up
like any other, and audited as one. Recording goes through ``console.on_request``, where the
consent rules decide: a grant they refuse shows their reason and writes nothing but the
audit entry of the attempt.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for

from ..consent import GrantRefused, UnknownPerson, purposes_from_config
from ..consent.catalogue import LEGITIMATE_INTERESTS
from ..consent.ledger import ASKED_BY
from ..console.lookup import person_record
from ..console.on_request import (
    NotRecordable,
    PersonsRequest,
    note_refused_request,
    record_on_request,
)
from ..extensions import db
from ..models import Person
from ..preferences.history import change_words, date_and_time, way_words
from ..privacy.versions import UnknownNotice
from . import bp
from .access import check_may_open_person, current_staff, staff_required
from .audit import BY_NUMBER, LOOKED_UP, record_audit
from .forms import LookupForm, OnRequestForm
from .person_page import choice_form, render_people


def _person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    check_may_open_person(person.id)
    return person


@bp.route("/people/<id:person_id>")
@staff_required("marketing", "privacy")
def person(person_id: int) -> Any:
    user = current_staff()
    record = person_record(_person(person_id), user.role)
    record_audit(user, LOOKED_UP, "person", record.person_id, detail=BY_NUMBER,
                 ip=request.remote_addr)
    db.session.commit()
    return render_people(LookupForm(formdata=None), record=record)


@bp.route("/people/<id:person_id>/choices", methods=["POST"])
@staff_required("marketing", "privacy")
def record_choice(person_id: int) -> Any:
    user = current_staff()
    found = _person(person_id)
    form = choice_form(submitted=True)
    if not form.validate():
        return _again(found, form, 400)
    asked = _request_of(form)
    try:
        events = record_on_request(found.id, user, asked, ip=request.remote_addr)
    except GrantRefused as refusal:
        db.session.rollback()  # the person's lock, and anything else begun
        note_refused_request(found.id, user, asked, ip=request.remote_addr)
        db.session.commit()
        return _again(_person(person_id), form, 409, refused=_refusal_words(refusal, asked))
    except (NotRecordable, UnknownNotice) as problem:  # what the form had not caught
        db.session.rollback()
        field = form.notice_version if isinstance(problem, UnknownNotice) else form.purpose
        field.errors.append(str(problem))
        return _again(_person(person_id), form, 400)
    except UnknownPerson:  # erased meanwhile
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(_done_words(asked, changed=bool(events)), "success" if events else "info")
    return redirect(url_for("staff.person", person_id=person_id), code=303)


def _request_of(form: OnRequestForm) -> PersonsRequest:
    return PersonsRequest(
        purpose=form.purpose.data, allowed=form.choice.data == "on",
        asked_by=form.asked_by.data, asked_at=form.asked_at,
        notice_version=form.notice_version.data or None, wording=form.wording.data or None)


def _again(found: Person, form: OnRequestForm, status: int, **shown: Any) -> Any:
    """The page again with the form as filled in, its errors or the rules' refusal."""
    record = person_record(found, current_staff().role)
    return render_people(LookupForm(formdata=None), status, record=record, choice=form,
                         **shown)


def _done_words(asked: PersonsRequest, changed: bool) -> str:
    purposes = purposes_from_config(current_app.config)
    purpose = purposes[asked.purpose]
    if changed:
        what = change_words(asked.purpose, asked.allowed, purposes)
        what = what.replace("withdrew your objection", "withdrew their objection")
        return f"Recorded: the person {what}, as they asked{way_words(ASKED_BY[asked.asked_by])}."
    if purpose.basis == LEGITIMATE_INTERESTS:
        state = "allowed" if asked.allowed else "stopped (they had objected)"
    else:
        state = "on" if asked.allowed else "off"
    return f"Nothing changed: {purpose.title} was already {state}."


def _refusal_words(refusal: GrantRefused, asked: PersonsRequest) -> str:
    """The rules' reason; a refusal later than the request told with its times in UK time,
    as the colleague typed them."""
    if refusal.refused_at is None or refusal.purpose is None:
        return str(refusal)
    purposes = purposes_from_config(current_app.config)
    title = purposes[refusal.purpose].title if refusal.purpose in purposes else refusal.purpose
    return (f"The person last said no to {title} on {date_and_time(refusal.refused_at)}, "
            f"after the time they asked you ({date_and_time(asked.asked_at)}). Only they can "
            "turn it back on: on their preference page or from a link in any of our "
            "messages.")
