"""The message catalogue: every text a user sees, in English and Dutch, in one table format.

The texts live in TOML files beside this module, one per area (``cli.toml``, ``errors.toml``,
``who.toml`` ...); each key is a table with an ``en`` and an ``nl`` string, which may hold
``{placeholders}`` filled in by :func:`text`::

    [gap]                                 # in who.toml: the key "who.gap"
    en = "gap {phase} from {start} to {end}"
    nl = "gat {phase} van {start} tot en met {end}"

    [days]                                # a counted word: [one, other], chosen by n
    en = ["{n} day", "{n} days"]
    nl = ["{n} dag", "{n} dagen"]

A key is written ``area.name`` (the file's stem, then the table's name). The files are read
once, on first use. ``tests/test_catalogue.py`` checks that every key has both languages,
with the same placeholders, and that no key is defined twice.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "nl")
DEFAULT = "en"
_HERE = Path(__file__).resolve().parent


class MissingText(KeyError):
    """A key that no catalogue file defines: a programming error, named with the key."""


@functools.cache
def entries() -> dict[str, dict[str, str]]:
    """Every key of every catalogue file, as ``{"area.name": {"en": ..., "nl": ...}}``."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(_HERE.glob("*.toml")):
        with path.open("rb") as handle:
            table = tomllib.load(handle)
        for name, languages in _flatten(table):
            key = f"{path.stem}.{name}"
            if key in found:
                raise ValueError(f"{path.name}: the key {key!r} is defined twice")
            found[key] = languages
    return found


def _flatten(table: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, str]]]:
    out = []
    for name, value in table.items():
        if isinstance(value, dict) and any(isinstance(v, dict) for v in value.values()):
            out += _flatten(value, f"{prefix}{name}.")
        elif isinstance(value, dict):
            out.append((f"{prefix}{name}", value))
    return out


def text(key: str, lang: str = DEFAULT, /, **params: object) -> str:
    """The text of ``key`` in ``lang`` (English where Dutch is missing), placeholders filled in.

    Example:
        >>> text("common.days", "nl", n=1), text("common.days", "en", n=3)
        ('1 dag', '3 days')
    """
    try:
        languages = entries()[key]
    except KeyError:
        raise MissingText(key) from None
    template: Any = languages.get(lang) or languages[DEFAULT]
    if isinstance(template, list):  # [one, other]
        template = template[0] if params.get("n") == 1 else template[1]
    return template.format(**params) if params else template


def texts(area: str, lang: str = DEFAULT, /) -> dict[str, str]:
    """Every text of one area in ``lang``, placeholders left in (for templates and tables).

    A counted word gives its ``other`` form; use :func:`text` with ``n`` to choose.

    Example:
        >>> texts("common", "nl")["days"]
        '{n} dagen'
    """
    prefix = f"{area}."
    found = {}
    for key, languages in entries().items():
        if key.startswith(prefix):
            template: Any = languages.get(lang) or languages[DEFAULT]
            found[key[len(prefix):]] = template[1] if isinstance(template, list) else template
    return found
