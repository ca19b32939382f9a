"""The audit trail of account changes: who changed which field of whose record, and when.

Only names are recorded, never values: the trail must not become a second copy of the data.
"""

from __future__ import annotations

from .. import clock
from ..extensions import db
from ..models import AuditEvent


def record_audit(
    person_id: int,
    action: str,
    field: str | None = None,
    *,
    actor_type: str = "person",
    actor_id: str | None = None,
) -> AuditEvent:
    """Add one audit row (the caller commits). A person acting on their own record needs no
    ``actor_id``: it defaults to their id."""
    if actor_id is None and actor_type == "person":
        actor_id = str(person_id)
    event = AuditEvent(
        person_id=person_id, actor_type=actor_type, actor_id=actor_id,
        action=action, field=field, occurred_at=clock.utcnow(),
    )
    db.session.add(event)
    return event
