"""The console's start page (its figures come with the dashboard's data services)."""

from __future__ import annotations

from flask import render_template

from . import bp
from .access import staff_required


@bp.route("")
@staff_required("all")
def dashboard() -> str:
    return render_template("staff/dashboard.html")
