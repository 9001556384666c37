"""Table-driven: every example line shipped in config/rules/*.toml gets its expected verdict."""

from __future__ import annotations

import pytest

from config.rule_types import Example
from config.rules import load_rules
from moderation.screening import Screener

RULES = load_rules()
SCREENER = Screener(RULES)


def _id(ex: Example) -> str:
    return f"{ex.source}:{ex.text[:40]}"


def test_every_rule_file_ships_examples() -> None:
    sources = {ex.source for ex in RULES.examples}
    assert {"normalise.toml", "profanity.toml", "pii.toml", "disclosure.toml"} <= sources
    assert "disclosure_harm.toml" in sources


@pytest.mark.parametrize("ex", RULES.examples, ids=_id)
def test_example(ex: Example) -> None:
    s = SCREENER.screen(ex.text)
    e = ex.expect
    if "profanity" in e:
        assert s.profanity is e["profanity"], s.profanity_terms
    if "terms" in e:
        assert list(s.profanity_terms) == e["terms"]
    if "pii" in e:
        assert sorted({p.kind for p in s.pii}) == sorted(set(e["pii"])), s.pii
    if "severity" in e:
        assert s.severity == e["severity"], s.rules
    if "categories" in e:
        assert set(e["categories"]) <= set(s.categories), s.categories
