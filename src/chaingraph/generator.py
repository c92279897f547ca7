"""Fictional cases at any scale, with flaws seeded at stated rates.

``chaingraph generate --cases N --seed S --output FILE`` writes N cases shaped like
the bundled examples (phases with owners over time and a handover, role assignments,
instruments with their responsibilities, events, an escalation followed by a learning
session) as Turtle, and ``FILE.flaws.json`` beside it listing every seeded flaw in
the format of ``data/cases/flaws.json``, so an audit at any scale has a known answer.

The cases are generated as they stand on an as-of date (``--as-of``, default
:data:`DEFAULT_AS_OF`, fixed so that a seed always gives the same bytes): nothing
starts after it. A stated share of them (``--running``, default :data:`DEFAULT_RUNNING`)
still runs on that date: no ``cg:endDate`` on the case, its phase owners, role
assignments and instruments; owners that ended or handed over while the case runs
end on a day before it. The other cases closed at least :data:`SETTLE_DAYS` days
before it, so what follows their end (a learning session) is on record by then.
In a running case the gaps and overlaps are seeded as they happen while a case runs:
an owner who ended with nobody after (a gap up to the as-of date), a handover in
progress whose new owner started days later (a gap), or started before the old
owner ended or while the old owner still owns the phase (an overlap, up to the
as-of date). Two ownerships of one phase never intersect unless an overlap is seeded.

``FILE.flaws.json`` maps each case id to its seeded flaws, each as the finding an audit
on the as-of date gives (``chaingraph audit --at AS-OF``, ``audit(graph, at=as_of)``):
``rule``, for gaps and overlaps ``phase``, ``from`` and ``to`` (a gap or overlap still
open in a running case ends on the as-of date), the other fields of
``data/cases/flaws.json``, and ``as-of``, the as-of date itself (see :func:`read_flaws`).

The text is written case by case (100,000 cases are about 11 million triples: no
rdflib graph is built) to a temporary sibling that replaces ``FILE`` when complete.
Persons are pseudonyms (``prs:P-XXXXX``) drawn from a seeded generator; the same
seed and options give the same bytes.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from chaingraph import catalogue
from chaingraph.errors import BadParameter
from chaingraph.output import is_special, open_atomic

if TYPE_CHECKING:
    from chaingraph.progress import Progress

CASE_NS = "https://w3id.org/chaingraph/case/"

PREFIXES = """\
@prefix cg: <https://w3id.org/chaingraph/ontology#> .
@prefix mon: <https://w3id.org/chaingraph/monitor/> .
@prefix prs: <https://w3id.org/chaingraph/person/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Phase -> (notation used in flaws.json, owning organisation, role, organisation after a handover,
# role).
PHASES = {
    "cg:PhaseRecognition": ("recognition", "mon:org-politie", "mon:role-casusregisseur",
                            "mon:org-vtrr", "mon:role-aandachtsfunctionaris"),
    "cg:PhaseRiskAssessment": ("risk", "mon:org-vtrr", "mon:role-procesregisseur-vtrr",
                               "mon:org-zvhrr", "mon:role-procesregisseur"),
    "cg:PhaseCaseDirection": ("direction", "mon:org-zvhrr", "mon:role-procesregisseur",
                              "mon:org-om", "mon:role-zaakskoppel"),
    "cg:PhaseCollaboration": ("collaboration", "mon:org-zvhrr", "mon:role-procesregisseur",
                              "mon:org-politie", "mon:role-casusregisseur"),
}

# The contact points of a case: (organisation, role, responsibility).
CONTACTS = (
    ("mon:org-politie", "mon:role-casusregisseur", "cg:ContactPoint"),
    ("mon:org-om", "mon:role-zaakskoppel", "cg:ContactPoint"),
    ("mon:org-vtrr", "mon:role-procesregisseur-vtrr", "cg:ContactPoint"),
    ("mon:org-politie", "mon:role-vast-aanspreekpunt", "cg:ContactPoint"),
    ("mon:org-shn", "mon:role-jurist-shn", "cg:ContactPoint"),
)

PROTECTION_MEASURES = ("cg:BehaviouralOrder", "cg:ContactBan", "cg:LocationBan",
                       "cg:RestrainingOrder", "cg:ProtectionOrder")

