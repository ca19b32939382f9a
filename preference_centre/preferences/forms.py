"""The fresh-link form. The preference matrix itself is plain markup (see the templates)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import Email, InputRequired, Length

EMAIL_MAX = 254


class EmailOnlyForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=EMAIL_MAX),
                    Email("Enter an email address like name@example.com.",
                          check_deliverability=False)],
    )


class FreshLinkForm(EmailOnlyForm):
    """Ask for a new preference link by email."""
