"""The case generator: deterministic, well-formed against the ontology, flaws where it says.

Closed and running cases alike: the reference audit on the as-of date finds exactly the
seeded flaws, with their periods.
"""

from __future__ import annotations

import itertools
import json
import string
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from chaingraph import catalogue, generator
from chaingraph.cli import main
from chaingraph.generator import (
    DEFAULT_AS_OF,
    DEFAULT_RUNNING,
    FLAW_RULES,
    flaws_path,
    generate,
    iter_turtle,
    read_flaws,
)
from chaingraph.graph import load
from chaingraph.namespace import CG, MON

CASES = 60
RUNNING = 0.3
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """60 cases, 30 % of them running, every flaw at 30 %, loaded with the ontology check on."""
    out = tmp_path_factory.mktemp("gen") / "cases.ttl"
    result = generate(CASES, out, seed=11, flaw_rate=0.3, running=RUNNING)
    return out, result, load([out])


def test_same_seed_same_text_other_seed_other_text():
    one = "".join(iter_turtle(25, seed=3))
    assert one == "".join(iter_turtle(25, seed=3))
    assert one != "".join(iter_turtle(25, seed=4))
    # the defaults are fixed values, not today: the same text whenever it runs
    assert one == "".join(iter_turtle(25, seed=3, running=DEFAULT_RUNNING, as_of=DEFAULT_AS_OF))
    assert one != "".join(iter_turtle(25, seed=3, as_of="2024-06-30"))
    assert one != "".join(iter_turtle(25, seed=3, running=0.6))


def test_same_options_same_files(tmp_path):
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    for out in (one, two):
        assert main(["generate", "--cases", "30", "--seed", "4", "--running", "0.4",
                     "--as-of", "2023-03-15", "--flaw-rate", "0.3", "--output", str(out)]) == 0
    assert one.read_bytes() == two.read_bytes()
    assert flaws_path(one).read_bytes() == flaws_path(two).read_bytes()
    assert read_flaws(flaws_path(one))[0] == date(2023, 3, 15)


def test_output_uses_only_ontology_terms_and_counts_its_triples(sample):
    out, result, _ = sample  # load() above raised on any undeclared cg: term
    alone = Graph().parse(out)
    assert len(alone) == result.triples
    assert result.cases == CASES


def test_every_case_has_the_example_shape(sample):
    _, _, graph = sample
    cases = list(graph.subjects(CG.caseId, None))
    assert len(cases) == CASES
    for case in cases:
        kinds = {graph.value(s, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))
                 for s in graph.subjects(CG.inCase, case)}
        assert {CG.PhaseOwnership, CG.RoleAssignment, CG.SASHScreening, CG.Report} <= kinds
        assert graph.value(case, CG.victim) and graph.value(case, CG.suspect)
        assert len(set(graph.objects(case, CG.appliesPhase))) == 4


def test_flaws_file_lists_every_case_and_only_known_rules(sample):
    out, result, _ = sample
    flaws = json.loads(flaws_path(out).read_text())
    assert flaws == result.flaws
    assert len(flaws) == CASES
    rules = {f["rule"] for items in flaws.values() for f in items}
    assert rules == set(FLAW_RULES), "at 30 % over 60 cases every rule should be seeded"
    # every flaw is a finding as of the file's as-of date, which it names
    assert {f["as-of"] for items in flaws.values() for f in items} == {DEFAULT_AS_OF.isoformat()}
    assert read_flaws(flaws_path(out)) == (DEFAULT_AS_OF, flaws)


def _case(graph, case_id):
    return URIRef(f"{generator.CASE_NS}{case_id}/case")


def _phase(phase_notation):
    phase = next(p for p, v in generator.PHASES.items() if v[0] == phase_notation)
    return CG[phase.split(":")[1]]


def _day(graph, node, prop):
    value = graph.value(node, prop)
    return value.toPython() if value is not None else None


def _owners(graph, case, phase_notation):
    """The (start, end) of the phase's ownerships in the case, in order; end None while it runs."""
    phase = _phase(phase_notation)
    spans = []
    for own in graph.subjects(CG.inCase, case):
        if graph.value(own, CG.phase) == phase:
            spans.append((_day(graph, own, CG.startDate), _day(graph, own, CG.endDate)))
    return sorted(spans)


