"""The team page (admin): adding colleagues with a set-up link, roles, disabling, resetting an
authenticator, and never losing the last admin. Every change is in the audit log."""

from __future__ import annotations

import re

from preference_centre.extensions import db
from preference_centre.models import StaffAudit, StaffRecoveryCode, StaffSession, StaffUser
from preference_centre.staff.services import find_staff_by_email


def audited(action):
    return [(row.actor_id, row.target_id, row.detail) for row in db.session.execute(
        db.select(StaffAudit).where(StaffAudit.action == action)).scalars()]


def live_sessions(user):
    return db.session.execute(db.select(db.func.count(StaffSession.id)).where(
        StaffSession.staff_user_id == user.id, StaffSession.ended_at.is_(None))).scalar_one()


def test_adding_a_colleague_shows_their_set_up_link_once(app, make_staff):
    admin = make_staff("admin")
    response = admin.client.post("/staff/team", data={"email": "New.Person@staff.example.com",
                                                      "role": "privacy"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    link = re.search(r'value="(http://[^"]+/staff/setup/[^"]+)"', page).group(1)
    user = find_staff_by_email("new.person@staff.example.com")
    assert user.role == "privacy" and user.password_hash is None
    assert audited("staff.created")[-1] == (admin.user.id, str(user.id), "role privacy")
    assert link not in admin.client.get("/staff/team").get_data(as_text=True)
    assert "Waiting for set-up" in admin.client.get("/staff/team").get_data(as_text=True)
    setup = app.test_client().get(link.removeprefix("http://127.0.0.1:5000"))
    assert setup.status_code == 200 and b"new.person@staff.example.com" in setup.data


def test_adding_a_colleague_twice_or_with_a_bad_address_is_explained(app, make_staff):
    admin = make_staff("admin", email="boss@staff.example.com")
    taken = admin.client.post("/staff/team", data={"email": "boss@staff.example.com",
                                                   "role": "marketing"})
    assert taken.status_code == 400 and b"already exists" in taken.data
    bad = admin.client.post("/staff/team", data={"email": "not an address", "role": "marketing"})
    assert bad.status_code == 400 and b"There is a problem" in bad.data
    odd_role = admin.client.post("/staff/team", data={"email": "x@staff.example.com",
                                                      "role": "janitor"})
    assert odd_role.status_code == 400
    assert db.session.execute(db.select(db.func.count(StaffUser.id))).scalar_one() == 1


def test_disabling_a_colleague_ends_their_sessions_at_once(app, make_staff):
    admin = make_staff("admin")
    colleague = make_staff("marketing")
    assert colleague.client.get("/staff").status_code == 200
    response = admin.client.post(f"/staff/team/{colleague.user.id}/disable")
    assert response.status_code == 302
    assert colleague.client.get("/staff").location.endswith("/staff/login")
    assert live_sessions(colleague.user) == 0
    refused = colleague.client.post("/staff/login", data={"email": colleague.user.email,
                                                          "password": colleague.password})
    assert refused.status_code == 200 and b"not right" in refused.data
    assert audited("staff.disabled") == [(admin.user.id, str(colleague.user.id), None)]
    admin.client.post(f"/staff/team/{colleague.user.id}/enable")
    assert colleague.log_in().status_code == 302
    assert audited("staff.enabled") == [(admin.user.id, str(colleague.user.id), None)]


def test_changing_a_role_takes_effect_on_the_next_page(app, make_staff):
    admin = make_staff("admin")
    colleague = make_staff("marketing")
    assert colleague.client.get("/staff/audit").status_code == 403
    admin.client.post(f"/staff/team/{colleague.user.id}/role", data={"role": "privacy"})
    assert colleague.client.get("/staff/audit").status_code == 200
    assert audited("staff.role_changed") == [
        (admin.user.id, str(colleague.user.id), "marketing to privacy")]


def test_the_last_active_admin_cannot_be_disabled_or_demoted(app, make_staff):
    admin = make_staff("admin")
    for action, data in (("disable", {}), ("role", {"role": "marketing"})):
        response = admin.client.post(f"/staff/team/{admin.user.id}/{action}", data=data)
        assert response.status_code == 302
        page = admin.client.get("/staff/team").get_data(as_text=True)
        assert "is the last active admin" in page
    db.session.refresh(admin.user)
    assert admin.user.role == "admin" and admin.user.is_active
    assert audited("staff.disabled") == audited("staff.role_changed") == []

    second = make_staff("admin")
    admin.client.post(f"/staff/team/{second.user.id}/disable")
    assert "is the last active admin" in admin.client.post(
        f"/staff/team/{admin.user.id}/role", data={"role": "privacy"},
        follow_redirects=True).get_data(as_text=True)
    admin.client.post(f"/staff/team/{second.user.id}/enable")
    admin.client.post(f"/staff/team/{admin.user.id}/role", data={"role": "privacy"})
    db.session.refresh(admin.user)
    assert admin.user.role == "privacy"


def test_resetting_an_authenticator_means_enrolling_again(app, make_staff):
    admin = make_staff("admin")
    colleague = make_staff("privacy", logged_in=True)
    admin.client.post(f"/staff/team/{colleague.user.id}/reset-authenticator")
    assert colleague.client.get("/staff").location.endswith("/staff/login")
    db.session.refresh(colleague.user)
    assert colleague.user.totp_secret is None and colleague.user.totp_enrolled_at is None
    assert db.session.execute(db.select(StaffRecoveryCode).where(
        StaffRecoveryCode.staff_user_id == colleague.user.id)).first() is None
    response = colleague.client.post("/staff/login", data={"email": colleague.user.email,
                                                           "password": colleague.password})
    assert response.location.endswith("/staff/enrol")
    assert audited("staff.authenticator_reset") == [
        (admin.user.id, str(colleague.user.id), None)]


def test_a_new_set_up_link_for_a_colleague_who_has_not_set_up_yet(app, make_staff):
    admin = make_staff("admin")
    admin.client.post("/staff/team", data={"email": "late@staff.example.com", "role": "admin"})
    late = find_staff_by_email("late@staff.example.com")
    again = admin.client.post(f"/staff/team/{late.id}/setup-link")
    assert again.status_code == 200 and b"/staff/setup/" in again.data
    assert audited("staff.setup_link_made") == [(admin.user.id, str(late.id), None)]
    refused = admin.client.post(f"/staff/team/{admin.user.id}/setup-link",
                                follow_redirects=True)
    assert b"already set up" in refused.data
