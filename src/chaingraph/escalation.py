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

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, cast

import networkx as nx
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from chaingraph.catalogue import text
from chaingraph.errors import UnknownRole
from chaingraph.labels import label, local_name
from chaingraph.names import find_case
from chaingraph.namespace import CG

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


def _active(graph: Graph, node: Node, at: date | None) -> tuple[bool, date | None, date | None]:
    # cg:startDate and cg:endDate are xsd:date literals (the shapes check it)
    start = next((cast(Literal, v).toPython() for v in graph.objects(node, CG.startDate)), None)
    end = next((cast(Literal, v).toPython() for v in graph.objects(node, CG.endDate)), None)
    if at is None:
        return True, start, end
    ok = start is not None and start <= at and (end is None or at <= end)
    return ok, start, end


def _add_role(graph: Graph, G: nx.DiGraph, role: Node, lang: str) -> None:
    if str(role) in G and G.nodes[str(role)].get("kind") == "role":
        return
    level = next(graph.objects(role, CG.escalationLevel), None)
    G.add_node(str(role), kind="role", label=label(graph, role, lang),
               level=local_name(level) if level is not None else "")
    org = next(graph.objects(role, CG.heldAt), None)
    if org is not None:
        _add_organisation(graph, G, org, lang)
        G.add_edge(str(role), str(org), kind="at")


def _add_organisation(graph: Graph, G: nx.DiGraph, org: Node, lang: str) -> None:
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
    for applied in graph.objects(case, CG.appliesPhase):
        G.add_node(str(applied), kind="phase", label=label(graph, applied, lang),
                   notation=str(next(graph.objects(applied, SKOS.notation), local_name(applied))))
    held_roles: set[Node] = set()
    # rdflib's terms order themselves (Identifier.__lt__); its Node type does not say so
    for assignment in sorted(graph.subjects(CG.inCase, case)):  # type: ignore[type-var]  # ordered
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
                           notation=str(next(graph.objects(phase, SKOS.notation),
                                             local_name(phase))))
        elif instrument is not None:
            target = str(instrument)
            classes = sorted(str(t) for t in graph.objects(instrument, RDF.type))
            kind = _most_specific(graph, classes)
            G.add_node(target, kind="instrument", instrument_type=kind,
                       label=label(graph, URIRef(kind), lang) if kind else local_name(instrument))
        else:
            target = str(case)
        kinds: list[Node | str] = [next(graph.objects(r, SKOS.notation), local_name(r))
                                   for r in graph.objects(assignment, CG.responsibility)]
        attrs = {"kind": "for", "role": str(role or ""), "organisation": str(org or ""),
                 "start": start.isoformat() if start else "", "end": end.isoformat() if end else "",
                 "assignment": str(assignment)}
        if G.has_edge(str(holder), target):  # the same holder, another kind or period
            old = G.edges[str(holder), target]
            kinds = sorted(set(old["responsibility"].split()) | {str(k) for k in kinds})
            attrs["assignment"] = f"{old['assignment']} {attrs['assignment']}"
        G.add_edge(str(holder), target, responsibility=" ".join(sorted({str(k) for k in kinds})),
                   **attrs)
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
        todo: list[Node] = [URIRef(kind)]
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
    return sorted(n for n in H
                  if H.out_degree(n) == 0 and H.nodes[n].get("level") != ADMINISTRATIVE)


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
        raise UnknownRole(start, [n for n, d in G.nodes(data=True)
                                  if d.get("kind") in ("role", "holder")])
    nodes = [start]
    current = start
    if G.nodes[start].get("kind") == "holder":
        roles = [v for _, v, d in G.out_edges(start, data=True) if d.get("kind") == "holds"]
        if not roles:
            return Chain(tuple(nodes), "dead-end")
        current = min(roles, key=lambda r: (LEVEL_ORDER.get(G.nodes[r].get("level", ""), 9), r))
        nodes.append(current)
    while True:
        upper = sorted(v for _, v, d in G.out_edges(current,
                                                    data=True) if d.get("kind") == "escalatesTo")
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


# ---------------------------------------------------------------- the chains of a case

def describe(G: nx.DiGraph, node: str) -> str:
    """Return a node's label; a role with its organisation ("case director (police)")."""
    data = G.nodes[node]
    if data.get("kind") == "role":
        orgs = [G.nodes[v].get("short", G.nodes[v]["label"])
                for _, v, d in G.out_edges(node, data=True) if d.get("kind") == "at"]
        return f"{data['label']} ({', '.join(orgs)})" if orgs else data["label"]
    return data.get("label", local_name(node))


@dataclass
class CaseChains:
    """The chains of a case on a day, and the escalation lines that circle or stop short."""

    case: str
    at: date
    graph: nx.DiGraph
    chains: dict[str, Chain]
    cycles: list[list[str]]
    dead_ends: list[str]

    @property
    def problems(self) -> bool:
        """Whether a chain stops short or an escalation line circles or stops short."""
        return bool(self.cycles or self.dead_ends or any(c.problem for c in self.chains.values()))

    def as_dict(self) -> dict[str, Any]:
        """The chains as plain data (for JSON), each with its nodes' labels."""
        G = self.graph
        return {"case": self.case, "at": self.at.isoformat(),
                "chains": [{"start": s, **asdict(c), "labels": [describe(G, n) for n in c.nodes]}
                           for s, c in self.chains.items()],
                "cycles": self.cycles, "dead_ends": self.dead_ends}


def case_chains(graph: Graph, case_id: str, *, role: str | None = None, at: date | None = None,
                lang: str = "en") -> CaseChains:
    """Return the chain of every holder in a case (or of ``role`` only) on a day.

    The day is ``at``, or else today, or a closed case's last day.

    Example:
        >>> from chaingraph import load
        >>> found = case_chains(load(), "FX-001")
        >>> found.case, len(found.chains) > 0
        ('FX-001', True)

    Raises:
        UnknownCase: no such case.
        UnknownRole: ``role`` names no role.
    """
    from chaingraph.names import resolve
    from chaingraph.responsibility import case_period, default_day

    start, end = case_period(graph, case_id)
    day = at or default_day(start, end)
    G = responsibility_graph(graph, case_id, at=day, lang=lang)
    if role:
        found = str(resolve(graph, role, of_class=CG.Role))
        if found not in G:
            _add_role(graph, G, URIRef(found), lang)
        starts = [found]
    else:
        starts = sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "holder")
    return CaseChains(case_id, day, G, {s: chain(G, s) for s in starts}, cycles(G), dead_ends(G))


def render_text(found: CaseChains, lang: str = "en") -> str:
    """Return the chains as text: one line per chain with its verdict, then cycles and dead ends."""
    G = found.graph
    m = lambda key: text(f"chain.{key}", lang)  # noqa: E731
    lines = [f"{found.case}  {m('on')} {found.at}", ""]
    for c in found.chains.values():
        verdict = m(c.problem) if c.problem else m("complete")
        lines.append(" → ".join(describe(G, n) for n in c.nodes) + f"   [{verdict}]")
    lines += ["", f"{m('cycles')}: " + ("; ".join(" → ".join(describe(G, n) for n in cyc)
                                                  for cyc in found.cycles) or m("none")),
              f"{m('dead_ends')}: " + (", ".join(describe(G, n) for n in found.dead_ends)
                                       or m("none"))]
    return "\n".join(lines)
