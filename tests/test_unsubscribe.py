"""One-click unsubscribe (RFC 8058): the link in every message, as a mailbox provider and as a
person with a browser use it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from preference_centre import extensions, tokens
from preference_centre.consent import Actor, current_state, history, record_changes
from preference_centre.extensions import db
from preference_centre.models import ConsentEvent, UnsubscribeFeedback
from tests.helpers_messaging import MARKETING

ONE_CLICK = {"List-Unsubscribe": "One-Click"}



def token_for(person: Any, channel: str = "email", topic: str = "offers",
              message: str = "m1") -> str:
    return tokens.make_unsubscribe_token(person.id, channel, topic, message)


def event_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(ConsentEvent))


def refused(person: Any) -> set[str]:
    db.session.expire_all()
    state = current_state(person.id)
    return {key for key in MARKETING if not state[key]}


def test_one_click_post_without_cookie_unsubscribes(app: Any, subscriber: Any) -> None:
    client = app.test_client()  # a mailbox provider: no cookie, no CSRF token, no login
    response = client.post(f"/u/{token_for(subscriber, message='77')}", data=ONE_CLICK)
    assert response.status_code == 200
    assert "email:offers" in refused(subscriber)
    assert "email:updates" not in refused(subscriber)
    event = history(subscriber.id)[0]
    assert (event.purpose, event.new_value, event.source) == ("email:offers", False, "one_click")
    assert (event.actor_type, event.actor_id, event.message_ref) == (
        "person", str(subscriber.id), "77")


def test_one_click_multipart_body_unsubscribes(client: Any, subscriber: Any) -> None:
    response = client.post(f"/u/{token_for(subscriber)}", data=ONE_CLICK,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "email:offers" in refused(subscriber)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_one_click_works_with_csrf_protection_on(client: Any, subscriber: Any) -> None:
    response = client.post(f"/u/{token_for(subscriber)}", data=ONE_CLICK)
    assert response.status_code == 200
    assert "email:offers" in refused(subscriber)
    assert "Set-Cookie" not in response.headers


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
def test_a_burst_of_one_click_posts_from_one_provider_is_never_refused(
        app: Any, client: Any, make_person: Any) -> None:
    extensions.limiter.reset()
    for n in range(5):
        person = make_person(email=f"p{n}@example.com")
        record_changes(person.id, {"email:offers": True}, Actor(source="form"))
        db.session.commit()
        response = client.post(f"/u/{token_for(person)}", data=ONE_CLICK,
                               environ_base={"REMOTE_ADDR": "192.0.2.25"})
        assert response.status_code == 200, n
    # The default limit is on: any other page from that address is held back after two.
    answers = [client.get("/privacy", environ_base={"REMOTE_ADDR": "192.0.2.25"}).status_code
               for _ in range(3)]
    assert answers == [200, 200, 429]


def test_replaying_the_one_click_changes_nothing_more(client: Any, subscriber: Any) -> None:
    url = f"/u/{token_for(subscriber)}"
    assert client.post(url, data=ONE_CLICK).status_code == 200
    events = event_count()
    assert client.post(url, data=ONE_CLICK).status_code == 200
    assert event_count() == events


@pytest.mark.parametrize("method", ["get", "head"])
def test_following_the_link_changes_nothing(client: Any, subscriber: Any, method: str) -> None:
    events = event_count()
    response = getattr(client, method)(f"/u/{token_for(subscriber)}")
    assert response.status_code == 200
    assert event_count() == events
    assert refused(subscriber).isdisjoint({"email:offers", "email:updates"})


def test_page_names_masked_address_scope_and_both_buttons(client: Any, subscriber: Any) -> None:
    page = client.get(f"/u/{token_for(subscriber)}").get_data(as_text=True)
    assert "a***@e***.com" in page
    assert "alice.smith@example.com" not in page
    assert "Offers by email" in page
    assert "Stop emails about offers" in page
    assert "Stop all marketing" in page


def test_page_is_private_and_self_contained(client: Any, subscriber: Any) -> None:
    url = f"/u/{token_for(subscriber)}"
    for response in (client.get(url), client.post(url, data={"scope": "topic"}),
                     client.post(url, data=ONE_CLICK), client.get(url + "x")):
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Set-Cookie" not in response.headers
        html = response.get_data(as_text=True)
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), "loads from elsewhere"


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_topic_button_stops_only_that_topic(client: Any, subscriber: Any) -> None:
    response = client.post(f"/u/{token_for(subscriber)}", data={"scope": "topic"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert refused(subscriber) == set(MARKETING) - {"email:updates", "post:offers",
                                                    "phone:offers"}
    assert history(subscriber.id)[0].source == "one_click"


def test_all_marketing_button_stops_every_channel(client: Any, subscriber: Any) -> None:
    response = client.post(f"/u/{token_for(subscriber)}", data={"scope": "all"})
    assert response.status_code == 200
    assert refused(subscriber) == set(MARKETING)
    objections = {e.purpose for e in history(subscriber.id) if e.source == "one_click"}
    assert objections == {"email:offers", "email:updates", "post:offers", "phone:offers"}


def test_channel_wide_token_stops_all_marketing_on_that_channel(client: Any,
                                                                make_person: Any) -> None:
    person = make_person()
    record_changes(person.id, {"sms:offers": True, "sms:policy": True, "email:offers": True},
                   Actor(source="form"))
    db.session.commit()
    client.post(f"/u/{token_for(person, channel='sms', topic='*')}", data=ONE_CLICK)
    assert {"sms:offers", "sms:updates", "sms:policy"} <= refused(person)
    assert "email:offers" not in refused(person)


def test_link_for_a_changes_a_even_when_b_is_logged_in(client: Any, auth: Any,
                                                       subscriber: Any, make_person: Any) -> None:
    other = make_person(email="bob@example.com")
    record_changes(other.id, {"email:offers": True}, Actor(source="form"))
    db.session.commit()
    auth.login(other)
    client.post(f"/u/{token_for(subscriber)}", data={"scope": "all"})
    assert refused(subscriber) == set(MARKETING)
    assert "email:offers" not in refused(other)
    assert all(e.source == "form" for e in history(other.id))


def bad_tokens(person: Any) -> dict[str, str]:
    good = token_for(person)
    payload, signature = good.rsplit(".", 1)
    return {
        "tampered signature": payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:],
        "other person": payload.replace(f"{person.id}.", f"{person.id + 1}.", 1) + "." + signature,
        "truncated": good[:-4],
        "garbage": "not-a-token",
        "not ascii": good + "é",
        "preferences token": tokens.make_preference_token(person.id),
        "reset token": tokens.make_token("reset_password", [person.id, "fp"]),
        "unknown person": tokens.make_unsubscribe_token(person.id + 1000, "email", "offers", "1"),
        "unknown topic": tokens.make_unsubscribe_token(person.id, "email", "lottery", "1"),
        "not marketing": tokens.make_unsubscribe_token(person.id, "ads", "personalised", "1"),
    }


BAD_CASES = ["tampered signature", "other person", "truncated", "garbage", "not ascii",
             "preferences token", "reset token", "unknown person", "unknown topic",
             "not marketing"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_tokens_are_refused_and_change_nothing(client: Any, subscriber: Any,
                                                   case: str) -> None:
    token = bad_tokens(subscriber)[case]
    events = event_count()
    for response in (client.get(f"/u/{token}"), client.post(f"/u/{token}", data=ONE_CLICK),
                     client.post(f"/u/{token}", data={"scope": "all"})):
        assert response.status_code == 400
        assert "This link does not work" in response.get_data(as_text=True)
    assert event_count() == events


def test_post_without_one_click_body_or_button_is_refused(client: Any, subscriber: Any) -> None:
    response = client.post(f"/u/{token_for(subscriber)}", data={"List-Unsubscribe": "Nope"})
    assert response.status_code == 400
    assert "email:offers" not in refused(subscriber)


def test_links_signed_with_a_retired_key_keep_working_while_it_is_a_fallback(
        app: Any, subscriber: Any) -> None:
    old_key = app.config["SECRET_KEY"]
    token = token_for(subscriber)
    app.config["SECRET_KEY"] = "a-brand-new-secret-key-" + "z" * 32
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    client = app.test_client()
    assert client.get(f"/u/{token}").status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.post(f"/u/{token}", data=ONE_CLICK).status_code == 400
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert client.post(f"/u/{token}", data=ONE_CLICK).status_code == 200
    assert "email:offers" in refused(subscriber)


def receipt_from(html: str) -> str:
    match = re.search(r'name="receipt" value="([^"]+)"', html)
    assert match, "no receipt on the page"
    return match.group(1)


def test_undo_restores_exactly_what_the_unsubscribe_changed(client: Any, subscriber: Any) -> None:
    url = f"/u/{token_for(subscriber)}"
    page = client.post(url, data={"scope": "all"}).get_data(as_text=True)
    response = client.post(url + "/undo", data={"receipt": receipt_from(page)})
    assert response.status_code == 200
    # Back as before: the two consents given, post and phone running, the rest still off.
    assert refused(subscriber) == {"email:policy", "sms:offers", "sms:updates", "sms:policy"}
    restored = {e.purpose for e in history(subscriber.id) if e.source == "undo"}
    assert restored == {"email:offers", "email:updates", "post:offers", "phone:offers"}


def test_undo_needs_a_receipt_for_this_person(client: Any, subscriber: Any,
                                              make_person: Any) -> None:
    other = make_person()
    other_page = client.post(f"/u/{token_for(other)}", data={"scope": "all"})
    url = f"/u/{token_for(subscriber)}"
    client.post(url, data={"scope": "topic"})
    events = event_count()
    response = client.post(url + "/undo", data={"receipt": receipt_from(other_page.get_data(
        as_text=True))})
    assert response.status_code == 400
    assert client.post(url + "/undo", data={"receipt": "forged"}).status_code == 400
    assert event_count() == events


def test_why_reason_is_stored_without_the_person(client: Any, subscriber: Any) -> None:
    url = f"/u/{token_for(subscriber)}"
    page = client.post(url, data={"scope": "topic"}).get_data(as_text=True)
    response = client.post(url + "/why", data={"receipt": receipt_from(page),
                                               "reason": "too_many"})
    assert response.status_code == 200
    row = db.session.execute(db.select(UnsubscribeFeedback)).scalar_one()
    assert (row.channel, row.topic, row.reason) == ("email", "offers", "too_many")
    assert not any("person" in column.name for column in UnsubscribeFeedback.__table__.columns)


def test_why_rejects_an_unknown_reason(client: Any, subscriber: Any) -> None:
    url = f"/u/{token_for(subscriber)}"
    page = client.post(url, data={"scope": "all"}).get_data(as_text=True)
    response = client.post(url + "/why", data={"receipt": receipt_from(page), "reason": "x"})
    assert response.status_code == 400
    assert "Choose one of the reasons" in response.get_data(as_text=True)
    assert db.session.execute(db.select(UnsubscribeFeedback)).first() is None
