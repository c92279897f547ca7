"""OWL reasoning with HermiT (through owlready2): consistency and what follows.

``reason(graph)`` hands the graph to HermiT and reads back what it infers:

- whether the graph is consistent;
- which cases are high-risk cases (``cg:HighRiskCase``: a high risk level *or* a SASH
  screening with a high outcome), and which of them are so only by inference;
- per role, every role reached through the escalation lines (``cg:escalatesUltimatelyTo``,
  the transitive super-property of ``cg:escalatesTo``);
- per instrument, every class it belongs to, so each one that is a
  ``cg:ProtectionMeasure`` (and so must be known to the police) is listed.

HermiT runs on Java. It is meant for the ontology, the monitor and a handful of cases
(a few seconds), not for a region's cases (see STACK-NOTES: 1,000 cases took minutes).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, Namespace
from rdflib.term import Node

from chaingraph import catalogue
from chaingraph.catalogue import texts
from chaingraph.errors import MissingTool, SourceError
from chaingraph.labels import label
from chaingraph.namespace import CG

JAVA_HINT = catalogue.text("errors.no_java")

# The datatypes of the OWL 2 datatype map (OWL 2 Structural Specification, section 4),
# the only ones HermiT accepts. xsd:date, xsd:gYear and xsd:gYearMonth are not among
# them: HermiT stops with UnsupportedDatatypeException on such a literal or on a range
# axiom naming such a datatype. The reasoning here never depends on dates, so
# ``reasoner_input`` drops those literals and range axioms before HermiT sees them.
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# a plain Namespace, not rdflib's XSD: pytest's doctest collection probes module
# attributes, and the DefinedNamespace XSD warns on every unknown name it is asked for
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL2_DATATYPES = frozenset(
    [
        XSD[name]
        for name in (
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        )
    ]
    + [
        OWL.real,
        OWL.rational,
        RDFS.Literal,
        URIRef(_RDF + "PlainLiteral"),
        URIRef(_RDF + "XMLLiteral"),
        URIRef(_RDF + "langString"),
    ]
)


@dataclass
class Problem:
    """A likely cause of an inconsistency.

    Attributes:
        kind: ``"disjoint"`` (``node`` has two classes declared disjoint, in ``terms``)
            or ``"functional"`` (``node`` has several values, ``terms[1:]``, for the
            functional data property ``terms[0]``).
        node: IRI of the individual.
        terms: the classes, or the property and its values.
    """

    kind: str
    node: str
    terms: list[str]


@dataclass
class Inference:
    """What HermiT concluded about a graph.

    Attributes:
        consistent: False when the graph has no model (HermiT: "inconsistent ontology").
        high_risk_cases: case ids inferred to be ``cg:HighRiskCase``, sorted.
        inferred_only: of those, the cases whose data does not say high risk (no
            ``cg:riskLevel cg:RiskHigh``, no asserted type): high only through a SASH.
        escalation: role IRI -> IRIs of every role it escalates to, directly or
            further up, nearest level first.
        instrument_types: instrument IRI -> IRIs of every ``cg:`` class it belongs to.
        protection_measures: case id -> instrument IRIs inferred to be a
            ``cg:ProtectionMeasure`` (the police must be informed of each).
        problems: when inconsistent, likely causes found in the asserted data.
        triples: triples handed to HermiT.
        seconds: wall time of the reasoning, Java start-up included.
    """

    consistent: bool
    high_risk_cases: list[str] = field(default_factory=list)
    inferred_only: list[str] = field(default_factory=list)
    escalation: dict[str, list[str]] = field(default_factory=dict)
    instrument_types: dict[str, list[str]] = field(default_factory=dict)
    protection_measures: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0


def java() -> str:
    """Return the path of the ``java`` program.

    Raises:
        MissingTool: Java is not installed (the message says what to install).
    """
    found = shutil.which("java")
    if not found:
        raise MissingTool(key="no_java")
    return found


def reasoner_input(graph: Graph) -> Graph:
    """Return a copy of ``graph`` that HermiT accepts.

    Drops literals whose datatype is outside the OWL 2 datatype map (``xsd:date``,
    ``xsd:gYear``, ``xsd:gYearMonth``: dates of cases, assignments, measures, figures)
    and ``rdfs:range`` axioms naming such a datatype. Nothing the reasoning reports
    depends on them.

    Example:
        >>> from rdflib import Graph
        >>> g = Graph().parse(data='''
        ...     @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ...     <urn:a> <urn:start> "2021-03-01"^^xsd:date ; <urn:n> 3 .''', format="turtle")
        >>> len(reasoner_input(g))
        1
    """
    kept = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and o.datatype not in OWL2_DATATYPES:
            continue
        if p == RDFS.range and str(o).startswith(str(XSD)) and o not in OWL2_DATATYPES:
            continue
        kept.add((s, p, o))
    return kept


def reason(graph: Graph, *, debug: bool = False) -> Inference:
    """Run HermiT on ``graph`` and return what it infers.

    Each call uses its own owlready2 ``World``, so calls do not see each other.

    Args:
        graph: ontology and data (use :func:`chaingraph.load`); small graphs only.
        debug: let owlready2 print the HermiT command line and timing on stderr.

    Raises:
        MissingTool: Java is not installed.
        SourceError: HermiT cannot read the graph (for example an ill-typed literal).

    Example:
        >>> from chaingraph import load
        >>> result = reason(load())
        >>> result.consistent
        True
    """
    import owlready2

    owlready2.JAVA_EXE = java()
    started = time.perf_counter()
    data = reasoner_input(graph)
    world = owlready2.World()
    noise = io.StringIO()  # owlready2 prints warnings (e.g. on punned properties) to stderr
    try:
        with tempfile.TemporaryDirectory(prefix="chaingraph-reason-") as tmp:
            # owlready2 reads RDF/XML, OWL/XML and N-Triples, not Turtle.
            source = Path(tmp) / "input.nt"
            data.serialize(source, format="nt", encoding="utf-8")
            with contextlib.redirect_stderr(noise if not debug else io.StringIO()):
                world.get_ontology(source.as_uri()).load()
            try:
                with contextlib.redirect_stderr(noise) if not debug else contextlib.nullcontext():
                    owlready2.sync_reasoner_hermit(
                        world, infer_property_values=True, debug=1 if debug else 0
                    )
            except owlready2.OwlReadyInconsistentOntologyError:
                return Inference(
                    consistent=False,
                    problems=_likely_causes(graph),
                    triples=len(data),
                    seconds=time.perf_counter() - started,
                )
            except owlready2.OwlReadyJavaError as exc:
                raise SourceError(
                    "<reasoner input>", problem="hermit", why=_java_reason(str(exc))
                ) from None
            with contextlib.redirect_stderr(noise):
                inferred = Graph()
                for triple in world.as_rdflib_graph():
                    inferred.add(triple)
    finally:
        world.close()
    result = _read_back(graph, inferred)
    result.triples = len(data)
    result.seconds = time.perf_counter() - started
    return result


def _java_reason(message: str) -> str:
    """The first informative line of a Java error (the exception and its message)."""
    for line in message.splitlines():
        line = line.strip()
        if line and not line.startswith(("Java error message", "at ")):
            return line.split("Exception: ", 1)[-1]
    return "unknown Java error"


def _case_id(graph: Graph, case: Node) -> str:
    return str(graph.value(case, CG.caseId) or case)


def _types(graph: Graph, node) -> set[URIRef]:
    """All named classes of ``node``: its types and their superclasses (reasoned graph)."""
    found: set[URIRef] = set()
    todo = [t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef)]
    while todo:
        cls = todo.pop()
        if cls in found:
            continue
        found.add(cls)
        todo += [c for c in graph.objects(cls, RDFS.subClassOf) if isinstance(c, URIRef)]
        todo += [c for c in graph.objects(cls, OWL.equivalentClass) if isinstance(c, URIRef)]
    return found


def _read_back(asserted: Graph, inferred: Graph) -> Inference:
    high = sorted(
        case
        for case in set(inferred.subjects(RDF.type, None))
        if isinstance(case, URIRef) and CG.HighRiskCase in _types(inferred, case)
    )
    said_high = {
        case
        for case in high
        if (case, CG.riskLevel, CG.RiskHigh) in asserted
        or (case, RDF.type, CG.HighRiskCase) in asserted
    }

    reach: dict[URIRef, set[URIRef]] = {}
    for prop in (CG.escalatesTo, CG.escalatesUltimatelyTo):
        for role, target in inferred.subject_objects(prop):
            if isinstance(role, URIRef) and isinstance(target, URIRef):
                reach.setdefault(role, set()).add(target)
    escalation = {
        str(role): [str(t) for t in sorted(targets, key=lambda t: (-len(reach.get(t, ())), str(t)))]
        for role, targets in sorted(reach.items())
    }

    instrument_types: dict[str, list[str]] = {}
    protection: dict[str, list[str]] = {}
    ns = str(CG._NS)
    for node in sorted(set(inferred.subjects(RDF.type, None)), key=str):
        if isinstance(node, BNode):
            continue
        types = _types(inferred, node)
        if CG.Instrument not in types:
            continue
        instrument_types[str(node)] = sorted(str(t) for t in types if str(t).startswith(ns))
        if CG.ProtectionMeasure in types:
            case = asserted.value(node, CG.inCase)
            key = _case_id(asserted, case) if case is not None else ""
            protection.setdefault(key, []).append(str(node))

    return Inference(
        consistent=True,
        high_risk_cases=sorted(_case_id(asserted, c) for c in high),
        inferred_only=sorted(_case_id(asserted, c) for c in high if c not in said_high),
        escalation=escalation,
        instrument_types=instrument_types,
        protection_measures=dict(sorted(protection.items())),
    )


def _likely_causes(graph: Graph) -> list[Problem]:
    """The commonest causes: two disjoint classes, or two values of a functional data property."""
    disjoint: set[tuple[Node, Node]] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        disjoint |= {(a, b), (b, a)}
    causes = []
    if disjoint:
        for node in sorted(set(graph.subjects(RDF.type, None)), key=str):
            types = _types(graph, node)
            clashes = sorted(
                {tuple(sorted((a, b))) for a in types for b in types if (a, b) in disjoint}
            )
            causes += [Problem("disjoint", str(node), [str(a), str(b)]) for a, b in clashes]
    functional = set(graph.subjects(RDF.type, OWL.FunctionalProperty)) & set(
        graph.subjects(RDF.type, OWL.DatatypeProperty)
    )
    for prop in sorted(functional, key=str):
        for node in sorted(set(graph.subjects(prop, None)), key=str):
            values = sorted({str(v) for v in graph.objects(node, prop)})
            if len(values) > 1:
                causes.append(Problem("functional", str(node), [str(prop), *values]))
    return causes


# --- the command ------------------------------------------------------------------

def _names(graph: Graph, iris: Iterable[str], lang: str) -> list[str]:
    return [label(graph, URIRef(iri), lang) for iri in iris]


def render_text(result: Inference, graph: Graph, *, lang: str = "en") -> str:
    """Render an :class:`Inference` as text for people, with labels in ``lang``."""
    t = texts("reason", lang)
    if not result.consistent:
        lines = [t["inconsistent"].format(triples=result.triples, seconds=result.seconds)]
        if result.problems:
            lines.append(t["causes"])
            for problem in result.problems:
                node, first = (
                    URIRef(problem.node).n3(graph.namespace_manager),
                    URIRef(problem.terms[0]).n3(graph.namespace_manager),
                )
                if problem.kind == "disjoint":
                    rest = URIRef(problem.terms[1]).n3(graph.namespace_manager)
                else:
                    rest = ", ".join(repr(v) for v in problem.terms[1:])
                lines.append("  - " + t[problem.kind].format(node=node, a=first, b=rest))
        else:
            lines.append(t["no_causes"])
        return "\n".join(lines)
    lines = [
        t["consistent"].format(triples=result.triples, seconds=result.seconds),
        t["high"].format(n=len(result.high_risk_cases))
        + (f" ({', '.join(result.high_risk_cases)})" if result.high_risk_cases else ""),
    ]
    if result.high_risk_cases:
        lines.append(
            t["only"].format(cases=", ".join(result.inferred_only))
            if result.inferred_only
            else t["only_none"]
        )
    lines.append(t["escalation"])
    by_label = sorted(
        result.escalation.items(), key=lambda kv: label(graph, URIRef(kv[0]), lang).casefold()
    )
    for role, reached in by_label:
        names = _names(graph, reached, lang)
        # one line up (a -> b -> c) when each role reached escalates to exactly the rest;
        # otherwise the lines branch and a comma-separated list is the honest picture
        chain = all(
            set(result.escalation.get(r, [])) == set(reached[i + 1 :])
            for i, r in enumerate(reached)
        )
        lines.append(
            f"  {label(graph, URIRef(role), lang)} → " + (" → " if chain else ", ").join(names)
        )
    if not result.escalation:
        lines.append(t["none"])
    lines.append(t["protection"])
    for case, instruments in result.protection_measures.items():
        kinds = []
        for iri in instruments:
            own = graph.value(URIRef(iri), RDF.type)
            kind = label(graph, own, lang) if own is not None else ""
            kinds.append(f"{kind} ({_short(iri)})")
        lines.append(f"  {case or t['no_case']}: " + ", ".join(kinds))
    if not result.protection_measures:
        lines.append(t["none"])
    return "\n".join(lines)


def _short(iri: str) -> str:
    """``…/case/FX-001/inst-1`` -> ``inst-1``."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