# Who decides each protection measure.
DECIDER = {
    "cg:BehaviouralOrder": ("mon:org-om", "mon:role-ovj"),
    "cg:ContactBan": ("mon:org-om", "mon:role-ovj"),
    "cg:LocationBan": ("mon:org-om", "mon:role-ovj"),
    "cg:RestrainingOrder": ("mon:org-gemeente", "mon:role-burgemeester"),
    "cg:ProtectionOrder": ("mon:org-om", "mon:role-ovj"),
}

Flaw = dict[str, str | list[str]]
"""One seeded flaw as flaws.json writes it: rule, phase, dates, and the organisations of an
overlap as a list."""

# Seeded flaws: rule name -> what it breaks. Rates are per case that can have the flaw.
FLAW_RULES: dict[str, str] = {
    "phase-gap": "a phase's owners leave days uncovered between them",
    "phase-overlap": "two owners of a phase overlap in time",
    "phase-without-owner": "an applied phase has no owner at all",
    "police-not-informed": "a protection measure without the police informed",
    "no-victim-contact-point": "the victim has no fixed police contact point",
    "no-duty-to-report": "a behavioural order without a duty to report",
    "escalation-without-learning-session": "an escalation not followed by a learning session",
}

DEFAULT_RATE = 0.05
# The share of cases still running on the as-of date, and that date: fixed, so that the same
# seed gives the same bytes whatever day it is run.
DEFAULT_RUNNING = 0.2
DEFAULT_AS_OF = date(2025, 1, 1)
# The earliest as-of date taken: the first cases start about six and a half years before it.
EARLIEST_AS_OF = date(1900, 1, 1)
# A closed case ended at least this many days before the as-of date (a learning session
# follows its escalation by up to 59 days, and must be on record by then).
SETTLE_DAYS = 60
# Closed cases start over this many days (before their length and SETTLE_DAYS).
SPREAD_DAYS = 5 * 365
PROFESSIONALS_PER_ORG = 400

def parse_share(value: object, lang: str = "en") -> float:
    """Return the share of running cases, a float from 0 to 1; else raise :class:`BadParameter`.

    Example:
        >>> parse_share("0.25")
        0.25
        >>> parse_share("1.5", "nl")
        Traceback (most recent call last):
        ...
        chaingraph.errors.BadParameter: het aandeel lopende casussen (--running) moet ...
    """
    try:
        share = float(value)  # type: ignore[arg-type]  # any input: float() refuses, caught below
    except (TypeError, ValueError):
        share = float("nan")
    if isinstance(value, bool) or not 0.0 <= share <= 1.0:  # NaN fails the comparison too
        raise BadParameter(catalogue.text("generate.bad_share", lang, value=value))
    return share


def parse_as_of(value: date | str, lang: str = "en") -> date:
    """Return the as-of date ``value`` (a date or YYYY-MM-DD); else raise :class:`BadParameter`.

    Example:
        >>> parse_as_of("2024-06-30")
        datetime.date(2024, 6, 30)
        >>> parse_as_of("2024-02-30")
        Traceback (most recent call last):
        ...
        chaingraph.errors.BadParameter: '2024-02-30' is not a date; give the as-of date ...
    """
    if isinstance(value, datetime):  # a datetime is a date too: keep only its day
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            raise BadParameter(catalogue.text("generate.bad_date", lang, value=value)) from None
    if day < EARLIEST_AS_OF:
        raise BadParameter(catalogue.text("generate.early_date", lang,
                                          earliest=EARLIEST_AS_OF.isoformat(),
                                          value=day.isoformat()))
    return day


@dataclass
class Generated:
    """What :func:`generate` wrote."""

    cases: int
    triples: int
    flaws: dict[str, list[Flaw]] = field(default_factory=dict)
    as_of: date = DEFAULT_AS_OF
    running: list[str] = field(default_factory=list)  # the ids of the running cases

    @property
    def flaw_count(self) -> int:
        return sum(len(v) for v in self.flaws.values())


def _d(day: date) -> str:
    return f'"{day.isoformat()}"^^xsd:date'


