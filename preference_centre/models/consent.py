"""The consent ledger (append-only), the current state derived from it, and notice versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, Boolean, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..extensions import db
from .guards import append_only
from .types import UTCDateTime


class NoticeVersion(db.Model):
    """A published privacy notice. A new version is a new row; rows are never edited."""

    __tablename__ = "notice_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20), unique=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    material: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")


# A published notice is evidence of what people were told: the database refuses to edit or
# remove one, on both engines (migration 0009), so no code path or console slip can.
NOTICE_GUARD = append_only(NoticeVersion.__table__)


class ConsentState(db.Model):
    """The current answer per person and purpose; kept in step with the ledger in one
    transaction. No row means the purpose's default (consent: refused; legitimate
    interests: allowed until objected to)."""

    __tablename__ = "consent_state"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[str] = mapped_column(String(80), primary_key=True)
    allowed: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    last_event_id: Mapped[int | None] = mapped_column(Integer)


class ConsentEvent(db.Model):
    """One change of one purpose for one person. Append-only: never updated or deleted,
    except that erasure pseudonymises an erased person's rows (person and context cleared)."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(80))
    old_value: Mapped[bool | None] = mapped_column(Boolean)
    new_value: Mapped[bool] = mapped_column(Boolean)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow, index=True)
    # one of ledger.SOURCES: form, signup, email_link, one_click, undo, staff, api, ...
    source: Mapped[str] = mapped_column(String(20))
    actor_type: Mapped[str] = mapped_column(String(10))  # person, staff, api, system
    actor_id: Mapped[str | None] = mapped_column(String(64))
    notice_version: Mapped[str | None] = mapped_column(String(20))
    ip_prefix: Mapped[str | None] = mapped_column(String(50))
    ua_family: Mapped[str | None] = mapped_column(String(60))
    message_ref: Mapped[str | None] = mapped_column(String(64))
    # Set when erasure pseudonymised the row: which erasure receipt it belongs to.
    erasure_ref: Mapped[str | None] = mapped_column(String(36))
    # The evidence another system gave with a choice it captured (consent/rules.py): when
    # and where the person made it, and the wording they were shown (``notice_version``
    # above names the notice, when given).
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    collection_point: Mapped[str | None] = mapped_column(String(200))
    wording: Mapped[str | None] = mapped_column(Text)
    # A ``suppression:email`` / ``suppression:phone`` event (an address or number taken off
    # the suppression list by its owner) names the keyed hash, never the address itself.
    value_hash: Mapped[str | None] = mapped_column(String(64))
    # A ``pause:marketing`` event (a person pausing all marketing, or resuming it) names when
    # the pause ends; a ``pace:<channel>:<topic>`` event names the pace chosen for that topic
    # (consent/pacing.py). Neither is a purpose: they feed pacing_state, not consent_state.
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pace: Mapped[str | None] = mapped_column(String(10))


class PacingState(db.Model):
    """A person's current pause (``setting`` ``pause:marketing``) and pace per topic
    (``pace:email:offers``): the ledger's projection, kept by the database like
    consent_state. A pause row whose ``paused_until`` has passed is a pause that ended by
    itself: the contact decision compares it with the clock."""

    __tablename__ = "pacing_state"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    setting: Mapped[str] = mapped_column(String(80), primary_key=True)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pace: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.utcnow)
    last_event_id: Mapped[int | None] = mapped_column(Integer)


