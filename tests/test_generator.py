"""The case generator: deterministic, well-formed against the ontology, flaws where it says."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from chaingraph import generator
from chaingraph.cli import main
from chaingraph.generator import FLAW_RULES, flaws_path, generate, iter_turtle
from chaingraph.graph import load
from chaingraph.namespace import CG, MON

CASES = 60


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """60 cases with every flaw at 30 %, loaded with the ontology check on."""
    out = tmp_path_factory.mktemp("gen") / "cases.ttl"
    result = generate(CASES, out, seed=11, flaw_rate=0.3)
    return out, result, load([out])


def test_same_seed_same_text_other_seed_other_text():
    one = "".join(iter_turtle(25, seed=3))
    assert one == "".join(iter_turtle(25, seed=3))
    assert one != "".join(iter_turtle(25, seed=4))


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


def _case(graph, case_id):
    return URIRef(f"{generator.CASE_NS}{case_id}/case")


def _owners(graph, case, phase_notation):
    phase = next(p for p, v in generator.PHASES.items() if v[0] == phase_notation)
    phase = CG[phase.split(":")[1]]
    spans = []
    for own in graph.subjects(CG.inCase, case):
        if graph.value(own, CG.phase) == phase:
            spans.append((graph.value(own, CG.startDate).toPython(),
                          graph.value(own, CG.endDate).toPython()))
    return sorted(spans)


def test_seeded_flaws_are_in_the_data(sample):
    _, result, graph = sample
    seen: dict[str, int] = defaultdict(int)
    for case_id, flaws in result.flaws.items():
        case = _case(graph, case_id)
        for flaw in flaws:
            rule = flaw["rule"]
            seen[rule] += 1
            if rule == "phase-gap":
                (_, end1), (start2, _) = _owners(graph, case, flaw["phase"])
                assert (start2 - end1).days > 1
                assert date.fromisoformat(flaw["from"]).toordinal() == end1.toordinal() + 1
            elif rule == "phase-overlap":
                (_, end1), (start2, _) = _owners(graph, case, flaw["phase"])
                assert start2 <= end1
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
    assert sound
    for case_id in sound:
        case = _case(graph, case_id)
        for notation, *_ in generator.PHASES.values():
            spans = _owners(graph, case, notation)
            assert spans[0][0] == graph.value(case, CG.startDate).toPython()
            assert spans[-1][1] == graph.value(case, CG.endDate).toPython()
            for (_, end1), (start2, _) in zip(spans, spans[1:]):
                assert (start2 - end1).days == 1


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
        assert set(seeded) == set(example), f"{rule}: fields differ from data/cases/flaws.json"


def test_zero_rate_seeds_nothing():
    flaws: dict = {}
    "".join(iter_turtle(40, seed=1, flaw_rate=0.0, flaws=flaws))
    assert len(flaws) == 40 and not any(flaws.values())


def test_cli_writes_both_files(tmp_path, capsys):
    out = tmp_path / "g.ttl"
    assert main(["generate", "--cases", "5", "--seed", "2", "--output", str(out)]) == 0
    assert out.exists() and flaws_path(out).exists()
    assert "5 cases" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--cases", "-1"], ["--cases", "3", "--flaw-rate", "1.5"]])
def test_cli_bad_numbers_exit_2(tmp_path, capsys, argv):
    assert main(["generate", *argv, "--output", str(tmp_path / "x.ttl")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


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
