"""The dashboard's figures: who may and may not be contacted per purpose, and opt-ins and
opt-outs per ISO week, read from the counts the database keeps (``aggregate``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select, text

from .. import clock
from ..consent import purposes_from_config
from ..consent.catalogue import CHANNELS, TOPICS
from ..consent.pacing import PAUSE
from ..extensions import db
from ..models import ConsoleCount, ConsoleWeek, UnsubscribeFeedback
from ..models.types import UTCDateTime
from .aggregate import ALLOWED, NOT_REASONS, paused_sql, tracked_purposes

REASON_WORDS = {
    "never": "Never consented",
    "withdrew": "Withdrew consent",
    "objected": "Objected",
    "paused": "Paused",
    "unconfirmed": "Address not confirmed",
    "restricted": "Processing restricted",
    "suppressed": "On the suppression list",
}
WEEKS_SHOWN = 53  # every ISO week that overlaps the last 12 months
FEEDBACK_SHOWN = 20


@dataclass(frozen=True)
class PurposeFigures:
    key: str
    title: str
    channel: str
    topic: str
    may: int
    may_not: dict[str, int]  # reason -> people, every reason of NOT_REASONS present

    @property
    def may_not_total(self) -> int:
        return sum(self.may_not.values())


@dataclass(frozen=True)
class WeekFigures:
    week_start: date  # the Monday
    opt_ins: int
    opt_outs: int

    @property
    def label(self) -> str:
        """``2026-W48``: the ISO week."""
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DashboardFigures:
    purposes: list[PurposeFigures]
    weeks: list[WeekFigures] = field(default_factory=list)
    reason_words: dict[str, str] = field(default_factory=lambda: dict(REASON_WORDS))
    channel_words: dict[str, str] = field(default_factory=lambda: dict(CHANNELS))
    topic_words: dict[str, str] = field(default_factory=lambda: dict(TOPICS))


def dashboard_figures(today: date | None = None) -> DashboardFigures:
    """Counts per tracked purpose (catalogue order) and the weekly series for the 53 ISO
    weeks up to and including ``today``'s (default: today, UTC), empty weeks as zeros."""
    today = today or clock.utcnow().date()
    return DashboardFigures(purposes=purpose_figures(), weeks=weekly_series(today))


def purpose_figures() -> list[PurposeFigures]:
    counts: dict[tuple[str, str], int] = {
        (purpose, reason): int(people) for purpose, reason, people in db.session.execute(
            select(ConsoleCount.purpose, ConsoleCount.reason, func.sum(ConsoleCount.people))
            .group_by(ConsoleCount.purpose, ConsoleCount.reason))
    }
    for key, people in paused_now().items():
        counts[key, ALLOWED] = counts.get((key, ALLOWED), 0) - people
        counts[key, "paused"] = people
    catalogue = purposes_from_config(current_app.config)
    figures = []
    for key in tracked_purposes():
        purpose = catalogue[key]
        figures.append(PurposeFigures(
            key=key, title=purpose.title, channel=purpose.channel or "", topic=purpose.topic or "",
            may=counts.get((key, ALLOWED), 0),
            may_not={reason: counts.get((key, reason), 0) for reason in NOT_REASONS},
        ))
    return figures


def paused_now() -> dict[str, int]:
    """Marketing purpose -> people paused right now whom the counts hold as allowed: a pause
    ends with time, which no trigger sees, so this small correction is read each time."""
    query = text(paused_sql(PAUSE)).bindparams(bindparam("now", type_=UTCDateTime))
    return {key: int(people) for key, people in
            db.session.execute(query, {"now": clock.utcnow()})}


def weekly_series(today: date, weeks: int = WEEKS_SHOWN,
                  purposes: list[str] | None = None) -> list[WeekFigures]:
    """Opt-ins and opt-outs per ISO week, oldest first, over all tracked purposes (or the
    ``purposes`` given)."""
    last = today - timedelta(days=today.weekday())
    first = last - timedelta(weeks=weeks - 1)
    query = (select(ConsoleWeek.week, func.sum(ConsoleWeek.opt_ins),
                    func.sum(ConsoleWeek.opt_outs))
             .where(ConsoleWeek.week >= first, ConsoleWeek.week <= last)
             .group_by(ConsoleWeek.week))
    if purposes is not None:
        query = query.where(ConsoleWeek.purpose.in_(purposes))
    found = {week: (int(ins), int(outs)) for week, ins, outs in db.session.execute(query)}
    series = []
    for n in range(weeks):
        start = first + timedelta(weeks=n)
        ins, outs = found.get(start, (0, 0))
        series.append(WeekFigures(start, ins, outs))
    return series


@dataclass(frozen=True)
class FeedbackLine:
    given_at: datetime
    channel: str
    topic: str  # a topic key, or "all" for everything on the channel
    reason: str  # a key of unsubscribe.services.REASONS


def latest_feedback(limit: int = FEEDBACK_SHOWN) -> list[FeedbackLine]:
    """The latest reasons people gave after unsubscribing, newest first (anonymous: the
    table holds no person)."""
    rows = db.session.execute(
        select(UnsubscribeFeedback.created_at, UnsubscribeFeedback.channel,
               UnsubscribeFeedback.topic, UnsubscribeFeedback.reason)
        .order_by(UnsubscribeFeedback.created_at.desc(), UnsubscribeFeedback.id.desc())
        .limit(limit))
    return [FeedbackLine(*row) for row in rows]
