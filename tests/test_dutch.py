"""Dutch all the way: every command's output with ``--lang nl``, every error, every note.

The commands run on the bundled data; their Dutch output may not hold an English word that
the program itself writes (a heading, a counted word, a note of the monitor). Identifiers are
left alone: rule codes (``phase-gap``), IRIs and prefixed names (``cg:mandate``), options.
"""

from __future__ import annotations

import html
import inspect
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from chaingraph import catalogue, errors, resources
from chaingraph.cli import main
from chaingraph.namespace import CG

# English words and phrases the Dutch output must not hold (whole words, any case).
ENGLISH = [
    "gap", "gaps", "overlap direction", "day", "days", "Phases", "nobody", "since", "running",
    "none", "the", "and", "which", "with", "from", "because", "owner", "owners", "holder",
    "organisation", "role", "measure", "violation", "warning", "Summary", "cases", "read as",
    "taken as", "not named", "Escalation path", "Contact points", "Instruments",
    "Over the whole case", "handover", "dead end", "cycle", "reaches", "Loaded", "Notes",
]
_ENGLISH = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b", re.I)

# Identifiers that are the same in every language, removed before looking for English.
_IDENTIFIERS = [
    re.compile(r"<(script|style)\b.*?</\1>", re.S),  # an HTML page's code
    re.compile(r"<[^>]*>"),  # HTML tags and their attributes
    re.compile(r"\b[\w.+-]+:[\w./#-]+"),  # IRIs, prefixed names, CSS declarations
    re.compile(r"--[a-z-]+"),  # options
    re.compile(r"\b[a-z]+(?:-[a-z]+)+\b"),  # rule codes and other kebab-case names
    re.compile(r"\b[a-z]+_[a-z_]+\b"),  # node ids of the exports
    re.compile(r"\[\^[^\]]*\]"),  # footnote marks
]

CASE = "FX-005"
COMMANDS = [
    ["who", CASE, "--at", "2021-06-20"],
    ["who", CASE, "--at", "2020-01-01"],
    ["who", CASE],
    ["chain", CASE, "--at", "2021-06-20"],
    ["raci", CASE],
    ["info"],
    ["audit"],
    ["monitor"],
    ["monitor", "--format", "html"],
    ["export", "collaboration", "--format", "mermaid"],
    ["export", "chain", "--format", "mermaid"],
    ["export", "case", "--case", CASE, "--format", "mermaid"],
    ["export", "timeline", "--case", CASE, "--format", "mermaid"],
    ["export", "case", "--case", CASE, "--format", "html"],
]


def english_in(text: str) -> list[str]:
    """The English words left in ``text`` once identifiers are taken out."""
    text = html.unescape(text)
    for pattern in _IDENTIFIERS:
        text = pattern.sub(" ", text)
    return sorted({m.group(0) for m in _ENGLISH.finditer(text)})


