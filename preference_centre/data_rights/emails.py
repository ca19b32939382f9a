"""The data-rights emails, one function each: subject, template and what it says, here only.

The two single-use links (a download of one's data, the confirmation of an erasure) are
queued through the one composer; the caller commits. The erasure confirmation is composed
by the same composer but never queued: an outbox row would keep the erased address (see
``erasure``).
"""

from __future__ import annotations

from datetime import timedelta

from .. import links
from ..messaging import queue_service_email
from ..messaging.immediate import ReadyEmail, compose_immediately
from ..models import OutboxMessage, Person


def send_export_ready(person: Person, link: str, lifetime: timedelta,
                      reference: str) -> OutboxMessage:
    """templates/email/export_ready: the single-use download link of request
    ``reference``."""
    return queue_service_email(person, "export_ready", "Your data is ready to download",
                               _link_context(link, lifetime, reference))


def send_erase_confirm(person: Person, link: str, lifetime: timedelta,
                       reference: str) -> OutboxMessage:
    """templates/email/erase_confirm: the single-use link that confirms an erasure."""
    return queue_service_email(person, "erase_confirm", "Confirm that we should erase your data",
                               _link_context(link, lifetime, reference))


def _link_context(link: str, lifetime: timedelta, reference: str) -> dict[str, object]:
    hours = int(lifetime.total_seconds() // 3600)
    return {"link": link, "days": hours // 24, "hours": hours, "reference": reference}


def compose_erasure_confirmation(address: str, person_id: int, reference: str,
                                 gone: list[str], kept: list[str]) -> ReadyEmail:
    """templates/email/erasure_confirmation, composed for ``address`` (not queued): what
    went (``gone``) and what is kept (``kept``), with the receipt's ``reference``."""
    # The contract puts a one-step unsubscribe on every email. The link names the erased
    # person, who no longer exists (and whose id is never given to anyone else), so /u/
    # answers it with its "not valid, nothing was changed" page. No footer: there are no
    # choices left to manage, and the message says it is the last one.
    unsubscribe_url = links.one_click_link(person_id, "email", "*", "erasure")
    return compose_immediately(address, "erasure_confirmation", "Your data has been erased",
                               {"gone": gone, "kept": kept, "reference": reference},
                               unsubscribe_url)
