"""``flask staff create`` and ``flask api-key create|revoke|list``."""

from __future__ import annotations

import pytest

from preference_centre.extensions import db
from preference_centre.models import ApiKey, StaffUser
from preference_centre.passwords import verify_secret

STRONG = "tangerine kayak orbit"


def test_staff_create_makes_an_account_with_a_hashed_password(runner):
    result = runner.invoke(args=["staff", "create", "Officer@Example.com", "--role", "privacy",
                                 "--password", STRONG])
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(StaffUser)).scalar_one()
    assert (user.email, user.role) == ("officer@example.com", "privacy")
    assert user.password_hash != STRONG and verify_secret(user.password_hash, STRONG)


def test_staff_create_without_a_password_prints_a_single_use_set_up_link(runner, client):
    result = runner.invoke(args=["staff", "create", "m@example.com", "--role", "marketing"],
                           input="")
    assert result.exit_code == 0, result.output
    user = db.session.execute(db.select(StaffUser)).scalar_one()
    assert user.password_hash is None  # no password until the person chooses one
    link = result.output.strip().splitlines()[-1].split(": ", 1)[1]
    assert link.startswith("http://127.0.0.1:5000/staff/setup/") and "24 hours" in result.output
    path = link.removeprefix("http://127.0.0.1:5000")
    assert client.get(path).status_code == 200
    chosen = client.post(path, data={"password": STRONG, "confirm": STRONG})
    assert chosen.status_code == 302 and chosen.location.endswith("/staff/enrol")
    db.session.refresh(user)
    assert verify_secret(user.password_hash, STRONG)
    assert client.application.test_client().get(path).status_code == 400  # it works once


@pytest.mark.parametrize("args, reason", [
    (["x@example.com", "--role", "janitor", "--password", STRONG], "Unknown role"),
    (["not-an-address", "--role", "admin", "--password", STRONG], "not a valid email"),
    (["x@example.com", "--role", "admin", "--password", "short"], "at least 8"),
    (["x@example.com", "--role", "admin", "--password", "password123"], "too common"),
])
def test_staff_create_refuses_bad_arguments_in_one_line(runner, args, reason):
    result = runner.invoke(args=["staff", "create", *args])
    assert result.exit_code != 0
    assert reason in result.output and len(result.output.strip().splitlines()) == 1
    assert db.session.execute(db.select(StaffUser)).first() is None


def test_staff_create_refuses_a_duplicate_address(runner):
    args = ["staff", "create", "a@example.com", "--role", "admin", "--password", STRONG]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=["staff", "create", "A@example.COM", "--role", "marketing",
                                "--password", STRONG])
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert db.session.execute(db.select(db.func.count(StaffUser.id))).scalar() == 1


def test_api_key_create_prints_a_working_key_once(runner, client):
    result = runner.invoke(args=["api-key", "create", "Billing system"])
    assert result.exit_code == 0
    raw = result.stdout.strip()
    row = db.session.execute(db.select(ApiKey)).scalar_one()
    assert row.name == "Billing system" and raw.startswith(row.key_prefix)
    assert raw not in runner.invoke(args=["api-key", "list"]).output
    url = "/api/v1/contact-check?email=a@example.com&channel=email&topic=offers"
    assert client.get(url, headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_api_key_revoke_by_prefix(runner, client):
    raw = runner.invoke(args=["api-key", "create", "Old shop"]).stdout.strip()
    prefix = db.session.execute(db.select(ApiKey)).scalar_one().key_prefix
    result = runner.invoke(args=["api-key", "revoke", prefix])
    assert result.exit_code == 0 and prefix in result.output
    url = "/api/v1/contact-check?email=a@example.com&channel=email&topic=offers"
    assert client.get(url, headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert "revoked" in runner.invoke(args=["api-key", "list"]).output
    again = runner.invoke(args=["api-key", "revoke", prefix])
    assert again.exit_code != 0 and "No live API key" in again.output


def test_api_key_create_refuses_an_empty_name(runner):
    result = runner.invoke(args=["api-key", "create", "   "])
    assert result.exit_code != 0
    assert db.session.execute(db.select(ApiKey)).first() is None
