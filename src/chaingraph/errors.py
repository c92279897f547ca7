"""The errors chaingraph raises: one base, each also a builtin where it fits.

The command line turns any :class:`ChaingraphError` into one sentence on stderr,
``exc.text(lang)``, and exit code 2; Python callers can catch the builtin
(``LookupError``, ``ValueError``). ``str(exc)`` is the English sentence. The sentences
are in ``catalogue/errors.toml``: an error made with a ``key`` (``BadParameter(key=...,
**params)``) can say itself in either language; one made with a ready sentence says that
sentence (its raiser wrote it in the language of the run).

Example:
    >>> error = UnknownCase("FX-01", ["FX-001", "FX-002"])
    >>> str(error)
    "unknown case 'FX-01'; known: FX-001, FX-002"
    >>> error.text("nl")
    "casus 'FX-01' bestaat niet; bekend: FX-001, FX-002"
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chaingraph import catalogue

if TYPE_CHECKING:
    from chaingraph.findings import AuditReport


class ChaingraphError(Exception):
    """Base of every error chaingraph raises on purpose.

    Args:
        message: the sentence, for an error raised with a ready sentence.
        key: the sentence's key in ``catalogue/errors.toml`` (without ``errors.``).
        params: the values of the key's placeholders.
    """

    def __init__(self, message: str = "", /, *, key: str | None = None, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(self.text("en") if key else message)

    def text(self, lang: str = catalogue.DEFAULT) -> str:
        """The sentence in ``lang`` (``en`` or ``nl``); ``str(exc)`` is the English one."""
        if self.key is None:
            return str(self)
        return catalogue.text(f"errors.{self.key}", lang, **self._params(lang))

    def _params(self, lang: str) -> dict[str, Any]:
        """The placeholders' values in ``lang`` (subclasses put their words into it)."""
        return self.params

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (to or from a worker process) as made, not by calling __init__ again,
        # whose arguments differ from class to class.
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[ChaingraphError], args: tuple[Any, ...],
             state: dict[str, Any]) -> ChaingraphError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class SourceError(ChaingraphError, ValueError):
    """A source file cannot be read or parsed; names the file and, where known, the line.

    What is wrong is a ready ``message``, or a ``problem`` key of ``errors.toml`` with its
    ``details``; the parser's own words (rdflib's, Oxigraph's) stay as the parser wrote them.
    """

    def __init__(self, path: object, message: str = "", line: int | None = None, *,
                 problem: str | None = None, node: str | None = None, **details: Any) -> None:
        self.path = str(path)
        self.line = line
        self.node = node  # in a store or endpoint, which has no lines: the node the value is on
        self.problem = problem
        self.details = details
        super().__init__(key="source", path=self.path, message=message, line=line)

    def _params(self, lang: str) -> dict[str, Any]:
        where = self.path if self.line is None else catalogue.text(
            "errors.source_line", lang, path=self.path, line=self.line)
        if self.node is not None:
            where = catalogue.text("errors.source_node", lang, path=self.path, node=self.node)
        message = self.params["message"]
        if self.problem is not None:
            message = catalogue.text(f"errors.{self.problem}", lang, **self.details)
        return {"where": where, "message": message}


class MissingPath(ChaingraphError, FileNotFoundError):
    """A path the user gave does not exist."""

    def __init__(self, path: object) -> None:
        self.path = str(path)
        super().__init__(key="missing_path", path=self.path)


class UnknownTerm(ChaingraphError, ValueError):
    """A data file uses an ontology term the ontology does not declare."""

    def __init__(self, path: object, term: str, suggestions: Iterable[str] = ()) -> None:
        self.path = str(path)
        self.term = term
        self.suggestions = list(suggestions)
        super().__init__(key="unknown_term", path=self.path, term=term)

    def _params(self, lang: str) -> dict[str, Any]:
        names = catalogue.text("errors.or", lang).join(self.suggestions)
        hint = catalogue.text("errors.did_you_mean", lang, names=names) if names else ""
        return {**self.params, "hint": hint}


class UnknownName(ChaingraphError, LookupError):
    """A name (case, phase, role, query, format, ...) that does not exist.

    The message lists the nearest existing names, or all of them when few exist.
    """

    kind = "name"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(set(known))
        super().__init__(key="unknown_name", name=name)

    def _params(self, lang: str) -> dict[str, Any]:
        try:
            kind = catalogue.text(f"errors.kind.{self.kind}", lang)
        except catalogue.MissingText:  # a kind of a subclass defined elsewhere
            kind = self.kind
        return {"kind": kind, "name": self.name, "tail": self._tail(lang)}

    def _tail(self, lang: str) -> str:
        return nearest(self.name, self.known, lang)


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
    kind = "instrument"


class UnknownStatus(UnknownName):
    kind = "status"


