"""The console's start page, for every role: who may and may not be contacted per channel
and topic (and why not), opt-ins and opt-outs per week as a chart with its table, and the
latest reasons people gave for unsubscribing."""

from __future__ import annotations

from flask import render_template

from ..console.chart import weekly_chart_svg
from ..console.dashboard import dashboard_figures, latest_feedback
from ..unsubscribe.services import REASONS as FEEDBACK_REASONS
from . import bp
from .access import staff_required


@bp.route("")
@staff_required("all")
def dashboard() -> str:
    figures = dashboard_figures()
    return render_template(
        "staff/dashboard.html", figures=figures,
        chart=weekly_chart_svg(figures.weeks,
                               title="Opt-ins and opt-outs per week, last 12 months"),
        feedback=latest_feedback(), feedback_words=FEEDBACK_REASONS)
