"""Undelivered mail on the console: marketing sees the counts, admins also see which
messages failed and why (never an address or a body) and can requeue them."""

from __future__ import annotations

import pytest

from preference_centre.extensions import db
from preference_centre.models import StaffAudit


@pytest.fixture
def one_dead_one_failed(app, make_person, outbox):
    person = make_person(email="private@example.com", name="Private Person")
    rows = []
    for reply in ("421 4.7.0 <private@example.com> busy", "550 5.1.1 <private@example.com> no"):
        [row] = outbox.queue(person)
        outbox.reply(reply)
        outbox.deliver()
        rows.append(row)
    outbox.reply("250 OK")
    return rows


@pytest.mark.app_config(OUTBOX_MAX_ATTEMPTS=1)
def test_marketing_sees_counts_per_status_but_not_the_messages(app, make_staff,
                                                              one_dead_one_failed):
    page = make_staff("marketing").client.get("/staff/undelivered").get_data(as_text=True)
    assert "<td>dead</td><td>1</td>" in page and "<td>failed</td><td>1</td>" in page
    assert "<td>sent</td><td>0</td>" in page
    assert "Requeue" not in page and "550" not in page


@pytest.mark.app_config(OUTBOX_MAX_ATTEMPTS=1)
def test_admins_see_what_failed_without_addresses_and_requeue_it(app, make_staff,
                                                                 one_dead_one_failed, outbox):
    dead, failed = one_dead_one_failed
    admin = make_staff("admin")
    page = admin.client.get("/staff/undelivered").get_data(as_text=True)
    assert f"<td>{dead.id}</td><td>dead</td>" in page and "550" in page
    for private in ("private@example.com", "Private Person", "Note 0", "Ada"):
        assert private not in page

    response = admin.client.post("/staff/undelivered/requeue", data={"ids": str(dead.id)})
    assert response.status_code == 302
    assert outbox.row(dead.id).status == "queued" and outbox.row(failed.id).status == "failed"
    assert b"1 message put back in the queue" in admin.client.get("/staff/undelivered").data
    assert outbox.deliver()["sent"] == 1

    admin.client.post("/staff/undelivered/requeue", data={"status": "all"})
    assert outbox.row(failed.id).status == "queued"
    entries = db.session.execute(db.select(StaffAudit.target_id, StaffAudit.detail).where(
        StaffAudit.action == "outbox.requeued").order_by(StaffAudit.id)).all()
    assert [tuple(entry) for entry in entries] == [(str(dead.id), "1 requeued"),
                                                   (None, "1 requeued")]


def test_a_requeue_without_a_choice_changes_nothing(app, make_staff):
    admin = make_staff("admin")
    response = admin.client.post("/staff/undelivered/requeue", data={"ids": "abc"},
                                 follow_redirects=True)
    assert b"Choose a message to requeue" in response.data
    assert db.session.execute(db.select(StaffAudit).where(
        StaffAudit.action == "outbox.requeued")).first() is None
