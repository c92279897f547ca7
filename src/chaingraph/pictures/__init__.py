"""The two pictures chaingraph draws itself, once for the web pages and the exports.

- :mod:`chaingraph.pictures.timeline`: a case's timeline, one lane per phase and per
  organisation, labelled bars on a time axis, gaps red, overlaps orange, events as marks;
- :mod:`chaingraph.pictures.collaboration`: the organisations on a circle, joined by
  what they share, fitted to the picture with names that do not overlap.

Both are SVG drawn with classes (``tl-*``, ``co-*``), no ``style`` attribute and no
script. Their rules are in one file, ``chaingraph/web/static/pictures.css``: the web app's
style sheet imports it (so a page passes a strict Content Security Policy), and an
exported SVG or PNG carries the same rules in its own ``<style>`` (:func:`standalone`),
with the colours written out, since a standalone picture has no page around it and
CairoSVG reads no CSS variables. Nothing here imports the web app.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

CSS_FILE = Path(__file__).resolve().parent.parent / "web" / "static" / "pictures.css"
"""The rules of both pictures (and the colours of the pages)."""

_ROOT = re.compile(r":root\s*\{([^}]*)\}")
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*\)")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


@functools.cache
def rules() -> str:
    """Return the text of ``pictures.css``, the one source of the pictures' rules."""
    return CSS_FILE.read_text(encoding="utf-8")


@functools.cache
def style() -> str:
    """Return the pictures' rules for a picture with no page around it: the colours (the
    ``:root`` custom properties) written into the rules, comments left out.

    Example:
        >>> ".tl-gap rect{fill:#c62828}" in style(), "var(" in style()
        (True, False)
    """
    css = _COMMENT.sub("", rules())
    colours: dict[str, str] = {}
    for block in _ROOT.findall(css):
        for declaration in block.split(";"):
            name, _, value = declaration.partition(":")
            if name.strip().startswith("--"):
                colours[name.strip()] = value.strip()
    css = _ROOT.sub("", css)
    css = _VAR.sub(lambda m: colours[m.group(1)], css)
    return "\n".join(line for line in css.splitlines() if line.strip()) + "\n"


def standalone(picture: str) -> str:
    """Return ``picture`` (an ``<svg>`` element drawn here) as an SVG file: the XML
    declaration, and the pictures' rules (:func:`style`) as the first child of ``<svg>``.

    Example:
        >>> out = standalone('<svg xmlns="http://www.w3.org/2000/svg"><title>t</title></svg>')
        >>> out.startswith('<?xml version="1.0" encoding="UTF-8"?>'), "<style>" in out
        (True, True)
    """
    picture = str(picture)  # plain text: Markup would escape what is added to it
    if not picture.startswith("<svg"):
        raise ValueError("not a picture drawn by chaingraph.pictures")
    end = picture.index(">") + 1  # the opening tag holds no text from the data
    css = style()
    if "<" in css or "&" in css:  # never: the rules are ours, but they go into XML unescaped
        raise ValueError("pictures.css holds < or &")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + picture[:end] + "<style>" + css
            + "</style>" + picture[end:] + "\n")


__all__ = ["CSS_FILE", "rules", "standalone", "style"]
