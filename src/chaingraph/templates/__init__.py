"""The HTML pages: Jinja2 templates in this folder, rendered with autoescaping.

Every page chaingraph writes (the audit report, the monitor, the export's pages) is a
template here that extends ``base.html``, the layout with the shared head, the language
attribute and the print styles. The CSS and the export's script are files beside the
templates, included inline, so each page stays one self-contained file that fetches nothing
and works offline. The texts come in as context (from the message tables), never written
in a template.

Data from the graph is text, never markup: every template is autoescaped, and a missing
value is an error (``StrictUndefined``), not an empty string. Every printed value has its
control characters and noncharacters replaced (the environment's ``finalize``,
:func:`chaingraph.escape.text`), and a link target from the data goes through the
``link`` filter (``http(s)`` or a ``#fragment``, else nothing). The one piece of markup
that does not come from a template, the SVG Graphviz draws, enters a page only through
:func:`graphviz_svg`, which says why it is safe and checks it.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from typing import Any

import jinja2
from markupsafe import Markup

from chaingraph import escape
from chaingraph.catalogue import text
from chaingraph.errors import ChaingraphError

__all__ = ["environment", "graphviz_svg", "render"]


def _printable(value: Any) -> Any:
    """Every value a template prints: no control character or noncharacter from the data.

    The one place HTML pages are made safe beyond autoescaping: characters an HTML parser
    reports as errors are replaced (:func:`chaingraph.escape.text`), in markup too.
    """
    if isinstance(value, Markup):
        return Markup(escape.text(value))  # the same markup, only characters replaced
    if isinstance(value, str):
        return escape.text(value)
    return value


@functools.cache
def environment() -> jinja2.Environment:
    """Return the one Jinja2 environment of chaingraph's pages (the web app shares it)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("chaingraph", "templates"),
        autoescape=True,
        finalize=_printable,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # tojson writes <, >, & and ' as \u00XX, so data cannot end a <script> element; other
    # characters stay as written (no \uXXXX for accents), readable in the page's source.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    # {{ url|link }}: a link target from the data, or "" unless http(s) or a #fragment
    env.filters["link"] = escape.link_target
    return env


def render(name: str, /, **context: Any) -> str:
    """Render the template ``name`` (a file in this folder) with ``context``.

    Example:
        >>> page = render("base.html", lang="nl", title="<script>alert(1)</script>")
        >>> page.startswith("<!DOCTYPE html>"), '<html lang="nl">' in page, "<script>" in page
        (True, True, False)
    """
    return environment().get_template(name).render(**context)


# The elements Graphviz draws with: shapes, text, groups and gradients. Nothing that runs,
# embeds, fetches or links (script, foreignObject, image, use, a): the tooltips Graphviz
# puts on <a xlink:title> are <title> elements by then (formats.render_svg).
_DRAWING = frozenset({
    "svg", "g", "title", "desc", "polygon", "polyline", "path", "ellipse", "circle", "rect",
    "line", "text", "tspan", "defs", "lineargradient", "radialgradient", "stop",
})
_LINKS = frozenset({"href", "xlink:href", "src"})
_OUTSIDE_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)


class _Picture(HTMLParser):
    """Read an SVG as a browser's HTML parser will, noting anything active in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.active: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _DRAWING:
            self.active.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.active.append(f"{name}=")
            elif name in _LINKS and not value.startswith("#"):
                self.active.append(f"{name}={value!r}")
            elif _OUTSIDE_URL.search(value):
                self.active.append(f"{name}={value!r}")

    def handle_comment(self, data: str) -> None:
        self.active.append("<!-- -->")

    def handle_decl(self, decl: str) -> None:
        self.active.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.active.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.active.append(f"<![{data}]>")


def graphviz_svg(svg: str, *, lang: str = "en") -> Markup:
    """Return the SVG Graphviz drew as markup to embed in a page, after checking it.

    Why it is safe: Graphviz writes every label, tooltip and name as escaped XML text (a
    label ``<script>`` arrives as ``&lt;script&gt;``), chaingraph's DOT sets no URL or
    image, and its tooltips come as ``<title>`` elements (no ``<a>``), so the SVG holds
    only drawing elements. This function still reads it the way the browser will and
    refuses it (a :class:`ChaingraphError`) if it holds anything but drawing elements
    (a link ``<a>`` among them), an event handler attribute, or a link leaving the page.
    Graphviz's XML prolog and doctype (before ``<svg``) and its comments are dropped, its
    tooltip links made ``<title>`` elements (:func:`chaingraph.escape.svg_tooltips`).

    Example:
        >>> graphviz_svg('<?xml version="1.0"?><svg><text>&lt;b&gt;</text></svg>')
        Markup('<svg><text>&lt;b&gt;</text></svg>')
        >>> graphviz_svg('<svg><script>alert(1)</script></svg>')  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        chaingraph.errors.ChaingraphError: the picture Graphviz drew holds <script>, which ...
    """
    start = svg.find("<svg")
    body = re.sub(r"<!--.*?-->", "", svg[start:], flags=re.S) if start >= 0 else svg
    body = escape.svg_tooltips(body)
    reader = _Picture()
    reader.feed(body)
    reader.close()
    if reader.active:
        raise ChaingraphError(text("pages.unsafe-picture", lang, what=", ".join(reader.active)))
    return Markup(body)  # checked above: drawing elements and escaped text only
