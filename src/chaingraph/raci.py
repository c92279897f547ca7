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

from chaingraph.catalogue import DEFAULT, text
from chaingraph.escape import csv_row, markdown
from chaingraph.glossary import Glossary
from chaingraph.queries import parse_date, run_query
from chaingraph.responsibility import KIND_ORDER, case_period


@dataclass
class RaciLine:
    """One row of the matrix: a phase, an instrument or the case as a whole.

    ``key`` is the phase's or instrument's IRI, or ``case``; ``type`` an instrument's
    class IRI and ``start`` its first day; ``cells`` the letters per organisation IRI.
    """

    key: str
    cells: dict[str, str]
    type: str | None = None
    start: str = ""


@dataclass
class RaciMatrix:
    """The matrix in IRIs: rows (:class:`RaciLine`) over the organisations involved.

    ``names`` holds the labels of the phases, instrument classes and organisations in
    every language; :meth:`table` puts the matrix into words (``lang``, the language
    asked for, by default), as do :attr:`columns` and :attr:`rows`.
    """

    case: str
    at: date | None
    organisations: list[str]
    lines: list[RaciLine] = field(default_factory=list)
    names: Glossary = field(default_factory=Glossary)
    lang: str = DEFAULT

    def table(self, lang: str | None = None) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """Return the column headings (organisations' short names, sorted) and the rows
        (label, cells) in ``lang``."""
        lang = lang or self.lang
        orgs = sorted(self.organisations, key=lambda o: self.names.short(o, lang).casefold())
        labels = [self._label(line, lang) for line in self.lines]
        rows = []
        for line, name in zip(self.lines, labels, strict=True):
            if line.type is not None and labels.count(name) > 1:
                name = f"{name} ({line.start})"
            rows.append((name, [line.cells.get(o, "") for o in orgs]))
        return [self.names.short(o, lang) for o in orgs], rows

    def _label(self, line: RaciLine, lang: str) -> str:
        if line.key == "case":
            return text("raci.case_row", lang)
        return self.names.label(line.type if line.type is not None else line.key, lang)

    @property
    def columns(self) -> list[str]:
        """The column headings in ``lang``."""
        return self.table()[0]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The rows (label, cells) in ``lang``."""
        return self.table()[1]

    def cell(self, row_label: str, organisation_label: str) -> str:
        """Return the letters in one cell (by the row's and the organisation's names)."""
        columns, rows = self.table()
        index = columns.index(organisation_label)
        return next(cells[index] for name, cells in rows if name == row_label)


def raci(graph: Graph, case: str, *, at: date | str | None = None,
         lang: str = DEFAULT) -> RaciMatrix:
    """Return the RACI matrix of ``case``: over its whole period, or on day ``at``.

    ``lang`` is the language the matrix is put into words in by default; it holds IRIs.

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
    names = Glossary()
    phases: list[str] = []
    for row in run_query(graph, "phase-owners", case=case).dicts():
        phase = row["phase"]  # bound in every row: the query's ?phase is not optional
        if phase is not None and str(phase) not in phases:
            phases.append(str(phase))
    cells: dict[tuple[str, str], set[str]] = {}
    instruments: dict[str, tuple[str, str | None]] = {}
    organisations: set[str] = set()
    for row in run_query(graph, "case-responsibilities", case=case, date=day).dicts():
        if row["organisation"] is None or row["kind"] is None:
            continue
        org = str(row["organisation"])
        organisations.add(org)
        if row["phase"] is not None:
            key = str(row["phase"])
            if key not in phases:
                phases.append(key)
        elif row["instrument"] is not None:
            key = str(row["instrument"])
            kind = str(row["instrumentType"]) if row["instrumentType"] is not None else None
            first = min(instruments.get(key, (str(row["start"]), kind))[0], str(row["start"]))
            instruments[key] = (first, kind)
        else:
            key = "case"
        cells.setdefault((key, org), set()).add(str(row["kind"]))
    names.add(graph, phases)
    names.add(graph, (kind for _, kind in instruments.values()))
    names.add(graph, organisations, short=True)

    def letters(key: str) -> dict[str, str]:
        return {org: "".join(sorted(found, key=lambda k: KIND_ORDER.index(k)
                                    if k in KIND_ORDER else 99))
                for (k, org), found in cells.items() if k == key}

    matrix = RaciMatrix(case, day, sorted(organisations), names=names, lang=lang)
    matrix.lines += [RaciLine(key, letters(key)) for key in phases]
    for key, (start, kind) in sorted(instruments.items(), key=lambda kv: (kv[1][0], kv[0])):
        # an instrument without a class is named by its IRI
        matrix.lines.append(RaciLine(key, letters(key), kind if kind is not None else key, start))
    if any(k == "case" for k, _ in cells):
        matrix.lines.append(RaciLine("case", letters("case")))
    return matrix


def to_csv(matrix: RaciMatrix, lang: str | None = None) -> str:
    """Return the matrix as CSV (one header row, one row per phase or instrument)."""
    lang = lang or matrix.lang
    columns, rows = matrix.table(lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_row([text("raci.header", lang), *columns]))
    for name, cells in rows:
        writer.writerow(csv_row([name, *cells]))
    return buffer.getvalue()


def to_markdown(matrix: RaciMatrix, lang: str | None = None) -> str:
    """Return the matrix as a Markdown table with a legend."""
    lang = lang or matrix.lang
    columns, rows = matrix.table(lang)
    lines = ["| " + " | ".join([text("raci.header", lang), *map(markdown, columns)])
             + " |", "|---" * (len(columns) + 1) + "|"]
    for name, cells in rows:
        lines.append("| " + " | ".join([markdown(name), *map(markdown, cells)]) + " |")
    lines += ["", text("raci.legend", lang)]
    return "\n".join(lines) + "\n"
