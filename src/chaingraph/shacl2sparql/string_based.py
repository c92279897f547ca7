"""String-based constraints: ``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (with
``sh:flags``) and ``sh:languageIn``.

SHACL 4.4 (String-based constraint components): lengths and patterns read the string form
of a value node (``STR``), and a blank node violates them; ``sh:languageIn`` matches
language ranges with ``langMatches``. ``sh:uniqueLang`` is refused.
"""

from __future__ import annotations

import functools

from rdflib import Literal
from rdflib.namespace import SH

from chaingraph.shacl2sparql.refusal import UnsupportedShape, integer, members
from chaingraph.shacl2sparql.shapes import Constraint, Query, Section, ValueNodes


def length_check(c: Constraint, nodes: ValueNodes) -> Query:
    """``sh:minLength`` or ``sh:maxLength``: the value nodes whose string is too short or too
    long, and blank nodes."""
    op = "<" if c.key == SH.minLength else ">"
    component = (SH.MinLengthConstraintComponent if c.key == SH.minLength
                 else SH.MaxLengthConstraintComponent)
    return nodes.each(component, f"FILTER(isBlank({nodes.var}) || STRLEN(STR({nodes.var})) {op} "
                                 f"{integer(c.value)})")


def length_test(c: Constraint, var: str) -> str:
    """A boolean expression: ``var`` is not a blank node and its string has the length."""
    op = ">=" if c.key == SH.minLength else "<="
    return f"(!isBlank({var}) && STRLEN(STR({var})) {op} {integer(c.value)})"


def _regex(c: Constraint, var: str) -> str:
    """``REGEX`` of ``var``'s string with the pattern and the ``sh:flags`` of its shape.

    A pattern SPARQL's ``REGEX`` cannot compile here (look-around, back-references) would
    make every test an error, and so pass or fail every value whatever it is: it is refused,
    as is a POSIX class (``[[:alpha:]]``), which XPath's regular expressions do not have and
    engines read differently, and a flag the reference does not read (all but ``i`` and
    ``m``). ``$`` is read as the reference reads it (:func:`_dollar`).
    """
    flags = c.graph.value(c.shape, SH.flags)
    shown = Literal(str(c.value)).n3() + ("" if flags is None else f" (sh:flags {flags})")
    if flags is not None and set(str(flags)) - set("im"):
        raise UnsupportedShape(c.owner, "pattern_flags", pattern=shown)
    pattern = str(c.value) if flags is not None and "m" in str(flags) else _dollar(str(c.value))
    extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
    regex = f"{Literal(pattern or '').n3()}{extra}"
    if pattern is None or "[[:" in pattern or not _compiles(regex):
        raise UnsupportedShape(c.owner, "pattern_regex", pattern=shown)
    return f"REGEX(STR({var}), {regex})"


def _dollar(pattern: str) -> str | None:
    r"""``pattern`` with each ``$`` (outside a character class) also matching before a final
    newline, as in the reference (pySHACL reads patterns with Python's ``re``); None where
    more than ``)`` or ``|`` follows a ``$``, which that cannot express.

    Example:
        >>> _dollar("^P-[A-Z0-9$]{5}$")
        '^P-[A-Z0-9$]{5}(?:\\n?$)'
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            lead = 2 if pattern[i + 1:i + 2] == "^" else 1
            lead += pattern[i + lead:i + lead + 1] == "]"  # a first "]" is a member
            out.append(pattern[i:i + lead])
            i += lead
            continue
        elif ch == "$":
            if pattern[i + 1:i + 2] not in ("", ")", "|"):
                return None
            ch = "(?:\\n?$)"
        out.append(ch)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _compiles(regex: str) -> bool:
    """Whether Oxigraph's ``REGEX`` compiles the pattern and flags ``regex`` (as written in
    a query): it leaves the result of a pattern it cannot compile unbound."""
    import pyoxigraph

    query = f'SELECT ?x WHERE {{ BIND(REGEX("", {regex}) AS ?x) }}'
    try:
        rows = list(pyoxigraph.Store().query(query))  # type: ignore[arg-type]  # a SELECT
    except SyntaxError:
        return False
    return bool(rows) and rows[0]["x"] is not None


def pattern_check(c: Constraint, nodes: ValueNodes) -> Query:
    """``sh:pattern``: the value nodes whose string does not match, and blank nodes."""
    return nodes.each(SH.PatternConstraintComponent,
                      f"FILTER(isBlank({nodes.var}) || !{_regex(c, nodes.var)})")


def pattern_test(c: Constraint, var: str) -> str:
    """A boolean expression: ``var`` is not a blank node and its string matches."""
    return f"(!isBlank({var}) && {_regex(c, var)})"


def language_check(c: Constraint, nodes: ValueNodes) -> Query:
    """``sh:languageIn``: the value nodes without one of the language tags."""
    return nodes.each(SH.LanguageInConstraintComponent, f"FILTER(!{language_test(c, nodes.var)})")


def language_test(c: Constraint, var: str) -> str:
    """A boolean expression: ``var`` is a literal whose language tag matches one of the list."""
    ranges = " || ".join(f"langMatches(lang({var}), {Literal(str(t)).n3()})"
                         for t in members(c.graph, c.value, c.owner, SH.languageIn))
    return f"(isLiteral({var}) && ({ranges or 'false'}))"


SECTION = Section(
    checks={SH.minLength: length_check, SH.maxLength: length_check, SH.pattern: pattern_check,
            SH.languageIn: language_check},
    tests={SH.minLength: length_test, SH.maxLength: length_test, SH.pattern: pattern_test,
           SH.languageIn: language_test})
