"""OWL reasoning with HermiT: the real ontology and data are consistent, and the
reasoner infers high-risk cases, escalation chains and protection measures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from chaingraph import MON, load
from chaingraph.cli import main
from chaingraph.errors import MissingTool
from chaingraph.graph import ontology_files
from chaingraph.namespace import CG
from chaingraph.reasoning import JAVA_HINT, Inference, Problem, reason, reasoner_input

FIXTURES = Path(__file__).parent / "fixtures" / "reasoning"
CG_NS = str(CG._NS)


@pytest.fixture(scope="module")
def inference(graph: Graph) -> Inference:
    """HermiT on the bundled ontology, monitor and example cases (run once)."""
    return reason(graph)


def test_ontology_alone_is_consistent():
    ontology = load(ontology_files(), base=False)
    assert len(ontology) > 500
    result = reason(ontology)
    assert result.consistent, result.problems
    assert result.high_risk_cases == []


def test_ontology_monitor_and_cases_are_consistent(inference, graph):
    assert inference.consistent, inference.problems
    # every triple except the date-typed ones reached HermiT
    assert 0 < inference.triples <= len(graph)
    assert inference.seconds > 0


def test_dates_and_years_are_not_handed_to_hermit(graph):
    from rdflib.namespace import XSD  # not at module level: pytest warns when it inspects XSD

    unsupported = {XSD.date, XSD.gYear, XSD.gYearMonth}
    kept = reasoner_input(graph)
    dropped = set(graph) - set(kept)
    assert set(kept) <= set(graph)
    assert any(getattr(o, "datatype", None) == XSD.date for _, _, o in dropped)
    for _, p, o in dropped:  # only date-like literals and range axioms naming them
        assert getattr(o, "datatype", None) in unsupported or (p == RDFS.range and o in unsupported)
    for _, _, o in kept:
        assert getattr(o, "datatype", None) not in unsupported


def test_every_case_asserted_high_is_inferred_high(inference, graph):
    asserted = sorted(
        str(graph.value(c, CG.caseId)) for c in graph.subjects(CG.riskLevel, CG.RiskHigh)
    )
    assert asserted, "no example case has a high risk level"
    assert set(asserted) <= set(inference.high_risk_cases)


def test_high_sash_outcome_alone_makes_a_high_risk_case():
    result = reason(load([FIXTURES / "sash-only.ttl"]))
    assert result.consistent, result.problems
    assert result.high_risk_cases == ["FX-RSN-SASH"]
    assert result.inferred_only == ["FX-RSN-SASH"]


def test_inferred_only_cases_in_the_examples_have_a_high_sash(inference, graph):
    # Whatever example cases are high only by inference, each has a high SASH outcome
    # and no high risk level: the reasoner found them through the SASH branch.
    cases = {str(graph.value(c, CG.caseId)): c for c in graph.subjects(RDF.type, CG.Case)}
    for case_id in inference.inferred_only:
        case = cases[case_id]
        assert (case, CG.riskLevel, CG.RiskHigh) not in graph
        screenings = [
            s
            for s in graph.subjects(CG.inCase, case)
            if (s, RDF.type, CG.SASHScreening) in graph
            and (s, CG.riskOutcome, CG.RiskHigh) in graph
        ]
        assert screenings, case_id


def test_escalation_from_case_director_reaches_the_administrative_level(inference):
    reached = inference.escalation[str(MON["role-casusregisseur"])]
    assert str(MON["role-procesregisseur"]) in reached
    assert str(MON["role-bestuurder"]) in reached
    # nearest first: the tactical process director before the administrative level
    assert reached.index(str(MON["role-procesregisseur"])) < reached.index(
        str(MON["role-bestuurder"])
    )


def test_escalation_closure_is_transitive(inference):
    assert inference.escalation, "no escalation lines inferred"
    for role, reached in inference.escalation.items():
        for middle in reached:
            assert set(inference.escalation.get(middle, [])) <= set(reached) | {role}, (
                role,
                middle,
            )


def test_protection_measures_are_classified_under_their_parent(inference, graph):
    kinds = [
        CG.BehaviouralOrder,
        CG.ContactBan,
        CG.LocationBan,
        CG.RestrainingOrder,
        CG.ProtectionOrder,
    ]
    asserted = sorted({str(i) for k in kinds for i in graph.subjects(RDF.type, k)})
    assert asserted, "no example case applies a protection measure"
    inferred = sorted(i for items in inference.protection_measures.values() for i in items)
    assert inferred == asserted
    for instrument in asserted:
        assert CG_NS + "ProtectionMeasure" in inference.instrument_types[instrument]
        assert CG_NS + "Instrument" in inference.instrument_types[instrument]


def test_ankle_monitor_is_not_a_protection_measure(inference, graph):
    monitors = [str(i) for i in graph.subjects(RDF.type, CG.AnkleMonitor)]
    assert monitors, "no example case applies an ankle monitor"
    for instrument in monitors:
        assert CG_NS + "ProtectionMeasure" not in inference.instrument_types[instrument]


def test_inconsistent_fixture_is_reported():
    result = reason(load([FIXTURES / "inconsistent.ttl"]))
    assert result.consistent is False
    assert result.problems == [
        Problem(
            "disjoint",
            "https://w3id.org/chaingraph/case/FX-RSN-BAD/case",
            [CG_NS + "Case", CG_NS + "Role"],
        )
    ]


def test_two_case_identifiers_are_inconsistent(tmp_path):
    # cg:caseId is a functional data property: two different identifiers contradict it
    case = tmp_path / "two-ids.ttl"
    case.write_text(
        "@prefix cg: <https://w3id.org/chaingraph/ontology#> .\n"
        "<https://w3id.org/chaingraph/case/FX-RSN-2/case> a cg:Case ;\n"
        '    cg:caseId "FX-RSN-2" , "FX-RSN-3" .\n'
    )
    result = reason(load([case]))
    assert result.consistent is False
    assert result.problems == [
        Problem(
            "functional",
            "https://w3id.org/chaingraph/case/FX-RSN-2/case",
            [CG_NS + "caseId", "FX-RSN-2", "FX-RSN-3"],
        )
    ]


def test_cli_inconsistent_exits_1(capsys):
    assert main(["reason", str(FIXTURES / "inconsistent.ttl")]) == 1
    out = capsys.readouterr().out
    assert "Consistent: NO" in out and "cg:Case" in out and "cg:Role" in out


def test_cli_text_and_json(capsys):
    assert main(["reason", str(FIXTURES / "sash-only.ttl")]) == 0
    out = capsys.readouterr().out
    assert "Consistent: yes" in out
    assert "high only because of a high SASH outcome" in out and "FX-RSN-SASH" in out
    assert "contact ban (inst-1)" in out
    assert main(["reason", str(FIXTURES / "sash-only.ttl"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["consistent"] is True and data["inferred_only"] == ["FX-RSN-SASH"]


def test_cli_dutch(capsys):
    assert main(["reason", str(FIXTURES / "sash-only.ttl"), "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert "Consistent: ja" in out and "Hoog-risicocasussen" in out and "contactverbod" in out


def test_missing_java_exits_2_with_install_hint(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java on the PATH
    with pytest.raises(MissingTool, match="apt-get install default-jre-headless"):
        reason(load(ontology_files(), base=False))
    assert main(["reason"]) == 2
    err = capsys.readouterr().err
    assert JAVA_HINT in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