# On PostgreSQL the table itself refuses updates and deletes, except the pseudonymising update
# done by erasure, which sets ``preference_centre.erasure`` for its own transaction only.
LEDGER_GUARD_FUNCTION = DDL(
    """
CREATE OR REPLACE FUNCTION consent_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('preference_centre.erasure', true) = 'on' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent_events is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
)
LEDGER_GUARD_TRIGGER = DDL(
    "CREATE TRIGGER consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events "
    "FOR EACH ROW EXECUTE FUNCTION consent_events_append_only()"
)
event.listen(
    ConsentEvent.__table__, "after_create", LEDGER_GUARD_FUNCTION.execute_if(dialect="postgresql")
)
event.listen(
    ConsentEvent.__table__, "after_create", LEDGER_GUARD_TRIGGER.execute_if(dialect="postgresql")
)

# SQLite has no per-transaction setting, so its guard allows exactly the change erasure makes
# (data_rights PSEUDONYMISE_LEDGER): the personal columns emptied and an erasure reference set
# on a row that had none, every other column as it was. Any other UPDATE, and every DELETE,
# is refused. The migration (0009) creates the same triggers.
PSEUDONYMISED_COLUMNS = ("person_id", "ip_prefix", "ua_family", "actor_id", "message_ref",
                         "value_hash")
_KEPT = [c.name for c in ConsentEvent.__table__.columns
         if c.name not in {*PSEUDONYMISED_COLUMNS, "erasure_ref"}]
_PSEUDONYMISING = " AND ".join([
    "OLD.erasure_ref IS NULL", "NEW.erasure_ref IS NOT NULL",
    *(f"NEW.{name} IS NULL" for name in PSEUDONYMISED_COLUMNS),
    *(f"NEW.{name} IS OLD.{name}" for name in _KEPT),
])
LEDGER_GUARD_SQLITE = [
    DDL("CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events "
        f"WHEN NOT ({_PSEUDONYMISING}) "
        "BEGIN SELECT RAISE(ABORT, 'consent_events is append-only (UPDATE refused)'); END"),
    DDL("CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events "
        "BEGIN SELECT RAISE(ABORT, 'consent_events is append-only (DELETE refused)'); END"),
]
for _ddl in LEDGER_GUARD_SQLITE:
    event.listen(ConsentEvent.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))


# consent_state is the ledger's projection: the database itself sets a purpose's current
# answer from each new event, so no writer can leave the two apart and a change is one
# statement (the one-click path's round trips are its cost). Suppression events are about
# an address or number, not a purpose: they have no current answer. Pause and pace events
# are not purposes either: they set pacing_state instead.
SUPPRESSION_EVENT = "suppression:"
PAUSE_EVENT = "pause:"
PACE_EVENT = "pace:"
_IS_PURPOSE = (f"NEW.purpose NOT LIKE '{SUPPRESSION_EVENT}%%' "
               f"AND NEW.purpose NOT LIKE '{PAUSE_EVENT}%%' "
               f"AND NEW.purpose NOT LIKE '{PACE_EVENT}%%'")
_IS_PACING = f"(NEW.purpose LIKE '{PAUSE_EVENT}%%' OR NEW.purpose LIKE '{PACE_EVENT}%%')"
_STATE_UPSERT = """
    INSERT INTO consent_state (person_id, purpose, allowed, updated_at, last_event_id)
    VALUES (NEW.person_id, NEW.purpose, NEW.new_value, NEW.occurred_at, NEW.id)
    ON CONFLICT (person_id, purpose) DO UPDATE SET allowed = excluded.allowed,
        updated_at = excluded.updated_at, last_event_id = excluded.last_event_id;
"""
_PACING_UPSERT = """
    INSERT INTO pacing_state (person_id, setting, paused_until, pace, updated_at, last_event_id)
    VALUES (NEW.person_id, NEW.purpose, NEW.paused_until, NEW.pace, NEW.occurred_at, NEW.id)
    ON CONFLICT (person_id, setting) DO UPDATE SET paused_until = excluded.paused_until,
        pace = excluded.pace, updated_at = excluded.updated_at,
        last_event_id = excluded.last_event_id;
"""
STATE_TRIGGER_SQLITE = DDL(
    "CREATE TRIGGER consent_state_follows_ledger AFTER INSERT ON consent_events "
    f"WHEN NEW.person_id IS NOT NULL AND {_IS_PURPOSE} "
    f"BEGIN {_STATE_UPSERT} END"
)
PACING_TRIGGER_SQLITE = DDL(
    "CREATE TRIGGER pacing_state_follows_ledger AFTER INSERT ON consent_events "
    f"WHEN NEW.person_id IS NOT NULL AND {_IS_PACING} "
    f"BEGIN {_PACING_UPSERT} END"
)
STATE_FUNCTION_POSTGRESQL = DDL(
    "CREATE OR REPLACE FUNCTION consent_state_follows_ledger() RETURNS trigger AS $$ BEGIN "
    f"IF NEW.person_id IS NOT NULL AND {_IS_PURPOSE} THEN {_STATE_UPSERT} "
    f"ELSIF NEW.person_id IS NOT NULL AND {_IS_PACING} THEN {_PACING_UPSERT} "
    "END IF; RETURN NULL; END; $$ LANGUAGE plpgsql"
)
STATE_TRIGGER_POSTGRESQL = DDL(
    "CREATE TRIGGER consent_state_follows_ledger AFTER INSERT ON consent_events "
    "FOR EACH ROW EXECUTE FUNCTION consent_state_follows_ledger()"
)
for _ddl, _dialect in ((STATE_TRIGGER_SQLITE, "sqlite"), (PACING_TRIGGER_SQLITE, "sqlite"),
                       (STATE_FUNCTION_POSTGRESQL, "postgresql"),
                       (STATE_TRIGGER_POSTGRESQL, "postgresql")):
    event.listen(ConsentEvent.__table__, "after_create", _ddl.execute_if(dialect=_dialect))
