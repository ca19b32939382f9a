"""Forms of the console's log-in steps and admin pages (CSRF on every one that posts)."""

from __future__ import annotations

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
from wtforms.validators import DataRequired, EqualTo, Optional, Regexp

from ..auth.forms import current_password_field, email_field, new_password_field
from ..auth.validators import at_most, strip
from ..models import STAFF_ROLES

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
