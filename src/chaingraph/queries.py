"""Named SPARQL queries: the files in ``queries/`` and ``chaingraph query``.

Each ``.rq`` file answers one question. Its stem is its name; its first line is a
``#`` comment saying what it answers; ``# param: NAME — description (TYPE)`` lines
declare its parameters, where TYPE is an XSD datatype (``xsd:string``, ``xsd:date``,
``xsd:gYear``, ``xsd:integer``) or ``IRI`` optionally followed by the class the value
must be an instance of (``IRI cg:Role``). Every parameter variable is in the query's
SELECT list, and an unbound parameter means "all", so each file runs unchanged in any
SPARQL tool.

Parameters are always *bound*, never pasted into the query text: :func:`bind`
turns each value into an rdflib term of the declared type (the one place where
that happens), and :func:`run_query` hands them to rdflib's in-memory engine as
``initBindings`` or, on any other store (Oxigraph, a SPARQL endpoint), as a
``VALUES`` clause of the terms' ``.n3()`` (:func:`with_values`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD
from rdflib.term import Identifier

from chaingraph import resources
from chaingraph.errors import (
    BadParameter,
    MissingPath,
    UnknownArea,
    UnknownCase,
    UnknownIndicator,
    UnknownName,
    UnknownOrganisation,
    UnknownPhase,
    UnknownQuery,
    UnknownRole,
    UnknownStatus,
)
from chaingraph.language import local_name
from chaingraph.namespace import CASE, CG, PREFIXES

_PARAM = re.compile(r"^#\s*param:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:—|–|-|:)\s*"
                    r"(?P<description>.*?)\s*\((?P<type>[^()]+)\)\s*$")
_SAFE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")

LITERAL_TYPES = {"xsd:string": None, "xsd:date": XSD.date, "xsd:gYear": XSD.gYear,
                 "xsd:integer": XSD.integer}

_DISPLAY_PREFIXES = {**{p: str(ns) for p, ns in PREFIXES.items()}, "case": str(CASE)}


_UNKNOWN_BY_CLASS: dict[URIRef, type[UnknownName]] = {
    CG.Role: UnknownRole,
    CG.Phase: UnknownPhase,
    CG.Organisation: UnknownOrganisation,
    CG.MeasureStatus: UnknownStatus,
    CG.Indicator: UnknownIndicator,
    CG.Area: UnknownArea,
}


@dataclass(frozen=True)
class Param:
    """A declared query parameter: its name, what it means and its type."""

    name: str
    description: str
    type: str
    of_class: str | None = None

    def describe(self) -> str:
        """Return the type as written in the query file, e.g. ``IRI cg:Role``."""
        return f"{self.type} {self.of_class}" if self.of_class else self.type


@dataclass(frozen=True)
class QueryInfo:
    """A named query file: name, the question it answers, parameters and text."""

    name: str
    description: str
    params: tuple[Param, ...]
    path: Path
    text: str = field(repr=False)

    def param(self, name: str) -> Param:
        """Return the declared parameter ``name``; an undeclared name is a BadParameter."""
        for param in self.params:
            if param.name == name:
                return param
        declared = ", ".join(p.name for p in self.params) or "none"
        raise BadParameter(f"query {self.name!r} has no parameter {name!r} (it takes: {declared})")


@dataclass
class Result:
    """The rows of a query: column names and rows of rdflib terms (None when unbound)."""

    columns: list[str]
    rows: list[tuple[Identifier | None, ...]]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def dicts(self) -> list[dict[str, Identifier | None]]:
        """Return the rows as dicts keyed by column."""
        return [dict(zip(self.columns, row)) for row in self.rows]

    def to_table(self) -> str:
        """Return aligned text columns, IRIs shortened to prefixed names."""
        cells = [[_short(v) for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(lines)

    def to_json(self) -> str:
        """Return the SPARQL 1.1 Query Results JSON format."""
        bindings = []
        for row in self.rows:
            item: dict[str, dict[str, str]] = {}
            for column, value in zip(self.columns, row):
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
        """Return CSV as the SPARQL 1.1 CSV results format has it (full IRIs, plain values)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if v is None else str(v) for v in row])
        return buffer.getvalue()


def _short(value: Identifier | None) -> str:
    if value is None:
        return ""
    if isinstance(value, URIRef):
        text = str(value)
        for prefix, ns in _DISPLAY_PREFIXES.items():
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return f"<{text}>"
    return str(value)


