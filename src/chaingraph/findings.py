"""What an audit finds: typed findings, a report that can filter, count, raise and render.

:func:`chaingraph.audit.audit` returns an :class:`AuditReport` instead of pySHACL's
``(conforms, graph, text)`` tuple. Its texts are in the language the audit ran in
(``in_language`` switches between English and Dutch); ``render_text``, ``render_html`` and
``to_json`` give the report for people and machines, in either language.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from chaingraph import escape
from chaingraph.catalogue import texts
from chaingraph.errors import AuditViolations
from chaingraph.labels import local_name

SEVERITY_ORDER = ("violation", "warning", "info")
CODE_LANGUAGE = "en"
"""The language the rules' codes are written in (``phase-gap``)."""
ANY = object()
"""Matches every case in :meth:`AuditReport.filter` (the default)."""


class LazyTexts(Mapping[str, Mapping[str, "str | None"]]):
    """A finding's texts by language, each made when first asked for.

    An audit makes the texts of the language it runs in; the other language's are made only
    if the report is switched to it (:meth:`Finding.translated`), which saves the parent of a
    large audit half its text work. Pickled as a plain dict of every language.
    """

    def __init__(self, made: dict[str, Mapping[str, str | None]], languages: tuple[str, ...],
                 make: Callable[[str], Mapping[str, str | None]]) -> None:
        self._made = made
        self._languages = languages
        self._make: Callable[[str], Mapping[str, str | None]] | None = make

    def __getitem__(self, lang: str) -> Mapping[str, str | None]:
        if lang not in self._made:
            if lang not in self._languages or self._make is None:
                raise KeyError(lang)
            self._made[lang] = self._make(lang)
        return self._made[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._languages)

    def __len__(self) -> int:
        return len(self._languages)

    def __reduce__(self) -> tuple[type, tuple[dict[str, Mapping[str, str | None]]]]:
        return dict, ({lang: self[lang] for lang in self._languages},)


@dataclass(frozen=True)
class Finding:
    """One way in which one node of one case breaks one rule.

    ``case`` is the case id (None for the monitor and other shared data); ``phase`` is the
    notation of the phase the finding concerns (of the node, or else of the measure the rule
    enforces); ``start``/``end`` bound the period of a gap or overlap (inclusive, ISO dates).
    """

    case: str | None
    rule: str
    shape: str
    severity: str
    focus: str
    message: str
    action: str
    phase: str | None = None
    phase_label: str | None = None
    measure: str | None = None
    measure_notation: str | None = None
    measure_label: str | None = None
    value: str | None = None
    start: str | None = None
    end: str | None = None
    rule_label: str | None = None
    texts: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict, compare=False,
                                                          repr=False)
    """The message, action and labels in every language, by language (see :meth:`translated`)."""

    def translated(self, lang: str) -> Finding:
        """Return the finding with its message, action and labels in ``lang`` (if known)."""
        texts = self.texts.get(lang)
        return replace(self, **texts) if texts else self  # type: ignore[arg-type]  # message, action: never None

    @property
    def node(self) -> str:
        """The focus node's short name (the last part of its IRI)."""
        return local_name(self.focus)

    def to_dict(self) -> dict[str, object]:
        """Return the finding as the JSON report has it."""
        data: dict[str, object] = {
            "rule": self.rule, "rule_label": self.rule_label, "shape": self.shape,
            "severity": self.severity,
            "phase": self.phase, "phase_label": self.phase_label, "measure": self.measure,
            "measure_notation": self.measure_notation, "measure_label": self.measure_label,
            "focus": self.focus, "message": self.message, "action": self.action,
        }
        if self.value is not None:
            data["value"] = self.value
        if self.start is not None:
            data["from"] = self.start
        if self.end is not None:
            data["to"] = self.end
        return data


