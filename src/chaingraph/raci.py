"""``chaingraph raci``: the RACI matrix of a case, as CSV or Markdown.

Rows are the phases the case applies (in the scheme's order), the instruments
applied in it (by start date) and a last row for the case as a whole (contact
points and other role assignments); columns are the organisations involved. A cell
holds the ``skos:notation`` letters of the responsibility kinds
(``ontology/schemes.ttl``): O owns, A decides, R carries out, M monitors, E receives
alerts, I informed, C contact point. The data comes from the ``phase-owners`` and
``case-responsibilities`` queries.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from rdflib import Graph

from chaingraph.catalogue import text
from chaingraph.labels import label
from chaingraph.queries import parse_date, run_query
from chaingraph.responsibility import KIND_ORDER, case_period, short_label


@dataclass
class RaciMatrix:
    """Rows (label, cells) over the organisation columns; a cell is letters or ''."""

    case: str
    at: date | None
    columns: list[str]
    organisations: list[str]
    rows: list[tuple[str, list[str]]] = field(default_factory=list)

    def cell(self, row_label: str, organisation_label: str) -> str:
        """Return the letters in one cell."""
        index = self.columns.index(organisation_label)
        return next(cells[index] for name, cells in self.rows if name == row_label)


def raci(graph: Graph, case: str, *, at: date | str | None = None, lang: str = "en") -> RaciMatrix:
    """Return the RACI matrix of ``case``: over its whole period, or on day ``at``.

    Example:
        >>> from chaingraph import load
        >>> from chaingraph.responsibility import case_ids
        >>> g = load()
        >>> m = raci(g, case_ids(g)[0])
        >>> any("O" in cell for _, cells in m.rows for cell in cells)
        True
    """
    case_period(graph, case)  # an unknown case fails here, listing the cases
    day = parse_date(at) if at is not None else None
    phase_rows: dict[str, str] = {}
    for row in run_query(graph, "phase-owners", case=case).dicts():
        phase = row["phase"]  # bound in every row: the query's ?phase is not optional
        if phase is not None:
            phase_rows.setdefault(str(phase), label(graph, phase, lang))
    cells: dict[tuple[str, str], set[str]] = {}
    instruments: dict[str, tuple[str, str]] = {}
    organisations: dict[str, str] = {}
    case_row = text("raci.case_row", lang)
    for row in run_query(graph, "case-responsibilities", case=case, date=day).dicts():
        if row["organisation"] is None or row["kind"] is None:
            continue
        org = str(row["organisation"])
        organisations[org] = short_label(graph, row["organisation"], lang)
        if row["phase"] is not None:
            key = str(row["phase"])
            phase_rows.setdefault(key, label(graph, row["phase"], lang))
        elif row["instrument"] is not None:
            key = str(row["instrument"])
            kind = row["instrumentType"]
            name = label(graph, kind, lang) if kind is not None else key
            instruments.setdefault(key, (str(row["start"]), name))
            instruments[key] = (min(instruments[key][0], str(row["start"])), name)
        else:
            key = "case"
        cells.setdefault((key, org), set()).add(str(row["kind"]))
    orgs = sorted(organisations, key=lambda o: organisations[o].casefold())
    matrix = RaciMatrix(case, day, [organisations[o] for o in orgs], orgs)

    def letters(key: str, org: str) -> str:
        found = cells.get((key, org), set())
        return "".join(sorted(found, key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99))

    names = [name for _, name in instruments.values()]
    for key, name in phase_rows.items():
        matrix.rows.append((name, [letters(key, o) for o in orgs]))
    for key, (start, name) in sorted(instruments.items(), key=lambda kv: (kv[1][0], kv[0])):
        shown = f"{name} ({start})" if names.count(name) > 1 else name
        matrix.rows.append((shown, [letters(key, o) for o in orgs]))
    if any(k == "case" for k, _ in cells):
        matrix.rows.append((case_row, [letters("case", o) for o in orgs]))
    return matrix


def to_csv(matrix: RaciMatrix, lang: str = "en") -> str:
    """Return the matrix as CSV (one header row, one row per phase or instrument)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([text("raci.header", lang), *matrix.columns])
    for name, cells in matrix.rows:
        writer.writerow([name, *cells])
    return buffer.getvalue()


def to_markdown(matrix: RaciMatrix, lang: str = "en") -> str:
    """Return the matrix as a Markdown table with a legend."""
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join([text("raci.header", lang), *map(esc, matrix.columns)]) + " |",
             "|---" * (len(matrix.columns) + 1) + "|"]
    for name, cells in matrix.rows:
        lines.append("| " + " | ".join([esc(name), *cells]) + " |")
    lines += ["", text("raci.legend", lang)]
    return "\n".join(lines) + "\n"