def read_query(path: str | Path) -> QueryInfo:
    """Read one ``.rq`` file: its description (first line) and declared parameters.

    Example:
        >>> from chaingraph import resources
        >>> info = read_query(resources.QUERIES_DIR / "phase-owners.rq")
        >>> [p.name for p in info.params]
        ['case', 'date']
    """
    path = Path(path)
    if not path.is_file():
        raise MissingPath(path)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if not first.startswith("#"):
        raise BadParameter(f"{path}: the first line must be a '#' comment saying what the query answers")
    params = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        match = _PARAM.match(line)
        if match:
            kind = match["type"].split()
            if kind[0] != "IRI" and kind[0] not in LITERAL_TYPES:
                raise BadParameter(f"{path}: parameter {match['name']!r} has unknown type "
                                   f"{match['type']!r} (use IRI or one of {', '.join(LITERAL_TYPES)})")
            params.append(Param(match["name"], match["description"], kind[0],
                                kind[1] if len(kind) > 1 else None))
    return QueryInfo(path.stem, first.lstrip("#").strip(), tuple(params), path, text)


def list_queries(folder: str | Path | None = None) -> list[QueryInfo]:
    """Return the named queries in ``folder`` (the bundled ``queries/`` by default), by name.

    Example:
        >>> "phase-owners" in [q.name for q in list_queries()]
        True
    """
    folder = resources.QUERIES_DIR if folder is None else Path(folder)
    return [read_query(p) for p in sorted(folder.glob("*.rq"))]


def find_query(name_or_path: str | Path, folder: str | Path | None = None) -> QueryInfo:
    """Return the query named ``name_or_path``, or read it from a ``.rq`` path."""
    text = str(name_or_path)
    if text.endswith(".rq") or "/" in text or isinstance(name_or_path, Path):
        return read_query(text)
    folder = resources.QUERIES_DIR if folder is None else Path(folder)
    path = folder / f"{text}.rq"
    if not path.is_file():
        raise UnknownQuery(text, [p.stem for p in folder.glob("*.rq")])
    return read_query(path)


def parse_date(value: str | date, what: str = "date") -> date:
    """Return ``value`` as a date; anything but YYYY-MM-DD is a BadParameter."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadParameter(f"{what} {str(value)!r} is not a date (use YYYY-MM-DD, "
                           "e.g. 2021-05-01)") from None


def resolve(graph: Graph, value: str | URIRef, *, of_class: URIRef | None = None,
            what: str = "name") -> URIRef:
    """Turn a user's name for a resource into its IRI.

    Accepts a full IRI, a prefixed name (``mon:role-ovj``), a local name
    (``role-ovj``), a local name without its type prefix (``ovj``), a
    ``skos:notation`` or a label in either language. With ``of_class`` only instances
    of that class count and an unknown name raises the matching ``Unknown…`` error
    (listing what exists); without it, a full or prefixed IRI is taken as given.

    Example:
        >>> from chaingraph import load
        >>> resolve(load(), "direction", of_class=CG.Phase) == CG.PhaseCaseDirection
        True
    """
    if isinstance(value, URIRef):
        return value
    text = str(value).strip()
    candidates = (sorted({s for s in graph.subjects(RDF.type, of_class) if isinstance(s, URIRef)})
                  if of_class is not None else None)
    iri: URIRef | None = None
    if ":" in text:
        prefix, _, rest = text.partition(":")
        if prefix in _DISPLAY_PREFIXES and _SAFE_NAME.match(rest or "-"):
            iri = URIRef(_DISPLAY_PREFIXES[prefix] + rest)
        elif _SAFE_IRI.match(text) and "//" in text:
            iri = URIRef(text)
    if iri is not None and (candidates is None or iri in candidates):
        return iri
    if candidates is None:
        candidates = sorted({s for s in graph.subjects() if isinstance(s, URIRef)})
    wanted = text.casefold()
    for node in candidates:
        local = local_name(node)
        if wanted in (local.casefold(), local.split("-", 1)[-1].casefold()):
            return node
    for node in candidates:
        names = {str(v).casefold() for p in (SKOS.notation, SKOS.prefLabel, RDFS.label)
                 for v in graph.objects(node, p)}
        if wanted in names:
            return node
    known = ([str(next(graph.objects(n, SKOS.notation), local_name(n))) for n in candidates]
             if of_class is not None else [])
    if of_class is not None:
        raise _UNKNOWN_BY_CLASS.get(of_class, UnknownName)(text, known)
    raise BadParameter(f"{what} {text!r} is not a known name, prefixed name or IRI")


def _class_iri(name: str) -> URIRef:
    prefix, _, rest = name.partition(":")
    if prefix not in _DISPLAY_PREFIXES:
        raise BadParameter(f"unknown prefix in class {name!r}")
    return URIRef(_DISPLAY_PREFIXES[prefix] + rest)


def bind(graph: Graph, info: QueryInfo, params: Mapping[str, Any]) -> dict[str, Identifier]:
    """Turn the user's parameter values into rdflib terms of the declared types.

    This is the one place where parameters become terms. A string becomes a plain
    literal (never query text), so ``x" } ; DROP ALL ; #`` is just a string that
    matches nothing. None leaves a parameter unbound ("all").

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
            of_class = _class_iri(param.of_class) if param.of_class else None
            bound[name] = resolve(graph, value, of_class=of_class, what=name)
        elif param.type == "xsd:date":
            bound[name] = Literal(parse_date(value, name))
        elif param.type == "xsd:gYear":
            if not re.fullmatch(r"\d{4}", str(value).strip()):
                raise BadParameter(f"{name} {str(value)!r} is not a year (use YYYY, e.g. 2019)")
            bound[name] = Literal(str(value).strip(), datatype=XSD.gYear)
        elif param.type == "xsd:integer":
            try:
                bound[name] = Literal(int(str(value)))
            except ValueError:
                raise BadParameter(f"{name} {str(value)!r} is not a whole number") from None
        else:  # xsd:string: a plain literal, as Turtle's "..." is
            bound[name] = Literal(str(value))
    return bound


