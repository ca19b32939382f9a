"""Names every template may use."""

from __future__ import annotations

from typing import Any

from flask import current_app


def template_globals() -> dict[str, Any]:
    return {"company_name": current_app.config["COMPANY_NAME"]}
