"""One-click unsubscribe (RFC 8058) from the link in every message."""

from flask import Blueprint

bp = Blueprint("unsubscribe", __name__)
