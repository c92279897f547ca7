"""The content of one export: a view in a format, checked for personal data.

:func:`export` is the library entry point behind ``chaingraph export``: it builds the
view, renders it, and scans the result for every person identifier in the source
before returning it, so nothing with personal data reaches a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import networkx as nx
from rdflib import Graph

from chaingraph.errors import BadParameter, CaseNeeded, UnknownFormat, UnknownView
from chaingraph.export import privacy, views
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
        tokens: the person identifiers of ``graph`` (:func:`privacy.identifiers`), when
            the caller exports many times from one graph; computed when None.

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
    return render(graph, view, fmt, today=today, tokens=tokens)


def render(
    graph: Graph,
    view: nx.Graph,
    fmt: str,
    *,
    today: dt.date | None = None,
    tokens: set[str] | None = None,
) -> str | bytes:
    """Return ``view`` (built from ``graph`` by :func:`views.build`) in format ``fmt``,
    after checking it for person identifiers; see :func:`export`."""
    if fmt not in FORMATS:
        raise UnknownFormat(fmt, FORMATS)
    what = view.graph["what"]
    lang = view.graph.get("lang", "en")
    case_id = view.graph.get("case") or None
    case_iri = views.find_case(graph, case_id) if case_id else None
    content: str | bytes
    scanned: list[str | bytes] = []
    if fmt in GRAPH_RENDERERS:
        content = GRAPH_RENDERERS[fmt](view)
        if fmt == "png":
            scanned.append(render_dot(view))  # the text the picture was drawn from
    elif fmt in ("turtle", "jsonld"):
        from chaingraph.export import subgraph

        sub = subgraph.subgraph(graph, view, case_iri=case_iri)
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
            items = views.overview_items(graph, lang=lang, cases=[case_id] if case_id else None)
        content = render_html(view, items)
    tokens = privacy.identifiers(graph) if tokens is None else tokens
    for part in [content, *scanned]:
        privacy.check(part, tokens, view=what, fmt=fmt)
    return content
