"""Erasure leaves nothing that identifies the person, keeps only what the registry says,
and stops anything from silently bringing them back."""

from __future__ import annotations

import dkim
import pytest
from sqlalchemy import func, select

from preference_centre import crypto, tokens
from preference_centre.consent import may_contact
from preference_centre.data_rights.erasure import (
    NotFound,
    WrongPassword,
    erase_own_account,
    erase_person,
    finish_erasure,
)
from preference_centre.extensions import db
from preference_centre.models import (
    ConsentEvent,
    ConsentState,
    ErasureReceipt,
    LoginSession,
    Order,
    OutboxMessage,
    Person,
    Suppression,
)
from preference_centre.people import find_person_by_email
from tests.helpers_accounts import DEFAULT_PASSWORD
from tests.helpers_data_rights import Identity
from tests.helpers_messaging import body_text, dkim_dns, one_line_header, raw_to


def _erase_through_the_page(client, auth, person):
    auth.login(person)
    page = client.get("/account/delete")
    assert page.status_code == 200
    response = client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "confirm": "y"})
    response.close()  # as a server does once the page has gone: the confirmation leaves then
    return response


def test_erasure_leaves_no_identifying_value_in_any_table(
        app, client, auth, make_person, mailbox, make_full_person, scan_database):
    who = Identity()
    person = make_full_person(who)
    email_hash, person_id = person.email_hash, person.id
    assert scan_database(who.needles())  # the scan does find them before erasure

    response = _erase_through_the_page(client, auth, person)

    assert response.status_code == 302
    assert scan_database(who.needles()) == []
    assert scan_database([email_hash], allow={("suppressions", "value_hash")}) == []
    assert db.session.get(Person, person_id) is None
    assert db.session.execute(select(Suppression.reason).where(
        Suppression.value_hash == email_hash)).scalar_one() == "erased"


def test_what_is_kept_is_anonymous_and_the_receipt_has_counts(app, client, auth, make_person,
                                                             mailbox, make_full_person):
    person = make_full_person(orders=3)
    person_id = person.id
    _erase_through_the_page(client, auth, person)

    orders = db.session.execute(select(Order)).scalars().all()
    assert len(orders) == 3 and all(o.person_id is None and o.delivery_address is None
                                     for o in orders)
    receipt = db.session.execute(select(ErasureReceipt)).scalar_one()
    assert receipt.trigger == "person"
    assert receipt.counts["orders"] == 3 and receipt.counts["people"] == 1
    assert {"contact", "orders", "payment", "communications", "messages", "preferences",
            "cookies", "external", "security", "requests"} <= set(receipt.categories)
    events = db.session.execute(select(ConsentEvent)).scalars().all()
    assert events and all(e.person_id is None and e.ip_prefix is None and e.ua_family is None
                          and e.erasure_ref == receipt.reference for e in events)
    outbox = db.session.execute(select(OutboxMessage)).scalars().all()
    assert {o.status for o in outbox} == {"sent", "cancelled"}
    assert all(o.recipient is None and o.body_text is None and o.person_id is None
               for o in outbox)
    assert db.session.execute(select(func.count()).select_from(ConsentState)).scalar() == 0
    assert db.session.execute(select(func.count()).select_from(LoginSession)).scalar() == 0
    assert db.session.get(Person, person_id) is None


@pytest.mark.app_config(KEEP_ORDERS_FOR_ACCOUNTING=False)
def test_orders_are_deleted_when_not_kept_for_accounting(app, make_person, make_full_person):
    person = make_full_person()
    erase_person(person.id, "staff", notify=False)
    db.session.commit()
    assert db.session.execute(select(func.count()).select_from(Order)).scalar() == 0


def test_confirmation_goes_to_the_address_and_no_outbox_row_keeps_it(
        app, client, auth, make_person, mailbox, make_full_person, scan_database):
    person = make_full_person()
    _erase_through_the_page(client, auth, person)
    message = mailbox.last_to(Identity().email)
    assert "erased" in body_text(message).lower()
    receipt = db.session.execute(select(ErasureReceipt)).scalar_one()
    assert receipt.reference in body_text(message)
    assert scan_database([Identity().email]) == []


