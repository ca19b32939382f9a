"""Seeing, downloading and erasing one's data; requests to object and restrict."""

from flask import Blueprint

bp = Blueprint("data_rights", __name__)
