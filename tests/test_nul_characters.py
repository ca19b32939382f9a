"""A NUL character (pasted from a binary file, or sent by a scanner) in text that is stored
is never a server error. PostgreSQL cannot store one: the form is refused with a page that
says why and nothing is saved (it was a database error, a 500). SQLite stores it as typed,
except in a campaign, which no engine takes: no mail or text may carry one."""

from __future__ import annotations

import re

from sqlalchemy.exc import DataError

from preference_centre.clock import utcnow
from preference_centre.consent import history
from preference_centre.extensions import db
from preference_centre.models import Campaign
from tests.helpers_accounts import DEFAULT_PASSWORD
from tests.helpers_staff import record_on_request

NUL = "\x00"


def _refused(response) -> bool:
    return response.status_code == 400 and "holds a NUL character" in response.get_data(
        as_text=True)


def _campaigns() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar()


def test_a_campaign_holding_a_nul_is_refused_with_the_reason(make_staff):
    # No mail or text may carry one, whichever engine would store it.
    client = make_staff("marketing").client
    for field in ("subject", "body_text", "body_html"):
        form = client.get("/staff/campaigns/new").get_data(as_text=True)
        key = re.search(r'name="key" type="hidden" value="([^"]+)"', form).group(1)
        fields = {"key": key, "topic": "offers", "channel": "email", "subject": "Offers",
                  "body_text": "Hello", "body_html": ""}
        fields[field] = f"Hello{NUL}there"
        response = client.post("/staff/campaigns/new", data=fields)
        assert response.status_code == 400, field
        assert "holds a NUL character, which no email or text can carry" in response.get_data(
            as_text=True), field
    assert _campaigns() == 0


def test_the_campaign_command_refuses_a_body_holding_a_nul(runner, tmp_path):
    body = tmp_path / "body.txt"
    body.write_text(f"Hello{NUL}there", encoding="utf-8")
    result = runner.invoke(args=["campaign", "send", "--topic", "offers", "--channel", "email",
                                 "--subject", "Offers", "--body-file", str(body)])
    assert result.exit_code != 0
    assert "NUL character" in result.output
    assert _campaigns() == 0


def test_wording_holding_a_nul_is_never_a_server_error(make_staff, make_person, engine_name):
    person = make_person(email="asked@example.com")
    db.session.commit()
    client = make_staff("privacy").client
    response = record_on_request(client, person, "email:offers", True, utcnow(),
                                 wording=f"I agree{NUL}")
    if engine_name == "postgresql":
        assert _refused(response)
        assert history(person.id) == []
    else:
        assert response.status_code == 303
        assert [event.wording for event in history(person.id)] == [f"I agree{NUL}"]


def test_a_nul_that_is_never_stored_breaks_nothing(client, make_person):
    # A ``next`` address is checked, not stored; an address looked up is hashed first.
    make_person(email="dee@example.com")
    db.session.commit()
    response = client.post("/login?next=%00//evil.example",
                           data={"email": "dee@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.location == "/account"
    assert client.get(f"/staff/login?next=a{NUL}").status_code == 200


def test_any_other_data_error_stays_a_server_error(app, client):
    @app.route("/test-data-error")
    def data_error():
        raise DataError("UPDATE people SET name = %(name)s", {"name": "fine"}, ValueError())

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/test-data-error").status_code == 500
