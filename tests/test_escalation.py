"""The networkx responsibility graph agrees with SPARQL on every case; chains, cycles, dead ends."""

from __future__ import annotations

import json
from datetime import date

import networkx as nx
import pytest
from rdflib import URIRef
from rdflib.namespace import SKOS
from test_who import days_of_interest

from chaingraph import load, resources
from chaingraph.cli import main
from chaingraph.errors import UnknownCase
from chaingraph.escalation import assignments, chain, cycles, dead_ends, responsibility_graph
from chaingraph.graph import case_files
from chaingraph.namespace import CG, MON
from chaingraph.queries import run_query
from chaingraph.responsibility import escalation_steps

CASE_FILES = case_files()
FIXTURE = resources.ROOT / "tests" / "fixtures" / "who"


def test_there_are_cases():
    assert len(CASE_FILES) >= 8


def sparql_assignments(graph, case, day):
    """(target, kind, organisation, role, holder) from the case-responsibilities query."""
    found = set()
    for r in run_query(graph, "case-responsibilities", case=case, date=day).dicts():
        if r["phase"] is not None:
            target = str(next(graph.objects(r["phase"], SKOS.notation)))
        elif r["instrument"] is not None:
            target = str(r["instrument"])
        else:
            target = "case"
        found.add((target, str(r["kind"]), str(r["organisation"] or ""), str(r["role"] or ""),
                   str(r["pseudonym"])))
    return found


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_sparql_and_networkx_agree(graph, path):
    """Owners, contact points, instrument responsibilities and escalation paths, day by day."""
    case = path.stem
    days = days_of_interest(path)
    assert days
    for day in days:
        G = responsibility_graph(graph, case, at=day)
        from_sparql = sparql_assignments(graph, case, day)
        assert assignments(G) == from_sparql, f"{case} on {day}"
        for kind in ("O", "C"):  # phase owners and contact points on their own, for a clear message
            assert ({a for a in assignments(G) if a[1] == kind}
                    == {a for a in from_sparql if a[1] == kind})
        held = {v for _, v, d in G.edges(data=True) if d["kind"] == "holds"}
        for role in held:
            steps, problem = escalation_steps(graph, URIRef(role))
            path_nx = chain(G, role)
            assert tuple(s.role for s in steps) == path_nx.nodes, f"{case} on {day} from {role}"
            assert ((problem or "").split(" ")[0] or None) == path_nx.problem


# data/monitor/roles.ttl: "mon:role-wijkteamprofessional has no line" (the monitor names none)
KNOWN_DEAD_ENDS = {str(MON["role-wijkteamprofessional"])}


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_holder_has_a_complete_chain(graph, path):
    G = responsibility_graph(graph, path.stem)
    holders = [n for n, d in G.nodes(data=True) if d["kind"] == "holder"]
    assert holders
    for holder in holders:
        c = chain(G, holder)
        assert c.nodes[0] == holder and G.nodes[c.nodes[1]]["kind"] == "role"
        if c.nodes[-1] in KNOWN_DEAD_ENDS:
            assert c.problem == "dead-end" and c.nodes[-1] in dead_ends(G)
            continue
        assert c.complete, (holder, c)
        assert G.nodes[c.nodes[-1]]["level"] == "LevelAdministrative"
    assert cycles(G) == []
    assert set(dead_ends(G)) <= KNOWN_DEAD_ENDS


def test_graph_shape(graph):
    G = responsibility_graph(graph, "FX-005", at=date(2021, 6, 20))
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    assert kinds == {"case", "holder", "role", "organisation", "phase", "instrument"}
    assert {d["kind"] for _, _, d in G.edges(data=True)} == {"holds", "for", "at", "escalatesTo"}
    risk = str(CG.PhaseRiskAssessment)
    assert G.in_degree(risk) == 0  # nobody owned the risk phase that day (flaws.json)
    # flat string attributes: the graph serialises to GraphML
    assert "<graphml" in "\n".join(nx.generate_graphml(G))


def test_unknown_case(graph):
    with pytest.raises(UnknownCase):
        responsibility_graph(graph, "FX-999")


@pytest.fixture()
def fixture_graph():
    return load([FIXTURE])


def test_a_cycle_is_reported_by_both(fixture_graph):
    fixture_graph.add((MON["role-bestuurder"], CG.escalatesTo, MON["role-casusregisseur"]))
    G = responsibility_graph(fixture_graph, "FXT-001")
    assert any(str(MON["role-bestuurder"]) in c for c in cycles(G))
    c = chain(G, str(MON["role-casusregisseur"]))
    assert c.problem == "cycle" and not c.complete
    steps, problem = escalation_steps(fixture_graph, MON["role-casusregisseur"])
    assert problem.startswith("cycle") and [s.role for s in steps] == list(c.nodes)


def test_a_dead_end_is_reported_by_both(fixture_graph):
    fixture_graph.remove((MON["role-procesregisseur"], CG.escalatesTo, None))
    G = responsibility_graph(fixture_graph, "FXT-001")
    assert dead_ends(G) == [str(MON["role-procesregisseur"])]
    c = chain(G, str(MON["role-casusregisseur"]))
    assert c.problem == "dead-end" and c.nodes[-1] == str(MON["role-procesregisseur"])
    steps, problem = escalation_steps(fixture_graph, MON["role-casusregisseur"])
    assert problem == f"dead-end {MON['role-procesregisseur']}"


def test_chain_command(capsys):
    assert main(["chain", "FX-005", "--at", "2021-06-20"]) == 0
    out = capsys.readouterr().out
    assert "case director (police) → Care and Safety House process director (ZVHRR)" in out
    assert "Cycles in the escalation lines: none" in out
    assert main(["chain", "FX-005", "--role", "casusregisseur", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [only] = data["chains"]
    assert only["nodes"][0].endswith("role-casusregisseur") and only["problem"] is None


def test_chain_command_reports_a_dead_end_with_exit_1(capsys):
    assert main(["chain", "FX-005", "--role", "wijkteamprofessional"]) == 1
    assert "dead end" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["chain", "FX-05"], ["chain", "FX-005", "--role", "baas"],
                                  ["chain", "FX-005", "--at", "gisteren"]])
def test_chain_bad_input(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
