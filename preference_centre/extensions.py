"""Extension instances, created without an app; the factory binds them with ``init_app``."""

from collections.abc import Callable
from functools import partial
from typing import Any

import flask_login
from flask import Flask, current_app
from flask_limiter import Limiter as FlaskLimiter
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


class Limiter(FlaskLimiter):
    """Flask-Limiter that asks its request filters first. The stock check resolves limits,
    meta limits and exemption scopes before it consults the filters: about 0.1 ms on every
    request, when most views have no limit at all (auth/limits.py says which do). Its
    after-request hook (limit headers, deductions that depend on the response) and its
    teardown have nothing to do on those requests either."""

    def _exempt(self) -> bool:
        return any(exempt() for exempt in self._request_filters)

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> Any:
        if self._exempt():
            return None
        return super()._check_request_limit(callable_name, in_middleware)

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        for hooks in (app.after_request_funcs[None], app.teardown_request_funcs[None]):
            for n, hook in enumerate(hooks):
                if self._owns(hook):
                    hooks[n] = self._unless_exempt(hook)

    def _owns(self, hook: Any) -> bool:
        """Its hooks are a bound method and a partial over this limiter."""
        if getattr(hook, "__self__", None) is self:
            return True
        return isinstance(hook, partial) and hook.args[:1] == (self,)

    def _unless_exempt(self, hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def run(value: Any) -> Any:
            return value if self._exempt() else hook(value)

        return run


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
limiter = Limiter(key_func=get_remote_address, default_limits=[])
