"""Newsletter and prize-draw sign-up with double opt-in."""

from flask import Blueprint

bp = Blueprint("signup", __name__)
