"""The timeline of a case as SVG: lanes, labelled bars on a time axis, marks.

One lane for the case's period, one per phase (its owners as bars, a gap in red, an
overlap in orange), one for the instruments, and one per organisation (the phases it
owned as bars, the events it took part in as marks); events without an organisation get
a lane of their own. Bars that share a lane and a period are stacked in rows so that no
two overlap; a label that does not fit its bar is cut, and every bar and mark carries its
whole text as a tooltip (``<title>``). A dashed line marks the day the page is about, when
it falls within the picture.

The picture is drawn with SVG presentation attributes and the classes of
``pictures.css`` (:mod:`chaingraph.pictures`), no ``style`` attribute and no script, so it
passes a strict Content Security Policy; every text is escaped. It scales to the width of
the page and prints. The web app's case page and the exports (``chaingraph export timeline
--format svg|png|html``) draw it here; a standalone picture gets a visible heading and a
legend (``heading``, ``legend``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape as markup_escape

from chaingraph import escape as text_escape
from chaingraph.export.views import Item

WIDTH = 1200
LEFT = 220  # the lane names
RIGHT = 16
ROW = 24
BAR = 18
AXIS = 34
CHAR = 6.8  # the width of a character at 12 px, about
NAME_CHAR = 8.2  # ... and of a lane's name, 13 px bold
KIND_CLASS = {"case": "tl-case", "ownership": "tl-own", "gap": "tl-gap", "overlap": "tl-overlap",
              "instrument": "tl-instrument"}
MARKS = ("event", "handover", "escalation")
HEAD = 34  # the heading of a standalone picture
KEY_CHAR = 7.4  # the width of a character of the legend, 13 px


def escape(value: object) -> Markup:
    """Escape a text from the data for SVG: forbidden characters replaced, markup escaped."""
    return markup_escape(text_escape.text(value))


@dataclass(frozen=True)
class Lane:
    """A lane of the picture: its name, its class (what it shows) and its items; ``key``:
    an organisation lane's node id."""

    name: str
    kind: str
    items: tuple[Item, ...]
    key: str = ""


def lanes(items: Sequence[Item], *, organisations: Mapping[str, str], names: Mapping[str, str],
          phases: Mapping[str, str] | None = None) -> list[Lane]:
    """Arrange ``items`` (:func:`chaingraph.export.views.timeline_items`) in lanes.

    ``organisations``: an organisation's node id with its name; ``names``: the texts
    ``case``, ``instruments``, ``events`` and ``phase`` (the prefix of a phase lane's name);
    ``phases``: a phase's label with the short name its lane shows ("risk"), in the order
    of the lanes (phases not in it come after).

    Example:
        >>> day = dt.date(2021, 3, 1)
        >>> items = [Item("o1", "ownership", "case director", day, None, "phase: risk",
        ...               ("org-vtrr",)), Item("e1", "event", "report", day, day, "events")]
        >>> [(lane.name, lane.kind, len(lane.items)) for lane in lanes(items,
        ...     organisations={"org-vtrr": "VTRR"},
        ...     names={"case": "case", "instruments": "instruments", "events": "events",
        ...            "phase": "phase"})]
        [('risk', 'phase', 1), ('VTRR', 'organisation', 1), ('events', 'events', 1)]
    """
    case, instruments, loose = [], [], []
    by_phase: dict[str, list[Item]] = {}
    short = phases or {}
    by_org: dict[str, list[Item]] = {}
    prefix = f"{names['phase']}: "
    for item in items:
        if item.kind == "case":
            case.append(item)
        elif item.kind in ("ownership", "gap", "overlap"):
            phase = item.lane.removeprefix(prefix)
            phase = short.get(phase, phase)
            by_phase.setdefault(phase, []).append(item)
            if item.kind == "ownership":
                for org in item.organisations:
                    by_org.setdefault(org, []).append(
                        Item(item.id, "ownership", phase, item.start, item.end, item.lane,
                             item.organisations))
        elif item.kind == "instrument":
            instruments.append(item)
        else:
            known = [o for o in item.organisations if o in organisations]
            for org in known:
                by_org.setdefault(org, []).append(item)
            if not known:
                loose.append(item)
    out = [Lane(names["case"], "case", tuple(case))] if case else []
    order = {name: n for n, name in enumerate(short.values())}
    out += [Lane(name, "phase", tuple(by_phase[name]))
            for name in sorted(by_phase, key=lambda name: order.get(name, len(order)))]
    if instruments:
        out.append(Lane(names["instruments"], "instruments", tuple(instruments)))
    out += [Lane(organisations[org], "organisation", tuple(by_org[org]), org)
            for org in sorted(by_org, key=lambda o: organisations.get(o, o).casefold())
            if org in organisations]
    if loose:
        out.append(Lane(names["events"], "events", tuple(loose)))
    return out


