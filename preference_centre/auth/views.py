"""Account life-cycle pages (placeholders until the accounts work lands)."""

from flask import abort

from . import bp


@bp.route("/login", methods=["GET", "POST"])
def login() -> str:
    abort(404)


@bp.route("/register", methods=["GET", "POST"])
def register() -> str:
    abort(404)


@bp.route("/logout", methods=["POST"])
def logout() -> str:
    abort(404)
