"""Every message carries the one-click headers literally, a working opt-out link, a link to
manage preferences and a stable Message-ID; nothing from input can add a header."""

from __future__ import annotations

import pytest

from preference_centre import tokens
from preference_centre.extensions import db
from preference_centre.messaging import (
    CampaignError,
    UnsafeHeader,
    deliver_due,
    queue_campaign,
    queue_service_email,
    send_order_changed,
    send_order_confirmed,
)
from preference_centre.models import Order, OutboxMessage
from preference_centre.preferences.links import person_from_link
from tests.helpers_messaging import (
    LONG_BASE_URL,
    add_template,
    body_text,
    links,
    one_line_header,
    raw_to,
)


def _order(person, reference="AC-1001"):
    order = Order(person_id=person.id, reference=reference, product="Broadband 500",
                  amount_pence=2999, currency="GBP", status="confirmed")
    db.session.add(order)
    db.session.flush()
    return order


def _queue(kind, person, app, tmp_path, consent):
    """Queue one message of ``kind``; returns the expected unsubscribe topic."""
    if kind == "service":
        add_template(app, tmp_path)
        queue_service_email(person, "hello", "Greetings", {"who": "Ada"})
        topic = "*"
    elif kind == "order_confirmed":
        send_order_confirmed(_order(person))
        topic = "*"
    elif kind == "order_changed":
        send_order_changed(_order(person), "Delivery moves to Friday 27 November.")
        topic = "*"
    else:
        consent(person, **{"email:offers": True})
        queue_campaign("offers", "email", "Offers for {{ name }}", "Hello {{ name }},\n\nNews.")
        topic = "offers"
    db.session.commit()
    return topic


@pytest.mark.app_config(BASE_URL=LONG_BASE_URL)
@pytest.mark.parametrize("kind", ["service", "order_confirmed", "order_changed", "campaign"])
def test_every_kind_of_email_carries_literal_one_click_headers(
        app, mailbox, make_person, tmp_path, consent, kind):
    person = make_person(email="ada@example.com", name="Ada Lovelace")
    topic = _queue(kind, person, app, tmp_path, consent)
    assert deliver_due()["sent"] == 1
    row = db.session.execute(db.select(OutboxMessage)).scalar_one()
    raw = raw_to(mailbox, "ada@example.com")

    header = one_line_header(raw, "List-Unsubscribe")
    assert header.startswith(f"<{LONG_BASE_URL}/u/") and header.endswith(">")
    assert len(header) > 78  # long enough that a folding mailer would have folded it
    assert one_line_header(raw, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert one_line_header(raw, "Message-ID") == row.message_id

    url = header[1:-1]
    token = url.rsplit("/u/", 1)[1]
    assert tokens.read_unsubscribe_token(token) == (person.id, "email", topic, str(row.id))
    message = mailbox.last_to("ada@example.com")
    text = body_text(message)
    assert url in text
    assert url in message.get_body(preferencelist=("html",)).get_content()
    preference_url = next(link for link in links(text) if "/p/" in link)
    assert person_from_link(preference_url.rsplit("/p/", 1)[1]).id == person.id


def test_each_recipient_of_a_campaign_gets_links_of_their_own(app, mailbox, make_person,
                                                              consent):
    people = [make_person(email=f"{name}@example.com", name=name) for name in ("ada", "bob")]
    for person in people:
        consent(person, **{"email:offers": True})
    queue_campaign("offers", "email", "Offers", "Hello {{ name }},\n\nNews.")
    assert deliver_due()["sent"] == 2
    for person in people:
        message = mailbox.last_to(person.email)
        html = message.get_body(preferencelist=("html",)).get_content()
        text = body_text(message)
        stop = one_line_header(raw_to(mailbox, person.email), "List-Unsubscribe")[1:-1]
        manage = next(link for link in links(text) if "/p/" in link)
        assert stop in text and stop in html and manage in html
        assert tokens.read_unsubscribe_token(stop.rsplit("/u/", 1)[1])[0] == person.id
        assert person_from_link(manage.rsplit("/p/", 1)[1]).id == person.id


def test_service_messages_go_out_without_any_marketing_consent(app, mailbox, make_person, consent):
    person = make_person(email="bob@example.com")
    consent(person, **{"email:offers": False, "email:updates": False})
    send_order_confirmed(_order(person, "AC-2002"))
    db.session.commit()
    assert deliver_due()["sent"] == 1
    text = body_text(mailbox.last_to("bob@example.com"))
    assert "AC-2002" in text and "£29.99" in text
    assert mailbox.last_to("bob@example.com")["Subject"] == "Your order AC-2002 is confirmed"


def test_order_news_for_an_erased_customer_is_not_queued(app, make_person):
    order = Order(person_id=None, reference="AC-3", product="Kept for accounting",
                  amount_pence=100)
    db.session.add(order)
    db.session.flush()
    assert send_order_confirmed(order) is None
    assert send_order_changed(order, "Delayed") is None


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: victim@example.org", "Hi\nX-Evil: 1", "Hi\r"])
def test_line_breaks_in_a_subject_are_refused(app, make_person, tmp_path, subject):
    add_template(app, tmp_path)
    person = make_person()
    with pytest.raises(UnsafeHeader):
        queue_service_email(person, "hello", subject, {"who": "x"})
    with pytest.raises(CampaignError):
        queue_campaign("offers", "email", subject, "Body")
    db.session.rollback()
    assert db.session.execute(db.select(OutboxMessage)).first() is None


def test_line_breaks_in_a_recipient_are_refused(app, make_person, tmp_path):
    add_template(app, tmp_path)
    person = make_person()
    with pytest.raises(UnsafeHeader):
        queue_service_email(person, "hello", "Hi", {}, to="a@example.com\r\nBcc: b@example.org")


def test_a_name_with_line_breaks_cannot_add_a_header(app, mailbox, make_person, consent):
    person = make_person(email="eve@example.com", name="Eve\r\nBcc: victim@example.org")
    consent(person, **{"email:offers": True})
    queue_campaign("offers", "email", "For {{ name }}", "Hello {{ name }}")
    db.session.commit()
    assert deliver_due()["sent"] == 1
    raw = raw_to(mailbox, "eve@example.com")
    assert b"\r\nBcc:" not in raw.split(b"\r\n\r\n", 1)[0]
    assert mailbox.envelopes[-1].rcpt_tos == ["eve@example.com"]
    assert mailbox.last_to("eve@example.com")["Subject"] == "For Eve Bcc: victim@example.org"


def test_non_ascii_subject_and_body_arrive_intact(app, mailbox, make_person, consent):
    person = make_person(email="zoe@example.com", name="Zoë Ångström")
    consent(person, **{"email:offers": True})
    queue_campaign("offers", "email", "Offres pour {{ first_name }} — 20 %", "Bonjour {{ name }} ✓")
    db.session.commit()
    deliver_due()
    message = mailbox.last_to("zoe@example.com")
    assert message["Subject"] == "Offres pour Zoë — 20 %"
    assert "Bonjour Zoë Ångström ✓" in body_text(message)


def test_unsubscribe_links_survive_a_key_rotation_until_the_key_is_retired(app):
    token = tokens.make_unsubscribe_token(7, "email", "offers", 42)
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-brand-new-key-" + "z" * 32
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert tokens.read_unsubscribe_token(token) == (7, "email", "offers", "42")
    app.config["SECRET_KEY_FALLBACKS"] = []
    with pytest.raises(tokens.TokenInvalid):
        tokens.read_unsubscribe_token(token)
