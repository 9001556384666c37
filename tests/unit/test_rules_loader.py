from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from config.rule_types import CATEGORIES
from config.rules import RulesError, default_rules_dir, load_rules
from moderation.screening import Screener, load_screener


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), d)
    return d


def test_default_rules_load() -> None:
    rules = load_rules()
    assert rules.directory == default_rules_dir()
    assert len(rules.disclosure.rules) > 30
    assert {r.category for r in rules.disclosure.rules} == set(CATEGORIES)  # every one has rules
    assert {r.severity for r in rules.disclosure.rules} == {"urgent", "high", "medium"}
    assert any(len(r.parts) > 1 for r in rules.disclosure.rules)  # co-occurrence rules
    assert {d.kind for d in rules.disclosure.dampers} == {"question", "idiom"}


def test_edited_rules_take_effect(rules_dir: Path) -> None:
    p = rules_dir / "profanity.toml"
    p.write_text(p.read_text().replace('"bellend", "bellends",', '"bellend", "plonker",'))
    assert load_screener(rules_dir).screen("you plonker").profanity
    assert not load_screener().screen("you plonker").profanity


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("pii.toml", 'kind = "email"', 'kind = "emial"', "kind must be one of"),
        ("pii.toml", "regex = '(?<![\\w+])[o0]7", "regex = '(?<![\\w+])([o0]7", "bad regex"),
        ("pii.toml", 'if_words = ["snap", ', 'if_words = ["Snap", ', "lower-case words"),
        ("pii.toml", 'if_words = ["snap", ', 'if_words = ["add me", ', "lower-case words"),
        ("disclosure.toml", 'category = "older_partner"', 'category = "nope"', "unknown category"),
        ("disclosure.toml", 'severity = "medium"', 'severity = "low"', "severity must be"),
        ("disclosure_harm.toml", "@soon", "@later", "unknown macro"),
        ("disclosure.toml", '"our little? secret"', '".. our secret"', "must start and end"),
        ("normalise.toml", '"0" = "o"', '"0" = "oo"', "one character"),
        ("profanity.toml", "[additions]", "[additions", "not valid TOML"),
    ],
)
def test_bad_rule_file_raises_clear_error(
    rules_dir: Path, file: str, old: str, new: str, message: str
) -> None:
    p = rules_dir / file
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new, 1))
    with pytest.raises(RulesError, match=message) as info:
        load_rules(rules_dir)
    assert isinstance(info.value, ValueError)


def test_missing_file_and_dir(rules_dir: Path, tmp_path: Path) -> None:
    (rules_dir / "pii.toml").unlink()
    with pytest.raises(RulesError, match="missing"):
        load_rules(rules_dir)
    with pytest.raises(RulesError, match="does not exist"):
        load_rules(tmp_path / "nope")


def test_screener_is_reusable() -> None:
    s = Screener(load_rules())
    assert s.screen("fuck").profanity and s.screen("fuck").profanity
