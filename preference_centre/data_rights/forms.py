"""Forms for erasure, objection, restriction, rectification and emailed export links."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

TEXT_MAX = 2000


def _notes(label: str, required: bool = False) -> TextAreaField:
    check = DataRequired("Tell us what you would like us to do.") if required else Optional()
    return TextAreaField(label, validators=[check, Length(max=TEXT_MAX)],
                         render_kw={"maxlength": TEXT_MAX, "rows": 4})


class DeleteForm(FlaskForm):
    password = PasswordField("Your password", validators=[
        DataRequired("Enter your password."), Length(max=1000)])
    confirm = BooleanField("I understand that this cannot be undone", validators=[
        InputRequired("Tick the box to confirm you want everything erased.")])


class ObjectionForm(FlaskForm):
    purpose = RadioField("What do you object to?", validators=[
        InputRequired("Choose what you object to.")])
    reason = _notes("Why (optional for marketing)")


class RestrictForm(FlaskForm):
    grounds = _notes("Why should we restrict the use of your data? (optional)")


class LiftRestrictionForm(FlaskForm):
    pass


class RectifyForm(FlaskForm):
    details = _notes("What is wrong, and what should it say?", required=True)


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""


class DownloadForm(FlaskForm):
    format = RadioField("Format", default="zip", choices=[
        SelectChoice("zip", "Zip file: JSON, spreadsheets (CSV) and a README"),
        SelectChoice("json", "JSON only (machine-readable)"),
    ], validators=[InputRequired("Choose a format.")])
