"""SPARQL-based constraints: ``sh:sparql`` with ``sh:select``, taken as written.

SHACL 5 (SPARQL-based constraints): a ``SELECT`` query whose solutions are violations, with
``$this`` pre-bound to each focus node (:mod:`chaingraph.shacl2sparql.prebinding`),
``$PATH`` the path of a property shape, a projected ``?value`` as the value node and
``?path`` as the result path; its prefixes come from ``sh:prefixes`` (5.2.1, with
``owl:imports``). A query that does not parse as written is ill-formed; one that parses as
written but not as rewritten is refused. ``$shapesGraph`` and ``$currentShape`` are refused.
"""

from __future__ import annotations

import re

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from chaingraph.shacl2sparql.prebinding import (
    check_prebound,
    distribute_union,
    matching_brace,
    prebind,
    projection_items,
    substitute,
    unbound_aggregate,
    union_form,
    unsettled_scope,
)
from chaingraph.shacl2sparql.refusal import Construct, IllFormedShape, UnsupportedShape, short
from chaingraph.shacl2sparql.shapes import Check
from chaingraph.shacl2sparql.targets import focus
from chaingraph.shacl2sparql.terms import EVERYTHING
from chaingraph.shacl2sparql.value_type import without_subclasses
from chaingraph.sparql_tokens import code, tokens

PREFIX_DECL = re.compile(r"(?is)^\s*((?:(?:PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*)")


def _prefixes(graph: Graph, node: Node, shape: Node) -> list[str]:
    """The PREFIX lines of a SPARQL constraint or validator: the ``sh:declare`` of its
    ``sh:prefixes`` and of every node these reach through ``owl:imports``."""
    declared: dict[str, str] = {}
    lines: list[str] = []
    for start in graph.objects(node, SH.prefixes):
        sources, seen = [start], {start}
        while sources:
            source = sources.pop(0)
            for decl in graph.objects(source, SH.declare):
                prefix, namespace = graph.value(decl, SH.prefix), graph.value(decl, SH.namespace)
                if prefix is None or namespace is None:
                    raise IllFormedShape(shape, "declare_incomplete")
                if declared.setdefault(str(prefix), str(namespace)) != str(namespace):
                    raise IllFormedShape(shape, "prefix_twice", prefix=prefix)
                line = f"PREFIX {prefix}: <{namespace}>"
                if line not in lines:
                    lines.append(line)
            for imported in graph.objects(source, OWL.imports):
                if imported not in seen:
                    seen.add(imported)
                    sources.append(imported)
    return lines


def parse_check(query: str, written: str, shape: Node) -> None:
    """Refuse a SPARQL query that does not parse: ill-formed when the query as ``written`` in
    the shapes (with its prefixes) does not, unsupported when only the compiled one does not.
    Subclass marks are filled with the class itself."""
    import pyoxigraph

    def reason(text: str) -> str | None:
        try:
            pyoxigraph.Store().query(without_subclasses(text))
        except SyntaxError as error:
            return (str(error).splitlines() or ["a syntax error"])[0]
        return None

    found = reason(written)
    if found is not None:
        raise IllFormedShape(shape, "query_does_not_parse", error=found)
    found = reason(query)
    if found is not None:
        raise UnsupportedShape(shape, "query_not_rewritten", error=found)


def compile_sparql(graph: Graph, shape: Node, constraint: Node, target: str, severity: URIRef,
                   message: str | None, path: str | None = None) -> Check:
    """An ``sh:sparql`` constraint of ``shape`` (a property shape when ``path`` is given)."""
    select = graph.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShape(shape, "sparql_without_select")
    message_text = graph.value(constraint, SH.message)
    return select_check(graph, shape, constraint, str(select), target, path, {},
                        SH.SPARQLConstraintComponent, severity,
                        str(message_text) if message_text is not None else message)


def written(graph: Graph, source: Node, shape: Node, text: str, path: str | None,
            parameters: dict[str, str], kind: str) -> tuple[list[str], str]:
    """The prefixes of a SHACL-SPARQL query and its ``text`` with ``$PATH``, the parameters and
    ``$this`` filled in; ``kind`` (``sh:select``, ``sh:ask``) names it in a refusal."""
    prefixes = _prefixes(graph, source, shape)
    if re.search(r"\$(shapesGraph|currentShape)\b", code(text)):
        raise UnsupportedShape(shape, "shapes_graph_variable", kind=kind)
    if re.search(r"\$PATH\b", code(text)):
        if path is None:
            raise IllFormedShape(shape, "path_in_node_shape")
        parameters = {**parameters, "PATH": path}
    return prefixes, substitute(text, parameters).replace("$this", "?this")


