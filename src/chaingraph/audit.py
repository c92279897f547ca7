"""``chaingraph audit``: every case checked against the agreed work process.

The rules are the SHACL shapes in ``shapes/`` (see :mod:`chaingraph.shapes`). The audit

1. splits the graph into one graph per case (the case, everything ``cg:inCase`` it or under
   its IRI, the persons it names, plus the ontology's class hierarchy) and the shared rest
   (ontology, monitor, persons no case names);
2. restricts each case to what stood on the audit date (``at``, default today): cases
   starting later are not audited; assignments, instruments and events starting later are
   dropped; periods ending later end on the audit date; open periods (a running case, an
   ownership without end) end on the audit date or with their case, whichever is first;
3. validates each case, and the shared rest once, with pySHACL;
4. turns the validation results into :class:`~chaingraph.findings.Finding` objects with the
   case, phase, rule, measure, a sentence and what to do, in English or Dutch.

Validating case by case keeps the reports small and is what parallel runs split on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, cast

from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from chaingraph.errors import UnknownCase
from chaingraph.findings import SEVERITY_ORDER, AuditReport, AuditViolations, Finding, LazyTexts
from chaingraph.labels import DEFAULT, LANGUAGES, label, local_name
from chaingraph.names import audit_case_id
from chaingraph.namespace import CASE_CLASSES, CG, PERSON_CLASSES, case_namespace
from chaingraph.readable import as_written, check_graph, quiet_parsers, unique_case_ids
from chaingraph.shapes import SEVERITIES, Rule, load_shapes, rules
from chaingraph.sparql import parse_date

__all__ = ["AuditReport", "AuditViolations", "Finding", "audit", "audit_compiled", "audit_files",
           "choose_engine", "parse_date", "partition", "restrict"]

_INTERVAL = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2}|\.\.)$")
_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")
_WORD_KEY = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=4096)
def value_word(value: str, lang: str) -> str:
    """A word a rule computes as its value, in ``lang``; any other value as it is.

    The words are the catalogue's ``audit.value.*`` (the kind of personal data that
    ``personal-data-in-text`` finds, which its SPARQL writes in English).

    Example:
        >>> value_word("phone number", "nl"), value_word("2021-06-12/2021-07-04", "nl")
        ('telefoonnummer', '2021-06-12/2021-07-04')
    """
    from chaingraph import catalogue

    key = "audit.value." + _WORD_KEY.sub("-", value.lower()).strip("-")
    return catalogue.text(key, lang) if key in catalogue.entries() else value
# Not rdflib's XSD namespace object: pytest's doctest collection trips over its warnings.
_XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


class PreparedQueryGraph(Graph):
    """An rdflib graph that parses each SPARQL query text once.

    pySHACL runs a SPARQL constraint's text once per focus node, and rdflib parses the
    text on every call (about 90 ms for the gap rule, against 5 ms to evaluate it); this
    graph keeps the parsed queries, shared by all graphs of this class.
    """

    _prepared: dict[str, Query] = {}

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            # pySHACL writes the PREFIX lines in no fixed order: sort them for the key.
            lines = query_object.splitlines()
            prefixes = sorted(line for line in lines if line.startswith("PREFIX "))
            text = "\n".join(prefixes + [line for line in lines if not line.startswith("PREFIX ")])
            prepared = self._prepared.get(text)
            if prepared is None:
                prepared = self._prepared[text] = prepareQuery(text)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


@dataclass
class CaseGraph:
    """One case's own triples, ready to validate on their own."""

    case: URIRef
    case_id: str
    graph: Graph


# ---------------------------------------------------------------------------- partition

def _case_nodes(graph: Graph) -> list[URIRef]:
    found = {c for cls in CASE_CLASSES for c in graph.subjects(RDF.type, cls)
             if isinstance(c, URIRef)}
    return sorted(found, key=str)


def case_id(graph: Graph, case: URIRef) -> str:
    """Return the case's ``cg:caseId`` (or the part of its IRI before ``/case``):
    :func:`chaingraph.names.audit_case_id`, as every engine names it."""
    return audit_case_id(case, graph.objects(case, CG.caseId))


def _closure(graph: Graph, roots: Iterable[Node]) -> set[Node]:
    """The roots and every blank node reachable from them."""
    seen: set[Node] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(o for o in graph.objects(node, None) if isinstance(o, BNode))
    return seen


