"""The console's downloads hold exactly who they should: the suppression list per channel by
what that channel matches on, post and phone lists of people who may be contacted now (with
only what a mailing house or call centre needs), and the hashed ads audience."""

from __future__ import annotations

import hashlib

import pytest

from preference_centre import crypto
from preference_centre.consent import Actor, record_changes
from preference_centre.console.exports import (
    ads_audience_rows,
    phone_contact_rows,
    post_contact_rows,
    split_address,
    suppression_rows,
)
from preference_centre.data_rights import requests as rights
from preference_centre.data_rights.erasure import erase_person
from preference_centre.extensions import db
from preference_centre.models import Suppression
from preference_centre.sms.services import opt_out_number


@pytest.fixture
def crowd(make_person):
    """Everyone the lists must tell apart."""
    def person(email, choices=None, address=None, **fields):
        found = make_person(email=email, **fields)
        found.address = address  # new_person's first argument is named "address"
        if choices:
            record_changes(found.id, choices, Actor(source="form"))
        return found

    people = {
        "keen": person("Keen@Example.com", {"email:offers": True, "ads:personalised": True},
                       name="Kim Keen", phone="07700 900001",
                       address="12 Bridge Street, Manchester M3 3BW"),
        "objector": person("objector@example.com",
                           {"post:offers": False, "phone:offers": False},
                           name="Olu Object", phone="07700 900002",
                           address="4 Clifton Road, Bristol BS8 1AA"),
        "restricted": person("restricted@example.com", {"ads:personalised": True},
                             name="Rae Stricted", phone="07700 900003",
                             address="88 Queen Street, Cardiff CF10 2GP"),
        "formula": person("formula@example.com", {"ads:personalised": False},
                          name="=HYPERLINK(\"http://x\")", phone="+44 7700 900004",
                          address="@SUM(1), Leeds LS1 4AP"),
        "pending": person("pending@example.com", {"ads:personalised": True},
                          status="pending", name="Pat Pending", phone="07700 900005",
                          address="1 Low Road, York YO1 7HH"),
        "erased": person("erased@example.com", {"email:offers": True}, name="Ed Erased",
                         phone="07700 900006", address="2 Gone Lane, Hull HU1 1AA"),
    }
    rights.restrict_processing(people["restricted"], None)
    erase_person(people["erased"].id, "staff", notify=False)
    opt_out_number("07700 900099")  # a number we hold for nobody replied STOP
    db.session.commit()
    return people


def test_post_list_has_only_people_who_may_be_written_to_and_only_name_and_address(
        app, crowd):
    rows = list(post_contact_rows())
    assert rows[0] == ["name", "address_line_1", "address_line_2", "address_line_3",
                       "address_line_4", "postcode"]
    assert rows[1:] == [
        ["Kim Keen", "12 Bridge Street", "Manchester", "", "", "M3 3BW"],
        ["'=HYPERLINK(\"http://x\")", "'@SUM(1)", "Leeds", "", "", "LS1 4AP"],
    ]  # no objector, restricted, pending or erased person; formulas neutralised


def test_phone_list_has_only_name_and_number_of_people_who_may_be_called(app, crowd):
    rows = list(phone_contact_rows())
    assert rows == [["name", "phone"], ["Kim Keen", "07700 900001"],
                    ["'=HYPERLINK(\"http://x\")", "'+44 7700 900004"]]


def test_ads_audience_is_the_hashed_address_of_consenting_people_only(app, crowd):
    rows = list(ads_audience_rows())
    expected = hashlib.sha256(b"keen@example.com").hexdigest()
    assert rows == [["Email"], [expected]]  # not restricted, pending, refused or erased
    assert "keen" not in str(rows)


def test_suppression_list_by_email_has_addresses_and_erased_hashes(app, crowd):
    rows = list(suppression_rows("email"))
    assert rows[0] == ["email", "email_hash", "reason", "since"]
    listed = {row[0] or row[1]: row[2] for row in rows[1:]}
    assert listed == {
        "objector@example.com": "no consent", "restricted@example.com": "processing restricted",
        "formula@example.com": "no consent", crypto.email_hash("erased@example.com"): "erased",
    }


def test_suppression_list_for_phone_and_text_matches_on_the_number(app, crowd):
    phone = list(suppression_rows("phone"))
    assert phone[0] == ["phone", "phone_hash", "email_hash", "reason", "since"]
    by_number = {row[0]: row[3] for row in phone[1:] if row[0]}
    assert by_number == {"07700 900002": "objected", "07700 900003": "processing restricted"}
    assert [row[2] for row in phone[1:] if row[2]] == [crypto.email_hash("erased@example.com")]
    sms = list(suppression_rows("sms"))
    assert crypto.phone_hash("07700 900099") in [row[1] for row in sms[1:]]
    assert "'+44 7700 900004" in [row[0] for row in sms[1:]]  # never consented to texts


def test_suppression_list_for_post_matches_on_address_and_postcode(app, crowd):
    rows = list(suppression_rows("post"))
    assert rows[0][:5] == ["address_line_1", "address_line_2", "address_line_3",
                           "address_line_4", "postcode"]
    people = {(row[0], row[4]): row[6] for row in rows[1:] if row[0]}
    assert people == {("4 Clifton Road", "BS8 1AA"): "objected",
                      ("88 Queen Street", "CF10 2GP"): "processing restricted"}
    assert [row[5] for row in rows[1:] if row[5]] == [crypto.email_hash("erased@example.com")]
    assert not any("Hull" in cell for row in rows for cell in row)  # erased: hash only


def test_an_erased_address_signed_up_again_stays_off_every_list_until_confirmed(
        app, crowd, make_person):
    back = make_person(email="erased@example.com", phone="07700 900006")
    back.address = "2 Gone Lane, Hull HU1 1AA"  # active, but still suppressed
    db.session.commit()
    assert db.session.query(Suppression).filter_by(kind="email").count() == 1
    assert len(list(post_contact_rows())) == 3  # the header, Kim Keen and the formula person
    assert "Hull" not in str(list(post_contact_rows()))
    assert "2 Gone Lane" in str(list(suppression_rows("post")))


@pytest.mark.parametrize(("stored", "lines", "postcode"), [
    ("12 Bridge Street, Manchester M3 3BW", ["12 Bridge Street", "Manchester", "", ""],
     "M3 3BW"),
    ("Flat 2\n5 Long Road\nLeeds\nls14ap", ["Flat 2", "5 Long Road", "Leeds", ""], "LS1 4AP"),
    ("1, 2, 3, 4, 5, 6", ["1", "2", "3", "4, 5, 6"], ""),
    ("", ["", "", "", ""], ""),
])
def test_addresses_are_split_into_lines_and_postcode(stored, lines, postcode):
    assert split_address(stored) == (lines, postcode)