def split_prologue(text: str) -> tuple[str, str]:
    """A query's own ``PREFIX`` and ``BASE`` lines, and the rest of it."""
    head = PREFIX_DECL.match(text)
    return (head.group(1), text[head.end():]) if head else ("", text)


# The aggregates whose result depends on how often a row comes (MIN, MAX and SAMPLE do not).
_COUNTING = re.compile(r"(?i)\b(COUNT|SUM|AVG|GROUP_CONCAT)\s*\(")


def select_check(graph: Graph, shape: Node, source: Node, text: str, target: str,
                 path: str | None, parameters: dict[str, str], component: URIRef,
                 severity: URIRef, message: str | None) -> Check:
    """A SELECT query of SHACL-SPARQL (``sh:select`` of a constraint or a validator) as a check.

    ``$this`` is pre-bound to each focus node (:func:`prebind`), ``$PATH`` is the property
    path of a property shape and the ``parameters`` are replaced by their values. The rows
    are ``?this``, then ``?value`` when it is projected, and a projected ``?path`` is the
    result path.
    """
    prefixes, filled = written(graph, source, shape, text, path, parameters, "sh:select")
    declared_text, body = split_prologue(filled)
    # Project ?this (the focus), and join the target at the start of the WHERE group:
    # with ?this bound there, this is SHACL-SPARQL's pre-binding of $this.
    match = re.match(r"(?is)\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\s*\{", body)
    if not match:
        raise UnsupportedShape(shape, "query_form", key="sh:select",
                               form="SELECT ... WHERE {")
    projection = match.group(2).strip()
    if projection == "*":
        raise UnsupportedShape(shape, "select_star")
    if "?this" not in dict(projection_items(projection)):
        projection = "?this " + projection
    items = projection_items(projection)
    has_value = "?value" in dict(items)
    if has_value and "(" not in projection:
        # validate() reads the focus from column 0 and sh:value from column 1.
        names = re.findall(r"\?\w+", projection)
        rest = [n for n in names if n not in ("?this", "?value")]
        projection = " ".join(["?this", "?value", *rest])
    elif [name for name, _ in items[:2]] != ["?this", "?value"][:1 + has_value]:
        first = [item for name in ("?this", "?value") for item in items if item[0] == name]
        projection = " ".join(item for _, item in first + [i for i in items if i not in first])
    columns = [name for name, _ in projection_items(projection)]
    try:
        close = matching_brace(body, match.end() - 1)
    except ValueError:
        raise IllFormedShape(shape, "unbalanced_braces", key="sh:select") from None
    inner = body[match.end():close]
    tail = body[close + 1:]
    if {"LIMIT", "OFFSET"} & {t.upper() for _, kind, t in tokens(tail) if kind == "word"}:
        raise UnsupportedShape(shape, "select_limit")
    check_prebound(f"{match.group(2)} {{ {inner} }} {tail}", shape, ["this"])
    each = focus(target)
    if _COUNTING.search(body) and not target.startswith("SELECT DISTINCT"):
        # a focus node the target gives twice (two classes, two triples) would be counted
        # twice: each focus node once, as SHACL pre-binds $this once per focus node
        each = f"{{ SELECT DISTINCT ?this WHERE {{ {each} }} }}"
    unsettled = unsettled_scope(inner, shape)
    if unsettled is None and unbound_aggregate(f"{match.group(2)} {tail}", inner):
        unsettled = Construct("aggregate_unbound")
    if unsettled is not None:
        raise UnsupportedShape(shape, "engines_differ", what=unsettled)
    form = union_form(inner)
    if form == "refused":
        raise UnsupportedShape(shape, "engines_differ", what=Construct("union_outer"))
    inner = prebind(inner, each, shape, ["this"], distributed=form == "distributed")
    # (the target may end in a comment, ##ISA ...##: a line of its own)
    group = distribute_union(inner, lead=each) if form == "distributed" else f"{each}\n{inner}"
    rewritten = (f"SELECT {match.group(1) or ''}{projection} WHERE {{ {group} }}" + tail)
    query = "\n".join(prefixes) + "\n" + declared_text + rewritten
    parse_check(query, "\n".join(prefixes) + "\n" + text, shape)
    return Check(shape, component, severity, query, path, message, has_value,
                 focus_value=path is None,
                 path_column=columns.index("?path") if "?path" in columns else None,
                 reads=EVERYTHING,
                 construct="sh:sparql" if component == SH.SPARQLConstraintComponent
                 else short(component))