def _running(graph, case_id) -> bool:
    return graph.value(_case(graph, case_id), CG.endDate) is None


def test_seeded_flaws_are_in_the_data(sample):
    _, result, graph = sample
    as_of = result.as_of
    seen: dict[str, int] = defaultdict(int)
    for case_id, flaws in result.flaws.items():
        case = _case(graph, case_id)
        for flaw in flaws:
            rule = flaw["rule"]
            seen[rule] += 1
            if rule == "phase-gap":
                spans = _owners(graph, case, flaw["phase"])
                end1 = spans[0][1]
                assert date.fromisoformat(flaw["from"]) == end1 + timedelta(days=1)
                if len(spans) == 1:  # ended while the case runs, nobody after: up to as-of
                    assert _running(graph, case_id) and end1 < as_of
                    assert flaw["to"] == as_of.isoformat()
                else:
                    (_, end1), (start2, _) = spans
                    assert (start2 - end1).days > 1 and start2 <= as_of
                    assert date.fromisoformat(flaw["to"]) == start2 - timedelta(days=1)
            elif rule == "phase-overlap":
                (_, end1), (start2, _) = _owners(graph, case, flaw["phase"])
                assert flaw["from"] == start2.isoformat()
                assert flaw["to"] == (end1 or as_of).isoformat()  # still both owners: to as-of
                assert start2 <= (end1 or as_of)
            elif rule == "phase-without-owner":
                assert _owners(graph, case, flaw["phase"]) == []
            elif rule == "no-victim-contact-point":
                roles = {graph.value(a, CG.role) for a in graph.subjects(CG.inCase, case)
                         if (a, RDF.type, CG.RoleAssignment) in graph}
                assert MON["role-vast-aanspreekpunt"] not in roles
            elif rule == "police-not-informed":
                inst = URIRef(f"{generator.CASE_NS}{case_id}/{flaw['instrument']}")
                informed = [r for r in graph.subjects(CG.instrument, inst)
                            if graph.value(r, CG.organisation) == MON["org-politie"]]
                assert informed == []
            elif rule == "no-duty-to-report":
                inst = URIRef(f"{generator.CASE_NS}{case_id}/{flaw['instrument']}")
                assert graph.value(inst, CG.dutyToReport) is None
            elif rule == "escalation-without-learning-session":
                event = URIRef(f"{generator.CASE_NS}{case_id}/{flaw['escalation']}")
                assert list(graph.subjects(CG.followsUp, event)) == []
    assert set(seen) == set(FLAW_RULES)


def test_sound_cases_have_contiguous_owners(sample):
    _, result, graph = sample
    sound = [c for c, flaws in result.flaws.items() if not flaws]
    assert any(_running(graph, c) for c in sound) and not all(_running(graph, c) for c in sound)
    for case_id in sound:
        case = _case(graph, case_id)
        for notation, *_ in generator.PHASES.values():
            spans = _owners(graph, case, notation)
            assert spans[0][0] == _day(graph, case, CG.startDate)
            # a closed case's last owner ends with it; a running case's owns it still
            assert spans[-1][1] == _day(graph, case, CG.endDate)
            for (_, end1), (start2, _) in itertools.pairwise(spans):
                assert end1 is not None and (start2 - end1).days == 1


# --- running cases -------------------------------------------------------------------


@pytest.mark.parametrize("share", [0.0, 0.2, 0.5, 1.0, None])
def test_running_cases_come_at_the_stated_share(share):
    ids: list[str] = []
    text = "".join(iter_turtle(1000, seed=5, running=share, running_cases=ids))
    expected = DEFAULT_RUNNING if share is None else share
    assert len(ids) == round(1000 * expected)
    # spread over the cases, not bunched at one end
    numbers = [int(i[3:]) for i in ids]
    if 0 < expected < 1:
        assert min(numbers) < 100 and max(numbers) > 900
        assert abs(sum(n <= 500 for n in numbers) / len(numbers) - 0.5) < 0.1
    # a case without end date is a running case, and only those
    statements = [block.split(" .\n")[0] for block in text.split(":case a cg:Case ;")[1:]]
    assert len(statements) == 1000
    assert sum("cg:endDate" not in case for case in statements) == len(ids)


