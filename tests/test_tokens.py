"""Signed links: they survive a key rotation until the old key is retired, expire by the
app's clock, and refuse tampering and tokens made for another purpose."""

from __future__ import annotations

from datetime import timedelta

import pytest

from preference_centre import tokens

# Made by the code before the compact signer moved to itsdangerous' public API, under the
# tests' SECRET_KEY (and the last under NEW_KEY): links like these are in sent mail and an
# unsubscribe link never expires.
OLD_UNSUBSCRIBE_LINKS = {
    "7.email.offers.42.Kr4vt5o3EeFkJFAubgn-wIDBq-k": (7, "email", "offers", "42"),
    "12345.sms.*.service-m2.x.cIOmFlnr00_CY6Wc01i-TiaOXB8": (12345, "sms", "*", "service-m2.x"),
}
OLD_UNDER_NEW_KEY = "7.email.offers.42.h-ZOE_tUhb2n-T5qMzD-4gtnNIc"
NEW_KEY = "new-key-" + "n" * 32
DAY = timedelta(days=1)


def rotate(app, new_key: str = NEW_KEY) -> str:
    """Put ``new_key`` in charge and keep the current key as the only fallback."""
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = new_key, [old_key]
    return old_key


def retire_fallbacks(app) -> None:
    app.config["SECRET_KEY_FALLBACKS"] = []


def test_unsubscribe_links_in_sent_mail_still_work(app):
    for token, payload in OLD_UNSUBSCRIBE_LINKS.items():
        assert tokens.read_unsubscribe_token(token) == payload
        person, channel, topic, message = payload
        assert tokens.make_unsubscribe_token(person, channel, topic, message) == token
    rotate(app)
    assert tokens.read_unsubscribe_token(OLD_UNDER_NEW_KEY) == (7, "email", "offers", "42")
    assert tokens.make_unsubscribe_token(7, "email", "offers", 42) == OLD_UNDER_NEW_KEY


# Key rotation ----------------------------------------------------------------------------------

def make_all(person_id: int = 5) -> dict[str, str]:
    return {"unsubscribe": tokens.make_unsubscribe_token(person_id, "email", "offers", "m1"),
            "preference": tokens.make_preference_token(person_id),
            "reset": tokens.make_token("reset_password", {"p": person_id})}


def read_all(made: dict[str, str]) -> dict[str, object]:
    return {"unsubscribe": tokens.read_unsubscribe_token(made["unsubscribe"]),
            "preference": tokens.read_preference_token(made["preference"], DAY),
            "reset": tokens.read_token("reset_password", made["reset"], DAY)}


def test_links_verify_under_a_retired_key_until_it_leaves_the_fallbacks(app, frozen_clock):
    made = make_all()
    expected = read_all(made)
    assert expected == {"unsubscribe": (5, "email", "offers", "m1"), "preference": 5,
                        "reset": {"p": 5}}
    rotate(app)
    assert read_all(made) == expected
    fresh = make_all()
    assert fresh != made  # signed with the new key
    retire_fallbacks(app)
    assert read_all(fresh) == expected
    for kind in made:
        with pytest.raises(tokens.TokenInvalid):
            read_all({**fresh, kind: made[kind]})


def test_every_fallback_verifies_and_only_the_newest_key_signs(app, frozen_clock):
    first_key, second_key = app.config["SECRET_KEY"], "second-key-" + "s" * 32
    first = make_all()
    rotate(app, second_key)
    second = make_all()
    app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = NEW_KEY, [second_key,
                                                                             first_key]
    third = make_all()
    assert read_all(first) == read_all(second) == read_all(third)
    app.config["SECRET_KEY_FALLBACKS"] = [second_key]
    assert read_all(second) == read_all(third)
    for kind in first:
        with pytest.raises(tokens.TokenInvalid):
            read_all({**second, kind: first[kind]})


# Expiry by the app's clock ---------------------------------------------------------------------

def test_a_preference_link_expires_when_the_clock_passes_its_lifetime(app, frozen_clock):
    token = tokens.make_preference_token(42)
    frozen_clock.advance(hours=23, minutes=59, seconds=59)
    assert tokens.read_preference_token(token, DAY) == 42
    frozen_clock.advance(seconds=2)
    with pytest.raises(tokens.TokenExpired) as expired:
        tokens.read_preference_token(token, DAY)
    assert expired.value.payload == {"p": 42}
    assert isinstance(expired.value, tokens.TokenInvalid)


def test_a_timed_token_expires_by_the_clock_and_keeps_its_data(app, frozen_clock):
    token = tokens.make_token("signup_confirm", {"p": 3, "t": ["offers"]})
    frozen_clock.advance(days=2)
    assert tokens.read_token("signup_confirm", token, timedelta(days=2)) == {"p": 3,
                                                                            "t": ["offers"]}
    assert tokens.read_token("signup_confirm", token, None) == {"p": 3, "t": ["offers"]}
    frozen_clock.advance(seconds=1)
    with pytest.raises(tokens.TokenExpired) as expired:
        tokens.read_token("signup_confirm", token, timedelta(days=2))
    assert expired.value.payload == {"p": 3, "t": ["offers"]}


def test_tokens_signed_and_read_a_minute_apart_by_the_clock_are_fresh(app, frozen_clock):
    # The frozen clock is days away from the real one: a token dated by the real clock, or
    # read against it, would fail a one-hour lifetime.
    made = (tokens.make_preference_token(8), tokens.make_token("verify_email", [8]))
    frozen_clock.advance(minutes=1)
    hour = timedelta(hours=1)
    assert tokens.read_preference_token(made[0], hour) == 8
    assert tokens.read_token("verify_email", made[1], hour) == [8]


def test_an_unsubscribe_link_never_expires(app, frozen_clock):
    token = tokens.make_unsubscribe_token(9, "sms", "*", 77)
    frozen_clock.advance(days=3650)
    assert tokens.read_unsubscribe_token(token) == (9, "sms", "*", "77")


# Tampering and swaps ---------------------------------------------------------------------------

def flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def tampered_versions(token: str) -> list[str]:
    payload, signature = token.rsplit(".", 1)
    return [flip(token, len(payload) + 1),  # the signature
            flip(token, len(payload) - 1),  # the payload's end (a preference link's date)
            "9" + token,  # another person
            token[:-4], token + "x", payload, "", ".", token + "é", token.replace(".", "-")]


@pytest.mark.parametrize("kind", ["unsubscribe", "preference", "reset"])
def test_a_tampered_token_is_refused(app, frozen_clock, kind):
    made = make_all()
    for bad in tampered_versions(made[kind]):
        with pytest.raises(tokens.TokenInvalid):
            read_all({**made, kind: bad})


def test_a_token_made_for_one_purpose_is_refused_for_another(app, frozen_clock):
    made = make_all()
    serialized = {purpose: tokens.make_token(purpose, {"p": 5}) for purpose in tokens.SALTS
                  if purpose not in ("unsubscribe", "preference_link")}
    for reader in ("unsubscribe", "preference"):
        for other in [*serialized.values(), *(made[kind] for kind in made if kind != reader)]:
            with pytest.raises(tokens.TokenInvalid):
                read_all({**made, reader: other})
    for purpose in serialized:
        for other in [made["unsubscribe"], made["preference"],
                      *(token for key, token in serialized.items() if key != purpose)]:
            with pytest.raises(tokens.TokenInvalid):
                tokens.read_token(purpose, other, DAY)
