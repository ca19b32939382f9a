"""Requests about one's data: object to processing, restrict it (and lift the restriction),
dispute a record; each with a status and a due date the person can see."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from .. import consent
from ..extensions import db
from . import bp, requests
from .forms import LiftRestrictionForm, ObjectionForm, RectifyForm, RestrictForm


def _objection_form() -> ObjectionForm:
    form = ObjectionForm()
    form.purpose.choices = [SelectChoice(key, label)
                            for key, label in requests.objection_choices().items()]
    return form


@bp.get("/account/data/requests")
@login_required
def request_list() -> str:
    return _requests_page()


def _requests_page(**forms: Any) -> str:
    return render_template(
        "data_rights/requests.html", requests=requests.person_requests(current_user.id),
        labels=requests.STATUS_LABELS, person=current_user,
        objection=forms.get("objection") or _objection_form(),
        restrict=forms.get("restrict") or RestrictForm(),
        lift=LiftRestrictionForm(), rectify=forms.get("rectify") or RectifyForm(),
    )


@bp.get("/account/data/requests/<id:request_id>")
@login_required
def request_detail(request_id: int) -> str:
    try:
        row = requests.get_request(current_user.id, request_id)
    except requests.RequestNotFound:
        abort(404)
    return render_template("data_rights/request_detail.html", row=row,
                           labels=requests.STATUS_LABELS)


def _actor() -> consent.Actor:
    return consent.Actor(source="form", actor_type="person", actor_id=str(current_user.id),
                         ip=request.remote_addr, user_agent=request.user_agent.string)


def _back_to_list(message: str, category: str) -> Response:
    flash(message, category)
    return redirect(url_for("data_rights.request_list"))


def _done(row: Any, message: str) -> Response:
    db.session.commit()
    return _back_to_list(f"{message} Reference {row.reference}.", "success")


@bp.post("/account/data/object")
@login_required
def object_to() -> Any:
    form = _objection_form()
    if not form.validate_on_submit():
        return _requests_page(objection=form), 400
    try:
        row = requests.object_to_processing(current_user.id, form.purpose.data,
                                            form.reason.data, _actor())
    except requests.RequestRejected as exc:
        form.purpose.errors.append(str(exc))
        return _requests_page(objection=form), 400
    if row.status == "completed":
        return _done(row, "Done: we have stopped that marketing.")
    return _done(row, "Thank you: our privacy officer will reply by "
                      f"{row.due_at:%-d %B %Y}.")


@bp.post("/account/data/restrict")
@login_required
def restrict() -> Any:
    form = RestrictForm()
    if not form.validate_on_submit():
        return _requests_page(restrict=form), 400
    try:
        row = requests.restrict_processing(current_user._get_current_object(),
                                           form.grounds.data)
    except requests.RequestRejected as exc:
        return _back_to_list(str(exc), "error")
    return _done(row, "From now on we only store your data and use it for nothing else.")


@bp.post("/account/data/restrict/lift")
@login_required
def lift_restriction() -> Any:
    if not LiftRestrictionForm().validate_on_submit():
        abort(400)
    try:
        requests.lift_restriction(current_user._get_current_object())
    except requests.RequestRejected as exc:
        return _back_to_list(str(exc), "error")
    db.session.commit()
    return _back_to_list("The restriction has been lifted.", "success")


@bp.post("/account/data/rectify")
@login_required
def rectify() -> Any:
    form = RectifyForm()
    if not form.validate_on_submit():
        return _requests_page(rectify=form), 400
    row = requests.request_rectification(current_user.id, form.details.data)
    return _done(row, f"Thank you: we will reply by {row.due_at:%-d %B %Y}.")
