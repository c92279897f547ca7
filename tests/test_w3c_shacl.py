"""The SHACL compiler on the W3C SHACL test suite (core, SPARQL): the expected report or a refusal.

Every entry of the suite's manifests (``tests/fixtures/w3c-shacl-tests``, a copy of the W3C
data-shapes test suite with its licence note) is one case. An ``sht:Validate`` entry with an
expected ``sh:ValidationReport`` passes when :func:`chaingraph.shacl2sparql.validate` gives
that report (``sh:conforms`` and the set of focus node, result path, source shape, source
constraint component, severity, and value where the expected result gives one), or when
the compiler refuses the shapes with :class:`UnsupportedShape` naming the shape and the
construct. Any other answer fails: a different report, or any other exception. An entry
whose expected result is ``sht:Failure`` (ill-formed shapes) passes only when refused.

Blank nodes in the expected results are compared by their description (their properties
and what points at them, a few steps deep), so a report is equal whatever the labels.
The last case prints how many entries give the expected report and how many are refused,
by construct.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from chaingraph.errors import ChaingraphError
from chaingraph.shacl2sparql import UnsupportedShape, Violation, compile_path, validate

SUITE = Path(__file__).parent / "fixtures" / "w3c-shacl-tests"
MANIFEST = SUITE / "tests" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

# The suite's size (core/ and sparql/): entries with an expected report, and ill-formed shapes.
REPORTS, FAILURES = 113, 7

# Ill-typed literals in the suite ("abc"^^xsd:integer) make rdflib log a traceback per parse,
# and warn about "none"^^xsd:boolean whenever it reads its value.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")


@dataclass(frozen=True)
class Entry:
    """One manifest entry: the data, the shapes and the expected report (None: must be refused)."""

    name: str
    data: Graph
    shapes: Graph
    expected: Graph | None
    report: Node | None


def _parse(path: Path, cache: dict[Path, Graph]) -> Graph:
    """The graph of a file of the suite, its literals as written ("none"^^xsd:boolean stays
    so: rdflib would otherwise rewrite it as "false")."""
    if path not in cache:
        normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Parsing weird boolean", UserWarning)
                cache[path] = Graph().parse(path, format="turtle")
        finally:
            rdflib.NORMALIZE_LITERALS = normalize
    return cache[path]


def _local(iri: Node) -> Path:
    assert isinstance(iri, URIRef) and iri.startswith("file://"), iri
    return Path(iri[len("file://"):])


def _entries() -> list[Entry]:
    """Every entry of the manifest and of the manifests it includes (mf:include), in order."""
    cache: dict[Path, Graph] = {}
    found: list[Entry] = []

    def walk(path: Path) -> None:
        graph = _parse(path, cache)
        for included in graph.objects(None, MF.include):
            walk(_local(included))
        for entries in graph.objects(None, MF.entries):
            for entry in Collection(graph, entries):
                assert (entry, RDF.type, SHT.Validate) in graph, entry
                action = graph.value(entry, MF.action)
                data = _parse(_local(graph.value(action, SHT.dataGraph)), cache)
                shapes = _parse(_local(graph.value(action, SHT.shapesGraph)), cache)
                result = graph.value(entry, MF.result)
                name = str(_local(entry).relative_to(SUITE / "tests"))
                if result == SHT.Failure:
                    found.append(Entry(name, data, shapes, None, None))
                else:
                    assert (result, RDF.type, SH.ValidationReport) in graph, entry
                    found.append(Entry(name, data, shapes, graph, result))

    walk(MANIFEST)
    return found


ENTRIES = _entries()


# --- comparing reports -------------------------------------------------------------------


def _describe(graphs: tuple[Graph, ...], node: Node, depth: int = 3) -> object:
    """A label-free description of ``node``: itself unless it is a blank node; a blank node
    by its properties and by what points at it (IRIs, literals and, ``depth`` steps deep, other
    blank nodes described the same way). A literal is its lexical form, datatype and language."""
    if isinstance(node, Literal):
        # RDF 1.1: a simple literal is an xsd:string; language tags do not differ by case.
        return (str(node), node.datatype or (None if node.language else XSD.string),
                node.language.lower() if node.language else None)
    if not isinstance(node, BNode):
        return node
    if depth == 0:
        return "_:"
    out = frozenset((p, _describe(graphs, o, depth - 1))
                    for g in graphs for p, o in g.predicate_objects(node))
    into = frozenset((s if not isinstance(s, BNode) else "_:", p)
                     for g in graphs for s, p in g.subject_predicates(node))
    return ("_:", out, into)


Result = tuple[object, str | None, object, Node, Node, object]


def _expected(entry: Entry) -> tuple[bool, set[Result], set[Result]]:
    """The expected report: conforms, the results with a value, the results without one."""
    graph, report = entry.expected, entry.report
    assert graph is not None and report is not None
    graphs = (entry.data, entry.shapes)
    with_value: set[Result] = set()
    without_value: set[Result] = set()
    for result in graph.objects(report, SH.result):
        path = graph.value(result, SH.resultPath)
        shape = graph.value(result, SH.sourceShape)
        row = (_describe(graphs, graph.value(result, SH.focusNode)),
               compile_path(graph, path, shape) if path is not None else None,
               _describe(graphs, shape), graph.value(result, SH.sourceConstraintComponent),
               graph.value(result, SH.resultSeverity))
        value = graph.value(result, SH.value)
        if value is None:
            without_value.add(row + (None,))
        else:
            with_value.add(row + (_describe(graphs, value),))
    conforms = graph.value(report, SH.conforms)
    assert isinstance(conforms, Literal), entry.name
    return bool(conforms.toPython()), with_value, without_value


def _actual(entry: Entry, found: set[Violation]) -> set[Result]:
    graphs = (entry.data, entry.shapes)
    return {(_describe(graphs, v.focus), v.path, _describe(graphs, v.shape), v.component,
             v.severity, _describe(graphs, v.value) if v.value is not None else None)
            for v in found}


def _difference(entry: Entry, found: set[Violation]) -> str:
    """What differs between the expected report and ``found`` ("" when they agree)."""
    conforms, with_value, without_value = _expected(entry)
    actual = _actual(entry, found)
    missing = {r for r in with_value if r not in actual}
    missing |= {r for r in without_value if not any(a[:5] == r[:5] for a in actual)}
    extra = {a for a in actual if a not in with_value and a[:5] + (None,) not in without_value}
    problems = []
    if conforms != (not found):
        problems.append(f"conforms: expected {conforms}, got {not found}")
    problems += [f"missing: {_show(r)}" for r in sorted(missing, key=str)]
    problems += [f"unexpected: {_show(r)}" for r in sorted(extra, key=str)]
    return "\n".join(problems)


def _show(row: Result) -> str:
    focus, path, shape, component, severity, value = row
    return (f"focus {_brief(focus)} path {path} shape {_brief(shape)} "
            f"{str(component).rsplit('#', 1)[-1]} {str(severity).rsplit('#', 1)[-1]} "
            f"value {_brief(value)}")


def _brief(described: object) -> str:
    if isinstance(described, Node):
        return described.n3()
    if isinstance(described, tuple) and described[0] != "_:":
        text, datatype, language = described
        return Literal(text, lang=language, datatype=None if language else datatype).n3()
    return "[blank node]" if described else "-"


# --- running an entry --------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the compiler did with an entry: the report, or the refusal."""

    found: set[Violation] | None = None
    refusal: UnsupportedShape | None = None
    crash: Exception | None = None


