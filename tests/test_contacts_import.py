"""``flask contacts import FILE.csv [--source NAME] [--dry-run]``: people from a list, with
their choices, under the rules every writer of consent keeps (CONTRACT.md): a grant needs its
evidence and must postdate the person's own refusal, an erased address is not brought back,
a number that replied STOP gets no text marketing, and withdrawals always count."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from preference_centre import crypto
from preference_centre.consent import (
    Actor,
    current_state,
    ensure_current_notice,
    history,
    may_contact,
    record_changes,
)
from preference_centre.contacts import importer
from preference_centre.data_rights.export import iter_zip
from preference_centre.extensions import db
from preference_centre.models import AuditEvent, ConsentEvent, ExternalRecord, Person
from preference_centre.people import find_person_by_email
from preference_centre.sms.services import opt_out_number
from tests.helpers_api import EVIDENCE
from tests.helpers_consent import offers_given_then_unsubscribed

NUMBER = "07700 900123"


def counts() -> dict[str, int]:
    """How many rows the import could have written, table by table."""
    return {model.__tablename__: db.session.execute(
        db.select(db.func.count()).select_from(model)).scalar_one()
        for model in (Person, ConsentEvent, AuditEvent, ExternalRecord)}


def person(address: str) -> Person:
    db.session.expire_all()
    found = find_person_by_email(address)
    assert found is not None, "the person exists"
    return found


def lines(result: Any) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


def iso(when: Any) -> str:
    return when.isoformat().replace("+00:00", "Z")


def result_text(output: list[str]) -> str:
    return "\n".join(output)


# Creating and updating ---------------------------------------------------------------------

def test_a_new_person_is_created_with_their_details_and_evidenced_choices(import_contacts):
    result = import_contacts([
        {"Email": "ada@example.com", "Name": "Ada Lovelace", "Phone": NUMBER,
         "Address": "12 Analytical Row  \nLondon", "email_verified": "yes",
         "email:offers": "YES", "post:offers": "no", **EVIDENCE},
        {"Email": "grace@example.com"},
    ], "--source", "Spring fair")
    assert lines(result) == ["created 2, updated 0, skipped 0"]
    ada = person("ada@example.com")
    assert (ada.name, ada.phone, ada.address) == ("Ada Lovelace", NUMBER,
                                                  "12 Analytical Row\nLondon")
    assert (ada.origin, ada.status) == ("import", "active")
    assert ada.phone_hash == crypto.phone_hash(NUMBER)
    grant, objection = sorted(history(ada.id), key=lambda event: event.purpose)
    assert (grant.purpose, grant.new_value, grant.source, grant.actor_type, grant.actor_id) == (
        "email:offers", True, "import", "system", "import:Spring fair")
    assert (grant.collection_point, grant.wording) == (EVIDENCE["collection_point"],
                                                       EVIDENCE["wording"])
    assert (objection.purpose, objection.new_value) == ("post:offers", False)
    assert may_contact(ada.id, "email", "offers").allowed
    assert not may_contact(ada.id, "post", "offers").allowed
    # Unconfirmed, as the API creates people: no marketing until the address is confirmed.
    grace = person("grace@example.com")
    assert (grace.origin, grace.status, grace.name) == ("import", "pending", None)
    assert may_contact(grace.id, "post", "offers").reason == "address not confirmed"
    # Audited, and the person is told where their data came from (/account/data).
    audit = db.session.execute(db.select(AuditEvent.action, AuditEvent.actor_type,
                                         AuditEvent.actor_id)
                               .where(AuditEvent.person_id == ada.id)).all()
    assert audit == [("person_created", "system", "import:Spring fair")]
    record = db.session.execute(db.select(ExternalRecord).where(
        ExternalRecord.person_id == ada.id)).scalar_one()
    assert record.source == "import:Spring fair" and "Spring fair" in record.description


def test_an_existing_person_is_updated_only_where_the_list_differs(import_contacts,
                                                                    make_person):
    ada = make_person(email="ada@example.com", name="Ada", phone="+44 7700 900123",
                      address="1 Old Street")
    version = ada.consent_version
    result = import_contacts([{"email": "ADA@example.com ", "name": "Ada Lovelace",
                               "phone": NUMBER, "address": ""}])
    assert lines(result) == ["created 0, updated 1, skipped 0"]
    ada = person("ada@example.com")
    # The same number written another way is no change; a blank cell changes nothing.
    assert (ada.name, ada.phone, ada.address) == ("Ada Lovelace", "+44 7700 900123",
                                                  "1 Old Street")
    audit = db.session.execute(db.select(AuditEvent.action, AuditEvent.field,
                                         AuditEvent.actor_type)
                               .where(AuditEvent.person_id == ada.id)).all()
    assert audit == [("profile.update", "name", "system")]
    # A row without choices leaves consent alone (an undo receipt the person holds still works).
    assert ada.consent_version == version
    again = import_contacts([{"email": "ada@example.com", "name": "Ada Lovelace"}])
    assert lines(again) == ["created 0, updated 0, skipped 0",
                            "unchanged 1 (already as the file says)"]


def test_a_long_file_is_committed_batch_by_batch(import_contacts, monkeypatch):
    rows = [{"email": f"p{n}@example.com", "name": f"Person {n}"} for n in range(5)]
    assert lines(import_contacts(rows[:3], "--batch", "2"))[0] == "created 3, updated 0, skipped 0"
    # The database fails at the fifth row: the batches before it stay, its own never was.
    real = importer.find_person_by_email

    def fails_at_the_fifth(address: str) -> Any:
        if address == "p4@example.com":
            raise OperationalError("SELECT", {}, Exception("disk I/O error"))
        return real(address)

    monkeypatch.setattr(importer, "find_person_by_email", fails_at_the_fifth)
    rows = [{**row, "name": f"Renamed {n}"} for n, row in enumerate(rows)]
    result = import_contacts(rows, "--batch", "2")
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1
    assert ("stopped at line 6: the database failed. Saved before it: created 1, updated 3, "
            "skipped 0") in result.output
    names = dict(db.session.execute(db.select(Person.email, Person.name)).all())
    assert names == {f"p{n}@example.com": f"Renamed {n}" for n in range(4)}


def test_an_address_given_twice_is_imported_once(import_contacts):
    rows = [{"email": "ada@example.com", "name": "Ada"}, {"email": "bob@example.com"},
            {"email": " ADA@example.com", "name": "Someone Else"}]
    assert lines(import_contacts(rows, "--batch", "1")) == [
        "created 2, updated 0, skipped 1",
        "line 4: the same address as line 2: one row per person; nothing from this line "
        "was imported."]
    assert person("ada@example.com").name == "Ada"


# Rows that are skipped ---------------------------------------------------------------------

def test_rows_that_cannot_be_read_are_skipped_by_line_without_quoting_them(
        import_contacts, contacts_csv, frozen_clock):
    tomorrow = iso(frozen_clock.now + timedelta(days=1))
    path = contacts_csv(
        "email,name,phone,email:offers,captured_at,collection_point,wording\n"
        "not-an-address,Ann,,,,,\n"                                     # line 2
        "bob@example.com,Bob,,maybe,,,\n"                               # line 3
        "cat@example.com,Cat,12,,,,\n"                                  # line 4
        "dan@example.com,Dan,,yes,last tuesday,shop,Tick for offers\n"  # line 5
        "eve@example.com,Eve,,yes," + tomorrow + ",shop,Tick for offers\n"  # line 6
        "fay@example.com,Fay\n"                                         # line 7
        "\n"                                                            # line 8: blank
        '"gil@example.com","Gil\nGilbert",,,,,\n'                       # lines 9-10
        "hal@example.com,Hal,,,,,\n")                                   # line 11
    output = lines(import_contacts(path))
    assert output[0] == "created 1, updated 0, skipped 7"
    reasons = dict(line.split(": ", 1) for line in output[1:])
    assert list(reasons) == [f"line {n}" for n in (2, 3, 4, 5, 6, 7, 9)]
    assert reasons["line 2"].startswith("email: Not a valid email address")
    assert reasons["line 3"].startswith("email:offers: Use yes or no")
    assert reasons["line 4"].startswith("phone: Not a phone number")
    assert reasons["line 5"].startswith("captured_at: Must be an ISO 8601")
    assert reasons["line 6"].startswith("captured_at: Cannot be in the future")
    assert reasons["line 7"] == "has 2 values where the header names 7 columns"
    assert reasons["line 9"].startswith("name: Use a single line")
    for value in ("not-an-address", "bob@", "maybe", "Cat", "last tuesday", "Gil"):
        assert value not in result_text(output), "no value of the file is printed"
    assert [p.email for p in db.session.execute(db.select(Person)).scalars()] == [
        "hal@example.com"]


def test_a_dry_run_reports_the_same_and_writes_nothing(import_contacts, contacts_csv,
                                                       make_person):
    make_person(email="ada@example.com", name="Ada")
    path = contacts_csv([
        {"email": "ada@example.com", "name": "Ada Lovelace", "email:offers": "no"},
        {"email": "new@example.com", "name": "New", "email:updates": "yes", **EVIDENCE},
        {"email": "ada@example.com", "email:offers": "yes", **EVIDENCE},
        {"email": "nobody", "name": "x"},
    ])
    before = counts()
    dry = lines(import_contacts(path, "--dry-run", "--source", "CRM 2019", "--batch", "1"))
    assert dry[0] == "created 1, updated 1, skipped 2"
    assert dry[-1] == "dry run: nothing was written."
    assert counts() == before
    assert person("ada@example.com").name == "Ada"
    real = lines(import_contacts(path, "--source", "CRM 2019", "--batch", "1"))
    assert real == dry[:-1]
    assert counts() != before


# The consent rules -------------------------------------------------------------------------

def test_an_import_cannot_undo_a_one_click_unsubscribe(import_contacts, make_person,
                                                       frozen_clock, api):
    ada = make_person(email="ada@example.com")
    captured = offers_given_then_unsubscribed(ada, frozen_clock)
    frozen_clock.advance(days=1)
    evidence = {**EVIDENCE, "captured_at": iso(captured)}  # an old list, made before the "no"
    output = lines(import_contacts([{"email": "ada@example.com", "name": "Ada Lovelace",
                                     "email:offers": "yes", **evidence}]))
    assert output[0] == "created 0, updated 0, skipped 1"
    assert output[1].startswith("line 2: email:offers: the person refused it on")
    assert "only the person themselves can turn it back on" in output[1]
    assert person("ada@example.com").name is None, "a refused row writes nothing"
    assert not may_contact(ada.id, "email", "offers").allowed
    check = api.post("/api/v1/contact-check", json={"email": "ada@example.com",
                                                    "channel": "email", "topic": "offers"})
    assert check.json["allowed"] is False
    # What the person chose themselves after their "no" (captured later) does count.
    later = {**EVIDENCE, "captured_at": iso(frozen_clock.now - timedelta(hours=1))}
    assert lines(import_contacts([{"email": "ada@example.com", "email:offers": "yes",
                                   **later}]))[0] == "created 0, updated 1, skipped 0"
    assert may_contact(ada.id, "email", "offers").allowed


@pytest.mark.parametrize("evidence, missing", [
    ({}, "captured_at, collection_point, notice_version or wording"),
    ({"captured_at": EVIDENCE["captured_at"], "wording": "Tick for offers"},
     "collection_point"),
    ({"captured_at": EVIDENCE["captured_at"], "collection_point": "shop"},
     "notice_version or wording"),
])
def test_a_grant_without_its_evidence_is_skipped_and_writes_nothing(
        import_contacts, make_person, evidence, missing):
    make_person(email="ada@example.com", name="Ada")
    before = counts()
    output = lines(import_contacts([
        {"email": "ada@example.com", "name": "Ada Lovelace", "email:offers": "yes",
         "captured_at": "", "collection_point": "", "wording": "", **evidence},
        {"email": "new@example.com", "name": "New", "email:offers": "yes"},
    ]))
    assert output[0] == "created 0, updated 0, skipped 2"
    assert f"needs its evidence (missing: {missing})" in output[1]
    assert output[2].startswith("line 3: A grant from anyone but the person needs its evidence")
    assert counts() == before
    assert person("ada@example.com").name == "Ada"


def test_the_source_stands_for_the_collection_point_only_when_given(import_contacts):
    row = {"email": "ada@example.com", "email:offers": "yes",
           "captured_at": EVIDENCE["captured_at"], "wording": EVIDENCE["wording"]}
    assert lines(import_contacts([row]))[0] == "created 0, updated 0, skipped 1"
    assert lines(import_contacts([row], "--source", "Stand B, trade fair"))[0] == (
        "created 1, updated 0, skipped 0")
    (event,) = history(person("ada@example.com").id)
    assert (event.collection_point, event.actor_id) == ("Stand B, trade fair",
                                                        "import:Stand B, trade fair")


def test_a_grant_names_a_notice_version_that_was_published(import_contacts):
    version = ensure_current_notice().version
    db.session.commit()
    proof = {"captured_at": EVIDENCE["captured_at"], "collection_point": "shop"}
    output = lines(import_contacts([
        {"email": "ada@example.com", "email:offers": "yes", **proof, "notice_version": version},
        {"email": "bob@example.com", "email:offers": "yes", **proof, "notice_version": "v99"},
    ]))
    assert output == ["created 1, updated 0, skipped 1",
                      "line 3: notice_version: Not a published notice version (see /privacy)."]
    (event,) = history(person("ada@example.com").id)
    assert (event.purpose, event.notice_version) == ("email:offers", version)


def test_an_erased_address_is_not_imported_again(import_contacts, erase_address):
    erase_address("gone@example.com")
    erase_address("left@example.com")
    before = counts()
    output = lines(import_contacts([
        {"email": "Gone@example.com", "name": "Gone", "email:offers": "yes", **EVIDENCE},
        {"email": "left@example.com", "name": "Left", "email:offers": "", "captured_at": "",
         "collection_point": "", "wording": ""},
    ]))
    assert output[0] == "created 0, updated 0, skipped 2"
    assert all(line.endswith("on the suppression list (erased at their request): not "
                             "imported; only the person can come back, by signing up or "
                             "registering again.") for line in output[1:])
    assert counts() == before
    assert "gone" not in result_text(output).lower() and "left" not in result_text(output)


def test_a_number_that_replied_stop_gets_no_text_marketing_from_a_list(import_contacts):
    opt_out_number(NUMBER)
    db.session.commit()
    output = lines(import_contacts([
        {"email": "ada@example.com", "phone": NUMBER, "sms:offers": "yes",
         "email:offers": "", **EVIDENCE},
        {"email": "bob@example.com", "phone": NUMBER, "sms:offers": "",
         "email:offers": "yes", **EVIDENCE},
    ]))
    assert output[0] == "created 1, updated 0, skipped 1"
    assert output[1].startswith("line 2: This phone number replied STOP")
    assert find_person_by_email("ada@example.com") is None
    bob = person("bob@example.com")
    assert not may_contact(bob.id, "sms", "offers").allowed


def test_a_new_number_in_the_list_is_checked_against_stop_before_a_text_grant(
        import_contacts, make_person):
    make_person(email="ada@example.com", phone="07700 900999")
    opt_out_number(NUMBER)
    db.session.commit()
    output = lines(import_contacts([{"email": "ada@example.com", "phone": NUMBER,
                                     "sms:offers": "yes", **EVIDENCE}]))
    assert output[0] == "created 0, updated 0, skipped 1"
    assert output[1].startswith("line 2: This phone number replied STOP")
    ada = person("ada@example.com")
    assert ada.phone == "07700 900999" and current_state(ada.id)["sms:offers"] is False


def test_withdrawals_count_without_evidence_even_in_a_refused_row(import_contacts,
                                                                  make_person):
    ada = make_person(email="ada@example.com")
    record_changes(ada.id, {"email:offers": True, "email:updates": True},
                   Actor(source="form"))
    db.session.commit()
    output = lines(import_contacts([{"email": "ada@example.com", "email:offers": "no",
                                     "email:updates": "", "sms:offers": ""}]))
    assert output == ["created 0, updated 1, skipped 0"]
    assert current_state(ada.id)["email:offers"] is False
    # A row whose grant is refused still records its "no"s, and says so.
    output = lines(import_contacts([{"email": "ada@example.com", "name": "Ada",
                                     "email:updates": "no", "sms:offers": "yes"}]))
    assert output[0] == "created 0, updated 0, skipped 1"
    assert output[1].endswith("The row's withdrawals were recorded.")
    state = current_state(ada.id)
    assert (state["email:updates"], state["sms:offers"]) == (False, False)
    assert person("ada@example.com").name is None
    event = history(ada.id)[0]
    assert (event.purpose, event.source, event.actor_type) == ("email:updates", "import",
                                                               "system")


def test_a_restricted_person_keeps_their_details_but_their_no_counts(import_contacts,
                                                                     make_person,
                                                                     frozen_clock):
    ada = make_person(email="ada@example.com", name="Ada")
    ada.restricted_at = frozen_clock.now
    db.session.commit()
    output = lines(import_contacts([{"email": "ada@example.com", "name": "Someone Else",
                                     "post:offers": "no"}]))
    assert output == ["created 0, updated 0, skipped 1",
                      "line 2: processing of this person's data is restricted (Art 18): "
                      "their details were not changed. The row's withdrawals were recorded."]
    assert person("ada@example.com").name == "Ada"
    assert current_state(ada.id)["post:offers"] is False


# Values kept as text -----------------------------------------------------------------------

def test_formula_looking_values_are_stored_as_text_and_exported_harmless(import_contacts):
    formula = "=cmd|' /C calc'!A0"
    rows = [{"email": "ada@example.com", "name": formula, "address": "+SUM(A1:A9)"}]
    assert lines(import_contacts(rows))[0] == "created 1, updated 0, skipped 0"
    ada = person("ada@example.com")
    assert (ada.name, ada.address) == (formula, "+SUM(A1:A9)")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(iter_zip(ada.id))))
    profile = next(name for name in archive.namelist() if name.endswith(".csv")
                   and formula[1:] in archive.read(name).decode())
    assert "'" + formula in archive.read(profile).decode()
    assert lines(import_contacts(rows))[1] == "unchanged 1 (already as the file says)"


def test_the_list_of_reasons_stops_but_the_count_does_not(import_contacts, contacts_csv):
    listed = importer.MAX_LISTED_SKIPS
    path = contacts_csv("email\n" + "not-an-address\n" * (listed + 3))
    output = lines(import_contacts(path))
    assert output[0] == f"created 0, updated 0, skipped {listed + 3}"
    assert len(output) == 1 + listed + 1
    assert output[-1].startswith("... and 3 more skipped lines, not listed")


# The file as a whole -----------------------------------------------------------------------

def test_a_spreadsheets_csv_utf8_export_reads(import_contacts):
    excel = "\ufeffEmail,Name,Address\r\nzoe@example.com,Zoë,\"1 High St\r\nYork\"\r\n"
    assert lines(import_contacts(excel.encode("utf-8")))[0] == "created 1, updated 0, skipped 0"
    zoe = person("zoe@example.com")
    assert (zoe.name, zoe.address) == ("Zoë", "1 High St\nYork")


GOOD_LINES = "".join(f"p{n}@example.com,Person {n}\n" for n in range(5))


@pytest.mark.parametrize("content, reason", [
    ("email,name,favourite colour\nada@example.com,Ada,blue\n",
     'unknown column "favourite colour"'),
    ("email,service_messages\nada@example.com,no\n", 'unknown column "service_messages"'),
    ("ada@example.com,Ada Lovelace\nbob@example.com,Bob\n",
     "must name the columns and include email"),
    ("email;name\nada@example.com;Ada\n", "separate columns with commas"),
    ("email,name,Email\nada@example.com,Ada,ada@example.com\n", 'names "email" more than once'),
    ("email,,name\nada@example.com,x,Ada\n", "column 2 of the header has no name"),
    ("", "is empty"),
    (b"email,name\nada@example.com,Ad\xe9\n", "is not UTF-8 text"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U0#\xf4", "is not UTF-8 text"),
    ("email,name\n" + GOOD_LINES + 'late@example.com,"Late\n', "is not a readable CSV file"),
    ("email,name\nada@example.com,Ada\n".encode("utf-16"), "is not UTF-8 text"),
])
def test_a_file_that_cannot_be_read_whole_fails_and_writes_nothing(import_contacts, content,
                                                                   reason):
    result = import_contacts(content, "--batch", "1")
    assert result.exit_code != 0
    assert reason in result.output and len(result.output.strip().splitlines()) == 1
    assert "ada@example.com" not in result.output and "Lovelace" not in result.output
    assert counts() == {"people": 0, "consent_events": 0, "audit_events": 0,
                        "external_records": 0}


@pytest.mark.parametrize("args, reason", [
    (["missing.csv"], "cannot read missing.csv"),
    ([".", "--source", "x"], "cannot read ."),
])
def test_a_file_that_is_not_there_fails_in_one_line(runner, args, reason):
    result = runner.invoke(args=["contacts", "import", *args])
    assert result.exit_code != 0
    assert reason in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("source", ["", "   ", "x" * 101, "two\nlines"])
def test_a_bad_source_name_fails_in_one_line(import_contacts, source):
    result = import_contacts([{"email": "ada@example.com"}], "--source", source)
    assert result.exit_code != 0 and "--source must be one line" in result.output
    assert counts()["people"] == 0
