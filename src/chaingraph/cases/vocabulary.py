"""The names a case form uses: organisations, roles, phases, instrument and event types.

Nothing here is a hand-made list: every name comes from the ontology and the monitor data
(``data/monitor``). An organisation or role is written by the tail of its IRI (``politie``,
``casusregisseur``) or any of its labels in Dutch or English ("police", "case director");
a phase or risk level by its ``skos:notation`` (``risk``, ``high``) or a label; an
instrument or event type by its label in either language (``enkelband``, ``ankle monitor``)
or its class name; the responsibilities of an instrument by their label (``decides``,
``besluit``). Names are compared without case, accents, spaces, hyphens or underscores.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from chaingraph.labels import label, local_name
from chaingraph.namespace import CG

__all__ = ["Kind", "Vocabulary", "normal", "slug", "vocabulary"]


def normal(name: str) -> str:
    """The form of a name that is compared: no case, accents, spaces, hyphens or underscores.

    Example:
        >>> normal("Geïnformeerd"), normal("ankle-monitor") == normal("Ankle monitor")
        ('geinformeerd', True)
    """
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_\-()/.]+", "", plain)


def slug(text: str, sep: str = "-") -> str:
    """A label as a name: lower case, words joined by ``sep`` (``ankle-monitor``).

    Example:
        >>> slug("locatie- of gebiedsverbod"), slug("carries out", "_")
        ('locatie-of-gebiedsverbod', 'carries_out')
    """
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return sep.join(w for w in re.split(r"[^a-z0-9+&]+", plain) if w)


@dataclass
class Kind:
    """One kind of name (organisation, role ...): what each name means, and its name to write."""

    name: str
    by_name: dict[str, URIRef] = field(default_factory=dict)
    written: dict[str, dict[URIRef, str]] = field(default_factory=dict)
    order: dict[URIRef, int] = field(default_factory=dict)

    def add(self, node: URIRef, names: list[str], written: dict[str, str]) -> None:
        for lang, text in written.items():
            self.written.setdefault(lang, {})[node] = text
        for name in [*written.values(), *names]:
            self.by_name.setdefault(normal(name), node)

    def find(self, name: str) -> URIRef | None:
        """The node ``name`` stands for, or None."""
        return self.by_name.get(normal(name))

    def write(self, node: URIRef, lang: str) -> str:
        """The name the form writes for ``node`` in ``lang``."""
        return self.written.get(lang, {}).get(node) or self.written["en"].get(node) \
            or local_name(node)

    def allowed(self, lang: str) -> list[str]:
        """The names to offer in ``lang``: in the scheme's order (phases), else alphabetical."""
        names = self.written.get(lang, self.written.get("en", {}))
        return sorted(set(names.values()),
                      key=lambda n: (min(self.order.get(k, 99) for k, v in names.items()
                                         if v == n), n))


@dataclass
class Vocabulary:
    """Every kind of name a form uses, read from one graph (the ontology and the monitor)."""

    organisation: Kind
    role: Kind
    phase: Kind
    risk: Kind
    instrument: Kind
    event: Kind
    responsibility: Kind
    agreement: Kind
    role_organisation: dict[URIRef, URIRef]

    def kind(self, name: str) -> Kind:
        """The kind called ``name`` (``organisation``, ``role`` ...)."""
        found = getattr(self, name)
        assert isinstance(found, Kind)
        return found


def _labels(graph: Graph, node: URIRef) -> list[str]:
    return [str(v) for p in (SKOS.prefLabel, RDFS.label, SKOS.altLabel, SKOS.notation)
            for v in graph.objects(node, p) if isinstance(v, Literal)]


def _tail(node: URIRef) -> str:
    return local_name(node).split("-", 1)[-1]


def _leaves(graph: Graph, top: URIRef) -> list[URIRef]:
    """The classes below ``top`` that have no subclasses of their own."""
    below = {c for c in graph.transitive_subjects(RDFS.subClassOf, top)
             if isinstance(c, URIRef) and c != top}
    return sorted(c for c in below
                  if not any(s in below for s in graph.subjects(RDFS.subClassOf, c)))


def build(graph: Graph) -> Vocabulary:
    """Read every name a form may use from ``graph`` (the ontology and monitor data)."""
    langs = ("en", "nl")

    def individuals(cls: URIRef, kind: Kind, written: Callable[[URIRef, str], str]) -> Kind:
        for node in sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)):
            kind.add(node, [local_name(node), *_labels(graph, node)],
                     {lang: written(node, lang) for lang in langs})
            order = graph.value(node, CG.order)
            if isinstance(order, Literal):
                kind.order[node] = int(order)
        return kind

    def notation(node: URIRef, lang: str) -> str:
        return str(graph.value(node, SKOS.notation) or local_name(node))

    organisation = individuals(CG.Organisation, Kind("organisation"), lambda n, lang: _tail(n))
    role = individuals(CG.Role, Kind("role"), lambda n, lang: _tail(n))
    agreement = individuals(CG.EscalationAgreement, Kind("agreement"), lambda n, lang: _tail(n))
    phase = individuals(CG.Phase, Kind("phase"), notation)
    risk = individuals(CG.RiskLevel, Kind("risk"), notation)
    responsibility = Kind("responsibility")
    for node in sorted(s for s in graph.subjects(RDF.type, CG.ResponsibilityKind)
                       if isinstance(s, URIRef) and s not in (CG.Owns, CG.ContactPoint)):
        responsibility.add(node, [local_name(node)],
                           {lang: slug(label(graph, node, lang), "_") for lang in langs})
    instrument, event = Kind("instrument"), Kind("event")
    for kind, top in ((instrument, CG.Instrument), (event, CG.Event)):
        for cls in _leaves(graph, top):
            kind.add(cls, [local_name(cls), *_labels(graph, cls)],
                     {lang: slug(label(graph, cls, lang)) for lang in langs})
    held = {r: o for r, o in graph.subject_objects(CG.heldAt)
            if isinstance(r, URIRef) and isinstance(o, URIRef)}
    return Vocabulary(organisation, role, phase, risk, instrument, event, responsibility,
                      agreement, held)


@functools.cache
def vocabulary() -> Vocabulary:
    """The names of the bundled ontology and monitor data (read once)."""
    return build(base_graph())


@functools.cache
def base_graph() -> Graph:
    """The bundled ontology and monitor data, read once (the vocabulary cases refer to)."""
    from chaingraph.graph import load, monitor_files, ontology_files

    return load(ontology_files() + monitor_files(), base=False)
