"""The message catalogue: every key in English and Dutch, with the same placeholders."""

from __future__ import annotations

import re
import string

import pytest

from chaingraph import catalogue

ENTRIES = catalogue.entries()


def _fields(template: object) -> set[str]:
    forms = template if isinstance(template, list) else [template]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(str(form)) if name}


def test_there_are_entries():
    assert "common.days" in ENTRIES


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_every_key_has_both_languages_with_the_same_placeholders(key):
    languages = ENTRIES[key]
    assert set(languages) == set(catalogue.LANGUAGES), key
    assert _fields(languages["en"]) == _fields(languages["nl"]), key
    for form in (languages["nl"] if isinstance(languages["nl"], list) else [languages["nl"]]):
        assert form.strip() and not re.search(r"\bTODO\b", form), key


def test_counted_words_and_unknown_keys():
    assert catalogue.text("common.days", "nl", n=1) == "1 dag"
    assert catalogue.text("common.days", "nl", n=2) == "2 dagen"
    assert catalogue.text("common.days", "en", n=1) == "1 day"
    with pytest.raises(catalogue.MissingText):
        catalogue.text("common.no-such-key")
