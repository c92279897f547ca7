"""The case graph agrees with SPARQL on every case; chains, cycles, dead ends on it.

There is one case graph (chaingraph.casegraph): `chain` follows it and `export case` draws
it, with the same node ids and edge names.
"""

from __future__ import annotations

import json
from datetime import date
from itertools import pairwise

import networkx as nx
import pytest
from rdflib import URIRef
from rdflib.namespace import SKOS
from test_who import days_of_interest

from chaingraph import load, resources
from chaingraph.casegraph import case_graph, role_node
from chaingraph.cli import main
from chaingraph.errors import UnknownCase
from chaingraph.escalation import assignments, case_chains, chain, cycles, dead_ends
from chaingraph.export import views
from chaingraph.graph import case_files
from chaingraph.namespace import CG, MON
from chaingraph.queries import run_query
from chaingraph.responsibility import escalation_steps

CASE_FILES = case_files()
FIXTURE = resources.ROOT / "tests" / "fixtures" / "who"


def test_there_are_cases():
    assert len(CASE_FILES) >= 8


def sparql_rows(graph, case, day):
    """(target, kind, organisation, role) and (holder, role, organisation) from the
    case-responsibilities query; an instrument as its class and start date."""
    found, holds = set(), set()
    for r in run_query(graph, "case-responsibilities", case=case, date=day).dicts():
        if r["phase"] is not None:
            target = str(next(graph.objects(r["phase"], SKOS.notation)))
        elif r["instrument"] is not None:
            target = f"{r['instrumentType']} {graph.value(r['instrument'], CG.startDate)}"
        else:
            target = "case"
        found.add((target, str(r["kind"]), str(r["organisation"] or ""), str(r["role"] or "")))
        if r["role"] is not None:
            holds.add((str(r["pseudonym"]), str(r["role"]), str(r["organisation"] or "")))
    return found, holds


def holdings(G):
    """(holder, role IRI, organisation IRI) from the holds edges of a case graph."""
    return {(u, G.nodes[v]["iri"],
             next(G.nodes[o]["iri"] for _, o, e in G.out_edges(v, data=True)
                  if e["kind"] == "held-at"))
            for u, v, d in G.edges(data=True) if d["kind"] == "holds"}


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_sparql_and_networkx_agree(graph, path):
    """Owners, contact points, instrument responsibilities, holders and escalation paths,
    day by day."""
    case = path.stem
    days = days_of_interest(path)
    assert days
    for day in days:
        G = case_graph(graph, case, at=day, holders=str)
        from_sparql, holds = sparql_rows(graph, case, day)
        assert assignments(G) == from_sparql, f"{case} on {day}"
        for kind in ("O", "C"):  # phase owners and contact points on their own, for a clear message
            assert ({a for a in assignments(G) if a[1] == kind}
                    == {a for a in from_sparql if a[1] == kind})
        assert holdings(G) == holds, f"{case} on {day}"
        held = {v for _, v, d in G.edges(data=True) if d["kind"] == "holds"}
        for role in held:
            steps, problem = escalation_steps(graph, URIRef(G.nodes[role]["iri"]))
            path_nx = chain(G, role)
            assert tuple(s.role for s in steps) == tuple(G.nodes[n]["iri"] for n in path_nx.nodes)
            assert ((problem or "").split(" ")[0] or None) == path_nx.problem


# Every role of the bundled data has a line (the neighbourhood-team professional's, to the
# ZVHRR process director, is an interpretation: data/monitor/roles.ttl).
KNOWN_DEAD_ENDS: set[str] = set()


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_holder_has_a_complete_chain(graph, path):
    G = case_graph(graph, path.stem, holders=str)
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
    G = case_graph(graph, "FX-005", at=date(2021, 6, 20), holders=str)
    kinds = {d["kind"] for _, d in G.nodes(data=True)}
    assert kinds == {"case", "holder", "role", "organisation", "phase", "instrument"}
    assert {d["kind"] for _, _, d in G.edges(data=True)} == {
        "applies", "applied", "held-at", "owns", "responsibility", "role-assignment",
        "escalates-to", "holds"}
    risk = views.node_id(CG.PhaseRiskAssessment)
    # nobody owned the risk phase that day (flaws.json): only the case applies it
    assert [d["kind"] for _, _, d in G.in_edges(risk, data=True)] == ["applies"]
    # flat string attributes: the graph serialises to GraphML
    assert "<graphml" in "\n".join(nx.generate_graphml(G))


def test_one_case_graph_for_chain_and_export(graph):
    """`chain` and `export case` read the same graph: same node ids, same edges, same names;
    `chain` adds only the holders (and looks at one day)."""
    for case_id in [p.stem for p in CASE_FILES]:
        exported = views.case(graph, case_id)
        followed = case_graph(graph, case_id, holders=str)
        persons = {n for n, d in followed.nodes(data=True) if d["kind"] == "holder"}
        assert persons and not persons & set(exported)
        assert set(followed) - persons == set(exported), case_id
        assert ({(u, v, d["kind"]) for u, v, d in followed.edges(data=True) if u not in persons}
                == {(u, v, d["kind"]) for u, v, d in exported.edges(data=True)}), case_id
        found = case_chains(graph, case_id)
        roles = {n for c in found.chains.values() for n in c.nodes} - set(found.holders)
        assert roles and {role_node(graph, URIRef(r)) for r in roles} <= set(exported)


