"""The look-up page as both its views render it: the look-up form, the person found, and
the form recording a choice the person asked us to make (``on_request_views``)."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from ..consent import purposes_from_config
from ..consent.catalogue import CONSENT, LEGITIMATE_INTERESTS, on_request_purposes
from ..console.lookup import PersonRecord
from ..privacy.versions import FIRST_VERSION, all_notices
from .access import current_staff
from .forms import LookupForm, OnRequestForm

PURPOSE_GROUPS = {CONSENT: "Needs the person's consent",
                  LEGITIMATE_INTERESTS: "Runs unless the person objects"}


def _choices() -> dict[str, Any]:
    """The form's choices: the purposes staff may record, by basis, and the notice versions
    published (the draft's "1" before any is, as every page names it)."""
    purposes = purposes_from_config(current_app.config)
    groups: dict[str, list[tuple[str, str, str]]] = {label: [] for label in
                                                      PURPOSE_GROUPS.values()}
    for key in on_request_purposes(purposes):
        purpose = purposes[key]
        groups[PURPOSE_GROUPS[purpose.basis]].append((key, purpose.title, purpose.basis))
    notices = [notice.version for notice in all_notices()] or [FIRST_VERSION]
    return {"purposes": groups, "notices": notices}


def choice_form(submitted: bool = False) -> OnRequestForm:
    """The recording form: as posted (``submitted``) or empty, asked now."""
    if not submitted:
        return OnRequestForm.empty(**_choices())
    form = OnRequestForm()
    form.set_choices(**_choices())
    return form


def render_people(form: LookupForm, status: int = 200, *, record: PersonRecord | None = None,
                  choice: OnRequestForm | None = None, refused: str | None = None,
                  **found: Any) -> tuple[str, int]:
    """The page, with ``record`` when someone was found (and the recording form for them),
    ``refused`` the consent rules' reason when a grant was not recorded."""
    if record is not None and choice is None:
        choice = choice_form()
    user = current_staff()
    return render_template("staff/people.html", form=form, record=record, choice=choice,
                           refused=refused, full_record=user is not None
                           and user.role == "privacy", **found), status
