"""Every ``next`` address a page follows stays on this site, read as a browser reads it, and a
malformed one never breaks the page (security issue #10): sign-in, re-authentication, the
cookie banner and the privacy notice banner."""

from __future__ import annotations

from typing import Any

import pytest

from preference_centre.redirects import safe_next
from tests.helpers_accounts import DEFAULT_PASSWORD, login

# Addresses a browser would take to another host (or a script), or that a server would
# turn into one; after the tab or newline a browser drops, several become "//evil.example".
OFF_SITE = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "\\/evil.example", "/\t/evil.example", "\t//evil.example", "/\n/evil.example",
    "/\r\n/evil.example", " //evil.example", "\x00//evil.example", "/\x0b/evil.example",
    "/%2F%2Fevil.example", "/%2f/evil.example", "/%5Cevil.example", "/%09/evil.example",
    "https://evil.example/x", "https:evil.example", "http:/evil.example", "HTTPS://evil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>",
    "evil.example", "./evil", "", "\uff0f\uff0fevil.example", "/\u3002/evil.example",
    "/\u2028/evil.example", "/privacy\r\nSet-Cookie: stolen=1", "/privacy\n", "/" + "a" * 2001,
]
LOCAL = ["/", "/privacy", "/account/profile?tab=1", "/privacy#versions", "/p/ab.c-d_e",
         "/search?q=a%2Fb&next=//x", "/a%20b"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_off_site_next_is_refused(target: str) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", LOCAL)
def test_a_local_next_is_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_sends_you_off_site(client: Any, make_person: Any, target: str) -> None:
    make_person(email="dee@example.com")
    response = login(client, "dee@example.com", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", OFF_SITE)
def test_reauth_never_sends_you_off_site(client: Any, make_person: Any, auth: Any,
                                         target: str) -> None:
    auth.login(make_person())
    response = client.post("/reauth", data={"password": DEFAULT_PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", OFF_SITE)
def test_cookie_choice_never_sends_you_off_site(client: Any, target: str) -> None:
    page = client.get("/cookies", query_string={"next": target})
    assert page.status_code == 200
    assert 'name="next" value=""' in page.get_data(as_text=True)
    response = client.post("/cookies", data={"choice": "save", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/cookies"


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_banner_post_from_elsewhere_never_sends_you_off_site(app: Any, target: str) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/cookies", data={"choice": "save", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] in ("/cookies", "/cookies?next=")


@pytest.mark.parametrize("target", OFF_SITE)
def test_privacy_notice_seen_never_sends_you_off_site(client: Any, make_person: Any, auth: Any,
                                                      target: str) -> None:
    auth.login(make_person())
    response = client.post("/privacy/seen", data={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/privacy"


def test_the_reported_cookie_address_stays_on_site(client: Any) -> None:
    # As the red team sent it: the tab arrives percent-encoded in the address and the form.
    page = client.get("/cookies?next=/%09/evil.example")
    assert 'name="next" value=""' in page.get_data(as_text=True)
    response = client.post("/cookies", data="choice=save&next=/%09/evil.example",
                           content_type="application/x-www-form-urlencoded")
    assert (response.status_code, response.headers["Location"]) == (303, "/cookies")
    response = client.post("/cookies", data="choice=save&next=/privacy%0a",
                           content_type="application/x-www-form-urlencoded")
    assert (response.status_code, response.headers["Location"]) == (303, "/cookies")


@pytest.mark.parametrize("target", LOCAL[1:])
def test_local_pages_are_followed_everywhere(client: Any, make_person: Any, auth: Any,
                                             target: str) -> None:
    response = client.post("/cookies", data={"choice": "save", "next": target})
    assert response.headers["Location"] == target
    auth.login(make_person())
    assert client.post("/privacy/seen", data={"next": target}).headers["Location"] == target
