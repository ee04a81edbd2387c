"""Each seed example says exactly what its original policy says, in both languages.

The facts and the invented sentences are listed in `seed_facts.py`; both formats are checked.
"""

from __future__ import annotations

import pytest
from render_support import FORMATS, visible
from seed_facts import SEEDS, comparable, count, found

SEED_NAMES = sorted(SEEDS)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_fact_of_the_original_is_rendered_in_both_languages(name: str, fmt: str) -> None:
    ja, en = comparable(visible(name, "ja", fmt)), comparable(visible(name, "en", fmt))
    missing = [
        f"{f.what}: {x}"
        for f in SEEDS[name].facts
        for text, wanted in ((ja, f.ja), (en, f.en))
        for x in wanted
        if not found(x, text)
    ]
    assert not missing


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SEED_NAMES)
def test_nothing_the_original_never_said_is_rendered(name: str, fmt: str) -> None:
    result = count(name, visible(name, "ja", fmt), visible(name, "en", fmt))
    assert result.added == []
    assert result.changed == [] and result.missing == []
    assert len(result.present) == len(SEEDS[name].facts)


def test_an_altered_fact_is_counted_as_changed_not_present() -> None:
    """The classifier itself: a qualifier dropped is a change, a sentence added is counted."""
    ja = visible("ainema", "ja", "md").replace("原則として2週間以内", "2週間以内")
    en = visible("ainema", "en", "md") + " Telecommunications Business Act"
    result = count("ainema", ja, en)
    assert result.changed == ["two weeks as a general rule"]
    assert result.added == ["a Telecommunications Business Act claim"]
