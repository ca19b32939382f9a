"""The sign-up form."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Length, Optional

from ..preferences.forms import EmailOnlyForm


class SignupForm(EmailOnlyForm):
    name = StringField("Your name (optional)", validators=[Optional(), Length(max=100)])
    # A honeypot: hidden from people by CSS, filled in by bots that fill every field.
    website = StringField("Leave this field empty", validators=[Optional()])

    @property
    def is_bot(self) -> bool:
        return bool((self.website.data or "").strip())
