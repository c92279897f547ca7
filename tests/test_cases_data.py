"""The fictional example cases in data/cases: well-formed, pseudonymous, using only the
ontology's terms, and with exactly the flaws that data/cases/flaws.json says they have.

The rules are re-implemented here in plain Python over rdflib (no chaingraph code, no
SHACL, no monitor data), so the audit can later be checked against an independent answer.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

ROOT = Path(__file__).parents[1]
CASES_DIR = ROOT / "data" / "cases"
ONTOLOGY_DIR = ROOT / "ontology"
CASE_FILES = sorted(CASES_DIR.glob("*.ttl"))
FLAWS_FILE = CASES_DIR / "flaws.json"

CG = Namespace("https://w3id.org/chaingraph/ontology#")
MON = Namespace("https://w3id.org/chaingraph/monitor/")
PRS = Namespace("https://w3id.org/chaingraph/person/")
CASE_BASE = "https://w3id.org/chaingraph/case/"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")

HEADER = "# FICTIONAL EXAMPLE CASE — made up, no real person or case."
PSEUDONYM = re.compile(r"^P-[A-Z0-9]{5}$")
CASE_PHASES = {CG.PhaseRecognition, CG.PhaseRiskAssessment, CG.PhaseCaseDirection,
               CG.PhaseCollaboration}
PHASE_NAMES = {CG.PhaseRecognition: "recognition", CG.PhaseRiskAssessment: "risk",
               CG.PhaseCaseDirection: "direction", CG.PhaseCollaboration: "collaboration"}
# The contact points every case needs: role -> organisation (zaakskoppel only at high risk).
CONTACT_POINTS = {
    "casusregisseur": ("politie", "no-case-director"),
    "zaakskoppel": ("om", "no-case-pair"),
    "procesregisseur-vtrr": ("vtrr", "no-vtrr-process-director"),
    "vast-aanspreekpunt": ("politie", "no-victim-contact-point"),
    "jurist-shn": ("shn", "no-lawyer"),
}
RULES = {
    "phase-gap", "phase-overlap", "police-not-informed", "no-victim-contact-point",
    "no-case-director", "no-case-pair", "no-vtrr-process-director", "no-lawyer",
    "no-safety-assessment", "not-discussed-at-zvhrr", "no-aware",
    "instrument-missing-responsibility",
    "no-duty-to-report", "ankle-monitor-unmonitored", "no-escalation-path",
    "escalation-without-learning-session", "dates-out-of-order",
}


# ---------------------------------------------------------------- loading

@cache
def ontology() -> Graph:
    graph = Graph()
    files = sorted(ONTOLOGY_DIR.glob("*.ttl"))
    assert files, "no ontology files"
    for path in files:
        graph.parse(path, format="turtle")
    return graph


@cache
def case_graph(path: Path) -> Graph:
    """The case file alone (what it asserts)."""
    return Graph().parse(path, format="turtle")


@cache
def flaws() -> dict:
    return json.loads(FLAWS_FILE.read_text(encoding="utf-8"))


def subclasses(cls: URIRef) -> set[URIRef]:
    return set(ontology().transitive_subjects(RDFS.subClassOf, cls))


def local(node) -> str:
    text = str(node)
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def org_name(node) -> str:
    return local(node).removeprefix("org-")


def iris(graph: Graph, namespace: Namespace) -> set[URIRef]:
    """Every IRI in ``namespace`` that ``graph`` uses, in any position."""
    return {t for triple in graph for t in triple
            if isinstance(t, URIRef) and str(t).startswith(str(namespace))}


def day(value) -> date | None:
    return None if value is None else value.toPython()


def days(first: date, last: date):
    current = first
    while current <= last:
        yield current
        current += timedelta(days=1)


def ranges(sorted_days: list[date]) -> list[tuple[date, date]]:
    """Group sorted days into runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for d in sorted_days:
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


# ---------------------------------------------------------------- an independent audit

