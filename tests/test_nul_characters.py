"""A NUL character (pasted from a binary file, or sent by a scanner) in a form or a query:
refused with a page that says so and nothing saved, on both engines (PostgreSQL cannot
store one in text and failed with a database error)."""

from __future__ import annotations

import re

from preference_centre.clock import utcnow
from preference_centre.consent import history
from preference_centre.extensions import db
from preference_centre.models import Campaign
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
        assert _refused(client.post("/staff/campaigns/new", data=fields)), field
    assert db.session.scalar(db.select(db.func.count()).select_from(Campaign)) == 0


def test_wording_with_a_nul_is_refused_and_the_ledger_is_untouched(make_staff, make_person):
    person = make_person(email="asked@example.com")
    db.session.commit()
    client = make_staff("privacy").client
    response = record_on_request(client, person, "email:offers", True, utcnow(),
                                 wording=f"I agree{NUL}")
    assert _refused(response)
    assert history(person.id) == []


def test_a_nul_in_the_address_bar_is_refused(client):
    assert _refused(client.get("/privacy?next=a%00b"))
    assert _refused(client.post("/signup", data={"email": f"a{NUL}@example.com"}))
