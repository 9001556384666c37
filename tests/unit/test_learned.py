"""The learned disclosure fallback (moderation/learned.py, config/rules/disclosure_model.json).

The "caught" and "not caught" lines below are from tests/data/screening_fresh.jsonl, which the
model was never trained on; they record its measured behaviour there (see
bench/disclosure_generalisation.py for the figures), not a promise about every paraphrase.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from pathlib import Path

import pytest

from config.rule_types import MODEL_FILE, RulesError
from config.rules import default_rules_dir, load_rules
from moderation.learned import RULE_ID, LearnedScorer, features
from moderation.screening import LEARNED_SEVERITY, LEARNED_SURE, URGENCY_RULE, Screener

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import train_disclosure_model as training  # noqa: E402


@pytest.fixture(scope="module")
def rules():  # type: ignore[no-untyped-def]
    return load_rules()


@pytest.fixture(scope="module")
def screener(rules) -> Screener:  # type: ignore[no-untyped-def]
    return Screener(rules)


@pytest.fixture(scope="module")
def rules_only(rules) -> Screener:  # type: ignore[no-untyped-def]
    return Screener(dataclasses.replace(rules, model=None))


def test_model_file_loads_and_is_small(rules) -> None:  # type: ignore[no-untyped-def]
    m = rules.model
    assert m is not None
    assert 0.5 <= m.threshold < 1.0
    assert m.char_ns == (3, 4, 5)
    assert len(m.words) > 500 and len(m.chars) > 500
    assert set(m.category_words) >= {"self_harm_suicide", "grooming", "immediate_danger"}
    assert (default_rules_dir() / MODEL_FILE).stat().st_size < 600_000


def test_model_trained_on_the_current_data(rules) -> None:  # type: ignore[no-untyped-def]
    """A change to tests/data without retraining is noticed: rerun
    `.venv/bin/python bench/train_disclosure_model.py` and commit the model file."""
    assert rules.model.data_sha256 == training.data_sha256()


def test_fresh_set_is_not_training_data() -> None:
    assert all("fresh" not in p.name for p in training.TRAIN_FILES)


def test_scoring_is_deterministic_and_matches_the_features(rules, screener) -> None:  # type: ignore[no-untyped-def]
    m = rules.model
    a, b = LearnedScorer(m), LearnedScorer(m)
    for text in (
        "im scared hes gonna come back and finish me off",
        "we're moving house to birmingham next month",
        "zzqx unknownword 😂",
        "",
    ):
        d = screener.disclosure_text(text)
        words, chars = features(d, m.char_ns)
        want = m.intercept + sum(m.words.get(f, 0.0) for f in words)
        want += sum(m.chars.get(f, 0.0) for f in chars)
        assert a.logit(d) == pytest.approx(want, abs=1e-9)
        assert a.logit(d) == b.logit(d) == a.logit(d)  # cached unknown words score the same
        assert 0.0 < a.probability(d) < 1.0


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("i feel like everything would be easier if i wasnt here", "self_harm_suicide"),
        (
            "my best mate keeps getting lifts from men she met online and wont tell anyone",
            "concern_for_friend",
        ),
        ("i've been gone 3 days and i'm staying at an older guys flat", "missing"),
    ],
)
def test_unseen_paraphrases_the_rules_miss_are_caught(  # type: ignore[no-untyped-def]
    screener, rules_only, text, category
) -> None:
    assert not rules_only.screen(text).disclosure
    s = screener.screen(text)
    (guess,) = [d for d in s.disclosures if d.rule == RULE_ID]
    assert guess.severity == LEARNED_SEVERITY.get(category, "medium")
    assert set(s.rules) <= {RULE_ID, URGENCY_RULE}
    # a guess alone is raised to high at most (see URGENCY_RULE)
    assert s.severity == ("high" if URGENCY_RULE in s.rules else guess.severity)
    assert s.categories == (category,)
    assert guess.start == 0 and guess.end == len(text)
    threshold = screener.rules.model.threshold
    assert threshold <= s.risk <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "my mum will actually kill me if she sees my report",
        "what are the signs someone is being groomed, its for pshe",
        "my nan bought me new trainers for my birthday",
        "i owe my mate a fiver for the chippy",
        "we're moving house to birmingham next month",
        "how do you know if a friend is being exploited? we're doing it in pshe",
    ],
)
def test_hard_negatives_are_not_caught(screener, text) -> None:  # type: ignore[no-untyped-def]
    assert not screener.screen(text).disclosure


def test_a_damper_stops_the_fallback(screener) -> None:  # type: ignore[no-untyped-def]
    text = "in the book the girl runs away from home and gets groomed by an older man"
    d = screener.disclosure_text(text)
    assert LearnedScorer(screener.rules.model).fires(d)  # the model alone would page a lead
    assert screener.damped(d)
    assert not screener.screen(text).disclosure


def test_rule_hits_are_left_alone(screener, rules_only) -> None:  # type: ignore[no-untyped-def]
    for text in ("i'm going to kill myself tonight", "this man keeps asking for pics of me"):
        assert screener.screen(text) == rules_only.screen(text)
        assert RULE_ID not in screener.screen(text).rules


def test_without_a_model_file_there_is_no_fallback(tmp_path: Path) -> None:
    d = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), d)
    (d / MODEL_FILE).unlink()
    rules = load_rules(d)
    assert rules.model is None
    text = "i feel like everything would be easier if i wasnt here"  # only the fallback pages it
    assert not Screener(rules).screen(text).disclosure
    assert Screener(load_rules()).screen(text).disclosure


@pytest.mark.parametrize(
    "patch",
    [
        {"format": 2},
        {"threshold": 1.5},
        {"char_ns": [5, 3]},
        {"words": {"kill": "a lot"}},
        {"categories": {"intercepts": {}, "weights": {"nope": {}}}},
        {"urgency": "yes"},
        {"urgency": {"intercept": 0.0, "threshold": 2.0, "words": {}, "chars": {}}},
    ],
)
def test_bad_model_file_is_a_rules_error(tmp_path: Path, patch: dict) -> None:  # type: ignore[type-arg]
    d = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), d)
    data = json.loads((d / MODEL_FILE).read_text(encoding="utf-8"))
    data.update(patch)
    (d / MODEL_FILE).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RulesError, match=MODEL_FILE):
        load_rules(d)
    (d / MODEL_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(RulesError, match=MODEL_FILE):
        load_rules(d)


@pytest.mark.timeout(900)  # retraining with cross-validation takes a minute or two
def test_model_file_is_reproducible_from_the_training_script() -> None:
    # scikit-learn is a dev dependency (training only): the test command installs it.
    shipped = (default_rules_dir() / MODEL_FILE).read_text(encoding="utf-8")
    assert training.dump(training.train()) == shipped, (
        "config/rules/disclosure_model.json is stale: run bench/train_disclosure_model.py"
    )


def test_the_urgency_model_raises_a_paged_message(screener, rules_only) -> None:  # type: ignore[no-untyped-def]
    """A message a rule pages at high, which the urgency model reads as urgent, gets the
    60-second deadline; the rule's own hit stays as it was."""
    text = "im so scared my dad is drunk and shouting and hitting mum right now"
    assert rules_only.screen(text).severity == "high"
    s = screener.screen(text)
    assert s.severity == "urgent"
    assert s.rules[0] == URGENCY_RULE and "home.hit" in s.rules
    assert {d.rule: d.severity for d in s.disclosures}["home.hit"] == "high"


