"""Output language: labels and messages in English (the default) or Dutch."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

LANGUAGES = ("en", "nl")
DEFAULT = "en"

_LABELS = (SKOS.prefLabel, RDFS.label)


def label(graph: Graph, node: URIRef, lang: str = DEFAULT) -> str:
    """Return the label of ``node`` in ``lang``, falling back to the other language, then its IRI's tail.

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


def local_name(node: URIRef | str) -> str:
    """Return the part of an IRI after its last '#' or '/'."""
    text = str(node)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def text(graph: Graph, node: URIRef, prop: URIRef, lang: str = DEFAULT) -> str | None:
    """Return the value of a language-tagged property in ``lang`` (or the other language)."""
    values = {v.language: str(v) for v in graph.objects(node, prop) if isinstance(v, Literal)}
    for choice in (lang, DEFAULT, *LANGUAGES, None):
        if choice in values:
            return values[choice]
    return None


def pick(messages: Mapping[str, str], lang: str = DEFAULT) -> str:
    """Return the message for ``lang`` from a ``{"en": ..., "nl": ...}`` mapping."""
    return messages.get(lang) or messages[DEFAULT]
