"""A Griffe extension for the API pages: read the house's ``Example:`` sections as examples.

The package's docstrings say ``Example:`` over one runnable example (STYLE.md); Griffe's
Google parser knows only ``Examples:`` and would render the doctest as Markdown text. Only
the site's reading of the docstrings changes; the source is left as it is.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", flags=re.M)


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` to ``Examples:`` in every docstring before it is parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