def partition(graph: Graph) -> tuple[Graph, list[CaseGraph]]:
    """Split ``graph`` into the shared data and one graph per case.

    A case's graph holds the case, every subject ``cg:inCase`` it or under its IRI's
    namespace, the blank nodes these reach, the persons they name, and the class
    hierarchy (``rdfs:subClassOf``) of the shared data, so that SHACL targets see
    subclasses. The shared graph holds every other triple.

    Example:
        >>> from chaingraph import load
        >>> shared, cases = partition(load())
        >>> len(cases) >= 8 and all(len(c.graph) > 50 for c in cases)
        True
    """
    people = {s for cls in PERSON_CLASSES for s in graph.subjects(RDF.type, cls)}
    cases = _case_nodes(graph)
    prefixes = {str(c)[: -len("case")]: c for c in cases if str(c).endswith("/case")}
    members: dict[URIRef, set[Node]] = {c: {c} for c in cases}
    for case in cases:
        members[case].update(graph.subjects(CG.inCase, case))
    if prefixes:
        for subject in set(graph.subjects()):
            if isinstance(subject, URIRef):
                owner = prefixes.get(case_namespace(str(subject)))
                if owner is not None:
                    members[owner].add(subject)
    hierarchy = list(graph.triples((None, RDFS.subClassOf, None)))
    claimed: set[Node] = set()
    result = []
    for case in cases:
        nodes = _closure(graph, members[case])
        named = {o for n in nodes for o in graph.objects(n, None) if o in people}
        nodes |= _closure(graph, named)
        claimed |= nodes
        part = Graph()
        for node in nodes:
            for triple in graph.triples((node, None, None)):
                part.add(triple)
        for triple in hierarchy:
            part.add(triple)
        result.append(CaseGraph(case, case_id(graph, case), part))
    shared = PreparedQueryGraph()
    for triple in graph:
        if triple[0] not in claimed:
            shared.add(triple)
    return shared, result


# ---------------------------------------------------------------------------- restriction

def _day(value: Node | None) -> date | None:
    if isinstance(value, Literal) and value.datatype == _XSD_DATE:
        parsed = value.toPython()
        return parsed if isinstance(parsed, date) else None
    return None


def restrict(graph: Graph, case: URIRef, at: date) -> Graph | None:
    """Return a copy of one case's graph as things stood on ``at``; None if it had not started.

    The cut is :func:`chaingraph.fastaudit.as_of`, the one definition every engine uses
    (``chaingraph.fastaudit.as_of``): subjects starting (``cg:startDate``) or dated
    (``cg:date``) after ``at`` are dropped with every triple naming them; end dates after
    ``at`` become ``at``; open periods end on ``at`` or at their case's end, whichever comes
    first. The source graph is not changed.

    Example:
        >>> from chaingraph import load
        >>> shared, cases = partition(load())
        >>> fx = next(c for c in cases if c.case_id == "FX-001")
        >>> restrict(fx.graph, fx.case, date(2021, 1, 1)) is None
        True
        >>> early = restrict(fx.graph, fx.case, date(2021, 3, 5))
        >>> early.value(fx.case, CG.endDate).toPython()
        datetime.date(2021, 3, 5)
    """
    starts = [d for d in map(_day, graph.objects(case, CG.startDate)) if d is not None]
    if starts and min(starts) > at:  # the earliest start, as the compiled audit takes it
        return None
    import pyoxigraph as ox

    from chaingraph.fastaudit import as_of

    store, unit = ox.Store(), ox.NamedNode("urn:chaingraph:unit:0")
    store.load(input=graph.serialize(format="nt", encoding="utf-8"),
               format=ox.RdfFormat.N_TRIPLES, to_graph=unit)
    as_of(store, at)
    out = PreparedQueryGraph()
    out.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=unit), format="nt")
    return out


# ---------------------------------------------------------------------------- findings

