"""Pages for everyone: home, health check, and the developer mail viewer."""

from flask import Blueprint

bp = Blueprint("public", __name__)
