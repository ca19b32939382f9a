"""Streaming the rows of a large select (an export of a whole list) the fastest way each
engine offers, with memory flat however many rows there are.

On PostgreSQL the rows come through psycopg's ``Cursor.stream`` in chunks (libpq 17's
chunked rows mode): the server sends the result as it finds it, while this process writes
out the rows before, so the two work at once. A server-side cursor (``yield_per``) makes
them take turns: the server finds a batch while this process waits, then waits while the
batch is written. SQLite runs inside this process, and a libpq older than 17 has no chunks:
rows then come ``batch`` at a time (``yield_per``).

Either way a row holds the same Python values: the columns' own result processing (an aware
UTC time, say) is applied as to any query. The statement's values are written into its text
by SQLAlchemy (``literal_binds``, quoted by the dialect) rather than bound: use it for
statements built from the app's own values (purpose keys, times), not text a visitor typed.

A PostgreSQL stream left before its end cancels the query, and with it the transaction
(psycopg ends the stream that way): the caller rolls back, as a web request does when it
ends. Read to the end, the transaction goes on as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from psycopg import pq
from sqlalchemy import Select
from sqlalchemy.engine import Connection

CHUNKED_ROWS_LIBPQ = 170000  # libpq 17 brought chunked rows; psycopg's binary wheel has it


def stream_rows(connection: Connection, statement: Select[Any], batch: int) -> Iterator[Any]:
    """Every row of ``statement`` on ``connection``, in its order, as it comes."""
    if connection.dialect.driver != "psycopg" or pq.version() < CHUNKED_ROWS_LIBPQ:
        yield from connection.execute(statement.execution_options(yield_per=batch))
        return
    dialect = connection.dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    processors = [(index, processor)
                  for index, column in enumerate(statement.selected_columns)
                  if (processor := column.type.result_processor(dialect, None)) is not None]
    with connection.connection.driver_connection.cursor() as cursor:
        rows = cursor.stream(sql, size=batch)
        if not processors:
            yield from rows
            return
        for row in rows:
            yield _processed(row, processors)


def _processed(row: tuple[Any, ...],
               processors: list[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    values = list(row)
    for index, processor in processors:
        values[index] = processor(values[index])
    return tuple(values)
