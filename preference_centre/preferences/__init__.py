"""Consent and objection controls, preference links, sign-up, privacy notice, cookies."""

from flask import Blueprint

bp = Blueprint("preferences", __name__)
