"""The weekly opt-in / opt-out chart as SVG drawn on the server: readable without JavaScript,
named for screen readers (``<title>``, ``<desc>``), and drawn in ``currentColor`` and CSS
system colours so Windows high-contrast mode repaints it. The series is not told apart by
colour alone: opt-ins are solid bars, opt-outs outlined ones, and the legend says so."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .dashboard import WeekFigures

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 36, 64
TICKS = 4


def _nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^n at least ``value`` (at least TICKS)."""
    top = max(value, TICKS)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor * TICKS >= top:
                return step * factor * TICKS
        step *= 10


def weekly_chart_svg(series: Sequence[WeekFigures], title: str = "Opt-ins and opt-outs per week"
                     ) -> Markup:
    """An accessible SVG bar chart of ``series`` (oldest week first)."""
    weeks = list(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_top(max([w.opt_ins for w in weeks] + [w.opt_outs for w in weeks] + [0]))
    ins, outs = sum(w.opt_ins for w in weeks), sum(w.opt_outs for w in weeks)
    span = f"{weeks[0].label} to {weeks[-1].label}" if weeks else "no weeks"
    desc = (f"Bar chart, {len(weeks)} weeks from {span}: {ins:,} opt-ins (solid bars) and "
            f"{outs:,} opt-outs (outlined bars) in all. The same figures are in the table "
            "below the chart.")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="weekly-chart-title weekly-chart-desc" class="weekly-chart" '
        'style="color: CanvasText; background: Canvas; max-width: 100%; height: auto">',
        f'<title id="weekly-chart-title">{escape(title)}</title>',
        f'<desc id="weekly-chart-desc">{escape(desc)}</desc>',
        '<g font-family="sans-serif" font-size="11" fill="currentColor">',
    ]
    # Legend.
    parts += [
        f'<rect x="{LEFT}" y="8" width="12" height="12" fill="currentColor"/>',
        f'<text x="{LEFT + 18}" y="18">Opt-ins</text>',
        f'<rect x="{LEFT + 90}" y="8.5" width="11" height="11" fill="none" '
        'stroke="currentColor" stroke-width="1.5"/>',
        f'<text x="{LEFT + 108}" y="18">Opt-outs</text>',
    ]
    # Value axis with gridlines.
    for n in range(TICKS + 1):
        value = top * n // TICKS
        y = TOP + plot_h - plot_h * n / TICKS
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="GrayText" stroke-width="0.5"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:,}</text>')
    parts.append(f'<text transform="translate(14 {TOP + plot_h / 2:.0f}) rotate(-90)" '
                 'text-anchor="middle">People</text>')
    # Bars: two per week.
    slot = plot_w / max(len(weeks), 1)
    bar = max(slot * 0.38, 1.0)
    for index, week in enumerate(weeks):
        x = LEFT + index * slot + slot * 0.1
        for offset, value, solid in ((0.0, week.opt_ins, True), (bar, week.opt_outs, False)):
            height = plot_h * value / top
            y = TOP + plot_h - height
            style = ('fill="currentColor"' if solid else
                     'fill="none" stroke="currentColor" stroke-width="1"')
            label = f"{week.label}: {value:,} {'opt-ins' if solid else 'opt-outs'}"
            parts.append(f'<rect x="{x + offset:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                         f'height="{height:.1f}" {style}><title>{escape(label)}</title></rect>')
        if index % 4 == 0:  # about one label a month, slanted so that they do not overlap
            lx, ly = x + bar, TOP + plot_h + 12
            parts.append(f'<text x="{lx:.1f}" y="{ly}" text-anchor="end" '
                         f'transform="rotate(-35 {lx:.1f} {ly})">{escape(week.label)}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
                 f'y2="{TOP + plot_h}" stroke="currentColor"/>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 6}" '
                 'text-anchor="middle">ISO week (starting Monday)</text>')
    parts.append("</g></svg>")
    return Markup("\n".join(parts))  # noqa: S704 - numbers, and text passed through escape()
