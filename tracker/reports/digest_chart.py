"""The weekly digest's chart: a PNG for a phone screen (1080 × 1350 px), the indicator
by agency and its province-wide trend, or the four-way count by task when the directive
has no indicator.

Drawn with matplotlib's Agg renderer in the DejaVu Sans that matplotlib itself ships
(it has every Vietnamese letter), so the picture never depends on the host's fonts.
matplotlib is imported when a chart is drawn, not when the app starts.
"""

from __future__ import annotations

import io
from pathlib import Path

from tracker.formatting import format_date, format_number, format_percent
from tracker.reports.digest import Digest

#: Pixels: a phone's portrait screen (4:5).
WIDTH, HEIGHT = 1080, 1350
DPI = 150
#: Agencies drawn at most: the highest and the lowest halves when there are more.
BARS = 24

BLUE, GREEN, AMBER, RED, GREY = "#0b3a7e", "#1e7b34", "#c98a00", "#b02a37", "#6c757d"


def _font():
    from matplotlib import font_manager, get_data_path  # noqa: PLC0415 (heavy: on demand)

    bundled = Path(get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return font_manager.FontProperties(fname=str(bundled))


def png(digest: Digest) -> bytes:
    import matplotlib  # noqa: PLC0415 (heavy: on demand)

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # noqa: PLC0415

    font = _font()
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    week = f"{format_date(digest.starts_on)} – {format_date(digest.ends_on)}"
    title = f"{digest.directive.title} · tuần {week}"
    figure.suptitle(title, fontproperties=font, fontsize=11, fontweight="bold", y=0.985)
    if digest.ranking is not None and digest.ranking.lines:
        bars, trend = figure.subplots(2, 1, height_ratios=[3, 1])
        _ranking(bars, digest, font)
        _trend(trend, digest, font)
    else:
        _counts(figure.subplots(1, 1), digest, font)
    figure.tight_layout(rect=(0, 0, 1, 0.96))
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _ranking(axes, digest: Digest, font) -> None:
    ranking = digest.ranking
    assert ranking is not None
    lines = ranking.lines
    if len(lines) > BARS:
        lines = lines[: BARS // 2] + lines[-(BARS // 2) :]
    indicator = ranking.indicator
    own_rates = indicator.agencies_report_denominator
    target = float(indicator.target) if indicator.target is not None and own_rates else None
    names = [line.agency_name for line in lines][::-1]
    scores = [line.score for line in lines][::-1]
    if target is None:
        colours = [BLUE for _score in scores]
    else:
        colours = [
            GREEN if score >= target else AMBER if score >= target - 20 else RED for score in scores
        ]
    axes.barh(range(len(scores)), scores, color=colours)
    axes.set_yticks(range(len(names)), names, fontproperties=font, fontsize=7)
    ceiling = max(100.0 if own_rates else 1.0, target or 0.0, *scores)
    axes.set_xlim(0, ceiling * 1.16)
    for position, score in enumerate(scores):
        axes.text(
            score + ceiling / 100,
            position,
            format_percent(score) if own_rates else format_number(score),
            va="center",
            fontproperties=font,
            fontsize=6.5,
            zorder=3,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
        )
    if target is not None:
        axes.axvline(target, color=GREY, linestyle="--", linewidth=1, zorder=2)
    province = ranking.province
    if own_rates and province.rate is not None:
        axes.axvline(province.rate, color=BLUE, linewidth=1.5, zorder=2)
    shown = (
        ""
        if len(ranking.lines) <= BARS
        else f" ({BARS} trong {len(ranking.lines)} đơn vị: cao nhất và thấp nhất)"
    )
    if own_rates:
        legend = f"Toàn tỉnh {format_percent(province.rate)} (đường liền)"
        if target is not None:
            legend += f" · mục tiêu {format_percent(target)} (đường đứt)"
    else:
        legend = f"{indicator.numerator_label} ({indicator.unit}) · toàn tỉnh {province.describe()}"
    axes.set_title(
        f"{indicator.name}{shown}\n{legend}",
        fontproperties=font,
        fontsize=8,
        loc="left",
    )
    for label in axes.get_xticklabels():
        label.set_fontproperties(font)
    axes.tick_params(axis="x", labelsize=7)


def _trend(axes, digest: Digest, font) -> None:
    points = [
        (day, figure.headline)
        for day, figure in digest.trend
        if figure is not None and figure.headline is not None
    ]
    labels = [format_date(day)[:5] for day, _value in points]
    axes.plot(range(len(points)), [value for _day, value in points], marker="o", color=BLUE)
    axes.set_xticks(range(len(points)), labels, fontproperties=font, fontsize=7)
    assert digest.ranking is not None
    indicator = digest.ranking.indicator
    if indicator.is_ratio:
        axes.set_ylim(0, 105)
        title = "Toàn tỉnh, cuối mỗi tuần (%)"
    else:
        axes.set_ylim(0, max([1.0, *(value for _day, value in points)]) * 1.1)
        title = f"Toàn tỉnh, cuối mỗi tuần ({indicator.unit})"
    axes.set_title(title, fontproperties=font, fontsize=8, loc="left")
    for label in axes.get_yticklabels():
        label.set_fontproperties(font)
    axes.tick_params(axis="y", labelsize=7)


def _counts(axes, digest: Digest, font) -> None:
    counts = digest.counts
    parts = [
        ("Hoàn thành đúng hạn", counts.done_on_time, GREEN),
        ("Hoàn thành quá hạn", counts.done_late, AMBER),
        ("Đang thực hiện trong hạn", counts.open_within, BLUE),
        ("Quá hạn chưa hoàn thành", counts.open_overdue, RED),
    ]
    axes.barh(range(4), [value for _label, value, _colour in parts], color=[c for *_x, c in parts])
    axes.set_yticks(range(4), [label for label, *_rest in parts], fontproperties=font, fontsize=8)
    axes.invert_yaxis()
    axes.set_title(
        f"Tiến độ đến ngày {format_date(digest.as_of)}: {counts.total} nhiệm vụ",
        fontproperties=font,
        fontsize=9,
        loc="left",
    )
