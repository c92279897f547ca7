"""Fictional cases at any scale, with flaws seeded at stated rates.

``chaingraph generate --cases N --seed S --output FILE`` writes N cases shaped like
the bundled examples (phases with owners over time and a handover, role assignments,
instruments with their responsibilities, events, an escalation followed by a learning
session) as Turtle, and ``FILE.flaws.json`` beside it listing every seeded flaw in
the format of ``data/cases/flaws.json``, so an audit at any scale has a known answer.

The text is written case by case (100,000 cases are about 11 million triples: no
rdflib graph is built) to a temporary sibling that replaces ``FILE`` when complete.
Persons are pseudonyms (``prs:P-XXXXX``) drawn from a seeded generator; the same
seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from chaingraph.errors import BadParameter
from chaingraph.output import open_atomic

CASE_NS = "https://w3id.org/chaingraph/case/"

PREFIXES = """\
@prefix cg: <https://w3id.org/chaingraph/ontology#> .
@prefix mon: <https://w3id.org/chaingraph/monitor/> .
@prefix prs: <https://w3id.org/chaingraph/person/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Phase -> (notation used in flaws.json, owning organisation, role, organisation after a handover, role).
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
START = date(2019, 1, 1)
PROFESSIONALS_PER_ORG = 400


@dataclass
class Generated:
    """What :func:`generate` wrote."""

    cases: int
    triples: int
    flaws: dict[str, list[dict[str, str]]] = field(default_factory=dict)

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
          staff: Mapping[str, list[str]], persons: set[str]) -> tuple[_Writer, list[dict[str, str]]]:
    """Write one case; return its Turtle and the flaws seeded in it."""
    w = _Writer()
    flaws: list[dict[str, str]] = []

    def flawed(rule: str) -> bool:
        return rng.random() < rates.get(rule, 0.0)

    def holder(org: str) -> str:
        return "prs:" + rng.choice(staff[org])

    start = START + timedelta(days=rng.randrange(5 * 365))
    length = rng.randrange(60, 400)
    end = start + timedelta(days=length)
    victim, suspect = _pseudonym(rng), _pseudonym(rng)
    persons.update((victim, suspect))
    high = rng.random() < 0.35
    w.parts.append(f"@prefix : <{CASE_NS}{case_id}/> .\n")
    w.subject(":case", ("a", "cg:Case"), ("cg:caseId", f'"{case_id}"'), ("cg:fictional", "true"),
              ("cg:startDate", _d(start)), ("cg:endDate", _d(end)),
              ("cg:riskLevel", "cg:RiskHigh" if high else rng.choice(("cg:RiskLow", "cg:RiskMedium"))),
              ("cg:victim", f"prs:{victim}"), ("cg:suspect", f"prs:{suspect}"),
              ("cg:appliesPhase", ", ".join(PHASES)),
              ("cg:escalationAgreement", "mon:agreement-escalatie"))

    # Phase owners: each phase covers the case's period, with a handover in some.
    missing = None
    if flawed("phase-without-owner"):
        missing = rng.choice(list(PHASES))
        flaws.append({"rule": "phase-without-owner", "phase": PHASES[missing][0]})
    owned = [p for p in PHASES if p != missing]
    gap_phase = rng.choice(owned) if flawed("phase-gap") else None
    overlap_phase = rng.choice([p for p in owned if p != gap_phase]) if flawed("phase-overlap") else None
    n_own = n_ev = 0
    for phase, (notation, org, role, org2, role2) in PHASES.items():
        if phase == missing:
            continue
        handover = phase in (gap_phase, overlap_phase) or rng.random() < 0.3
        if not handover:
            n_own += 1
            w.subject(f":own-{n_own}", ("a", "cg:PhaseOwnership"), ("cg:inCase", ":case"),
                      ("cg:phase", phase), ("cg:organisation", org), ("cg:role", role),
                      ("cg:holder", holder(org)), ("cg:responsibility", "cg:Owns"),
                      ("cg:startDate", _d(start)), ("cg:endDate", _d(end)))
            continue
        cut = start + timedelta(days=rng.randrange(20, length - 20))
        second = cut + timedelta(days=1)
        if phase == gap_phase:
            second = cut + timedelta(days=rng.randrange(3, 15))
            flaws.append({"rule": "phase-gap", "phase": notation,
                          "from": (cut + timedelta(days=1)).isoformat(),
                          "to": (second - timedelta(days=1)).isoformat()})
        elif phase == overlap_phase:
            second = cut - timedelta(days=rng.randrange(2, 10))
            flaws.append({"rule": "phase-overlap", "phase": notation,
                          "from": second.isoformat(), "to": cut.isoformat(),
                          "organisations": sorted({org[len("mon:org-"):], org2[len("mon:org-"):]})})
        for (o, r, s, e) in ((org, role, start, cut), (org2, role2, second, end)):
            n_own += 1
            w.subject(f":own-{n_own}", ("a", "cg:PhaseOwnership"), ("cg:inCase", ":case"),
                      ("cg:phase", phase), ("cg:organisation", o), ("cg:role", r),
                      ("cg:holder", holder(o)), ("cg:responsibility", "cg:Owns"),
                      ("cg:startDate", _d(s)), ("cg:endDate", _d(e)))
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
    if rng.random() < 0.2:
        n_ev += 1
        escalation = f":ev-{n_ev}"
        day = start + timedelta(days=rng.randrange(30, length))
        w.subject(escalation, ("a", "cg:Escalation"), ("cg:inCase", ":case"), ("cg:date", _d(day)),
                  ("cg:byOrganisation", "mon:org-politie"), ("cg:escalatedTo", "mon:role-procesregisseur"))
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
            raise BadParameter(f"the flaw rate of {rule} must be between 0 and 1, not {rate}")
    return rates


