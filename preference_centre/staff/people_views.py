"""Looking a person up (marketing and privacy): exactly one address, found by its keyed
hash; their answer per purpose, since when and how, and the whole ledger in plain words.
Every look-up is audited, one that finds nobody without the address. The privacy team can
also download the proof of consent (every event with its evidence and notice version). The
person found can be shown again by their record number (marketing: only one it found by
address in this session, ``access.check_may_open_person``), and a choice they asked us to
make recorded for them: ``on_request_views``."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, request

from ..console.lookup import look_up_person
from ..console.proof import consent_proof, proof_rows
from ..extensions import db
from ..links import external_url
from ..models import Person
from . import bp
from .access import current_staff, staff_required
from .audit import LOOKED_UP, record_audit
from .downloads import attachment_name, csv_lines
from .forms import LookupForm, LookupQueryForm
from .person_page import render_people

PROOF_FORMATS = ("json", "csv")


@bp.route("/people")
@staff_required("marketing", "privacy")
def people() -> Any:
    """The form; with ``?email=`` (the contract's address) the look-up itself."""
    if "email" not in request.args:
        return render_people(LookupForm(formdata=None))
    return _look_up(LookupQueryForm(formdata=request.args))


@bp.route("/people", methods=["POST"])
@staff_required("marketing", "privacy")
def people_lookup() -> Any:
    return _look_up(LookupForm())


def _look_up(form: LookupForm) -> Any:
    if not form.validate():
        return render_people(form, 400)
    user = current_staff()
    record = look_up_person(form.email.data, user.role)
    # The audit names the person found, never the address typed.
    record_audit(user, LOOKED_UP, "person", record.person_id if record else None,
                 detail=None if record else "nobody found", ip=request.remote_addr)
    db.session.commit()
    return render_people(form, record=record, searched=True)


def notice_url(version: str) -> str:
    """Where notice ``version`` can be read as published."""
    return external_url("privacy.version", version=version)


@bp.route("/people/<id:person_id>/proof.<fmt>")
@staff_required("privacy")
def consent_proof_download(person_id: int, fmt: str) -> Response:
    if fmt not in PROOF_FORMATS:
        abort(404)
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    proof = consent_proof(person, notice_url)
    record_audit(current_staff(), "person.proof_downloaded", "person", person.id,
                 detail=f"{fmt}, {len(proof['events'])} events", ip=request.remote_addr)
    db.session.commit()
    name = attachment_name(f"consent-proof-{person.id}", fmt)
    if fmt == "json":
        body = json.dumps(proof, indent=2, ensure_ascii=False)
        mimetype = "application/json"
    else:
        body = "".join(csv_lines(proof_rows(proof)))
        mimetype = "text/csv"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
