"""The gap report as a picture a coordinator can drop into a slide or a funding bid.

matplotlib is imported inside the function: it takes a second or more to load, and the bot must
start fast whether or not anyone asks for a chart. The object API (Figure, not pyplot) keeps no
global state, so a chart can be drawn in a worker thread while the bot answers others.
"""

from __future__ import annotations

import io

from bot import messages as m
from bot.i18n.current import speaking
from bot.i18n.languages import ENGLISH
from bot.services.reports import GapReport, period_label

TOP_BARS = 12


def _plain(label: str) -> str:
    """matplotlib reads text between dollar signs as maths; a need's name is only ever words."""
    return label.replace("$", r"\$")


def gap_chart(report: GapReport) -> bytes:
    """A PNG horizontal bar chart of the most unmet needs (at most TOP_BARS), biggest at the top.
    Empty bytes when there is nothing to draw: the caller says so in words instead. Its words are
    English whoever asks: the chart's font has no Arabic, Gurmukhi or Gujarati letters to draw
    (the message around it is in the coordinator's language)."""
    with speaking(ENGLISH):
        return _draw(report)


def _draw(report: GapReport) -> bytes:
    needs = report.by_need()[:TOP_BARS]
    if not needs:
        return b""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 1.6 + 0.45 * len(needs)), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    labels = [_plain(n.need) for n in reversed(needs)]
    bars = axes.barh(labels, [n.unmet for n in reversed(needs)], color="#2a6f97")
    axes.bar_label(bars, padding=3)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(m.CHART_AXIS)
    axes.set_title(_plain(m.CHART_TITLE.format(period=period_label(report.since, report.until))))
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
