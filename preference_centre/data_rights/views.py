"""Data-rights pages: see everything held, download it, erase it; export links for people
without an account. The request pages (object, restrict, rectify) are in ``request_views``."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    after_this_request,
    current_app,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from .. import links, tokens
from ..auth import limits
from ..auth.decorators import recent_login_required
from ..consent.catalogue import purposes_from_config
from ..crypto import mask_email
from ..extensions import db
from ..models import Person
from ..preferences.links import LinkPersonGone, person_from_link
from . import bp, emailed_links, export, reading, registry, requests
from .erasure import (
    Erased,
    NotFound,
    WrongPassword,
    erase_own_account,
    erase_person,
    erasure_plan,
    finish_erasure,
)
from .forms import ButtonForm, DeleteForm, DownloadForm

PAGE_ROWS = 20


# Seeing everything -------------------------------------------------------------------------

@bp.get("/account/data")
@login_required
def overview() -> str:
    person_id = current_user.id
    titles = {key: p.title for key, p in purposes_from_config(current_app.config).items()}
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
                           "rows": [[reading.display_value(f, row[f.key], titles)
                                     for f in fields]
                                    for row in rows]})
        sections.append({"category": cat, "tables": tables})
    return render_template("data_rights/overview.html", sections=sections,
                           person=current_user, open_requests=requests.person_requests(person_id))


@bp.get("/account/data/export/schema")
def export_schema() -> str:
    return render_template("data_rights/export_schema.html", categories=registry.CATEGORIES,
                           version=export.SCHEMA_VERSION, schema_url=links.export_schema_url())


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
@limits.limit("10 per hour", methods=["POST"])
def delete() -> Any:
    form = DeleteForm()
    person: Person = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            erased = erase_own_account(person, form.password.data or "")
        except WrongPassword as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            _finish_after_response(erased)
            logout_user()
            session["erasure_ref"] = erased.receipt.reference
            return redirect(url_for("data_rights.erased"))
    gone, kept = erasure_plan(current_app.config)
    return render_template("data_rights/delete.html", form=form, gone=gone, kept=kept)


@bp.get("/account/deleted")
def erased() -> Any:
    reference = session.pop("erasure_ref", None)
    if reference is None:
        return redirect(url_for("public.home"))
    return render_template("data_rights/erased.html", reference=reference)


# Export and erasure for people without an account (from their /p/ page) -----------------

def _person_from_preference_link(token: str) -> Person | None:
    """The confirmed person a ``/p/`` link names, or None for a bad, old or dead link."""
    try:
        person = person_from_link(token)
    except (tokens.TokenInvalid, LinkPersonGone):
        return None
    return person if person.status == "active" else None


def _ask_for_emailed_link(token: str, kind: str, template: str, **context: Any) -> Any:
    """The page behind a ``/p/`` link that emails a single-use link of ``kind``."""
    person = _person_from_preference_link(token)
    if person is None:
        return render_template("data_rights/link_problem.html"), 400
    form = ButtonForm()
    sent = form.validate_on_submit()
    if sent:
        emailed_links.email_link(person, kind)
        db.session.commit()
    return render_template(template, form=form, sent=sent, masked=mask_email(person.email),
                           **context)


@bp.route("/p/<token>/export-request", methods=["GET", "POST"])
@limits.limit("5 per hour", methods=["POST"])
def export_request(token: str) -> Any:
    return _ask_for_emailed_link(token, "export", "data_rights/export_request.html")


@bp.route("/p/<token>/erase-request", methods=["GET", "POST"])
@limits.limit("5 per hour", methods=["POST"])
def erase_request(token: str) -> Any:
    gone, kept = erasure_plan(current_app.config)
    return _ask_for_emailed_link(token, "erase", "data_rights/erase_request.html",
                                 gone=gone, kept=kept, hours=emailed_links.ERASE_LINK_HOURS)


@bp.route("/data/export/<token>", methods=["GET", "POST"])
def emailed_export(token: str) -> Any:
    """GET only shows a button (mail scanners follow links; the link is single-use)."""
    try:
        row = emailed_links.read_link("export", token)
    except tokens.TokenInvalid:
        spent = emailed_links.spent_request("export", token)
        return render_template("data_rights/link_problem.html", export=True,
                               spent=spent), 400
    form = DownloadForm()
    if not form.validate_on_submit():
        # Never from the cache: once the link is used, back or reload shows "already
        # downloaded", not a button that no longer works.
        return render_template("data_rights/download.html", form=form, row=row), 200, {
            "Cache-Control": "no-store"}
    person_id, fmt = row.person_id, form.format.data
    emailed_links.complete(row, "Downloaded through the emailed link.")
    db.session.commit()
    return _export_response(person_id, fmt)


@bp.route("/data/erase/<token>", methods=["GET", "POST"])
def emailed_erasure(token: str) -> Any:
    """GET only shows what goes and the button (mail scanners follow links)."""
    try:
        row = emailed_links.read_link("erase", token)
    except tokens.TokenInvalid:
        return _erase_link_problem()
    form = ButtonForm()
    if not form.validate_on_submit():
        gone, kept = erasure_plan(current_app.config)
        return render_template("data_rights/erase_confirm.html", form=form, row=row,
                               gone=gone, kept=kept)
    try:
        erased = erase_person(row.person_id, "person")
    except NotFound:  # the second of a double click: the first erased them
        db.session.rollback()
        return _erase_link_problem()
    db.session.commit()
    _finish_after_response(erased)
    return render_template("data_rights/erased.html", reference=erased.receipt.reference)


def _finish_after_response(erased: Erased) -> None:
    """Empty the SQLite log and send the confirmation once the response has gone: the page
    never waits on a slow or stalled mail server."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def finish() -> None:
        with app.app_context():  # the request's context is gone by then
            finish_erasure(erased)

    @after_this_request
    def when_answered(response: Response) -> Response:
        response.call_on_close(finish)
        return response


def _erase_link_problem() -> tuple[str, int]:
    return render_template("data_rights/link_problem.html", erase=True,
                           hours=emailed_links.ERASE_LINK_HOURS), 400
