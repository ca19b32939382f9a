"""The customer's own account pages (placeholders until the accounts work lands)."""

from flask import abort

from . import bp


@bp.route("")
def overview() -> str:
    abort(404)
