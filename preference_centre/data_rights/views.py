"""Data-rights pages: see everything held, download it, erase it; objection, restriction and
rectification requests; export links for people without an account."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from .. import clock, consent, tokens
from ..extensions import db, limiter
from ..messaging import queue_service_email
from ..models import Person
from ..people import verify_secret
from . import bp, export, reading, registry, requests
from .erasure import erase_person, erasure_plan
from .forms import (
    DeleteForm,
    DownloadForm,
    ExportRequestForm,
    LiftRestrictionForm,
    ObjectionForm,
    RectifyForm,
    RestrictForm,
)

PAGE_ROWS = 20


def recent_login_required(view: Any) -> Any:
    """The accounts feature's guard (password entered recently, else ``/reauth``), looked up
    when called so this blueprint does not depend on the order features land in."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from ..auth.decorators import recent_login_required as guard

        return guard(view)(*args, **kwargs)

    return wrapped


# Seeing everything -------------------------------------------------------------------------

@bp.get("/account/data")
@login_required
def overview() -> str:
    person_id = current_user.id
    sections = []
    for cat in registry.CATEGORIES:
        tables = []
        for source in cat.sources:
            total = reading.count_rows(source, person_id)
            page = max(1, request.args.get(f"page-{source.key}", 1, type=int) or 1)
            pages = max(1, -(-total // PAGE_ROWS))
            page = min(page, pages)
            rows = reading.page_rows(source, person_id, PAGE_ROWS, (page - 1) * PAGE_ROWS)
            fields = source.page_fields
            tables.append({"source": source, "total": total, "page": page, "pages": pages,
                           "fields": fields,
                           "rows": [[reading.display_value(f, row[f.key]) for f in fields]
                                    for row in rows]})
        sections.append({"category": cat, "tables": tables})
    return render_template("data_rights/overview.html", sections=sections,
                           person=current_user, open_requests=requests.person_requests(person_id))


@bp.get("/account/data/export/schema")
def export_schema() -> str:
    return render_template("data_rights/export_schema.html", categories=registry.CATEGORIES,
                           version=export.SCHEMA_VERSION, schema_url=export.schema_url())


@bp.get("/account/data/export")
@recent_login_required
def export_download() -> Response:
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "zip"):
        abort(400, "Choose format=json or format=zip.")
    return _export_response(current_user.id, fmt)


def _export_response(person_id: int, fmt: str) -> Response:
    if fmt == "zip":
        body, mimetype = export.iter_zip(person_id), "application/zip"
    else:
        body, mimetype = export.iter_json(person_id), "application/json"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export.export_filename(fmt)}"')
    response.headers["Cache-Control"] = "no-store"
    return response


# Erasure -----------------------------------------------------------------------------------

@bp.route("/account/delete", methods=["GET", "POST"])
@recent_login_required
@limiter.limit("10 per hour", methods=["POST"])
def delete() -> Any:
    form = DeleteForm()
    person: Person = current_user._get_current_object()
    if form.validate_on_submit():
        if not verify_secret(person.password_hash, form.password.data or ""):
            form.password.errors.append("That password is not right.")
        else:
            receipt = erase_person(person.id, "person")
            db.session.commit()
            logout_user()
            session["erasure_ref"] = receipt.reference
            return redirect(url_for("data_rights.erased"))
    gone, kept = erasure_plan(current_app.config)
    return render_template("data_rights/delete.html", form=form, gone=gone, kept=kept)


@bp.get("/account/deleted")
def erased() -> Any:
    reference = session.pop("erasure_ref", None)
    if reference is None:
        return redirect(url_for("public.home"))
    return render_template("data_rights/erased.html", reference=reference)


# Requests ----------------------------------------------------------------------------------

def _objection_form() -> ObjectionForm:
    form = ObjectionForm()
    form.purpose.choices = list(requests.objection_choices().items())
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


@bp.get("/account/data/requests/<int:request_id>")
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


def _done(row: Any, message: str) -> Response:
    db.session.commit()
    flash(f"{message} Reference {row.reference}.", "success")
    return redirect(url_for("data_rights.request_list"))


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
        flash(str(exc), "error")
        return redirect(url_for("data_rights.request_list"))
    return _done(row, "From now on we only store your data and use it for nothing else.")


@bp.post("/account/data/restrict/lift")
@login_required
def lift_restriction() -> Any:
    if not LiftRestrictionForm().validate_on_submit():
        abort(400)
    try:
        requests.lift_restriction(current_user._get_current_object())
    except requests.RequestRejected as exc:
        flash(str(exc), "error")
        return redirect(url_for("data_rights.request_list"))
    db.session.commit()
    flash("The restriction has been lifted.", "success")
    return redirect(url_for("data_rights.request_list"))


@bp.post("/account/data/rectify")
@login_required
def rectify() -> Any:
    form = RectifyForm()
    if not form.validate_on_submit():
        return _requests_page(rectify=form), 400
    row = requests.request_rectification(current_user.id, form.details.data)
    return _done(row, f"Thank you: we will reply by {row.due_at:%-d %B %Y}.")


# Export for people without an account (from their /p/ page) -------------------------------

def _person_from_preference_token(token: str) -> Person | None:
    max_age = timedelta(days=current_app.config["PREFERENCE_LINK_DAYS"])
    try:
        data = tokens.read_token("preferences", token, max_age)
    except tokens.TokenInvalid:
        return None
    person_id = data.get("p") if isinstance(data, dict) else data
    if not isinstance(person_id, int):
        return None
    person = db.session.get(Person, person_id)
    return person if person is not None and person.status == "active" else None


@bp.route("/p/<token>/export-request", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def export_request(token: str) -> Any:
    person = _person_from_preference_token(token)
    if person is None:
        return render_template("data_rights/link_problem.html"), 400
    form = ExportRequestForm()
    if not form.validate_on_submit():
        return render_template("data_rights/export_request.html", form=form, sent=False,
                               masked=_masked(person))
    recent = [r for r in requests.open_requests(person.id, "export")
              if r.received_at > clock.utcnow() - timedelta(hours=1)]
    if not recent:
        row, link_token = requests.request_export_link(person)
        link = (current_app.config["BASE_URL"].rstrip("/")
                + url_for("data_rights.emailed_export", token=link_token))
        queue_service_email(person, "export_ready", "Your data is ready to download", {
            "link": link, "days": current_app.config["EXPORT_LINK_DAYS"],
            "reference": row.reference})
        db.session.commit()
    return render_template("data_rights/export_request.html", form=form, sent=True,
                           masked=_masked(person))


def _masked(person: Person) -> str:
    from ..crypto import mask_email

    return mask_email(person.email)


@bp.route("/data/export/<token>", methods=["GET", "POST"])
def emailed_export(token: str) -> Any:
    """GET only shows a button (mail scanners follow links; the link is single-use)."""
    try:
        row = requests.read_export_link(token)
    except tokens.TokenInvalid:
        return render_template("data_rights/link_problem.html", export=True), 400
    form = DownloadForm()
    if not form.validate_on_submit():
        return render_template("data_rights/download.html", form=form, row=row)
    person_id, fmt = row.person_id, form.format.data
    requests.complete_export(row)
    db.session.commit()
    return _export_response(person_id, fmt)
