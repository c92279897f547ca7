"""Loading the ontology, the monitor data and the cases into an rdflib graph.

``load()`` gives one :class:`rdflib.Graph` with everything (what SPARQL, pyshacl and
networkx want); ``load_dataset()`` gives the same triples with a named graph per
source file, for provenance. Both check each data file against the ontology: a
term in the ``cg:`` namespace that the ontology does not declare is an error, not a
silently minted IRI.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from chaingraph import readable, resources
from chaingraph.errors import SourceError, UnknownTerm
from chaingraph.namespace import CG, PREFIXES

PathLike = str | Path

_FORMATS = {".ttl": "turtle", ".nt": "nt", ".n3": "n3", ".jsonld": "json-ld", ".rdf": "xml",
            ".owl": "xml"}


def ontology_files() -> list[Path]:
    """Return the bundled ontology files (classes, properties and SKOS schemes)."""
    return resources.turtle_files(resources.ONTOLOGY_DIR)


def monitor_files() -> list[Path]:
    """Return the bundled monitor data files."""
    return resources.turtle_files(resources.MONITOR_DIR)


def case_files() -> list[Path]:
    """Return the bundled example case files."""
    return resources.turtle_files(resources.CASES_DIR)


def expand(paths: Iterable[PathLike]) -> list[Path]:
    """Turn files and folders into a sorted list of RDF files; a missing path is an error.

    A folder gives its RDF files by suffix, in any case (``FX-001.TTL`` too).

    Raises:
        MissingPath: a path that does not exist.
        SourceError: a symbolic link to nothing, or a device, pipe or socket.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in _FORMATS)
            for item in found:
                readable.regular_file(item)
            files.extend(found)
        else:
            files.append(readable.regular_file(path))
    return files


def sources(paths: Sequence[PathLike] = (), *, base: bool = True) -> list[Path]:
    """Return the files ``load`` reads, in order.

    Args:
        paths: data files or folders. Empty means the bundled monitor data and cases.
        base: also read the bundled ontology and monitor data (the vocabulary the
            cases refer to). Turn off to read exactly ``paths``.
    """
    chosen: list[Path] = ontology_files() + monitor_files() if base else []
    chosen += expand(paths) if paths else case_files()
    seen: set[Path] = set()
    unique = []
    for path in chosen:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def parse_file(path: PathLike, graph: Graph | None = None) -> Graph:
    """Parse one RDF file into ``graph`` (a new one by default).

    Raises:
        SourceError: the file is unreadable or malformed; the message names the line.
    """
    path = Path(path)
    part = Graph()
    fmt = _FORMATS.get(path.suffix.lower(), "turtle")
    try:
        readable.check_file(path)
        with readable.quiet_parsers(), readable.as_written():
            part.parse(path, format=fmt)
    except SourceError:
        raise
    except BadSyntax as exc:
        line = exc._str[: exc._i].count(b"\n") + 1 if isinstance(exc._str, bytes) else exc.lines + 1
        raise SourceError(path, line=line, problem="malformed", format=fmt.capitalize(),
                          why=exc._why) from None
    except UnicodeError as exc:  # what check_file let through: a bad escape, say
        raise SourceError(path, problem="malformed", format=readable.NAMES[readable.kind_of(path)],
                          why=_first_line(exc)) from None
    except OSError as exc:
        why = exc.strerror or _first_line(exc)
        raise SourceError(path, problem="unreadable", why=why) from None
    except RecursionError:
        raise SourceError(path, problem="malformed", format=readable.NAMES[readable.kind_of(path)],
                          why="nested too deep") from None
    except Exception as exc:  # rdflib's other parsers raise assorted errors
        raise SourceError(path, problem="malformed", format=readable.NAMES[readable.kind_of(path)],
                          why=_first_line(exc)) from None
    readable.check_values(part, path)
    if graph is None:
        return part
    for prefix, namespace in part.namespaces():
        graph.bind(prefix, namespace, override=False)
    graph += part
    return graph


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:199] + "…"
    return text or exc.__class__.__name__


def _parsed_base(path: Path) -> Graph:
    """A bundled ontology or monitor file, parsed once per version (its graph is only read)."""
    stat = path.stat()
    return _parse_once(path.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.cache
def bundled_subjects() -> frozenset[str]:
    """The subjects (IRIs, as text) of the bundled ontology and monitor files."""
    return frozenset(str(s) for path in ontology_files() + monitor_files()
                     for s in _parsed_base(path).subjects() if isinstance(s, URIRef))


@functools.lru_cache(maxsize=64)
def _parse_once(path: Path, mtime_ns: int, size: int) -> Graph:
    return parse_file(path)


def declared_terms(ontology: Graph) -> set[URIRef]:
    """Return every ``cg:`` IRI the ontology declares (as a subject)."""
    ns = str(CG._NS)
    return {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)}


