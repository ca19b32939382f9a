"""``may_contact_many`` is ``may_contact`` for many people in one query: the same answer and
reason for every kind of person, on every kind of purpose."""

from __future__ import annotations

import pytest

from preference_centre import clock, crypto
from preference_centre.consent import may_contact
from preference_centre.consent.decisions import may_contact_many
from preference_centre.extensions import db
from preference_centre.models import Suppression


@pytest.fixture
def everyone(make_person, consent):
    """One person in each state the rules tell apart."""
    keen = make_person()
    consent(keen, **{"email:offers": True, "post:offers": False})
    withdrawn = make_person()
    consent(withdrawn, **{"email:offers": True})
    consent(withdrawn, **{"email:offers": False})
    unconfirmed = make_person(status="pending")
    consent(unconfirmed, **{"email:offers": True})
    restricted = make_person()
    consent(restricted, **{"email:offers": True})
    restricted.restricted_at = clock.utcnow()
    suppressed = make_person(email="suppressed@example.com")
    consent(suppressed, **{"email:offers": True})
    db.session.add(Suppression(kind="email", reason="complaint",
                               value_hash=crypto.email_hash("suppressed@example.com")))
    silent = make_person()  # never chose anything
    db.session.commit()
    return [keen.id, withdrawn.id, unconfirmed.id, restricted.id, suppressed.id, silent.id]


@pytest.mark.parametrize("channel, topic", [
    ("email", "offers"), ("post", "offers"), ("email", "updates"), ("email", None),
    ("email", "no-such-topic"),
])
def test_many_decides_as_one_at_a_time(app, everyone, channel, topic):
    unknown = max(everyone) + 1000
    many = may_contact_many([*everyone, unknown], channel, topic)
    assert set(many) == {*everyone, unknown}
    for person_id, decision in many.items():
        single = may_contact(person_id, channel, topic)
        assert (decision.allowed, decision.reason) == (single.allowed, single.reason)
    reasons = {decision.reason for decision in many.values()}
    if (channel, topic) == ("email", "offers"):  # every state is told apart here
        assert len(reasons) == 6
    assert many[unknown].reason == "no such person"


def test_many_with_no_people_asks_nothing(app):
    assert may_contact_many([], "email", "offers") == {}
