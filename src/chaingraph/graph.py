"""Loading the ontology, the monitor data and the cases into an rdflib graph.

``load()`` gives one :class:`rdflib.Graph` with everything (what SPARQL, pyshacl and
networkx want); ``load_dataset()`` gives the same triples with a named graph per
source file, for provenance. Both check each data file against the ontology: a
term in the ``cg:`` namespace that the ontology does not declare is an error, not a
silently minted IRI.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from chaingraph import resources
from chaingraph.errors import MissingPath, SourceError, UnknownTerm
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
    """Turn files and folders into a sorted list of RDF files; a missing path is an error."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in _FORMATS))
        elif path.is_file():
            files.append(path)
        else:
            raise MissingPath(path)
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
    graph = Graph() if graph is None else graph
    fmt = _FORMATS.get(path.suffix.lower(), "turtle")
    try:
        graph.parse(path, format=fmt)
    except BadSyntax as exc:
        line = exc._str[: exc._i].count(b"\n") + 1 if isinstance(exc._str, bytes) else exc.lines + 1
        raise SourceError(path, line=line, problem="malformed", format=fmt.capitalize(),
                          why=exc._why) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, problem="unreadable",
                          why=f"{exc.__class__.__name__}: {exc}") from None
    except Exception as exc:  # rdflib's other parsers raise assorted errors
        raise SourceError(path, problem="malformed", format=fmt, why=exc) from None
    return graph


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
                local = str(term)[len(ns):]
                names = [str(t)[len(ns):] for t in declared]
                close = ["cg:" + n for n in difflib.get_close_matches(local, names, n=2)]
                raise UnknownTerm(source, "cg:" + local, close)


def _bind(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph


def _read(files: Sequence[Path], ontology_count: int, check: bool):
    """Yield (path, graph) for each file, checking data files against the ontology."""
    declared: set[URIRef] = set()
    for index, path in enumerate(files):
        part = parse_file(path)
        if index < ontology_count:
            declared |= declared_terms(part)
        elif check and declared:
            check_terms(part, declared, source=path)
        yield path, part


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