@dataclass
class _Context:
    """What turning results into findings needs to know about the whole graph.

    Labels and notations are remembered: a region's audit names the same phases,
    measures and organisations tens of thousands of times, and the graph does not
    change while one report is made.
    """

    graph: Graph
    rules: dict[URIRef, Rule]
    lang: str
    phases: set[Node]
    # What the compiled engine found of each focus node: its phase, and whether it is a person
    # (the reference engine reads both from the case's own graph).
    focus_phase: dict[Node, Node] | None = None
    persons: set[Node] | None = None
    _memo: dict[tuple[str, Node, str], str | None] = field(default_factory=dict, repr=False)
    _fixed: dict[tuple[Node, str, Node | None], dict[str, str | None]] = field(
        default_factory=dict, repr=False)
    _measure_phase: dict[Node, Node | None] = field(default_factory=dict, repr=False)

    def notation(self, node: Node | None) -> str | None:
        if node is None:
            return None
        key = ("notation", node, "")
        if key not in self._memo:
            value = self.graph.value(node, SKOS.notation)
            self._memo[key] = str(value) if value is not None else None
        return self._memo[key]

    def measure_phase(self, measure: Node) -> Node | None:
        """The phase a measure belongs to (``cg:phase``), if any."""
        if measure not in self._measure_phase:
            self._measure_phase[measure] = self.graph.value(measure, CG.phase)
        return self._measure_phase[measure]

    def label(self, node: Node, lang: str) -> str:
        key = ("label", node, lang)
        if key not in self._memo:
            self._memo[key] = label(self.graph, node, lang)
        return self._memo[key] or ""

    def fixed_texts(self, rule: Rule, lang: str, phase: Node | None) -> dict[str, str | None]:
        """What a finding's texts share with every finding of its rule and phase (a region's
        audit has tens of thousands of findings of a few dozen rules)."""
        key = (rule.shape, lang, phase)
        found = self._fixed.get(key)
        if found is None:
            found = self._fixed[key] = {
                "template": rule.text("message", lang),
                "action": rule.text("action", lang),
                "rule_label": rule.text("label", lang),
                "phase_label": self.label(phase, lang) if isinstance(phase, URIRef) else None,
                "measure_label": (self.label(rule.measure, lang)
                                  if rule.measure is not None else None),
            }
        return found

    def display(self, node: Node | None, lang: str) -> str:
        if node is None:
            return ""
        if isinstance(node, Literal):
            return value_word(str(node), lang)
        key = ("display", node, lang)
        if key not in self._memo:
            known = isinstance(node, URIRef) and any(self.graph.triples((node, None, None)))
            self._memo[key] = self.label(node, lang) if known else local_name(node)
        return self._memo[key] or ""


def _findings(ctx: _Context, report: Graph, data: Graph, case: str | None) -> list[Finding]:
    """The results of a pySHACL report as findings.

    Only the report's own results (``sh:result``): pySHACL also types as results the
    ``sh:detail`` of an ``sh:node`` that failed (which field of an ownership broke it), and
    these would be findings of a helper shape, with pySHACL's English text, that the
    compiled audit does not give (in SHACL, details are not results of the report).
    """
    return [_finding(ctx, data, case, report.value(result, SH.sourceShape),
                     report.value(result, SH.focusNode), report.value(result, SH.value),
                     report.value(result, SH.resultSeverity),
                     report.value(result, SH.resultMessage), report.value(result, SH.resultPath))
            for result in report.objects(None, SH.result)]


