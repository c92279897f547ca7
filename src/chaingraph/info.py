"""``chaingraph info``: what is loaded."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from chaingraph.catalogue import texts
from chaingraph.labels import label
from chaingraph.namespace import CASE_CLASSES, CG


@dataclass
class Summary:
    """Counts of what a graph holds."""

    files: int
    triples: int
    organisations: int
    roles: int
    measures: int
    developments: int
    measures_by_phase: dict[str, int] = field(default_factory=dict)
    measures_by_status: dict[str, int] = field(default_factory=dict)
    observations: int = 0
    cases: list[str] = field(default_factory=list)


def _instances(graph: Graph, cls: URIRef) -> set:
    return set(graph.subjects(RDF.type, cls))


def summarise(graph: Graph, *, lang: str = "en", files: int = 0) -> Summary:
    """Count organisations, roles, measures (per phase and status) and cases in ``graph``.

    Example:
        >>> from chaingraph import load
        >>> s = summarise(load())
        >>> s.organisations > 5 and len(s.cases) >= 6
        True
    """
    from chaingraph.namespace import QB

    items = _instances(graph, CG.ImprovementMeasure) | _instances(graph, CG.RelatedDevelopment)
    by_phase: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for item in items:
        for phase in graph.objects(item, CG.phase):
            by_phase[label(graph, phase, lang)] += 1
        for status in graph.objects(item, CG.status):
            by_status[label(graph, status, lang)] += 1
    cases = sorted(str(graph.value(c, CG.caseId) or c)
                   for cls in CASE_CLASSES for c in _instances(graph, cls))
    return Summary(
        files=files,
        triples=len(graph),
        organisations=len(_instances(graph, CG.Organisation)),
        roles=len(_instances(graph, CG.Role)),
        measures=len(_instances(graph, CG.ImprovementMeasure)),
        developments=len(_instances(graph, CG.RelatedDevelopment)),
        measures_by_phase=dict(sorted(by_phase.items())),
        measures_by_status=dict(sorted(by_status.items())),
        observations=len(_instances(graph, QB.Observation)),
        cases=cases,
    )


def render_text(summary: Summary, lang: str = "en") -> str:
    t = texts("info", lang)
    lines = [t["loaded"].format(files=summary.files, triples=summary.triples),
             f"{t['organisations']}: {summary.organisations}", f"{t['roles']}: {summary.roles}",
             f"{t['measures']}: {summary.measures} (+ {summary.developments} {t['developments']})",
             f"  {t['by_phase']}:"]
    lines += [f"    {name}: {n}" for name, n in summary.measures_by_phase.items()]
    lines.append(f"  {t['by_status']}:")
    lines += [f"    {name}: {n}" for name, n in summary.measures_by_status.items()]
    lines.append(f"{t['observations']}: {summary.observations}")
    lines.append(f"{t['cases']}: {len(summary.cases)} ({', '.join(summary.cases)})")
    return "\n".join(lines)
