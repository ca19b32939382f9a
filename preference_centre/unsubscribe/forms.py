"""The optional "why?" form shown after an unsubscribe.

A plain WTForms form, not a FlaskForm: the unsubscribe pages set no cookie, so there is no
session to keep a CSRF token in; the signed receipt in the form is its authority.
"""

from __future__ import annotations

from wtforms import Form, HiddenField, RadioField
from wtforms.validators import AnyOf, Optional

from .services import REASONS


class ReasonForm(Form):
    receipt = HiddenField()
    # The template renders the choices with their labels from REASONS.
    reason = RadioField(
        "Why did you unsubscribe?", choices=list(REASONS), validate_choice=False,
        validators=[Optional(), AnyOf(list(REASONS),
                          message="Choose one of the reasons, or just leave the page.")],
    )