@dataclass
class AuditReport:
    """The findings of an audit, with the cases it checked and the date it audited."""

    findings: list[Finding]
    cases: list[str]
    at: date
    lang: str = "en"
    phase_order: dict[str, int] = field(default_factory=dict, repr=False)
    engine: str = "reference"
    why: str = "chosen"
    why_detail: str = ""

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos allowed)."""
        return not any(f.severity == "violation" for f in self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    @property
    def by_severity(self) -> dict[str, int]:
        """Number of findings per severity (every severity, most severe first)."""
        counts = Counter(f.severity for f in self.findings)
        return {severity: counts.get(severity, 0) for severity in SEVERITY_ORDER}

    @property
    def by_rule(self) -> dict[str, int]:
        """Number of findings per rule name, sorted by name."""
        return dict(sorted(Counter(f.rule for f in self.findings).items()))

    @property
    def cases_with_findings(self) -> list[str]:
        """The checked cases that have at least one finding."""
        found = {f.case for f in self.findings}
        return [case for case in self.cases if case in found]

    def by_case(self) -> dict[str | None, list[Finding]]:
        """Findings per case id, in case order (None, the shared data, last)."""
        grouped: dict[str | None, list[Finding]] = {case: [] for case in self.cases}
        for finding in self.findings:
            grouped.setdefault(finding.case, []).append(finding)
        return grouped

    def filter(self, *, case: str | None | object = ANY, rule: str | None = None,
               severity: str | None = None, phase: str | None = None) -> AuditReport:
        """Return a report with only the findings that match every given criterion.

        ``case=None`` keeps the findings on the monitor and other shared data.

        Example:
            >>> from datetime import date
            >>> f = Finding("FX-1", "no-lawyer", "s", "violation", "n", "m", "a")
            >>> r = AuditReport([f], ["FX-1"], date(2021, 1, 1))
            >>> len(r.filter(severity="warning")), r.filter(rule="no-lawyer").conforms
            (0, False)
        """
        kept = [f for f in self.findings
                if (case is ANY or f.case == case) and (rule is None or f.rule == rule)
                and (severity is None or f.severity == severity)
                and (phase is None or f.phase == phase)]
        return replace(self, findings=kept)

    def raise_for_violations(self) -> AuditReport:
        """Raise :class:`AuditViolations` if there is a violation; return the report otherwise."""
        if not self.conforms:
            raise AuditViolations(self)
        return self

    # ---------------------------------------------------------------- rendering

    def _phases(self, findings: list[Finding]) -> list[tuple[str | None, list[Finding]]]:
        groups: dict[str | None, list[Finding]] = {}
        for finding in findings:
            groups.setdefault(finding.phase, []).append(finding)
        return sorted(groups.items(),
                      key=lambda kv: (self.phase_order.get(kv[0] or "", 99), kv[0] or ""))

    def summary(self) -> dict[str, object]:
        """The summary of the JSON report."""
        return {
            "date": self.at.isoformat(),
            "engine": self.engine,
            "engine_reason": self._reason(),
            "conforms": self.conforms,
            "cases_checked": len(self.cases),
            "cases_with_findings": len(self.cases_with_findings),
            "findings": len(self.findings),
            "by_severity": self.by_severity,
            "by_rule": self.by_rule,
        }

    def to_dict(self) -> dict[str, object]:
        """The report as the JSON output has it: a summary and findings per case."""
        return {
            "summary": self.summary(),
            "cases": [{"case": case, "findings": [f.to_dict() for f in findings]}
                      for case, findings in self.by_case().items()],
        }

    def in_language(self, lang: str) -> AuditReport:
        """Return the report with messages, actions and labels in ``lang`` (``en`` or ``nl``)."""
        if lang == self.lang:
            return self
        return replace(self, findings=[f.translated(lang) for f in self.findings], lang=lang)

    def to_json(self, lang: str | None = None) -> str:
        """Return the report as JSON (see :meth:`to_dict`), in ``lang`` (default: the audit's)."""
        return json.dumps(self.in_language(lang or self.lang).to_dict(), indent=2,
                          ensure_ascii=False)

    def engine_line(self) -> str:
        """Which engine ran and why, as one line in the report's language.

        Example:
            >>> report = AuditReport([], [], date(2021, 1, 1), engine="compiled", why="default")
            >>> print(report.engine_line())  # doctest: +NORMALIZE_WHITESPACE
            Engine: compiled (the shapes as SPARQL, case by case on Oxigraph); the default, the
            same findings as the reference (pySHACL)
        """
        t = texts("audit", self.lang)
        return f"{t['engine']}: {t['engine_' + self.engine]}; {self._reason()}"

    def _reason(self) -> str:
        return texts("audit", self.lang)[f"why_{self.why}"].format(detail=self.why_detail)

    def render_text(self, lang: str | None = None) -> str:
        """Return the report as plain text: findings by case, then phase, then a summary."""
        if lang and lang != self.lang:
            return self.in_language(lang).render_text()
        t = texts("audit", self.lang)
        lines = [t["title"].format(date=self.at.isoformat()), self.engine_line(), ""]
        for case, findings in self.by_case().items():
            if not findings:
                continue
            lines.append(case if case is not None else t["shared"])
            for _phase, items in self._phases(findings):
                lines.append(f"  {items[0].phase_label or t['no_phase']}")
                for f in items:
                    lines.append(f"    [{t[f.severity]}] {_rule_name(f, self.lang)}: {f.message}")
                    measure = _measure(f)
                    lines.append(f"      {t['node']}: {f.node}; {t['measure']}: {measure}")
                    lines.append(f"      {t['action']}: {f.action}")
            lines.append("")
        if not self.findings:
            lines += [t["none"], ""]
        lines += self._summary_lines(t)
        # labels and messages come from the data: no control sequence reaches a terminal
        return escape.text("\n".join(lines))

    def _summary_lines(self, t: dict[str, str]) -> list[str]:
        severity = ", ".join(f"{t[s]} {n}" for s, n in self.by_severity.items())
        rules = ", ".join(f"{r} {n}" for r, n in self.by_rule.items()) or "-"
        verdict = t["conforms"] if self.conforms else t["violations"]
        return [
            t["summary"],
            f"  {t['checked']}: {len(self.cases)}; {t['with']}: {len(self.cases_with_findings)}",
            f"  {t['by_severity']}: {severity}",
            f"  {t['by_rule']}: {rules}",
            f"  {verdict}",
        ]

    def render_html(self, lang: str | None = None) -> str:
        """Return the report as one self-contained HTML page (``audit.html``, with print CSS)."""
        if lang and lang != self.lang:
            return self.in_language(lang).render_html()
        from chaingraph.templates import render  # Jinja2 loads only when a page is written

        t = texts("audit", self.lang)
        cases = [
            (case if case is not None else t["shared"],
             [(items[0].phase_label or t["no_phase"], [(f, _measure(f)) for f in items])
              for _, items in self._phases(findings)])
            for case, findings in self.by_case().items() if findings
        ]
        return render(
            "audit.html", lang=self.lang, t=t, title=t["title"].format(date=self.at.isoformat()),
            engine=self.engine_line(), checked=len(self.cases),
            with_findings=len(self.cases_with_findings), by_severity=self.by_severity,
            by_rule=self.by_rule, verdict=t["conforms"] if self.conforms else t["violations"],
            any_findings=bool(self.findings), cases=cases,
        )


def _rule_name(finding: Finding, lang: str) -> str:
    """The rule's code ("phase-gap"), which is English; in another language its label first."""
    if lang == CODE_LANGUAGE or not finding.rule_label:
        return finding.rule
    return f"{finding.rule_label} ({finding.rule})"


def _measure(finding: Finding) -> str:
    if finding.measure_notation:
        return f"{finding.measure_notation} {finding.measure_label}"
    return "-"
