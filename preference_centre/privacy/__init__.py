"""The privacy notice: its published versions, its text, the page and the banner."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
