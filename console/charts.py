"""Small server-rendered SVG charts for the console: a bar chart and a line chart with axis labels.

No JavaScript and nothing fetched from elsewhere: each chart is inline SVG whose colours come from CSS variables
(static/console/dashboard.css), so it follows the admin's light and dark themes. Every chart carries a <title>
and a <desc> that a screen reader announces in place of the picture.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH = 360
HEIGHT = 160
MARGIN_LEFT = 40
MARGIN_RIGHT = 16
MARGIN_TOP = 10
MARGIN_BOTTOM = 24
LABEL_SIZE = 10
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Plot:
    """The drawing area inside the axes, in SVG user units."""

    width: int = WIDTH
    height: int = HEIGHT

    @property
    def left(self):
        return MARGIN_LEFT

    @property
    def right(self):
        return self.width - MARGIN_RIGHT

    @property
    def top(self):
        return MARGIN_TOP

    @property
    def bottom(self):
        return self.height - MARGIN_BOTTOM

    @property
    def inner_width(self):
        return self.right - self.left

    @property
    def inner_height(self):
        return self.bottom - self.top

    def y_for(self, value, y_max):
        return self.bottom - (value / y_max) * self.inner_height if y_max else self.bottom


def bar_chart(bars, *, chart_id, title, desc, y_max=None, unit="", width=WIDTH, height=HEIGHT):
    """`bars` is a list of (label, value); each bar's height is proportional to its value (0 at the axis)."""
    plot = Plot(width, height)
    y_max = y_max or _nice_max(max((value for _, value in bars), default=0))
    slot = plot.inner_width / max(len(bars), 1)
    gap = min(4, slot * 0.2)
    shapes = format_html_join(
        "",
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}{}</title></rect>',
        (
            (
                _n(plot.left + index * slot + gap / 2),
                _n(plot.y_for(value, y_max)),
                _n(slot - gap),
                _n(plot.bottom - plot.y_for(value, y_max)),
                label,
                _format(value),
                unit,
            )
            for index, (label, value) in enumerate(bars)
        ),
    )
    x_labels = _x_labels(plot, [label for label, _ in bars], lambda index: plot.left + (index + 0.5) * slot)
    return _svg(plot, chart_id, title, desc, _y_axis(plot, y_max, unit) + x_labels + shapes)


def line_chart(points, *, chart_id, title, desc, y_max=None, unit="", width=WIDTH, height=HEIGHT):
    """`points` is a list of (label, value or None); a None leaves a gap in the line (no data that day)."""
    plot = Plot(width, height)
    y_max = y_max or _nice_max(max((value for _, value in points if value is not None), default=0))
    step = plot.inner_width / max(len(points) - 1, 1)

    def x_for(index):
        return plot.left + index * step if len(points) > 1 else plot.left + plot.inner_width / 2

    known = [
        (x_for(index), plot.y_for(value, y_max), label, value)
        for index, (label, value) in enumerate(points)
        if value is not None
    ]
    lines = format_html_join(
        "",
        '<polyline class="chart-line" fill="none" points="{}"/>',
        ((" ".join(f"{_n(x)},{_n(y)}" for x, y, _, _ in run),) for run in _runs(points, known)),
    )
    dots = format_html_join(
        "",
        '<circle class="chart-dot" cx="{}" cy="{}" r="3"><title>{}: {}{}</title></circle>',
        ((_n(x), _n(y), label, _format(value), unit) for x, y, label, value in known),
    )
    x_labels = _x_labels(plot, [label for label, _ in points], x_for)
    return _svg(plot, chart_id, title, desc, _y_axis(plot, y_max, unit) + x_labels + lines + dots)


def _runs(points, known):
    """Consecutive stretches of known points, so a missing day breaks the line instead of bridging it."""
    by_label = iter(known)
    runs, current = [], []
    for _, value in points:
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(next(by_label))
    if current:
        runs.append(current)
    return runs


def _svg(plot, chart_id, title, desc, body):
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        plot.width,
        plot.height,
        plot.width,
        plot.height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
        body,
    )


def _y_axis(plot, y_max, unit):
    # A middle tick only where it is a whole number: "2.5 sign-ins" would be an odd label for a count.
    ticks = [0, y_max // 2, y_max] if y_max % 2 == 0 else [0, y_max]
    gridlines = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}{}</text>',
        (
            (
                plot.left,
                plot.right,
                _n(plot.y_for(tick, y_max)),
                _n(plot.y_for(tick, y_max)),
                plot.left - 4,
                _n(plot.y_for(tick, y_max)),
                _format(tick),
                unit,
            )
            for tick in ticks
        ),
    )
    axis = format_html(
        '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}"/>', plot.left, plot.right, plot.bottom, plot.bottom
    )
    return gridlines + axis


def _x_labels(plot, labels, x_for):
    every = max(1, -(-len(labels) // MAX_X_LABELS))
    return format_html_join(
        "",
        '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (_n(x_for(index)), plot.bottom + LABEL_SIZE + 4, label)
            for index, label in enumerate(labels)
            if index % every == 0
        ),
    )


def _nice_max(value):
    """A round number at or above `value` for the top of the y axis (1 when there is nothing to show)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _format(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def _n(number):
    """SVG coordinates with at most one decimal, so the markup stays short."""
    return mark_safe(f"{round(number, 1):g}")