def _rows(items: Iterable[Item], last: dt.date, x: Callable[[dt.date], float],
          most: int | None = None) -> list[tuple[int, Item]]:
    """Give each item a row of its lane so that no two bars (or marks) overlap on screen;
    with ``most``, a lane has at most that many rows (the last one takes the rest)."""
    ends: list[float] = []
    placed = []
    for item in sorted(items, key=lambda i: (i.start, i.kind not in MARKS, i.id)):
        a = x(item.start)
        b = a + 12 if item.kind in MARKS else x(item.end or last) + 1
        row = next((n for n, end in enumerate(ends) if end <= a), len(ends))
        if most is not None and row >= most:
            row = most - 1
            ends[row] = max(ends[row], b)
        elif row == len(ends):
            ends.append(b)
        else:
            ends[row] = b
        placed.append((row, item))
    return placed


def _ticks(first: dt.date, last: dt.date, span: float) -> list[dt.date]:
    """First days of months, every 1, 2, 3, 6 or 12 months, at least about 80 px apart."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next((s for s in (1, 2, 3, 6, 12) if span / max(months / s, 1) >= 80), 24)
    out: list[dt.date] = []
    year, month = first.year, first.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = dt.date(year, month, 1)
        if day > last:
            return out
        if (month - 1) % step == 0:
            out.append(day)


def _cut(text: str, width: float) -> str:
    room = int(width // CHAR)
    if len(text) <= room:
        return text
    return text[: room - 1] + "…" if room > 2 else ""


def svg(items: Sequence[Item], *, organisations: Mapping[str, str], names: Mapping[str, str],
        today: dt.date, at: dt.date | None = None, title: str = "",
        phases: Mapping[str, str] | None = None, heading: bool = False,
        legend: Sequence[tuple[str, str]] = (), nodes: bool = False,
        most_rows: int | None = None) -> Markup:
    """Draw the timeline of ``items`` as an SVG element (see the module doc).

    ``heading``: ``title`` shown above the lanes too (a picture with no page around it);
    ``legend``: (kind of item, text) pairs drawn below the lanes (kinds as in
    :class:`Item`); ``nodes``: each bar and mark, and each organisation's lane name, carries
    its node id as ``data-node`` (the export page's script); ``most_rows``: the rows of a
    lane at most (a timeline of many cases).

    Example:
        >>> day = dt.date(2021, 3, 1)
        >>> items = [Item("c", "case", "case <FX-1>", day, dt.date(2021, 9, 1), "case")]
        >>> picture = svg(items, organisations={}, today=day, names={
        ...     "case": "case", "instruments": "i", "events": "e", "phase": "phase"})
        >>> picture.startswith("<svg") and "case &lt;FX-1&gt;" in picture
        True
    """
    arranged = lanes(items, organisations=organisations, names=names, phases=phases)
    starts = [i.start for i in items]
    if not starts:
        return Markup("")
    first = min(starts)
    last = max([*(i.end or today for i in items), *starts])
    if at is not None and not first <= at <= last:
        at = None  # a day outside the picture gets no line (and does not stretch the axis)
    days = max((last - first).days, 1)
    span = WIDTH - LEFT - RIGHT
    base = AXIS + (HEAD if heading else 0)

    def x(day: dt.date) -> float:
        return LEFT + span * (day - first).days / days

    def node(name: str) -> str:
        return f' data-node="{escape(name)}"' if nodes and name else ""

    body: list[str] = []
    y: float = base
    for n, lane in enumerate(arranged):
        placed = _rows(lane.items, last, x, most_rows)
        rows = max((r for r, _ in placed), default=0) + 1
        height = rows * ROW + 6
        body.append(f'<g class="tl-lane tl-{lane.kind}">')
        if n % 2 == 0:
            body.append(f'<rect class="tl-band" x="0" y="{y}" width="{WIDTH}" height="{height}"/>')
        body.append(f'<text class="tl-name" x="8" y="{y + 17}"{node(lane.key)}>'
                    f"{escape(_cut(lane.name, (LEFT - 12) * CHAR / NAME_CHAR))}"
                    f'<title>{escape(lane.name)}</title></text>')
        for row, item in placed:
            top = y + 3 + row * ROW
            period = item.start.isoformat() + (
                "" if item.kind in MARKS else f" … {item.end.isoformat() if item.end else ''}")
            tip = escape(f"{item.label} ({period})")
            if item.kind in MARKS:
                cx, cy = x(item.start), top + BAR / 2
                body.append(
                    f'<g class="tl-mark tl-{item.kind}"{node(item.id)}>'
                    f'<polygon points="{cx:.1f},{cy - 7:.1f} '
                    f'{cx + 7:.1f},{cy:.1f} {cx:.1f},{cy + 7:.1f} {cx - 7:.1f},{cy:.1f}"/>'
                    f"<title>{tip}</title></g>")
                continue
            a, b = x(item.start), x(item.end or last) + span / days
            running = " tl-running" if item.end is None else ""
            body.append(
                f'<g class="tl-bar {KIND_CLASS.get(item.kind, "tl-own")}{running}"'
                f"{node(item.id)}>"
                f'<rect x="{a:.1f}" y="{top}" width="{max(b - a, 2):.1f}" height="{BAR}" rx="3"/>'
                f'<text x="{a + 4:.1f}" y="{top + 13}">{escape(_cut(item.label, b - a - 6))}</text>'
                f"<title>{tip}</title></g>")
        body.append("</g>")
        y += height
    axis = [f'<line class="tl-axis" x1="{LEFT}" y1="{base - 4}" x2="{WIDTH - RIGHT}" '
            f'y2="{base - 4}"/>']
    for tick in _ticks(first, last, span):
        tx = x(tick)
        axis.append(f'<line class="tl-grid" x1="{tx:.1f}" y1="{base - 8}" x2="{tx:.1f}" '
                    f'y2="{y}"/><text class="tl-tick" x="{tx + 3:.1f}" y="{base - 12}">'
                    f"{tick.strftime('%Y-%m')}</text>")
    if at is not None:
        ax = x(at)
        axis.append(f'<line class="tl-at" x1="{ax:.1f}" y1="{base - 8}" x2="{ax:.1f}" y2="{y}"/>')
    extra = []
    if heading:
        extra.append(f'<text class="tl-heading" x="8" y="24">{escape(title)}</text>')
    if legend:
        key_lines, y = _legend(legend, y + 10)
        extra += ['<g class="tl-legend">', *key_lines, "</g>"]
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
            f'viewBox="0 0 {WIDTH} {y + 4}" width="100%" preserveAspectRatio="xMinYMin meet">'
            f"<title>{escape(title)}</title>")
    # escaped above: every text of the data went through escape (markupsafe, forbidden
    # characters replaced)
    return Markup(head + "".join(axis[:1]) + "".join(body) + "".join(axis[1:]) + "".join(extra)
                  + "</svg>")


def _legend(entries: Sequence[tuple[str, str]], y: float) -> tuple[list[str], float]:
    """Draw the legend from ``y`` down, wrapped to the picture's width; return its end."""
    out: list[str] = []
    x, line = 8.0, y
    for kind, text in entries:
        width = 30 + len(text) * KEY_CHAR + 22
        if x > 8 and x + width > WIDTH - RIGHT:
            x, line = 8.0, line + ROW
        if kind in MARKS:
            cx, cy = x + 11, line + BAR / 2
            out.append(f'<g class="tl-mark tl-{kind}"><polygon points="{cx:.1f},{cy - 7:.1f} '
                       f'{cx + 7:.1f},{cy:.1f} {cx:.1f},{cy + 7:.1f} {cx - 7:.1f},{cy:.1f}"/></g>')
        else:
            out.append(f'<g class="tl-bar {KIND_CLASS.get(kind, "tl-own")}"><rect x="{x:.1f}" '
                       f'y="{line + 3:.1f}" width="24" height="12" rx="3"/></g>')
        out.append(f'<text class="tl-key" x="{x + 30:.1f}" y="{line + 14:.1f}">'
                   f"{escape(text)}</text>")
        x += width
    return out, line + ROW


LEGEND_KINDS = ("case", "ownership", "gap", "overlap", "instrument", "event", "handover",
                "escalation")
"""The kinds of item a legend names, in its order."""