class CaseView:
    def __init__(self, graph: Graph):
        self.g = graph
        cases = list(graph.subjects(RDF.type, CG.Case))
        assert len(cases) == 1, f"expected one cg:Case, found {cases}"
        self.case = cases[0]
        self.start = day(graph.value(self.case, CG.startDate))
        self.end = day(graph.value(self.case, CG.endDate))
        self.last = self.end or date.today()

    def members(self, cls: URIRef) -> list[URIRef]:
        return sorted(s for s in self.g.subjects(RDF.type, cls)
                      if (s, CG.inCase, self.case) in self.g)

    def instruments(self, cls: URIRef = CG.Instrument) -> list[URIRef]:
        found = set()
        for sub in subclasses(cls):
            found.update(self.members(sub))
        return sorted(found)

    def responsibilities(self, instrument: URIRef) -> list[URIRef]:
        return [r for r in self.g.subjects(CG.instrument, instrument)
                if (r, RDF.type, CG.InstrumentResponsibility) in self.g]

    def is_high_risk(self) -> bool:
        if (self.case, CG.riskLevel, CG.RiskHigh) in self.g:
            return True
        return any((s, CG.riskOutcome, CG.RiskHigh) in self.g
                   for s in self.members(CG.SASHScreening))

    def covers(self, node, d: date) -> bool:
        start, end = day(self.g.value(node, CG.startDate)), day(self.g.value(node, CG.endDate))
        return start is not None and start <= d and (end is None or d <= end)

    def covers_period(self, node) -> bool:
        start, end = day(self.g.value(node, CG.startDate)), day(self.g.value(node, CG.endDate))
        if start is None or start > self.start:
            return False
        if self.end is None:
            return end is None
        return end is None or end >= self.end


