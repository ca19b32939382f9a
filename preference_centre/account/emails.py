"""The emails of a change of address, one function each: subject, template and what it
says, here only. Queued through the one composer; the caller commits."""

from __future__ import annotations

from flask import current_app

from .. import crypto
from ..links import external_url
from ..messaging import queue_service_email
from ..models import OutboxMessage, Person


def send_email_change_confirmation(person: Person, new_address: str,
                                   token: str) -> OutboxMessage:
    """templates/email/confirm_new_email, to the new address: the link that makes the
    change."""
    return queue_service_email(person, "confirm_new_email", "Confirm your new email address", {
        "link": external_url("account.confirm_email", token=token),
        "hours": current_app.config["VERIFY_TOKEN_HOURS"]}, to=new_address)


def send_email_changed_notice(person: Person, new_address: str) -> OutboxMessage:
    """templates/email/email_changed, to the address in use now: a change was asked for
    (the new address masked), and how to stop it."""
    return queue_service_email(person, "email_changed", "Your email address is being changed", {
        "new_address_masked": crypto.mask_email(new_address),
        "reset_link": external_url("auth.reset_request")}, to=person.email)