def _finding(ctx: _Context, data: Graph, case: str | None, shape: Node | None,
             focus: Node | None, value: Node | None, severity: Node | None = None,
             message: Node | str | None = None, path: Node | None = None) -> Finding:
    """One validation result (of either engine) as a finding with its case, phase and texts."""
    rule = ctx.rules.get(shape) if isinstance(shape, URIRef) else None
    if rule is None:  # a shape without a target cannot report; keep any foreign one anyway
        # a foreign result may lack a shape or have a blank one: kept as it comes
        rule = Rule(shape=shape, name=local_name(shape or "unknown"),  # type: ignore[arg-type]  # see above
                    severity=SEVERITIES.get(severity, "violation")
                    if isinstance(severity, URIRef) else "violation",
                    messages={"": str(message or "")})
    phase = None
    if focus in ctx.phases:
        phase = focus
    elif value in ctx.phases:
        phase = value
    # focus may be None: no key of focus_phase, and None is in no set of phases
    elif (focus_phase := ctx.focus_phase.get(focus) if ctx.focus_phase is not None  # type: ignore[arg-type,operator]  # see above
          else data.value(focus, CG.phase)) in ctx.phases:
        phase = focus_phase
    elif rule.measure is not None:
        phase = ctx.measure_phase(rule.measure)
    if (focus in ctx.persons if ctx.persons is not None else
            (focus, RDF.type, CG.Person) in data or (focus, RDF.type, CG.Professional) in data):
        value = None  # what breaks a pseudonym may be a name or BSN: never repeat it
    start = end = None
    if isinstance(value, Literal) and (match := _INTERVAL.match(str(value))):
        start, end = match.group(1), match.group(2)
    def make(lang: str) -> dict[str, str | None]:
        return _texts(ctx, rule, lang, path, message, focus, value, phase, start, end)

    lang = ctx.lang if ctx.lang in LANGUAGES else DEFAULT
    texts = LazyTexts({lang: make(lang)}, LANGUAGES, make)
    return Finding(
        case=case, rule=rule.name, shape=str(rule.shape), severity=rule.severity,
        focus=str(focus), phase=ctx.notation(phase),
        measure=str(rule.measure) if rule.measure is not None else None,
        measure_notation=ctx.notation(rule.measure),
        value=str(value) if value is not None else None, start=start, end=end,
        # message and action are always text; only the labels may be None
        texts=texts, **texts[lang],  # type: ignore[arg-type]  # see above
    )


def _texts(ctx: _Context, rule: Rule, lang: str, path: Node | None, message: Node | str | None,
           focus: Node | None, value: Node | None, phase: Node | None, start: str | None,
           end: str | None) -> dict[str, str | None]:
    """The language-dependent parts of a finding: message, action, phase and measure labels."""
    fixed = ctx.fixed_texts(rule, lang, phase)
    slots = {
        "this": local_name(focus) if isinstance(focus, URIRef) else ctx.display(focus, lang),
        "value": ctx.display(value, lang), "phase": fixed["phase_label"] or "", "from": start or "",
        "to": end if end not in (None, "..") else "…",
        "path": ctx.display(path, lang),
    }
    template = fixed["template"] or str(message or "")
    return {
        "message": _PLACEHOLDER.sub(lambda m: slots.get(m.group(1), m.group(0)), template),
        "action": fixed["action"], "rule_label": fixed["rule_label"],
        "phase_label": fixed["phase_label"], "measure_label": fixed["measure_label"],
    }


def _validate(data: Graph, shapes: Graph) -> Graph:
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                            allow_infos=True, inplace=True)
    return report


# ---------------------------------------------------------------------------- audit

def audit(graph: Graph, *, cases: Sequence[str] | None = None, at: date | None = None,
          shapes: Graph | None = None, lang: str = DEFAULT, shared: bool = True,
          progress: bool = False) -> AuditReport:
    """Check every case (or the given ones) of ``graph`` against the rules, as on ``at``.

    Args:
        graph: the ontology, monitor and cases (as :func:`chaingraph.load` gives them).
        cases: case ids to audit; all cases by default.
        at: the audit date (default today): the audit sees what stood on that day.
        shapes: the rules (default: the bundled ``shapes/``).
        lang: language of messages and labels, ``en`` or ``nl``.
        shared: also check the monitor and other data outside the cases (only when
            auditing all cases).
        progress: show a progress bar on a terminal (about a second a case).

    Raises:
        UnknownCase: a case id in ``cases`` is not in the graph.

    Example:
        >>> from datetime import date
        >>> from chaingraph import load
        >>> report = audit(load(), cases=["FX-005"], at=date(2022, 1, 1))
        >>> [(f.rule, f.phase, f.start, f.end) for f in report]
        [('phase-gap', 'risk', '2021-06-12', '2021-07-04')]
        >>> report.conforms
        False
    """
    at = at or date.today()
    shapes = shapes if shapes is not None else load_shapes()
    ctx = _Context(graph, rules(shapes), lang, set(graph.subjects(RDF.type, CG.Phase)))
    from chaingraph.backends import unchecked_source

    source = unchecked_source(graph)  # a store or endpoint: its values were not checked yet
    # a store's ill-typed literal: said once, below, not by rdflib; its values as written
    with quiet_parsers(), as_written():
        common, parts = partition(graph)
    unique_case_ids(((p.case, p.case_id) for p in parts), source or "<data>")
    if cases is not None:
        known = {p.case_id: p for p in parts}
        parts = [known[c] for c in _chosen(cases, known)]
    findings: list[Finding] = []
    checked: list[str] = []
    from chaingraph.progress import Progress

    with Progress("audit", total=len(parts), unit="cases",
                  enabled=None if progress else False) as bar:
        for part in sorted(parts, key=lambda p: p.case_id):
            bar.advance()
            if source is not None:
                check_graph(part.graph, source)
            data = restrict(part.graph, part.case, at)
            if data is None:
                continue
            checked.append(part.case_id)
            findings += _findings(ctx, _validate(data, shapes), data, part.case_id)
    if shared and cases is None:
        if source is not None:
            check_graph(common, source)
        findings += _findings(ctx, _validate(common, shapes), common, None)
    return _report(ctx, findings, checked, at)