@functools.cache
def _outcome(index: int) -> Outcome:
    entry = ENTRIES[index]
    try:
        return Outcome(found=validate(entry.data, entry.shapes))
    except UnsupportedShape as refusal:
        return Outcome(refusal=refusal)
    except Exception as crash:  # noqa: BLE001 - any other error fails the entry
        return Outcome(crash=crash)


def _check_refusal(entry: Entry, refusal: UnsupportedShape) -> None:
    """A refusal names a shape of the shapes graph and the construct, as one sentence."""
    assert isinstance(refusal, ChaingraphError)
    message = str(refusal)
    assert refusal.construct and refusal.construct in message, message
    shapes = entry.shapes
    assert (refusal.shape, None, None) in shapes or (None, None, refusal.shape) in shapes
    shown = str(refusal.shape).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    assert (shown if isinstance(refusal.shape, URIRef) else "anonymous") in message, message
    assert "\n" not in message, message


@pytest.mark.parametrize("index", range(len(ENTRIES)), ids=[e.name for e in ENTRIES])
def test_w3c_entry_gives_the_expected_report_or_is_refused(index):
    entry = ENTRIES[index]
    outcome = _outcome(index)
    if outcome.crash is not None:
        raise AssertionError(f"{entry.name}: the compiler crashed") from outcome.crash
    if entry.expected is None:
        found = len(outcome.found or ())
        assert outcome.refusal is not None, (
            f"{entry.name}: ill-formed shapes were accepted; found {found} results")
        _check_refusal(entry, outcome.refusal)
        return
    if outcome.refusal is not None:
        _check_refusal(entry, outcome.refusal)
        return
    assert outcome.found is not None
    difference = _difference(entry, outcome.found)
    assert not difference, f"{entry.name}: a different report than expected\n{difference}"


def test_w3c_summary(capsys):
    """How many entries give the expected report and how many are refused, by construct."""
    assert len(ENTRIES) == REPORTS + FAILURES
    assert sum(e.expected is None for e in ENTRIES) == FAILURES
    refused: Counter[str] = Counter()
    named: dict[str, list[str]] = {"expected": [], "different": [], "crashed": [],
                                   "ill-formed refused": [], "ill-formed accepted": []}
    for index, entry in enumerate(ENTRIES):
        outcome = _outcome(index)
        if outcome.crash is not None:
            named["crashed"].append(entry.name)
        elif entry.expected is None:
            label = "ill-formed refused" if outcome.refusal else "ill-formed accepted"
            named[label].append(entry.name)
        elif outcome.refusal is not None:
            refused[outcome.refusal.construct] += 1
        elif _difference(entry, outcome.found or set()):
            named["different"].append(entry.name)
        else:
            named["expected"].append(entry.name)
    lines = [f"W3C SHACL test suite (core, sparql): {REPORTS} entries with a report, "
             f"{FAILURES} with ill-formed shapes",
             f"  expected report: {len(named['expected'])}",
             f"  refused: {sum(refused.values())}"]
    lines += [f"    {n:3d}  {construct}" for construct, n in sorted(refused.items())]
    lines += [f"  ill-formed shapes refused: {len(named['ill-formed refused'])} of {FAILURES}"]
    lines += [f"  {label}: {len(names)} {' '.join(names)}" for label, names in named.items()
              if names and label in ("different", "crashed", "ill-formed accepted")]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert sum(map(len, named.values())) + sum(refused.values()) == len(ENTRIES)
    assert not named["different"] and not named["crashed"] and not named["ill-formed accepted"]
