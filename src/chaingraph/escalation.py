"""``chaingraph chain``: the escalation chains of a case, or of the whole chain.

The chains of a case are followed on its case graph, :func:`chaingraph.casegraph.case_graph`
(the one that ``export case`` draws), here with the holders of the roles on one day; those
of the whole chain on the graph that ``export chain`` draws (:func:`chain_chains`). A
chain is a path: from a holder through the role they hold (``holds``), along the
``escalates-to`` lines, to the top; it is complete when it ends at the administrative
level. :func:`cycles` and :func:`dead_ends` report escalation lines that go round in a
circle or stop below the administrative level. The functions on the graph speak its node
ids; the results speak IRIs and are put into words by :func:`render_text` and
:meth:`CaseChains.as_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx
from rdflib import Graph, URIRef

from chaingraph.casegraph import add_escalation_lines, add_role, case_graph, role_name, role_node
from chaingraph.catalogue import DEFAULT, text
from chaingraph.errors import UnknownRole
from chaingraph.glossary import Glossary
from chaingraph.namespace import CG
from chaingraph.sparql import run_query

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


def escalation_graph(G: nx.DiGraph) -> nx.DiGraph:
    """Return the roles and the ``escalates-to`` edges only."""
    roles = [n for n, d in G.nodes(data=True) if d.get("kind") == "role"]
    H = nx.DiGraph()
    H.add_nodes_from((n, G.nodes[n]) for n in roles)
    H.add_edges_from((u, v) for u, v, d in G.edges(data=True) if d.get("kind") == "escalates-to")
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
    several), then along the escalation lines (the first in node-id order where a role
    has more than one) until a role with no line further.

    Example:
        >>> G = nx.DiGraph()
        >>> G.add_node("r1", kind="role", level="LevelOperational")
        >>> G.add_node("r2", kind="role", level="LevelAdministrative")
        >>> G.add_edge("r1", "r2", kind="escalates-to")
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
        current = min(roles, key=lambda r: (LEVEL_ORDER.get(G.nodes[r].get("level", ""), 9),
                                            G.nodes[r].get("iri", r)))
        nodes.append(current)
    while True:
        upper = sorted((v for _, v, d in G.out_edges(current, data=True)
                        if d.get("kind") == "escalates-to"), key=lambda v: G.nodes[v].get("iri", v))
        if not upper:
            problem = None if G.nodes[current].get("level") == ADMINISTRATIVE else "dead-end"
            return Chain(tuple(nodes), problem)
        if upper[0] in nodes:
            return Chain(tuple(nodes), "cycle")
        current = upper[0]
        nodes.append(current)


RESPONSIBILITY_EDGES = ("owns", "responsibility", "role-assignment")


def assignments(G: nx.DiGraph) -> set[tuple[str, str, str, str]]:
    """Return (target, responsibility notation, organisation IRI, role IRI) tuples.

    The target is the phase's notation, the instrument's class IRI and start date
    (``"IRI 2021-05-26"``), or ``case`` for the role assignments that belong to the case
    as a whole (contact points). An assignment without a role has role ``""``.
    """
    found = set()
    for u, v, d in G.edges(data=True):
        if d.get("kind") not in RESPONSIBILITY_EDGES:
            continue
        node, source = G.nodes[v], G.nodes[u]
        target = {"phase": node.get("notation"), "case": "case"}.get(
            node["kind"], f"{node.get('type')} {node.get('start_date')}")
        if source["kind"] == "role":
            role = source["iri"]
            org = next((G.nodes[o].get("iri", "") for _, o, e in G.out_edges(u, data=True)
                        if e.get("kind") == "held-at"), "")
        else:
            role, org = "", source.get("iri", "")
        for kind in d.get("responsibility", "").split():
            found.add((str(target), kind, org, role))
    return found


# ---------------------------------------------------------------- the chains of a case


@dataclass
class CaseChains:
    """The chains of a case on a day, and the escalation lines that circle or stop short.

    Everything is an IRI: a chain starts at a role or at a holder (a person's IRI, named
    by ``holders``, their pseudonyms) and runs through roles; ``organisations`` gives each
    role's organisations, ``names`` the labels of roles and organisations in every
    language. ``graph`` is the graph the chains were followed on: a case's, or the
    whole chain's (``case`` and ``at`` None).
    """

    case: str | None
    at: date | None
    graph: nx.DiGraph
    chains: dict[str, Chain]
    cycles: list[list[str]]
    dead_ends: list[str]
    holders: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, list[str]] = field(default_factory=dict)
    names: Glossary = field(default_factory=Glossary)

    @property
    def problems(self) -> bool:
        """Whether a chain stops short or an escalation line circles or stops short."""
        return bool(self.cycles or self.dead_ends or any(c.problem for c in self.chains.values()))

    def describe(self, iri: str, lang: str = DEFAULT) -> str:
        """Name a chain's node: a holder's pseudonym; a role with its organisation."""
        if iri in self.holders:
            return self.holders[iri]
        return role_name(self.names.label(iri, lang),
                         [self.names.short(o, lang) for o in self.organisations.get(iri, [])])

    def as_dict(self, lang: str = DEFAULT) -> dict[str, Any]:
        """The chains as plain data (for JSON): IRIs, each chain with its nodes' names."""
        return {"case": self.case, "at": self.at.isoformat() if self.at else None,
                "chains": [{"start": s, "nodes": list(c.nodes), "problem": c.problem,
                            "labels": [self.describe(n, lang) for n in c.nodes]}
                           for s, c in self.chains.items()],
                "cycles": self.cycles, "dead_ends": self.dead_ends}


