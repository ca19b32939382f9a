"""The sign-up form."""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..preferences.forms import EmailOnlyForm
from .services import SIGNUP_TOPICS


class SignupForm(EmailOnlyForm):
    name = StringField("Your name (optional)", validators=[Optional(), Length(max=100)])
    # A sign-up with no topic would confirm nothing: at least one is required. The template
    # renders the boxes itself, with each topic's description.
    topics = SelectMultipleField(
        "What would you like to hear about by email?", choices=list(SIGNUP_TOPICS),
        validators=[DataRequired("Choose at least one topic to hear about.")])
    # A honeypot: hidden from people by CSS, filled in by bots that fill every field.
    website = StringField("Leave this field empty", validators=[Optional()])

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())