def iter_turtle(n: int, *, seed: int = 0, flaw_rate: float | None = None,
                flaw_rates: Mapping[str, float] | None = None,
                flaws: dict[str, list[dict[str, str]]] | None = None,
                counts: list[int] | None = None) -> Iterator[str]:
    """Yield the Turtle of ``n`` generated cases, chunk by chunk (prefixes first, persons last).

    Args:
        n: the number of cases.
        seed: the random seed; the same seed gives the same text.
        flaw_rate: the rate of every flaw (default 5 %), per case that can have it.
        flaw_rates: rates of single rules, overriding ``flaw_rate``.
        flaws: filled with the seeded flaws per case id.
        counts: filled with ``[cases, triples]`` as chunks are produced.

    Example:
        >>> text = "".join(iter_turtle(2, seed=1))
        >>> text.count("a cg:Case ;")
        2
    """
    if n < 0:
        raise BadParameter(f"the number of cases must be 0 or more, not {n}")
    rates = _rates(flaw_rate, flaw_rates)
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
    for i in range(1, n + 1):
        case_id = f"GX-{i:0{width}d}"
        case, seeded = _case(rng, case_id, rates, staff, persons)
        found[case_id] = seeded
        counts[0] += 1
        counts[1] += case.triples
        yield "".join(case.parts)
    # Persons last, one statement each (victims and suspects are persons, staff professionals).
    lines = [f"prs:{p} a cg:Person ; cg:pseudonym \"{p}\" .\n" for p in sorted(persons)]
    lines += [f"prs:{p} a cg:Professional ; cg:pseudonym \"{p}\" .\n"
              for org in sorted(staff) for p in staff[org]]
    counts[1] += 2 * len(lines)
    yield "@prefix : <https://w3id.org/chaingraph/person/> .\n" + "".join(lines)


def generate(n: int, output: str | Path, *, seed: int = 0, flaw_rate: float | None = None,
             flaw_rates: Mapping[str, float] | None = None, progress: object | None = None) -> Generated:
    """Write ``n`` fictional cases to ``output`` and their seeded flaws to ``output.flaws.json``.

    Both files are written atomically: a temporary sibling replaces the target when complete.

    Example:
        >>> import tempfile, pathlib, json
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "cases.ttl"
        >>> result = generate(20, out, seed=7, flaw_rate=0.5)
        >>> result.cases, result.flaw_count > 0
        (20, True)
        >>> sorted(json.loads(flaws_path(out).read_text())) == sorted(result.flaws)
        True
    """
    output = Path(output)
    flaws: dict[str, list[dict[str, str]]] = {}
    counts = [0, 0]
    with open_atomic(output) as handle:
        for chunk in iter_turtle(n, seed=seed, flaw_rate=flaw_rate, flaw_rates=flaw_rates,
                                 flaws=flaws, counts=counts):
            handle.write(chunk)
            if progress is not None:
                progress.update(counts[0])  # type: ignore[attr-defined]
    with open_atomic(flaws_path(output)) as handle:
        json.dump(flaws, handle, indent=1, sort_keys=True)
        handle.write("\n")
    return Generated(cases=counts[0], triples=counts[1], flaws=flaws)


def flaws_path(output: str | Path) -> Path:
    """Return where the seeded flaws of ``output`` are written (``cases.ttl.flaws.json``)."""
    output = Path(output)
    return output.with_name(output.name + ".flaws.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=int, required=True, metavar="N", help="number of cases")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="Turtle file to write (default: stdout); the flaws go to FILE.flaws.json")
    parser.add_argument("--flaw-rate", type=float, default=None, metavar="R",
                        help=f"rate of each seeded flaw, 0..1 (default {DEFAULT_RATE})")


def run(args: argparse.Namespace) -> int:
    import sys

    from chaingraph.progress import Progress

    if args.output in (None, "-"):
        flaws: dict[str, list[dict[str, str]]] = {}
        for chunk in iter_turtle(args.cases, seed=args.seed, flaw_rate=args.flaw_rate, flaws=flaws):
            sys.stdout.write(chunk)
        return 0
    with Progress("generate", total=args.cases, unit="cases") as bar:
        result = generate(args.cases, args.output, seed=args.seed, flaw_rate=args.flaw_rate,
                          progress=bar)
    message = {
        "en": "Wrote {cases} cases ({triples} triples) to {out}, {flaws} seeded flaws to {fl}.",
        "nl": "{cases} casussen ({triples} triples) geschreven naar {out}, {flaws} ingebouwde "
              "fouten naar {fl}.",
    }
    print(message.get(args.lang, message["en"]).format(
        cases=result.cases, triples=result.triples, out=args.output, flaws=result.flaw_count,
        fl=flaws_path(args.output)), file=sys.stderr)
    return 0
