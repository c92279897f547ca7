"""The progress bars speak the command's language (--lang), as every other text does."""

from __future__ import annotations

import io

import pytest

from chaingraph import progress
from chaingraph.catalogue import entries
from chaingraph.cli import main


class Terminal(io.StringIO):
    """A stderr that says it is a terminal, so the bars draw on it."""

    def isatty(self) -> bool:
        return True


def _drawn(monkeypatch, argv: list[str]) -> str:
    """What ``chaingraph ARGV`` writes on a terminal's stderr. (Set in the test's own phase:
    pytest puts its capture back on sys.stderr between a fixture and the test.)"""
    stream = Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    assert main(argv) in (0, 1)
    assert progress.language == "en"  # for its command only: the library's next bar is English
    return stream.getvalue()


@pytest.mark.parametrize(("lang", "words"), [("en", ["generate [", "cases"]),
                                             ("nl", ["genereren [", "casussen"])])
def test_generate_draws_its_bar_in_the_language_asked(lang, words, monkeypatch, tmp_path):
    out = tmp_path / "cases.ttl"
    drawn = _drawn(monkeypatch,
                   ["generate", "--cases", "3", "--output", str(out), "--lang", lang])
    assert all(w in drawn for w in words), drawn


@pytest.mark.parametrize(("lang", "word"), [("en", "audit ["), ("nl", "toetsing [")])
def test_the_audit_draws_its_bar_in_the_language_asked(lang, word, monkeypatch, tmp_path):
    out = tmp_path / "cases.ttl"
    assert main(["generate", "--cases", "4", "--output", str(out), "--flaw-rate", "0"]) == 0
    drawn = _drawn(monkeypatch, ["audit", str(out), "--engine", "sparql", "--lang", lang])
    assert word in drawn, drawn


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["index case memberships", "compact the store"]),
    ("nl", ["casusdeelname indexeren", "store comprimeren"])])
def test_a_load_draws_its_steps_in_the_language_asked(lang, words, monkeypatch, tmp_path):
    out = tmp_path / "cases.ttl"
    assert main(["generate", "--cases", "4", "--output", str(out)]) == 0
    drawn = _drawn(monkeypatch, ["load", str(out), "--store", str(tmp_path / "st"),
                                 "--lang", lang])
    assert all(w in drawn for w in words), drawn


def test_every_word_of_the_bars_is_in_both_languages():
    words = {k: v for k, v in entries().items() if k.startswith("progress.")}
    assert {"progress.audit", "progress.load", "progress.index", "progress.compact",
            "progress.cases"} <= set(words)
    assert all(v.get("en") and v.get("nl") for v in words.values())
