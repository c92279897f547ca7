"""The content of one export: a view in a format, checked for personal data.

:func:`export` is the library entry point behind ``chaingraph export``: it builds the
view, renders it, and scans the result for every person identifier in the source
before returning it, so nothing with personal data reaches a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import networkx as nx
from rdflib import BNode, Graph

from chaingraph import escape
from chaingraph.errors import (
    BadParameter,
    CaseNeeded,
    ChaingraphError,
    UnknownFormat,
    UnknownView,
)
from chaingraph.export import pictures, privacy, views
from chaingraph.export.formats import FORMATS, GRAPH_RENDERERS, render_dot


def export(graph: Graph, what: str, fmt: str, *, case_id: str | None = None, lang: str = "en",
           pseudonymise: Callable[[str], str] | None = None, today: dt.date | None = None,
           tokens: set[str] | None = None) -> str | bytes:
    """Return the export ``what`` (collaboration, case, timeline, chain) in format ``fmt``.

    Args:
        case_id: the case, required for ``case`` and ``timeline``; for ``collaboration``
            it restricts the graph to that case.
        pseudonymise: internal use only (see :func:`privacy.keyed`); only for ``case``.
        today: the end of a running case's active period (default: today).
        tokens: more person identifiers to look for (:func:`privacy.identifiers` of a
            whole graph, say); the check always looks for those that could have entered
            the export (:func:`privacy.check_export`).

    Raises:
        UnknownView, UnknownFormat, UnknownCase: the message lists what exists.
        BadParameter: a case view without ``case_id``.
        PersonalDataLeak: the result would contain a person identifier (nothing is returned).

    Example:
        >>> from chaingraph import load
        >>> g = load()
        >>> export(g, "collaboration", "mermaid").startswith("%% Collaboration")
        True
    """
    if what not in views.VIEWS:
        raise UnknownView(what, views.VIEWS)
    if fmt not in FORMATS:
        raise UnknownFormat(fmt, FORMATS)
    if what in views.CASE_VIEWS and not case_id:
        from chaingraph.queries import case_ids

        raise CaseNeeded(what, case_ids(graph))
    if case_id and what == "chain":
        raise BadParameter(key="chain_takes_no_case")
    if pseudonymise is not None and what != "case":
        raise BadParameter(key="pseudonymise_case_only")
    view = views.build(
        graph, what, case_id=case_id, lang=lang, pseudonymise=pseudonymise, today=today
    )
    return render(graph, view, fmt, today=today, tokens=tokens, pseudonymise=pseudonymise)


def render(
    graph: Graph,
    view: nx.Graph,
    fmt: str,
    *,
    today: dt.date | None = None,
    tokens: set[str] | None = None,
    pseudonymise: Callable[[str], str] | None = None,
) -> str | bytes:
    """Return ``view`` (built from ``graph`` by :func:`views.build`) in format ``fmt``,
    after checking it for person identifiers; see :func:`export`.

    Every XML format is read back with a strict parser before it is returned. In the
    internal mode (a view with the ``internal`` mark) the keyed pseudonyms are in the
    labels and the mark in the title, so every format carries both.
    """
    if fmt not in FORMATS:
        raise UnknownFormat(fmt, FORMATS)
    view = canonical(view)
    if view.graph.get("internal"):
        view = marked(view)
    what = view.graph["what"]
    lang = view.graph.get("lang", "en")
    case_id = view.graph.get("case") or None
    case_ids = str(case_id).split() if case_id else []
    cases = [views.find_case(graph, c) for c in case_ids]
    case_iri = cases[0] if what in views.CASE_VIEWS and cases else None
    content: str | bytes
    scanned: list[str | bytes] = []
    texts: list[str] = []
    if fmt in ("svg", "png") and what in pictures.PICTURED:
        # the web pages' picture (lanes, the circle), not Graphviz's graph
        picture = pictures.standalone_svg(graph, view, today=today)
        content = picture if fmt == "svg" else pictures.png(picture)
        if fmt == "png":  # the text the picture was drawn from, its XML escaping undone
            scanned.append(privacy.readable(picture, "svg"))
    elif fmt in GRAPH_RENDERERS:
        content = GRAPH_RENDERERS[fmt](view)
        if fmt == "png":
            scanned.append(render_dot(view))  # the text the picture was drawn from
    elif fmt in ("turtle", "jsonld"):
        from chaingraph.export import subgraph

        sub = subgraph.subgraph(graph, view, case_iri=case_iri, pseudonymise=pseudonymise)
        texts += [str(term) for triple in sub for term in triple if not isinstance(term, BNode)]
        content = subgraph.render_turtle(sub) if fmt == "turtle" else subgraph.render_jsonld(sub)
    elif fmt == "archimate":
        from chaingraph.export.archimate import render_archimate

        content = render_archimate(view)
    elif fmt == "archimate-csv":
        import io
        import zipfile

        from chaingraph.export.archimate import render_archi_csv

        content = render_archi_csv(view)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            scanned += [archive.read(name) for name in archive.namelist()]
    else:
        from chaingraph.export.html import render_html

        if what in views.CASE_VIEWS:
            items = views.timeline_items(graph, case_id or "", lang=lang, today=today)
        else:
            items = views.overview_items(graph, lang=lang, cases=case_ids or None)
        texts += [t for item in items for t in (item.label, item.lane)]
        content = render_html(view, items, today=today,
                              organisations=pictures.organisation_names(graph, lang),
                              phases=pictures.phase_names(graph, lang))
    if fmt in XML_FORMATS:
        try:
            escape.check_xml(content)
        except ValueError as exc:
            raise ChaingraphError(key="export_not_wellformed", view=what, fmt=fmt,
                                  why=str(exc)) from None
    parts = [content] if fmt not in BINARY_SCANNED else []
    privacy.check_export(graph, view, [*parts, *scanned], fmt=fmt, texts=texts, cases=cases,
                         tokens=tokens)
    return content


XML_FORMATS = frozenset({"graphml", "gexf", "archimate", "svg"})
"""The formats that are XML documents: each is parsed strictly before it is written."""

BINARY_SCANNED = frozenset({"png", "archimate-csv"})
"""Binary formats: their text (the DOT or SVG drawn, the zip's members) is checked instead."""


def canonical(view: nx.Graph) -> nx.Graph:
    """Return the view with its nodes and edges in a fixed order (by id), so the same view
    gives the same bytes whatever order the store answered in; a timeline keeps its own
    order, which is the order in time.

    Example:
        >>> import networkx as nx
        >>> v = nx.Graph(what="case")
        >>> v.add_edge("b", "a"); v.add_node("c")
        >>> list(canonical(v).nodes), list(canonical(v).edges)
        (['a', 'b', 'c'], [('a', 'b')])
    """
    if view.graph.get("what") == "timeline":
        return view
    out = view.__class__()
    out.graph.update(view.graph)
    out.add_nodes_from(sorted(view.nodes(data=True), key=lambda item: str(item[0])))
    out.add_edges_from(sorted(view.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))))
    return out


def marked(view: nx.Graph) -> nx.Graph:
    """Return a copy of an internal view with its keyed pseudonyms in the labels (a role's
    holders, the case's victim and suspect) and its internal mark in the title.

    Example:
        >>> import networkx as nx
        >>> v = nx.DiGraph(what="case", title="Roles", internal="INTERNAL", lang="en")
        >>> v.add_node("case", label="Case X", victim="K-1", suspect="K-2")
        >>> v.add_node("r", label="case director", holders="K-3; K-4")
        >>> m = marked(v)
        >>> m.graph["title"], m.nodes["case"]["label"], m.nodes["r"]["label"]
        ('Roles (INTERNAL)', 'Case X (victim K-1; suspect K-2)', 'case director (K-3; K-4)')
    """
    out = view.copy()
    out.graph["title"] = f"{out.graph.get('title', '')} ({out.graph['internal']})".strip()
    for _, data in out.nodes(data=True):
        keyed = [f"{who} {data[who]}" for who in ("victim", "suspect") if data.get(who)]
        if data.get("holders"):
            keyed.append(str(data["holders"]))
        if keyed:
            data["label"] = f"{data.get('label', '')} ({'; '.join(keyed)})"
    return out
