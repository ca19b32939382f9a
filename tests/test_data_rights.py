"""The data page shows every category with its facts and the person's own data; requests
to object, restrict and rectify have a status and a due date one calendar month away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from preference_centre.consent import current_state, may_contact
from preference_centre.data_rights import registry
from preference_centre.data_rights.dates import add_months
from preference_centre.data_rights.requests import due_date
from preference_centre.extensions import db
from preference_centre.models import Communication, RightsRequest


def test_data_page_needs_a_login(app, client):
    response = client.get("/account/data")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_data_page_shows_every_category_its_facts_and_the_data(
        app, client, auth, make_person, make_full_person):
    person = make_full_person()
    auth.login(person)
    page = client.get("/account/data").get_data(as_text=True)
    for category in registry.CATEGORIES:
        assert category.title in page
        assert category.legal_basis in page
    for value in ("Zebedee Quixote-Marsh", "17 Quince Lane", "4242", "Facebook",
                  "Broadband 500", "Firefox on Linux", "Offers by email", "Analytics cookies"):
        assert value in page
    # Plain words, never the stored codes (the export keeps those).
    for code in ("email:offers", "cookies:analytics", "one_click", "export_ready"):
        assert code not in page
    assert "$scrypt" not in page and "First pet?" not in page


def test_large_categories_are_paged_newest_first_with_a_count(app, client, auth, make_person,
                                                            frozen_clock):
    person = make_person()
    start = frozen_clock.now
    for n in range(45):
        db.session.add(Communication(person_id=person.id, channel="email", direction="inbound",
                                     summary=f"note {n:02d}",
                                     occurred_at=start - timedelta(days=45 - n)))
    db.session.commit()
    auth.login(person)
    first = client.get("/account/data").get_data(as_text=True)
    assert "(45 records)" in first and "Page 1 of 3" in first
    assert "note 44" in first and "note 00" not in first
    last = client.get("/account/data?page-communications=3").get_data(as_text=True)
    assert "note 00" in last and "note 44" not in last
    assert client.get("/account/data?page-communications=abc").status_code == 200


def test_another_persons_request_is_not_found(app, client, auth, make_person):
    mine, theirs = make_person(), make_person()
    row = RightsRequest(reference="DR-OTHER1", person_id=theirs.id, kind="rectify",
                        due_at=datetime(2030, 1, 1, tzinfo=UTC), details="secret")
    db.session.add(row)
    db.session.commit()
    auth.login(mine)
    assert client.get(f"/account/data/requests/{row.id}").status_code == 404
    assert client.get("/account/data/requests/999999").status_code == 404
    # Beyond an INTEGER column: still a 404, not a database error.
    assert client.get("/account/data/requests/99999999999999999999").status_code == 404


@pytest.mark.parametrize(("received", "due"), [
    (datetime(2027, 1, 31, 9, tzinfo=UTC), datetime(2027, 2, 28, 9, tzinfo=UTC)),
    (datetime(2028, 1, 31, 9, tzinfo=UTC), datetime(2028, 2, 29, 9, tzinfo=UTC)),
    (datetime(2026, 12, 15, 9, tzinfo=UTC), datetime(2027, 1, 15, 9, tzinfo=UTC)),
    (datetime(2026, 3, 31, 9, tzinfo=UTC), datetime(2026, 4, 30, 9, tzinfo=UTC)),
])
def test_due_date_is_one_calendar_month(received, due):
    assert due_date(received) == due


def test_add_months_backwards_is_leap_year_safe():
    assert add_months(datetime(2027, 2, 28, tzinfo=UTC), -36) == datetime(2024, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2024, 2, 29, tzinfo=UTC), 36) == datetime(2027, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2028, 2, 29, tzinfo=UTC), -48) == datetime(2024, 2, 29, tzinfo=UTC)


def test_objecting_to_direct_marketing_takes_effect_at_once(app, client, auth, make_person,
                                                           frozen_clock):
    person = make_person()
    auth.login(person)
    assert may_contact(person.id, "post", "offers")
    response = client.post("/account/data/object", data={"purpose": "marketing:all"})
    assert response.status_code == 302
    state = current_state(person.id)
    assert state["post:offers"] is False and state["phone:offers"] is False
    row = db.session.execute(db.select(RightsRequest)).scalar_one()
    assert row.kind == "object" and row.status == "completed"
    page = client.get("/account/data/requests").get_data(as_text=True)
    assert row.reference in page and "Done" in page


def test_other_objections_go_to_the_privacy_officer_with_a_due_date(app, client, auth,
                                                                   make_person, frozen_clock):
    person = make_person()
    auth.login(person)
    client.post("/account/data/object", data={"purpose": "security_monitoring",
                                              "reason": "I do not want my sign-ins kept"})
    row = db.session.execute(db.select(RightsRequest)).scalar_one()
    assert row.status == "received"
    assert row.due_at == add_months(frozen_clock.now, 1)
    assert current_state(person.id)["security_monitoring"] is True
    detail = client.get(f"/account/data/requests/{row.id}").get_data(as_text=True)
    assert "Received" in detail and "I do not want my sign-ins kept" in detail


def test_an_objection_without_a_choice_is_a_form_error(app, client, auth, make_person):
    auth.login(make_person())
    response = client.post("/account/data/object", data={"purpose": "sms:nonsense"})
    assert response.status_code == 400 and b"There is a problem" in response.data
    assert db.session.execute(db.select(RightsRequest)).first() is None


def test_restriction_stops_marketing_and_can_be_lifted(app, client, auth, make_person):
    person = make_person()
    auth.login(person)
    client.post("/account/data/restrict", data={"grounds": "My address is wrong"})
    db.session.refresh(person)
    assert person.restricted_at is not None
    assert not may_contact(person.id, "post", "offers")
    again = client.post("/account/data/restrict", data={})
    assert again.status_code == 302  # flashed "already restricted", nothing new
    assert len(db.session.execute(db.select(RightsRequest)).all()) == 1
    client.post("/account/data/restrict/lift")
    db.session.refresh(person)
    assert person.restricted_at is None
    assert db.session.execute(db.select(RightsRequest.status)).scalar_one() == "completed"


def test_a_rectification_dispute_needs_details(app, client, auth, make_person):
    auth.login(make_person())
    assert client.post("/account/data/rectify", data={"details": "  "}).status_code == 400
    client.post("/account/data/rectify", data={"details": "My date of birth is 2 May 1980"})
    row = db.session.execute(db.select(RightsRequest)).scalar_one()
    assert row.kind == "rectify" and row.status == "received"
