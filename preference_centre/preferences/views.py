"""Preference pages (placeholders until the consent work lands)."""

from flask import abort

from . import bp


@bp.route("/account/preferences", methods=["GET", "POST"])
def edit() -> str:
    abort(404)


@bp.route("/privacy")
def privacy() -> str:
    abort(404)


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str:
    abort(404)


@bp.route("/cookies", methods=["GET", "POST"])
def cookies() -> str:
    abort(404)
