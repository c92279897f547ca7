"""The named queries on the web: their parameters as form fields, their rows cut to need-to-know.

A named query (``queries/*.rq``) can name any case. Before its rows are shown, every row
that refers to a case the user may not see is dropped: a value that is the case's
identifier, or an IRI of the case's own namespace (``https://w3id.org/chaingraph/case/ID/``).
A question about a case the user may not see so has no rows, exactly as one about a case
that does not exist. For the ``chain`` role every row that refers to any case or any
person (a pseudonym, an IRI of ``prs:``) is dropped, so only the shared data remains (the
monitor's figures and measures, the escalation lines).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from chaingraph.namespace import CASE, PRS
from chaingraph.queryfiles import Param
from chaingraph.results import Result

_PSEUDONYM = re.compile(r"^P-[A-Z0-9]{5}$")
_INPUT_TYPES = {"xsd:date": "date", "xsd:gYear": "number", "xsd:integer": "number"}


@dataclass(frozen=True)
class Field:
    """A query parameter as a form field: its name, input type, hint and current value."""

    name: str
    type: str
    hint: str
    value: str


def fields(params: tuple[Param, ...], values: dict[str, str]) -> list[Field]:
    """The form fields of a query's ``params``, filled in with ``values``.

    Example:
        >>> from chaingraph.queryfiles import find_query
        >>> [(f.name, f.type) for f in fields(find_query("phase-owners").params, {})]
        [('case', 'text'), ('date', 'date')]
    """
    return [Field(p.name, _INPUT_TYPES.get(p.type, "text"), p.description,
                  values.get(p.name, "")) for p in params]


def _case_of(value: Identifier | None, ids: Collection[str]) -> str | None:
    """The case ``value`` refers to (its id, or an IRI under its namespace), if any."""
    if isinstance(value, Literal) and str(value) in ids:
        return str(value)
    if isinstance(value, URIRef) and str(value).startswith(str(CASE)):
        return str(value)[len(str(CASE)):].split("/", 1)[0]
    return None


def _person(value: Identifier | None) -> bool:
    if isinstance(value, URIRef):
        return str(value).startswith(str(PRS))
    return isinstance(value, Literal) and bool(_PSEUDONYM.match(str(value)))


def need_to_know(result: Result, *, visible: Collection[str], every: Collection[str],
                 chain: bool = False) -> Result:
    """``result`` without the rows that refer to a case outside ``visible`` (of ``every``).

    ``chain``: without any row that refers to a case or a person.

    Example:
        >>> rows = [(Literal("FX-001"), Literal("P-AB12C")), (Literal("FX-002"), None),
        ...         (Literal("x"), None)]
        >>> every = {"FX-001", "FX-002"}
        >>> kept = need_to_know(Result(["case", "who"], rows), visible={"FX-001"}, every=every)
        >>> [[str(v) for v in row] for row in kept]
        [['FX-001', 'P-AB12C'], ['x', 'None']]
        >>> kept = need_to_know(Result(["case", "who"], rows), visible=set(), every=every,
        ...                     chain=True)
        >>> [[str(v) for v in row] for row in kept]
        [['x', 'None']]
    """
    kept = []
    for row in result.rows:
        cases = {c for c in (_case_of(v, every) for v in row) if c is not None}
        if chain and (cases or any(_person(v) for v in row)):
            continue
        if cases - set(visible):
            continue
        kept.append(row)
    return Result(result.columns, kept)
