"""``chaingraph chain``: the responsibility graph of a case and its escalation chains.

:func:`responsibility_graph` reads a case straight from the rdflib triples (not
through SPARQL, so the two answers can check each other) into a networkx
``DiGraph``:

- nodes (attribute ``kind``): ``case``, ``holder`` (attribute ``pseudonym``),
  ``role`` (``level``: operational / tactical / administrative), ``organisation``,
  ``phase`` (``notation``) and ``instrument`` (``instrument_type``); every node has a
  ``label``;
- edges (attribute ``kind``): holder ``holds`` role; role ``at`` organisation (where
  the role sits); holder ``for`` phase, instrument or case (attributes
  ``responsibility`` — the kinds' notations, space-separated —, ``role``,
  ``organisation``, ``start``, ``end``, ``assignment``, flat strings so the graph
  also serialises to GraphML); role ``escalatesTo`` role, for every role reachable
  from a role held in the case.

A chain is a path: from a holder through the role they hold, along the
escalation lines, to the top; it is complete when it ends at the administrative
level. :func:`cycles` and :func:`dead_ends` report escalation lines that go round in
a circle or stop below the administrative level.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from datetime import date

import networkx as nx
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from chaingraph.errors import UnknownRole
from chaingraph.language import label, local_name, pick
from chaingraph.namespace import CG
from chaingraph.queries import find_case

ASSIGNMENT_TYPES = (CG.PhaseOwnership, CG.RoleAssignment, CG.InstrumentResponsibility)
LEVEL_ORDER = {"LevelOperational": 1, "LevelTactical": 2, "LevelAdministrative": 3}
ADMINISTRATIVE = "LevelAdministrative"


@dataclass(frozen=True)
class Chain:
    """A path from a holder or role up the escalation lines.

    ``problem`` is None when the path ends at the administrative level, otherwise
    ``"dead-end"`` (the last role has nowhere to escalate) or ``"cycle"`` (the next
    line leads back into the path).
    """

    nodes: tuple[str, ...]
    problem: str | None

    @property
    def complete(self) -> bool:
        """Whether the chain reaches the administrative level."""
        return self.problem is None

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles on the chain (without a starting holder)."""
        return self.nodes[1:] if self.nodes and self.nodes[0].startswith(_PERSON) else self.nodes


_PERSON = "https://w3id.org/chaingraph/person/"


def _active(graph: Graph, node: URIRef, at: date | None) -> tuple[bool, date | None, date | None]:
    start = next((v.toPython() for v in graph.objects(node, CG.startDate)), None)
    end = next((v.toPython() for v in graph.objects(node, CG.endDate)), None)
    if at is None:
        return True, start, end
    ok = start is not None and start <= at and (end is None or at <= end)
    return ok, start, end


def _add_role(graph: Graph, G: nx.DiGraph, role: URIRef, lang: str) -> None:
    if str(role) in G and G.nodes[str(role)].get("kind") == "role":
        return
    level = next(graph.objects(role, CG.escalationLevel), None)
    G.add_node(str(role), kind="role", label=label(graph, role, lang),
               level=local_name(level) if level is not None else "")
    org = next(graph.objects(role, CG.heldAt), None)
    if org is not None:
        _add_organisation(graph, G, org, lang)
        G.add_edge(str(role), str(org), kind="at")


def _add_organisation(graph: Graph, G: nx.DiGraph, org: URIRef, lang: str) -> None:
    from chaingraph.responsibility import short_label

    G.add_node(str(org), kind="organisation", label=label(graph, org, lang),
               short=short_label(graph, org, lang))


