"""Staff look a person up by exact address: each purpose's answer, since when and how, and
the whole history in the words the person's own page uses; marketing sees no contact detail
but the email address."""

from __future__ import annotations

import time

from preference_centre.consent import Actor, record_changes
from preference_centre.console.lookup import look_up_person
from preference_centre.data_rights import requests as rights
from preference_centre.extensions import db


def test_a_look_up_shows_each_answer_with_when_and_how(app, make_person, frozen_clock):
    person = make_person(email="Ada@Example.com", name="Ada Lovelace", phone="07700 900123")
    record_changes(person.id, {"email:offers": True},
                   Actor(source="form", notice_version="2"))
    frozen_clock.advance(days=3)
    record_changes(person.id, {"email:offers": False, "post:offers": False},
                   Actor(source="one_click", message_ref="m1"))
    db.session.commit()

    record = look_up_person("  ada@example.COM ")
    answers = {a.key: a for a in record.answers}
    offers = answers["email:offers"]
    assert (offers.allowed, offers.stored, offers.may_contact_now) == (False, True, False)
    assert offers.since == frozen_clock.now
    assert (offers.source, offers.actor, offers.notice_version) == (
        "one-click unsubscribe", "the person", "1")
    assert answers["post:offers"].reason == "objected"
    assert answers["phone:offers"].may_contact_now is True  # legitimate interests
    assert (answers["email:updates"].stored, answers["email:updates"].reason) == (
        False, "no consent")
    assert answers["service_messages"].reason == "needed for the service (contract)"
    assert [line.words for line in record.history] == [
        "On 27 Nov 2026 the person objected to Offers by post (one-click unsubscribe, "
        "privacy notice v1)",
        "On 27 Nov 2026 the person turned off Offers by email (one-click unsubscribe, "
        "privacy notice v1)",
        "On 24 Nov 2026 the person turned on Offers by email (preference page, "
        "privacy notice v2)",
    ]


def test_marketing_sees_the_email_but_no_other_contact_detail(app, make_person):
    person = make_person(email="bob@example.com", name="Bob Jones", phone="07700 900456")
    person.address = "1 High Street, York YO1 7HH"
    db.session.commit()
    marketing = look_up_person("bob@example.com", role="marketing")
    assert marketing.email == "bob@example.com"
    assert (marketing.name, marketing.phone, marketing.address) == (None, None, None)
    privacy = look_up_person("bob@example.com", role="privacy")
    assert (privacy.name, privacy.phone, privacy.address) == (
        "Bob Jones", "07700 900456", "1 High Street, York YO1 7HH")
    assert privacy.for_role("marketing").phone is None


def test_an_unknown_or_partial_address_finds_nobody(app, make_person):
    make_person(email="carol@example.com")
    assert look_up_person("nobody@example.com") is None
    assert look_up_person("carol@example") is None  # exact addresses only, no search
    assert look_up_person("") is None


def test_a_restricted_person_may_not_be_contacted_and_says_why(app, make_person):
    person = make_person(email="dee@example.com")
    record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    rights.restrict_processing(person, None)
    db.session.commit()
    started = time.perf_counter()
    record = look_up_person("dee@example.com")
    assert time.perf_counter() - started < 1
    offers = next(a for a in record.answers if a.key == "email:offers")
    assert (offers.allowed, offers.may_contact_now) == (True, False)
    assert offers.reason == "processing restricted (Art 18)"
    assert record.restricted_at is not None
