"""SPARQL text as tokens: what is query code, and what is a string, an IRI or a comment.

The few places that read a query's text (the SHACL compiler pre-binding ``$this``, a
``VALUES`` clause put at the top of a WHERE group) look only at its code, so a ``{`` or a
``WHERE`` in a comment, a string or an IRI is never taken for syntax.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"""
    (?P<skip>\#[^\n]*
      |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
      |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^\s<>"{}|^`\\]*>)
    |(?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
    |(?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[^\s{}()\[\];,.]*)?)
    |(?P<punct>[{}()])
    |(?P<other>\S)
""", re.X)
"""One SPARQL token: ``skip`` (a comment or a string), ``iri``, ``var``, ``word`` (a keyword
or prefixed name), ``punct`` (a brace or parenthesis) or ``other``."""


def tokens(text: str) -> list[tuple[int, str, str]]:
    """The tokens of SPARQL text as (position, kind, text), without strings, IRIs and comments.

    Example:
        >>> [t for _, _, t in tokens('SELECT * { ?s ?p "}" } # }')]
        ['SELECT', '*', '{', '?s', '?p', '}']
    """
    return [(m.start(), m.lastgroup or "", m.group()) for m in TOKEN.finditer(text)
            if m.lastgroup not in ("skip", "iri")]


def code(text: str) -> str:
    """``text`` with its strings, IRIs and comments blanked (the same length).

    Example:
        >>> code('{ <urn:x> "a{" } # {')
        '{              }    '
    """
    out = list(text)
    for match in TOKEN.finditer(text):
        if match.lastgroup in ("skip", "iri"):
            out[match.start():match.end()] = " " * (match.end() - match.start())
    return "".join(out)
