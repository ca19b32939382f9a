"""The staff console's figures, kept by the database itself (``console/aggregate.py``,
which also gives ``create_all`` the triggers that keep them).

Counts only: no person is named, so these tables stay small and need no erasure rule.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ConsoleCount(db.Model):
    """How many people stand at ``reason`` for one marketing purpose (``allowed`` or why
    not). ``slot`` (person id & 15) spreads concurrent writers over 16 rows per figure, so
    unsubscribes on PostgreSQL do not all wait on one row's lock; readers add the slots."""

    __tablename__ = "console_counts"

    purpose: Mapped[str] = mapped_column(String(80), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    people: Mapped[int] = mapped_column(Integer, default=0)


class ConsoleWeek(db.Model):
    """Opt-ins and opt-outs of one marketing purpose in one ISO week (starting Monday)."""

    __tablename__ = "console_weeks"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(80), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opt_ins: Mapped[int] = mapped_column(Integer, default=0)
    opt_outs: Mapped[int] = mapped_column(Integer, default=0)