def responsibility_graph(graph: Graph, case_id: str, *, at: date | None = None,
                         lang: str = "en") -> nx.DiGraph:
    """Return the responsibility graph of a case (on day ``at``, or over its whole period).

    Example:
        >>> from chaingraph import load
        >>> from chaingraph.responsibility import case_ids
        >>> g = load()
        >>> G = responsibility_graph(g, case_ids(g)[0])
        >>> any(d["kind"] == "escalatesTo" for _, _, d in G.edges(data=True))
        True
    """
    case = find_case(graph, case_id)
    G = nx.DiGraph(case=case_id, at=at.isoformat() if at else "")
    G.add_node(str(case), kind="case", label=case_id)
    for phase in graph.objects(case, CG.appliesPhase):
        G.add_node(str(phase), kind="phase", label=label(graph, phase, lang),
                   notation=str(next(graph.objects(phase, SKOS.notation), local_name(phase))))
    held_roles: set[URIRef] = set()
    for assignment in sorted(graph.subjects(CG.inCase, case)):
        types = set(graph.objects(assignment, RDF.type))
        if not types.intersection(ASSIGNMENT_TYPES):
            continue
        active, start, end = _active(graph, assignment, at)
        if not active:
            continue
        holder = next(graph.objects(assignment, CG.holder), None)
        role = next(graph.objects(assignment, CG.role), None)
        org = next(graph.objects(assignment, CG.organisation), None)
        if holder is None:
            continue
        pseudonym = next(graph.objects(holder, CG.pseudonym), None)
        G.add_node(str(holder), kind="holder", pseudonym=str(pseudonym or local_name(holder)),
                   label=str(pseudonym or local_name(holder)))
        if role is not None:
            _add_role(graph, G, role, lang)
            held_roles.add(role)
            G.add_edge(str(holder), str(role), kind="holds")
        if org is not None and str(org) not in G:
            _add_organisation(graph, G, org, lang)
        phase = next(graph.objects(assignment, CG.phase), None)
        instrument = next(graph.objects(assignment, CG.instrument), None)
        if phase is not None:
            target = str(phase)
            if target not in G:
                G.add_node(target, kind="phase", label=label(graph, phase, lang),
                           notation=str(next(graph.objects(phase, SKOS.notation), local_name(phase))))
        elif instrument is not None:
            target = str(instrument)
            kinds = sorted(str(t) for t in graph.objects(instrument, RDF.type))
            kind = _most_specific(graph, kinds)
            G.add_node(target, kind="instrument", instrument_type=kind,
                       label=label(graph, URIRef(kind), lang) if kind else local_name(instrument))
        else:
            target = str(case)
        kinds = [next(graph.objects(r, SKOS.notation), local_name(r))
                 for r in graph.objects(assignment, CG.responsibility)]
        attrs = {"kind": "for", "role": str(role or ""), "organisation": str(org or ""),
                 "start": start.isoformat() if start else "", "end": end.isoformat() if end else "",
                 "assignment": str(assignment)}
        if G.has_edge(str(holder), target):  # the same holder, another kind or period
            old = G.edges[str(holder), target]
            kinds = sorted(set(old["responsibility"].split()) | {str(k) for k in kinds})
            attrs["assignment"] = f"{old['assignment']} {attrs['assignment']}"
        G.add_edge(str(holder), target, responsibility=" ".join(sorted({str(k) for k in kinds})), **attrs)
    # the escalation lines reachable from the roles held in the case
    todo = list(held_roles)
    seen = set(todo)
    while todo:
        role = todo.pop()
        for upper in graph.objects(role, CG.escalatesTo):
            if not isinstance(upper, URIRef):
                continue
            _add_role(graph, G, upper, lang)
            G.add_edge(str(role), str(upper), kind="escalatesTo")
            if upper not in seen:
                seen.add(upper)
                todo.append(upper)
    return G


def _most_specific(graph: Graph, kinds: list[str]) -> str:
    def ancestors(kind: str) -> set[str]:
        found: set[str] = set()
        todo = [URIRef(kind)]
        while todo:
            for sup in graph.objects(todo.pop(), RDFS.subClassOf):
                if str(sup) not in found:
                    found.add(str(sup))
                    todo.append(sup)
        return found

    candidates = [k for k in kinds if not any(k in ancestors(o) for o in kinds if o != k)]
    return candidates[0] if candidates else (kinds[0] if kinds else "")


def escalation_graph(G: nx.DiGraph) -> nx.DiGraph:
    """Return the roles and the escalatesTo edges only."""
    roles = [n for n, d in G.nodes(data=True) if d.get("kind") == "role"]
    H = nx.DiGraph()
    H.add_nodes_from((n, G.nodes[n]) for n in roles)
    H.add_edges_from((u, v) for u, v, d in G.edges(data=True) if d.get("kind") == "escalatesTo")
    return H


def cycles(G: nx.DiGraph) -> list[list[str]]:
    """Return the cycles in the escalation lines (each a list of roles)."""
    return [list(c) for c in nx.simple_cycles(escalation_graph(G))]


def dead_ends(G: nx.DiGraph) -> list[str]:
    """Return the roles with nowhere to escalate that are not at the administrative level."""
    H = escalation_graph(G)
    return sorted(n for n in H if H.out_degree(n) == 0 and H.nodes[n].get("level") != ADMINISTRATIVE)


def chain(G: nx.DiGraph, start: str) -> Chain:
    """Return the escalation chain from ``start`` (a holder or a role node) to the top.

    From a holder the chain goes to the role they hold (the lowest-level one if
    several), then along the escalation lines (the first in IRI order where a role
    has more than one) until a role with no line further.

    Example:
        >>> G = nx.DiGraph()
        >>> G.add_node("r1", kind="role", level="LevelOperational")
        >>> G.add_node("r2", kind="role", level="LevelAdministrative")
        >>> G.add_edge("r1", "r2", kind="escalatesTo")
        >>> chain(G, "r1")
        Chain(nodes=('r1', 'r2'), problem=None)
    """
    if start not in G:
        raise UnknownRole(start, [n for n, d in G.nodes(data=True) if d.get("kind") in ("role", "holder")])
    nodes = [start]
    current = start
    if G.nodes[start].get("kind") == "holder":
        roles = [v for _, v, d in G.out_edges(start, data=True) if d.get("kind") == "holds"]
        if not roles:
            return Chain(tuple(nodes), "dead-end")
        current = min(roles, key=lambda r: (LEVEL_ORDER.get(G.nodes[r].get("level", ""), 9), r))
        nodes.append(current)
    while True:
        upper = sorted(v for _, v, d in G.out_edges(current, data=True) if d.get("kind") == "escalatesTo")
        if not upper:
            problem = None if G.nodes[current].get("level") == ADMINISTRATIVE else "dead-end"
            return Chain(tuple(nodes), problem)
        if upper[0] in nodes:
            return Chain(tuple(nodes), "cycle")
        current = upper[0]
        nodes.append(current)


