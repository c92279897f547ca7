"""SPARQL query files: the named queries of ``queries/`` and the internal ones, read once.

Each named ``.rq`` file answers one question. Its stem is its name; its first line is
a ``#`` comment saying what it answers; ``# param: NAME — description (TYPE)`` lines
declare its parameters, where TYPE is an XSD datatype (``xsd:string``, ``xsd:date``,
``xsd:gYear``, ``xsd:integer``) or ``IRI`` optionally followed by the class the value
must be an instance of (``IRI cg:Role``). Every parameter variable is in the query's
SELECT list, and an unbound parameter means "all", so each file runs unchanged in any
SPARQL tool.

The queries the package itself asks (of the exports, the audit, the membership index)
live in ``queries/internal/``, read by :func:`internal`; ``chaingraph query --list``
does not show them. A file is read once and kept (it is read again only when it
changes on disk).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from rdflib.namespace import XSD

from chaingraph import resources
from chaingraph.errors import BadParameter, MissingPath, SourceError, UnknownQuery

_PARAM = re.compile(r"^#\s*param:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:—|–|-|:)\s*"
                    r"(?P<description>.*?)\s*\((?P<type>[^()]+)\)\s*$")

LITERAL_TYPES = {"xsd:string": None, "xsd:date": XSD.date, "xsd:gYear": XSD.gYear,
                 "xsd:integer": XSD.integer}

INTERNAL_DIR = "internal"


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
    """A query file: name, the question it answers, parameters and text."""

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
        declared = ", ".join(p.name for p in self.params)
        raise BadParameter(key="no_such_parameter" if declared else "no_parameters",
                           query=self.name, name=name, declared=declared)

    @cached_property
    def prepared(self) -> Any:
        """The query parsed and translated by rdflib, once (for ``initBindings``).

        Raises:
            SourceError: the text is not SPARQL; names the line and column and quotes none
                of the file. (A query sent to an endpoint is judged by the server instead.)
        """
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql import prepareQuery

        try:
            return prepareQuery(self.text)
        except ParseBaseException as exc:
            raise SourceError(self.path, line=exc.lineno, problem="not_sparql",
                              column=exc.col) from None


def read_query(path: str | Path) -> QueryInfo:
    """Read one ``.rq`` file: its description (first line) and declared parameters.

    The file is read once; a second call returns the same object unless the file changed.

    Example:
        >>> from chaingraph import resources
        >>> info = read_query(resources.QUERIES_DIR / "phase-owners.rq")
        >>> [p.name for p in info.params]
        ['case', 'date']
    """
    path = Path(path)
    if not path.is_file():
        raise MissingPath(path)
    stat = path.stat()
    return _read(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _read(path: Path, mtime_ns: int, size: int) -> QueryInfo:
    from chaingraph.readable import check_bytes
    from chaingraph.sparql_tokens import tokens

    check_bytes(path, "turtle")  # UTF-8 text without NUL bytes (SPARQL's syntax is Turtle's)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if not first.startswith("#"):
        raise BadParameter(key="query_first_line", path=path)
    params = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        match = _PARAM.match(line)
        if match:
            kind = match["type"].split()
            if kind[0] != "IRI" and kind[0] not in LITERAL_TYPES:
                raise BadParameter(key="parameter_type", path=path, name=match["name"],
                                   type=match["type"], known=", ".join(LITERAL_TYPES))
            params.append(Param(match["name"], match["description"], kind[0],
                                kind[1] if len(kind) > 1 else None))
    for _, kind, word in tokens(text):  # no query file makes chaingraph fetch from elsewhere
        if kind == "word" and word.upper() == "SERVICE":
            raise BadParameter(key="query_service", path=path)
    return QueryInfo(path.stem, first.lstrip("#").strip(), tuple(params), path, text)


def list_queries(folder: str | Path | None = None) -> list[QueryInfo]:
    """Return the named queries in ``folder`` (the bundled ``queries/`` by default), by name.

    Only the folder's own ``*.rq`` files count: the internal queries are not named queries.

    Example:
        >>> "phase-owners" in [q.name for q in list_queries()]
        True
    """
    folder = resources.QUERIES_DIR if folder is None else Path(folder)
    return [read_query(p) for p in sorted(folder.glob("*.rq"))]


def find_query(name_or_path: str | Path, folder: str | Path | None = None) -> QueryInfo:
    """Return the query named ``name_or_path``, or read it from a ``.rq`` path.

    Example:
        >>> find_query("cases") is find_query("cases")
        True
    """
    text = str(name_or_path)
    if text.endswith(".rq") or "/" in text or isinstance(name_or_path, Path):
        return read_query(text)
    folder = resources.QUERIES_DIR if folder is None else Path(folder)
    path = folder / f"{text}.rq"
    if not path.is_file():
        raise UnknownQuery(text, [p.stem for p in folder.glob("*.rq")])
    return read_query(path)


def internal(name: str, *, folder: str | Path | None = None) -> QueryInfo:
    """Return the internal query ``name`` (``queries/internal/NAME.rq``, or ``.ru`` for an update).

    Example:
        >>> internal("audit-spread").path.suffix, internal("as-of-open").path.suffix
        ('.ru', '.rq')
    """
    base = (resources.QUERIES_DIR if folder is None else Path(folder)) / INTERNAL_DIR
    for suffix in (".rq", ".ru"):
        path = base / f"{name}{suffix}"
        if path.is_file():
            return read_query(path)
    raise MissingPath(base / f"{name}.rq")