def test_the_check_finds_english():
    assert english_in("gat risk 2021-06-12 … 2021-07-04 1 days") == ["days"]
    assert english_in("[overtreding] dagen zonder fase-eigenaar (phase-gap): cg:PhaseGap") == []


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_dutch_output_has_no_english(argv, capsys):
    code = main([*argv, "--lang", "nl"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert out.strip()
    assert english_in(out) == [], out


@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")
def test_dutch_reasoning_has_no_english(capsys):
    assert main(["reason", "--lang", "nl"]) in (0, 1)
    out = capsys.readouterr().out
    assert "Consistent: ja" in out and english_in(out) == [], out


def test_who_names_phases_and_counts_in_dutch(capsys):
    assert main(["who", CASE, "--at", "2021-06-20", "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert "gat         risico  2021-06-12 … 2021-07-04  23 dagen" in out
    for english in ("gat risk", "overlap direction", "1 dagen"):
        assert english not in out
    assert catalogue.text("common.days", "nl", n=1) == "1 dag"


# --- errors -------------------------------------------------------------------------------

ERROR_CLASSES = sorted(
    (cls for _, cls in inspect.getmembers(errors, inspect.isclass)
     if issubclass(cls, errors.ChaingraphError)),
    key=lambda cls: cls.__name__,
)


def _example(cls: type[errors.ChaingraphError]) -> errors.ChaingraphError:
    """An instance of ``cls`` made the way chaingraph raises it."""
    if issubclass(cls, errors.UnknownName):
        return cls("FX-01", ["FX-001", "FX-002"])
    examples = {
        errors.SourceError: lambda: cls("a.ttl", line=3, problem="malformed", format="Turtle",
                                        why="objectList expected"),
        errors.MissingPath: lambda: cls("no/such/file.ttl"),
        errors.UnknownTerm: lambda: cls("a.ttl", "cg:Cas", ["cg:Case"]),
        errors.CaseNeeded: lambda: cls("timeline", ["FX-001"]),
        errors.PersonalDataLeak: lambda: cls("case", "svg"),
        errors.AuditViolations: lambda: cls(_report()),
        errors.MissingTool: lambda: cls(key="no_java"),
        errors.BackendError: lambda: cls(key="not_a_store", path="store"),
        errors.StoreBusy: lambda: cls("store", "1234", 60.0),
    }
    return examples.get(cls, lambda: cls(key="not_a_date", what="--at", value="2021-13-01"))()


def _report():
    from datetime import date

    from chaingraph.findings import AuditReport, Finding

    finding = Finding("FX-1", "phase-gap", "s", "violation", "n", "m", "a")
    return AuditReport([finding], ["FX-1"], date(2021, 1, 1))


def test_there_are_error_classes():
    assert len(ERROR_CLASSES) > 15


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_says_itself_in_english_and_dutch(cls):
    if cls is errors.ChaingraphError:
        error = cls(key="dot_failed", why=1)
    else:
        error = _example(cls)
    assert error.text("en") == str(error)
    assert error.text("nl") != error.text("en"), cls
    assert english_in(error.text("nl")) == [], error.text("nl")


def test_every_error_class_lives_in_errors():
    """The errors other modules raise are chaingraph.errors' classes, re-exported."""
    from chaingraph import backends, findings
    from chaingraph.export import content, privacy

    assert backends.BackendError is errors.BackendError
    assert findings.AuditViolations is errors.AuditViolations
    assert privacy.PersonalDataLeak is errors.PersonalDataLeak
    assert content.UnknownView is errors.UnknownView


def test_every_error_key_is_in_the_catalogue():
    keys = {k.split(".", 1)[1] for k in catalogue.entries() if k.startswith("errors.")}
    package = Path(errors.__file__).parent
    used = set()
    for path in package.rglob("*.py"):
        used |= set(re.findall(r'\bkey="(\w+)"', path.read_text(encoding="utf-8")))
    assert used and used <= keys, used - keys


# --- the monitor's interpretation notes ---------------------------------------------------

def _monitor() -> Graph:
    graph = Graph()
    for path in sorted(resources.MONITOR_DIR.glob("*.ttl")):
        graph.parse(path)
    return graph


def test_every_interpretation_note_is_in_dutch_too():
    graph = _monitor()
    subjects = set(graph.subjects(CG.interpretation, None))
    assert len(subjects) > 100
    for node in subjects:
        notes = list(graph.objects(node, CG.interpretation))
        english = [n for n in notes if n.language == "en"]
        dutch = [n for n in notes if n.language == "nl"]
        assert len(english) == len(dutch) >= 1, node
        for en, nl in zip(sorted(english), sorted(dutch), strict=True):
            assert _numbers(nl) <= _numbers(en) | {"1"}, (node, en, nl)


def _numbers(text: object) -> set[str]:
    return set(re.findall(r"\d+(?:[.,]\d+)*", str(text)))


def test_the_dutch_monitor_shows_the_dutch_notes(capsys):
    graph = _monitor()
    dutch = {" ".join(str(n).split()) for n in graph.objects(None, CG.interpretation)
             if n.language == "nl"}
    english = {" ".join(str(n).split()) for n in graph.objects(None, CG.interpretation)
               if n.language == "en"}
    assert main(["monitor", "--lang", "nl"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    shown = {note for note in dutch if note in out}
    assert shown and not any(note in out for note in english)
    assert isinstance(next(iter(graph.subjects(CG.interpretation, None))), URIRef)
