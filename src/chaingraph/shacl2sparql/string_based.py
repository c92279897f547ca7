"""String-based constraints: ``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (with
``sh:flags``) and ``sh:languageIn``.

SHACL 4.4 (String-based constraint components): lengths and patterns read the string form
of a value node (``STR``), and a blank node violates them; ``sh:languageIn`` matches
language ranges with ``langMatches``. ``sh:uniqueLang`` is refused.
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import SH

from chaingraph.shacl2sparql.refusal import integer, members
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
    """``REGEX`` of ``var``'s string with the pattern and the ``sh:flags`` of its shape."""
    flags = c.graph.value(c.shape, SH.flags)
    extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
    return f"REGEX(STR({var}), {Literal(str(c.value)).n3()}{extra})"


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