@pytest.mark.parametrize("n,share", [(1, 0.2), (1, 0.6), (5, 0.2), (7, 0.5), (10, 0.35)])
def test_few_cases_get_the_share_rounded_to_whole_cases(n, share):
    ids: list[str] = []
    "".join(iter_turtle(n, seed=2, running=share, running_cases=ids))
    assert len(ids) == round(n * share) and len(set(ids)) == len(ids)


def test_running_cases_in_the_data(sample):
    _, result, graph = sample
    as_of = result.as_of
    cases = {str(graph.value(c, CG.caseId)): c for c in graph.subjects(CG.caseId, None)}
    running = sorted(c for c, node in cases.items() if graph.value(node, CG.endDate) is None)
    assert running == result.running
    assert len(running) == round(CASES * RUNNING)
    for case_id, node in cases.items():
        members = set(graph.subjects(CG.inCase, node))
        members |= {o for m in members for o in graph.objects(m, CG.instrument)}
        # nothing of any case starts, happens or ends after the as-of date
        for m in members | {node}:
            for prop in (CG.startDate, CG.endDate, CG.date):
                day = _day(graph, m, prop)
                assert day is None or day <= as_of, (case_id, m, prop, day)
        if case_id not in running:
            continue
        assert _day(graph, node, CG.startDate) <= as_of
        # running assignments, instruments and contact points have no end date
        for m in members:
            if (m, RDF.type, CG.PhaseOwnership) not in graph:
                assert graph.value(m, CG.endDate) is None, m
        # an ownership that ended is followed by another, or is a seeded gap
        seeded = {f["phase"] for f in result.flaws[case_id] if f["rule"] == "phase-gap"}
        for notation, *_ in generator.PHASES.values():
            spans = _owners(graph, node, notation)
            if spans and all(end is not None for _, end in spans):
                assert notation in seeded, (case_id, notation)


def _intersections(spans, as_of):
    """Every pair of ownerships whose periods share a day, as (first day, last day)."""
    found = []
    for i, (s1, e1) in enumerate(spans):
        for s2, e2 in spans[i + 1:]:
            first, last = max(s1, s2), min(e1 or as_of, e2 or as_of)
            if first <= last:
                found.append((first.isoformat(), last.isoformat()))
    return found


def test_ownerships_of_a_phase_intersect_only_where_an_overlap_is_seeded(sample):
    """Whatever their organisations: an overlap is any two owners of a phase at once."""
    _, result, graph = sample
    for case_id, flaws in result.flaws.items():
        expected = {f["phase"]: [(f["from"], f["to"])]
                    for f in flaws if f["rule"] == "phase-overlap"}
        for notation, *_ in generator.PHASES.values():
            spans = _owners(graph, _case(graph, case_id), notation)
            assert _intersections(spans, result.as_of) == expected.get(notation, []), case_id


def _seeded(case_id, flaw):
    """A seeded flaw as what the audit reports: rule, and where it is (period, instrument...)."""
    rule = flaw["rule"]
    if rule in ("phase-gap", "phase-overlap"):
        return case_id, rule, flaw["phase"], flaw["from"], flaw["to"]
    if rule == "phase-without-owner":
        return case_id, rule, flaw["phase"]
    return case_id, rule, flaw.get("instrument") or flaw.get("escalation")


def _found(finding):
    rule = finding.rule
    if rule in ("phase-gap", "phase-overlap"):
        return finding.case, rule, finding.phase, finding.start, finding.end
    if rule == "phase-without-owner":
        return finding.case, rule, finding.phase
    if rule == "no-victim-contact-point":  # the case is the focus node
        return finding.case, rule, None
    return finding.case, rule, finding.focus.rsplit("/", 1)[-1]


