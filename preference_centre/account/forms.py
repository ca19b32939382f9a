"""Forms for the customer's own details, password and email address."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from .. import clock
from ..auth.forms import NAME_MAX, current_password_field, email_field, new_password_field
from ..auth.validators import at_most, single_line, strip
from ..people import is_phone_number
from .date_input import DateInputField

ADDRESS_MAX = 500
PHONE_MAX = 30
QUESTION_MAX = 200
ANSWER_MAX = 200
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
GENDER_CHOICES = [
    SelectChoice("", "Not given"),
    *(SelectChoice(label, label) for label in (
        "Female", "Male", "Non-binary", "Another gender", "Prefer not to say")),
]


def phone_number(form: FlaskForm, field: StringField) -> None:
    value = field.data or ""
    if value and not is_phone_number(value):
        raise ValidationError("Enter a phone number like 07700 900123 or +44 7700 900123.")


def birth_date(form: FlaskForm, field: DateInputField) -> None:
    if field.data is None:
        return
    if field.data > clock.utcnow().date():
        raise ValidationError("A date of birth cannot be in the future.")
    if field.data < EARLIEST_BIRTH_DATE:
        raise ValidationError(f"Enter a date after {EARLIEST_BIRTH_DATE:%d %B %Y}.")


def _text(label: str, maximum: int, *extra: object, **kwargs: object) -> StringField:
    return StringField(
        label, filters=[strip], validators=[Optional(), at_most(maximum), single_line, *extra],
        render_kw={"maxlength": maximum}, **kwargs,
    )


class ProfileForm(FlaskForm):
    name = _text("Name", NAME_MAX)
    gender = SelectField("Gender", choices=GENDER_CHOICES, validate_choice=True)
    address = TextAreaField(
        "Postal address", filters=[strip],
        validators=[Optional(), at_most(ADDRESS_MAX)], render_kw={"maxlength": ADDRESS_MAX},
    )
    phone = _text("Phone number", PHONE_MAX, phone_number)
    date_of_birth = DateInputField("Date of birth", validators=[Optional(), birth_date])
    security_question = _text("Your question", QUESTION_MAX)
    security_answer = PasswordField(
        "Your answer",
        validators=[Optional(), at_most(ANSWER_MAX), single_line],
        render_kw={"maxlength": ANSWER_MAX, "autocomplete": "off"},
    )

    def allow_stored_gender(self, stored: str | None) -> None:
        """Keep a value written elsewhere (import, staff) selectable, so saving the form
        does not silently drop it."""
        if stored and stored not in {choice.value for choice in GENDER_CHOICES}:
            self.gender.choices = [*GENDER_CHOICES, SelectChoice(stored, stored)]


def gender_choice(stored: str | None) -> str:
    """The form's choice for a stored gender: older records hold ``female`` where the form
    stores ``Female``; anything else is kept as stored."""
    if not stored:
        return ""
    return next((c.value for c in GENDER_CHOICES if c.value.lower() == stored.lower()), stored)


class ContactDetailsForm(FlaskForm):
    """Name and phone number, for someone without an account, on their preference link page.
    That page has no session, so no CSRF token: the signed link is the authority."""

    class Meta:
        csrf = False

    name = ProfileForm.name
    phone = ProfileForm.phone


class PasswordChangeForm(FlaskForm):
    current_password = current_password_field("Current password")
    new_password = new_password_field("New password")


class EmailChangeForm(FlaskForm):
    email = email_field("New email address")


class EndSessionsForm(FlaskForm):
    """Just the CSRF token: the button that ends every other sign-in."""