def check_terms(graph: Graph, declared: set[URIRef], *, source: PathLike = "<graph>") -> None:
    """Raise :class:`UnknownTerm` if ``graph`` uses a ``cg:`` term not in ``declared``."""
    ns = str(CG._NS)
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(ns) and term not in declared:
                raise unknown_term(source, str(term), declared)


def unknown_term(source: PathLike, term: str, declared: Iterable[str]) -> UnknownTerm:
    """The error for a ``cg:`` IRI the ontology does not declare, with the nearest that it does.

    Example:
        >>> unknown_term("a.ttl", str(CG._NS) + "enddate", declared_names()).suggestions
        ['cg:endDate', 'cg:date']
    """
    ns = str(CG._NS)
    local = term[len(ns):]
    names = [str(t)[len(ns):] for t in declared]
    close = ["cg:" + n for n in difflib.get_close_matches(local, names, n=2)]
    return UnknownTerm(source, "cg:" + local, close)


@functools.cache
def declared_names() -> frozenset[str]:
    """Every ``cg:`` IRI the bundled ontology declares, as text (read once a process): what a
    store's or a file chunk's terms are checked against on Oxigraph."""
    names: set[str] = set()
    for path in ontology_files():
        names |= {str(term) for term in declared_terms(_parsed_base(path))}
    return frozenset(names)


def _bind(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph


def _read(files: Sequence[Path], ontology_count: int, check: bool):
    """Yield (path, graph) for each file, checking data files against the ontology.

    A data file must use the ontology's terms, give each property the kind of value its
    ``rdfs:range`` says (:func:`chaingraph.readable.ill_typed`) and not reuse the case id of
    a case in another file.
    """
    declared: set[URIRef] = set()
    cases: dict[str, tuple[Path, Node]] = {}
    bundled = set(ontology_files() + monitor_files())  # read once per process (_parsed_base)
    for index, path in enumerate(files):
        part = _parsed_base(path) if path in bundled else parse_file(path)
        if index < ontology_count:
            declared |= declared_terms(part)
        elif check:
            if declared:
                check_terms(part, declared, source=path)
            for bad in readable.ill_typed(part, readable.bundled_ranges()):
                raise readable.value_error(bad, [path])
            check_case_ids(part, path, cases)
        yield path, part


def check_case_ids(graph: Graph, path: Path, seen: dict[str, tuple[Path, Node]]) -> None:
    """Refuse a case id that another case node (in this or an earlier file) already has.

    ``seen`` maps each case id read so far to its file and case node; it is filled in.

    Raises:
        SourceError: the id is taken, naming both files.
    """
    for case, case_id in sorted(graph.subject_objects(CG.caseId)):
        key = str(case_id)
        first = seen.get(key)
        if first is None:
            seen[key] = (path, case)
        elif first[1] != case or first[0] != path:
            raise SourceError(path, problem="duplicate_case", case=key, other=first[0])


def load(paths: Sequence[PathLike] = (), *, base: bool = True, check: bool = True) -> Graph:
    """Load the ontology, the monitor and cases into one rdflib graph.

    Args:
        paths: case (or other data) files and folders; empty means the bundled cases.
        base: also load the bundled ontology and monitor data.
        check: reject data that uses ``cg:`` terms the ontology does not declare.

    Example:
        >>> from chaingraph import load
        >>> g = load()
        >>> len(g) > 1000
        True
    """
    files = sources(paths, base=base)
    graph = _bind(Graph())
    for _, part in _read(files, len(ontology_files()) if base else 0, check):
        graph += part
    return graph


def load_dataset(paths: Sequence[PathLike] = (), *, base: bool = True,
                 check: bool = True) -> Dataset:
    """Load like :func:`load`, with a named graph per source file (its ``file:`` URI).

    The default graph is the union of the named graphs, so queries see everything.
    """
    files = sources(paths, base=base)
    dataset = Dataset(default_union=True)
    _bind(dataset)
    for path, part in _read(files, len(ontology_files()) if base else 0, check):
        named = dataset.graph(URIRef(path.resolve().as_uri()))
        for triple in part:
            named.add(triple)
    return dataset
