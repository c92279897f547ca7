"""The four pictures a learning session looks at, as networkx graphs.

- :func:`collaboration`: organisations, joined by what they share (cases, agreements,
  meetings); undirected, weighted.
- :func:`case`: the role-level graph of one case: which role held which phase or
  instrument, the contact points, handovers and escalations; the one case graph of
  :mod:`chaingraph.casegraph`, which ``chaingraph chain`` follows.
- :func:`timeline`: the dated items of one case (events, handovers, instruments,
  phase-ownership periods and ownership gaps) as a chain in time.
- :func:`chain`: the chain as a whole: organisations, roles and escalation lines,
  agreements and the improvement measures of the monitor (``chaingraph chain`` without
  a case follows its escalation lines).

Every graph carries only scalar attributes (GraphML and GEXF refuse others) and node
ids derived from public names (``org-politie``, ``role-casusregisseur``, ``phase-risk-
assessment``, ``instrument-1``): never a person, a pseudonym or the IRI of a node inside
a case file. Graph attributes: ``what``, ``title``, ``lang`` and, for case views, ``case``
(``memberships_indexed`` on a collaboration graph drawn from a store's index).
Node attributes: ``label`` (short, for pictures), ``kind``, optional ``name`` (full),
``iri`` (public IRIs only), ``start_date``/``end_date`` (ISO dates). Edge attributes:
``kind``, ``label``, ``weight``.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.query import ResultRow

from chaingraph import catalogue, memberships, periods
from chaingraph.casegraph import (
    ASSIGNMENTS_QUERY,
    CASE_QUERY,
    add_organisation,
    add_role,
    as_date,
    case_events,
    case_graph,
    case_instruments,
    held_at,
    iso,
    merge_edge,
    node_id,
    public,
    role_label,
    type_label,
)
from chaingraph.export import privacy
from chaingraph.labels import label as label_of
from chaingraph.labels import local_name, short_name
from chaingraph.names import find_case
from chaingraph.namespace import CG
from chaingraph.queryfiles import internal
from chaingraph.sparql import execute, with_rows

if typing.TYPE_CHECKING:
    import pyoxigraph

# The collaboration graph is read as memberships, "which organisations take part in this
# case (agreement, meeting)", one row per thing and organisation (queries/internal/members-*.rq);
# the pairs are counted in Python, per distinct set of organisations. A region's cases share
# a handful of such sets, so that stays one pass over the data at any scale, where pairing
# the rows in SPARQL (a self-join with COUNT DISTINCT per pair) grew to seconds per 10,000
# cases. A store made by `chaingraph load` has the case memberships of the whole region
# indexed (chaingraph.memberships).

CASES_QUERY = internal("cases-by-id")
CASE_PERSONS_QUERY = internal("case-persons")  # read only in the internal pseudonymised mode
CHAIN_QUERY = internal("chain-overview")

# Items with more members than this list only the first ones in an edge attribute.
MAX_LISTED = 25


# ----------------------------------------------------------------------------- names


def case_index(graph: Graph) -> dict[str, URIRef]:
    """Return every case identifier with its case IRI."""
    return {str(row.id): row.case for row in execute(graph, CASES_QUERY)}




# ----------------------------------------------------------------------------- collaboration


def _thing_name(graph: Graph, thing: URIRef, lang: str) -> str:
    """Name an agreement or meeting; one inside a case file is named by its type and date."""
    if privacy.is_public(thing):
        return label_of(graph, thing, lang)
    kind = type_label(graph, thing, CG.Event, lang)[1] or catalogue.text("export.meetings", lang)
    return f"{kind} {iso(as_date(graph.value(thing, CG.date)))}".strip()


def _members(graph: Graph, store: pyoxigraph.Store | None, query: str) -> dict[str, set[str]]:
    """Run a membership query: each thing (N-Triples text) with the IRIs of its organisations.

    On Oxigraph (``store``, the pyoxigraph Store behind ``graph``) through
    :func:`chaingraph.backends.select_rows`.
    """
    members: dict[str, set[str]] = defaultdict(set)
    if store is not None:
        from chaingraph.backends import select_rows

        for thing, org in select_rows(store, query):
            if org.startswith("<"):
                members[thing].add(org[1:-1])
        return members
    for row in cast(Iterable[ResultRow], graph.query(query)):  # a SELECT: rows
        if isinstance(row.a, URIRef):
            members[row.thing.n3()].add(str(row.a))
    return members


def _pairs(members: dict[str, set[str]],
           listed: bool) -> dict[tuple[str, str], tuple[int, list[str]]]:
    """Count, for each pair of organisations, the things they share (and name the first few).

    The things are grouped by their set of organisations first, so the work grows with
    the number of distinct sets, not with the number of things.
    """
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    for thing, orgs in members.items():
        if len(orgs) > 1:
            groups[frozenset(orgs)].append(thing)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    firsts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for group, things in groups.items():
        # the MAX_LISTED + 1 smallest of a pair are among the smallest of each of its groups
        first = sorted(things)[:MAX_LISTED + 1] if listed else []
        ordered = sorted(group)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                counts[(a, b)] += len(things)
                firsts[(a, b)] += first
    return {pair: (n, sorted(firsts[pair])[:MAX_LISTED + 1]) for pair, n in counts.items()}


def collaboration(graph: Graph, *, lang: str = "en", cases: Iterable[str] | None = None,
                  index: bool = True) -> nx.Graph:
    """Return the organisation-organisation graph, edges weighted by what they share.

    Edge attributes: ``weight`` (cases + agreements + meetings), ``cases``, ``agreements``,
    ``meetings`` (counts), ``case_ids``, ``agreement_names``, ``meeting_names`` (texts,
    the first ``MAX_LISTED``; case ids only where at most ``MAX_LISTED`` cases are shown),
    ``label``. Node attribute ``cases``: the cases the organisation takes part in. With
    ``cases``, only those cases count, with the meetings held in them and the agreements
    they name (``cg:escalationAgreement``).

    The cases' memberships come from the store's index (:mod:`chaingraph.memberships`)
    when ``graph`` is an Oxigraph store that ``chaingraph load`` indexed, all cases are
    drawn and ``index`` is true; graph attribute ``memberships_indexed`` then says when
    the index was built. Otherwise they are read from the data.

    Example:
        >>> from chaingraph import load
        >>> view = collaboration(load())
        >>> view.graph["what"], all(d["weight"] > 0 for _, _, d in view.edges(data=True))
        ('collaboration', True)
    """
    restricted = None
    if cases is not None:
        restricted = [find_case(graph, c) for c in cases]
    from chaingraph.backends import native_store

    store = native_store(graph)
    indexed = None
    if store is not None and restricted is None and index:
        usable, indexed = memberships.state(store)
        indexed = indexed if usable == "usable" else None
    queries = {"case": internal("members-case-oxigraph" if store is not None else "members-case"),
               "agreement": internal("members-agreement"), "meeting": internal("members-meeting"),
               "tokens": internal("case-tokens")}
    texts = {kind: query.text for kind, query in queries.items()}
    if restricted is not None:
        rows = [(c,) for c in restricted]
        texts = {"case": with_rows(queries["case"], ["thing"], rows),
                 "agreement": with_rows(internal("members-agreement-of-cases"), ["case"], rows),
                 "meeting": with_rows(internal("members-meeting-of-cases"), ["case"], rows),
                 "tokens": with_rows(queries["tokens"], ["thing"], rows)}
    if indexed:
        texts["case"] = memberships.READ
    members = {kind: _members(graph, store, texts[kind])
               for kind in ("case", "agreement", "meeting")}
    # Name the shared cases only where there are few: at a region's scale, a pair shares
    # thousands, and their ids say nothing in a picture.
    few = restricted is not None or len(members["case"]) <= MAX_LISTED
    case_tokens: dict[str, str] = {}
    if few:
        token_rows = cast(Iterable[ResultRow], graph.query(texts["tokens"]))  # a SELECT: rows
        case_tokens = {row.thing.n3(): str(row.token) for row in token_rows}
    view = nx.Graph(what="collaboration", title=catalogue.text("export.collaboration-title", lang),
                    lang=lang)
    if restricted is not None:
        view.graph["case"] = " ".join(sorted(cases or ()))
    if indexed:
        view.graph["memberships_indexed"] = indexed
    names = {"case": "case_ids", "agreement": "agreement_names", "meeting": "meeting_names"}
    pairs: dict[tuple[str, str], dict[str, int | str]] = defaultdict(dict)  # by organisation IRIs
    for kind, found in members.items():
        listed = kind != "case" or few
        for (a, b), (n, first) in _pairs(found, listed).items():
            more = n > MAX_LISTED
            if kind == "case":
                tokens = sorted(case_tokens[t] for t in first if t in case_tokens)[:MAX_LISTED]
            else:
                tokens = sorted(_thing_name(graph, URIRef(t[1:-1]), lang)
                                for t in first[:MAX_LISTED] if t.startswith("<"))
            text = "; ".join(tokens) + ("; …" if more else "") if tokens or few else "…"
            pairs[(a, b)].update({kind + "s": n, names[kind]: text})
    # Sorted by node id, so the picture is the same whatever order the store answers in.
    for (a, b), data in sorted(pairs.items(),
                               key=lambda item: tuple(node_id(URIRef(o)) for o in item[0])):
        node_a = add_organisation(view, graph, URIRef(a), lang)
        node_b = add_organisation(view, graph, URIRef(b), lang)
        counts = {k: int(data.get(k, 0)) for k in ("cases", "agreements", "meetings")}
        text = ", ".join(catalogue.text(f"export.count.{k}", lang, n=n)
                         for k, n in counts.items() if n)
        view.add_edge(node_a, node_b, weight=sum(counts.values()), label=text, kind="shares",
                      **counts,
                      **{k: v for k, v in data.items() if k not in counts})
    per_org = Counter(org for orgs in members["case"].values() for org in orgs)
    for org, n in sorted(per_org.items()):
        nid = add_organisation(view, graph, URIRef(org), lang)
        view.nodes[nid]["cases"] = n
    for nid in view.nodes:
        view.nodes[nid].setdefault("cases", 0)
    return view


# ----------------------------------------------------------------------------- one case


def case(graph: Graph, case_id: str, *, lang: str = "en",
         pseudonymise: Callable[[str], str] | None = None) -> nx.DiGraph:
    """Return the role-level graph of one case: :func:`chaingraph.casegraph.case_graph`.

    Args:
        pseudonymise: internal use only: a keyed function that turns a person's
            pseudonym into another; when given, the graph has the holders of the roles
            (``holder`` nodes, ``holds`` edges) and the case ``victim``/``suspect``
            attributes, under its output. Off by default.

    Example:
        >>> from chaingraph import load
        >>> g = load()
        >>> view = case(g, sorted(case_index(g))[0])
        >>> view.nodes["case"]["kind"]
        'case'
    """
    view = case_graph(graph, case_id, lang=lang, holders=pseudonymise)
    if pseudonymise is not None:
        for row in execute(graph, CASE_PERSONS_QUERY, {"case": find_case(graph, case_id)}):
            view.nodes["case"][str(row.which)] = pseudonymise(str(row.pseudonym))
        view.graph["internal"] = "keyed pseudonyms: internal use only, not for learning sessions"
    return view


# ----------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class Item:
    """One entry of a case timeline: a dated event, or a period (``end`` None = still running)."""

    id: str
    kind: str  # case, event, handover, escalation, instrument, ownership, gap
    label: str
    start: dt.date
    end: dt.date | None
    lane: str
    organisations: tuple[str, ...] = ()


def timeline_items(graph: Graph, case_id: str, *, lang: str = "en",
                   today: dt.date | None = None) -> list[Item]:
    """Return the timeline of one case, sorted by date.

    Items: the case's active period; its events (reports, screenings, handovers,
    escalations, instruments imposed and ended, meetings, ...); each instrument's period;
    each phase-ownership period; and, per applied phase, every stretch of the case's active
    period with no owner (``gap``) or two owners (``overlap``), computed by
    :mod:`chaingraph.periods`. A running case is active until ``today``.

    Example:
        >>> from chaingraph import load
        >>> g = load()
        >>> items = timeline_items(g, sorted(case_index(g))[0])
        >>> items[0].kind in {"case", "event", "ownership"}
        True
    """
    today = today or dt.date.today()
    case_iri = find_case(graph, case_id)
    items: list[Item] = []
    start = end = None
    applied: list[URIRef] = []
    for row in execute(graph, CASE_QUERY, {"case": case_iri}):
        start, end = as_date(row.start), as_date(row.end)
        if isinstance(row.phase, URIRef) and row.phase not in applied:
            applied.append(row.phase)
    events_lane = catalogue.text("export.events", lang)
    if start:
        items.append(Item("case", "case", f"{catalogue.text('export.case', lang)} {case_id}",
                          start, end, catalogue.text("export.case-period", lang)))
    for n, event in enumerate(case_events(graph, case_iri), 1):
        if event["date"] is None:
            continue
        types = sorted(event["types"], key=str)
        kind = ("handover" if CG.Handover in types
                else "escalation" if CG.Escalation in types else "event")
        text = ", ".join(label_of(graph, t, lang) for t in types if t != CG.CaseEvent)
        orgs = sorted(event["by"] | event["participant"])
        names = [short_name(graph, o, lang) for o in orgs]
        if names and kind == "escalation":
            text += f" ({', '.join(names)})"
        if kind == "handover":
            text += ": " + ", ".join(short_name(graph, o, lang) for o in sorted(event["from"]))
            text += " → " + ", ".join(short_name(graph, o, lang) for o in sorted(event["to"]))
            orgs = sorted(event["from"] | event["to"])
        elif kind == "escalation" and event["escalatedTo"]:
            text += " → " + ", ".join(role_label(graph, r, held_at(graph, r), lang)
                                      for r in sorted(event["escalatedTo"]))
        if names and kind == "event":
            text += f" ({', '.join(names)})"
        if event["concerns"]:
            concerns = (type_label(graph, i, CG.Instrument, lang)[1]
                        for i in sorted(event["concerns"]))
            text += f" [{', '.join(concerns)}]"
        items.append(Item(f"event-{n}", kind, text, event["date"], event["date"], events_lane,
                          tuple(node_id(o) for o in orgs)))
    for iid, inst in case_instruments(graph, case_iri, lang).values():
        if inst.start:
            items.append(Item(iid, "instrument", inst.kind, inst.start, inst.end,
                              catalogue.text("export.instruments", lang)))
    owned: dict[URIRef, list[periods.Period]] = defaultdict(list)
    rows = [r for r in execute(graph, ASSIGNMENTS_QUERY, {"case": case_iri})
            if r.type == CG.PhaseOwnership and isinstance(r.phase, URIRef) and as_date(r.start)]
    rows.sort(key=lambda r: (str(r.phase), str(r.start), str(r.a)))
    for n, row in enumerate(rows, 1):
        a, b = as_date(row.start), as_date(row.end)
        if a is None:  # never: the rows are the ownerships with a start
            continue
        org = row.org if isinstance(row.org, URIRef) else None
        who = (role_label(graph, row.role, org, lang) if isinstance(row.role, URIRef)
               else short_name(graph, org, lang) if org is not None else "?")
        owned[row.phase].append(periods.Period(a, b, (n, who)))
        items.append(Item(f"ownership-{n}", "ownership", who, a, b,
                          f"{catalogue.text('export.phase', lang)}: "
                          f"{label_of(graph, row.phase, lang)}",
                          (node_id(org),) if org is not None else ()))
    if start:
        last = end or today
        n = m = 0
        for phase in applied:
            lane = f"{catalogue.text('export.phase', lang)}: {label_of(graph, phase, lang)}"
            for gap in periods.gaps(owned.get(phase, []), start, last):
                a, b = gap.start, gap.end or last
                n += 1
                items.append(Item(f"gap-{n}", "gap",
                                  f"{catalogue.text('export.gap', lang)} ({(b - a).days + 1} d)",
                                  a, b, lane))
            for overlap in periods.overlaps(owned.get(phase, [])):
                a, b = overlap.start, overlap.end or last
                m += 1
                # the owners of these periods are (n, who) pairs: see owned above
                pair = f"{overlap.first[1]} + {overlap.second[1]}"  # type: ignore[index]  # a pair
                text = f"{catalogue.text('export.overlap', lang)} ({(b - a).days + 1} d): {pair}"
                items.append(Item(f"overlap-{m}", "overlap", text, a, b, lane))
    order = {"case": 0, "event": 1, "handover": 1, "escalation": 1, "instrument": 2,
             "ownership": 3, "gap": 4,
             "overlap": 4}
    items.sort(key=lambda i: (i.start, order[i.kind], i.id))
    return items


OVERVIEW_QUERY = internal("timeline-overview")


def overview_items(graph: Graph, *, lang: str = "en",
                   cases: Iterable[str] | None = None) -> list[Item]:
    """Return the timeline behind the whole-chain views: each case's active period and the
    monitor's dated meetings and events (not those inside a case).

    Example:
        >>> from chaingraph import load
        >>> kinds = {i.kind for i in overview_items(load())}
        >>> kinds <= {"case", "event"}
        True
    """
    wanted = set(cases) if cases is not None else None
    items: list[Item] = []
    for row in execute(graph, OVERVIEW_QUERY):
        start = as_date(row.start)
        if start is None:
            continue
        if row.kind == Literal("case"):
            if wanted is not None and str(row.id) not in wanted:
                continue
            items.append(Item(f"case-{row.id}", "case",
                              f"{catalogue.text('export.case', lang)} {row.id}", start,
                              as_date(row.end),
                              catalogue.text("export.cases", lang)))
        elif wanted is None and privacy.is_public(row.thing):
            items.append(Item(node_id(row.thing), "event", label_of(graph, row.thing, lang), start,
                              start,
                              catalogue.text("export.events", lang)))
    items.sort(key=lambda i: (i.start, i.id))
    return list({i.id: i for i in items}.values())


def timeline(graph: Graph, case_id: str, *, lang: str = "en",
             today: dt.date | None = None) -> nx.DiGraph:
    """Return the timeline of one case as a graph: items in date order, linked to organisations.

    Nodes: the items of :func:`timeline_items` (``kind``, ``label``, ``lane``, ``start_date``,
    ``end_date``, ``days``) and the organisations involved. Edges: ``then`` from each
    item to the next by start date, and item → organisation (``by``).

    Example:
        >>> from chaingraph import load
        >>> g = load()
        >>> view = timeline(g, sorted(case_index(g))[0])
        >>> view.graph["what"]
        'timeline'
    """
    items = timeline_items(graph, case_id, lang=lang, today=today)
    view = nx.DiGraph(what="timeline", case=case_id, lang=lang,
                      title=catalogue.text("export.timeline-title", lang).format(case=case_id))
    orgs = {node_id(o): o for o in graph.subjects(RDF.type, CG.Organisation)
            if isinstance(o, URIRef)}
    previous = None
    for item in items:
        days = ((item.end or item.start) - item.start).days + 1
        view.add_node(item.id, label=f"{iso(item.start)} {item.label}", kind=item.kind,
                      lane=item.lane,
                      start_date=iso(item.start), end_date=iso(item.end), days=days)
        if previous is not None:
            view.add_edge(previous, item.id, kind="then", label="", weight=1)
        previous = item.id
        for org in item.organisations:
            if org in orgs:
                add_organisation(view, graph, orgs[org], lang)
                merge_edge(view, item.id, org, kind="by", label="")
    return view


# ----------------------------------------------------------------------------- the chain


def chain(graph: Graph, *, lang: str = "en") -> nx.DiGraph:
    """Return the chain as a whole: organisations, chains, roles, agreements and measures.

    Edges: chain ``partner`` organisation, role ``held-at`` organisation, role
    ``escalates-to`` role, agreement ``party`` organisation, measure ``owner``
    organisation, measure ``phase`` phase, organisation ``part-of`` organisation.

    Example:
        >>> from chaingraph import load
        >>> view = chain(load())
        >>> sorted({k for _, k in view.nodes(data="kind")})[:3]
        ['agreement', 'chain', 'measure']
    """
    view = nx.DiGraph(what="chain", title=catalogue.text("export.chain-title", lang), lang=lang)
    kinds: dict[URIRef, str] = {}
    links: list[tuple[URIRef, str, URIRef]] = []
    for row in execute(graph, CHAIN_QUERY):
        kinds.setdefault(row.s, str(row.kind))
        if isinstance(row.o, URIRef) and row.p is not None:
            links.append((row.s, str(row.p), row.o))
    for iri, kind in sorted(kinds.items()):
        nid = node_id(iri)
        if kind == "organisation":
            add_organisation(view, graph, iri, lang)
        elif kind == "role":
            add_role(view, graph, iri, None, lang)
        else:
            attrs = {"kind": kind, "label": label_of(graph, iri, lang), "iri": public(iri)}
            if kind == "measure":
                status = graph.value(iri, CG.status)
                attrs["status"] = (label_of(graph, status, lang) if isinstance(status, URIRef)
                                   else "")
                attrs["name"] = attrs["label"]
                attrs["label"] = f"{local_name(iri).split('-', 1)[-1]} {attrs['label']}"
            view.add_node(nid, **attrs)
    for s, p, o in sorted(links):
        if p == "phase":
            view.add_node(node_id(o), label=label_of(graph, o, lang), kind="phase", iri=public(o))
        elif o not in kinds:
            continue
        target = node_id(o) if kinds.get(o) != "role" else add_role(view, graph, o, None, lang)
        source = node_id(s) if kinds.get(s) != "role" else add_role(view, graph, s, None, lang)
        if p == "held-at":
            continue  # add_role drew it
        merge_edge(view, source, target, kind=p, label=catalogue.text(f"export.{p}", lang))
    return view


VIEWS = ("collaboration", "case", "timeline", "chain")
CASE_VIEWS = ("case", "timeline")


def build(graph: Graph, what: str, *, case_id: str | None = None, lang: str = "en",
          pseudonymise: Callable[[str], str] | None = None,
          today: dt.date | None = None) -> nx.Graph:
    """Return the view ``what`` (one of :data:`VIEWS`)."""
    if what == "collaboration":
        return collaboration(graph, lang=lang, cases=[case_id] if case_id else None)
    if what == "case":
        return case(graph, case_id or "", lang=lang, pseudonymise=pseudonymise)
    if what == "timeline":
        return timeline(graph, case_id or "", lang=lang, today=today)
    return chain(graph, lang=lang)


__all__ = ["Item", "VIEWS", "build", "case", "case_index", "chain", "collaboration", "find_case",
           "node_id", "short_name", "timeline", "timeline_items"]
