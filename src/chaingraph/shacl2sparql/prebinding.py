"""Pre-binding ``$this``: a SHACL-SPARQL query rewritten so that one query serves every focus
node.

SHACL Appendix A (Pre-binding of variables in SPARQL queries): a SPARQL-based constraint
is evaluated with ``$this`` replaced by each focus node, and a query that cannot be read
that way (``MINUS``, ``SERVICE``, ``VALUES``, ``AS $this``, a subquery that does not
return ``$this``) is ill-formed. The compiled query instead joins the focus pattern where
the substitution would have ``$this`` bound (:func:`prebind`), and gives each branch of a
top-level ``UNION`` the patterns around it (:func:`distribute_union`). Only the code of a
query is read: strings, IRIs and comments never count as syntax
(:mod:`chaingraph.sparql_tokens`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rdflib.term import Node

from chaingraph.shacl2sparql.refusal import Construct, IllFormedShape, UnsupportedShape
from chaingraph.sparql_tokens import code as _code
from chaingraph.sparql_tokens import tokens as _lex


@dataclass
class Block:
    """A ``{ ... }`` of a SPARQL query, with what it holds.

    ``kind``: "group", "optional", "union" (a branch), "exists", "graph", "subquery" (a
    ``{ SELECT ... }``), "where" (a subquery's pattern), "minus", "service", "values".
    ``uses``: how ``?this`` appears directly in it: "triple", "filter", "bind", "other".
    """

    kind: str
    start: int
    end: int = -1
    blocks: list[Block] = field(default_factory=list)
    uses: list[str] = field(default_factory=list)
    projection: list[str] = field(default_factory=list)
    modifiers: list[str] = field(default_factory=list)

    def mentions(self) -> bool:
        """Whether ``?this`` appears anywhere in the block."""
        return bool(self.uses) or "?this" in self.projection \
            or any(b.mentions() for b in self.blocks)


_OPENERS = {"OPTIONAL": "optional", "EXISTS": "exists", "MINUS": "minus", "SERVICE": "service",
            "VALUES": "values", "WHERE": "where", "UNION": "union", "GRAPH": "graph"}


def _blocks(tokens: list[tuple[int, str, str]], i: int, kind: str) -> tuple[Block, int]:
    """Read the block whose ``{`` is ``tokens[i]``; return it and the index after its ``}``."""
    block = Block(kind, tokens[i][0])
    i += 1
    if i < len(tokens) and tokens[i][2].upper() == "SELECT":
        block.kind = "subquery"
        i += 1
        while i < len(tokens) and tokens[i][2] != "{" and tokens[i][2].upper() != "WHERE":
            if tokens[i][1] == "var":
                block.projection.append("?" + tokens[i][2][1:])
            i += 1
    words: list[str] = []
    parens: list[str] = []
    after_where = False
    while i < len(tokens):
        _, kind_, text = tokens[i]
        upper = text.upper()
        if text == "}":
            block.end = tokens[i][0]
            return block, i + 1
        if text == "{":
            opener = words[-1] if words else ""
            inner = "exists" if parens else _OPENERS.get(opener, "group")
            if len(words) > 1 and words[-2] in ("GRAPH", "SERVICE"):
                inner = "graph" if words[-2] == "GRAPH" else "service"
            child, i = _blocks(tokens, i, inner)
            if i < len(tokens) and tokens[i][2].upper() == "UNION" and child.kind == "group":
                child.kind = "union"
            block.blocks.append(child)
            if block.kind == "subquery":
                after_where = True
            words = []
            continue
        if text == "(":
            if parens:
                parens.append(parens[-1])
            else:
                parens.append("bind" if words[-1:] == ["BIND"]
                              else "filter" if "FILTER" in words[-2:] else "other")
        elif text == ")":
            if parens:
                parens.pop()
        elif kind_ == "var":
            if text[1:] == "this":
                block.uses.append(parens[0] if parens else "triple")
            words.append("?")
        elif kind_ == "word":
            words.append(upper)
            if after_where:
                block.modifiers.append(upper)
        elif text in ".;,":
            words = []
        i += 1
    raise ValueError("unbalanced braces in sh:select")


def top_block(body: str, shape: Node) -> Block:
    """The blocks of a WHERE group's body."""
    try:
        return _blocks(_lex("{" + body + "}"), 0, "top")[0]
    except (ValueError, IndexError):
        raise UnsupportedShape(shape, "query_groups") from None


def check_prebound(text: str, shape: Node, bound: Sequence[str]) -> None:
    """Refuse what SHACL-SPARQL forbids in a query with pre-bound variables (``bound``):
    MINUS, SERVICE, VALUES, ``AS`` a pre-bound variable, a subquery that does not return them."""
    for _position, kind, word in _lex(text):
        if kind == "word" and word.upper() in ("MINUS", "SERVICE", "VALUES"):
            raise IllFormedShape(shape, "keyword_prebound", keyword=word.upper())
    for name in bound:
        if re.search(rf"(?i)\bAS\s+[?$]{name}\b", _code(text)):
            raise IllFormedShape(shape, "as_prebound", name=name)


def unsettled_scope(body: str, shape: Node) -> Construct | None:
    """What in a WHERE body pySHACL may read otherwise than SPARQL does, named (None: nothing):
    a ``BIND`` inside ``EXISTS``, or a nested group (``{ ... }`` on its own, not a UNION
    branch, OPTIONAL or EXISTS) whose EXISTS reads a variable bound outside the group and not
    by its own triples. rdflib evaluates these with or without the outer bindings depending
    on its plan (a differential run on random shapes found the compiled report and pySHACL's
    differing on about 1 % of them, all of these kinds); the compiler follows SPARQL, so such
    a shape is refused rather than given an answer the reference may not give.
    :func:`union_form` does the same for UNION branches.

    rdflib also evaluates a group or a subquery (SPARQL 1.1 section 18.2.1: on its own, then
    joined) with the bindings found before it, and keeps those where the group assigns the
    same variable: a nested group's ``BIND`` to a variable bound outside it, and a subquery
    that shares a variable with the patterns around it other than one it returns and binds
    by a triple of its own (:func:`_joined`), are refused. It gives an aggregate over no rows
    one row binding nothing, which SPARQL does not with GROUP BY (section 18.5, Group): a
    subquery with GROUP BY and no HAVING, nor a FILTER comparing its aggregate (either drops
    that row, :func:`_drops_unbound`), is refused. Last, what rdflib cannot evaluate at all
    (:func:`_unreadable`).

    Example:
        >>> unsettled_scope("?this :p ?x . { ?this :q ?v FILTER EXISTS { ?v :r ?x } }", "S").text()
        'an EXISTS in a nested group that reads a variable bound outside the group'
        >>> unsettled_scope("?this :p ?x . FILTER NOT EXISTS { ?x :q ?v }", "S") is None
        True
        >>> unsettled_scope("?t :p ?v . { BIND (?this AS ?t) }", "S").text()
        'a BIND in a nested group to a variable bound outside the group'
        >>> unsettled_scope("?this :p ?x . { SELECT ?this WHERE { ?this :q ?x } }", "S").text()
        'a subquery that shares a variable other than $this with the patterns around it'
    """
    exists: list[bool] = []
    word = ""
    for _, kind, text in _lex(body):
        if text == "{":
            exists.append(word == "EXISTS" or bool(exists and exists[-1]))
        elif text == "}" and exists:
            exists.pop()
        elif kind == "word":
            word = text.upper()
            if word == "BIND" and exists and exists[-1]:
                return Construct("bind_in_exists")

    def groups(block: Block) -> Iterator[Block]:
        for child in block.blocks:
            if child.kind == "group":
                yield child
            yield from groups(child)

    code = _code(body)
    top = top_block(body, shape)
    for group in groups(top):
        start, end = group.start - 1, group.end - 1  # top_block reads "{" + body + "}"
        outside = code[:start] + " " * (end + 1 - start) + code[end + 1:]
        bound_outside = {t[1:] for _, kind, t in _lex(outside) if kind == "var"} - {"this"}
        _, in_exists, _, _, assigned = _branch_vars(body[start + 1:end])
        if in_exists & bound_outside:
            return Construct("exists_outer")
        if assigned & bound_outside:
            return Construct("bind_group_outer")
    for parent, sub in _subqueries(top):
        start, end = sub.start - 1, sub.end - 1
        outside = code[:start] + " " * (end + 1 - start) + code[end + 1:]
        inside = {t[1:] for _, kind, t in _lex(body[start:end + 1]) if kind == "var"}
        if (inside - {"this"}) & _binding_vars(outside, start) - _joined(body, sub):
            return Construct("subquery_shares")
        if _aggregates_unbound(body, sub):
            return Construct("subquery_aggregate_unbound")
        if "GROUP" in sub.modifiers and "HAVING" not in sub.modifiers \
                and not _drops_unbound(body[parent.start:parent.end - 1], _returned(body, sub)):
            return Construct("subquery_group_no_having")
    return _unreadable(body)


def _subqueries(block: Block) -> Iterator[tuple[Block, Block]]:
    """The subqueries of a block, at any depth (inside EXISTS too), each with the block that
    holds it."""
    for child in block.blocks:
        if child.kind == "subquery":
            yield block, child
        yield from _subqueries(child)


def _returned(body: str, subquery: Block) -> list[tuple[str, str]]:
    """What a subquery returns, as :func:`projection_items` gives it."""
    where = next((b for b in subquery.blocks if b.kind == "where"), None)
    head = body[subquery.start:where.start - 1 if where else subquery.end - 1]
    head = re.sub(r"(?is)^\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?|\bWHERE\s*$", "", head)
    return projection_items(head)


_COMPARISON = re.compile(r"(?s)\s*([^()&|!<>=]+?)\s*(?:<=|>=|!=|<|>|=)\s*([^()&|!<>=]+?)\s*")


def _drops_unbound(group: str, returned: list[tuple[str, str]]) -> bool:
    """Whether a FILTER of ``group`` (its own, not of a group inside it) is one comparison
    with a variable the subquery returns ``AS`` (an aggregate's): it drops the row rdflib
    gives an empty group, where none of those is bound (an error, SPARQL 1.1 section
    17.3), as SPARQL has no row there."""
    computed = {name for name, text in returned if name != text}
    code = _code(group)
    found = _lex(group)
    braces = 0
    for i, (_, _, text) in enumerate(found[:-1]):
        braces += {"{": 1, "}": -1}.get(text, 0)
        if braces == 0 and text.upper() == "FILTER" and found[i + 1][2] == "(":
            opened = found[i + 1][0]
            try:
                close = _closing(code, opened)
            except ValueError:
                return False
            match = _COMPARISON.fullmatch(code[opened + 1:close])
            if match and {match.group(1).replace("$", "?"), match.group(2)} & computed:
                return True
    return False


def _closing(code: str, opened: int) -> int:
    """The position of the parenthesis closing the one at ``opened`` (in code: no strings)."""
    depth = 0
    for position in range(opened, len(code)):
        depth += {"(": 1, ")": -1}.get(code[position], 0)
        if depth == 0:
            return position
    raise ValueError("unbalanced parentheses")


def _joined(body: str, subquery: Block) -> set[str]:
    """The variables of a subquery that rdflib may bind before evaluating it, as it does,
    and still give SPARQL's join: those it returns as they are (not ``AS`` them) and binds by
    a triple of its WHERE group's own (so every row of it binds them: one bound before only
    keeps the rows that agree, which the join keeps too)."""
    returned = {name[1:] for name, text in _returned(body, subquery) if name == text}
    return returned & _triple_vars(body, subquery)


def _triple_vars(body: str, subquery: Block) -> set[str]:
    """The variables the triples of a subquery's WHERE group (its own) bind."""
    where = next((b for b in subquery.blocks if b.kind == "where"), None)
    if where is None:
        return set()
    triples: set[str] = set()
    braces = parens = 0
    for _, kind, text in _lex(body[where.start:where.end - 1]):
        if text in "{}":
            braces += 1 if text == "{" else -1
        elif text in "()":
            parens += 1 if text == "(" else -1
        elif kind == "var" and braces == parens == 0:
            triples.add(text[1:])
    return triples


def _aggregates_unbound(body: str, subquery: Block) -> bool:
    """:func:`unbound_aggregate` for a subquery: its aggregates (in what it returns or in its
    GROUP BY, HAVING and ORDER BY) against its own WHERE group."""
    where = next((b for b in subquery.blocks if b.kind == "where"), None)
    if where is None:
        return False
    head = body[subquery.start:where.start - 1] + " " + body[where.end:subquery.end - 1]
    return unbound_aggregate(head, body[where.start:where.end - 1])


def unbound_aggregate(head: str, body: str) -> bool:
    """Whether a SUM, AVG, MIN, MAX or GROUP_CONCAT in ``head`` (what a query returns, its
    GROUP BY, HAVING and ORDER BY) reads a variable that a solution of its WHERE group
    ``body`` may leave unbound (:func:`always_bound`): rdflib leaves such rows out of the
    aggregate, SPARQL makes the aggregate an error (section 18.5.1), which Oxigraph returns
    unbound; either may be the report, so such a query is refused.

    Example:
        >>> unbound_aggregate("$this (MIN(?x) AS ?m)", "$this :p ?y OPTIONAL { $this :q ?x }")
        True
        >>> unbound_aggregate("(MIN(?x) AS ?m)", "$this :p ?y . BIND (COALESCE(?y + 1, ?y) AS ?x)")
        False
    """
    found = _lex(head)
    read: set[str] = set()
    for at, (_, kind, text) in enumerate(found):
        if kind == "word" and text.upper() in _SKIPPING and at + 1 < len(found) and (
                found[at + 1][2] == "("):
            depth = 0
            for _, inner_kind, inner in found[at + 1:]:
                depth += {"(": 1, ")": -1}.get(inner, 0)
                if inner_kind == "var":
                    read.add(inner[1:])
                if depth == 0:
                    break
    return bool(read - always_bound(body) - {"this"})


_SKIPPING = {"SUM", "AVG", "MIN", "MAX", "GROUP_CONCAT"}  # (COUNT and SAMPLE agree)


def always_bound(body: str) -> set[str]:
    """The variables every solution of the WHERE group ``body`` binds (a sufficient test: what
    it cannot tell counts as maybe unbound). Those of its own triples; those a ``BIND`` of
    its own gives a constant, a variable bound before it, or a ``COALESCE`` whose last
    argument is one of these (COALESCE gives its first argument that is no error); and, when
    the group is a chain ``{...} UNION {...}``, those that every branch binds.

    Example:
        >>> sorted(always_bound("{ ?s :p ?a . BIND (ex:c AS ?k) } UNION { ?s :q ?k }"))
        ['k', 's']
    """
    found = _lex(body)
    bound: set[str] = set()
    braces = parens = 0
    at = 0
    while at < len(found):
        _, kind, text = found[at]
        if text in "{}" and kind == "punct":
            braces += 1 if text == "{" else -1
        elif text in "()" and kind == "punct":
            parens += 1 if text == "(" else -1
        elif kind == "var" and braces == parens == 0:
            bound.add(text[1:])
        elif kind == "word" and text.upper() == "BIND" and braces == parens == 0:
            end = at + 1
            depth = 0
            while end < len(found):
                depth += {"(": 1, ")": -1}.get(found[end][2], 0)
                if depth == 0:
                    break
                end += 1
            inside = found[at + 2:end]  # between BIND's parentheses
            words = [t.upper() if k == "word" else t for _, k, t in inside]
            if len(inside) >= 2 and words[-2] == "AS" and inside[-1][1] == "var" and _total(
                    inside[:-2], bound):
                bound.add(inside[-1][2][1:])
            at = end  # the variables of the BIND's expression and AS bind nothing more
        at += 1
    chain = _union_chain(body)
    if chain:
        bound |= set.intersection(*(always_bound(body[a + 1:b]) for a, b in chain))
    return bound


def _total(expression: list[tuple[int, str, str]], bound: set[str]) -> bool:
    """Whether an expression (its tokens) has a value whenever the variables ``bound`` have:
    a constant (an IRI or a string, which the tokens leave out, or a prefixed name), one of
    those variables, or a COALESCE whose last argument is one of these."""
    texts = [text for _, _, text in expression]
    if not texts:
        return True
    if len(texts) == 1:
        kind = expression[0][1]
        return kind == "word" and ":" in texts[0] or kind == "var" and texts[0][1:] in bound
    if texts[0].upper() == "COALESCE" and texts[1] == "(" and texts[-1] == ")":
        depth, last = 0, 2
        for index in range(2, len(texts) - 1):
            depth += {"(": 1, ")": -1}.get(texts[index], 0)
            if texts[index] == "," and depth == 0:
                last = index + 1
        return _total(expression[last:-1], bound)
    return False


def _binding_vars(outside: str, at: int) -> set[str]:
    """The variables (but ``?this``) that the patterns of ``outside`` can bind for what is at
    position ``at``: all but those only read by a FILTER, by a BIND's expression or inside an
    EXISTS that does not hold ``at`` (which rdflib evaluates after the join, as SPARQL
    does)."""
    bound: set[str] = set()
    parens: list[bool] = []  # for each open parenthesis: whether it is an expression's
    exists: list[bool] = []  # for each open brace: whether it is (inside) an EXISTS
    words = ["", ""]
    code = _code(outside)
    for position, kind, text in _lex(outside):
        if text == "(":
            parens.append(bool(parens and parens[-1]) or words[-1] in ("FILTER", "BIND")
                          or words[-2] == "FILTER")
        elif text == ")":
            if parens:
                parens.pop()
        elif text == "{":
            holds = position < at < matching_brace(code, position)
            exists.append(words[-1] == "EXISTS" and not holds or bool(exists and exists[-1]))
        elif text == "}":
            if exists:
                exists.pop()
        elif kind == "var" and not (exists and exists[-1]) and (
                not (parens and parens[-1]) or words[-1] == "AS"):
            bound.add(text[1:])
        words = [words[-1], text.upper() if kind == "word" else text]
    return bound - {"this"}


def _unreadable(body: str) -> Construct | None:
    """What pySHACL cannot evaluate at all, named: ``GRAPH`` (its data graph is no dataset)
    and an inverse path in a negated property set (``!^p``, ``!(p|^q)``: rdflib's
    NegatedPath takes none; SPARQL 1.1 section 9.1 allows them)."""
    found = _lex(body)
    for i, (_, kind, text) in enumerate(found):
        if kind == "word" and text.upper() == "GRAPH":
            return Construct("graph_unreadable")
        if text != "!" or i + 1 == len(found):
            continue
        following = found[i + 1:i + 2]
        if found[i + 1][2] == "(":
            depth, j = 0, i + 1
            while j < len(found):
                depth += {"(": 1, ")": -1}.get(found[j][2], 0)
                if depth == 0:
                    break
                j += 1
            following = found[i + 2:j]
        carets = {at for at, _, mark in following if mark == "^"}
        if any(at - 1 not in carets and at + 1 not in carets for at in carets):  # not ^^
            return Construct("negated_inverse")
    return None


def substitute(text: str, values: dict[str, str]) -> str:
    """Replace the variables ``$name``/``?name`` of ``text`` (outside strings, IRIs and
    comments) by the given SPARQL terms."""
    if not values:
        return text
    code = _code(text)
    pattern = re.compile(r"[?$](" + "|".join(map(re.escape, values)) + r")\b")
    out, last = [], 0
    for match in pattern.finditer(code):
        out.append(text[last:match.start()])
        out.append(values[match.group(1)])
        last = match.end()
    return "".join(out) + text[last:]


def prebind(body: str, focus: str, shape: Node, bound: Sequence[str],
            distributed: bool = True) -> str:
    """Give every group of a WHERE body that needs ``?this`` the focus pattern.

    SHACL-SPARQL pre-binds ``$this``: the query is evaluated with ``$this`` replaced by each
    focus node. The compiled query joins the focus pattern at the start of the WHERE group
    (and of each branch of a top-level UNION, :func:`distribute_union`), which is the same
    for ``?this`` in the top-level group, in an ``OPTIONAL``'s triples and filters and in
    ``EXISTS``. A nested group, a UNION branch below the top, an ``OPTIONAL`` that binds
    with ``?this``, and a subquery's pattern are evaluated on their own first: each gets the
    focus pattern too, so that it sees ``?this`` as bound as the substitution would.
    Queries without such groups are returned unchanged.

    Raises:
        IllFormedShape: a subquery that does not return the pre-bound variables.
        UnsupportedShape: a subquery with LIMIT or OFFSET, ``?this`` inside GRAPH.
    """
    top = top_block(body, shape)
    chain = _union_chain(body) if distributed else []
    branches = {start + 1 for start, _ in chain} if chain else set()
    points: list[int] = []

    def returns(subquery: Block) -> None:
        missing = [v for v in bound if f"?{v}" not in subquery.projection]
        if missing:
            raise IllFormedShape(shape, "subquery_missing", name=missing[0])

    def walk(block: Block, focus_group: bool) -> None:
        if block.kind == "exists":
            for _, subquery in _subqueries(block):  # (SHACL's rule holds inside EXISTS too)
                returns(subquery)
            return  # EXISTS sees the row's ?this in every group inside it
        if block.kind == "subquery":
            returns(block)
            if {"LIMIT", "OFFSET"} & set(block.modifiers):
                raise UnsupportedShape(shape, "subquery_limit")
        elif not focus_group and block.mentions() and not _joins(block):
            if block.kind == "graph":
                raise UnsupportedShape(shape, "this_in_graph")
            points.append(block.start)
        for child in block.blocks:
            walk(child, block.kind == "top" and child.start in branches)

    walk(top, True)
    if not points:
        return body
    text = "{" + body + "}"
    group = "{ SELECT DISTINCT ?this WHERE { " + focus + " } } "
    for point in sorted(points, reverse=True):
        text = text[:point + 1] + " " + group + text[point + 1:]
    return text[1:-1]


def _joins(block: Block) -> bool:
    """Whether a block evaluated on its own and joined on ?this gives what the substitution
    of ``$this`` gives: an OPTIONAL whose ?this is only in its triples and filters, a UNION
    branch that binds ?this by a triple of its own and reads it only in triples and filters,
    or a subquery's pattern (joined through its projection of ?this) that does not mention
    it."""
    if block.kind == "union":
        return "triple" in block.uses and all(use in ("triple", "filter") for use in block.uses)
    if block.kind == "optional":
        return all(use in ("triple", "filter") for use in block.uses) and not any(
            b.mentions() for b in block.blocks if b.kind != "exists")
    return False


def projection_items(projection: str) -> list[tuple[str, str]]:
    """The items of a SELECT clause, in order, as (variable, text): ``?x`` and
    ``(expression AS ?x)``."""
    items: list[tuple[str, str]] = []
    depth, opened, last_var = 0, 0, ""
    for position, kind, text in _lex(projection):
        if text == "(":
            if depth == 0:
                opened = position
            depth += 1
        elif text == ")":
            depth -= 1
            if depth == 0 and last_var:
                items.append((last_var, projection[opened:position + 1]))
        elif kind == "var":
            last_var = "?" + text[1:]
            if depth == 0:
                items.append((last_var, text))
    return items


def _tokens(text: str) -> Iterator[tuple[int, str]]:
    """Yield (position, character) of the braces of ``text`` outside strings, IRIs and comments."""
    return ((i, c) for i, c in enumerate(_code(text)) if c in "{}")


def matching_brace(text: str, start: int) -> int:
    """The position of the brace closing the one at ``start``."""
    depth = 0
    for i, c in _tokens(text[start:]):
        depth += 1 if c == "{" else -1
        if depth == 0:
            return start + i
    raise ValueError("unbalanced braces in sh:select")


def _union_chain(group: str) -> list[tuple[int, int]]:
    """The top-level ``{...} UNION {...}`` chain of a group (its spans), if there is exactly one
    and it is not the argument of another operator; else []."""
    top: list[tuple[int, int]] = []  # top-level {...} spans
    depth = 0
    opened = 0
    for i, c in _tokens(group):
        if c == "{":
            if depth == 0:
                opened = i
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                top.append((opened, i))
    chain: list[tuple[int, int]] = []
    for first, second in itertools.pairwise(top):
        between = group[first[1] + 1:second[0]]
        if re.fullmatch(r"\s*UNION\s*", between, re.I):
            if not chain:
                chain.append(first)
            if chain[-1] != first:
                return []  # more than one union chain: leave the query as written
            chain.append(second)
    if not chain:
        return []
    if re.search(r"(?i)\b(OPTIONAL|MINUS|GRAPH|SERVICE)\s*$", group[:chain[0][0]]):
        return []  # the chain is the argument of another operator
    return chain


def union_form(body: str) -> str:
    """How the top-level ``UNION`` chain of a WHERE body is compiled: "distributed" (each
    branch gets the patterns around it, :func:`distribute_union`), "written" (as written),
    "refused", or "" when there is no such chain.

    Whether a FILTER, BIND, EXISTS or OPTIONAL (or any group) in a branch sees a variable
    bound only outside the union depends on how rdflib happens to plan the query
    (SHACL-SPARQL says it does not: a branch's OPTIONAL was given the outer bindings, until
    a member of ?c that the OPTIONAL does not find showed rdflib evaluating it on its own),
    so such a union is refused, naming the construct, rather than given an answer pySHACL
    may not give (a differential run on random unions found no other difference).
    Otherwise the faster form is chosen: as
    written for plain branches (triples, FILTER and BIND, nothing in braces) that bind
    ``?this`` and all they read themselves, where Oxigraph then finds the focus nodes once
    instead of once a branch (an assignment's three ways out of its case's period: 22 ms
    instead of 32 on 200 generated cases); distributed for the others.

    Example:
        >>> union_form("?this a :C . { ?this :p ?v . FILTER (?v > 1) } UNION { ?this :q ?v }")
        'written'
        >>> union_form("{ FILTER (?this = :a) } UNION { ?this :q ?v }")
        'distributed'
        >>> union_form("?this :p ?x . { ?this :q ?v FILTER (?v > ?x) } UNION {?this :r ?v}")
        'refused'
    """
    chain = _union_chain(body)
    if not chain:
        return ""
    outside = _code(body)
    for a, b in chain:
        outside = outside[:a] + " " * (b + 1 - a) + outside[b + 1:]
    bound_outside = {text[1:] for _, kind, text in _lex(outside) if kind == "var"} - {"this"}
    branches = [_branch_vars(body[a + 1:b]) for a, b in chain]
    if any(bound_outside & (expressions | exists | inner) for expressions, exists, inner, _, _
           in branches):
        return "refused"
    if any("this" in expressions | exists | inner or not plain
           for expressions, exists, inner, plain, _ in branches):
        return "distributed"
    return "written"


def _branch_vars(branch: str) -> tuple[set[str], set[str], set[str], bool, set[str]]:
    """What a UNION branch or group reads without binding it by its own top-level triples:
    in its FILTER and BIND expressions (for a BIND, by a triple before it), in its EXISTS
    patterns, and in its other inner patterns (in braces); whether it is plain (nothing in
    braces); and what its own BINDs assign."""
    own: set[str] = set()
    assigned: set[str] = set()
    expressions: set[str] = set()
    in_exists: set[str] = set()
    inner: set[str] = set()
    before_bound: set[str] = set()  # read by a BIND before a triple of the branch binds them
    braces = parens = 0
    in_bind, word = False, ""
    exists: list[bool] = []  # for each open brace: whether it is (inside) an EXISTS
    for _, kind, text in _lex(branch):
        if text == "{":
            braces += 1
            exists.append(word == "EXISTS" or bool(exists and exists[-1]))
            inner.add("{")
        elif text == "}":
            braces -= 1
            if exists:
                exists.pop()
        elif text == "(":
            if parens == 0:
                in_bind = word == "BIND"
            parens += 1
        elif text == ")":
            parens -= 1
        elif kind == "var":
            name = text[1:]
            if braces:
                (in_exists if exists and exists[-1] else inner).add(name)
            elif parens == 0:  # a triple's
                own.add(name)
            elif in_bind and word == "AS":  # a BIND's target
                own.add(name)
                assigned.add(name)
            elif in_bind and name not in own:
                before_bound.add(name)
            else:
                expressions.add(name)
        if kind == "word":
            word = text.upper()
    plain = "{" not in inner
    return ((expressions - own) | before_bound, in_exists - own, inner - own - {"{"}, plain,
            assigned)


def distribute_union(group: str, lead: str = "") -> str:
    """Rewrite ``A {B} UNION {C} D`` as ``{L A B D} UNION {L A C D}`` (inlining B and C), with
    ``lead`` (L, the focus pattern) before each branch; ``L group`` when there is no chain.

    SHACL-SPARQL pre-binds ``$this``; Oxigraph evaluates each branch on its own first, which
    turns a branch that mentions the focus node's neighbours into a product over all focus
    nodes. Putting the surrounding patterns into every branch gives each branch its
    bindings. :func:`union_form` says where this cannot change the answer; the equality
    tests against pySHACL check the result.
    """
    chain = _union_chain(group)
    if not chain:
        return f"{lead}\n{group}"
    before = f"{lead}\n{group[:chain[0][0]]}"
    after = group[chain[-1][1] + 1:]
    branches = [group[a + 1:b] for a, b in chain]
    return " UNION ".join("{ " + before + " " + b + " " + after + " }" for b in branches)