def test_the_confirmation_is_dkim_signed_and_its_one_click_link_changes_nothing(
        app, client, auth, make_person, mailbox, dkim_key, make_full_person, scan_database):
    person = make_full_person()
    _erase_through_the_page(client, auth, person)
    raw = raw_to(mailbox, Identity().email)
    assert raw.startswith(b"DKIM-Signature:")
    assert dkim.verify(raw, dnsfunc=dkim_dns(dkim_key))
    assert one_line_header(raw, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    link = one_line_header(raw, "List-Unsubscribe").strip("<>")
    path = link.removeprefix(app.config["BASE_URL"])
    before = db.session.execute(select(func.count()).select_from(ConsentEvent)).scalar()
    response = client.post(path, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert db.session.execute(select(func.count()).select_from(ConsentEvent)).scalar() == before
    assert scan_database([Identity().email]) == []


@pytest.mark.app_config(MAIL_TIMEOUT=0.5)
def test_the_erased_page_never_waits_for_the_mail_server(app, client, auth, make_person,
                                                         stalled_smtp, make_full_person):
    person = make_full_person()
    auth.login(person)
    response = client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 302 and "/account/deleted" in response.headers["Location"]
    stalled_smtp.setblocking(False)
    with pytest.raises(BlockingIOError):  # the page is ready before anyone dialled the server
        stalled_smtp.accept()
    response.close()  # the server has sent the page; now the confirmation is tried
    stalled_smtp.setblocking(True)
    stalled_smtp.settimeout(5)
    stalled_smtp.accept()[0].close()
    assert db.session.execute(select(func.count()).select_from(ErasureReceipt)).scalar() == 1


def test_sessions_and_cookies_die(app, client, auth, make_person, mailbox, make_full_person):
    person = make_full_person()
    _erase_through_the_page(client, auth, person)
    again = client.get("/account/data")
    assert again.status_code == 302 and "/login" in again.headers["Location"]


def test_a_wrong_password_erases_nothing(app, client, auth, make_person, mailbox, make_full_person):
    person = make_full_person()
    auth.login(person)
    response = client.post("/account/delete", data={"password": "not it at all", "confirm": "y"})
    response.close()  # a confirmation would leave now
    assert response.status_code == 200
    assert b"That password is not right" in response.data
    assert db.session.get(Person, person.id) is not None
    assert mailbox.messages == []


def test_the_confirmation_page_lists_what_goes_and_what_is_kept(app, client, auth, make_person):
    person = make_person()
    auth.login(person)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Payment and financial information" in page
    assert "kept for accounting" in page or "Orders are kept for accounting" in page
    assert 'type="password"' in page


def test_stale_login_is_asked_to_reauthenticate_before_erasure(app, client, auth, make_person):
    person = make_person()
    auth.login(person, minutes_ago=60)
    for response in (client.get("/account/delete"),
                     client.post("/account/delete",
                                 data={"password": DEFAULT_PASSWORD, "confirm": "y"})):
        assert response.status_code == 302
        assert "/reauth" in response.headers["Location"]
    assert db.session.get(Person, person.id) is not None


def test_an_api_call_with_the_same_email_does_not_restore_marketing(
        app, client, make_person, make_full_person):
    from preference_centre.api.auth import create_api_key

    person = make_full_person()
    erase_person(person.id, "person", notify=False)
    _key, raw = create_api_key("crm")
    db.session.commit()
    response = client.post("/api/v1/people", headers={"Authorization": f"Bearer {raw}"},
                           json={"email": Identity().email, "email_verified": True,
                                 "consents": {"email:offers": True}})
    assert response.status_code >= 400
    again = find_person_by_email(Identity().email)
    assert again is None or not may_contact(again.id, "email", "offers")


def test_an_old_one_click_link_changes_nothing(app, client, make_person, make_full_person):
    person = make_full_person()
    token = tokens.make_unsubscribe_token(person.id, "email", "*", 1)
    erase_person(person.id, "person", notify=False)
    db.session.commit()
    before = db.session.execute(select(func.count()).select_from(ConsentEvent)).scalar()
    response = client.post(f"/u/{token}", data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 400)
    assert db.session.execute(select(func.count()).select_from(ConsentEvent)).scalar() == before
    assert db.session.execute(select(func.count()).select_from(Person)).scalar() == 0


def test_an_old_link_of_an_erased_person_never_reaches_someone_who_comes_later(
        app, client, make_person, consent):
    make_person(email="first@example.com")
    newest = make_person(email="newest@example.com")
    token = tokens.make_unsubscribe_token(newest.id, "email", "*", 1)
    erase_person(newest.id, "person", notify=False)
    db.session.commit()
    newcomer = make_person(email="newcomer@example.com")
    consent(newcomer, **{"email:offers": True})
    assert newcomer.id != newest.id  # SQLite would reuse the highest id without AUTOINCREMENT
    response = client.post(f"/u/{token}", data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert may_contact(newcomer.id, "email", "offers")


def test_erasing_someone_already_erased_is_a_domain_error(app, make_person):
    person = make_person()
    erase_person(person.id, "staff", notify=False)
    db.session.commit()
    with pytest.raises(NotFound):
        erase_person(person.id, "staff", notify=False)


def test_a_wrong_password_is_refused_by_the_erasure_service_itself(app, make_person, mailbox):
    person = make_person(email="pat@example.com")
    with pytest.raises(WrongPassword):
        erase_own_account(person, "not it at all")
    db.session.commit()
    assert find_person_by_email("pat@example.com") is not None
    assert mailbox.messages == []


def test_the_erasure_service_sends_nothing_the_caller_sends_after_its_commit(app, make_person,
                                                                            mailbox):
    person = make_person(email="lee@example.com")
    erased = erase_person(person.id, "staff")
    db.session.commit()
    assert mailbox.messages == []  # committing is the caller's; so is telling the person
    finish_erasure(erased)
    assert erased.receipt.reference in body_text(mailbox.last_to("lee@example.com"))


def test_a_rolled_back_erasure_sends_no_confirmation(app, make_person, mailbox):
    person = make_person(email="keep.me@example.com")
    erase_person(person.id, "person")
    db.session.rollback()
    assert mailbox.messages == []
    assert find_person_by_email("keep.me@example.com") is not None
    assert crypto.email_hash("keep.me@example.com")


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_password_guessing_on_the_erasure_page_is_rate_limited(app, client, auth, make_person):
    person = make_person()
    auth.login(person)
    codes = [client.post("/account/delete", data={"password": f"guess {n}", "confirm": "y"}
                         ).status_code for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert db.session.get(Person, person.id) is not None


# People without an account ask from their /p/ page -------------------------------------------

def _ask_to_erase(app, client, mailbox, person_id):
    from preference_centre.links import preference_link
    from preference_centre.messaging import deliver_due

    page = preference_link(person_id).removeprefix(app.config["BASE_URL"])
    assert "/erase-request" in client.get(page).get_data(as_text=True)
    assert client.get(page + "/erase-request").status_code == 200
    asked = client.post(page + "/erase-request")
    assert asked.status_code == 200 and b"confirmation link" in asked.data
    deliver_due()
    return mailbox.last_to


def test_someone_without_an_account_erases_everything_from_their_preference_link(
        app, client, make_person, mailbox, make_full_person, scan_database):
    who = Identity()
    person = make_full_person(who)
    person.password_hash = None  # a newsletter sign-up, say: no account to log in to
    db.session.commit()
    last_to = _ask_to_erase(app, client, mailbox, person.id)
    text = body_text(last_to(who.email))
    path = text.split("/data/erase/", 1)[1].split()[0]
    link = f"/data/erase/{path}"
    assert client.get(link).status_code == 200  # a page with a button: scanners change nothing
    assert db.session.get(Person, person.id) is not None
    done = client.post(link)
    done.close()  # the confirmation leaves once the page has gone
    assert done.status_code == 200 and b"Erasure reference" in done.data
    db.session.expire_all()
    assert db.session.get(Person, person.id) is None
    assert scan_database(who.needles()) == []
    assert "erased" in body_text(last_to(who.email)).lower()
    assert client.post(link).status_code == 400  # used once


def test_an_erasure_link_expires_and_a_tampered_one_erases_nothing(
        app, client, make_person, mailbox, frozen_clock):
    person = make_person(email="ines@example.com", password=None)
    link = _erase_link(_ask_to_erase(app, client, mailbox, person.id), "ines@example.com")
    assert client.post(link[:-2] + "xx").status_code == 400
    frozen_clock.advance(hours=49)
    assert client.post(link).status_code == 400
    assert db.session.get(Person, person.id) is not None


def _erase_link(last_to, address):
    return "/data/erase/" + body_text(last_to(address)).split("/data/erase/", 1)[1].split()[0]


def test_a_double_click_on_erase_erases_once_and_explains_the_second(
        app, client, make_person, mailbox, monkeypatch):
    from preference_centre.data_rights import emailed_links

    person = make_person(email="jo@example.com", password=None)
    link = _erase_link(_ask_to_erase(app, client, mailbox, person.id), "jo@example.com")
    seen = emailed_links.read_link("erase", link.rsplit("/", 1)[1])
    stale = type("Row", (), {"person_id": seen.person_id, "reference": seen.reference})()
    first = client.post(link)
    first.close()
    assert first.status_code == 200
    # The second click was read before the first erased anyone: it still holds the row.
    monkeypatch.setattr(emailed_links, "read_link", lambda kind, token: stale)
    second = client.post(link)
    assert second.status_code == 400 and b"already been erased" in second.data
    assert db.session.execute(select(func.count()).select_from(ErasureReceipt)).scalar() == 1


def test_an_unused_erasure_or_export_link_request_lapses_in_the_retention_run(
        app, client, make_person, mailbox, frozen_clock, runner):
    from preference_centre.models import RightsRequest

    person = make_person(email="kim@example.com", password=None)
    _ask_to_erase(app, client, mailbox, person.id)
    frozen_clock.advance(hours=47)
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert "0  would be closed: requests whose emailed link went unused" in dry.output
    frozen_clock.advance(hours=2)
    result = runner.invoke(args=["retention", "run"])
    assert "1  closed: requests whose emailed link went unused" in result.output
    db.session.expire_all()
    row = db.session.execute(select(RightsRequest)).scalar_one()
    assert row.kind == "erase" and row.status == "lapsed"
    assert db.session.get(Person, person.id) is not None
