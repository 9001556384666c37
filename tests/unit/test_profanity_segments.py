"""Profanity read a segment at a time (moderation/profanity_segments.py) is exactly the whole
reading, wherever spaced-out letters or a listed phrase reach across words."""

from __future__ import annotations

import random

import pytest

from config.rules import Rules, load_rules
from moderation.profanity_segments import segment_hits
from moderation.screening import Screener

# spaced-out letters beside listed phrases, allowed phrases and other runs
_CASES = [
    "f u c k off",
    "f.u.c.k off mate",
    "son of a b i t c h",
    "son of a b.i.t.c.h",
    "s h i t head",
    "you are a w a n k e r",
    "a b c d e f u c k",
    "blue t i t s in the garden",
    "blue tits and s h i t",
    "i'm a b i t worried",
    "u r a t w a t",
    "s h i t s h i t",
    "s h i t\ns h i t",
    "kill myself f u c k",
    "f u c k  off",
    "f u c k ... off",
    "p i s s off and f u c k off",
    "a.b",
    "x x x",
    "you son of b i t c h",
    "piss o f f",
    "fuck o.f.f mate",
    "blue t.i.t.s",
    "kill m y s e l f",
    "i want to kill m.y.s.e.l.f",
    "lol s h i t that's",
    "mother f u c k e r",
]


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


def _whole_and_segments(screener: Screener, folded: str) -> tuple[object, object] | None:
    prof = screener._profanity
    words = folded.split()
    if not words:
        return None
    infos = [prof.word(w) for w in words]
    return prof.find(folded), segment_hits(prof, folded, words, infos, prof.spaced_runs(folded))


def test_segments_read_what_the_whole_text_reads(rules: Rules) -> None:
    screener = Screener(rules)
    rng = random.Random(7)
    texts = list(_CASES)
    seps = [" ", "  ", ".", "-", " . ", "\n", "*"]
    pieces = [*(c for c in _CASES), "shit", "fuck", "off", "son", "of", "a", "i", "bitch", "tits"]
    for _ in range(3000):  # runs of single letters next to listed words, in every spacing
        parts = []
        for _ in range(rng.randint(2, 8)):
            p = rng.choice(pieces)
            if rng.random() < 0.4:
                p = rng.choice(seps).join(p)
            parts.append(p)
        texts.append(rng.choice([" ", "  ", " \n "]).join(parts))
    compared = with_hits = 0
    for text in texts:
        folded = screener._folder.fold(text)[0]
        pair = _whole_and_segments(screener, folded)
        if pair is None:
            continue
        whole, segments = pair
        assert segments == whole, text
        compared += 1
        with_hits += bool(whole)
    assert compared > 2500 and with_hits > 1500  # the texts exercised the matcher


def test_remembered_segments_read_as_they_did_the_first_time(rules: Rules) -> None:
    screener = Screener(rules)
    prof = screener._profanity
    for text in _CASES:
        folded = screener._folder.fold(text)[0]
        first = prof.find_short(folded)
        assert prof.find_short(folded) == first == tuple(prof.find(folded)), text