_WHERE = re.compile(r"^(\s*WHERE\s*\{)", re.M)


def with_values(info: QueryInfo | str, bindings: Mapping[str, Identifier]) -> str:
    """Return the query text with ``bindings`` as a ``VALUES`` clause at the top of its WHERE.

    For backends without ``initBindings`` (Oxigraph, a remote endpoint). The values are
    rdflib terms serialised with ``.n3()``, which escapes them: user text never becomes
    query syntax.

    Example:
        >>> info = find_query("cases")
        >>> 'VALUES (?case) { ("FX-001") }' in with_values(info, {"case": Literal("FX-001")})
        True
    """
    text = info if isinstance(info, str) else info.text
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    clause = f"VALUES ({names}) {{ ({terms}) }}"
    bound, count = _WHERE.subn(lambda m: f"{m.group(1)}\n  {clause}", text, count=1)
    if not count:
        bound, count = _ANY_WHERE.subn(lambda m: f"{m.group(1)} {clause}", text, count=1)
    if not count:
        where = "the query" if isinstance(info, str) else str(info.path)
        raise BadParameter(f"{where}: no 'WHERE {{' to bind parameters in")
    return bound


_ANY_WHERE = re.compile(r"(\bWHERE\s*\{)", re.I)
_PREPARED_TEXT: dict[str, Any] = {}


def execute(graph: Graph, query: QueryInfo | str,
            bindings: Mapping[str, Identifier] | None = None) -> Any:
    """Run SPARQL ``text`` on ``graph`` with ``bindings``, on whatever backend it lives.

    rdflib in memory: the text is parsed once and the bindings go in as ``initBindings``.
    Oxigraph or an endpoint: the bindings become a ``VALUES`` clause (:func:`with_values`).
    """
    text = query if isinstance(query, str) else query.text
    if _is_rdflib_memory(graph):
        if text not in _PREPARED_TEXT:
            from rdflib.plugins.sparql import prepareQuery

            _PREPARED_TEXT[text] = prepareQuery(text)
        return graph.query(_PREPARED_TEXT[text], initBindings=dict(bindings or {}))
    return graph.query(with_values(query, bindings or {}))


def _is_rdflib_memory(graph: Graph) -> bool:
    return type(graph.store).__module__.startswith("rdflib.plugins.stores.memory")


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


# ---------------------------------------------------------------- command line

FORMATS = ("table", "json", "csv")


