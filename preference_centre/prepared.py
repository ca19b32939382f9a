"""Hot statements run straight on the driver's cursor.

For a prebuilt statement SQLAlchemy still spends about 0.1 ms per execute (cache key,
execution context, result wrapping): more than SQLite takes to run the statement, and on
the one-click path more than everything else the request does. A :class:`Prepared`
statement is still written in SQLAlchemy Core, so it stays portable and reads like the rest,
but it is compiled once per dialect and run on the cursor of the caller's connection, inside
the caller's transaction. Values pass through the column types' own bind and result
processors, so what goes in and comes out is what SQLAlchemy would give.

Use it only for statements on a hot path; everything else goes through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    sql: str
    positional: tuple[str, ...] | None  # parameter names in order, for qmark/format styles
    defaults: dict[str, Any]  # values the statement carries itself (a LIMIT, say)
    filled: dict[str, Any]  # columns whose Python-side default or onupdate fills them
    bind: dict[str, Processor]
    result: tuple[Processor, ...]

    def parameters(self, params: Mapping[str, Any]) -> Any:
        values = {**self.defaults, **params}
        for name, default in self.filled.items():
            if name not in params:
                values[name] = default.arg(None) if default.is_callable else default.arg
        for name, process in self.bind.items():
            if process is not None and values.get(name) is not None:
                values[name] = process(values[name])
        if self.positional is None:
            return values
        return tuple(values[name] for name in self.positional)

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(value if process is None or value is None else process(value)
                     for process, value in zip(self.result, raw, strict=True))


class Prepared:
    """A Core statement compiled once per dialect; ``column_keys`` names the columns an
    INSERT or UPDATE is given values for (as SQLAlchemy would take them from the params)."""

    def __init__(self, statement: Executable, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._plans: dict[str, _Plan] = {}

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run in ``connection``'s transaction; the rows it returns (none without RETURNING)."""
        plan = self._plans.get(connection.dialect.name) or self._compile(connection.dialect)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(plan.sql, plan.parameters(params))
            found = cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()
        return [plan.row(raw) for raw in found]

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        found = self.rows(connection, params)
        return found[0] if found else None

    def _compile(self, dialect: Dialect) -> _Plan:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
        defaults = {name: parameter.value for name, parameter in compiled.binds.items()
                    if parameter.value is not None}
        bind = {name: parameter.type.dialect_impl(dialect).bind_processor(dialect)
                for name, parameter in compiled.binds.items()}
        # The compiled statement's own record of what its SQL returns, as SQLAlchemy's result
        # objects use it: a statement derived with .returning() from one already used can
        # report its parent's columns through exported_columns.
        result = tuple(entry[3].dialect_impl(dialect).result_processor(dialect, None)
                       for entry in compiled._result_columns)
        filled = {column.key: column.default for column in compiled.insert_prefetch}
        filled.update({column.key: column.onupdate for column in compiled.update_prefetch})
        positional = tuple(compiled.positiontup or ()) if compiled.positional else None
        plan = _Plan(str(compiled), positional, defaults, filled, bind, result)
        self._plans[dialect.name] = plan
        return plan