@pytest.mark.parametrize(
    "text",
    [
        "i could kill my brother honestly",  # the urgency model alone would say urgent
        "some men are taking me somewhere in a car",  # urgent already: nothing to raise
        "i dont feel safe at my dads",  # high, and the model does not read it as urgent
    ],
)
def test_the_urgency_model_never_pages_or_lowers(screener, rules_only, text) -> None:  # type: ignore[no-untyped-def]
    assert URGENCY_RULE not in screener.screen(text).rules
    assert screener.screen(text).severity == rules_only.screen(text).severity


def test_a_guess_alone_is_raised_to_high_unless_the_fallback_is_sure(rules) -> None:  # type: ignore[no-untyped-def]
    """With an urgency model that fires on everything, a message only the fallback pages is
    raised to urgent where the fallback is sure of it (LEARNED_SURE), else to high."""
    always = dataclasses.replace(rules.model.urgency, intercept=50.0)
    s = Screener(dataclasses.replace(rules, model=dataclasses.replace(rules.model, urgency=always)))
    seen = set()
    for path in sorted((ROOT / "tests" / "data").glob("screening_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            x = s.screen(text)
            if RULE_ID not in x.rules or not set(x.rules) <= {RULE_ID, URGENCY_RULE}:
                continue
            sure = s._learned.probability(s.disclosure_text(text)) >= LEARNED_SURE
            assert x.severity == ("urgent" if sure else "high"), text
            seen.add(sure)
    assert seen == {True, False}


def test_a_damper_stops_the_urgency_model(screener) -> None:  # type: ignore[no-untyped-def]
    """Lines a learning damper covers, in words the urgency model reads as urgent (which of
    them it fires on moves a little with each retraining): where it fires, it raises nothing."""
    texts = [
        "in pshe we talked about what to do if your dad is hitting your mum right now",
        "in pshe we talked about what to do if someone is following you home right now",
        "in pshe we learned what to do if someone has a knife right now",
        "for my project: what to do if someone is hurting you right now and you cant get out",
    ]
    urgency = LearnedScorer(screener.rules.model.urgency)
    fired = [d for d in map(screener.disclosure_text, texts) if urgency.fires(d)]
    assert len(fired) >= 2
    for d in fired:
        assert screener.damped(d)
        assert not screener._raised(d, None)