def test_unknown_case(graph):
    with pytest.raises(UnknownCase):
        case_graph(graph, "FX-999")


@pytest.fixture()
def fixture_graph():
    return load([FIXTURE])


def test_a_cycle_is_reported_by_both(fixture_graph):
    fixture_graph.add((MON["role-bestuurder"], CG.escalatesTo, MON["role-casusregisseur"]))
    G = case_graph(fixture_graph, "FXT-001", holders=str)
    assert any("role-bestuurder" in c for c in cycles(G))
    c = chain(G, "role-casusregisseur")
    assert c.problem == "cycle" and not c.complete
    steps, problem = escalation_steps(fixture_graph, MON["role-casusregisseur"])
    assert problem.startswith("cycle")
    assert [s.role for s in steps] == [G.nodes[n]["iri"] for n in c.nodes]


def test_a_dead_end_is_reported_by_both(fixture_graph):
    fixture_graph.remove((MON["role-procesregisseur"], CG.escalatesTo, None))
    G = case_graph(fixture_graph, "FXT-001", holders=str)
    assert dead_ends(G) == ["role-procesregisseur"]
    c = chain(G, "role-casusregisseur")
    assert c.problem == "dead-end" and c.nodes[-1] == "role-procesregisseur"
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


def test_the_neighbourhood_team_professional_escalates_to_the_process_director(graph):
    assert (graph.value(MON["role-wijkteamprofessional"], CG.escalatesTo)
            == MON["role-procesregisseur"])
    notes = {n.language for n in graph.objects(MON["role-wijkteamprofessional"],
                                               CG.interpretation)}
    assert notes == {"en", "nl"}


def test_chain_command_reports_a_dead_end_with_exit_1(capsys, tmp_path):
    """A role with no line of its own (added by a data file) is a dead end, exit 1."""
    extra = tmp_path / "nowhere.ttl"
    extra.write_text(
        "@prefix cg: <https://w3id.org/chaingraph/ontology#> .\n"
        "@prefix mon: <https://w3id.org/chaingraph/monitor/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "mon:role-nergens a cg:Role ; skos:prefLabel \"nergens\"@nl , \"nowhere\"@en ;\n"
        "    cg:heldAt mon:org-wijkteams ; cg:escalationLevel cg:LevelOperational .\n",
        encoding="utf-8")
    case = next(p for p in CASE_FILES if p.stem == "FX-005")
    assert main(["chain", "FX-005", "--role", "role-nergens", "--data", str(case),
                 "--data", str(extra)]) == 1
    assert "dead end" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["chain", "FX-05"], ["chain", "FX-005", "--role", "baas"],
                                  ["chain", "FX-005", "--at", "gisteren"]])
def test_chain_bad_input(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_chain_without_a_case_follows_the_graph_export_chain_draws(graph, capsys):
    """The two "chain"s are one: `chain` without a case prints the escalation lines of the
    graph that `export chain` draws (exit 0: every line of the bundled data reaches the top)."""
    from chaingraph.escalation import chain_chains

    found = chain_chains(graph)
    drawn = views.chain(graph)
    assert set(found.graph) == set(drawn)
    assert ({(u, v) for u, v, d in found.graph.edges(data=True) if d["kind"] == "escalates-to"}
            == {(u, v) for u, v, d in drawn.edges(data=True) if d["kind"] == "escalates-to"})
    lines = set(graph.subject_objects(CG.escalatesTo))
    assert lines
    for c in found.chains.values():
        assert all((URIRef(a), URIRef(b)) in lines for a, b in pairwise(c.nodes))
    assert found.dead_ends == sorted(str(MON[n]) for n in KNOWN_DEAD_ENDS)
    assert main(["chain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The escalation lines of the whole chain\n")
    assert "neighbourhood team professional" in out and "[dead end]" not in out
    assert main(["chain", "--at", "2021-06-20"]) == 2
    assert "--at needs a case" in capsys.readouterr().err


def test_the_chains_hold_iris_and_are_put_into_words_when_rendered(graph, capsys):
    from chaingraph.escalation import render_text

    found = case_chains(graph, "FX-005", at=date(2021, 6, 20))
    people = {str(o) for o in graph.subjects(CG.pseudonym, None)}
    roles = {str(r) for r in graph.subjects(CG.heldAt, None)}
    assert found.chains and set(found.chains) <= people
    assert all(c.nodes[0] in people and set(c.nodes[1:]) <= roles for c in found.chains.values())
    assert main(["chain", "FX-005", "--at", "2021-06-20", "--lang", "nl"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == render_text(found, "nl")
    assert "casusregisseur (politie) → " in render_text(found, "nl")
