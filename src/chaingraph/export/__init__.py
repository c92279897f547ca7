"""``chaingraph export``: collaboration graphs and case timelines for learning sessions.

``chaingraph export WHAT [--case ID] --format FORMAT [--output FILE]``, WHAT one of
collaboration, case, timeline, chain. Without personal data: persons appear only as
their role. The heavy modules (views, formats, ArchiMate, HTML) load only when a
command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph

WHATS = ("collaboration", "case", "timeline", "chain")
FORMAT_NAMES = ("graphml", "gexf", "dot", "svg", "png", "node-link", "cytoscape", "mermaid", "csv",
                "turtle", "jsonld", "archimate", "archimate-csv", "html")


def index_note(graph: Graph, *, store: str | None = None, lang: str = "en") -> str | None:
    """Say where the collaboration graph of a store gets its case memberships; None for files.

    ``store`` is the store's directory as the user named it (for the ``--reindex`` hint).

    Example:
        >>> from chaingraph import load
        >>> index_note(load()) is None  # rdflib in memory: no index to speak of
        True
    """
    from chaingraph import memberships
    from chaingraph.backends import native_store
    from chaingraph.catalogue import text

    native = native_store(graph)
    if native is None:
        return None
    usable, when = memberships.state(native)
    if usable == "none" and not store:  # files loaded for this command: never indexed
        return None
    return text(f"export.index.{usable}", lang, when=when, store=store or "DIR")
