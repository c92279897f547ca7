"""Bar charts as inline SVG: the monitor's figures, one per indicator, and the audit's trend.

Each chart has a group of bars per year and a bar per area in it, coloured by area (the
page's legend names the colours), each bar with its value above it and a tooltip; a
column without a figure has no bar. The scale is the indicator's own largest value, so a
chart compares years and areas of one indicator, never two indicators.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from chaingraph.monitor import Column, Row
from chaingraph.web.cases import Month

WIDTH, HEIGHT = 380, 190
TOP, BOTTOM, SIDE = 22, 34, 8


def bars(row: Row, columns: Sequence[Column], *, number: Callable[[int], str]) -> Markup:
    """Draw ``row``'s values over ``columns`` (years × areas); ``number`` writes a value.

    Example:
        >>> columns = [Column("2019", "a", "2019", "A"), Column("2019", "b", "2019", "B")]
        >>> picture = bars(Row("i", "reports <x>", {0: 40, 1: 10}), columns, number=str)
        >>> picture.count("<rect"), "reports &lt;x&gt;" in picture
        (2, True)
    """
    years: list[str] = []
    areas: list[str] = []
    for column in columns:
        if column.year_label not in years:
            years.append(column.year_label)
        if column.area not in areas:
            areas.append(column.area)
    most = max(row.values.values(), default=0) or 1
    group = (WIDTH - 2 * SIDE) / max(len(years), 1)
    bar = min(34.0, (group - 14) / max(len(areas), 1))
    plot = HEIGHT - TOP - BOTTOM
    parts = [f'<line class="ch-base" x1="{SIDE}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - SIDE}" '
             f'y2="{HEIGHT - BOTTOM}"/>']
    for y, year in enumerate(years):
        left = SIDE + y * group + (group - bar * len(areas)) / 2
        parts.append(f'<text class="ch-year" x="{SIDE + (y + .5) * group:.1f}" '
                     f'y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{escape(year)}</text>')
        for i, column in enumerate(columns):
            if column.year_label != year or i not in row.values:
                continue
            a = areas.index(column.area)
            value = row.values[i]
            height = max(plot * value / most, 1)
            x, top = left + a * bar, HEIGHT - BOTTOM - height
            tip = escape(f"{row.label}, {column.year_label}, {column.area_label}: {number(value)}")
            parts.append(f'<g class="ch-bar ch-area-{a}"><rect x="{x + 1:.1f}" y="{top:.1f}" '
                         f'width="{bar - 2:.1f}" height="{height:.1f}"/>'
                         f'<text x="{x + bar / 2:.1f}" y="{top - 4:.1f}" text-anchor="middle">'
                         f"{escape(number(value))}</text><title>{tip}</title></g>")
    # escaped above: every label and value went through markupsafe.escape
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-bars" role="img" '
                  f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%"><title>{escape(row.label)}'
                  f"</title>" + "".join(parts) + "</svg>")


def trend(months: Sequence[Month], *, title: str, running: str, with_findings: str) -> Markup:
    """Draw the cases running per month with, in front, those with findings (red).

    ``running`` and ``with_findings`` are the words of the two kinds of bar in the tooltips.

    Example:
        >>> picture = trend([Month("2021-01", 4, 1), Month("2021-02", 2, 0)], title="t",
        ...                 running="running", with_findings="with findings")
        >>> picture.count('class="tr-running"'), picture.count('class="tr-findings"')
        (2, 1)
    """
    width, height, left, bottom = 900, 200, 36, 30
    most = max((m.running for m in months), default=0) or 1
    step = (width - left - 8) / max(len(months), 1)
    every = max(1, int(60 // step) + 1)  # a month's label at least about 60 px apart
    plot = height - bottom - 12
    parts = [f'<line class="ch-base" x1="{left}" y1="{height - bottom}" x2="{width - 8}" '
             f'y2="{height - bottom}"/>',
             f'<text class="ch-year" x="{left - 4}" y="{height - bottom - plot + 4}" '
             f'text-anchor="end">{most}</text>',
             f'<text class="ch-year" x="{left - 4}" y="{height - bottom}" '
             f'text-anchor="end">0</text>']
    for i, month in enumerate(months):
        x = left + i * step
        for kind, n, word in (("tr-running", month.running, running),
                              ("tr-findings", month.with_findings, with_findings)):
            if not n:
                continue
            h = plot * n / most
            parts.append(f'<rect class="{kind}" x="{x + 1:.1f}" y="{height - bottom - h:.1f}" '
                         f'width="{max(step - 2, 1):.1f}" height="{h:.1f}">'
                         f"<title>{escape(month.month)}: {n} {escape(word)}</title></rect>")
        if i % every == 0:
            parts.append(f'<text class="ch-year" x="{x + step / 2:.1f}" y="{height - 10}" '
                         f'text-anchor="middle">{escape(month.month)}</text>')
    # escaped above: the words and months went through markupsafe.escape
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-trend" role="img" '
                  f'viewBox="0 0 {width} {height}" width="100%"><title>{escape(title)}</title>'
                  + "".join(parts) + "</svg>")