def case_chains(graph: Graph, case_id: str, *, role: str | None = None,
                at: date | None = None) -> CaseChains:
    """Return the chain of every holder in a case (or of ``role`` only) on a day.

    The chains are followed on the case graph (:func:`chaingraph.casegraph.case_graph`,
    the one ``export case`` draws) with the holders of the day. The day is ``at``, or
    else today, or a closed case's last day.

    Example:
        >>> from chaingraph import load
        >>> found = case_chains(load(), "FX-001")
        >>> found.case, len(found.chains) > 0
        ('FX-001', True)

    Raises:
        UnknownCase: no such case.
        UnknownRole: ``role`` names no role.
    """
    from chaingraph.responsibility import case_period, default_day

    start, end = case_period(graph, case_id)
    day = at or default_day(start, end)
    G = case_graph(graph, case_id, at=day, holders=str)
    holders = {str(r["pseudonym"]): str(r["holder"])
               for r in run_query(graph, "case-responsibilities", case=case_id, date=day).dicts()
               if r["holder"] is not None and str(r["pseudonym"]) in G}
    starts = [n for n, d in G.nodes(data=True) if d.get("kind") == "holder"]
    return _followed(graph, G, role, starts, holders, case_id, day)


def chain_chains(graph: Graph, *, role: str | None = None) -> CaseChains:
    """Return the escalation chains of the whole chain, from every role nobody escalates to.

    They are followed on the graph ``export chain`` draws (:func:`chaingraph.export.views.chain`):
    its roles and their ``escalates-to`` lines. ``case`` and ``at`` of the result are None.

    Example:
        >>> from chaingraph import load
        >>> found = chain_chains(load())
        >>> found.case is None and all(c.nodes for c in found.chains.values())
        True
    """
    from chaingraph.export.views import chain as whole

    G = whole(graph)
    H = escalation_graph(G)
    starts = [n for n in H if H.in_degree(n) == 0]
    return _followed(graph, G, role, starts, {}, None, None)


def _followed(graph: Graph, G: nx.DiGraph, role: str | None, starts: list[str],
              holders: dict[str, str], case: str | None, day: date | None) -> CaseChains:
    """Follow the chains from ``starts`` (or ``role``) in ``G``; the result in IRIs."""
    from chaingraph.names import resolve

    if role:
        found = resolve(graph, role, of_class=CG.Role)
        if role_node(graph, found) not in G:
            add_role(G, graph, found, None, "en")
            add_escalation_lines(G, graph)
        starts = [role_node(graph, found)]

    def iri(node: str) -> str:
        return holders.get(node) or G.nodes[node].get("iri") or node

    chains = {iri(s): Chain(tuple(iri(n) for n in c.nodes), c.problem)
              for s, c in ((s, chain(G, s)) for s in starts)}
    organisations: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") != "role":
            continue
        orgs = organisations.setdefault(d["iri"], [])
        orgs += [G.nodes[o]["iri"] for _, o, e in G.out_edges(n, data=True)
                 if e.get("kind") == "held-at" and G.nodes[o]["iri"] not in orgs]
    names = Glossary()
    names.add(graph, (URIRef(r) for r in organisations))
    names.add(graph, (URIRef(o) for orgs in organisations.values() for o in orgs), short=True)
    return CaseChains(case, day, G, dict(sorted(chains.items())),
                      [[iri(n) for n in c] for c in cycles(G)],
                      sorted(iri(n) for n in dead_ends(G)),
                      {v: k for k, v in holders.items()}, organisations, names)


def render_text(found: CaseChains, lang: str = DEFAULT) -> str:
    """Return the chains as text: one line per chain with its verdict, then cycles and dead ends."""
    m = lambda key: text(f"chain.{key}", lang)  # noqa: E731
    name = lambda node: found.describe(node, lang)  # noqa: E731
    lines = [f"{found.case}  {m('on')} {found.at}" if found.case else m("whole"), ""]
    for c in found.chains.values():
        verdict = m(c.problem) if c.problem else m("complete")
        lines.append(" → ".join(map(name, c.nodes)) + f"   [{verdict}]")
    lines += ["", f"{m('cycles')}: " + ("; ".join(" → ".join(map(name, cyc))
                                                  for cyc in found.cycles) or m("none")),
              f"{m('dead_ends')}: " + (", ".join(map(name, found.dead_ends)) or m("none"))]
    return "\n".join(lines)
