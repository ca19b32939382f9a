"""The staff audit log: append-only in the database on both engines, written by one service
with no personal data in it, and paged and filtered on /staff/audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from preference_centre.extensions import db
from preference_centre.models import StaffAudit
from preference_centre.staff.audit import record_audit


def _an_entry(actor=None):
    entry = record_audit(actor, "person.looked_up", "person", 42, detail="by email",
                         ip="203.0.113.77")
    db.session.commit()
    return entry


def _refused(statement):
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement))


def test_audit_rows_cannot_be_updated_or_deleted(app):
    entry = _an_entry()
    _refused(f"UPDATE staff_audit SET action = 'nothing' WHERE id = {entry.id}")
    _refused(f"DELETE FROM staff_audit WHERE id = {entry.id}")
    _refused("DELETE FROM staff_audit")
    db.session.expire_all()
    assert db.session.get(StaffAudit, entry.id).action == "person.looked_up"


def test_the_migration_makes_the_audit_log_append_only_too(app, empty_database):
    upgrade()
    entry = _an_entry()
    _refused(f"UPDATE staff_audit SET detail = NULL WHERE id = {entry.id}")
    _refused(f"DELETE FROM staff_audit WHERE id = {entry.id}")


def test_an_entry_holds_ids_and_a_truncated_network_only(app, make_staff):
    member = make_staff("privacy")
    entry = _an_entry(member.user)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        member.user.id, "person.looked_up", "person", "42")
    assert entry.ip_prefix == "203.0.113.0/24"
    v6 = record_audit(member.user, "export.downloaded", ip="2001:db8:1234:5678::1")
    assert v6.ip_prefix == "2001:db8:1234::/48"
    with pytest.raises(ValueError):
        record_audit(member.user, "Looked up someone@example.com")


def test_the_audit_page_lists_newest_first_and_filters(app, frozen_clock, make_staff):
    privacy = make_staff("privacy", email="pat@staff.example.com")
    other = make_staff("marketing", email="mo@staff.example.com")
    record_audit(other.user, "campaign.sent", "campaign", 7)
    frozen_clock.advance(days=2)
    record_audit(privacy.user, "person.looked_up", "person", 42)
    db.session.commit()
    privacy.sign_in()  # the first session went idle in those two days

    page = privacy.client.get("/staff/audit").get_data(as_text=True)
    page = page[page.index("<tbody"):]
    assert page.index("person.looked_up") < page.index("campaign.sent")
    assert "mo@staff.example.com" in page and "pat@staff.example.com" in page

    def table(query):
        html = privacy.client.get("/staff/audit?" + query).get_data(as_text=True)
        return html[html.index("<tbody"):]

    by_who = table(f"who={other.user.id}")
    assert "campaign 7" in by_who and "person 42" not in by_who
    by_action = table("action=person.looked_up")
    assert "person 42" in by_action and "campaign 7" not in by_action
    day = (frozen_clock.now - timedelta(days=2)).date().isoformat()
    by_date = table(f"since={day}&until={day}")
    assert "campaign 7" in by_date and "person 42" not in by_date
    bad = privacy.client.get("/staff/audit?since=yesterday")
    assert bad.status_code == 400 and b"There is a problem" in bad.data


def test_the_audit_page_pages_through_the_log(app, make_staff):
    admin = make_staff("admin")
    for n in range(55):
        record_audit(admin.user, "person.looked_up", "person", 1000 + n)
    db.session.commit()
    first = admin.client.get("/staff/audit?action=person.looked_up").get_data(as_text=True)
    assert "person 1054" in first and "person 1004" not in first
    assert "Older entries" in first and "Newer entries" not in first
    second = admin.client.get("/staff/audit?action=person.looked_up&page=2").get_data(
        as_text=True)
    assert "person 1004" in second and "person 1054" not in second and "Newer entries" in second