def assignments(G: nx.DiGraph) -> set[tuple[str, str, str, str, str]]:
    """Return (target, responsibility notation, organisation, role, holder pseudonym) tuples.

    The target is the phase's notation, the instrument's IRI, or ``case`` for role
    assignments that belong to the case as a whole (contact points).
    """
    found = set()
    for u, v, d in G.edges(data=True):
        if d.get("kind") != "for":
            continue
        node = G.nodes[v]
        target = {"phase": node.get("notation"), "case": "case"}.get(node["kind"], v)
        for kind in d["responsibility"].split():
            found.add((str(target), kind, d["organisation"], d["role"], G.nodes[u]["pseudonym"]))
    return found


# ---------------------------------------------------------------- command line

MESSAGES = {
    "on": {"en": "on", "nl": "op"},
    "cycles": {"en": "Cycles in the escalation lines", "nl": "Cirkels in de escalatielijnen"},
    "dead_ends": {"en": "Roles with nowhere to escalate", "nl": "Rollen die nergens heen kunnen escaleren"},
    "none": {"en": "none", "nl": "geen"},
    "dead-end": {"en": "dead end", "nl": "doodlopend"},
    "cycle": {"en": "cycle", "nl": "cirkel"},
    "complete": {"en": "reaches the administrative level", "nl": "bereikt het bestuurlijke niveau"},
}


def describe(G: nx.DiGraph, node: str) -> str:
    """Return a node's label; a role with its organisation ("case director (police)")."""
    data = G.nodes[node]
    if data.get("kind") == "role":
        orgs = [G.nodes[v].get("short", G.nodes[v]["label"]) for _, v, d in G.out_edges(node, data=True) if d.get("kind") == "at"]
        return f"{data['label']} ({', '.join(orgs)})" if orgs else data["label"]
    return data.get("label", local_name(node))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from chaingraph.queries import add_data_arguments

    parser.add_argument("case", metavar="CASE", help="the case identifier, e.g. FX-001")
    parser.add_argument("--role", help="start from this role (local name, label or IRI) instead of every holder")
    parser.add_argument("--at", metavar="DATE",
                        help="the day to look at (YYYY-MM-DD); default today, or a closed case's last day")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_data_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from chaingraph.output import emit
    from chaingraph.queries import open_graph, parse_date, resolve
    from chaingraph.responsibility import case_period, default_day

    at = parse_date(args.at, "--at") if args.at else None
    graph = open_graph(args)
    start, end = case_period(graph, args.case)
    day = at or default_day(start, end)
    G = responsibility_graph(graph, args.case, at=day, lang=args.lang)
    if args.role:
        role = str(resolve(graph, args.role, of_class=CG.Role))
        if role not in G:
            _add_role(graph, G, URIRef(role), args.lang)
        starts = [role]
    else:
        starts = sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "holder")
    chains = {s: chain(G, s) for s in starts}
    found_cycles, found_dead = cycles(G), dead_ends(G)
    if args.format == "json":
        emit(json.dumps({
            "case": args.case, "at": day.isoformat(),
            "chains": [{"start": s, **asdict(c), "labels": [describe(G, n) for n in c.nodes]}
                       for s, c in chains.items()],
            "cycles": found_cycles, "dead_ends": found_dead}, indent=2, ensure_ascii=False))
    else:
        m = lambda key: pick(MESSAGES[key], args.lang)  # noqa: E731
        lines = [f"{args.case}  {m('on')} {day}", ""]
        for c in chains.values():
            verdict = m(c.problem) if c.problem else m("complete")
            lines.append(" → ".join(describe(G, n) for n in c.nodes) + f"   [{verdict}]")
        lines += ["", f"{m('cycles')}: " + ("; ".join(" → ".join(describe(G, n) for n in cyc)
                                                      for cyc in found_cycles) or m("none")),
                  f"{m('dead_ends')}: " + (", ".join(describe(G, n) for n in found_dead) or m("none"))]
        emit("\n".join(lines))
    problems = found_cycles or found_dead or any(c.problem for c in chains.values())
    return 1 if problems else 0
