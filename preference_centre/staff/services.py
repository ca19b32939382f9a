"""Staff accounts: rules shared by the command line and the console (the team page)."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app

from .. import clock, tokens
from ..crypto import normalise_email
from ..extensions import db
from ..models import STAFF_ROLES, StaffUser
from ..passwords import check_password_rules, hash_secret
from . import totp
from .audit import record_audit
from .sessions import end_sessions_of


class StaffError(ValueError):
    """A staff account could not be created or changed; the message says why in one line."""


def find_staff_by_email(address: str) -> StaffUser | None:
    return db.session.execute(
        db.select(StaffUser).where(StaffUser.email == normalise_email(address))
    ).scalar_one_or_none()


def all_staff() -> list[StaffUser]:
    return list(db.session.execute(db.select(StaffUser).order_by(StaffUser.email)).scalars())


def _checked_role(role: str) -> str:
    role = role.strip().lower()
    if role not in STAFF_ROLES:
        raise StaffError(f"Unknown role {role!r}; use one of: {', '.join(STAFF_ROLES)}.")
    return role


def create_staff_user(address: str, role: str, password: str | None = None, *,
                      actor: StaffUser | None = None, ip: str | None = None) -> StaffUser:
    """A new staff account, audited as created by ``actor`` (None: the command line).
    Without ``password`` it waits for its set-up link (:func:`setup_link`). Raises
    ``StaffError`` for a bad address or role or a taken address, and
    ``passwords.PasswordRejected`` for a weak password. The caller commits."""
    role = _checked_role(role)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise StaffError(f"{address!r} is not a valid email address.") from exc
    if len(address) > 254:
        raise StaffError("That email address is too long.")
    if find_staff_by_email(address) is not None:
        raise StaffError(f"A staff account for {normalise_email(address)} already exists.")
    if password is not None:
        check_password_rules(password)
    user = StaffUser(email=normalise_email(address), role=role,
                     password_hash=hash_secret(password) if password is not None else None,
                     created_at=clock.utcnow())
    db.session.add(user)
    db.session.flush()
    record_audit(actor, "staff.created", "staff", user.id, detail=f"role {role}", ip=ip)
    return user


# Set-up links ---------------------------------------------------------------------------------

def _setup_fingerprint(user: StaffUser) -> str:
    """Changes once a password is chosen, so a set-up link works once."""
    return tokens.state_fingerprint("staff-setup", user.id, user.password_hash, user.created_at)


def setup_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["STAFF_SETUP_HOURS"])


def setup_link(user: StaffUser) -> str:
    """The absolute single-use address where ``user`` chooses a password and enrols."""
    token = tokens.make_token("staff_setup", {"s": user.id, "f": _setup_fingerprint(user)})
    path = current_app.url_map.bind("", script_name="/").build("staff.setup", {"token": token})
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def user_from_setup_token(token: str) -> StaffUser:
    """The account a set-up link is for. Raises ``tokens.TokenExpired`` or
    ``tokens.TokenInvalid`` (tampered, already used, or the account is disabled)."""
    payload = tokens.read_token("staff_setup", token, setup_lifetime())
    if not (isinstance(payload, dict) and isinstance(payload.get("s"), int)):
        raise tokens.TokenInvalid("link is not valid")
    user = db.session.get(StaffUser, payload["s"])
    if user is None or not user.is_active or payload.get("f") != _setup_fingerprint(user):
        raise tokens.TokenInvalid("link already used or no longer valid")
    return user


def complete_setup(user: StaffUser, password: str, *, ip: str | None) -> None:
    """The password chosen through the set-up link (which then stops working)."""
    check_password_rules(password)
    user.password_hash = hash_secret(password)
    record_audit(user, "staff.setup_completed", "staff", user.id, ip=ip)


# Team changes (admin) -------------------------------------------------------------------------

def _active_admins() -> int:
    return db.session.execute(
        db.select(db.func.count(StaffUser.id))
        .where(StaffUser.role == "admin", StaffUser.disabled_at.is_(None))
    ).scalar_one()


def _keep_an_admin(target: StaffUser) -> None:
    if target.role == "admin" and target.is_active and _active_admins() <= 1:
        raise StaffError(f"{target.email} is the last active admin: make someone else an "
                         "admin first, so the team can still be managed.")


def change_role(actor: StaffUser, target: StaffUser, role: str, *, ip: str | None) -> None:
    role = _checked_role(role)
    if role == target.role:
        return
    if role != "admin":
        _keep_an_admin(target)
    record_audit(actor, "staff.role_changed", "staff", target.id,
                 detail=f"{target.role} to {role}", ip=ip)
    target.role = role


def disable_staff(actor: StaffUser, target: StaffUser, *, ip: str | None) -> None:
    """The account can no longer log in, and its sessions end at once."""
    if not target.is_active:
        return
    _keep_an_admin(target)
    target.disabled_at = clock.utcnow()
    end_sessions_of(target)
    record_audit(actor, "staff.disabled", "staff", target.id, ip=ip)


def enable_staff(actor: StaffUser, target: StaffUser, *, ip: str | None) -> None:
    if target.is_active:
        return
    target.disabled_at = None
    record_audit(actor, "staff.enabled", "staff", target.id, ip=ip)


def reset_authenticator(actor: StaffUser, target: StaffUser, *, ip: str | None) -> None:
    """A lost phone: the colleague enrols a new authenticator at their next log-in. Their
    sessions end, their recovery codes go."""
    totp.forget_authenticator(target)
    end_sessions_of(target)
    record_audit(actor, "staff.authenticator_reset", "staff", target.id, ip=ip)
