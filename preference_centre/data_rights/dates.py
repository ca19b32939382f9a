"""Calendar arithmetic the law uses: "one month from receipt", "36 months after"."""

from __future__ import annotations

import calendar
from datetime import datetime


def add_months(when: datetime, months: int) -> datetime:
    """``when`` moved by whole calendar months (negative goes back). A day that does not exist
    in the target month becomes its last day: 31 Jan + 1 month is 28 (or 29) Feb, and
    29 Feb 2024 + 36 months is 28 Feb 2027."""
    index = when.year * 12 + (when.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)
