"""The team page (admin): staff accounts, their roles, set-up links, disabling, resetting an
authenticator. Every change is audited by the service that makes it."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from ..extensions import db
from ..models import StaffUser
from . import bp, services
from .access import current_staff, staff_required
from .audit import record_audit
from .forms import NewStaffForm, RoleForm


def _colleague(staff_id: int) -> StaffUser:
    user = db.session.get(StaffUser, staff_id)
    if user is None:
        abort(404)
    return user


def _team_page(new_form: NewStaffForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "staff/team.html", team=services.all_staff(), new_form=new_form or NewStaffForm(),
        role_form=RoleForm), status


def _link_page(user: StaffUser, made: str) -> str:
    return render_template("staff/team_link.html", colleague=user, made=made,
                           link=services.setup_link(user),
                           hours=int(services.setup_lifetime().total_seconds() // 3600))


@bp.route("/team")
@staff_required("admin")
def team() -> Any:
    return _team_page()


@bp.route("/team", methods=["POST"])
@staff_required("admin")
def team_add() -> Any:
    form = NewStaffForm()
    if not form.validate_on_submit():
        return _team_page(form, 400)
    try:
        user = services.create_staff_user(form.email.data, form.role.data,
                                          actor=current_staff(), ip=request.remote_addr)
    except services.StaffError as problem:
        form.email.errors = [str(problem)]
        return _team_page(form, 400)
    page = _link_page(user, made="created")
    db.session.commit()
    return page


def _change(staff_id: int, change: Any, done: str) -> Any:
    """Run one team change from a posted button; a refused change (the last admin) is
    explained on the team page and nothing is saved."""
    target = _colleague(staff_id)
    try:
        change(current_staff(), target, ip=request.remote_addr)
    except services.StaffError as problem:
        db.session.rollback()
        flash(str(problem), "error")
        return redirect(url_for("staff.team"))
    db.session.commit()
    flash(done.format(email=target.email), "success")
    return redirect(url_for("staff.team"))


@bp.route("/team/<id:staff_id>/role", methods=["POST"])
@staff_required("admin")
def team_role(staff_id: int) -> Any:
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)

    def change(actor: StaffUser, target: StaffUser, *, ip: str | None) -> None:
        services.change_role(actor, target, form.role.data, ip=ip)

    return _change(staff_id, change, "{email} now has the role " + form.role.data + ".")


@bp.route("/team/<id:staff_id>/disable", methods=["POST"])
@staff_required("admin")
def team_disable(staff_id: int) -> Any:
    return _change(staff_id, services.disable_staff,
                   "{email} can no longer log in; their sessions have ended.")


@bp.route("/team/<id:staff_id>/enable", methods=["POST"])
@staff_required("admin")
def team_enable(staff_id: int) -> Any:
    return _change(staff_id, services.enable_staff, "{email} can log in again.")


@bp.route("/team/<id:staff_id>/reset-authenticator", methods=["POST"])
@staff_required("admin")
def team_reset(staff_id: int) -> Any:
    return _change(staff_id, services.reset_authenticator,
                   "{email} will link a new authenticator app at their next log-in.")


@bp.route("/team/<id:staff_id>/setup-link", methods=["POST"])
@staff_required("admin")
def team_setup_link(staff_id: int) -> Any:
    """A new set-up link for a colleague who has not chosen a password yet."""
    target = _colleague(staff_id)
    if target.password_hash is not None or not target.is_active:
        flash(f"{target.email} has already set up their account.", "error")
        return redirect(url_for("staff.team"))
    record_audit(current_staff(), "staff.setup_link_made", "staff", target.id,
                          ip=request.remote_addr)
    page = _link_page(target, made="link")
    db.session.commit()
    return page
