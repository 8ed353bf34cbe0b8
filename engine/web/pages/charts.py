"""Small bar charts drawn as inline SVG on the server: no chart library, no network, no script.

The SVG carries no ``style`` attribute (the Content-Security-Policy refuses inline styles):
colours are ``fill`` presentation attributes or classes of the page's style sheet. Every chart
is an image with a text label (``role="img"``, ``aria-label``) and a ``<title>`` per bar;
pages give the same figures in a table beside it for screen readers and copying.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import NamedTuple

# One colour per platform, readable on white; unknown platforms take the last one.
PLATFORM_COLOURS = {"instagram": "#c13584", "tiktok": "#111827", "youtube": "#dc2626"}
OTHER_COLOUR = "#2563eb"


def colour_of(platform: str) -> str:
    """The colour of ``platform``'s bars and legend swatch (``#rrggbb``)."""
    return PLATFORM_COLOURS.get(platform, OTHER_COLOUR)


class Bar(NamedTuple):
    """One bar (or one segment of a stacked column): ``value`` sets its length, ``shown`` is
    the value as the page writes it (formatted for the reader's language), ``paint`` its
    colour (``#rrggbb``) or, starting with ``.``, a class of the style sheet, ``title`` its
    tooltip (``label: shown`` when empty)."""

    label: str
    value: float
    shown: str
    paint: str = OTHER_COLOUR
    title: str = ""


def _paint(paint: str) -> str:
    """The SVG attribute giving a bar its colour: ``fill`` or ``class``."""
    if paint.startswith("."):
        return f'class="{escape(paint[1:])}"'
    return f'fill="{escape(paint)}"'


def _tooltip(bar: Bar) -> str:
    return f"<title>{escape(bar.title or f'{bar.label}: {bar.shown}')}</title>"


def _svg(width: int, height: int, label: str) -> str:
    return (f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" aria-label="{escape(label)}">')


def columns(stacks: Sequence[tuple[str, Sequence[Bar], str]], *, label: str,
            height: int = 160, bar: int = 34) -> str:
    """Vertical columns, one per ``(axis label, segments, total shown)``, each made of its
    segments stacked bottom-up (zero or negative values are not drawn) with the total above
    it; ``label`` names the chart for screen readers. Empty input gives ``""``."""
    if not stacks:
        return ""
    top = max(sum(max(s.value, 0) for s in segments) for _, segments, _ in stacks) or 1
    gap, left, bottom = 12, 4, 34
    width = left + len(stacks) * (bar + gap) + gap
    scale = (height - bottom - 16) / top
    parts = [_svg(width, height, label),
             f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
             'stroke="#cbd5e1"/>']
    for index, (axis, segments, total) in enumerate(stacks):
        x = left + gap + index * (bar + gap)
        y = float(height - bottom)
        for segment in segments:
            if segment.value <= 0:
                continue
            tall = segment.value * scale
            y -= tall
            parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{tall:.1f}" '
                         f'{_paint(segment.paint)}>{_tooltip(segment)}</rect>')
        parts.append(f'<text x="{x + bar / 2}" y="{y - 3:.1f}" text-anchor="middle" '
                     f'class="value">{escape(total)}</text>')
        parts.append(f'<text x="{x + bar / 2}" y="{height - bottom + 14}" text-anchor="middle" '
                     f'class="axis">{escape(axis)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def rows(bars: Sequence[Bar], *, label: str, width: int = 380, label_width: int = 150) -> str:
    """One horizontal bar per item, its label on the left and its value at its end; ``label``
    names the chart for screen readers. Empty input gives ``""``."""
    if not bars:
        return ""
    row = 22
    height = row * len(bars) + 4
    top = max(max(item.value, 0) for item in bars) or 1
    scale = (width - label_width - 60) / top
    parts = [_svg(width, height, label)]
    for index, item in enumerate(bars):
        y = index * row + 2
        length = max(item.value, 0) * scale
        parts.append(f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end" '
                     f'class="axis">{escape(item.label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" '
                     f'height="{row - 8}" {_paint(item.paint)} rx="2">{_tooltip(item)}</rect>')
        parts.append(f'<text x="{label_width + length + 5:.1f}" y="{y + 14}" '
                     f'class="value">{escape(item.shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_days(per_day: Mapping[str, Mapping[str, int]], *, height: int = 140) -> str:
    """Vertical bars, one per day, stacked by platform: credited posts per day and platform."""
    stacks = [(day[5:], [Bar(platform, count, str(count), colour_of(platform),
                             f"{day} · {platform}: {count}")
                         for platform, count in sorted(per_day[day].items())],
               str(sum(per_day[day].values()))) for day in sorted(per_day)]
    return columns(stacks, label="credited posts per day and platform", height=height, bar=28)


def horizontal_bars(items: Sequence[tuple[str, int]], *, width: int = 360) -> str:
    """One labelled bar per item (top rejection reasons), coloured by the class
    ``bar-<label>`` of the style sheet."""
    return rows([Bar(label, count, str(count), f".bar-{label}") for label, count in items],
                label="top rejection reasons", width=width)
