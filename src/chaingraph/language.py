"""The former name of :mod:`chaingraph.labels`, kept so that existing imports work."""

from __future__ import annotations

from chaingraph.labels import DEFAULT, LANGUAGES, label, local_name, short_name
from chaingraph.labels import value as text

__all__ = ["DEFAULT", "LANGUAGES", "label", "local_name", "short_name", "text"]
