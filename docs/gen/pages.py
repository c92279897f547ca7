"""The reference pages of the documentation site, as Markdown, read from the product files.

Each function takes the repository's root folder and returns one page. ``reference.py`` writes
them into the site at build time (mkdocs-gen-files); ``tests/test_docs.py`` reads them directly.
Nothing here is written into the repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

if TYPE_CHECKING:
    from chaingraph.shapes import Rule

LANGUAGES = (("en", "English"), ("nl", "Nederlands"))

# The public modules whose docstrings make the Python API page, in reading order.
API_MODULES = (
    "chaingraph",
    "chaingraph.graph",
    "chaingraph.audit",
    "chaingraph.findings",
    "chaingraph.shapes",
    "chaingraph.responsibility",
    "chaingraph.casegraph",
    "chaingraph.escalation",
    "chaingraph.cases",
    "chaingraph.queries",
    "chaingraph.backends",
    "chaingraph.storewrite",
    "chaingraph.history",
    "chaingraph.export",
    "chaingraph.pictures",
    "chaingraph.shacl2sparql",
    "chaingraph.fastaudit",
    "chaingraph.catalogue",
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def escape(text: str) -> str:
    """Return ``text`` safe inside Markdown (also inside a table cell), on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _parse(paths: Iterable[Path]) -> Graph:
    graph = Graph()
    for path in sorted(paths):
        graph.parse(path, format="turtle")
    return graph