def audit(graph: Graph) -> list[dict]:
    """Return the rule violations of one case, as dicts like the entries of flaws.json."""
    v = CaseView(graph)
    g, case = v.g, v.case
    found: list[dict] = []

    # Phase ownership: exactly one owner on every day of the active period.
    for phase in sorted(g.objects(case, CG.appliesPhase)):
        owners = [o for o in v.members(CG.PhaseOwnership)
                  if (o, CG.phase, phase) in g and (o, CG.responsibility, CG.Owns) in g]
        empty, double = [], []
        for d in days(v.start, v.last):
            covering = [o for o in owners if v.covers(o, d)]
            if not covering:
                empty.append(d)
            elif len(covering) > 1:
                double.append((d, covering))
        for first, last in ranges(empty):
            found.append({"rule": "phase-gap", "phase": PHASE_NAMES.get(phase, local(phase)),
                          "from": first.isoformat(), "to": last.isoformat()})
        for first, last in ranges([d for d, _ in double]):
            orgs = {org_name(g.value(o, CG.organisation))
                    for d, covering in double if first <= d <= last for o in covering}
            found.append({"rule": "phase-overlap", "phase": PHASE_NAMES.get(phase, local(phase)),
                          "from": first.isoformat(), "to": last.isoformat(),
                          "organisations": sorted(orgs)})

    # Contact points per organisation.
    for role, (org, rule) in CONTACT_POINTS.items():
        if role == "zaakskoppel" and not v.is_high_risk():
            continue
        held = [a for a in v.members(CG.RoleAssignment)
                if (a, CG.role, MON["role-" + role]) in g
                and (a, CG.organisation, MON["org-" + org]) in g]
        if len(held) != 1 or not v.covers_period(held[0]) or g.value(held[0], CG.holder) is None:
            found.append({"rule": rule})

    # Every SASH gets a later (or same-day) safety assessment by Veilig Thuis.
    by_vtrr = [a for a in v.instruments(CG.SafetyAssessment)
               if any((r, CG.responsibility, CG.CarriesOut) in g
                      and (r, CG.organisation, MON["org-vtrr"]) in g
                      for r in v.responsibilities(a))]
    for sash in v.instruments(CG.SASHScreening):
        when = day(g.value(sash, CG.startDate))
        if g.value(sash, CG.riskOutcome) is None or not any(
                when is not None and day(g.value(a, CG.startDate)) is not None
                and day(g.value(a, CG.startDate)) >= when for a in by_vtrr):
            found.append({"rule": "no-safety-assessment", "instrument": local(sash)})

    # High risk: discussed at ZVHRR, Aware considered.
    if v.is_high_risk():
        meetings = v.members(CG.CaseConsultation) + v.members(CG.ThemeRoom)
        if not any((m, CG.hostedBy, MON["org-zvhrr"]) in g and g.value(m, CG.date) is not None
                   and g.value(m, CG.participant) is not None for m in meetings):
            found.append({"rule": "not-discussed-at-zvhrr"})
        if not v.instruments(CG.Aware):
            found.append({"rule": "no-aware"})

    # Instruments: decides, carries out, monitors; the police informed of protection measures.
    protective = set(v.instruments(CG.ProtectionMeasure))
    for inst in v.instruments():
        resps = v.responsibilities(inst)
        complete = {g.value(r, CG.responsibility) for r in resps
                    if all(g.value(r, p) is not None
                           for p in (CG.organisation, CG.role, CG.holder, CG.startDate))}
        if not {CG.Decides, CG.CarriesOut, CG.Monitors} <= complete:
            found.append({"rule": "instrument-missing-responsibility", "instrument": local(inst)})
        if inst in protective and not any(
                (r, CG.responsibility, CG.Informed) in g
                and (r, CG.organisation, MON["org-politie"]) in g
                for r in resps):
            found.append({"rule": "police-not-informed", "instrument": local(inst)})
    for order in v.instruments(CG.BehaviouralOrder):
        if (order, CG.dutyToReport, Literal(True)) not in g:
            found.append({"rule": "no-duty-to-report", "instrument": local(order)})
    for monitor in v.instruments(CG.AnkleMonitor):
        resps = v.responsibilities(monitor)
        by_probation = any((r, CG.responsibility, CG.Monitors) in g
                           and (r, CG.organisation, MON["org-reclassering"]) in g for r in resps)
        alerts = any((r, CG.responsibility, CG.ReceivesAlerts) in g for r in resps)
        if not (by_probation and alerts):
            found.append({"rule": "ankle-monitor-unmonitored", "instrument": local(monitor)})

    # Escalation path and learning from escalations.
    if g.value(case, CG.escalationAgreement) is None:
        found.append({"rule": "no-escalation-path"})
    for esc in v.members(CG.Escalation):
        when = day(g.value(esc, CG.date))
        followed = [s for s in v.members(CG.LearningSession)
                    if (s, CG.followsUp, esc) in g and (s, CG.hostedBy, MON["org-zvhrr"]) in g
                    and g.value(s, CG.participant) is not None
                    and when is not None and day(g.value(s, CG.date)) > when]
        if g.value(esc, CG.escalatedTo) is None or not followed:
            found.append({"rule": "escalation-without-learning-session", "escalation": local(esc)})

    # Dates in order and inside the case's period.
    bad = set()
    if v.end is not None and v.end < v.start:
        bad.add(local(case))
    for node in set(g.subjects(CG.inCase, case)):
        start, end = day(g.value(node, CG.startDate)), day(g.value(node, CG.endDate))
        when = day(g.value(node, CG.date))
        for d in (start, end, when):
            if d is not None and not (v.start <= d <= v.last):
                bad.add(local(node))
        if start is not None and end is not None and end < start:
            bad.add(local(node))
        assignment = any((node, RDF.type, cls) in g for cls in subclasses(CG.Assignment))
        if v.end is not None and start is not None and end is None and assignment:
            bad.add(local(node))  # an open-ended assignment in a closed case
    for node in sorted(bad):
        found.append({"rule": "dates-out-of-order", "node": node})

    return found


# ---------------------------------------------------------------- the files

