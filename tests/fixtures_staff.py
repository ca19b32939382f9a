"""Staff fixtures: ``make_staff(role=...)`` gives a staff member with an enrolled
authenticator and their own test client, already signed in to the console."""

from __future__ import annotations

from typing import Any

import pytest

from preference_centre.extensions import db

STAFF_PASSWORD = "kettle lantern meadow"


class StaffMember:
    """A staff account and a test client of its own.

    ``client`` is signed in (password and code given) unless made with ``logged_in=False``;
    ``code()`` is the authenticator's current code; ``recovery_codes`` the ten shown at
    enrolment; ``log_in()`` goes through the real log-in form and code step."""

    def __init__(self, app: Any, user: Any, password: str, recovery_codes: list[str]) -> None:
        self.app = app
        self.user = user
        self.password = password
        self.recovery_codes = recovery_codes
        self.client = app.test_client()

    @property
    def secret(self) -> str:
        return self.user.totp_secret

    def code(self) -> str:
        from preference_centre.staff.totp import current_code

        return current_code(self.secret)

    def sign_in(self, client: Any | None = None) -> Any:
        """Sign ``client`` (default: this member's) in without the forms."""
        from preference_centre.staff.access import COOKIE_NAME
        from preference_centre.staff.sessions import mark_verified, start_staff_session
        from preference_centre.tokens import make_token

        client = client or self.client
        row, key = start_staff_session(self.user)
        mark_verified(row, self.user)
        db.session.commit()
        client.set_cookie(COOKIE_NAME, make_token("staff_session", key), path="/staff")
        return client

    def log_in(self, client: Any | None = None, code: str | None = None) -> Any:
        """The real forms: password, then a code. Returns the code step's response."""
        client = client or self.client
        client.post("/staff/login", data={"email": self.user.email, "password": self.password})
        return client.post("/staff/login/code", data={"code": code or self.code()})


@pytest.fixture
def make_staff(app: Any) -> Any:
    """``make_staff(role="admin", email=None, enrolled=True, logged_in=True)`` -> StaffMember."""
    from preference_centre.staff import services, totp

    counter = {"n": 0}

    def make(role: str = "admin", email: str | None = None, *, enrolled: bool = True,
             logged_in: bool = True, password: str = STAFF_PASSWORD) -> StaffMember:
        counter["n"] += 1
        address = email or f"{role}{counter['n']}@staff.example.com"
        user = services.create_staff_user(address, role, password)
        codes: list[str] = []
        if enrolled:
            from preference_centre import clock

            user.totp_secret = totp.new_secret()
            user.totp_enrolled_at = clock.utcnow()
            codes = totp.new_recovery_codes(user)
        db.session.commit()
        member = StaffMember(app, user, password, codes)
        if logged_in and enrolled:
            member.sign_in()
        return member

    return make
