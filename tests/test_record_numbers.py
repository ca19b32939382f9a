"""A record's number in an address: only numbers the database can hold match a route, so a
larger one is a plain "not found", never a database error (PostgreSQL's ids are 32-bit)."""

from __future__ import annotations

import re

import pytest

from preference_centre.models.types import LARGEST_ID
from preference_centre.staff.access import access_of

# ``<id:person_id>``, ``<int:n>``, ``<int(min=1):n>`` in a rule's text: converter and name.
NUMBER = re.compile(r"<(id|int)(?:\([^)]*\))?:(\w+)>")


def _numbered_rules(app):
    for rule in app.url_map.iter_rules():
        if NUMBER.search(rule.rule):
            yield rule


def test_every_numbered_address_takes_a_record_number(app):
    plain = [rule.rule for rule in _numbered_rules(app)
             if any(converter == "int" for converter, _name in NUMBER.findall(rule.rule))]
    assert plain == [], f"use <id:...>, not <int:...>, for record numbers: {plain}"
    assert len(list(_numbered_rules(app))) >= 10


@pytest.mark.parametrize("number", [LARGEST_ID + 1, 10**12, 0])
def test_a_number_no_record_can_have_is_not_found_for_whoever_may_open_the_page(
        app, client, auth, make_person, make_staff, api, number):
    auth.login(make_person(email="numbers@example.com"))
    members = {}
    checked = 0
    for rule in _numbered_rules(app):
        # The rule's own text with the number put in (building it would refuse the number).
        path = NUMBER.sub(str(number), rule.rule).replace("<fmt>", "json")
        access = access_of(app.view_functions[rule.endpoint])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if path.startswith("/api/"):
                response = getattr(api, method.lower())(path)
            elif access is not None:  # a console page: someone whose role may open it
                role = sorted(access.roles)[0]
                member = members.get(role) or members.setdefault(role, make_staff(role))
                response = member.client.open(path, method=method)
            else:  # a customer's own page
                response = client.open(path, method=method)
            assert response.status_code == 404, (method, rule.rule, response.status_code)
            checked += 1
    assert checked >= 10
