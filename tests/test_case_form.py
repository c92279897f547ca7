"""The case form (issue 13): the template in both languages, the names it accepts, and every
mistake as one sentence naming the line, the field and what is allowed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rdflib import RDF

from chaingraph.cases.build import case_graph, case_iri
from chaingraph.cases.form import parse_date, parse_form, read_form
from chaingraph.cases.show import template
from chaingraph.cases.vocabulary import base_graph, vocabulary
from chaingraph.errors import FormError
from chaingraph.labels import local_name
from chaingraph.namespace import CG, MON

SOUND = Path(__file__).parent / "fixtures" / "case" / "sound.yaml"

HEAD = "case:\n  id: C-1\n  start: 2021-06-20\n"


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_template_is_a_form_that_reads_as_it_stands(lang):
    text = template(lang)
    case = parse_form(text, lang=lang)
    assert case.id == "CASE-001" and case.start == date(2021, 6, 20)
    assert {local_name(p) for p in case.phases} >= {"PhaseRecognition", "PhaseRiskAssessment"}
    monitor = case.instruments[0]
    assert monitor.type == CG.AnkleMonitor
    assert {local_name(a.kind) for a in monitor.responsibilities if a.kind} == {
        "Decides", "CarriesOut", "Monitors", "ReceivesAlerts", "Informed"}
    # the comments are in the chosen language, the names allowed come from the data
    assert ("Organisaties" in text) == (lang == "nl")
    for name in vocabulary().organisation.allowed(lang) + vocabulary().role.allowed(lang):
        assert name in text


def test_the_allowed_names_come_from_the_monitor_and_the_ontology():
    vocab = vocabulary()
    graph = base_graph()
    organisations = set(graph.subjects(RDF.type, CG.Organisation))
    assert set(vocab.organisation.written["en"]) == organisations
    # short names in Dutch and English, labels, IRI tails: all mean the same thing
    for name in ("politie", "police", "Politie Eenheid Rotterdam", "org-politie"):
        assert vocab.organisation.find(name) == MON["org-politie"], name
    for name in ("casusregisseur", "case director", "Case-Director"):
        assert vocab.role.find(name) == MON["role-casusregisseur"], name
    for name in ("enkelband", "ankle monitor", "ankle-monitor", "AnkleMonitor"):
        assert vocab.instrument.find(name) == CG.AnkleMonitor, name
    for name in ("risk", "risico-inschatting en slachtoffervriendelijkheid"):
        assert vocab.phase.find(name) == CG.PhaseRiskAssessment, name
    for name in ("receives_alerts", "ontvangt alarmen", "geïnformeerd"):
        assert vocab.responsibility.find(name) in (CG.ReceivesAlerts, CG.Informed), name
    assert vocab.phase.allowed("en")[:2] == ["recognition", "risk"]  # the scheme's order


@pytest.mark.parametrize("written", ["2021-06-20", "20-06-2021", "20-6-2021"])
def test_dates_in_both_ways(written):
    assert parse_date(written) == date(2021, 6, 20)


def test_a_form_becomes_the_triples_of_a_case_file():
    case = read_form(str(SOUND))
    graph = case_graph(case)
    node = case_iri("CASE-T1")
    assert (node, CG.startDate, None) in graph
    assert str(graph.value(node, CG.startDate)) == "2022-03-01"
    assert graph.value(node, CG.startDate).datatype.endswith("#date")
    owners = list(graph.subjects(CG.responsibility, CG.Owns))
    assert len(owners) == 4 and all((o, CG.inCase, node) in graph for o in owners)
    # the organisation left out is the role's own; the instrument lines get its period
    cp = [a for a in case.contact_points if a.role == MON["role-vast-aanspreekpunt"]][0]
    assert cp.organisation == MON["org-politie"] and cp.start == case.start
    sash = case.instruments[0]
    assert all((a.start, a.end) == (sash.start, sash.end) for a in sash.responsibilities)
    # professionals and the victim by pseudonym only
    assert (None, CG.pseudonym, None) in graph
    assert {str(p) for p in graph.objects(None, CG.pseudonym)} >= {"P-TVIC1", "P-TCD01"}


# (form text, line, field, words of the English sentence, words of the Dutch one)
MISTAKES = [
    ("case: [\n", 2, None, "not valid YAML", "geen geldige YAML"),
    ("", None, None, "the form is empty", "het formulier is leeg"),
    ("owners: []\n", 1, "case", "missing", "ontbreekt"),
    ("case:\n  id: C-1\n", 2, "case.start", "missing", "ontbreekt"),
    (HEAD + "  colour: red\n", 4, "case.colour", "unknown field; allowed: id, fictional",
     "onbekend veld; toegestaan: id, fictional"),
    (HEAD + "  end: 31-02-2021\n", 4, "case.end", "'31-02-2021' is not a date; write 2021-06-20 "
     "or 20-06-2021", "is geen datum; schrijf 2021-06-20 of 20-06-2021"),
    (HEAD + "  end: 2021-06-01\n", 4, "case.end", "the end 2021-06-01 lies before the start",
     "ligt voor het begin"),
    (HEAD + "  victim: Jan Jansen\n", 4, "case.victim", "is not a pseudonym; write P- and five",
     "is geen pseudoniem"),
    (HEAD + "  fictional: perhaps\n", 4, "case.fictional", "'perhaps' is not yes or no",
     "is geen ja of nee"),
    (HEAD + "  risk: extreme\n", 4, "case.risk", "'extreme' is not a known risk level; allowed: "
     "low, medium, high", "is onbekend als risiconiveau"),
    (HEAD + "  phases: [risk, regie]\n", 4, "case.phases[2]", "'regie' is not a known phase",
     "is onbekend als fase"),
    ("case:\n  id: 'C 1'\n  start: 2021-06-20\n", 2, "case.id", "cannot be a case identifier",
     "kan geen casusnummer zijn"),
    ("case:\n  id: C-1\n  id: C-2\n  start: 2021-06-20\n", 3, "case.id", "given twice",
     "staat er twee keer"),
    (HEAD + "owners:\n  - {phase: risk, organisation: politei, role: casusregisseur, holder: "
     "P-AB12C}\n", 5, "owners[1].organisation", "'politei' is not a known organisation; "
     "allowed: gemeente", "is onbekend als organisatie; toegestaan: gemeente"),
    (HEAD + "owners:\n  - {phase: risk, role: baas, holder: P-AB12C}\n", 5, "owners[1].role",
     "'baas' is not a known role; allowed: aandachtsfunctionaris", "is onbekend als rol"),
    (HEAD + "owners:\n  - {phase: risk, role: casusregisseur}\n", 5, "owners[1].holder",
     "missing", "ontbreekt"),
    (HEAD + "owners:\n  phase: risk\n", 5, "owners", "expected a list", "lijst verwacht"),
    (HEAD + "contact_points:\n  - just a name\n", 5, "contact_points[1]", "expected fields",
     "velden verwacht"),
    (HEAD + "instruments:\n  - {type: enkelbandje, from: 2021-07-01}\n", 5,
     "instruments[1].type", "'enkelbandje' is not a known instrument type; allowed: "
     "ankle-monitor", "is onbekend als soort instrument"),
    (HEAD + "instruments:\n  - {type: enkelband, from: 2021-07-01, ziet_toe: [{role: "
     "reclasseringswerker, holder: P-AB12C, from: 2021-07-01, to: 2021-06-01}]}\n", 5,
     "instruments[1].ziet_toe[1].to", "lies before the start", "ligt voor het begin"),
    (HEAD + "instruments:\n  - {type: enkelband, from: 2021-07-01, owns: []}\n", 5,
     "instruments[1].owns", "unknown field", "onbekend veld"),
    (HEAD + "instruments:\n  - {id: x, type: enkelband, from: 2021-07-01}\n  - {id: x, type: "
     "aware, from: 2021-07-01}\n", 6, "id", "the id 'x' is used twice", "komt twee keer voor"),
    (HEAD + "events:\n  - {type: overtreding, date: 2021-07-02, concerns: contactverbod}\n", 5,
     "events[1].concerns", "'contactverbod' names nothing in this case",
     "verwijst naar niets in deze casus"),
    (HEAD + "events:\n  - {type: feestje, date: 2021-07-02}\n", 5, "events[1].type",
     "is not a known event type", "is onbekend als soort gebeurtenis"),
    (HEAD + "events:\n  - {type: escalatie, date: 2021-07-02, escalated_by: chef}\n", 5,
     "events[1].escalated_by", "'chef' is not a known role", "is onbekend als rol"),
]


@pytest.mark.parametrize("text, line, field, english, dutch", MISTAKES,
                         ids=[f"{m[2] or 'form'}-{i}" for i, m in enumerate(MISTAKES)])
def test_every_mistake_is_one_sentence_naming_line_field_and_what_is_allowed(text, line, field,
                                                                               english, dutch):
    with pytest.raises(FormError) as caught:
        parse_form(text)
    error = caught.value
    assert error.line == line
    sentence, zin = error.text("en"), error.text("nl")
    assert english in sentence, sentence
    assert dutch in zin, zin
    assert str(error) == sentence and "\n" not in sentence
    if line is not None:
        assert sentence.startswith(f"line {line}") and zin.startswith(f"regel {line}")
    if field is not None:
        assert f"{field}: " in sentence


def test_names_in_the_form_may_be_dutch_or_english():
    text = HEAD + ("  phases: [risk]\nowners:\n  - {phase: risk, organisation: Veilig Thuis, "
                   "role: stalking focal officer, holder: P-AB12C}\n")
    (owner,) = parse_form(text).owners
    assert owner.organisation == MON["org-vtrr"] and owner.role == MON["role-aandachtsfunctionaris"]


@pytest.mark.parametrize("text, words", [
    (HEAD + "  note: [a, b]\n", "line 4, case.note: expected one value here"),
    (HEAD + "instruments:\n  - {id: 'a b', type: aware, from: 2021-07-01}\n",
     "line 5, instruments[1].id: 'a b' cannot be an id"),
])
def test_more_form_mistakes(text, words):
    with pytest.raises(FormError, match="^" + words.replace("[", r"\[").replace("]", r"\]")):
        parse_form(text)


@pytest.mark.parametrize("sheet, words", [
    ("case;case_start;assignment;role;holder;colour\n", "row 1, colour: unknown column"),
    ("case;case_start;assignment;role;holder\n", "the spreadsheet has no rows"),
    ("case;case_start;risk;assignment;role;holder\nC-1;2022-01-01;high;contact_point;ovj;"
     "P-AAAAA\nC-1;2022-01-01;low;contact_point;hovj;P-AAAAB\n",
     "row 3, risk: case C-1 is given different risk on another row"),
])
def test_spreadsheet_mistakes(sheet, words):
    from chaingraph.cases.csvimport import parse_csv

    with pytest.raises(FormError) as caught:
        parse_csv(sheet)
    assert str(caught.value).startswith(words), str(caught.value)
    assert caught.value.text("nl") != str(caught.value)


@pytest.mark.parametrize("name", ["intake.yaml", "cases.csv"])
def test_a_form_or_spreadsheet_that_is_not_utf8_says_what_to_do(tmp_path, name):
    from chaingraph.cases.csvimport import read_csv
    from chaingraph.errors import SourceError

    bad = tmp_path / name
    bad.write_bytes("case:\n  id: café\n".encode("latin-1"))  # saved as Latin-1
    with pytest.raises(SourceError) as raised:
        (read_form if name.endswith(".yaml") else read_csv)(bad)
    assert raised.value.line == 2
    assert raised.value.text("en").endswith("is not UTF-8 text (byte 15); save it as UTF-8")
    assert raised.value.text("nl").endswith("sla het op als UTF-8")
