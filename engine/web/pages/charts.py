"""Small bar charts drawn as inline SVG on the server: no chart library, no network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

# One colour per platform, readable on white; unknown platforms take the last one.
PLATFORM_COLOURS = {"instagram": "#c13584", "tiktok": "#111827", "youtube": "#dc2626"}
OTHER_COLOUR = "#2563eb"


def colour_of(platform: str) -> str:
    return PLATFORM_COLOURS.get(platform, OTHER_COLOUR)


def stacked_days(per_day: Mapping[str, Mapping[str, int]], *, height: int = 140) -> str:
    """Vertical bars, one per day, stacked by platform: credited posts per day and platform."""
    days = sorted(per_day)
    if not days:
        return ""
    platforms = sorted({p for counts in per_day.values() for p in counts})
    top = max(sum(counts.values()) for counts in per_day.values()) or 1
    bar, gap, left, bottom = 28, 14, 28, 34
    width = left + len(days) * (bar + gap) + gap
    scale = (height - bottom - 12) / top
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" aria-label="credited posts per day and platform">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
             'stroke="#cbd5e1"/>',
             f'<text x="{left - 6}" y="{height - bottom - top * scale + 4:.0f}" '
             f'text-anchor="end" class="axis">{top}</text>']
    for index, day in enumerate(days):
        x = left + gap + index * (bar + gap)
        y = float(height - bottom)
        for platform in platforms:
            count = per_day[day].get(platform, 0)
            if not count:
                continue
            tall = count * scale
            y -= tall
            parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{tall:.1f}" '
                         f'fill="{colour_of(platform)}"><title>{escape(day)} · '
                         f'{escape(platform)}: {count}</title></rect>')
        total = sum(per_day[day].values())
        parts.append(f'<text x="{x + bar / 2}" y="{y - 3:.1f}" text-anchor="middle" '
                     f'class="value">{total}</text>')
        parts.append(f'<text x="{x + bar / 2}" y="{height - bottom + 14}" text-anchor="middle" '
                     f'class="axis">{escape(day[5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(items: Sequence[tuple[str, int]], *, width: int = 360) -> str:
    """One labelled bar per item (top rejection reasons)."""
    if not items:
        return ""
    row, label_width = 22, 150
    height = row * len(items) + 4
    top = max(count for _, count in items) or 1
    scale = (width - label_width - 36) / top
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" aria-label="top rejection reasons">']
    for index, (label, count) in enumerate(items):
        y = index * row + 2
        parts.append(f'<text x="{label_width - 8}" y="{y + 14}" text-anchor="end" '
                     f'class="axis">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{count * scale:.1f}" '
                     f'height="{row - 8}" class="bar-{escape(label)}" rx="2"/>')
        parts.append(f'<text x="{label_width + count * scale + 5:.1f}" y="{y + 14}" '
                     f'class="value">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)
