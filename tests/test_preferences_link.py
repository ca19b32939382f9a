"""``/p/<token>``: the preference controls by signed link, without logging in."""

from __future__ import annotations

import pytest

from preference_centre import tokens
from preference_centre.consent import current_state, history
from preference_centre.extensions import db
from preference_centre.links import preference_link
from preference_centre.messaging import deliver_due
from tests.helpers_messaging import body_text
from tests.helpers_preferences import checkboxes


@pytest.fixture
def person(make_person, frozen_clock):
    """A customer we hold a phone number and a postal address for: every channel is asked."""
    someone = make_person(email="grace@example.com", name="Grace Hopper", phone="07700900123")
    someone.address = "1 Compiler Lane, Arlington"  # new_person's "address" is the email
    db.session.commit()
    return someone


def path_of(url: str) -> str:
    return url.split("127.0.0.1:5000", 1)[1] if "127.0.0.1:5000" in url else url


def test_the_link_is_absolute_and_shows_only_the_masked_address(client, person):
    url = preference_link(person.id)
    assert url.startswith("http://127.0.0.1:5000/p/")
    response = client.get(path_of(url))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "g***@e***.com" in html
    for private in ("grace@example.com", "Grace Hopper", "07700900123"):
        assert private not in html
    assert not any(checkboxes(html, "consent").values())
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in html


def test_the_link_page_offers_a_copy_of_the_data_by_email(client, person):
    url = path_of(preference_link(person.id))
    html = client.get(url).get_data(as_text=True)
    assert f'href="{url}/export-request"' in html
    assert client.get(url + "/export-request").status_code == 200


def test_a_change_by_link_is_recorded_as_email_link(client, person):
    url = path_of(preference_link(person.id))
    text = client.post(url, data={"consent": ["email:policy"]},
                       follow_redirects=True).get_data(as_text=True)
    assert "You turned on Deadlines and policy changes by email." in text
    [event] = history(person.id)
    assert (event.source, event.actor_type, event.actor_id) == ("email_link", "person",
                                                                str(person.id))
    asked = client.post(url, data={"action": "stop_all"})
    assert "Deadlines and policy changes by email" in asked.get_data(as_text=True)
    assert current_state(person.id)["email:policy"] is True  # not until confirmed
    client.post(url, data={"action": "stop_all_confirmed"})
    assert current_state(person.id)["email:policy"] is False


def test_the_link_page_offers_no_cookie_boxes_and_no_history(client, person):
    html = client.get(path_of(preference_link(person.id))).get_data(as_text=True)
    assert "cookies:analytics" not in checkboxes(html, "consent")
    assert "Your choices so far" not in html


def tampered(url: str) -> str:
    token = url.rsplit("/", 1)[1]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    return url.rsplit("/", 1)[0] + "/" + flipped


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_answers_400_and_changes_nothing(client, person, method):
    url = tampered(path_of(preference_link(person.id)))
    response = getattr(client, method)(url, data={"consent": ["email:offers"]})
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)
    assert history(person.id) == []


def test_a_token_made_for_another_purpose_is_rejected(client, person):
    reset = tokens.make_token("reset_password", {"p": person.id})
    response = client.post(f"/p/{reset}", data={"consent": ["email:offers"]})
    assert response.status_code == 400
    assert history(person.id) == []


def test_an_expired_link_offers_a_fresh_one_and_changes_nothing(client, person, frozen_clock):
    url = path_of(preference_link(person.id))
    frozen_clock.advance(days=30, seconds=1)
    response = client.post(url, data={"consent": ["email:offers"]})
    html = response.get_data(as_text=True)
    assert "This link has expired" in html
    assert 'action="/p/new-link"' in html and 'name="email"' in html
    assert history(person.id) == []


def test_the_link_is_compact_and_names_the_person_in_clear(person):
    token = preference_link(person.id).rsplit("/p/", 1)[1]
    assert token.startswith(f"{person.id}.") and len(token) < 50


def test_a_link_changed_to_name_another_person_answers_400(client, person, make_person):
    other = make_person(email="other@example.com")
    token = preference_link(person.id).rsplit("/p/", 1)[1]
    forged = f"{other.id}." + token.split(".", 1)[1]
    response = client.post(f"/p/{forged}", data={"consent": ["email:offers"]})
    assert response.status_code == 400
    assert history(other.id) == [] and history(person.id) == []


@pytest.mark.parametrize("token", [".", "..", "1.2", "1.2.3", "1.zz.abc", "x" * 300,
                                   "١٢.1.abc", "1..", "eyJwIjoxfQ.x.y"])
def test_malformed_links_answer_400(client, token):
    assert client.get(f"/p/{token}").status_code == 400


def test_links_survive_a_key_rotation_until_the_key_is_retired(app, client, person):
    url = path_of(preference_link(person.id))
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-brand-new-key-" + "z" * 32
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert client.get(url).status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get(url).status_code == 400


def test_a_link_still_works_on_its_last_day(client, person, frozen_clock):
    url = path_of(preference_link(person.id))
    frozen_clock.advance(days=29, hours=23)
    assert client.get(url).status_code == 200


