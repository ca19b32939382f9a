"""Cookie choices: the banner, the choice cookie, the /cookies page and the GPC signal."""

from flask import Blueprint

bp = Blueprint("cookies", __name__)
