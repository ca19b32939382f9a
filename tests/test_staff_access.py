"""Every console page declares who may open it, and the server holds to it: a walk over
every /staff rule of the URL map, for an anonymous visitor, a customer and each role."""

from __future__ import annotations

import pytest

from preference_centre.models import STAFF_ROLES
from preference_centre.staff.access import access_of, staff_required

SAMPLE_VALUES = {"token": "not-a-real-token", "staff_id": 987654, "person_id": 987654,
                 "fmt": "json", "list_name": "suppression-email", "campaign_id": 987654}


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule == "/staff" or rule.rule.startswith("/staff/"):
            yield rule


def _requests(app):
    """(rule, method, path, declared access) for every method of every /staff rule."""
    for rule in _staff_rules(app):
        path = rule.build({name: SAMPLE_VALUES[name] for name in rule.arguments},
                          append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, path, access_of(app.view_functions[rule.endpoint])


def _goes_to_login(response):
    return response.status_code == 302 and response.location.endswith("/staff/login")


def _undeclared(app):
    return [rule.rule for rule in _staff_rules(app)
            if access_of(app.view_functions[rule.endpoint]) is None]


def test_every_console_route_declares_who_may_open_it(app):
    undeclared = _undeclared(app)
    assert undeclared == [], (
        f"/staff routes without staff_required / staff_pending / staff_public: {undeclared}")
    assert len(list(_staff_rules(app))) >= 10


def test_the_walk_notices_a_page_added_without_a_role(app):
    app.add_url_rule("/staff/forgotten", "staff_forgotten", lambda: "anyone can read this")
    assert _undeclared(app) == ["/staff/forgotten"]


def test_anonymous_visitors_and_customers_are_sent_to_the_staff_login(
        app, client, auth, make_person):
    customer, anonymous = client, app.test_client()
    auth.login(make_person(email="shopper@example.com"))
    assert customer.get("/account").status_code == 200  # a real, working customer sign-in
    checked = 0
    for rule, method, path, access in _requests(app):
        if access.stage == "public":
            continue
        for visitor in (anonymous, customer):
            response = visitor.open(path, method=method)
            assert _goes_to_login(response), (method, rule.rule, response.status_code)
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_each_role_opens_its_pages_and_gets_403_elsewhere(app, make_staff, role):
    member = make_staff(role)
    for rule, method, path, access in _requests(app):
        if access.stage != "staff":
            continue
        response = member.client.open(path, method=method)
        if role in access.roles:
            assert response.status_code != 403 and not _goes_to_login(response), (
                role, method, rule.rule, response.status_code)
        else:
            assert response.status_code == 403, (role, method, rule.rule, response.status_code)
            assert b"You cannot do that" in response.data  # the console's own 403 page


def test_a_page_of_another_role_says_whose_it_is_and_leads_back_into_the_console(
        app, make_staff):
    member = make_staff("marketing")
    response = member.client.get("/staff/team")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "This page is for the admin role. You are signed in with the marketing role." in page
    assert 'href="/staff"' in page and "Log in</a>" not in page


def test_the_roles_of_the_contract(app):
    def roles(endpoint):
        return set(access_of(app.view_functions[endpoint]).roles)

    assert roles("staff.dashboard") == set(STAFF_ROLES)
    assert roles("staff.audit") == {"privacy", "admin"}
    assert roles("staff.team") == {"admin"}
    assert roles("staff.undelivered") == {"marketing", "admin"}
    assert roles("staff.requeue") == {"admin"}
    assert roles("staff.people") == roles("staff.people_lookup") == {"marketing", "privacy"}
    assert roles("staff.person") == roles("staff.record_choice") == {"marketing", "privacy"}
    assert roles("staff.consent_proof_download") == {"privacy"}
    for endpoint in ("staff.exports", "staff.export_download", "staff.campaigns",
                     "staff.campaign_new", "staff.campaign_compose", "staff.campaign",
                     "staff.campaign_send", "staff.campaign_preview_html"):
        assert roles(endpoint) == {"marketing"}, endpoint


def test_the_navigation_shows_only_what_the_role_may_open(app, make_staff):
    marketing = make_staff("marketing").client.get("/staff").get_data(as_text=True)
    assert 'href="/staff/undelivered"' in marketing
    assert 'href="/staff/team"' not in marketing and 'href="/staff/audit"' not in marketing
    privacy = make_staff("privacy").client.get("/staff").get_data(as_text=True)
    assert 'href="/staff/audit"' in privacy and 'href="/staff/team"' not in privacy
    admin = make_staff("admin").client.get("/staff").get_data(as_text=True)
    for page in ("/staff/audit", "/staff/team", "/staff/undelivered"):
        assert f'href="{page}"' in admin


def test_a_role_that_does_not_exist_is_refused_when_the_page_is_declared():
    with pytest.raises(ValueError):
        staff_required("janitor")
    with pytest.raises(ValueError):
        staff_required()