def test_fresh_link_answers_the_same_for_known_and_unknown_addresses(client, person, mailbox):
    known = client.post("/p/new-link", data={"email": "grace@example.com"})
    unknown = client.post("/p/new-link", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    deliver_due()
    message = mailbox.last_to("grace@example.com")
    link = next(word for word in body_text(message).split() if "/p/" in word)
    assert "g***@e***.com" in client.get(path_of(link)).get_data(as_text=True)
    assert not mailbox.to("nobody@example.com")


def test_fresh_link_form_rejects_a_malformed_address(client):
    response = client.post("/p/new-link", data={"email": "not an address"})
    assert response.status_code == 400
    assert "Enter an email address like name@example.com." in response.get_data(as_text=True)


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_fresh_link_requests_are_rate_limited(client):
    codes = [client.post("/p/new-link", data={"email": f"x{n}@example.com"}).status_code
             for n in range(7)]
    assert codes[:5] == [200] * 5
    assert codes[-1] == 429


# No session on the link page: the signed token is the authority, as for /u/ ------------------

@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_opening_the_link_sets_no_cookie_and_its_forms_carry_no_csrf_token(client, person):
    response = client.get(path_of(preference_link(person.id)))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert "Cookies on this site." in html  # the banner is there, without a session
    assert 'name="csrf_token"' not in html


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_link_form_saves_with_csrf_protection_on_and_no_csrf_token(client, person):
    url = path_of(preference_link(person.id))
    response = client.post(url, data={"consent": ["email:offers"]})
    assert response.status_code == 303
    assert current_state(person.id)["email:offers"] is True
    asked = client.post(url, data={"action": "stop_all"})
    assert asked.status_code == 200
    confirm_form = asked.get_data(as_text=True).split(f'action="{url}"', 1)[1].split("</form>")[0]
    assert 'value="stop_all_confirmed"' in confirm_form and "csrf_token" not in confirm_form
    assert current_state(person.id)["email:offers"] is True
    assert client.post(url, data={"action": "stop_all_confirmed"}).status_code == 303
    assert current_state(person.id)["email:offers"] is False


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_signed_in_visitor_still_gets_csrf_tokens_in_the_banner(client, person, auth):
    auth.login(person)
    html = client.get(path_of(preference_link(person.id))).get_data(as_text=True)
    banner = html.split('aria-label="Cookie choices"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in banner


# What the page shows, whoever opens it ---------------------------------------------------

@pytest.mark.parametrize("cookie_choice", [None, "1.a1.m0", "1.a1.m1"])
@pytest.mark.parametrize("gpc", [False, True])
@pytest.mark.parametrize("session_cookie", [False, True])
def test_the_page_shows_the_current_choices_and_posts_to_its_own_address(
        client, person, cookie_choice, gpc, session_cookie, consent):
    consent(person, **{"email:offers": True, "post:offers": False, "profiling": True})
    url = path_of(preference_link(person.id))
    if cookie_choice:
        client.set_cookie("cookie_choice", cookie_choice)
    if session_cookie:  # a stale session cookie: nobody is signed in
        client.set_cookie("session", "not-a-session")
    response = client.get(url, headers={"Sec-GPC": "1"} if gpc else {})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "g***@e***.com" in html
    boxes = checkboxes(html, "consent")
    assert boxes["email:offers"] is True and boxes["sms:offers"] is False
    assert boxes["profiling"] is not gpc  # a GPC signal shows profiling as refused
    assert checkboxes(html, "object") == {"post:offers": True, "phone:offers": False,
                                          "security_monitoring": False}
    assert ("Off: your browser's Global Privacy Control signal is being honoured."
            in html) is gpc
    assert html.count(f'<form method="post" action="{url}">') == 3
    # The three forms (pause, stop all, the choices), the export and erase links, and until a
    # choice is made the banner's two.
    assert html.count(url) == (5 if cookie_choice else 7)
    assert ("Cookies on this site." in html) is (cookie_choice is None)


def test_each_page_shows_its_own_person(client, person, make_person, consent):
    other = make_person(email="zed@example.org")
    consent(other, **{"email:offers": True})
    first, second = (path_of(preference_link(p.id)) for p in (person, other))
    html_first, html_second = (client.get(url).get_data(as_text=True) for url in (first, second))
    assert "g***@e***.com" in html_first and "z***@e***.org" not in html_first
    assert "z***@e***.org" in html_second and f'action="{second}"' in html_second
    assert first not in html_second
    assert checkboxes(html_second, "consent")["email:offers"] is True
    assert checkboxes(html_first, "consent")["email:offers"] is False


def test_a_restricted_person_sees_the_restriction_notice(client, person, make_person):
    other = make_person(email="free@example.com")
    assert "We have restricted" not in client.get(
        path_of(preference_link(other.id))).get_data(as_text=True)
    person.restricted_at = person.created_at
    db.session.commit()
    url = path_of(preference_link(person.id))
    assert "We have restricted the use of your data" in client.get(url).get_data(as_text=True)


def test_the_link_of_an_erased_person_answers_404_and_changes_nothing(client, person):
    url = path_of(preference_link(person.id))
    db.session.delete(person)
    db.session.commit()
    for response in (client.get(url), client.post(url, data={"consent": ["email:offers"]})):
        assert response.status_code == 404
        assert "This link no longer works" in response.get_data(as_text=True)


def test_the_page_reads_the_holder_and_every_answer_at_once(app, person, consent):
    from preference_centre.consent.ledger import stored_state
    from preference_centre.preferences.links import holder_of_link

    consent(person, **{"email:offers": True, "post:offers": False, "profiling": True})
    holder = holder_of_link(preference_link(person.id).rsplit("/", 1)[1])
    assert (holder.email, holder.status) == ("grace@example.com", "active")
    assert holder.stored == stored_state(person.id) and len(holder.stored) == 3


@pytest.mark.parametrize("host", ["evil.example", "a b", "[::1"])
def test_the_host_header_does_not_matter_to_the_page(client, person, host):
    url = path_of(preference_link(person.id))
    plain = client.get(url).get_data(as_text=True)
    response = client.get(url, headers={"Host": host})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.get_data(as_text=True) == plain
