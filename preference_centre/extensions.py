"""Extension instances, created without an app; the factory binds them with ``init_app``."""

from typing import Any

import flask_login
from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login.utils import decode_cookie, encode_cookie
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LoginManager(flask_login.LoginManager):
    """Flask-Login's manager, also accepting a remember-me cookie signed with a key in
    ``SECRET_KEY_FALLBACKS``, as Flask does for the session cookie: rotating the key must
    not sign out every "keep me logged in" device at once. The cookie only carries the
    sign-in key; the server-side sign-in row (auth/sessions.py) still decides."""

    def _load_user_from_remember_cookie(self, cookie: str) -> Any:
        for old_key in current_app.config.get("SECRET_KEY_FALLBACKS") or ():
            payload = decode_cookie(cookie, old_key)
            if payload is not None:
                cookie = encode_cookie(payload)  # the same cookie under the current key
                break
        return super()._load_user_from_remember_cookie(cookie)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
# No default or application-wide limits: only the views that check a password or send mail
# carry one (auth/limits.py), so every other request has no limit to look up.
limiter = Limiter(key_func=get_remote_address)
