"""``<id:name>`` in a route: a record's number as the database can hold it.

Row ids are 32-bit integers on PostgreSQL, so a larger number in an address (typed, or a
scanner's guess) would reach the query and fail there as a database error. Such a number,
or 0, names no record, so the address is "not found" at once, whatever the method (a
converter's plain refusal would let a sibling rule answer "method not allowed").
"""

from __future__ import annotations

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from ..models.types import LARGEST_ID


class RecordId(IntegerConverter):
    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if not 1 <= number <= LARGEST_ID:
            raise NotFound()
        return number
