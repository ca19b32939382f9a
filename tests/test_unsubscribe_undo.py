"""The undo on the page after an unsubscribe: it puts back what that unsubscribe stopped, once,
and only while the person has made no choice since (security issue #10)."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from preference_centre import clock, tokens
from preference_centre.consent import Actor, Evidence, current_state, history, record_changes
from preference_centre.extensions import db
from preference_centre.models import ConsentEvent
from tests.helpers_messaging import MARKETING


def unsubscribe_url(person: Any, message: str = "m1") -> str:
    return f"/u/{tokens.make_unsubscribe_token(person.id, 'email', 'offers', message)}"


def unsubscribe_for_receipt(client: Any, url: str, scope: str) -> str:
    page = client.post(url, data={"scope": scope}).get_data(as_text=True)
    match = re.search(r'name="receipt" value="([^"]+)"', page)
    assert match, "no receipt on the page"
    return match.group(1)


def state_and_events(person: Any) -> tuple[dict[str, bool], int]:
    db.session.expire_all()
    state = current_state(person.id)
    count = db.session.scalar(db.select(db.func.count()).select_from(ConsentEvent)
                              .where(ConsentEvent.person_id == person.id))
    return {key: state[key] for key in MARKETING}, count


def assert_undo_refused(response: Any) -> None:
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Undo is no longer available" in text
    assert "changed your choices since" in text
    assert 'href="/p/new-link"' in text and 'href="/account/preferences"' in text


@pytest.mark.parametrize("scope", ["topic", "all"])
def test_undo_straight_after_the_unsubscribe_puts_it_back(client: Any, subscriber: Any,
                                                          scope: str) -> None:
    before, _ = state_and_events(subscriber)
    url = unsubscribe_url(subscriber)
    receipt = unsubscribe_for_receipt(client, url, scope)
    response = client.post(url + "/undo", data={"receipt": receipt})
    assert response.status_code == 200
    assert "Your choices are back as they were" in response.get_data(as_text=True)
    assert state_and_events(subscriber)[0] == before
    newest = history(subscriber.id)[0]
    assert (newest.source, newest.new_value, newest.message_ref) == ("undo", True, "m1")


@pytest.mark.parametrize("scope", ["topic", "all"])
def test_an_old_receipt_cannot_undo_a_later_stop_all_marketing(app: Any, subscriber: Any,
                                                               auth: Any, scope: str) -> None:
    browser = auth.client
    url = unsubscribe_url(subscriber)
    receipt = unsubscribe_for_receipt(browser, url, scope)
    auth.login(subscriber)
    assert browser.post("/account/preferences",
                        data={"action": "stop_all_confirmed"}).status_code == 303
    after_stop_all = state_and_events(subscriber)
    assert not any(after_stop_all[0].values())

    # Whoever holds any of the person's /u/ links replays the receipt, from anywhere.
    other_link = unsubscribe_url(subscriber, message="m2")
    for target in (url, other_link):
        assert_undo_refused(app.test_client().post(target + "/undo", data={"receipt": receipt}))
    assert state_and_events(subscriber) == after_stop_all


def test_a_later_change_from_any_path_voids_the_receipt(client: Any, subscriber: Any) -> None:
    url = unsubscribe_url(subscriber)
    receipt = unsubscribe_for_receipt(client, url, "all")
    # Staff record a choice the person made on the phone after unsubscribing (with its
    # evidence: consent/rules.py).
    call = Evidence(captured_at=clock.utcnow(), collection_point="phone call",
                    wording="Yes, you may text me offers.")
    record_changes(subscriber.id, {"sms:offers": True},
                   Actor(source="staff", actor_type="staff", evidence=call))
    db.session.commit()
    after = state_and_events(subscriber)
    assert_undo_refused(client.post(url + "/undo", data={"receipt": receipt}))
    assert state_and_events(subscriber) == after


def test_the_same_receipt_undoes_only_once(client: Any, subscriber: Any) -> None:
    url = unsubscribe_url(subscriber)
    receipt = unsubscribe_for_receipt(client, url, "all")
    assert client.post(url + "/undo", data={"receipt": receipt}).status_code == 200
    restored = state_and_events(subscriber)
    # The person then unsubscribes again from another message; the old receipt stays spent.
    client.post(unsubscribe_url(subscriber, message="m2"), data={"scope": "topic"})
    stopped_again = state_and_events(subscriber)
    assert stopped_again != restored
    assert_undo_refused(client.post(url + "/undo", data={"receipt": receipt}))
    assert state_and_events(subscriber) == stopped_again


def test_a_double_submitted_undo_restores_once(app: Any, subscriber: Any) -> None:
    url = unsubscribe_url(subscriber)
    receipt = unsubscribe_for_receipt(app.test_client(), url, "all")
    _, events_before = state_and_events(subscriber)
    start = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def press_undo() -> None:
        try:
            browser = app.test_client()
            start.wait()
            statuses.append(browser.post(url + "/undo", data={"receipt": receipt}).status_code)
        except BaseException as exc:  # reported below, so a thread cannot fail silently
            errors.append(exc)

    threads = [threading.Thread(target=press_undo) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(statuses) == [200, 409]
    restores = [e for e in history(subscriber.id) if e.source == "undo"]
    assert len(restores) == 4  # email offers and updates, post and phone: each once
    assert state_and_events(subscriber)[1] == events_before + 4


def test_a_receipt_from_before_this_rule_cannot_undo(client: Any, subscriber: Any) -> None:
    url = unsubscribe_url(subscriber)
    client.post(url, data={"scope": "topic"})
    # The receipt as pages made them before: what changed, but not when.
    old = tokens.make_token("unsubscribe_receipt",
                            {"p": subscriber.id, "k": ["email:offers"], "all": False})
    after = state_and_events(subscriber)
    assert_undo_refused(client.post(url + "/undo", data={"receipt": old}))
    assert state_and_events(subscriber) == after
