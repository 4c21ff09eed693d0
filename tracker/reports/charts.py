"""The dashboards' charts as SVG, drawn by pygal on the server.

Each chart is served as an image (`<img src=...svg>`): no script runs in it, and the
page carries the same figures as a table for screen readers and for anyone who would
rather read than look. pygal's own JavaScript (tooltips, loaded from its website) is
switched off: nothing is fetched from elsewhere.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Sequence

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from tracker.assignments.deadlines import COUNTED, OUTCOME_SHORT_LABELS, Outcome
from tracker.formatting import display_number
from tracker.reports.counts import DirectiveSummary
from tracker.reports.trends import IndicatorRanking, Week

# pygal appends an import hook to sys.meta_path for its map plugins (pygal.maps.*), which
# tracker does not use. The hook has only the legacy find_module(), so every later import
# anywhere in the process warns (ImportWarning) as it falls back to it. Take it out.
sys.meta_path[:] = [
    finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"
]

#: The four classes in the colours the pages use for them (.count-* in app.css).
OUTCOME_COLOURS = {
    Outcome.DONE_ON_TIME: "#198754",
    Outcome.DONE_LATE: "#e0a800",
    Outcome.OPEN_WITHIN: "#0d6efd",
    Outcome.OPEN_OVERDUE: "#dc3545",
}
FONT = '"DejaVu Sans", "Segoe UI", Roboto, Arial, "Liberation Sans", sans-serif'
#: Directives drawn in the bar chart (the newest); the table lists them all.
DIRECTIVE_BARS = 12
#: Agencies drawn in the ranking (the best and the worst); the table lists them all.
RANKED_BARS = 40


def _style(colours: Sequence[str]) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        colors=tuple(colours),
        font_family=FONT,
        label_font_size=14,
        major_label_font_size=14,
        legend_font_size=14,
        value_font_size=13,
        title_font_size=16,
        tooltip_font_size=13,
    )


#: pygal writes its configuration into the SVG as a script, even with no script to
#: read it; an image runs no script anyway, and we serve none.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)


def _render(chart) -> bytes:
    return _SCRIPT.sub("", chart.render(is_unicode=True)).encode()


def _options(**extra) -> dict:
    return {
        "js": [],  # no tooltips script: nothing loaded from elsewhere
        "disable_xml_declaration": True,
        "pretty_print": False,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "truncate_label": -1,
        "truncate_legend": -1,
        "print_values": False,
        **extra,
    }


def directive_bars(summaries: Sequence[DirectiveSummary]) -> bytes:
    """Four-way stacked bars, one per directive (the newest DIRECTIVE_BARS)."""
    shown = [summary for summary in summaries if summary.counts.total][:DIRECTIVE_BARS]
    chart = pygal.HorizontalStackedBar(
        style=_style([OUTCOME_COLOURS[outcome] for outcome in COUNTED]),
        width=560,
        height=170 + 44 * max(len(shown), 1),
        **_options(),
    )
    chart.x_labels = [summary.directive.title for summary in reversed(shown)]
    for outcome in COUNTED:
        chart.add(
            _(OUTCOME_SHORT_LABELS[outcome]),
            [summary.counts.get(outcome) for summary in reversed(shown)],
        )
    return _render(chart)


def weekly_rate(weeks: Sequence[Week]) -> bytes:
    """The on-time rate of the deadlines of each week, as a line (gaps where nothing
    was judged)."""
    chart = pygal.Line(
        style=_style(["#0b3a7e"]),
        width=760,
        height=320,
        range=(0, 100),
        show_legend=False,
        y_title=_("Tỷ lệ đúng hạn (%)"),
        x_label_rotation=0,
        dots_size=4,
        allow_interruptions=True,
        **_options(),
    )
    chart.x_labels = [f"{week.starts_on:%d/%m}" for week in weeks]
    chart.add(
        _("Tỷ lệ đúng hạn"),
        [
            None if week.counts.on_time_rate is None else round(week.counts.on_time_rate, 1)
            for week in weeks
        ],
    )
    return _render(chart)


def _ticks(top: float, count: int = 5) -> list[float]:
    """Round ticks from 0 to at least `top`: 0, 2 000, 4 000, ... (at most `count` + 1)."""
    raw = max(top, 1.0) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * n for n in range(count + 2) if step * (n - 1) < top]


def ranking_bars(ranking: IndicatorRanking) -> bytes:
    """Agencies by the indicator's score (their rate, or their number), highest first
    (the best and the worst when there are many)."""
    lines = ranking.lines
    if len(lines) > RANKED_BARS:
        lines = lines[: RANKED_BARS // 2] + lines[-RANKED_BARS // 2 :]
    own_rates = ranking.indicator.agencies_report_denominator
    ticks = (
        [0, 20, 40, 60, 80, 100]
        if own_rates
        else _ticks(max([0.0, *(line.score for line in lines)]))
    )
    chart = pygal.HorizontalBar(
        style=_style(["#0b3a7e"]),
        width=560,
        height=80 + 26 * max(len(lines), 1),
        range=(0, ticks[-1]),
        y_labels=ticks,
        show_legend=False,
        **_options(),
    )
    chart.x_labels = [line.agency_name for line in reversed(lines)]
    if not own_rates:
        chart.value_formatter = display_number
    chart.add(
        ranking.indicator.name,
        [round(line.score, 1 if own_rates else 0) for line in reversed(lines)],
    )
    return _render(chart)
