"""Charts drawn on the server as SVG: no script, no external library, works offline.

A horizontal bar chart reads well on a phone and fits long labels (region names).  Bar
lengths are integer arithmetic on the values (counts or cents), never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

LABEL_WIDTH = 200  # at least; wider for longer labels (`_label_width`)
BAR_AREA = 300
VALUE_WIDTH = 140  # the value beside the longest bar
#: What one character of a label takes at the labels' 13 px, generously (Cyrillic and
#: Kazakh letters are wider than Latin): no label is cut at the chart's left edge.
CHARACTER_WIDTH = 8
ROW_HEIGHT = 26
BAR_HEIGHT = 18


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, int | None, str]],
) -> Markup:
    """Bars of (label, value or None when hidden, the value as the table shows it)."""
    largest = max((value for _, value, _ in bars if value is not None), default=0)
    height = ROW_HEIGHT * len(bars) + 8
    label_width = _label_width(label for label, _, _ in bars)
    width = label_width + BAR_AREA + VALUE_WIDTH
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for row, (label, value, shown) in enumerate(bars):
        y = 4 + row * ROW_HEIGHT
        middle = y + BAR_HEIGHT // 2 + 5
        parts.append(
            f'<text x="{label_width - 8}" y="{middle}" text-anchor="end" '
            f'class="chart-label">{escape(label)}</text>'
        )
        length = 0
        if value is not None and largest > 0 and value > 0:
            length = max(1, value * BAR_AREA // largest)
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
                f'class="chart-bar"><title>{escape(label)}: {escape(shown)}</title></rect>'
            )
        parts.append(
            f'<text x="{label_width + length + 6}" y="{middle}" '
            f'class="chart-value">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _label_width(labels: Iterable[str]) -> int:
    """The room the labels take: the longest one's, and at least `LABEL_WIDTH`."""
    return max([LABEL_WIDTH, *(CHARACTER_WIDTH * len(label) + 16 for label in labels)])