def render_list(queries: Iterable[QueryInfo]) -> str:
    """Return the ``--list`` text: each query, what it answers and its parameters."""
    lines = []
    for info in queries:
        lines.append(f"{info.name}")
        lines.append(f"    {info.description}")
        for p in info.params:
            lines.append(f"    --param {p.name}=…  {p.describe()}: {p.description}")
        lines.append("")
    return "\n".join(lines).rstrip()


def parse_params(items: Sequence[str]) -> dict[str, str]:
    """Turn ``name=value`` strings into a dict; a missing '=' is a BadParameter."""
    result: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise BadParameter(f"parameter {item!r} is not name=value")
        result[name.strip()] = value
    return result


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--data PATH`` and the backend options (``--backend``, ``--store``, ``--endpoint``)."""
    from chaingraph.backends import add_backend_arguments

    parser.add_argument("--data", action="append", default=[], metavar="PATH",
                        help="case files or folders (default: the bundled example cases)")
    add_backend_arguments(parser)


def open_graph(args: argparse.Namespace) -> Graph:
    """Return the graph the options of :func:`add_data_arguments` ask for."""
    from chaingraph.backends import graph_from_args

    return graph_from_args(argparse.Namespace(
        paths=args.data, backend=getattr(args, "backend", "memory"),
        store=getattr(args, "store", None), endpoint=getattr(args, "endpoint", None),
        lang=getattr(args, "lang", "en")))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", metavar="NAME",
                        help="a query name (see --list) or the path of a .rq file")
    parser.add_argument("--list", action="store_true", help="list the queries and their parameters")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="bind a parameter (repeatable)")
    parser.add_argument("--format", choices=FORMATS, default="table")
    add_data_arguments(parser)
    parser.add_argument("--output", metavar="FILE", help="write to FILE (atomically)")


def run(args: argparse.Namespace) -> int:
    from chaingraph.output import emit

    if args.list:
        emit(render_list(list_queries()), args.output)
        return 0
    if not args.name:
        raise BadParameter("name a query to run, or use --list to see them")
    info = find_query(args.name)
    params: dict[str, Any] = parse_params(args.param)
    if "lang" not in params and any(p.name == "lang" for p in info.params):
        params["lang"] = args.lang
    for name in params:
        info.param(name)  # an undeclared parameter fails before the data is loaded
    result = run_query(open_graph(args), info.path, **params)
    rendered = {"table": result.to_table, "json": result.to_json, "csv": result.to_csv}[args.format]()
    emit(rendered, args.output)
    return 0


_CASE_IDS = """PREFIX cg: <https://w3id.org/chaingraph/ontology#>
SELECT DISTINCT ?id WHERE { ?case a cg:Case ; cg:caseId ?id }"""


def case_ids(graph: Graph) -> list[str]:
    """Return the identifiers of the cases in ``graph``, sorted.

    On Oxigraph the identifiers come as the store's own TSV text: a region's 100,000
    cases in a fraction of a second, where turning each row into rdflib terms takes
    seconds (an unknown case lists the nearest ones).

    Example:
        >>> from chaingraph import load
        >>> case_ids(load())[:2]
        ['FX-001', 'FX-002']
    """
    from chaingraph.backends import native_store, select_rows

    store = native_store(graph)
    if store is None:
        return sorted({str(row[0]) for row in graph.query(_CASE_IDS)})  # type: ignore[index]
    from rdflib.util import from_n3

    ids = set()
    for (term,) in select_rows(store, _CASE_IDS):
        if term.startswith('"') and "\\" not in term:
            ids.add(term[1:term.rindex('"')])
        else:
            ids.add(str(from_n3(term)))
    return sorted(ids)


def find_case(graph: Graph, case_id: str) -> URIRef:
    """Return the IRI of the case (a ``cg:Case``) with identifier ``case_id``.

    Looked up by its identifier; only an unknown case lists the cases there are.

    Example:
        >>> from chaingraph import load
        >>> find_case(load(), "FX-001").endswith("/FX-001/case")
        True

    Raises:
        UnknownCase: no such case; the message names the nearest.
    """
    for literal in (Literal(case_id), Literal(case_id, datatype=XSD.string)):
        for node in graph.subjects(CG.caseId, literal):
            if isinstance(node, URIRef) and (node, RDF.type, CG.Case) in graph:
                return node
    raise UnknownCase(case_id, case_ids(graph))
