"""The API other company systems call before they contact anyone.

Callers authenticate with an API key, not a browser session, so CSRF protection does not
apply; each key has its own rate limit (``API_RATE_LIMIT``, default 600 per minute).
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
