"""What an audit finds: typed findings, a report that can filter, count, raise and render.

:func:`chaingraph.audit.audit` returns an :class:`AuditReport` instead of pySHACL's
``(conforms, graph, text)`` tuple. Its texts are in the language the audit ran in
(``in_language`` switches between English and Dutch); ``render_text``, ``render_html`` and
``to_json`` give the report for people and machines, in either language.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from html import escape

from chaingraph.errors import ChaingraphError
from chaingraph.language import local_name, pick

SEVERITY_ORDER = ("violation", "warning", "info")
ANY = object()
"""Matches every case in :meth:`AuditReport.filter` (the default)."""


class AuditViolations(ChaingraphError):
    """Raised by :meth:`AuditReport.raise_for_violations` when an audit found violations."""

    def __init__(self, report: AuditReport) -> None:
        self.report = report
        violations = report.filter(severity="violation")
        cases = sorted({f.case or "-" for f in violations})
        super().__init__(f"{len(violations)} violation(s) of the agreed work process in "
                         f"{len(cases)} case(s): {', '.join(cases)}")


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
    texts: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict, compare=False,
                                                          repr=False)
    """The message, action and labels in every language, by language (see :meth:`translated`)."""

    def translated(self, lang: str) -> Finding:
        """Return the finding with its message, action and labels in ``lang`` (if known)."""
        texts = self.texts.get(lang)
        return replace(self, **texts) if texts else self  # type: ignore[arg-type]

    @property
    def node(self) -> str:
        """The focus node's short name (the last part of its IRI)."""
        return local_name(self.focus)

    def to_dict(self) -> dict[str, object]:
        """Return the finding as the JSON report has it."""
        data: dict[str, object] = {
            "rule": self.rule, "shape": self.shape, "severity": self.severity,
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
            >>> AuditReport([], [], date(2021, 1, 1), engine="compiled", why="default").engine_line()
            'Engine: compiled (the shapes as SPARQL, case by case on Oxigraph); the default, the same findings as the reference (pySHACL)'
        """
        t = pick(_TEXT, self.lang)
        return f"{t['engine']}: {t['engine_' + self.engine]}; {self._reason()}"

    def _reason(self) -> str:
        return pick(_TEXT, self.lang)[f"why_{self.why}"].format(detail=self.why_detail)

    def render_text(self, lang: str | None = None) -> str:
        """Return the report as plain text: findings by case, then phase, then a summary."""
        if lang and lang != self.lang:
            return self.in_language(lang).render_text()
        t = pick(_TEXT, self.lang)
        lines = [t["title"].format(date=self.at.isoformat()), self.engine_line(), ""]
        for case, findings in self.by_case().items():
            if not findings:
                continue
            lines.append(case if case is not None else t["shared"])
            for phase, items in self._phases(findings):
                lines.append(f"  {items[0].phase_label or t['no_phase']}")
                for f in items:
                    lines.append(f"    [{t[f.severity]}] {f.rule}: {f.message}")
                    measure = _measure(f)
                    lines.append(f"      {t['node']}: {f.node}; {t['measure']}: {measure}")
                    lines.append(f"      {t['action']}: {f.action}")
            lines.append("")
        if not self.findings:
            lines += [t["none"], ""]
        lines += self._summary_lines(t)
        return "\n".join(lines)

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
        """Return the report as one self-contained HTML page (no external resources, print CSS)."""
        if lang and lang != self.lang:
            return self.in_language(lang).render_html()
        t = pick(_TEXT, self.lang)
        e = escape
        parts = [
            "<!DOCTYPE html>", f'<html lang="{e(self.lang)}">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(t['title'].format(date=self.at.isoformat()))}</title>",
            f"<style>{_CSS}</style>", "</head>", "<body>",
            f"<h1>{e(t['title'].format(date=self.at.isoformat()))}</h1>",
            f'<p class="engine">{e(self.engine_line())}</p>',
            '<section class="summary">', f"<h2>{e(t['summary'])}</h2>", "<dl>",
            f"<dt>{e(t['checked'])}</dt><dd>{len(self.cases)}</dd>",
            f"<dt>{e(t['with'])}</dt><dd>{len(self.cases_with_findings)}</dd>",
            f"<dt>{e(t['by_severity'])}</dt><dd>"
            + ", ".join(f'<span class="sev {s}">{e(t[s])}</span> {n}'
                        for s, n in self.by_severity.items())
            + "</dd>",
            f"<dt>{e(t['by_rule'])}</dt><dd>"
            + (", ".join(f"<code>{e(r)}</code> {n}" for r, n in self.by_rule.items()) or "-")
            + "</dd>",
            "</dl>",
            f'<p class="verdict">{e(t["conforms"] if self.conforms else t["violations"])}</p>',
            "</section>",
        ]
        if not self.findings:
            parts.append(f"<p>{e(t['none'])}</p>")
        for case, findings in self.by_case().items():
            if not findings:
                continue
            parts.append('<section class="case">')
            parts.append(f"<h2>{e(case if case is not None else t['shared'])}</h2>")
            for _, items in self._phases(findings):
                parts.append(f"<h3>{e(items[0].phase_label or t['no_phase'])}</h3>")
                for f in items:
                    measure = _measure(f)
                    parts += [
                        f'<article class="finding {e(f.severity)}">',
                        f'<p class="message"><span class="sev {e(f.severity)}">'
                        f"{e(t[f.severity])}</span> <code>{e(f.rule)}</code> {e(f.message)}</p>",
                        "<dl>",
                        f"<dt>{e(t['node'])}</dt>"
                        f"<dd><code title=\"{e(f.focus)}\">{e(f.node)}</code></dd>",
                        f"<dt>{e(t['measure'])}</dt><dd>{e(measure)}</dd>",
                        f"<dt>{e(t['action'])}</dt><dd>{e(f.action)}</dd>",
                        "</dl>", "</article>",
                    ]
            parts.append("</section>")
        parts += ["</body>", "</html>", ""]
        return "\n".join(parts)


def _measure(finding: Finding) -> str:
    if finding.measure_notation:
        return f"{finding.measure_notation} {finding.measure_label}"
    return "-"


_TEXT = {
    "en": {
        "title": "Audit of the work process on {date}", "shared": "Monitor and shared data",
        "no_phase": "(no phase)", "violation": "violation", "warning": "warning", "info": "info",
        "node": "node", "measure": "measure", "action": "what to do", "summary": "Summary",
        "checked": "cases checked", "with": "cases with findings", "by_severity": "by severity",
        "by_rule": "by rule", "none": "No findings.",
        "conforms": "No violations: the cases follow the agreed work process.",
        "violations": "Violations found: the cases do not all follow the agreed work process.",
        "engine": "Engine", "engine_compiled": "compiled (the shapes as SPARQL, case by case on Oxigraph)",
        "engine_reference": "reference (pySHACL, case by case)",
        "why_default": "the default, the same findings as the reference (pySHACL)",
        "why_chosen": "chosen with --engine; both engines give the same findings",
        "why_unsupported": "the compiler refuses {detail}, so the reference engine ran",
    },
    "nl": {
        "title": "Audit van het werkproces op {date}", "shared": "Monitor en gedeelde gegevens",
        "no_phase": "(geen fase)", "violation": "overtreding", "warning": "waarschuwing",
        "info": "info", "node": "knoop", "measure": "maatregel", "action": "wat te doen",
        "summary": "Samenvatting", "checked": "casussen gecontroleerd",
        "with": "casussen met bevindingen", "by_severity": "per ernst", "by_rule": "per regel",
        "none": "Geen bevindingen.",
        "conforms": "Geen overtredingen: de casussen volgen het afgesproken werkproces.",
        "violations": "Overtredingen gevonden: niet alle casussen volgen het afgesproken "
                      "werkproces.",
        "engine": "Engine",
        "engine_compiled": "gecompileerd (de shapes als SPARQL, casus voor casus in Oxigraph)",
        "engine_reference": "referentie (pySHACL, casus voor casus)",
        "why_default": "de standaard, dezelfde bevindingen als de referentie (pySHACL)",
        "why_chosen": "gekozen met --engine; beide engines geven dezelfde bevindingen",
        "why_unsupported": "de compiler weigert {detail}, dus draaide de referentie-engine",
    },
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6rem;border-bottom:2px solid #333}h2{margin-top:2rem;font-size:1.3rem}
h3{font-size:1.05rem;color:#444;margin-bottom:.3rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.3rem 0}
dt{font-weight:600}dd{margin:0}
.finding{border-left:4px solid #999;padding:.3rem .8rem;margin:.6rem 0;background:#fafafa}
.finding.violation{border-color:#b00020}.finding.warning{border-color:#b26a00}
.finding.info{border-color:#00579b}
.sev{display:inline-block;padding:0 .4rem;border-radius:.2rem;font-size:.85em;font-weight:600;
color:#fff;background:#666}.sev.violation{background:#b00020}.sev.warning{background:#b26a00}
.sev.info{background:#00579b}.message{margin:.2rem 0}.verdict{font-weight:600}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
@media print{body{margin:0;max-width:none;font-size:10.5pt}.case{break-inside:auto}
.finding{break-inside:avoid;background:none}
.sev{color:#000;background:none;border:1px solid #000}h2,h3{break-after:avoid}}
"""
