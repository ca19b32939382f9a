"""Forms of the console's log-in steps and admin pages (CSRF on every one that posts)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Optional,
    Regexp,
    StopValidation,
)

from .. import clock
from ..account.date_input import DateInputField
from ..auth.forms import current_password_field, email_field, new_password_field
from ..auth.validators import at_most, strip
from ..consent.ledger import ASKED_BY
from ..consent.rules import WORDING_MAX
from ..models import STAFF_ROLES
from ..preferences.history import UK_TIME

ROLE_CHOICES = [SelectChoice(role, role.capitalize()) for role in STAFF_ROLES]


class StaffLoginForm(FlaskForm):
    email = email_field("Work email address")
    password = current_password_field()


class CodeForm(FlaskForm):
    code = StringField(
        "6-digit code from your authenticator app",
        filters=[lambda value: "".join(value.split()) if isinstance(value, str) else value],
        validators=[DataRequired("Enter the 6-digit code."),
                    Regexp(r"^\d{6}$", message="Enter the 6 digits, without letters.")],
        render_kw={"inputmode": "numeric", "maxlength": 8, "spellcheck": "false"},
    )


class RecoveryForm(FlaskForm):
    code = StringField(
        "Recovery code", filters=[strip],
        validators=[DataRequired("Enter one of your recovery codes."), at_most(40)],
        render_kw={"maxlength": 40, "spellcheck": "false", "autocapitalize": "none"},
    )


class SetupForm(FlaskForm):
    password = new_password_field("Choose a password")
    confirm = PasswordField("Type the password again", validators=[
        DataRequired("Type the password again."),
        EqualTo("password", message="The two passwords are not the same.")])


class NewStaffForm(FlaskForm):
    email = email_field("Their work email address")
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])


class RoleForm(FlaskForm):
    role = SelectField("New role", choices=ROLE_CHOICES, validators=[DataRequired()])


class AuditFilterForm(FlaskForm):
    """Filters in the address (GET), so a filtered page can be bookmarked: no CSRF needed
    for a form that changes nothing."""

    class Meta:
        csrf = False

    who = SelectField("Who", choices=[], validators=[Optional()])
    action = SelectField("Action", choices=[], validators=[Optional()])
    since = DateField("From (date)", validators=[Optional()])
    until = DateField("To (date)", validators=[Optional()])


class LookupForm(FlaskForm):
    """The look-up as a POST, so the address typed is not in the page's address (nor in any
    access log); ``LookupQueryForm`` reads the contract's ``/staff/people?email=...``."""

    email = StringField(
        "Email address", filters=[strip],
        validators=[DataRequired("Enter the email address to look up."), at_most(320)],
        render_kw={"spellcheck": "false", "autocapitalize": "none", "autocomplete": "off"},
    )


class LookupQueryForm(LookupForm):
    class Meta:
        csrf = False


CAMPAIGN_CHANNELS = [SelectChoice("email", "Email"), SelectChoice("sms", "Text message")]


class CampaignForm(FlaskForm):
    """A campaign's text. ``key`` is made when the empty form is shown: the same form sent
    again (a double click, a reload, the back button) finds the same campaign."""

    key = HiddenField(validators=[DataRequired("This form has expired. Please open it again."),
                                  at_most(64)])
    topic = SelectField("Topic", choices=[], validators=[DataRequired("Choose a topic.")])
    channel = RadioField("Send by", choices=CAMPAIGN_CHANNELS, default="email",
                         validators=[DataRequired("Choose email or text message.")])
    subject = StringField("Subject (email only)", filters=[strip], validators=[at_most(200)])
    body_text = TextAreaField("Message", validators=[
        DataRequired("Write the message."), at_most(20000)], render_kw={"rows": 10})
    body_html = TextAreaField("HTML version (optional, email only)", validators=[
        Optional(), at_most(100000)], render_kw={"rows": 8, "spellcheck": "false"})