@pytest.mark.slow
def test_reference_audit_on_the_as_of_date_finds_exactly_the_seeded_flaws(sample):
    """pySHACL case by case, on the date flaws.json gives: every flaw with its period, no other."""
    from chaingraph.audit import audit

    out, result, graph = sample
    as_of, flaws = read_flaws(flaws_path(out))
    expected = Counter(_seeded(case, f) for case, items in flaws.items() for f in items)
    report = audit(graph, at=as_of, shared=False)
    got = Counter(_found(f) for f in report.findings)
    assert got == expected, f"missed: {expected - got}\nunexpected: {got - expected}"
    assert sorted(report.cases) == sorted(flaws)
    # what this covers: flaws in closed and running cases; in running ones each kind of
    # gap and overlap (nobody after, a late new owner, an overlap ended or still going on)
    kinds = set()
    for case_id, items in flaws.items():
        runs = case_id in result.running
        for f in items:
            kind = f["rule"]
            if kind in ("phase-gap", "phase-overlap"):
                open_ended = f["to"] == as_of.isoformat()
                kind += (" running" + (" to as-of" if open_ended else "")) if runs else " closed"
            kinds.add(kind)
    assert {"phase-gap closed", "phase-gap running", "phase-gap running to as-of",
            "phase-overlap closed", "phase-overlap running",
            "phase-overlap running to as-of"} <= kinds, kinds


def test_persons_are_pseudonyms_only(sample):
    _, _, graph = sample
    pseudonyms = list(graph.objects(None, CG.pseudonym))
    assert pseudonyms
    assert all(isinstance(p, Literal) and len(str(p)) == 7 and str(p).startswith("P-")
               for p in pseudonyms)


def test_rule_names_are_those_of_the_example_cases():
    from chaingraph.resources import CASES_DIR

    examples = json.loads((CASES_DIR / "flaws.json").read_text())
    used = {f["rule"] for items in examples.values() for f in items}
    assert used, "data/cases/flaws.json lists no flaws"
    assert used <= set(FLAW_RULES), f"rules the generator cannot seed: {used - set(FLAW_RULES)}"
    for rule in used:
        example = next(f for items in examples.values() for f in items if f["rule"] == rule)
        ours = {}
        "".join(iter_turtle(40, seed=2, flaw_rates={r: float(r == rule) for r in FLAW_RULES},
                            flaws=ours))
        seeded = next(f for items in ours.values() for f in items)
        # the generated flaws name their as-of date too (the example cases are all closed)
        assert set(seeded) == set(example) | {"as-of"}, \
            f"{rule}: fields differ from data/cases/flaws.json"


def test_zero_rate_seeds_nothing():
    flaws: dict = {}
    "".join(iter_turtle(40, seed=1, flaw_rate=0.0, flaws=flaws))
    assert len(flaws) == 40 and not any(flaws.values())


def test_cli_writes_both_files(tmp_path, capsys):
    out = tmp_path / "g.ttl"
    assert main(["generate", "--cases", "5", "--seed", "2", "--output", str(out)]) == 0
    assert out.exists() and flaws_path(out).exists()
    err = capsys.readouterr().err
    assert "5 cases" in err and f"running on {DEFAULT_AS_OF.isoformat()}" in err


def test_cli_running_share_and_as_of_date(tmp_path, capsys):
    out = tmp_path / "g.ttl"
    assert main(["generate", "--cases", "12", "--seed", "2", "--running", "1", "--as-of",
                 "2022-05-31", "--flaw-rate", "0.5", "--output", str(out), "--lang", "nl"]) == 0
    err = capsys.readouterr().err
    assert "12 casussen (12 lopend op 2022-05-31" in err and "zoals gevonden op 2022-05-31" in err
    as_of, flaws = read_flaws(flaws_path(out))
    assert as_of == date(2022, 5, 31) and any(flaws.values())
    graph = Graph().parse(out)
    days = [o.toPython() for o in graph.objects()
            if isinstance(o, Literal) and o.datatype == XSD_DATE]
    assert days and max(days) <= as_of  # nothing starts, happens or ends after the as-of date
    cases = list(graph.subjects(RDF.type, CG.Case))
    assert len(cases) == 12 and all(graph.value(c, CG.endDate) is None for c in cases)
    # to stdout, the same options give the same Turtle
    assert main(["generate", "--cases", "12", "--seed", "2", "--running", "1", "--as-of",
                 "2022-05-31", "--flaw-rate", "0.5"]) == 0
    assert capsys.readouterr().out == out.read_text()


