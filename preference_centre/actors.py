"""Who is acting, as the consent ledger records it, taken from the request (views only)."""

from __future__ import annotations

from flask import request

from .consent import Actor


def person_actor(person_id: int, source: str, notice_version: str | None = None) -> Actor:
    """The person themselves, acting through ``source`` (a form, a link, the banner), with
    the privacy notice version the page showed (checked: ``privacy.versions.shown_version``;
    None: the ledger names the one in force)."""
    return Actor(source=source, actor_type="person", actor_id=str(person_id),
                 ip=request.remote_addr, user_agent=request.user_agent.string,
                 notice_version=notice_version)

