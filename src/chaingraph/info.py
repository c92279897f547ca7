"""``chaingraph info``: what is loaded."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from chaingraph.graph import load, sources
from chaingraph.language import label, pick
from chaingraph.namespace import CG
from chaingraph.output import emit


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
    cases = sorted(str(graph.value(c, CG.caseId) or c) for c in _instances(graph, CG.Case))
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


_TEXT = {
    "en": ("Loaded {files} files, {triples} triples.", "Organisations", "Roles", "Improvement measures",
           "related developments", "by phase", "by status", "Figures (observations)", "Cases"),
    "nl": ("{files} bestanden geladen, {triples} triples.", "Organisaties", "Rollen", "Verbetermaatregelen",
           "gerelateerde ontwikkelingen", "per fase", "per status", "Cijfers (waarnemingen)", "Casussen"),
}


def render_text(summary: Summary, lang: str = "en") -> str:
    t = pick(_TEXT, lang)
    lines = [t[0].format(files=summary.files, triples=summary.triples),
             f"{t[1]}: {summary.organisations}", f"{t[2]}: {summary.roles}",
             f"{t[3]}: {summary.measures} (+ {summary.developments} {t[4]})", f"  {t[5]}:"]
    lines += [f"    {name}: {n}" for name, n in summary.measures_by_phase.items()]
    lines.append(f"  {t[6]}:")
    lines += [f"    {name}: {n}" for name, n in summary.measures_by_status.items()]
    lines.append(f"{t[7]}: {summary.observations}")
    lines.append(f"{t[8]}: {len(summary.cases)} ({', '.join(summary.cases)})")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="case files or folders (default: the bundled example cases)")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    files = sources(args.paths)
    summary = summarise(load(args.paths), lang=args.lang, files=len(files))
    if args.format == "json":
        emit(json.dumps(asdict(summary), indent=2, ensure_ascii=False))
    else:
        emit(render_text(summary, args.lang))
    return 0
