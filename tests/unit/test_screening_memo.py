"""The speed-ups change nothing: reading a message word by word through the memo gives exactly
what reading it whole gives, the disclosure word index never hides a rule, and a contact-detail
anchor is read word by word only where no match can cross a space."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from pathlib import Path

import pytest

from config.rules import Rules, load_rules
from moderation.pii import PiiMatcher, _word_local
from moderation.screening import Screener

DATA = Path(__file__).resolve().parents[1] / "data"
# every labelled set: dev, holdout, the fresh sets, the training sets and the everyday lines
SETS = sorted(p.stem for p in DATA.glob("screening_*.jsonl"))

# obfuscations, separators and details that reach across words
_LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "$5", "t": "7+"}
_ODD = ["\u200b", "\u00ad", "ｆ", "а", "о", "😂", "💀", " ", ".", "-", "*", "'", "’", "\n", "!!"]
_EXTRA = [
    "f u c k off",
    "s h i t",
    "f.u.c.k",
    "son of a bitch",
    "son-of a bitch",
    "blue tits",
    "spotted  dick",
    "kill myself",
    "i'm a",
    "u r a",
    "a*1 sh1t",
    "b4 2nite",
    "w4nker",
    "fuuuuck",
    "07700 900123",
    "+44 7700 900 123",
    "12 high street",
    "my email is sam.b@gmail.com",
    "www.mysite.co.uk",
    "add me on snap: jaz_22",
    "i go to st marys academy",
    "sw1a 1aa",
    "   ",
    "",
]


def _texts(rules: Rules) -> list[str]:
    out: list[str] = []
    assert len(SETS) >= 24  # the data directory was found
    for name in SETS:
        for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    out += [ex.text for ex in rules.examples]
    return out


def _variants(base: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = " ".join(base).split()
    out = list(_EXTRA)
    for _ in range(n):
        t = list(rng.choice(base))
        for _ in range(rng.randint(1, 6)):
            if not t:
                break
            i = rng.randrange(len(t))
            c, r = t[i].lower(), rng.random()
            if r < 0.25 and c in _LEET:
                t[i] = rng.choice(_LEET[c])
            elif r < 0.45:
                t.insert(i, rng.choice(_ODD))
            elif r < 0.6 and c.isalpha():
                t[i] = c * rng.randint(2, 5)
            elif r < 0.7:
                t[i] = t[i].upper()
            elif r < 0.8:
                t[i] = " ".join(rng.choice(words))  # letters spaced out
            elif r < 0.9:
                t.insert(i, " " + rng.choice(_EXTRA) + " ")
            else:
                t[i] = c + " "
        out.append("".join(t))
    for _ in range(n // 4):  # two lines run together; many words the memo has not seen
        out.append(rng.choice(base) + rng.choice([" ", ", ", "\n", "  "]) + rng.choice(base))
        out.append(" ".join(f"zq{rng.randrange(10**6)}x" for _ in range(rng.randint(13, 40))))
    return out


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


def test_the_memo_reads_every_message_as_the_whole_text_does(rules: Rules) -> None:
    whole = Screener(rules, word_memo=False)
    memo = Screener(rules)
    base = _texts(rules)
    texts = base + _variants(base, 3000, seed=4)
    for _ in range(3):  # a cold memo, one learning words seen before, a warm one
        for t in texts:
            assert memo.screen(t) == whole.screen(t), t


def test_the_contact_detail_guards_never_hide_a_detail(rules: Rules) -> None:
    """The guards (if_text, if_words, if_regex) only skip patterns that cannot match."""
    s = Screener(rules)
    bare = [dataclasses.replace(p, if_text=(), if_words=(), if_regex=None) for p in rules.pii]
    unguarded = PiiMatcher(tuple(bare))
    base = _texts(rules)
    found = 0
    for t in base + _variants(base, 1000, seed=6):
        folded = s._folder.fold(t)[0]
        got = s._pii.match(folded)
        assert got == unguarded.match(folded), t
        found += bool(got)
    assert found > 100  # the texts have contact details to find


def test_anchors_searched_without_a_leading_boundary_find_what_finditer_finds(
    rules: Rules,
) -> None:
    s = Screener(rules)
    pii = s._pii
    stripped = [i for i, scan in enumerate(pii._anchor_scan) if scan is not None]
    assert stripped  # the shipped rules have such anchors
    base = _texts(rules)
    found = 0
    for t in base + _variants(base, 2000, seed=9):
        folded = s._folder.fold(t)[0]
        for i in stripped:
            anchor = pii._patterns[i].anchor
            assert anchor is not None
            want = [m.span() for m in anchor.finditer(folded)]
            assert pii._anchors(i, folded) == want, t
            found += bool(want)
    assert found > 100


def test_the_word_index_never_hides_a_rule(rules: Rules) -> None:
    s = Screener(rules)
    d = s._disclosure
    base = _texts(rules)
    for t in base + _variants(base, 300, seed=5):
        dt = s.disclosure_text(t)
        assert d.rules_found(dt) == d.rules_found(dt, indexed=False), t


@pytest.mark.parametrize(
    ("pattern", "local"),
    [
        ("@", True),
        (r"\b(?:road|rd|street|st)\b", True),
        (r"\.(?:com|co\.uk)\b", True),
        (r"\d+[a-z]{2}", True),
        (r"\b(?:tik ?tok|snap)", False),  # a space
        (r"a.b", False),  # "." matches a space
        (r"[^x]y", False),
        (r"\Wy", False),
        (r"(?<=x)y", False),  # lookarounds are not analysed
        (r"^hi", False),
        (r"(?i)abc", False),
    ],
)
def test_which_anchors_are_read_word_by_word(pattern: str, local: bool) -> None:
    assert _word_local(re.compile(pattern)) is local