def _texts(graph: Graph, node: URIRef, *props: URIRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for prop in props:
        for value in graph.objects(node, prop):
            if isinstance(value, Literal) and value.language and value.language not in found:
                found[value.language] = str(value)
    return found


def _curie(graph: Graph, node: object) -> str:
    if isinstance(node, BNode):
        return "(an expression, see the Turtle)"
    # A prefixed name where the file binds a prefix, the IRI in <...> otherwise.
    return graph.namespace_manager.normalizeUri(str(node))


def _anchor(curie: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", curie.lower()).strip("-")


def _bilingual_table(rows: list[tuple[str, dict[str, str]]]) -> list[str]:
    lines = ["| | " + " | ".join(name for _, name in LANGUAGES) + " |",
             "|---|" + "---|" * len(LANGUAGES)]
    for title, texts in rows:
        if texts:
            cells = " | ".join(escape(texts.get(code, "")) for code, _ in LANGUAGES)
            lines.append(f"| {title} | {cells} |")
    return lines


# --------------------------------------------------------------------------- the ontology


def ontology_page(root: Path) -> str:
    """The classes, properties and concept schemes of ``ontology/*.ttl``, in both languages."""
    graph = _parse((root / "ontology").glob("*.ttl"))
    cg = "https://w3id.org/chaingraph/ontology#"
    ours = lambda node: isinstance(node, URIRef) and str(node).startswith(cg)  # noqa: E731
    out = [
        "# The ontology",
        "",
        "Generated from `ontology/chaingraph.ttl` and `ontology/schemes.ttl` when the site is",
        f"built. Namespace `{cg}`, prefix `cg:`. Every term has a label and a definition in",
        "English and Dutch; open the files in Protégé for the full axioms.",
        "",
    ]
    kinds = (
        ("Classes", OWL.Class, RDFS.subClassOf, "subclass of"),
        ("Object properties", OWL.ObjectProperty, RDFS.subPropertyOf, "subproperty of"),
        ("Datatype properties", OWL.DatatypeProperty, RDFS.subPropertyOf, "subproperty of"),
        ("Annotation properties", OWL.AnnotationProperty, RDFS.subPropertyOf, "subproperty of"),
    )
    for title, kind, parent, parent_word in kinds:
        terms = sorted((t for t in graph.subjects(RDF.type, kind) if ours(t)), key=str)
        if not terms:
            continue
        out += [f"## {title}", ""]
        for term in terms:
            out += _term(graph, term, parent, parent_word)
    schemes = sorted((s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if ours(s)), key=str)
    if schemes:
        out += ["## Controlled vocabularies (SKOS)", ""]
    for scheme in schemes:
        out += _term(graph, scheme, None, "")
        concepts = sorted((c for c in graph.subjects(SKOS.inScheme, scheme) if ours(c)),
                          key=lambda c: (int(graph.value(c, _order(cg)) or 0), str(c)))
        out += ["| concept | notation | English | Nederlands |", "|---|---|---|---|"]
        for concept in concepts:
            labels = _texts(graph, concept, SKOS.prefLabel, RDFS.label)
            notation = graph.value(concept, SKOS.notation)
            out.append(f"| `{_curie(graph, concept)}` | {escape(notation or '')} | "
                       f"{escape(labels.get('en', ''))} | {escape(labels.get('nl', ''))} |")
        out.append("")
    return "\n".join(out) + "\n"


def _order(cg: str) -> URIRef:
    return URIRef(cg + "order")


def _term(graph: Graph, term: URIRef, parent: URIRef | None, parent_word: str) -> list[str]:
    curie = _curie(graph, term)
    out = [f"### `{curie}` {{#{_anchor(curie)}}}", ""]
    facts = []
    if parent is not None:
        parents = [_curie(graph, p) for p in graph.objects(term, parent)]
        if parents:
            facts.append(f"{parent_word} " + ", ".join(f"`{p}`" for p in sorted(parents)))
    for prop, word in ((RDFS.domain, "domain"), (RDFS.range, "range")):
        values = [_curie(graph, v) for v in graph.objects(term, prop)]
        if values:
            facts.append(f"{word} " + ", ".join(f"`{v}`" for v in sorted(values)))
    characteristics = [_curie(graph, t) for t in graph.objects(term, RDF.type)
                       if t in (OWL.FunctionalProperty, OWL.TransitiveProperty)]
    if characteristics:
        facts.append(", ".join(f"`{c}`" for c in sorted(characteristics)))
    if facts:
        out += ["; ".join(facts), ""]
    out += _bilingual_table([
        ("label", _texts(graph, term, RDFS.label, SKOS.prefLabel)),
        ("definition", _texts(graph, term, SKOS.definition, RDFS.comment)),
    ])
    return out + [""]


# --------------------------------------------------------------------------- the rules


def rules_page(root: Path) -> str:
    """Every rule of ``shapes/*.ttl`` with its measure, severity, message and what to do."""
    from chaingraph.shapes import load_shapes, rules

    monitor = _parse((root / "data" / "monitor").glob("*.ttl"))
    out = [
        "# The rules",
        "",
        "Generated from `shapes/*.ttl` when the site is built: every rule that `chaingraph audit`",
        "checks, grouped by shapes file, with the improvement measure of the monitor it enforces,",
        "its severity, the message of a finding and what to do about it, in English and Dutch.",
        "A placeholder such as `{?phase}` is filled in from the finding. How the rules are written",
        "and how to add one: [Auditors](../guide/auditors.md#the-rules).",
        "",
    ]
    summary = ["| rule | severity | measure |", "|---|---|---|"]
    sections: list[str] = []
    for path in sorted((root / "shapes").glob("*.ttl")):
        shapes = load_shapes([path])
        found = sorted(rules(shapes).values(), key=lambda r: r.name)
        if not found:
            continue
        summary += [f"| [`{r.name}`: {escape(r.labels.get('en', ''))}]"
                    f"(#{_anchor(_curie(shapes, r.shape))}) | {r.severity} | "
                    f"{escape(_measure_notation(monitor, r.measure))} |" for r in found]
        header = next(iter(shapes.subjects(RDF.type, OWL.Ontology)), None)
        title = _texts(shapes, header, RDFS.label) if header is not None else {}
        sections += [f"## {escape(title.get('en', path.stem))}", "",
                     f"`shapes/{path.name}`; Nederlands: {escape(title.get('nl', path.stem))}.", ""]
        for rule in found:
            sections += _rule(shapes, monitor, rule)
    return "\n".join(out + summary + [""] + sections) + "\n"


def _measure_notation(monitor: Graph, measure: URIRef | None) -> str:
    if measure is None:
        return ""
    notation = monitor.value(measure, SKOS.notation)
    return str(notation) if notation is not None else _curie(monitor, measure)


def _rule(shapes: Graph, monitor: Graph, rule: Rule) -> list[str]:
    name: str = rule.name
    measure = rule.measure
    if measure is not None:
        notation = monitor.value(measure, SKOS.notation)
        labels = _texts(monitor, measure, SKOS.prefLabel, RDFS.label)
        measure_text = (f"{escape(notation or _curie(monitor, measure))} "
                        f"{escape(labels.get('en', ''))} ({escape(labels.get('nl', ''))})")
    else:
        measure_text = "none"
    kind = "SPARQL constraint" if rule.sparql else "SHACL Core"
    label = escape(rule.labels.get("en", ""))
    anchor = _anchor(_curie(shapes, rule.shape))
    out = [f"### `{name}`: {label} {{#{anchor}}}", "",
           f"**{rule.severity}** · measure {measure_text} · "
           f"shape `{_curie(shapes, rule.shape)}` · {kind}", ""]
    out += _bilingual_table([
        ("rule", rule.labels),
        ("message", rule.messages),
        ("what to do", rule.actions),
    ])
    return out + [""]


# --------------------------------------------------------------------------- the queries


def query_headers(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """Return a ``.rq`` file's first-line description and its ``# param:`` lines.

    Each parameter is ``(name, description, type)``, from ``# param: name — description (type)``.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    description = lines[0].lstrip("#").strip() if lines and lines[0].startswith("#") else ""
    params = []
    for line in lines:
        match = re.match(r"#\s*param:\s*(\S+)\s*[—-]+\s*(.*?)\s*(?:\(([^()]*)\))?\s*$", line)
        if match:
            params.append((match[1], match[2], match[3] or ""))
    return description, params


def queries_page(root: Path) -> str:
    """Every named query of ``queries/*.rq``: what it answers and its parameters."""
    out = [
        "# The named queries",
        "",
        "Generated from the headers of `queries/*.rq` when the site is built. Run one with",
        "`chaingraph query NAME --param NAME=VALUE`; an unbound parameter means \"all\". Each",
        "file carries its own `PREFIX` lines, so it runs unchanged in any SPARQL tool. See",
        "[Coordinators](../guide/coordinators.md#named-queries-query).",
        "",
    ]
    for path in sorted((root / "queries").glob("*.rq")):
        description, params = query_headers(path)
        out += [f"## `{path.stem}` {{#{_anchor(path.stem)}}}", "", escape(description), ""]
        if params:
            out += ["| parameter | type | what |", "|---|---|---|"]
            out += [f"| `{name}` | {escape(kind)} | {escape(what)} |"
                    for name, what, kind in params]
        else:
            out.append("No parameters.")
        out += ["", "```sparql", path.read_text(encoding="utf-8").rstrip(), "```", ""]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- API, benchmark


def api_page(modules: Iterable[str] = API_MODULES) -> str:
    """The Python API page: mkdocstrings renders each module from its docstrings."""
    out = [
        "# Python API",
        "",
        "Generated from the docstrings of the package when the site is built. The public API",
        "is `chaingraph.__all__`; the modules below are documented for those who build on",
        "them.",
        "",
    ]
    for module in modules:
        out += [f"::: {module}", ""]
    return "\n".join(out)


def benchmark_page(root: Path) -> str:
    """The last ``make bench`` results (``benchmarks/RESULTS.md``) after the reading guide."""
    intro = (root / "docs" / "gen" / "benchmark.md").read_text(encoding="utf-8").rstrip()
    results = (root / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8").splitlines()
    # The results file's own title becomes a section of this page.
    body = [("#" + line if line.startswith("#") else line) for line in results]
    return intro + "\n\n" + "\n".join(body) + "\n"
