"""The round-trip comparison's classes: what the rendering adds is an invention only when the
draft wrote it, not when it is the source's own sentence read in another section."""

from __future__ import annotations

from draft_kit import write

from policykeeper.draft.extract import extract
from policykeeper.draft.roundtrip import compare_extractions, rendered_extraction
from policykeeper.draft.sources import read_source

SOURCE = "# Contact us\n\nYour name and age may be shown to administrators of your school when you sign in.\n"
DRAFTED = {("categories", "key"): {"drafted"}}


def compare(tmp_path, rendered: str):
    source = extract(read_source(write(tmp_path, "source.md", SOURCE)).sentences)
    return compare_extractions(source, rendered_extraction(rendered), rendered, DRAFTED, "en")


def test_the_sources_sentence_in_another_section_is_not_an_invention(tmp_path) -> None:
    rendered = (
        "## Who receives your personal data\n\n| Recipient |\n|---|\n"
        "| **Administrators**<br>Third party<br>Your name and age may be shown to administrators "
        "of your school when you sign in. |\n"
    )
    comparison = compare(tmp_path, rendered)
    assert {(d.key, d.detail) for d in comparison.added} >= {
        ("user.demographic.age", "source words")
    }
    assert comparison.invented == []


def test_words_the_source_does_not_say_are_an_invention(tmp_path) -> None:
    rendered = "## Information we collect\n\nWe collect your age and your name when you sign in.\n"
    comparison = compare(tmp_path, rendered)
    assert ("user.demographic.age", "drafted") in {(d.key, d.detail) for d in comparison.invented}
