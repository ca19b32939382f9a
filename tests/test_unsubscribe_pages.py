"""The unsubscribe pages as a person without an account reads them: plain words, a way to
choose topic by topic that needs no account, an optional reason, and a next step."""

from __future__ import annotations

import re
from typing import Any

from preference_centre import tokens
from preference_centre.consent import Actor, record_changes
from preference_centre.extensions import db
from preference_centre.models import UnsubscribeFeedback


def subscribed(make_person: Any, **fields: Any) -> Any:
    """A newsletter subscriber without an account (no password), who said yes to offers."""
    person = make_person(email="sam.jones@example.com", password=None, origin="signup", **fields)
    record_changes(person.id, {"email:offers": True, "sms:offers": True}, Actor(source="form"))
    db.session.commit()
    return person


def receipt_from(html: str) -> str:
    match = re.search(r'name="receipt" value="([^"]+)"', html)
    assert match, "no receipt on the page"
    return match.group(1)


def test_person_without_an_account_is_offered_a_preference_link_not_a_log_in(
        client: Any, make_person: Any) -> None:
    person = subscribed(make_person)
    page = client.get(f"/u/{tokens.make_unsubscribe_token(person.id, 'email', 'offers', 'm')}")
    html = page.get_data(as_text=True)
    assert 'href="/p/new-link"' in html
    assert "log in" not in html.lower()
    # /u/ links get forwarded: the page carries no live preferences link.
    assert not re.search(r'href="[^"]*/p/(?!new-link)[^"]+"', html)


def test_person_with_an_account_may_also_log_in(client: Any, make_person: Any) -> None:
    person = make_person()
    html = client.get(f"/u/{tokens.make_unsubscribe_token(person.id, 'email', 'offers', 'm')}"
                      ).get_data(as_text=True)
    assert 'href="/p/new-link"' in html and 'href="/login"' in html


def test_buttons_say_what_stops_in_plain_words(client: Any, make_person: Any) -> None:
    person = subscribed(make_person)
    html = client.get(f"/u/{tokens.make_unsubscribe_token(person.id, 'email', 'offers', 'm')}"
                      ).get_data(as_text=True)
    assert "Stop emails about offers" in html
    assert "offers emails" not in html


def test_text_message_link_names_the_masked_phone_number(client: Any, make_person: Any) -> None:
    person = subscribed(make_person, phone="07700 900123")
    html = client.get(f"/u/{tokens.make_unsubscribe_token(person.id, 'sms', 'offers', 'm')}"
                      ).get_data(as_text=True)
    assert "07*** ***123" in html
    assert "s***@e***.com" not in html and "900123" not in html
    assert "Stop text messages about offers" in html


def test_undo_says_how_long_it_lasts(client: Any, make_person: Any) -> None:
    person = subscribed(make_person)
    url = f"/u/{tokens.make_unsubscribe_token(person.id, 'email', 'offers', 'm')}"
    html = client.post(url, data={"scope": "topic"}).get_data(as_text=True)
    assert "for 7 days" in html


def test_sending_no_reason_is_fine_and_leads_somewhere(client: Any, make_person: Any) -> None:
    person = subscribed(make_person)
    url = f"/u/{tokens.make_unsubscribe_token(person.id, 'email', 'offers', 'm')}"
    page = client.post(url, data={"scope": "topic"}).get_data(as_text=True)
    response = client.post(url + "/why", data={"receipt": receipt_from(page)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Thank you" in html and "error" not in html.lower()
    assert db.session.execute(db.select(UnsubscribeFeedback)).first() is None
    # The thank-you page is no dead end: a way on to the person's other choices.
    assert 'href="/p/new-link"' in html


def test_invalid_link_page_never_tells_to_log_in(client: Any) -> None:
    html = client.get("/u/not-a-token").get_data(as_text=True)
    assert "log in" not in html.lower()
    assert 'href="/p/new-link"' in html
