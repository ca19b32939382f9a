"""The marketing and privacy console (``/staff``). Its pages are listed in ``views``."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
