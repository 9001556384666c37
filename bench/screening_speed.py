"""Speed of screen() against better-profanity 0.7.0's contains_profanity, in one run.

    .venv/bin/python bench/screening_speed.py [--rounds N]

Times both on the same 5-, 20-, 60- and 200-word messages (cut from the labelled dev set:
clean chat, swearing, obfuscation, contact details and disclosures), reports microseconds per
message and the ratio, and the worst single screen() call for chat-sized, long and adversarial
inputs (anything up to the service's 500-character cap must stay well under 1 ms so screening
can run on the event loop).
Target: at least 500x at 20 words.

screen() keeps a memo of what each word contributes (moderation/tokens.py): the figures are
for a warm memo, as in a running service whose chat has been going a while; one line gives
the first sight of messages with an empty memo.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from moderation.screening import load_screener  # noqa: E402

DATA = ROOT / "tests" / "data" / "screening_dev.jsonl"


def messages(n_words: int, count: int, seed: int, disclosure_share: float = 0.1) -> list[str]:
    """Messages of exactly n_words, cut from the labelled dev set's lines. Lines are drawn so
    that about `disclosure_share` of them are disclosures (live chat is mostly ordinary talk);
    the rest are ordinary chat, hard negatives and swearing, in the set's own mix."""
    rows = [json.loads(x) for x in DATA.read_text(encoding="utf-8").splitlines() if x]
    yes = [r["text"] for r in rows if r["disclosure"]]
    no = [r["text"] for r in rows if not r["disclosure"]]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words: list[str] = []
        while len(words) < n_words:
            pool = yes if rng.random() < disclosure_share else no
            words.extend(rng.choice(pool).split())
        out.append(" ".join(words[:n_words]))
    return out


def pool_messages(n_words: int, count: int, seed: int, hits: bool) -> list[str]:
    """Messages of exactly n_words from one kind of dev-set line: ``hits`` False, lines with no
    disclosure and no swearing (clean chat and hard negatives); True, lines with a disclosure or
    swearing."""
    rows = [json.loads(x) for x in DATA.read_text(encoding="utf-8").splitlines() if x]
    pool = [r["text"] for r in rows if bool(r["disclosure"] or r.get("profanity")) == hits]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words: list[str] = []
        while len(words) < n_words:
            words.extend(rng.choice(pool).split())
        out.append(" ".join(words[:n_words]))
    return out


def per_call_us(fn: Callable[[str], object], msgs: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        for m in msgs:
            fn(m)
        best = min(best, (time.perf_counter() - t) / len(msgs))
    return best * 1e6


def adversarial(n: int = 500) -> list[str]:
    """Hostile inputs cut to `n` characters (the service caps messages at 500 characters)."""
    seeds = [
        "a",  # one letter repeated
        "fuuuuuuuuuuuuck ",
        "f u c k ",  # spaced letters
        "f.u.c.k.",
        "s h 1 t ",
        "ｆｕｃｋ 𝐬𝐡𝐢𝐭 сunt ",  # full-width, mathematical, Cyrillic lookalikes
        "\u200b".join("fuck") + " ",
        "07700 900123 ",  # many digits
        "0",
        "1.2.3.4.5.",
        "x@y.",
        "@",
        "he said ",
        "😂",  # emoji
        "f😂u😂c😂k😂",
        "i go to ",
        "my bf is 22 and he says i owe him ",
        "supercalifragilistic" * 3 + " ",  # long words
        "b1tch4ss3s ",
        "my mum and dad are away and he asks when i am home alone ",
        "what are the signs of grooming ",
        "snap: ",
        "www.",
        "".join(chr(0xD800 + i % 1024) for i in range(64)),  # lone surrogates
    ]
    return [(x * (n // len(x) + 1))[:n] for x in seeds]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    from better_profanity import profanity

    profanity.load_censor_words()
    screener = load_screener()
    screen = screener.screen
    for m in messages(20, 50, 0):  # warm caches
        screen(m)

    ratio20 = 0.0
    for share, label in (
        (0.1, "chat mix: 10% disclosure lines"),
        (0.5, "heavy: 50% disclosure lines"),
    ):
        print(f"-- {label}")
        print(f"{'words':>6} {'screen() us':>12} {'better_profanity us':>20} {'ratio':>8}")
        r20 = _table(screen, profanity.contains_profanity, share, args.rounds)
        if share == 0.1:
            ratio20 = r20
    print("-- 20 words by kind of line (same messages for both)")
    for hits, label in ((False, "clean lines only"), (True, "hit-heavy: disclosure/swearing")):
        msgs = pool_messages(20, 30, 20, hits)
        ours = min(per_call_us(screen, msgs, args.rounds) for _ in range(2))
        theirs = per_call_us(profanity.contains_profanity, msgs, 1)
        print(
            f"{label:>32}: screen() {ours:.1f} us, better_profanity {theirs:.1f} us, "
            f"ratio {theirs / ours:.0f}x"
        )
    cold = load_screener()  # an empty word memo: every message seen for the first time
    msgs = messages(20, 100, 20, 0.1)
    t = time.perf_counter()
    for m in msgs:
        cold.screen(m)
    cold_us = (time.perf_counter() - t) / len(msgs) * 1e6
    print(f"20 words, chat mix, first sight with an empty word memo: screen() {cold_us:.1f} us")
    _worst(screen)
    ok = ratio20 >= 500
    print(
        "target met (>= 500x at 20 words, chat mix)" if ok else "target NOT met (500x at 20 words)"
    )
    return 0 if ok else 1


def _table(
    screen: Callable[[str], object], bp: Callable[[str], object], share: float, rounds: int
) -> float:
    ratio20 = 0.0
    for n in (5, 20, 60, 200):
        msgs = messages(n, 200, n, share)
        msgs = msgs[: max(20, 2000 // n)]  # better-profanity is slow: keep its run short
        for _ in range(2):  # the word memo in its steady state: every word seen before
            for m in msgs:
                screen(m)
        ours = theirs = float("inf")
        for _ in range(rounds):  # taken in turns, so a slow spell of the machine hits both
            ours = min(ours, per_call_us(screen, msgs, 2))
            theirs = min(theirs, per_call_us(bp, msgs, 1))
        ratio = theirs / ours
        if n == 20:
            ratio20 = ratio
        print(f"{n:>6} {ours:>12.1f} {theirs:>20.1f} {ratio:>7.0f}x")
    return ratio20


def _worst(screen: Callable[[str], object]) -> None:
    groups = {
        "chat-sized (60 words, 50% disclosure lines)": messages(60, 100, 7, 0.5),
        "long (200 words)": messages(200, 50, 99, 0.5),
        "adversarial, 500 chars (the service's cap)": adversarial(500),
        "adversarial, 2,000 chars": adversarial(2000),
    }
    for label, msgs in groups.items():
        worst, worst_text = 0.0, ""
        for m in msgs:
            samples = []
            for _ in range(5):
                t = time.perf_counter()
                screen(m)
                samples.append(time.perf_counter() - t)
            dt = statistics.median(samples) * 1e6
            if dt > worst:
                worst, worst_text = dt, m
        print(f"worst screen(), {label}: {worst:.0f} us  [{worst_text[:32]!r}...]")
    big = "hello there " * 8500  # ~100 kB
    t = time.perf_counter()
    screen(big)
    print(f"100 kB message: {(time.perf_counter() - t) * 1e3:.1f} ms (not a chat message)")


if __name__ == "__main__":
    sys.exit(main())