def _chosen(cases: Sequence[str] | None, known: Iterable[str]) -> list[str]:
    """The cases to audit: ``cases`` without repeats, or every known case (sorted).

    Raises:
        UnknownCase: a case of ``cases`` is not known (the message lists those that are).
    """
    known = sorted(known)
    for wanted in cases or ():
        if wanted not in known:
            raise UnknownCase(wanted, known)
    return list(dict.fromkeys(cases)) if cases else known


def _report(ctx: _Context, findings: list[Finding], checked: list[str], at: date) -> AuditReport:
    """Sort findings (case, phase order, severity, rule) into a report, each once: two
    results that differ only in what a finding does not show (pySHACL's result path: an
    assignment starting and ending on one day after its case) are one finding, as the
    compiled engine, which does not keep the path, gives them."""
    findings = list(dict.fromkeys(findings))
    phase_order = {}
    for phase in ctx.phases:
        order = ctx.graph.value(phase, CG.order)
        if ctx.notation(phase) is not None and order is not None:
            phase_order[ctx.notation(phase) or ""] = int(cast(Literal, order))  # an integer
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    findings.sort(key=lambda f: (f.case is None, f.case or "", phase_order.get(f.phase or "", 99),
                                 rank.get(f.severity, 9), f.rule, f.start or "", f.focus))
    return AuditReport(findings=findings, cases=checked, at=at, lang=ctx.lang,
                       phase_order=phase_order)


# ------------------------------------------------------------------ the compiled engine

def audit_compiled(graph: Graph, *, cases: Sequence[str] | None = None, at: date | None = None,
                   shapes: Graph | None = None, lang: str = DEFAULT, workers: int | None = None,
                   progress: bool = False, location: str | Path | None = None) -> AuditReport:
    """Audit with the SHACL shapes compiled to SPARQL (:mod:`chaingraph.shacl2sparql`).

    The same rules, the same audit date and the same :class:`~chaingraph.findings.Finding`
    objects as :func:`audit`, on every backend: an rdflib graph (copied into Oxigraph), an
    Oxigraph store in memory or on disk, a SPARQL endpoint. The cases are fetched a chunk
    at a time and audited in small stores of their own (:func:`chaingraph.fastaudit.scan_source`),
    so only plain CONSTRUCT queries run on the source and a running case (no
    ``cg:endDate``) ends on the audit date, as in :func:`audit`. ``location``: the
    directory of a store on disk (``chaingraph load``), which the workers then read in
    parallel.

    Raises:
        UnknownCase: a case id in ``cases`` is not in the graph.
        UnsupportedShape: a shape uses a construct the compiler refuses (run :func:`audit`).

    Example:
        >>> from datetime import date
        >>> from chaingraph import load
        >>> report = audit_compiled(load(), cases=["FX-005"], at=date(2022, 1, 1), workers=1)
        >>> [(f.rule, f.phase, f.start, f.end) for f in report], report.engine
        ([('phase-gap', 'risk', '2021-06-12', '2021-07-04')], 'compiled')
    """
    from chaingraph import fastaudit

    shapes = shapes if shapes is not None else load_shapes()
    with fastaudit.collector_paused():
        scan = fastaudit.scan_source(graph, shapes=shapes, cases=cases, at=at, workers=workers,
                                     progress=progress, location=location)
        return _scan_report(scan, shapes, lang, cases)


