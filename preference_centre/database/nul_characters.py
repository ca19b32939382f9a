"""No NUL character reaches the database as text, on either engine.

PostgreSQL cannot store one in a text column: the statement fails with a database error, so
a form that carried one (a campaign's body, the wording a person agreed to) ended in a 500
after saving nothing. SQLite would store it; a NUL is refused on both engines alike, before
the statement runs, with :class:`NulCharacter`, which the web turns into a 400 page saying
why. Only what is written or looked up as plain text is refused: values encrypted or hashed
first carry no NUL, and a form field that is never stored (a ``next`` address) is never seen.
"""

from __future__ import annotations

from typing import Any

NUL = "\x00"


class NulCharacter(Exception):  # noqa: N818 - named for what was sent, as ValueError is
    """A statement's value holds a NUL character; the statement was not run."""


def refuse_nul_parameters(_connection: Any, _cursor: Any, _statement: str, parameters: Any,
                          _context: Any, _executemany: bool) -> None:
    """``before_cursor_execute``: raise :class:`NulCharacter` for a NUL in any text value.
    ``parameters`` is one row's values (a tuple, or a dict by name) or, for many rows at
    once, a list of such rows; either way the text values are one level down at most."""
    for value in _values(parameters):  # every statement: the plain case first, no calls
        if value.__class__ is str:
            if NUL in value:
                raise NulCharacter("a value holds a NUL character")
        elif isinstance(value, tuple | list | dict) and any(
                part.__class__ is str and NUL in part for part in _values(value)):
            raise NulCharacter("a value holds a NUL character")


def _values(parameters: Any) -> Any:
    if isinstance(parameters, dict):
        return parameters.values()
    return parameters or ()
