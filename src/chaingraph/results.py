"""The rows of a SELECT query and the formats they are written in (table, JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from chaingraph.escape import csv_row, text
from chaingraph.namespace import CASE, PREFIXES

FORMATS = ("table", "json", "csv")

DISPLAY_PREFIXES = {**{p: str(ns) for p, ns in PREFIXES.items()}, "case": str(CASE)}
"""The prefixes a user may write and sees in a table, with the namespace of each."""


@dataclass
class Result:
    """The rows of a query: column names and rows of rdflib terms (None when unbound)."""

    columns: list[str]
    rows: list[tuple[Identifier | None, ...]]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Identifier | None, ...]]:
        return iter(self.rows)

    def dicts(self) -> list[dict[str, Identifier | None]]:
        """Return the rows as dicts keyed by column."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_table(self) -> str:
        """Return aligned text columns, IRIs shortened to prefixed names."""
        cells = [[text(short(v)) for v in row] for row in self.rows]  # no control sequences
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths,
                                                       strict=True)).rstrip() for r in cells]
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(lines)

    def to_json(self) -> str:
        """Return the SPARQL 1.1 Query Results JSON format."""
        bindings = []
        for row in self.rows:
            item: dict[str, dict[str, str]] = {}
            for column, value in zip(self.columns, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, URIRef):
                    item[column] = {"type": "uri", "value": str(value)}
                elif isinstance(value, Literal):
                    term: dict[str, str] = {"type": "literal", "value": str(value)}
                    if value.language:
                        term["xml:lang"] = value.language
                    elif value.datatype and value.datatype != XSD.string:
                        # RDF 1.1: "x" and "x"^^xsd:string are one term; endpoints omit it
                        term["datatype"] = str(value.datatype)
                    item[column] = term
                else:
                    item[column] = {"type": "bnode", "value": str(value)}
            bindings.append(item)
        return json.dumps({"head": {"vars": self.columns}, "results": {"bindings": bindings}},
                          indent=2, ensure_ascii=False)

    def to_csv(self) -> str:
        """Return CSV as the SPARQL 1.1 CSV results format has it (full IRIs, plain values).

        A value that a spreadsheet would read as a formula gets a single quote in front
        (:func:`chaingraph.escape.csv_cell`).
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(csv_row(self.columns))
        for row in self.rows:
            # a cell beginning with = + - @ would run in a spreadsheet: escape.csv_cell
            writer.writerow(csv_row("" if v is None else str(v) for v in row))
        return buffer.getvalue()


def short(value: Identifier | None) -> str:
    """Return a term as a table shows it: an IRI as a prefixed name where one fits.

    Example:
        >>> from chaingraph.namespace import CG
        >>> short(CG.Case)
        'cg:Case'
    """
    if value is None:
        return ""
    if isinstance(value, URIRef):
        text = str(value)
        for prefix, ns in DISPLAY_PREFIXES.items():
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return f"<{text}>"
    return str(value)
