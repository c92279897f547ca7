"""Running SPARQL with bound parameters, on whatever backend the graph lives.

Parameters are always *bound*, never pasted into the query text: :func:`bind` turns
each value into an rdflib term of the declared type (the one place where that
happens), and :func:`execute` hands the terms to the backend:

- rdflib in memory: the query parsed once (:attr:`QueryInfo.prepared`) and the terms
  as ``initBindings``;
- Oxigraph (through oxrdflib) and a remote SPARQL endpoint: a ``VALUES`` clause of the
  terms' ``.n3()`` at the top of the WHERE group (:func:`with_values`). For Oxigraph
  see :data:`OXIGRAPH_BINDS_BY_VALUES` for why.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import XSD
from rdflib.term import Identifier

from chaingraph.errors import BadParameter
from chaingraph.names import class_iri, resolve
from chaingraph.queryfiles import QueryInfo, find_query
from chaingraph.results import Result
from chaingraph.sparql_tokens import code

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: str | date, what: str = "date") -> date:
    """Return ``value`` as a date; anything but YYYY-MM-DD is a BadParameter.

    Example:
        >>> parse_date("2021-06-12")
        datetime.date(2021, 6, 12)
    """
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if not _ISO_DATE.fullmatch(text):  # fromisoformat also takes 20210612 and 2021-W23
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(key="not_a_date", what=what, value=str(value)) from None


def bind(graph: Graph, info: QueryInfo, params: Mapping[str, Any]) -> dict[str, Identifier]:
    """Turn the user's parameter values into rdflib terms of the declared types.

    This is the one place where parameters become terms. A string becomes a plain
    literal (never query text), so ``x" } ; DROP ALL ; #`` is just a string that
    matches nothing. None leaves a parameter unbound ("all").

    Example:
        >>> from chaingraph import load
        >>> bind(load(), find_query("cases"), {"case": "FX-001"})
        {'case': rdflib.term.Literal('FX-001')}

    Raises:
        BadParameter: an undeclared parameter or a malformed value.
        UnknownName: an IRI parameter naming a resource that does not exist.
    """
    bound: dict[str, Identifier] = {}
    for name, value in params.items():
        param = info.param(name)
        if value is None:
            continue
        if param.type == "IRI":
            of_class = class_iri(param.of_class) if param.of_class else None
            bound[name] = resolve(graph, value, of_class=of_class, what=name)
        elif param.type == "xsd:date":
            bound[name] = Literal(parse_date(value, name))
        elif param.type == "xsd:gYear":
            if not re.fullmatch(r"\d{4}", str(value).strip()):
                raise BadParameter(key="not_a_year", what=name, value=str(value))
            bound[name] = Literal(str(value).strip(), datatype=XSD.gYear)
        elif param.type == "xsd:integer":
            try:
                bound[name] = Literal(int(str(value)))
            except ValueError:
                raise BadParameter(key="not_a_number", what=name, value=str(value)) from None
        else:  # xsd:string: a plain literal, as Turtle's "..." is
            bound[name] = Literal(str(value))
    return bound


def where_group(text: str) -> int:
    """Return the index just after the ``{`` that opens the query's WHERE group.

    rdflib's parse tree does not keep positions, and its algebra cannot be written back
    as SPARQL every endpoint reads, so the query's code is read instead
    (:func:`chaingraph.sparql_tokens.code`): the first ``WHERE {`` (or, as WHERE is
    optional, the first ``{`` of a SELECT or ASK) outside comments, strings and IRIs.

    Example:
        >>> where_group('# a WHERE { in a comment\\nSELECT * { ?s ?p "WHERE {" }')
        35
    """
    query = code(text)
    where = re.search(r"(?<![?$\w])WHERE\s*\{", query, re.I)
    if where:
        return where.end()
    brace = query.find("{")
    if brace >= 0 and not re.search(r"(?<![?$\w])CONSTRUCT\b", query, re.I):
        return brace + 1
    raise BadParameter("the query has no 'WHERE {' to bind parameters in")


def with_values(info: QueryInfo | str, bindings: Mapping[str, Identifier]) -> str:
    """Return the query text with ``bindings`` as a ``VALUES`` clause at the top of its WHERE.

    For backends without ``initBindings`` (a remote endpoint) and for Oxigraph. The values
    are rdflib terms serialised with ``.n3()``, which escapes them: user text never
    becomes query syntax.

    Example:
        >>> info = find_query("cases")
        >>> 'VALUES (?case) { ("FX-001") }' in with_values(info, {"case": Literal("FX-001")})
        True
    """
    if not bindings:
        return info if isinstance(info, str) else info.text
    return with_rows(info, list(bindings), [tuple(bindings.values())])


def with_rows(info: QueryInfo | str, names: Sequence[str],
              rows: Iterable[Sequence[Identifier]]) -> str:
    """Return the query text with a ``VALUES`` clause of several rows at the top of its WHERE.

    Example:
        >>> from rdflib import URIRef
        >>> with_rows("SELECT ?s { ?s ?p ?o }", ["s"], [(URIRef("urn:a"),), (URIRef("urn:b"),)])
        'SELECT ?s {\\n  VALUES (?s) { (<urn:a>) (<urn:b>) } ?s ?p ?o }'
    """
    text = info if isinstance(info, str) else info.text
    variables = " ".join(f"?{name}" for name in names)
    terms = " ".join("(" + " ".join(term.n3() for term in row) + ")" for row in rows)
    try:
        at = where_group(text)
    except BadParameter:
        where = "the query" if isinstance(info, str) else str(info.path)
        raise BadParameter(f"{where}: no 'WHERE {{' to bind parameters in") from None
    return f"{text[:at]}\n  VALUES ({variables}) {{ {terms} }}{text[at:]}"


def fill_values(info: QueryInfo | str, name: str, terms: Iterable[Any]) -> str:
    """Return the query text with ``terms`` in each of its empty ``VALUES ?name { }`` blocks.

    For a query that needs the same values in several places (each branch of a UNION, a
    GRAPH block), where one clause at the top would not reach them. With its blocks empty
    the file runs unchanged in any SPARQL tool (and finds nothing). The terms are rdflib
    terms (written with ``.n3()``) or pyoxigraph terms (their ``str()`` is N-Triples).

    Example:
        >>> from rdflib import URIRef
        >>> fill_values("SELECT * { { VALUES ?c { } ?c ?p ?o } }", "c", [URIRef("urn:a")])
        'SELECT * { { VALUES ?c { <urn:a> } ?c ?p ?o } }'
    """
    text = info if isinstance(info, str) else info.text
    values = " ".join(term.n3() if isinstance(term, Identifier) else str(term) for term in terms)
    block = re.compile(r"(?<![?$\w])VALUES\s+[?$]" + re.escape(name) + r"\s*\{\s*\}", re.I)
    parts, done = [], 0
    for match in block.finditer(code(text)):
        parts += [text[done:match.start()], f"VALUES ?{name} {{ {values} }}"]
        done = match.end()
    if not parts:
        where = "the query" if isinstance(info, str) else str(info.path)
        raise BadParameter(f"{where}: no empty 'VALUES ?{name} {{ }}' block to fill")
    return "".join(parts) + text[done:]


OXIGRAPH_BINDS_BY_VALUES = True
"""Oxigraph gets its parameters as a ``VALUES`` clause, not oxrdflib's ``initBindings``.

oxrdflib (0.5) hands ``initBindings`` to pyoxigraph (0.5.13) as ``substitutions=``, whose
cost grows with the store: measured with ``responsibilities`` (``chaingraph who``, six
named queries) on 10,000 generated cases in an in-memory Oxigraph store, 3.85-3.95 s a
case with ``initBindings`` against 0.05-0.10 s with ``VALUES``, the same answers (three
cases, 2026-11-29). ``substitutions=`` also needs the variable in the SELECT list, which
the internal queries do not all have. Set to False to measure again.
"""

_PREPARED_TEXT: dict[str, Any] = {}


def execute(graph: Graph, query: QueryInfo | str,
            bindings: Mapping[str, Identifier] | None = None) -> Any:
    """Run SPARQL ``query`` on ``graph`` with ``bindings``, on whatever backend it lives.

    Example:
        >>> from chaingraph import load
        >>> rows = execute(load(), find_query("cases"), {"case": Literal("FX-001")})
        >>> len(rows)
        1
    """
    bindings = dict(bindings or {})
    if _is_rdflib_memory(graph):
        if isinstance(query, QueryInfo):
            prepared = query.prepared
        else:
            if query not in _PREPARED_TEXT:
                from rdflib.plugins.sparql import prepareQuery

                _PREPARED_TEXT[query] = prepareQuery(query)
            prepared = _PREPARED_TEXT[query]
        return graph.query(prepared, initBindings=bindings)
    if bindings and not OXIGRAPH_BINDS_BY_VALUES and _is_oxigraph(graph):
        return graph.query(query if isinstance(query, str) else query.text, initBindings=bindings)
    return graph.query(with_values(query, bindings))


def _is_rdflib_memory(graph: Graph) -> bool:
    return type(graph.store).__module__.startswith("rdflib.plugins.stores.memory")


def _is_oxigraph(graph: Graph) -> bool:
    from chaingraph.backends import native_store

    return native_store(graph) is not None


def run_query(graph: Graph, name_or_path: str | Path, **params: Any) -> Result:
    """Run a named query (or a ``.rq`` file) on ``graph`` with bound parameters.

    Example:
        >>> from chaingraph import load
        >>> result = run_query(load(), "escalation-path", role="casusregisseur")
        >>> "to" in result.columns
        True
    """
    info = find_query(name_or_path)
    bindings = bind(graph, info, params)
    with warnings.catch_warnings():
        # rdflib looks up XSD.Duration while adding a duration to a date and warns
        warnings.filterwarnings("ignore", message=".*not defined in namespace XSD")
        outcome = execute(graph, info, bindings)
        columns = [str(v) for v in (outcome.vars or [])]
        rows = [tuple(row) for row in outcome]
    return Result(columns, rows)