# The choice a person asked for. Without script both words show; the page's script names
# just the one that fits the chosen purpose ("stop (objection)" for post and phone).
ON_REQUEST_CHOICES = [SelectChoice("off", "Turn off / stop (objection)"),
                      SelectChoice("on", "Turn on / allow")]
ASKED_BY_CHOICES = [SelectChoice(key, words.capitalize()) for key, words in ASKED_BY.items()]
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def date_given(form: FlaskForm, field: DateInputField) -> None:
    """A date is needed; one typed wrong already says what is wrong (once)."""
    if field.data is None:
        raise StopValidation("" if field.process_errors else "Enter the date the person asked.")


class OnRequestForm(FlaskForm):
    """A choice a person asked a colleague to record for them. ``purpose`` and
    ``notice_version`` get their choices from the view (the catalogue, the published
    notices); ``asked_at`` is the moment typed, in UK time, as UTC (after ``validate``)."""

    purpose = SelectField("Purpose", choices=[], validators=[
        DataRequired("Choose the purpose the person asked about.")])
    choice = RadioField("What the person asked for", choices=ON_REQUEST_CHOICES,
                        validators=[InputRequired("Choose turn off or turn on.")])
    asked_by = RadioField("How the person asked", choices=ASKED_BY_CHOICES,
                          validators=[InputRequired("Choose how the person asked.")])
    asked_on = DateInputField("Date they asked", validators=[date_given])
    asked_time = StringField(
        "Time they asked", filters=[strip],
        validators=[DataRequired("Enter the time the person asked."),
                    Regexp(_TIME, message="Enter the time on the 24-hour clock, for "
                           "example 09:30 or 14:05.")],
        render_kw={"inputmode": "numeric", "maxlength": 5, "autocomplete": "off",
                   "spellcheck": "false"})
    notice_version = SelectField("Privacy notice they were given", choices=[],
                                 validators=[Optional()])
    wording = TextAreaField("Or the wording they agreed to", filters=[strip],
                            validators=[Optional(), at_most(WORDING_MAX)],
                            render_kw={"rows": 3})

    asked_at: datetime | None = None

    @classmethod
    def empty(cls, **choices: Any) -> OnRequestForm:
        """The form as first shown: asked today, now (UK time), nothing else chosen."""
        now = clock.utcnow().astimezone(UK_TIME)
        form = cls(formdata=None, asked_on=now.date(), asked_time=f"{now:%H:%M}")
        form.set_choices(**choices)
        return form

    def set_choices(self, purposes: dict[str, list[tuple[str, str, str]]],
                    notices: list[str]) -> None:
        """``purposes``: optgroup label -> [(key, title, basis)]; ``notices``: the
        published versions, newest first."""
        self.purpose.choices = {None: [("", "Choose a purpose")], **{
            group: [(key, title, {"data-basis": basis}) for key, title, basis in found]
            for group, found in purposes.items() if found}}
        self.notice_version.choices = [("", "None: wording given below")] + [
            (version, f"Version {version}") for version in notices]

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then what needs two of them, so every problem is told at once."""
        valid = super().validate(extra_validators)
        if self.asked_on.data and self.asked_time.data and not self.asked_time.errors:
            hours, minutes = (int(part) for part in _TIME.match(self.asked_time.data).groups())
            local = datetime.combine(self.asked_on.data, datetime.min.time()).replace(
                hour=hours, minute=minutes, tzinfo=UK_TIME)
            self.asked_at = local.astimezone(UTC)
            if self.asked_at > clock.utcnow():
                self.asked_on.errors.append("The date and time the person asked cannot be "
                                            "in the future.")
                valid = False
        if self.choice.data == "on" and not (self.notice_version.data or self.wording.data) \
                and not self.notice_version.errors:
            self.notice_version.errors.append(
                "To turn something on, choose the privacy notice the person was given or "
                "type the wording they agreed to.")
            valid = False
        return valid
