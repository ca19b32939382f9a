"""Reading a request's JSON body without letting a hostile one become a 500.

``request.get_json`` lets through the RecursionError that a deeply nested document (a few
kilobytes of ``[``) raises, even with ``silent=True``, so every view that takes JSON reads
it here and answers a 400 when there is no object to read.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request


def json_object() -> dict[str, Any] | None:
    """The request's JSON object; None when the body is not JSON, cannot be read (invalid,
    nested too deeply) or is another kind of value."""
    if not request.is_json:
        return None
    try:
        data = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