class _Writer:
    """Accumulates one case's Turtle and counts its triples."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.triples = 0

    def subject(self, subject: str, *pairs: tuple[str, str]) -> None:
        body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
        self.parts.append(f"{subject} {body} .\n")
        self.triples += sum(1 + o.count(", ") for _, o in pairs)


def _pseudonym(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "P-" + "".join(rng.choice(alphabet) for _ in range(5))


def _case(rng: random.Random, case_id: str, rates: Mapping[str, float],
          staff: Mapping[str, list[str]], persons: set[str], *, running: bool = False,
          as_of: date = DEFAULT_AS_OF) -> tuple[_Writer, list[Flaw]]:
    """Write one case; return its Turtle and the flaws seeded in it.

    A running case started ``length`` days before ``as_of`` and has no end date; a closed
    one ended at least :data:`SETTLE_DAYS` days before ``as_of``. Nothing starts after it.
    """
    w = _Writer()
    flaws: list[Flaw] = []

    def flawed(rule: str) -> bool:
        return rng.random() < rates.get(rule, 0.0)

    def holder(org: str) -> str:
        return "prs:" + rng.choice(staff[org])

    length = rng.randrange(60, 400)  # for a running case: the days it has run up to as_of
    if running:
        start, end = as_of - timedelta(days=length), None
    else:
        start = as_of - timedelta(days=length + SETTLE_DAYS + rng.randrange(SPREAD_DAYS))
        end = start + timedelta(days=length)
    victim, suspect = _pseudonym(rng), _pseudonym(rng)
    persons.update((victim, suspect))
    high = rng.random() < 0.35
    w.parts.append(f"@prefix : <{CASE_NS}{case_id}/> .\n")
    w.subject(":case", ("a", "cg:Case"), ("cg:caseId", f'"{case_id}"'), ("cg:fictional", "true"),
              ("cg:startDate", _d(start)), *([("cg:endDate", _d(end))] if end is not None else []),
              ("cg:riskLevel",
               "cg:RiskHigh" if high else rng.choice(("cg:RiskLow", "cg:RiskMedium"))),
              ("cg:victim", f"prs:{victim}"), ("cg:suspect", f"prs:{suspect}"),
              ("cg:appliesPhase", ", ".join(PHASES)),
              ("cg:escalationAgreement", "mon:agreement-escalatie"))

    # Phase owners: each phase covers the case's period, with a handover in some. In a
    # running case the last owner runs on (no end date).
    missing = None
    if flawed("phase-without-owner"):
        missing = rng.choice(list(PHASES))
        flaws.append({"rule": "phase-without-owner", "phase": PHASES[missing][0]})
    owned = [p for p in PHASES if p != missing]
    gap_phase = rng.choice(owned) if flawed("phase-gap") else None
    overlap_phase = (rng.choice([p for p in owned if p != gap_phase])
                     if flawed("phase-overlap") else None)
    n_own = n_ev = 0

    def ownership(phase: str, org: str, role: str, first: date, last: date | None) -> None:
        nonlocal n_own
        n_own += 1
        w.subject(f":own-{n_own}", ("a", "cg:PhaseOwnership"), ("cg:inCase", ":case"),
                  ("cg:phase", phase), ("cg:organisation", org), ("cg:role", role),
                  ("cg:holder", holder(org)), ("cg:responsibility", "cg:Owns"),
                  ("cg:startDate", _d(first)),
                  *([("cg:endDate", _d(last))] if last is not None else []))

    for phase, (notation, org, role, org2, role2) in PHASES.items():
        if phase == missing:
            continue
        handover = phase in (gap_phase, overlap_phase) or rng.random() < 0.3
        if not handover:
            ownership(phase, org, role, start, end)
            continue
        # The first owner ends on `cut` (at least 20 days before the case ends or as_of);
        # the second takes over the day after, or (seeded) later or earlier.
        cut = start + timedelta(days=rng.randrange(20, length - 20))
        first_end: date | None = cut
        second: date | None = cut + timedelta(days=1)
        if phase == gap_phase:
            if running and rng.random() < 0.5:
                # The owner ended while the case runs, and nobody has taken over yet.
                second = None
                until = as_of
            else:
                # A handover whose new owner started days after the old one ended.
                second = cut + timedelta(days=rng.randrange(3, 15))
                until = second - timedelta(days=1)
            flaws.append({"rule": "phase-gap", "phase": notation,
                          "from": (cut + timedelta(days=1)).isoformat(), "to": until.isoformat()})
        elif phase == overlap_phase:
            second = cut - timedelta(days=rng.randrange(2, 10))
            if running and rng.random() < 0.5:
                # A handover in progress: the new owner started, the old one still owns it.
                first_end = None
            flaws.append({"rule": "phase-overlap", "phase": notation,
                          "from": second.isoformat(), "to": (first_end or as_of).isoformat(),
                          "organisations": sorted({org[len("mon:org-"):], org2[len("mon:org-"):]})})
        ownership(phase, org, role, start, first_end)
        if second is None:
            continue
        ownership(phase, org2, role2, second, end)
        n_ev += 1
        w.subject(f":ev-{n_ev}", ("a", "cg:Handover"), ("cg:inCase", ":case"),
                  ("cg:date", _d(second)), ("cg:fromOrganisation", org),
                  ("cg:toOrganisation", org2), ("cg:byOrganisation", org))

    # Contact points.
    no_contact = flawed("no-victim-contact-point")
    if no_contact:
        flaws.append({"rule": "no-victim-contact-point"})
    for n, (org, role, resp) in enumerate(CONTACTS, 1):
        if no_contact and role == "mon:role-vast-aanspreekpunt":
            continue
        w.subject(f":ra-{n}", ("a", "cg:RoleAssignment"), ("cg:inCase", ":case"),
                  ("cg:organisation", org), ("cg:role", role), ("cg:holder", holder(org)),
                  ("cg:responsibility", resp), ("cg:startDate", _d(start)))

    # Instruments, each with who decides, carries it out and monitors it (4.5-5).
    n_inst = n_resp = 0

    def instrument(kind: str, day: date, *extra: tuple[str, str],
                   duties: Sequence[tuple[str, str, str]]) -> str:
        nonlocal n_inst, n_resp
        n_inst += 1
        node = f":inst-{n_inst}"
        w.subject(node, ("a", kind), ("cg:inCase", ":case"), ("cg:startDate", _d(day)), *extra)
        for resp, org, role in duties:
            n_resp += 1
            w.subject(f":resp-{n_resp}", ("a", "cg:InstrumentResponsibility"),
                      ("cg:inCase", ":case"), ("cg:instrument", node), ("cg:responsibility", resp),
                      ("cg:organisation", org), ("cg:role", role), ("cg:holder", holder(org)),
                      ("cg:startDate", _d(day)))
        return node

    outcome = "cg:RiskHigh" if high else "cg:RiskMedium"
    sash_day = start + timedelta(days=rng.randrange(0, 7))
    sash = instrument("cg:SASHScreening", sash_day, ("cg:riskOutcome", outcome), duties=(
        ("cg:Decides", "mon:org-politie", "mon:role-hovj"),
        ("cg:CarriesOut", "mon:org-politie", "mon:role-intake"),
        ("cg:Monitors", "mon:org-vtrr", "mon:role-aandachtsfunctionaris")))
    assessment = instrument(
        "cg:SafetyAssessment", sash_day + timedelta(days=rng.randrange(1, 10)),
        ("cg:riskOutcome", outcome), duties=(
            ("cg:Decides", "mon:org-vtrr", "mon:role-procesregisseur-vtrr"),
            ("cg:CarriesOut", "mon:org-vtrr", "mon:role-aandachtsfunctionaris"),
            ("cg:Monitors", "mon:org-zvhrr", "mon:role-procesregisseur")))
    if high:  # the urgent Aware procedure (4.3-5)
        instrument("cg:Aware", sash_day + timedelta(days=rng.randrange(2, 9)), duties=(
            ("cg:Decides", "mon:org-politie", "mon:role-casusregisseur"),
            ("cg:CarriesOut", "mon:org-politie", "mon:role-vast-aanspreekpunt"),
            ("cg:Monitors", "mon:org-politie", "mon:role-casusregisseur")))
    if rng.random() < 0.7:
        kind = "cg:BehaviouralOrder" if rng.random() < 0.4 else rng.choice(PROTECTION_MEASURES)
        imposed = start + timedelta(days=rng.randrange(7, 40))
        org, role = DECIDER[kind]
        extra: list[tuple[str, str]] = []
        if kind == "cg:BehaviouralOrder":
            if flawed("no-duty-to-report"):
                flaws.append({"rule": "no-duty-to-report", "instrument": f"inst-{n_inst + 1}"})
            else:
                extra.append(("cg:dutyToReport", "true"))
        duties = [("cg:Decides", org, role),
                  ("cg:CarriesOut", "mon:org-reclassering", "mon:role-reclasseringswerker"),
                  ("cg:Monitors", "mon:org-reclassering", "mon:role-reclasseringswerker")]
        if flawed("police-not-informed"):
            flaws.append({"rule": "police-not-informed", "instrument": f"inst-{n_inst + 1}"})
        else:
            duties.append(("cg:Informed", "mon:org-politie", "mon:role-casusregisseur"))
        measure = instrument(kind, imposed, *extra, duties=duties)
        n_ev += 1
        w.subject(f":ev-{n_ev}", ("a", "cg:InstrumentImposed"), ("cg:inCase", ":case"),
                  ("cg:date", _d(imposed)), ("cg:concerns", measure), ("cg:byOrganisation", org))
        if high and rng.random() < 0.5:
            instrument("cg:AnkleMonitor", imposed + timedelta(days=3), duties=(
                ("cg:Decides", "mon:org-om", "mon:role-ovj"),
                ("cg:CarriesOut", "mon:org-reclassering", "mon:role-reclasseringswerker"),
                ("cg:Monitors", "mon:org-reclassering", "mon:role-reclasseringswerker"),
                ("cg:ReceivesAlerts", "mon:org-reclassering", "mon:role-reclasseringswerker")))
    if high:  # discussed at the Care and Safety House (4.3-2)
        n_ev += 1
        w.subject(f":ev-{n_ev}", ("a", "cg:CaseConsultation"), ("cg:inCase", ":case"),
                  ("cg:date", _d(sash_day + timedelta(days=rng.randrange(3, 12)))),
                  ("cg:hostedBy", "mon:org-zvhrr"), ("cg:chairedBy", "mon:role-procesregisseur"),
                  ("cg:participant", "mon:org-politie, mon:org-om, mon:org-vtrr, mon:org-shn"))

    # Events: the report, the screening, the assessment; an escalation in some cases.
    for kind, day, org, about in (("cg:Report", start, "mon:org-politie", None),
                                  ("cg:Screening", sash_day, "mon:org-politie", sash),
                                  ("cg:Assessment", sash_day + timedelta(days=1), "mon:org-vtrr",
                                   assessment)):
        n_ev += 1
        pairs = [("a", kind), ("cg:inCase", ":case"), ("cg:date", _d(day)),
                 ("cg:byOrganisation", org)]
        w.subject(f":ev-{n_ev}", *pairs, *([("cg:concerns", about)] if about else []))
    # An escalation is followed by a learning session within 59 days, so in a running case it
    # lies at least SETTLE_DAYS before as_of (a closed case ended that long before it anyway).
    latest = min(length, (as_of - start).days - SETTLE_DAYS + 1)
    if rng.random() < 0.2 and latest > 30:
        n_ev += 1
        escalation = f":ev-{n_ev}"
        day = start + timedelta(days=rng.randrange(30, latest))
        w.subject(escalation, ("a", "cg:Escalation"), ("cg:inCase", ":case"), ("cg:date", _d(day)),
                  ("cg:byOrganisation", "mon:org-politie"),
                  ("cg:escalatedTo", "mon:role-procesregisseur"))
        if flawed("escalation-without-learning-session"):
            flaws.append({"rule": "escalation-without-learning-session",
                          "escalation": f"ev-{n_ev}"})
        else:
            n_ev += 1
            w.subject(f":ev-{n_ev}", ("a", "cg:LearningSession"), ("cg:inCase", ":case"),
                      ("cg:date", _d(day + timedelta(days=rng.randrange(14, 60)))),
                      ("cg:followsUp", escalation), ("cg:hostedBy", "mon:org-zvhrr"),
                      ("cg:participant", "mon:org-politie, mon:org-vtrr, mon:org-om"))
    return w, flaws


def _rates(flaw_rate: float | None, flaw_rates: Mapping[str, float] | None) -> dict[str, float]:
    base = DEFAULT_RATE if flaw_rate is None else flaw_rate
    rates = {rule: base for rule in FLAW_RULES}
    for rule, rate in (flaw_rates or {}).items():
        if rule not in FLAW_RULES:
            from chaingraph.errors import UnknownName
            raise UnknownName(rule, FLAW_RULES)
        rates[rule] = rate
    for rule, rate in rates.items():
        if not 0.0 <= rate <= 1.0:
            raise BadParameter(key="flaw_rate", rule=rule, rate=rate)
    return rates


def iter_turtle(n: int, *, seed: int = 0, flaw_rate: float | None = None,
                flaw_rates: Mapping[str, float] | None = None,
                flaws: dict[str, list[Flaw]] | None = None,
                counts: list[int] | None = None, running: float | None = None,
                as_of: date | str | None = None,
                running_cases: list[str] | None = None) -> Iterator[str]:
    """Yield the Turtle of ``n`` generated cases, chunk by chunk (prefixes first, persons last).

    Args:
        n: the number of cases.
        seed: the random seed; the same seed (and options) gives the same text.
        flaw_rate: the rate of every flaw (default 5 %), per case that can have it.
        flaw_rates: rates of single rules, overriding ``flaw_rate``.
        flaws: filled with the seeded flaws per case id, each as found on ``as_of``.
        counts: filled with ``[cases, triples]`` as chunks are produced.
        running: the share of cases still running on ``as_of``, 0..1 (default
            :data:`DEFAULT_RUNNING`, 20 %): that share of ``n``, rounded to whole cases,
            spread at random over the cases.
        as_of: the date the cases stand on (default :data:`DEFAULT_AS_OF`, 2025-01-01):
            nothing starts later; a date or YYYY-MM-DD.
        running_cases: filled with the ids of the running cases.

    Raises:
        BadParameter: ``n`` below 0, a rate or ``running`` outside 0..1, a malformed ``as_of``.

    Example:
        >>> text = "".join(iter_turtle(2, seed=1))
        >>> text.count("a cg:Case ;")
        2
        >>> ids = []
        >>> _ = "".join(iter_turtle(3, seed=1, running=1.0, running_cases=ids))
        >>> ids
        ['GX-00001', 'GX-00002', 'GX-00003']
    """
    _check_count(n)
    rates = _rates(flaw_rate, flaw_rates)
    share = DEFAULT_RUNNING if running is None else parse_share(running)
    day = DEFAULT_AS_OF if as_of is None else parse_as_of(as_of)
    rng = random.Random(seed)
    staff = {org: [_pseudonym(rng) for _ in range(PROFESSIONALS_PER_ORG)]
             for org in sorted({c[0] for c in CONTACTS} | {p[1] for p in PHASES.values()}
                               | {p[3] for p in PHASES.values()} | {d[0] for d in DECIDER.values()}
                               | {"mon:org-reclassering"})}
    persons: set[str] = set()
    counts = counts if counts is not None else [0, 0]
    found = flaws if flaws is not None else {}
    yield PREFIXES
    width = max(5, len(str(n)))
    # Exactly round(share * n) running cases, each case chosen with the chance that leaves
    # that many among the rest (selection sampling: no list of n cases is kept).
    to_run = round(share * n)
    for i in range(1, n + 1):
        case_id = f"GX-{i:0{width}d}"
        runs = rng.random() * (n - i + 1) < to_run
        to_run -= runs
        case, seeded = _case(rng, case_id, rates, staff, persons, running=runs, as_of=day)
        for flaw in seeded:
            flaw["as-of"] = day.isoformat()
        found[case_id] = seeded
        if runs and running_cases is not None:
            running_cases.append(case_id)
        counts[0] += 1
        counts[1] += case.triples
        yield "".join(case.parts)
    # Persons last, one statement each (victims and suspects are persons, staff professionals).
    lines = [f"prs:{p} a cg:Person ; cg:pseudonym \"{p}\" .\n" for p in sorted(persons)]
    lines += [f"prs:{p} a cg:Professional ; cg:pseudonym \"{p}\" .\n"
              for org in sorted(staff) for p in staff[org]]
    counts[1] += 2 * len(lines)
    yield "@prefix : <https://w3id.org/chaingraph/person/> .\n" + "".join(lines)


# The most cases one run writes: 10 million cases are about 1.1 billion triples and 200 GB of
# Turtle, far beyond any region; a larger --cases is a typing mistake, refused at once.
MAX_CASES = 10_000_000


def _check_count(n: int) -> None:
    if n > MAX_CASES:
        raise BadParameter(key="too_many_cases", value=n, most=MAX_CASES)
    if n < 0:
        raise BadParameter(catalogue.text("generate.bad_cases", "en", value=n))


def generate(n: int, output: str | Path, *, seed: int = 0, flaw_rate: float | None = None,
             flaw_rates: Mapping[str, float] | None = None, progress: Progress | None = None,
             running: float | None = None, as_of: date | str | None = None) -> Generated:
    """Write ``n`` fictional cases to ``output`` and their seeded flaws to ``output.flaws.json``.

    ``running`` and ``as_of`` are those of :func:`iter_turtle`: the share of cases still
    running (default 20 %) on the as-of date (default 2025-01-01), the date the flaws are
    given as found on. Both files are written atomically: a temporary sibling replaces the
    target when complete. To a device or pipe (``/dev/null``) only the cases are written.

    Example:
        >>> import tempfile, pathlib, json
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "cases.ttl"
        >>> result = generate(20, out, seed=7, flaw_rate=0.5)
        >>> result.cases, result.flaw_count > 0, result.as_of.isoformat()
        (20, True, '2025-01-01')
        >>> sorted(json.loads(flaws_path(out).read_text())) == sorted(result.flaws)
        True
        >>> read_flaws(flaws_path(out))[0] == result.as_of
        True
    """
    _check_count(n)
    output = Path(output)
    day = DEFAULT_AS_OF if as_of is None else parse_as_of(as_of)
    flaws: dict[str, list[Flaw]] = {}
    counts = [0, 0]
    running_cases: list[str] = []
    with open_atomic(output) as handle:
        for chunk in iter_turtle(n, seed=seed, flaw_rate=flaw_rate, flaw_rates=flaw_rates,
                                 flaws=flaws, counts=counts, running=running, as_of=day,
                                 running_cases=running_cases):
            handle.write(chunk)
            if progress is not None:
                progress.update(counts[0])
    if not is_special(output):  # /dev/null or a pipe: no flaws file beside it in /dev
        with open_atomic(flaws_path(output)) as handle:
            json.dump(flaws, handle, indent=1, sort_keys=True)
            handle.write("\n")
    return Generated(cases=counts[0], triples=counts[1], flaws=flaws, as_of=day,
                     running=running_cases)


def flaws_path(output: str | Path) -> Path:
    """Return where the seeded flaws of ``output`` are written (``cases.ttl.flaws.json``)."""
    output = Path(output)
    return output.with_name(output.name + ".flaws.json")


def read_flaws(path: str | Path) -> tuple[date | None, dict[str, list[Flaw]]]:
    """Return a flaws file's as-of date and its flaws per case id.

    The as-of date is the ``as-of`` of its flaws (one date for a whole generated file); None
    when no flaw gives one (a file without flaws, or ``data/cases/flaws.json``, which holds
    closed cases only).

    Raises:
        BadParameter: the flaws give more than one as-of date.

    Example:
        >>> from chaingraph.resources import CASES_DIR
        >>> as_of, flaws = read_flaws(CASES_DIR / "flaws.json")
        >>> as_of, flaws["FX-005"][0]["rule"]
        (None, 'phase-gap')
    """
    flaws = json.loads(Path(path).read_text(encoding="utf-8"))
    dates = {f["as-of"] for items in flaws.values() for f in items if "as-of" in f}
    if len(dates) > 1:
        raise BadParameter(key="flaw_dates", path=path, dates=", ".join(sorted(dates)))
    return (date.fromisoformat(dates.pop()) if dates else None), flaws
