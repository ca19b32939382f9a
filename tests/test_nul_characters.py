"""A NUL character (pasted from a binary file, or sent by a scanner) in text that would be
stored: refused with a page that says so and nothing saved, on both engines (PostgreSQL
cannot store one in text and failed with a database error)."""

from __future__ import annotations

import re

import pytest

from preference_centre.clock import utcnow
from preference_centre.consent import history
from preference_centre.database.nul_characters import NulCharacter
from preference_centre.extensions import db
from preference_centre.models import Campaign
from tests.helpers_accounts import DEFAULT_PASSWORD
from tests.helpers_staff import record_on_request

NUL = "\x00"


def _refused(response) -> bool:
    return response.status_code == 400 and "holds a NUL character" in response.get_data(
        as_text=True)


def test_a_campaign_whose_text_holds_a_nul_is_refused_and_not_kept(make_staff):
    client = make_staff("marketing").client
    form = client.get("/staff/campaigns/new").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', form).group(1)
    for field in ("subject", "body_text", "body_html"):
        fields = {"key": key, "topic": "offers", "channel": "email", "subject": "Offers",
                  "body_text": "Hello", "body_html": ""}
        fields[field] = f"Hello{NUL}there"
        response = client.post("/staff/campaigns/new", data=fields)
        # The one-line subject has its own message on the form; the bodies reach the database.
        assert response.status_code == 400, field
        assert field == "subject" or _refused(response), field
    assert db.session.scalar(db.select(db.func.count()).select_from(Campaign)) == 0


def test_wording_with_a_nul_is_refused_and_the_ledger_is_untouched(make_staff, make_person):
    person = make_person(email="asked@example.com")
    db.session.commit()
    client = make_staff("privacy").client
    response = record_on_request(client, person, "email:offers", True, utcnow(),
                                 wording=f"I agree{NUL}")
    assert _refused(response)
    assert history(person.id) == []


def test_a_nul_that_is_never_stored_breaks_nothing(client, make_person):
    # A ``next`` address is checked, not stored; an address looked up is hashed first.
    make_person(email="dee@example.com")
    db.session.commit()
    response = client.post("/login?next=%00//evil.example",
                           data={"email": "dee@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.location == "/account"
    assert client.get(f"/staff/login?next=a{NUL}").status_code == 200


def test_the_database_layer_refuses_a_nul_in_any_statement_on_both_engines(app):
    with pytest.raises(NulCharacter):
        db.session.execute(db.select(Campaign.id).where(Campaign.subject == f"a{NUL}"))
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar() == 0