def _scan_report(scan: Any, shapes: Graph, lang: str, cases: Sequence[str] | None) -> AuditReport:
    """The report of a compiled audit (:class:`chaingraph.fastaudit.FileAudit`).

    The labels come from the ontology and monitor, loaded here; what the findings read of a
    focus node (its phase, whether it is a person) comes from the scan.
    """
    from chaingraph.graph import load, monitor_files, ontology_files

    base = load(ontology_files() + monitor_files(), base=False, check=False)
    chosen = _chosen(cases, set(scan.cases))
    checked = [case for case in chosen if case not in scan.not_started]
    ctx = _Context(base, rules(shapes), lang, set(base.subjects(RDF.type, CG.Phase)),
                   focus_phase=scan.focus_phase, persons=scan.persons)
    findings = _from_violations(ctx, scan.violations, scan.focus_cases, base, checked,
                                cases is None, scan.violation_cases)
    return replace(_report(ctx, findings, checked, scan.at), engine="compiled")


def _from_violations(ctx: _Context, violations: Iterable[Any], owners: dict[Node, set[str]],
                     data: Graph, chosen: Sequence[str], outside: bool,
                     found_in: dict[Any, set[str]] | None = None) -> list[Finding]:
    """Turn the compiled engine's violations into findings, each under the cases whose data
    gave it (``found_in``), else under the cases of its focus (``owners``: a person's).

    ``outside``: also keep the violations that belong to no case (the monitor's own).
    """
    wanted = set(chosen)
    found_in = found_in or {}
    return [_finding(ctx, data, case, v.shape, v.focus, v.value, v.severity, v.message)
            for v in violations
            for case in sorted(found_in[v] if v in found_in else owners.get(v.focus, ()))
            or [None]  # type: ignore[list-item]  # None: no case
            if (case is None and outside) or case in wanted]


def audit_files(paths: Sequence[str | Path], *, cases: Sequence[str] | None = None,
                at: date | None = None, shapes: Graph | None = None, lang: str = DEFAULT,
                workers: int | None = None, progress: bool = True) -> AuditReport:
    """Audit data files with the compiled shapes, case by case, on every core.

    The files are never loaded whole: :func:`chaingraph.fastaudit.scan_files` gives each
    worker a few hundred cases at a time in a small Oxigraph store, cut to the audit date
    ``at`` (default today) as :func:`audit` cuts them. The findings are those of
    :func:`audit` and :func:`audit_compiled`; the ontology's term check of
    :func:`chaingraph.load` is not made.

    Raises:
        SourceError: a file does not parse (names the file and line).
        UnknownCase: a case of ``cases`` is not in the files (lists those that are).
    """
    from chaingraph import fastaudit
    from chaingraph.graph import sources

    shapes = shapes if shapes is not None else load_shapes()
    with fastaudit.collector_paused():
        scan = fastaudit.scan_files(sources(paths, base=False), shapes=shapes, workers=workers,
                                    progress=progress, at=at)
        return _scan_report(scan, shapes, lang, cases)


# ---------------------------------------------------------------------------- engines

def choose_engine(shapes: Graph, engine: str = "auto",
                  lang: str = DEFAULT) -> tuple[str, str, str]:
    """Return the engine to audit with, why (default, chosen, unsupported) and what it refused.

    ``auto`` is the compiled engine (``sparql``) unless the compiler refuses a shape; then it
    is the reference (``shacl``), and the third item names the shape and its construct (in
    ``lang``).

    Example:
        >>> choose_engine(load_shapes())
        ('sparql', 'default', '')

    Raises:
        UnsupportedShape: ``engine="sparql"`` and the compiler refuses a shape.
        IllFormedShape: a shape is ill-formed, which is wrong for every engine.
    """
    from chaingraph.shacl2sparql import IllFormedShape, UnsupportedShape, compile_case_by_case

    if engine != "auto":
        if engine == "sparql":
            compile_case_by_case(shapes)
        return engine, "chosen", ""
    try:
        compile_case_by_case(shapes)
    except UnsupportedShape as refused:
        if isinstance(refused, IllFormedShape):
            raise
        return ("shacl", "unsupported",
                f"{local_name(refused.shape)} ({refused.construct_text(lang)})")
    return "sparql", "default", ""
