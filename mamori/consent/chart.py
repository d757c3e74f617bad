"""Consent rates per category and site over time, counted in SQL and drawn as server-side SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.html import escape

from mamori.consent.models import ConsentEvent, ConsentMethod

# Events that are a decision about the categories (an expiry only closes an old one).
DECISIONS = (ConsentMethod.CLICK, ConsentMethod.GPC, ConsentMethod.DNT, ConsentMethod.WITHDRAWAL, ConsentMethod.OPT_OUT)
COLOURS = ("#0b63ce", "#c2410c", "#15803d", "#7c3aed", "#be123c", "#0f766e", "#a16207")


@dataclass
class SiteRates:
    site: str
    days: list[date]
    totals: list[int]
    rates: dict[str, list[float | None]]  # category -> share of decisions granting it, per day


def consent_rates(sites: dict[str, list[str]], days: int = 30, today: date | None = None) -> list[SiteRates]:
    """`sites` maps each site to its optional categories; one grouped query per site."""
    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    axis = [start + timedelta(days=offset) for offset in range(days)]
    result = []
    for site, categories in sites.items():
        counts = {
            f"c_{index}": Count("id", filter=Q(granted__contains=f",{category},"))
            for index, category in enumerate(categories)
        }
        rows = (
            ConsentEvent.objects.filter(site=site, method__in=DECISIONS, recorded_at__date__gte=start)
            .annotate(day=TruncDate("recorded_at"))
            .values("day")
            .annotate(total=Count("id"), **counts)
        )
        by_day: dict[date, dict[str, Any]] = {row["day"]: dict(row) for row in rows}
        totals = [by_day.get(day, {}).get("total", 0) for day in axis]
        rates: dict[str, list[float | None]] = {}
        for index, category in enumerate(categories):
            rates[category] = [
                (by_day[day][f"c_{index}"] / by_day[day]["total"]) if day in by_day and by_day[day]["total"] else None
                for day in axis
            ]
        result.append(SiteRates(site, axis, totals, rates))
    return result


def svg(rates: SiteRates, names: dict[str, str], title: str) -> str:
    """A line per category, 0-100 %, one point per day with decisions (gaps where there were none)."""
    width, height, left, bottom, top, right = 640, 240, 40, 24, 10, 10
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(rates.days) - 1, 1)

    def x(index: int) -> float:
        return left + plot_w * index / count

    def y(value: float) -> float:
        return top + plot_h * (1 - value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20 * len(rates.rates)}" '
        f'role="img" aria-label="{escape(title)}" class="consent-chart"><title>{escape(title)}</title>'
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end">{int(tick * 100)}%</text>'
        )
    for index in (0, len(rates.days) - 1):
        parts.append(
            f'<text x="{x(index):.1f}" y="{height - 6}" font-size="10" text-anchor="middle">'
            f"{rates.days[index]:%m-%d}</text>"
        )
    for number, (category, values) in enumerate(rates.rates.items()):
        colour = COLOURS[number % len(COLOURS)]
        segments: list[list[str]] = [[]]
        for index, value in enumerate(values):
            if value is None:
                segments.append([])
                continue
            segments[-1].append(f"{x(index):.1f},{y(value):.1f}")
            parts.append(
                f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(names.get(category, category))} {rates.days[index]}: "
                f"{value * 100:.0f}%</title></circle>"
            )
        for segment in segments:
            if len(segment) > 1:
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(segment)}"/>')
        legend_y = height + 14 + 20 * number
        parts.append(
            f'<rect x="{left}" y="{legend_y - 9}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 18}" y="{legend_y + 1}" font-size="12">'
            f"{escape(names.get(category, category))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
