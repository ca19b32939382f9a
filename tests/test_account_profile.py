"""The account overview and the profile: every contact field, corrected and audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from preference_centre import crypto
from preference_centre.extensions import db
from preference_centre.models import AuditEvent
from preference_centre.passwords import normalise_answer, verify_secret

FULL = {
    "name": "Ada Lovelace",
    "gender": "Prefer not to say",
    "address": "12 St James's Square\r\nLondon\r\nSW1Y 4JH",
    "phone": "07700 900123",
    "date_of_birth-day": "10", "date_of_birth-month": "12", "date_of_birth-year": "1985",
    "security_question": "First pet's name?",
    "security_answer": "  Mr  Whiskers ",
}


def test_account_pages_need_a_log_in(client):
    for path in ("/account", "/account/profile", "/account/password", "/account/email"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_overview_links_everything_and_masks_the_address(app, client, auth, make_person):
    person = make_person(email="ada@example.com", name="Ada")
    auth.login(person)
    page = client.get("/account").get_data(as_text=True)
    assert "a***@e***.com" in page and "ada@example.com" not in page
    for path in ("/account/profile", "/account/preferences", "/account/data",
                 "/account/password", "/account/email"):
        assert f'href="{path}"' in page
    assert "127.0.0.0/24" in page and "This device" in page


def test_profile_saves_every_field(app, client, auth, make_person, reload):
    person = make_person(email="bo@example.com")
    auth.login(person)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Prefer not to say" in page and 'name="date_of_birth-day"' in page
    response = client.post("/account/profile", data=FULL)
    assert response.status_code == 302
    person = reload(person)
    assert person.name == "Ada Lovelace"
    assert person.gender == "Prefer not to say"
    assert person.address == "12 St James's Square\nLondon\nSW1Y 4JH"
    assert person.phone == "07700 900123"
    assert person.phone_hash == crypto.phone_hash("+44 7700 900123")
    assert person.date_of_birth == "1985-12-10"
    assert person.security_question == "First pet's name?"
    assert verify_secret(person.security_answer_hash, normalise_answer("mr whiskers"))
    shown = client.get("/account/profile").get_data(as_text=True)
    assert "Whiskers" not in shown and "An answer is saved" in shown


def test_contact_fields_are_encrypted_at_rest(app, client, auth, make_person, reload):
    person = make_person(email="cy@example.com")
    auth.login(person)
    client.post("/account/profile", data=FULL)
    row = db.session.execute(
        text("SELECT name, address, phone, date_of_birth, gender FROM people WHERE id = :id"),
        {"id": person.id},
    ).one()
    plain = ("Ada Lovelace", "St James", "SW1Y 4JH", "07700 900123", "1985-12-10",
             "Prefer not to say")
    for stored in row:
        # Ciphertext: random-looking base64, so look for whole values, not short pieces
        # that random base64 could contain by chance.
        assert stored and stored.startswith("v2.")
        assert not any(value in stored for value in plain)
    assert reload(person).name == "Ada Lovelace"


def test_corrections_are_audited_by_field_name_only(app, client, auth, make_person, reload):
    person = make_person(email="dee@example.com", name="Dee", phone="07700 900001")
    auth.login(person)
    client.post("/account/profile", data={"name": "Dee Dee", "phone": "07700 900002",
                                          "gender": ""})
    events = db.session.query(AuditEvent).filter_by(person_id=person.id).all()
    assert sorted(e.field for e in events) == ["name", "phone"]
    for event in events:
        assert event.action == "profile.update" and event.actor_type == "person"
        assert event.actor_id == str(person.id)
        values = [str(v) for v in vars(event).values()]
        assert not any("Dee" in v or "0770" in v for v in values)
    assert reload(person).phone_hash == crypto.phone_hash("07700 900002")

    client.post("/account/profile", data={"name": "Dee Dee", "phone": "", "gender": ""})
    assert reload(person).phone is None and reload(person).phone_hash is None
    assert db.session.query(AuditEvent).count() == 3


def test_saving_unchanged_details_records_nothing(app, client, auth, make_person):
    person = make_person(email="eve@example.com", name="Eve", gender="Female")
    auth.login(person)
    response = client.post("/account/profile", data={"name": "Eve", "gender": "Female"},
                           follow_redirects=True)
    assert b"Nothing was changed" in response.data
    assert db.session.query(AuditEvent).count() == 0


def test_clearing_the_question_removes_the_answer(app, client, auth, make_person, reload):
    person = make_person(email="fay@example.com")
    auth.login(person)
    client.post("/account/profile", data={**FULL})
    client.post("/account/profile", data={**FULL, "security_question": "",
                                          "security_answer": ""})
    person = reload(person)
    assert person.security_question is None and person.security_answer_hash is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Ada\r\nBcc: x@example.com", "without line breaks"),
        ("name", "x" * 201, "at most 200"),
        ("address", "x" * 501, "at most 500"),
        ("phone", "call me maybe", "Enter a phone number"),
        ("phone", "123", "Enter a phone number"),
        ("date_of_birth-year", "2999", "cannot be in the future"),
        ("date_of_birth-year", "1850", "Enter a date after"),
        ("date_of_birth-month", "31", "must be a real date"),
        ("date_of_birth-day", "30x", "must be a real date in numbers"),
        ("date_of_birth-month", "", "must include a month"),
        ("gender", "Wizard", "Not a valid choice"),
        ("security_question", "Pet?\nX", "without line breaks"),
        ("security_answer", "", "Give an answer"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_changes(
    app, client, auth, make_person, field, value, message, reload
):
    person = make_person(email="gil@example.com", name="Gil")
    auth.login(person)
    response = client.post("/account/profile", data={**FULL, field: value})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert reload(person).name == "Gil"
    assert db.session.query(AuditEvent).count() == 0


def test_a_gender_written_elsewhere_survives_a_save(app, client, auth, make_person, reload):
    person = make_person(email="hal@example.com", gender="Agender")
    auth.login(person)
    client.post("/account/profile", data={"name": "Hal", "gender": "Agender"})
    assert reload(person).gender == "Agender"


def test_an_impossible_date_of_birth_is_a_clear_error_never_a_server_error(
        app, client, auth, make_person, reload):
    person = make_person(email="ivy@example.com", date_of_birth="1990-03-27")
    auth.login(person)
    response = client.post("/account/profile", data={
        "name": "Ivy", "gender": "", "date_of_birth-day": "29",
        "date_of_birth-month": "2", "date_of_birth-year": "2023"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Date of birth must be a real date" in page
    # The summary links to the day box; the typed values stay in the boxes.
    assert 'href="#date_of_birth-day"' in page and 'value="29"' in page
    assert reload(person).date_of_birth == "1990-03-27"


def test_the_date_of_birth_shows_as_day_month_and_year_boxes(app, client, auth, make_person):
    auth.login(make_person(email="jo@example.com", date_of_birth="1986-04-12"))
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'type="date"' not in page
    for part, value in (("day", "12"), ("month", "4"), ("year", "1986")):
        assert re.search(rf'name="date_of_birth-{part}"[^>]*value="{value}"', page), part
        assert f'<label for="date_of_birth-{part}">' in page
    assert "For example, 27 3 1990" in page


def test_the_profile_says_once_that_every_field_is_optional(app, client, auth, make_person):
    auth.login(make_person(email="kit@example.com", gender="female"))
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Every field on this page is optional" in page and "(optional)" not in page
    # A gender stored as "female" shows, and stays selected, as the form's "Female".
    assert '<option selected value="Female">Female</option>' in page
    assert ">female<" not in page
    # The security question's group and its field say different things.
    assert "<legend>Security question</legend>" in page and ">Your question</label>" in page
