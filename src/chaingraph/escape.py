"""What each output format cannot hold, and the one place each format's writer makes it safe.

Text from the data (a label, a name, a literal) is text, never markup, a formula or a
control sequence, whatever format it is written in:

- **Every text format** (:func:`text`): characters that XML 1.0 forbids or HTML calls a
  parse error are *replaced* by U+FFFD (the replacement character, so a reader sees that
  something was there): the C0 controls except tab, line feed and carriage return, DEL,
  the C1 controls (U+0080 to U+009F), lone surrogates, and the noncharacters (U+FDD0 to
  U+FDEF and the last two code points of every plane, U+FFFE and U+FFFF among them).
- **XML** (GraphML, GEXF, ArchiMate, SVG): :func:`xml_text` (the above), then the
  writer's own escaping of ``<``, ``&`` and quotes; :func:`check_xml` reads the finished
  document with a strict parser (no recovery) before it is written.
- **SVG** (Graphviz's): :func:`svg_tooltips` turns its tooltip links into ``<title>``
  elements, so a picture holds no ``<a>`` and no link target from the data.
- **HTML**: :func:`text`, then Jinja2's autoescaping; links leave a page only towards
  ``http(s)``: :func:`link_target` turns any other target (``javascript:``, ``data:``,
  ``vbscript:``, ``file:``) into nothing.
- **Markdown** (:func:`markdown`): :func:`text`, whitespace collapsed to one line, ``<``
  and ``>`` as entities (no raw HTML or autolink from the data), ``[``, ``]``, ``|`` and
  the backslash backslash-escaped (no link, image or table cell from the data). Emphasis
  characters stay: they cannot run anything, and the text stays as the data wrote it.
- **CSV** (:func:`csv_cell`): the OWASP rule against formula injection: a cell that begins
  with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed gets a single
  quote in front, so a spreadsheet shows it as text instead of running it. A plain number
  (``-1``, ``+2.5``) is left as it is: a spreadsheet reads it as a number, never a formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["REPLACEMENT", "check_xml", "clean_view", "csv_cell", "csv_row", "link_target",
           "markdown", "svg_tooltips", "text", "xml_text"]

REPLACEMENT = "\ufffd"

_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
              for plane in range(1, 17))
    + "]"
)


def text(value: object) -> str:
    """Return ``value`` as text any output format can hold (forbidden characters replaced).

    Example:
        >>> text("a\\x01b\\ufffec")
        'a\ufffdb\ufffdc'
        >>> text("tab\\tand\\nnew line")
        'tab\\tand\\nnew line'
    """
    return _FORBIDDEN.sub(REPLACEMENT, str(value))


xml_text = text
"""The text an XML 1.0 document can hold: its ``Char`` production less the discouraged
controls (the same set as :func:`text`)."""


def check_xml(document: str | bytes) -> None:
    """Raise ``ValueError`` unless ``document`` is well-formed XML (a strict parser, no recovery).

    Example:
        >>> check_xml('<a x="1">t</a>')
        >>> check_xml('<a>\\x01</a>')  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: not well-formed XML: ...
    """
    data = document.encode("utf-8", "surrogatepass") if isinstance(document, str) else document
    try:
        ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None


_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:")


def link_target(value: str) -> str:
    """Return ``value`` if a page may link to it (``http``, ``https``, a ``#`` fragment), else "".

    Example:
        >>> link_target("https://example.org/x"), link_target("#node1")
        ('https://example.org/x', '#node1')
        >>> link_target("javascript:alert(1)"), link_target(" JaVaScRiPt:x"), link_target("data:,")
        ('', '', '')
    """
    cleaned = "".join(ch for ch in text(value) if ch >= " " and ch != REPLACEMENT)
    if cleaned.startswith("#"):
        return cleaned
    match = _SCHEME.match(cleaned)
    if match is None or match.group(1).lower() not in ("http", "https"):
        return ""
    return cleaned


_TOOLTIP_LINK = re.compile(r'<a xlink:title="([^"]*)">(.*?)</a>', re.S)


def svg_tooltips(svg: str) -> str:
    """Turn each ``<a xlink:title="...">`` Graphviz wraps a tooltip in into ``<g><title>``.

    A browser shows an SVG ``<title>`` as the same tooltip, and the picture then holds no
    link element: nothing from the data can become a link or a link's title
    (``javascript:``). Any other ``<a>`` is left for the page's check to refuse.

    Example:
        >>> svg_tooltips('<g><a xlink:title="javascript:x"><text>t</text></a></g>')
        '<g><g><title>javascript:x</title><text>t</text></g></g>'
    """
    return _TOOLTIP_LINK.sub(r"<g><title>\1</title>\2</g>", svg)


_MARKDOWN_PUNCTUATION = re.compile(r"([\\\[\]|])")


def markdown(value: object) -> str:
    """Return ``value`` as inert Markdown text on one line: no HTML, link or markup from data.

    Example:
        >>> markdown("<script>alert(1)</script> [x](javascript:y) a|b")
        '&lt;script&gt;alert(1)&lt;/script&gt; \\\\[x\\\\](javascript:y) a\\\\|b'
    """
    one_line = _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text(value).split()))
    return one_line.replace("<", "&lt;").replace(">", "&gt;")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: object) -> str:
    """Return ``value`` as a CSV cell a spreadsheet shows as text (OWASP: quote a formula).

    Example:
        >>> csv_cell("=1+1"), csv_cell("@SUM(A1)"), csv_cell("\\t=x"), csv_cell("-1"), csv_cell("a")
        ("'=1+1", "'@SUM(A1)", "'\\t=x", '-1', 'a')
    """
    cell = "" if value is None else text(value)
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_row(values: Iterable[object]) -> list[str]:
    """Return a row of :func:`csv_cell` cells."""
    return [csv_cell(v) for v in values]


def clean_view(view: nx.Graph, clean: Callable[[object], str] = text) -> nx.Graph:
    """Return a copy of a view whose node ids and text attributes went through ``clean``.

    Numbers and booleans stay as they are; the copy keeps the order of nodes and edges.
    """
    def attrs(data: dict) -> dict:
        return {clean(k): (clean(v) if isinstance(v, str) else v) for k, v in data.items()}

    ids = {node: clean(node) if isinstance(node, str) else node for node in view.nodes}
    out = view.__class__()
    out.graph.update(attrs(view.graph))
    out.add_nodes_from((ids[n], attrs(d)) for n, d in view.nodes(data=True))
    out.add_edges_from((ids[u], ids[v], attrs(d)) for u, v, d in view.edges(data=True))
    return out
