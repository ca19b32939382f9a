"""Data-rights pages (placeholders until the data-rights work lands)."""

from flask import abort

from . import bp


@bp.route("/account/data")
def overview() -> str:
    abort(404)
