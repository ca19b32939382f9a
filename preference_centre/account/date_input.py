"""A date typed as day, month and year in three boxes (the GOV.UK date input pattern).

A browser's date picker shows its own format, which contradicts any hint we give, and some
people cannot use it; three labelled boxes work everywhere and without JavaScript. The field
posts as ``<name>-day``, ``<name>-month`` and ``<name>-year``; a missing part or an impossible
date (31 February) is a form error naming what is wrong, never a server error.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import Field
from wtforms.utils import unset_value

PARTS = ("day", "month", "year")


class DateInputField(Field):
    """``data`` is a ``date`` or None (nothing typed); ``parts`` holds what was typed."""

    def process(self, formdata: Any, data: Any = unset_value,
                extra_filters: Any = None) -> None:
        # WTForms' documented hook for a field made of several inputs.
        self.process_errors: list[str] = []
        self.bad_parts: set[str] = set()
        if data is unset_value:
            data = self.default
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        self.parts = ({"day": str(self.data.day), "month": str(self.data.month),
                       "year": str(self.data.year)} if self.data else dict.fromkeys(PARTS, ""))
        if formdata is not None:
            self._read(formdata)
        for apply in (*self.filters, *(extra_filters or ())):  # the form's filters, as usual
            self.data = apply(self.data)

    def _read(self, formdata: Any) -> None:
        self.parts = {part: (formdata.get(f"{self.name}-{part}") or "").strip()
                      for part in PARTS}
        given = [value for value in self.parts.values() if value]
        # Optional() treats empty raw_data as "nothing typed".
        self.raw_data = [" ".join(given)] if given else []
        self.data = None
        if given:
            self._parse()

    def _parse(self) -> None:
        label = self.label.text
        missing = [part for part in PARTS if not self.parts[part]]
        if missing:
            self.bad_parts = set(missing)
            self.process_errors.append(f"{label} must include a {' and a '.join(missing)}.")
            return
        if not all(self.parts[part].isdigit() for part in PARTS) or len(self.parts["year"]) != 4:
            self.bad_parts = {part for part in PARTS if not self.parts[part].isdigit()} or {"year"}
            self.process_errors.append(
                f"{label} must be a real date in numbers, for example 27 3 1990.")
            return
        try:
            self.data = date(int(self.parts["year"]), int(self.parts["month"]),
                             int(self.parts["day"]))
        except ValueError:
            self.bad_parts = set(PARTS)
            self.process_errors.append(f"{label} must be a real date, for example 27 3 1990.")
