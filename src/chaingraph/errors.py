"""The errors chaingraph raises: one base, each also a builtin where it fits.

The command line turns any :class:`ChaingraphError` into one sentence on stderr and
exit code 2; Python callers can catch the builtin (``LookupError``, ``ValueError``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ChaingraphError(Exception):
    """Base of every error chaingraph raises on purpose."""


class SourceError(ChaingraphError, ValueError):
    """A source file cannot be read or parsed; names the file and, where known, the line."""

    def __init__(self, path: object, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class MissingPath(ChaingraphError, FileNotFoundError):
    """A path the user gave does not exist."""

    def __init__(self, path: object) -> None:
        self.path = str(path)
        super().__init__(f"{self.path}: no such file or directory")


class UnknownTerm(ChaingraphError, ValueError):
    """A data file uses an ontology term the ontology does not declare."""

    def __init__(self, path: object, term: str, suggestions: Iterable[str] = ()) -> None:
        self.path = str(path)
        self.term = term
        hint = _did_you_mean(suggestions)
        super().__init__(f"{self.path}: uses {term}, which the ontology does not declare{hint}")


class UnknownName(ChaingraphError, LookupError):
    """A name (case, phase, role, query, format, ...) that does not exist.

    The message lists the nearest existing names, or all of them when few exist.
    """

    kind = "name"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(set(known))
        super().__init__(f"unknown {self.kind} {name!r}{nearest(name, self.known)}")


class UnknownCase(UnknownName):
    kind = "case"


class UnknownPhase(UnknownName):
    kind = "phase"


class UnknownRole(UnknownName):
    kind = "role"


class UnknownQuery(UnknownName):
    kind = "query"


class UnknownOrganisation(UnknownName):
    kind = "organisation"


class UnknownInstrument(UnknownName):
    kind = "instrument kind"


class UnknownStatus(UnknownName):
    kind = "measure status"


class UnknownIndicator(UnknownName):
    kind = "indicator"


class UnknownArea(UnknownName):
    kind = "area"


class BadParameter(ChaingraphError, ValueError):
    """A parameter value that cannot be used (a malformed date, a missing query parameter)."""


class MissingTool(ChaingraphError, RuntimeError):
    """A system program chaingraph needs (Java, Graphviz, Chromium) is not installed."""


def nearest(name: str, known: list[str]) -> str:
    """The tail of a message naming what exists: all of it when few, else the nearest to ``name``.

    Example:
        >>> nearest("FX-01", ["FX-001", "FX-002"])
        '; known: FX-001, FX-002'
    """
    if not known:
        return " (there are none)"
    if len(known) <= 12:
        return "; known: " + ", ".join(known)
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.4)
    shown = close or known[:8]
    label = "nearest" if close else "for example"
    return f"; {label}: " + ", ".join(shown) + f" ({len(known)} in all)"


def _did_you_mean(suggestions: Iterable[str]) -> str:
    items = list(suggestions)
    return f" (did you mean {' or '.join(items)}?)" if items else ""
