"""The monitor of 14 October 2020 as data (data/monitor/*.ttl): section counts, the required
fields of every measure, and the figures table of section 2 checked value by value against a
table typed in independently from the seed. Uses rdflib only, so it runs without the package."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

ROOT = Path(__file__).parents[1]
MONITOR_DIR = ROOT / "data" / "monitor"
ONTOLOGY_DIR = ROOT / "ontology"

CG = Namespace("https://w3id.org/chaingraph/ontology#")
MON = Namespace("https://w3id.org/chaingraph/monitor/")
QB = Namespace("http://purl.org/linked-data/cube#")

# Section 2 "Relevante cijfers", typed in from seeds/001 (full text); column placement as
# reasoned out in data/monitor/figures.ttl. Key: (indicator notation, year, area notation).
EXPECTED_FIGURES: dict[tuple[str, int, str], int] = {
    # Aantal stalkingzaken OM: 72 | 147 | 113
    ("om-stalkingzaken", 2018, "RR+ZHZ"): 72,
    ("om-stalkingzaken", 2019, "RR+ZHZ"): 147,
    ("om-stalkingzaken", 2020, "RR+ZHZ"): 113,
    # Aantal gedragsaanwijzingen: 419 | 650 | 297
    ("gedragsaanwijzingen", 2018, "RR+ZHZ"): 419,
    ("gedragsaanwijzingen", 2019, "RR+ZHZ"): 650,
    ("gedragsaanwijzingen", 2020, "RR+ZHZ"): 297,
    # lopende complexe casussen ZVHRR: 41
    ("complexe-casussen-zvhrr", 2020, "RR"): 41,
    # Aantal lopende contactverboden (3RO): 1125 950 665 888 757 522
    ("contactverboden-3ro", 2019, "RR+ZHZ"): 1125,
    ("contactverboden-3ro", 2019, "RR"): 950,
    ("contactverboden-3ro", 2019, "Rotterdam"): 665,
    ("contactverboden-3ro", 2020, "RR+ZHZ"): 888,
    ("contactverboden-3ro", 2020, "RR"): 757,
    ("contactverboden-3ro", 2020, "Rotterdam"): 522,
    # Aantal lopende locatieverboden (3RO): 679 565 375 528 435 300
    ("locatieverboden-3ro", 2019, "RR+ZHZ"): 679,
    ("locatieverboden-3ro", 2019, "RR"): 565,
    ("locatieverboden-3ro", 2019, "Rotterdam"): 375,
    ("locatieverboden-3ro", 2020, "RR+ZHZ"): 528,
    ("locatieverboden-3ro", 2020, "RR"): 435,
    ("locatieverboden-3ro", 2020, "Rotterdam"): 300,
    # Unieke personen besproken in ZVHRR: 2.362 1.030 | 2.651 1.145 | 1.953 803
    ("personen-zvhrr", 2018, "RR"): 2362,
    ("personen-zvhrr", 2018, "Rotterdam"): 1030,
    ("personen-zvhrr", 2019, "RR"): 2651,
    ("personen-zvhrr", 2019, "Rotterdam"): 1145,
    ("personen-zvhrr", 2020, "RR"): 1953,
    ("personen-zvhrr", 2020, "Rotterdam"): 803,
    # Unieke personen besproken in ZVHRR HG: 288 174 | 375 215 | 430 167
    ("personen-zvhrr-hg", 2018, "RR"): 288,
    ("personen-zvhrr-hg", 2018, "Rotterdam"): 174,
    ("personen-zvhrr-hg", 2019, "RR"): 375,
    ("personen-zvhrr-hg", 2019, "Rotterdam"): 215,
    ("personen-zvhrr-hg", 2020, "RR"): 430,
    ("personen-zvhrr-hg", 2020, "Rotterdam"): 167,
    # SASH (politie): 1 1 0 | 438 371 222 | 419 363 202
    ("sash", 2018, "RR+ZHZ"): 1,
    ("sash", 2018, "RR"): 1,
    ("sash", 2018, "Rotterdam"): 0,
    ("sash", 2019, "RR+ZHZ"): 438,
    ("sash", 2019, "RR"): 371,
    ("sash", 2019, "Rotterdam"): 222,
    ("sash", 2020, "RR+ZHZ"): 419,
    ("sash", 2020, "RR"): 363,
    ("sash", 2020, "Rotterdam"): 202,
    # Hulp bij aanvraag beschermingsmaatregel (SHN): 198 | 570 | 314
    ("shn-beschermingsmaatregel", 2018, "Rotterdam"): 198,
    ("shn-beschermingsmaatregel", 2019, "Rotterdam"): 570,
    ("shn-beschermingsmaatregel", 2020, "Rotterdam"): 314,
    # Aantal meldingen VTRR: 14.710 8.697 | 7.344 3.926
    ("meldingen-vtrr", 2019, "RR"): 14710,
    ("meldingen-vtrr", 2019, "Rotterdam"): 8697,
    ("meldingen-vtrr", 2020, "RR"): 7344,
    ("meldingen-vtrr", 2020, "Rotterdam"): 3926,
    # Aantal interventies VTRR: 1.358 738 | 656 411
    ("interventies-vtrr", 2019, "RR"): 1358,
    ("interventies-vtrr", 2019, "Rotterdam"): 738,
    ("interventies-vtrr", 2020, "RR"): 656,
    ("interventies-vtrr", 2020, "Rotterdam"): 411,
    # Aantal huisverboden: 701 405 | 374 191 (the OCR copy's "101" is wrong)
    ("huisverboden", 2019, "RR"): 701,
    ("huisverboden", 2019, "Rotterdam"): 405,
    ("huisverboden", 2020, "RR"): 374,
    ("huisverboden", 2020, "Rotterdam"): 191,
    # Aantal meldingen stalking VTRR: 580 375 | 371 220
    ("meldingen-stalking-vtrr", 2019, "RR"): 580,
    ("meldingen-stalking-vtrr", 2019, "Rotterdam"): 375,
    ("meldingen-stalking-vtrr", 2020, "RR"): 371,
    ("meldingen-stalking-vtrr", 2020, "Rotterdam"): 220,
}

EXPECTED_COUNTS = {"4.1": 4, "4.2": 4, "4.3": 6, "4.4": 3, "4.5": 6, "4.6": 4}


def _parse(folder: Path) -> Graph:
    graph = Graph()
    files = sorted(folder.glob("*.ttl"))
    assert files, f"no Turtle files in {folder}"
    for path in files:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def monitor() -> Graph:
    return _parse(MONITOR_DIR)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse(ONTOLOGY_DIR)


def _langs(graph: Graph, subject, predicate) -> set[str | None]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


def _items(graph: Graph) -> set[URIRef]:
    return (set(graph.subjects(RDF.type, CG.ImprovementMeasure))
            | set(graph.subjects(RDF.type, CG.RelatedDevelopment)))


def test_only_declared_cg_terms(monitor, ontology):
    declared = {s for s in ontology.subjects()
                if isinstance(s, URIRef) and str(s).startswith(str(CG))}
    used = {t for triple in monitor for t in triple
            if isinstance(t, URIRef) and str(t).startswith(str(CG))}
    assert used - declared == set()


def test_measures_per_section(monitor):
    counts: dict[str, int] = {}
    for item in _items(monitor):
        section = str(monitor.value(item, DCTERMS.source)).rsplit("section-", 1)[1]
        counts[section] = counts.get(section, 0) + 1
    assert counts == EXPECTED_COUNTS
    developments = set(monitor.subjects(RDF.type, CG.RelatedDevelopment))
    names = {str(d).rsplit("/", 1)[1] for d in developments}
    assert names == {f"development-4.6-{i}" for i in range(1, 5)}
    measures = set(monitor.subjects(RDF.type, CG.ImprovementMeasure))
    assert {str(m).rsplit("/", 1)[1] for m in measures} == {
        f"measure-{section}-{i}"
        for section, n in EXPECTED_COUNTS.items()
        if section != "4.6"
        for i in range(1, n + 1)
    }


def test_every_measure_is_complete(monitor):
    problems = []
    for item in sorted(_items(monitor)):
        if monitor.value(item, CG.phase) is None:
            problems.append((item, "phase"))
        if monitor.value(item, CG.status) is None:
            problems.append((item, "status"))
        if not list(monitor.objects(item, CG.owner)):
            problems.append((item, "owner"))
        if monitor.value(item, DCTERMS.source) is None:
            problems.append((item, "source"))
        if not {"nl", "en"} <= _langs(monitor, item, SKOS.prefLabel):
            problems.append((item, "prefLabel nl+en"))
        if not {"nl", "en"} <= _langs(monitor, item, CG.statusText):
            problems.append((item, "statusText nl+en"))
        notation = str(monitor.value(item, SKOS.notation))
        if not str(item).endswith("-" + notation):
            problems.append((item, "notation"))
    assert problems == []


def _observations(monitor: Graph) -> dict[tuple[str, int, str], URIRef]:
    found = {}
    for obs in monitor.subjects(RDF.type, QB.Observation):
        assert monitor.value(obs, QB.dataSet) == MON.figures
        indicator = str(monitor.value(monitor.value(obs, CG.indicator), SKOS.notation))
        year = int(str(monitor.value(obs, CG.year)))
        area = str(monitor.value(monitor.value(obs, CG.area), SKOS.notation))
        key = (indicator, year, area)
        assert key not in found, f"two observations for {key}"
        found[key] = obs
    return found


def test_figures_reproduce_section_2(monitor):
    observations = _observations(monitor)
    actual = {key: monitor.value(obs, CG.value).toPython() for key, obs in observations.items()}
    assert actual == EXPECTED_FIGURES
    assert len(actual) == 59
    indicators = set(monitor.subjects(RDF.type, CG.Indicator))
    assert len(indicators) == 13
    assert sorted(monitor.value(i, CG.order).toPython() for i in indicators) == list(range(1, 14))


def test_2020_observations_carry_period_note(monitor):
    for (_, year, _), obs in _observations(monitor).items():
        notes = {(str(o), o.language) for o in monitor.objects(obs, CG.periodNote)}
        if year == 2020:
            assert notes == {("tot 1 juli", "nl"), ("to 1 July", "en")}, obs
        else:
            assert notes == set(), obs


def test_incomplete_rows_carry_interpretation(monitor):
    per_row: dict[str, int] = {}
    for indicator, _, _ in EXPECTED_FIGURES:
        per_row[indicator] = per_row.get(indicator, 0) + 1
    for (indicator, _, _), obs in _observations(monitor).items():
        if per_row[indicator] < 9:
            assert monitor.value(obs, CG.interpretation) is not None, obs
            row = monitor.value(obs, CG.indicator)
            assert monitor.value(row, CG.interpretation) is not None, row


def test_every_organisation_has_dutch_and_english_label(monitor):
    organisations = set(monitor.subjects(RDF.type, CG.Organisation))
    assert len(organisations) == 13
    for org in organisations:
        assert {"nl", "en"} <= _langs(monitor, org, SKOS.prefLabel), org


def test_no_personal_names():
    for path in MONITOR_DIR.glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        for name in ("Humeyra", "Bekir"):
            assert name not in text, f"{path.name} names a person"
