"""The second factor: authenticator codes (TOTP, RFC 6238: SHA-1, 6 digits, 30 s, through
pyotp), the QR code that carries the secret (segno, as inline SVG), and recovery codes."""

from __future__ import annotations

import hmac
import secrets

import pyotp
import segno
from markupsafe import Markup, escape

from .. import clock, crypto
from ..extensions import db
from ..models import StaffRecoveryCode, StaffUser

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
# A code from the step before or after the current one is accepted too: phone clocks drift
# and a code typed just as it changes should not fail.
VALID_WINDOW = 1


def new_secret() -> str:
    """A fresh shared secret: 160 random bits in base32, as RFC 4226 recommends."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str, label: str) -> Markup:
    """The QR code of ``uri`` as inline SVG (no script, no image request), named ``label``
    for screen readers."""
    label = str(escape(label))
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=label)
    # segno's own markup: paths and the escaped label only, nothing else from outside.
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S704


def grouped(secret: str) -> str:
    """The secret in groups of four, as it is easiest to type by hand."""
    return " ".join(secret[n:n + 4] for n in range(0, len(secret), 4))


def check_code(user: StaffUser, code: str) -> bool:
    """True if ``code`` is the user's current code (or the one just before or after) and
    no code of that time step or a later one was accepted before: a code works once."""
    code = "".join(code.split())
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now_step = totp.timecode(clock.utcnow())
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def current_code(secret: str) -> str:
    """The code an authenticator shows now for ``secret`` (tests and the demo)."""
    return pyotp.TOTP(secret).at(clock.utcnow())


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash(code: str) -> str:
    return crypto.field_crypto().keyed_hash("staff-recovery:" + _normalise(code))


def new_recovery_codes(user: StaffUser) -> list[str]:
    """Ten fresh single-use codes, replacing any earlier ones; only their keyed hashes are
    stored, so these are shown once. The caller commits."""
    db.session.execute(db.delete(StaffRecoveryCode)
                       .where(StaffRecoveryCode.staff_user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(StaffRecoveryCode(staff_user_id=user.id, code_hash=_hash(code))
                       for code in codes)
    return codes


def use_recovery_code(user: StaffUser, code: str) -> bool:
    """True, and the code is spent, if it is one of the user's unused recovery codes."""
    if not 1 <= len(_normalise(code)) <= 40:
        return False
    spent = db.session.execute(
        db.update(StaffRecoveryCode)
        .where(StaffRecoveryCode.staff_user_id == user.id,
               StaffRecoveryCode.code_hash == _hash(code),
               StaffRecoveryCode.used_at.is_(None))
        .values(used_at=clock.utcnow())
    ).rowcount
    return bool(spent)


def recovery_codes_left(user: StaffUser) -> int:
    return db.session.execute(
        db.select(db.func.count(StaffRecoveryCode.id))
        .where(StaffRecoveryCode.staff_user_id == user.id, StaffRecoveryCode.used_at.is_(None))
    ).scalar_one()


def forget_authenticator(user: StaffUser) -> None:
    """The user enrols again at their next log-in; their recovery codes go too."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(db.delete(StaffRecoveryCode)
                       .where(StaffRecoveryCode.staff_user_id == user.id))
