"""A colleague records a choice the person asked us to make, by phone, letter, email or in
person, on the look-up page ("staff on request", CONTRACT.md). Stopping always takes
effect; a grant only with what the person was given, only when they asked after their own
latest refusal, never for an erased address. Each recorded choice, and each refused one,
is in the audit log; a refusal writes nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from preference_centre.consent import Actor, history, may_contact, record_changes
from preference_centre.data_rights import requests as rights
from preference_centre.extensions import db
from preference_centre.models import ConsentEvent, StaffAudit, Suppression
from tests.helpers_staff import look_up, on_request_form, record_on_request, refusal_on


def audit_rows(action: str) -> list[StaffAudit]:
    return list(db.session.execute(
        db.select(StaffAudit).where(StaffAudit.action == action).order_by(StaffAudit.id)
    ).scalars())


def event_count() -> int:
    return db.session.execute(db.select(db.func.count(ConsentEvent.id))).scalar_one()


@pytest.fixture
def ada(make_person, frozen_clock):
    """A customer who agreed to offers by email on her preference page (the clock stands
    still from then on)."""
    person = make_person(email="ada@example.com", name="Ada Lovelace", phone="07700 900123")
    record_changes(person.id, {"email:offers": True}, Actor(source="form"))
    db.session.commit()
    return person


def test_an_objection_to_post_from_a_phone_call_is_recorded_audited_and_told(
        app, make_staff, ada, frozen_clock):
    member = make_staff("marketing")
    asked_at = frozen_clock.now - timedelta(minutes=20)
    response = record_on_request(member.client, ada, "post:offers", False, asked_at)
    assert response.status_code == 303
    assert response.location.endswith(f"/staff/people/{ada.id}")

    event = history(ada.id)[0]
    assert (event.purpose, event.new_value, event.source, event.actor_type, event.actor_id) == (
        "post:offers", False, "staff", "staff", str(member.user.id))
    assert (event.collection_point, event.captured_at) == (
        "staff on request: phone call", asked_at)
    assert not may_contact(ada.id, "post", "offers").allowed
    [audit] = audit_rows("person.consent_recorded")
    assert (audit.actor_id, audit.target_type, audit.target_id, audit.detail) == (
        member.user.id, "person", str(ada.id), "post:offers off, phone call")

    page = member.client.get(response.location).get_data(as_text=True)
    assert "Recorded: the person objected to Offers by post, as they asked by phone call." in page
    assert ("staff recorded, at the person&#39;s request by phone call, that the person "
            "objected to Offers by post") in page
    assert "by staff, at the person&#39;s request by phone call" in page  # the "How" column
    # Found by address, then shown again by number: both audited, and told apart.
    assert [(row.target_id, row.detail) for row in audit_rows("person.looked_up")] == [
        (str(ada.id), None), (str(ada.id), "by record number")]


def test_the_person_reads_what_staff_recorded_for_them_in_their_own_history(
        app, make_staff, ada, auth, client, frozen_clock):
    member = make_staff("privacy")
    record_on_request(member.client, ada, "email:updates", True,
                      frozen_clock.now - timedelta(hours=3), asked_by="letter",
                      notice_version="1")
    auth.login(ada)
    page = client.get("/account/preferences").get_data(as_text=True)
    assert ("our staff recorded, at your request by letter, that you turned on Website and "
            'app updates by email (<a href="/privacy/1">privacy notice v1</a>)') in page
    assert may_contact(ada.id, "email", "updates").allowed


def test_a_grant_asked_for_before_a_later_refusal_is_refused_and_writes_nothing(
        app, make_staff, ada, frozen_clock):
    asked_on_the_phone = frozen_clock.now
    frozen_clock.advance(hours=1)
    record_changes(ada.id, {"email:offers": False}, Actor(source="one_click"))
    db.session.commit()
    frozen_clock.advance(hours=1)
    member = make_staff("marketing")
    before = event_count()
    response = record_on_request(member.client, ada, "email:offers", True, asked_on_the_phone,
                                 wording="Yes, you may email me offers.")
    assert response.status_code == 409
    reason = refusal_on(response.get_data(as_text=True))
    assert reason.startswith("The person last said no to Offers by email on 24 Nov 2026, 13:00, "
                             "after the time they asked you (24 Nov 2026, 12:00).")
    assert event_count() == before
    assert not may_contact(ada.id, "email", "offers").allowed
    assert audit_rows("person.consent_recorded") == []
    [refused] = audit_rows("person.consent_refused")
    assert (refused.target_id, refused.detail) == (str(ada.id), "email:offers on, phone call")


def test_a_grant_for_an_erased_address_is_refused(app, make_staff, ada, frozen_clock):
    db.session.add(Suppression(kind="email", value_hash=ada.email_hash, reason="erased"))
    db.session.commit()
    before = event_count()
    response = record_on_request(make_staff("privacy").client, ada, "profiling", True,
                                 frozen_clock.now, notice_version="1")
    assert response.status_code == 409
    assert "suppression list" in refusal_on(response.get_data(as_text=True))
    assert event_count() == before
    # Stopping is still taken down for the same address.
    response = record_on_request(make_staff("privacy").client, ada, "email:offers", False,
                                 frozen_clock.now)
    assert response.status_code == 303 and not may_contact(ada.id, "email", "offers").allowed


def test_a_restricted_person_gets_nothing_turned_on(app, make_staff, ada, frozen_clock):
    rights.restrict_processing(ada, None)
    db.session.commit()
    response = record_on_request(make_staff("marketing").client, ada, "sms:offers", True,
                                 frozen_clock.now, notice_version="1")
    assert response.status_code == 409
    assert "restricted" in refusal_on(response.get_data(as_text=True))


def test_the_same_choice_again_changes_nothing_and_says_so(app, make_staff, ada, frozen_clock):
    member = make_staff("marketing")
    record_on_request(member.client, ada, "phone:offers", False, frozen_clock.now)
    before = event_count()
    response = record_on_request(member.client, ada, "phone:offers", False, frozen_clock.now,
                                 asked_by="in_person")
    assert event_count() == before
    page = member.client.get(response.location).get_data(as_text=True)
    assert "Nothing changed: Offers by phone was already stopped (they had objected)." in page
    assert audit_rows("person.consent_recorded")[-1].detail == (
        "phone:offers off, in person, already so")


@pytest.mark.parametrize("change, message", [
    ({"asked_on-year": "2027"}, "cannot be in the future"),
    ({"asked_time": "23:59"}, "cannot be in the future"),
    ({"asked_time": "25:00"}, "Enter the time on the 24-hour clock"),
    ({"asked_on-month": "", "asked_on-day": ""}, "must include a day and a month"),
    ({"asked_on-day": "31", "asked_on-month": "2"}, "must be a real date"),
    ({"asked_by": ""}, "Choose how the person asked."),
    ({"choice": ""}, "Choose turn off or turn on."),
    ({"purpose": "cookies:analytics"}, "Not a valid choice"),
    ({"purpose": "service_messages"}, "Not a valid choice"),
    ({"choice": "on"}, "choose the privacy notice the person was given or type the wording"),
    ({"choice": "on", "notice_version": "99"}, "Not a valid choice"),
])
def test_a_form_filled_in_wrong_is_explained_and_writes_nothing(
        app, make_staff, ada, frozen_clock, change, message):
    member = make_staff("marketing")
    look_up(member.client, "ada@example.com")
    before = event_count()
    data = {**on_request_form("email:offers", False, frozen_clock.now), **change}
    response = member.client.post(f"/staff/people/{ada.id}/choices", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert event_count() == before and audit_rows("person.consent_recorded") == []


def test_the_form_offers_the_choices_a_person_can_make_and_nothing_else(
        app, make_staff, ada):
    member = make_staff("marketing")
    look_up(member.client, "ada@example.com")
    page = member.client.get(f"/staff/people/{ada.id}").get_data(as_text=True)
    assert "Record a choice the person asked us to make" in page
    for key in ("email:offers", "sms:policy", "post:offers", "phone:offers",
                "ads:personalised", "profiling"):
        assert f'value="{key}"' in page, key
    for key in ("service_messages", "cookies:analytics", "cookies:marketing",
                "security_monitoring"):
        assert f'value="{key}"' not in page, key
    assert 'data-basis="legitimate_interests" value="post:offers"' in page


@pytest.mark.app_config(SHARING_PARTNERS=[{"key": "acme", "name": "Acme Insurance"}])
def test_each_sharing_partner_is_offered(app, make_staff, ada):
    page = make_staff("privacy").client.get(f"/staff/people/{ada.id}").get_data(as_text=True)
    assert 'value="sharing:acme"' in page and "Sharing with Acme Insurance" in page


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_post_without_its_csrf_token_is_refused_with_a_page(app, make_staff, ada,
                                                              frozen_clock):
    member = make_staff("marketing")
    response = record_on_request(member.client, ada, "post:offers", False, frozen_clock.now)
    assert response.status_code == 400
    assert b"This form has expired" in response.data
    assert history(ada.id)[0].purpose == "email:offers"  # nothing recorded


def test_a_colleague_without_the_role_gets_403(app, make_staff, ada, frozen_clock):
    admin = make_staff("admin")
    response = record_on_request(admin.client, ada, "post:offers", False, frozen_clock.now)
    assert response.status_code == 403
    assert admin.client.get(f"/staff/people/{ada.id}").status_code == 403
    assert may_contact(ada.id, "post", "offers").allowed


def test_an_unknown_person_is_404(app, make_staff, frozen_clock):
    member = make_staff("marketing")
    response = member.client.get("/staff/people/424242")
    assert response.status_code == 404
    # Said inside the console, with its navigation and the way back.
    assert b'aria-label="Staff console"' in response.data and b'href="/staff"' in response.data
    response = member.client.post("/staff/people/424242/choices",
                                  data=on_request_form("post:offers", False, frozen_clock.now))
    assert response.status_code == 404


def test_marketing_opens_a_record_by_number_only_once_it_found_the_person_by_address(
        app, make_staff, ada, frozen_clock):
    """Record numbers run 1, 2, 3...: walking them must not list people and their addresses."""
    member = make_staff("marketing")
    response = member.client.get(f"/staff/people/{ada.id}")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "<h1>Look the person up first</h1>" in page and 'href="/staff/people"' in page
    assert "ada@example.com" not in page and "ask an admin" not in page
    refused = member.client.post(f"/staff/people/{ada.id}/choices",
                                 data=on_request_form("email:offers", False, frozen_clock.now))
    assert refused.status_code == 403 and may_contact(ada.id, "email", "offers").allowed
    assert audit_rows("person.looked_up") == []  # nothing was shown

    look_up(member.client, "ADA@example.com ")
    page = member.client.get(f"/staff/people/{ada.id}").get_data(as_text=True)
    assert "ada@example.com" in page


def test_a_look_up_in_an_earlier_session_does_not_open_the_record_in_the_next(
        app, make_staff, ada, frozen_clock):
    member = make_staff("marketing")
    look_up(member.client, "ada@example.com")
    assert member.client.get(f"/staff/people/{ada.id}").status_code == 200
    frozen_clock.advance(hours=1)
    later = member.sign_in(app.test_client())
    assert later.get(f"/staff/people/{ada.id}").status_code == 403


def test_opening_a_record_by_number_does_not_count_as_finding_the_person(
        app, make_staff, make_person, ada):
    """A record number the look-up never showed stays closed, even beside one it did."""
    member = make_staff("marketing")
    bob = make_person(email="bob@example.com")
    look_up(member.client, "ada@example.com")
    assert member.client.get(f"/staff/people/{ada.id}").status_code == 200
    assert member.client.get(f"/staff/people/{bob.id}").status_code == 403


def test_the_privacy_desk_opens_any_record_by_number(app, make_staff, ada):
    page = make_staff("privacy").client.get(f"/staff/people/{ada.id}").get_data(as_text=True)
    assert "ada@example.com" in page
