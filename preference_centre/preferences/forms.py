"""Sign-up and fresh-link forms. The preference matrix itself is plain markup (see views)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

EMAIL_MAX = 254


class EmailOnlyForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=EMAIL_MAX),
                    Email("Enter an email address like name@example.com.",
                          check_deliverability=False)],
    )


class SignupForm(EmailOnlyForm):
    name = StringField("Your name (optional)", validators=[Optional(), Length(max=100)])
    # A honeypot: hidden from people by CSS, filled in by bots that fill every field.
    website = StringField("Leave this field empty", validators=[Optional()])

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())


class FreshLinkForm(EmailOnlyForm):
    """Ask for a new preference link by email."""