def test_cli_help_names_the_new_options_and_their_defaults(capsys):
    assert main(["generate", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--running SHARE" in help_text and f"(default {DEFAULT_RUNNING})" in help_text
    assert "--as-of DATE" in help_text and f"(default {DEFAULT_AS_OF.isoformat()})" in help_text


def test_every_text_is_in_english_and_dutch_with_the_same_slots():
    def slots(text):
        return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)

    texts_of = {k: v for k, v in catalogue.entries().items() if k.startswith("generate.")}
    assert texts_of
    for key, texts in texts_of.items():
        assert set(texts) == {"en", "nl"}, key
        assert texts["en"] != texts["nl"] and slots(texts["en"]) == slots(texts["nl"]), key


BAD_ARGUMENTS = [
    (["--cases", "-1"], "number of cases", "aantal casussen"),
    (["--cases", "3", "--flaw-rate", "1.5"], "flaw rate", "ingebouwde fout"),
    (["--cases", "3", "--running", "1.5"], "share of running cases", "aandeel lopende casussen"),
    (["--cases", "3", "--running", "-0.1"], "share of running cases", "aandeel lopende casussen"),
    (["--cases", "3", "--running", "1/5"], "share of running cases", "aandeel lopende casussen"),
    (["--cases", "3", "--running", "nan"], "share of running cases", "aandeel lopende casussen"),
    (["--cases", "3", "--running", ""], "share of running cases", "aandeel lopende casussen"),
    (["--cases", "3", "--as-of", "2025-13-01"], "is not a date", "is geen datum"),
    (["--cases", "3", "--as-of", "2023-02-29"], "is not a date", "is geen datum"),
    (["--cases", "3", "--as-of", "yesterday"], "is not a date", "is geen datum"),
    (["--cases", "3", "--as-of", "2025-1-1"], "is not a date", "is geen datum"),
    (["--cases", "3", "--as-of", ""], "is not a date", "is geen datum"),
    (["--cases", "3", "--as-of", "1899-12-31"], "1900-01-01 or later", "1900-01-01 of later"),
]


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("argv,english,dutch", BAD_ARGUMENTS, ids=lambda v: " ".join(v) if
                         isinstance(v, list) else None)
def test_cli_bad_values_are_one_sentence_exit_2_and_nothing_written(tmp_path, capsys, argv,
                                                                      english, dutch, lang):
    assert main(["generate", *argv, "--output", str(tmp_path / "x.ttl"), "--lang", lang]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("chaingraph generate: ") and (english if lang == "en" else dutch) in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kwargs", [{"running": 1.01}, {"running": -1}, {"running": "x"},
                                    {"as_of": "2024-02-30"}, {"as_of": date(1850, 1, 1)}])
def test_library_refuses_bad_running_and_as_of(kwargs):
    from chaingraph.errors import BadParameter

    with pytest.raises(BadParameter):
        "".join(iter_turtle(2, **kwargs))


def test_interrupted_generation_leaves_the_old_file(tmp_path, monkeypatch):
    out = tmp_path / "g.ttl"
    out.write_text("old\n")

    def broken(*args, **kwargs):
        yield generator.PREFIXES
        raise KeyboardInterrupt

    monkeypatch.setattr(generator, "iter_turtle", broken)
    with pytest.raises(KeyboardInterrupt):
        generate(10, out, seed=1)
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]


def test_written_files_get_the_usual_mode_and_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    import os

    out = tmp_path / "cases.ttl"
    generate(2, out, seed=1)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert flaws_path(out).stat().st_mode & 0o777 == 0o666 & ~umask
    before = out.read_bytes()

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(generator, "iter_turtle", broken)
    with pytest.raises(KeyboardInterrupt):
        generate(5, out, seed=2)
    assert out.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "cases.ttl", "cases.ttl.flaws.json"]
