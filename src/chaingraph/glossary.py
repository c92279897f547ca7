"""A result's glossary: the names of the IRIs it mentions, in every language.

The typed results of ``who``, ``raci`` and ``chain`` hold IRIs and notations, never a
translated label; each carries a :class:`Glossary` of the things it names, read once
from the graph with :mod:`chaingraph.labels` in every language of the catalogue, so a
result is put into words only when it is rendered, in the language asked for then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from chaingraph.catalogue import DEFAULT, LANGUAGES
from chaingraph.labels import label, local_name, short_name

__all__ = ["Glossary"]


@dataclass
class Glossary:
    """The labels (and organisations' short names) of IRIs, per language."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    shorts: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, graph: Graph, iris: Iterable[object], *, short: bool = False) -> None:
        """Read the names of ``iris`` (None and repeats skipped); ``short`` for organisations."""
        table = self.shorts if short else self.labels
        name = short_name if short else label
        for iri in iris:
            if iri is None or str(iri) in table:
                continue
            table[str(iri)] = {lang: name(graph, URIRef(str(iri)), lang) for lang in LANGUAGES}

    def label(self, iri: str | None, lang: str = DEFAULT, missing: str = "?") -> str:
        """Return the label of ``iri`` in ``lang``; ``missing`` for None.

        Example:
            >>> g = Glossary({"https://example.org/x": {"en": "case director",
            ...                                         "nl": "casusregisseur"}})
            >>> g.label("https://example.org/x", "nl"), g.label(None)
            ('casusregisseur', '?')
        """
        if iri is None:
            return missing
        names = self.labels.get(str(iri))
        return names.get(lang, names[DEFAULT]) if names else local_name(iri)

    def short(self, iri: str | None, lang: str = DEFAULT) -> str:
        """Return an organisation's short name in ``lang``; '?' for None."""
        if iri is None:
            return "?"
        names = self.shorts.get(str(iri))
        return names.get(lang, names[DEFAULT]) if names else self.label(iri, lang)
