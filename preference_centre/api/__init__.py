"""The API other company systems call before they contact anyone.

Callers authenticate with an API key, not a browser session, so CSRF protection does not
apply; each key has its own rate limit (``API_RATE_LIMIT``, default 600 per minute).
"""

from flask import Blueprint

from ..auth import limits
from ..extensions import csrf
from . import auth

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
limits.blueprint_limit(bp, auth.rate_limit, scope="api", key_func=auth.rate_limit_key)

from . import views  # noqa: E402,F401