class UnknownIndicator(UnknownName):
    kind = "indicator"


class UnknownArea(UnknownName):
    kind = "area"


class UnknownView(UnknownName):
    """An export WHAT that does not exist; the message lists them all, in their order."""

    kind = "export"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.order = list(known)
        super().__init__(name, self.order)

    def _tail(self, lang: str) -> str:
        return catalogue.text("errors.known", lang, names=", ".join(self.order))


class UnknownFormat(UnknownView):
    """An export format that does not exist; the message lists them all."""

    kind = "format"


class BadParameter(ChaingraphError, ValueError):
    """A parameter value that cannot be used (a malformed date, a missing query parameter)."""


class CaseNeeded(BadParameter):
    """A command or export that shows one case was given none; lists the cases."""

    def __init__(self, what: str, cases: Iterable[str]) -> None:
        self.what = what
        self.cases = sorted(set(cases))
        super().__init__(key="case_needed", what=what)

    def _params(self, lang: str) -> dict[str, Any]:
        return {"what": self.what, "tail": nearest("", self.cases, lang)}


class MissingTool(ChaingraphError, RuntimeError):
    """A system program chaingraph needs (Java, Graphviz, Chromium) is not installed."""


class BackendError(ChaingraphError, ConnectionError):
    """A store or SPARQL endpoint that cannot be used (down, garbage, locked, missing)."""


class PersonalDataLeak(ChaingraphError, RuntimeError):
    """An export would contain a person identifier from the source; nothing was written.

    ``view`` and ``fmt`` name the export ("case", "svg") where known.
    """

    def __init__(self, view: str | None = None, fmt: str | None = None) -> None:
        super().__init__(key="personal_data_leak" if view is None else "personal_data_leak_in",
                         view=view, fmt=fmt)


class AuditViolations(ChaingraphError):
    """Raised by :meth:`AuditReport.raise_for_violations` when an audit found violations."""

    def __init__(self, report: AuditReport) -> None:
        self.report = report
        violations = report.filter(severity="violation")
        cases = sorted({f.case or "-" for f in violations})
        super().__init__(key="audit_violations", n=len(violations), cases=len(cases),
                         names=", ".join(cases))


def nearest(name: str, known: list[str], lang: str = catalogue.DEFAULT) -> str:
    """The tail of a message naming what exists: all of it when few, else the nearest to ``name``.

    Example:
        >>> nearest("FX-01", ["FX-001", "FX-002"])
        '; known: FX-001, FX-002'
        >>> nearest("FX-01", [], "nl")
        ' (er zijn er geen)'
    """
    if not known:
        return catalogue.text("errors.none_exist", lang)
    if len(known) <= 12:
        return catalogue.text("errors.known", lang, names=", ".join(known))
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.4)
    shown = ", ".join(close or known[:8])
    return catalogue.text("errors.nearest" if close else "errors.for_example", lang,
                          names=shown, n=len(known))


class UnknownUser(UnknownName):
    """A user name that the users file of ``chaingraph users`` / ``serve`` does not hold."""

    kind = "user"


class FormError(ChaingraphError, ValueError):
    """A mistake in a case form, a case spreadsheet or a ``chaingraph case`` change.

    One sentence: where (``line 12, owners[2].role: `` or ``row 4, role: ``), then what is
    wrong and what is allowed. The sentences are in ``catalogue/case.toml``
    (``case.where.<place>`` and ``case.error.<problem>``); a ``kind`` parameter names a
    ``case.kind.<kind>`` ("organisation", in Dutch "organisatie").
    """

    def __init__(self, problem: str | None = None, *, key: str | None = None, field: str = "",
                 line: int | None = None, place: str = "line", **params: Any) -> None:
        self.problem = problem
        self.field = field
        self.line = line
        self.place = place if line is not None else ("field" if field else "none")
        super().__init__(key=problem or key, **params)

    def text(self, lang: str = catalogue.DEFAULT) -> str:
        params = dict(self.params)
        if "kind" in params:
            params["kind"] = catalogue.text(f"case.kind.{params['kind']}", lang)
        place = self.place if self.field or self.line is None else f"{self.place}_only"
        where = ("" if place == "none"
                 else catalogue.text(f"case.where.{place}", lang, n=self.line, field=self.field))
        sentence = (catalogue.text(f"case.error.{self.problem}", lang, **params) if self.problem
                    else catalogue.text(f"errors.{self.key}", lang, **params))
        return where + sentence


class StoreBusy(ChaingraphError, TimeoutError):
    """Another process kept writing to a store longer than a writer waits for it."""

    def __init__(self, store: object, pid: str, seconds: float) -> None:
        super().__init__(key="store_busy", store=str(store), pid=pid or "?",
                         seconds=round(seconds))
