"""Labels: what a node of the graph is called, in English (the default) or Dutch.

The words of the program itself (headings, messages) are in :mod:`chaingraph.catalogue`;
the names of the things in the graph come from the graph, here: :func:`label` for any
node, :func:`short_name` for an organisation (the one rule for ``who``, ``raci``, ``chain``
and the exports), :func:`value` for any other language-tagged property.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from chaingraph.catalogue import DEFAULT, LANGUAGES

__all__ = ["DEFAULT", "LANGUAGES", "label", "local_name", "short_name", "value"]

_LABELS = (SKOS.prefLabel, RDFS.label)


def label(graph: Graph, node: Node, lang: str = DEFAULT) -> str:
    """Return the label of ``node`` in ``lang``, else in the other language, else its IRI's tail.

    Example:
        >>> from chaingraph import load
        >>> from chaingraph.namespace import CG
        >>> g = load(base=True, paths=[])
        >>> label(g, CG.PhaseCaseDirection, "nl")
        'zaaksverantwoordelijkheid en regie'
    """
    found: dict[str, str] = {}
    for prop in _LABELS:
        for value in graph.objects(node, prop):
            if isinstance(value, Literal) and value.language and value.language not in found:
                found[value.language] = str(value)
    for choice in (lang, DEFAULT, *LANGUAGES):
        if choice in found:
            return found[choice]
    return local_name(node)


def short_name(graph: Graph, node: Node, lang: str = DEFAULT) -> str:
    """Return the name people use for an organisation: its abbreviation, else its label.

    The abbreviation is an untagged ``skos:altLabel`` ("VTRR", "OM"; the shortest if there
    are several); without one, the shortest ``skos:altLabel`` in ``lang`` ("politie",
    "police"); without that, :func:`label`.

    Example:
        >>> from chaingraph import load
        >>> from chaingraph.namespace import MON
        >>> g = load()
        >>> short_name(g, MON["org-politie"], "nl"), short_name(g, MON["org-om"])
        ('politie', 'OM')
    """
    alts = [v for v in graph.objects(node, SKOS.altLabel) if isinstance(v, Literal)]
    for wanted in (None, lang):
        names = sorted((str(v) for v in alts if v.language == wanted), key=lambda n: (len(n), n))
        if names:
            return names[0]
    return label(graph, node, lang)


def value(graph: Graph, node: Node, prop: URIRef, lang: str = DEFAULT) -> str | None:
    """Return a language-tagged property's value in ``lang``, else another language or untagged."""
    values = {v.language: str(v) for v in graph.objects(node, prop) if isinstance(v, Literal)}
    for choice in (lang, DEFAULT, *LANGUAGES, None):
        if choice in values:
            return values[choice]
    return None


def local_name(node: Node | str) -> str:
    """Return the part of an IRI after its last '#' or '/'.

    Example:
        >>> local_name("https://w3id.org/chaingraph/ontology#PhaseOther")
        'PhaseOther'
    """
    text = str(node)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
