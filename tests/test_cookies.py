"""Cookie banner, cookie choices and the Global Privacy Control signal (server side)."""

from __future__ import annotations

import pytest

from preference_centre.consent import current_state, history
from preference_centre.cookies.choice import read_choice
from tests.helpers_preferences import checkboxes

BANNER = "Cookies on this site."
ANALYTICS_SCRIPT = "js/analytics.js"
MARKETING_SCRIPT = "js/marketing-tags.js"
GPC = {"Sec-GPC": "1"}


def choose(client, choice, consent=(), headers=None):
    return client.post("/cookies", data={"choice": choice, "consent": list(consent),
                                         "next": "/privacy"}, headers=headers or {})


def test_a_first_visit_shows_the_banner_and_sets_no_optional_cookie(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert BANNER in html
    assert 'value="accept_all" class="button">Accept all' in html
    assert 'value="reject_all" class="button">Reject all' in html
    assert 'href="/cookies?next=/"' in html
    assert ANALYTICS_SCRIPT not in html and MARKETING_SCRIPT not in html
    assert "cookie_choice" not in response.headers.get("Set-Cookie", "")


def test_reject_all_keeps_only_necessary_cookies_and_hides_the_banner(client):
    response = choose(client, "reject_all")
    assert response.status_code == 303 and response.headers["Location"] == "/privacy"
    assert "cookie_choice=1.a0.m0" in response.headers["Set-Cookie"]
    html = client.get("/").get_data(as_text=True)
    assert BANNER not in html and ANALYTICS_SCRIPT not in html


def test_accept_all_loads_the_optional_scripts(client):
    assert "cookie_choice=1.a1.m1" in choose(client, "accept_all").headers["Set-Cookie"]
    html = client.get("/").get_data(as_text=True)
    assert ANALYTICS_SCRIPT in html and MARKETING_SCRIPT in html


def test_choose_starts_unticked_and_keeps_exactly_what_was_ticked(client):
    html = client.get("/cookies").get_data(as_text=True)
    assert checkboxes(html, "consent") == {"cookies:analytics": False,
                                           "cookies:marketing": False}
    response = choose(client, "save", consent=["cookies:analytics"])
    assert "cookie_choice=1.a1.m0" in response.headers["Set-Cookie"]
    html = client.get("/").get_data(as_text=True)
    assert ANALYTICS_SCRIPT in html and MARKETING_SCRIPT not in html


def test_a_new_cookie_policy_revision_asks_again(app, client):
    choose(client, "accept_all")
    app.config["COOKIE_POLICY_REVISION"] = 2
    html = client.get("/").get_data(as_text=True)
    assert BANNER in html and ANALYTICS_SCRIPT not in html


def test_a_forged_next_address_does_not_redirect_off_site(client):
    response = client.post("/cookies", data={"choice": "reject_all",
                                             "next": "//evil.example/"})
    assert response.headers["Location"] == "/cookies"


@pytest.mark.parametrize("raw", [None, "", "garbage", "1.a2.m0", "x.a1.m1"])
def test_a_missing_or_malformed_choice_counts_as_no_choice(raw):
    consent = read_choice(raw, 1, gpc=False)
    assert not consent.chosen and not consent.analytics and not consent.marketing


def test_a_logged_in_choice_goes_in_the_ledger(client, make_person, auth):
    person = make_person()
    auth.login(person)
    choose(client, "accept_all")
    events = history(person.id)
    assert {(e.purpose, e.new_value, e.source) for e in events} == {
        ("cookies:analytics", True, "cookie_banner"), ("cookies:marketing", True, "cookie_banner")}


def test_gpc_is_honoured_and_said_on_the_page(client):
    html = client.get("/", headers=GPC).get_data(as_text=True)
    assert "Your browser&#39;s Global Privacy Control signal is being honoured" in html
    response = choose(client, "accept_all", headers=GPC)
    assert "cookie_choice=1.a1.m0" in response.headers["Set-Cookie"]
    assert MARKETING_SCRIPT not in client.get("/", headers=GPC).get_data(as_text=True)


def test_gpc_is_recorded_once_for_a_logged_in_person(client, make_person, auth):
    person = make_person()
    auth.login(person)
    client.post("/account/preferences", data={"consent": ["ads:personalised", "email:offers"]})
    client.get("/", headers=GPC)
    client.get("/account/preferences", headers=GPC)
    gpc_events = [e for e in history(person.id) if e.source == "gpc"]
    assert {e.purpose for e in gpc_events} == {"ads:personalised", "profiling",
                                               "cookies:marketing"}
    state = current_state(person.id)
    assert state["ads:personalised"] is False and state["email:offers"] is True


def test_with_gpc_the_preference_form_cannot_turn_on_gpc_purposes(client, make_person, auth):
    person = make_person()
    auth.login(person)
    html = client.post("/account/preferences", data={"consent": ["profiling"]}, headers=GPC,
                       follow_redirects=True).get_data(as_text=True)
    assert "Working out what interests you stays off" in html
    assert current_state(person.id)["profiling"] is False
    assert checkboxes(html, "consent")["profiling"] is False


# The banner on pages without a session (/p/) posts without a CSRF token ----------------------

def banner_post(client, headers):
    return client.post("/cookies", data={"choice": "accept_all", "next": "/privacy"},
                       headers=headers)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_same_origin_banner_post_needs_no_csrf_token(client):
    response = banner_post(client, {"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303 and response.headers["Location"] == "/privacy"
    assert "cookie_choice=1.a1.m1" in response.headers["Set-Cookie"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("site", [None, "cross-site", "same-site", "none"])
def test_a_banner_post_from_elsewhere_without_a_token_changes_nothing(client, site):
    response = banner_post(client, {"Sec-Fetch-Site": site} if site else {})
    assert response.status_code == 303
    assert response.headers["Location"] == "/cookies?next=/privacy"
    assert "cookie_choice" not in " ".join(response.headers.getlist("Set-Cookie"))
    assert "Nothing was changed" in client.get("/cookies").get_data(as_text=True)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_signed_in_choice_without_a_token_changes_nothing(client, make_person, auth):
    person = make_person()
    auth.login(person)
    response = banner_post(client, {"Sec-Fetch-Site": "same-origin"})
    assert "cookie_choice" not in " ".join(response.headers.getlist("Set-Cookie"))
    assert history(person.id) == []


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_banner_post_with_a_wrong_token_is_refused(client):
    response = client.post("/cookies", data={"choice": "accept_all", "csrf_token": "forged"},
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    assert "cookie_choice" not in " ".join(response.headers.getlist("Set-Cookie"))


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_banner_post_with_the_pages_token_works(client):
    html = client.get("/privacy").get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/cookies", data={"choice": "reject_all", "csrf_token": token})
    assert "cookie_choice=1.a0.m0" in response.headers["Set-Cookie"]
