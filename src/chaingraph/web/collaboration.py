"""The collaboration graph of the cases a user may count, for the collaboration page.

It is drawn by :mod:`chaingraph.pictures.collaboration`, as the exports draw theirs.

:func:`shared_cases` joins two organisations when both have an assignment in a case (the
relation need-to-know is made of, :mod:`chaingraph.web.cases`), so the graph never counts
a case the user may not see; :func:`chaingraph.export.views.collaboration` also counts
agreements and meetings, and takes seconds where this takes milliseconds.

On the page, each organisation is a link that selects it; a selected organisation's lines
are drawn strong and the others faint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import combinations
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from chaingraph.web.cases import CaseEntry


def shared_cases(entries: Iterable[CaseEntry], *, name: Callable[[str], str],
                 full_name: Callable[[str], str] | None = None) -> nx.Graph:
    """The organisations of ``entries`` joined by the cases they share.

    Nodes are organisation IRIs with ``label`` (``name`` of the IRI), ``name`` and
    ``cases``; edges have ``weight`` and ``cases`` (how many) and ``case_ids`` (which).

    Example:
        >>> from chaingraph.web.cases import CaseEntry
        >>> cases = [CaseEntry("A", organisations={"x", "y"}), CaseEntry("B", organisations={"x"})]
        >>> view = shared_cases(cases, name=str.upper)
        >>> view.nodes["x"]["cases"], view["x"]["y"]["case_ids"]
        (2, ['A'])
    """
    view = nx.Graph()
    for entry in entries:
        for org in entry.organisations:
            if org not in view:
                view.add_node(org, label=name(org), name=(full_name or name)(org), cases=0)
            view.nodes[org]["cases"] += 1
        for a, b in combinations(sorted(entry.organisations), 2):
            if not view.has_edge(a, b):
                view.add_edge(a, b, weight=0, cases=0, case_ids=[])
            edge = view[a][b]
            edge["weight"] += 1
            edge["cases"] += 1
            edge["case_ids"].append(entry.id)
    return view


__all__ = ["shared_cases"]
