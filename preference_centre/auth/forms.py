"""Forms for registering, signing in, verifying and resetting a password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Optional

from ..passwords import PASSWORD_MAX
from .validators import EMAIL_MAX, at_most, email_address, password_rules, single_line, strip

NAME_MAX = 200


def email_field(label: str = "Email address") -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[DataRequired("Enter your email address."), single_line, email_address],
        render_kw={"maxlength": EMAIL_MAX, "spellcheck": "false"},
    )


def new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired("Choose a password."), password_rules],
        render_kw={"maxlength": PASSWORD_MAX},
    )


def current_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired("Enter your password."), at_most(PASSWORD_MAX)],
        render_kw={"maxlength": PASSWORD_MAX},
    )


class RegisterForm(FlaskForm):
    email = email_field()
    name = StringField(
        "Your name (optional)",
        filters=[strip],
        validators=[Optional(), at_most(NAME_MAX), single_line],
        render_kw={"maxlength": NAME_MAX},
    )
    password = new_password_field("Choose a password")


class LoginForm(FlaskForm):
    email = email_field()
    password = current_password_field()
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class ResendVerificationForm(FlaskForm):
    email = email_field()


class ResetRequestForm(FlaskForm):
    email = email_field()


class NewPasswordForm(FlaskForm):
    password = new_password_field("New password")


class ChoosePasswordForm(FlaskForm):
    password = new_password_field("Choose a password")


class ConfirmForm(FlaskForm):
    """A button with a CSRF token: links in mail only show a page, the POST acts."""


class ReauthForm(FlaskForm):
    password = current_password_field()
    next = HiddenField()