def test_there_are_enough_cases_and_a_flaw_list():
    assert CASE_FILES, "no case files in data/cases"
    assert len(CASE_FILES) >= 6
    assert FLAWS_FILE.is_file()
    assert set(flaws()) == {p.stem for p in CASE_FILES}, "flaws.json: every case, and only those"
    assert sum(1 for v in flaws().values() if v) >= 3, "at least three flawed cases"
    assert sum(1 for v in flaws().values() if not v) >= 3, "at least three sound cases"
    for case_id, entries in flaws().items():
        for entry in entries:
            assert entry["rule"] in RULES, (case_id, entry)


@pytest.fixture(params=CASE_FILES, ids=lambda p: p.stem)
def path(request) -> Path:
    return request.param


def test_parses_together_with_the_ontology(path):
    graph = Graph()
    graph += ontology()
    graph.parse(path, format="turtle")
    assert len(graph) > len(ontology())


def test_header_comment_tells_the_story_and_the_flaws(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    assert len(header) >= 5, "the header comment should tell the story"
    flaw_lines = [line for line in header if line.startswith("# FLAW:")]
    expected = flaws()[path.stem]
    if expected:
        assert len(flaw_lines) == len(expected)
        assert all(line.strip() != "# FLAW: none" for line in flaw_lines)
    else:
        assert flaw_lines == ["# FLAW: none"]


def test_case_identity_and_required_fields(path):
    g = case_graph(path)
    v = CaseView(g)
    ns = f"{CASE_BASE}{path.stem}/"
    assert v.case == URIRef(ns + "case")
    assert str(g.value(v.case, CG.caseId)) == path.stem
    assert (v.case, CG.fictional, Literal(True)) in g, "cg:fictional true"
    assert g.value(v.case, CG.startDate).datatype == XSD_DATE
    assert v.end is None or v.end >= v.start
    assert date(2021, 1, 1) <= v.start and (v.end is None or v.end <= date(2022, 12, 31))
    # A case may leave its risk level unrecorded only when a SASH scored high (then it is
    # high risk by definition: cg:HighRiskCase).
    assert g.value(v.case, CG.riskLevel) in {CG.RiskLow, CG.RiskMedium, CG.RiskHigh} or (
        g.value(v.case, CG.riskLevel) is None and v.is_high_risk())
    assert set(g.objects(v.case, CG.appliesPhase)) == CASE_PHASES
    victim, suspect = g.value(v.case, CG.victim), g.value(v.case, CG.suspect)
    assert victim is not None and suspect is not None and victim != suspect
    for person in (victim, suspect):
        assert (person, RDF.type, CG.Person) in g and (person, RDF.type, CG.Professional) not in g
    # Everything the file describes belongs to this case or is a pseudonymous person.
    for subject in set(g.subjects()):
        assert str(subject).startswith(ns) or str(subject).startswith(str(PRS)), subject
    # Every date is an xsd:date.
    for prop in (CG.startDate, CG.endDate, CG.date):
        for value in g.objects(None, prop):
            assert isinstance(value, Literal) and value.datatype == XSD_DATE, (prop, value)
    # Every case is screened (SASH) and the screening has an outcome.
    assert v.instruments(CG.SASHScreening), "no SASH screening"


def test_fictional(path):
    g = case_graph(path)
    values = list(g.objects(None, CG.fictional))
    assert values and all(v.toPython() is True for v in values)


def test_persons_are_pseudonyms_only(path):
    g = case_graph(path)
    people = set(g.subjects(RDF.type, CG.Person)) | set(g.subjects(RDF.type, CG.Professional))
    used = {o for p in (CG.victim, CG.suspect, CG.holder) for o in g.objects(None, p)}
    used |= iris(g, PRS)
    assert used <= people, f"persons used but not declared: {sorted(used - people)}"
    for person in people:
        assert str(person).startswith(str(PRS)), person
        predicates = set(g.predicates(person, None))
        assert predicates <= {RDF.type, CG.pseudonym}, f"{person} has {sorted(predicates)}"
        literals = [(p, o) for p, o in g.predicate_objects(person) if isinstance(o, Literal)]
        assert [p for p, _ in literals] == [CG.pseudonym], f"{person}: {literals}"
        pseudonym = str(literals[0][1])
        assert PSEUDONYM.match(pseudonym), pseudonym
        assert pseudonym == local(person)
        assert set(g.objects(person, RDF.type)) <= {CG.Person, CG.Professional}
    for holder in g.objects(None, CG.holder):
        assert (holder, RDF.type, CG.Professional) in g, f"holder {holder} is not a cg:Professional"


def test_only_declared_ontology_terms(path):
    g = case_graph(path)
    declared = {s for s in ontology().subjects() if str(s).startswith(str(CG))}
    used = iris(g, CG)
    assert used - declared == set(), sorted(used - declared)
    assert CG.PhaseOther not in set(g.objects(None, CG.appliesPhase))


def test_monitor_terms_are_the_documented_ones(path):
    """mon: IRIs must be those listed in data/README.md (the monitor data need not exist yet)."""
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    g = case_graph(path)
    used = iris(g, MON)
    unknown = sorted(t for t in used if not re.search(rf"`mon:{re.escape(local(t))}`", readme))
    assert not unknown, unknown


def _matches(expected: dict, found: dict) -> bool:
    return all(found.get(key) == value for key, value in expected.items())


def test_stated_flaws_are_exactly_the_flaws_in_the_data(path):
    expected = flaws()[path.stem]
    found = audit(case_graph(path))
    for entry in expected:
        assert any(_matches(entry, f) for f in found), f"stated flaw {entry} not in {found}"
    for f in found:
        assert any(_matches(entry, f) for entry in expected), f"unstated flaw {f}"
    assert len(found) == len(expected), found


SOUND_CASES = [p for p in CASE_FILES if not flaws()[p.stem]]


def test_there_are_sound_and_flawed_cases():
    assert len(SOUND_CASES) >= 3 and len(CASE_FILES) - len(SOUND_CASES) >= 3


@pytest.mark.parametrize("sound", SOUND_CASES, ids=lambda p: p.stem)
def test_sound_cases_have_one_owner_per_phase_every_day(sound):
    found = audit(case_graph(sound))
    assert not [f for f in found if f["rule"] in {"phase-gap", "phase-overlap"}], found


def test_gap_and_overlap_are_computed_by_day():
    """The audit's own check: a 23-day gap and a 3-day overlap on a tiny made-up graph."""
    g = Graph()
    case = URIRef(CASE_BASE + "T/case")
    g.add((case, RDF.type, CG.Case))
    g.add((case, CG.startDate, Literal(date(2021, 6, 1))))
    g.add((case, CG.endDate, Literal(date(2021, 7, 31))))
    g.add((case, CG.appliesPhase, CG.PhaseRiskAssessment))
    spans = [(date(2021, 6, 1), date(2021, 6, 11)), (date(2021, 7, 5), date(2021, 7, 31)),
             (date(2021, 7, 29), date(2021, 7, 31))]
    for i, (start, end) in enumerate(spans):
        own = URIRef(CASE_BASE + f"T/own-{i}")
        for p, o in ((RDF.type, CG.PhaseOwnership), (CG.inCase, case),
                     (CG.phase, CG.PhaseRiskAssessment),
                     (CG.responsibility, CG.Owns), (CG.organisation, MON["org-vtrr"]),
                     (CG.startDate, Literal(start)), (CG.endDate, Literal(end))):
            g.add((own, p, o))
    found = [f for f in audit(g) if f["rule"].startswith("phase-")]
    assert found == [
        {"rule": "phase-gap", "phase": "risk", "from": "2021-06-12", "to": "2021-07-04"},
        {"rule": "phase-overlap", "phase": "risk", "from": "2021-07-29", "to": "2021-07-31",
         "organisations": ["vtrr"]},
    ]
    assert (date(2021, 7, 4) - date(2021, 6, 12)).days + 1 == 23
