"""The disclosure phrase language, compiled to regexes.

Phrases are written against the normalised disclosure text (lower case, word tokens joined by
single spaces, apostrophes dropped, text-speak expanded). In a phrase:

* words are separated by spaces; ``a|b|c`` gives alternatives for one slot and ``_`` joins
  words inside one alternative (``your_mum|anyone``);
* ``word*`` matches any word starting with ``word``; a slot ending in ``?`` is optional;
* ``..`` skips up to 3 words, ``...`` up to 6;
* ``@name`` inserts the regex macro ``name`` (it must match whole words);
* a leading ``!a|b`` slot: the word before is none of these; elsewhere: the next word is not;
* a leading ``^``: the phrase starts the message; a trailing ``$``: it ends the message (``^ help
  $`` is a message of just "help").

The only whitespace in a disclosure text is the single space between tokens (tokens are word
characters or emoji; text-speak and emoji tokens read as words joined by single spaces, which
config/rules.py enforces), so the regexes write "not a space" as ``[^ ]``: the regex engine
compares one character where a whitespace class would call its class test.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

__all__ = ["compile_phrase", "slot_score"]

_STOP = frozenset(
    "i me my you your he him his she her it its we they them is are was be been a an the to "
    "and or of in on at for with that this so but not no dont do did does have has had im "
    "just like get got go going gonna want wanna if when what how who all some someone "
    # frequent in ordinary chat: poor triggers when a rarer slot is available
    "said says say tell told text get mum dad home out coming come know school friend friends "
    "people back now today tonight time really well see one take make made keep keeps asking "
    "asked ask wants sent send stay after before night day there here then than can cant will "
    "would could should about from up down off over again still never always please help love "
    "by us our am as into new way thing things stuff lot loads late lol yeah ok".split()
)


def slot_score(words: Collection[str]) -> float:
    """Higher is a better trigger: few common words, long words, few alternatives."""
    common = sum(1 for w in words if w in _STOP)
    shortest = min(len(w.rstrip("*")) for w in words)
    return -1000.0 * common + 10.0 * min(shortest, 8) - 0.1 * len(words)


_WORD = re.compile(r"^[^\W_]+\*?$|^\d+\*?$")


@dataclass(frozen=True)
class _Slot:
    regex: str
    optional: bool
    gap: int  # >0: a gap of up to this many words
    literals: tuple[str, ...]  # first words of each alternative, if all are literal
    negative: tuple[str, ...] = ()  # a `!a|b` slot: the neighbouring word is none of these
    keys: tuple[str, ...] = ()  # the least common literal word of each alternative
    # per alternative, if all are literal: its first word's literal text, the regex after it
    heads: tuple[tuple[str, str], ...] = ()


def _slot(tok: str, macros: Mapping[str, str], speak: Mapping[str, str]) -> _Slot:
    if tok in ("..", "..."):
        return _Slot("", False, 3 if tok == ".." else 6, ())
    if tok.startswith("!") and len(tok) > 1:
        neg = tuple(" ".join(w.split("_")) for w in tok[1:].split("|"))
        if not all(neg) or not all(_WORD.match(x) for w in neg for x in w.split(" ")):
            raise ValueError(f"bad negative slot {tok!r}")
        return _Slot("", False, 0, (), tuple(speak.get(w, w) for w in neg))
    optional = tok.endswith("?") and len(tok) > 1
    if optional:
        tok = tok[:-1]
    alts: list[str] = []
    firsts: list[str] = []
    keys: list[str] = []
    heads: list[tuple[str, str]] = []
    literal = True
    for alt in tok.split("|"):
        words = [w for w in alt.split("_") if w]
        if not words:
            raise ValueError(f"empty alternative in {tok!r}")
        parts = []
        for w in words:
            if w.startswith("@"):
                if w[1:] not in macros:
                    raise ValueError(f"unknown macro {w!r}")
                parts.append(f"(?:{macros[w[1:]]})")
                continue
            if not _WORD.match(w):
                raise ValueError(f"bad word {w!r} in {tok!r} (letters/digits, optional * at end)")
            if w.endswith("*"):
                parts.append(re.escape(w[:-1]) + r"[^ ]*")
            else:
                parts.append(re.escape(speak.get(w, w)))
        rest = "".join(" " + x for x in parts[1:])
        if words[0].startswith("@"):
            literal = False
        elif words[0].endswith("*"):
            firsts.append(words[0])
            heads.append((words[0][:-1], r"[^ ]*" + rest))
        else:
            firsts.append(speak.get(words[0], words[0]).split(" ")[0])
            heads.append((speak.get(words[0], words[0]), rest))
        expanded = [
            x
            for w in words
            if not w.startswith("@")
            for x in ([w] if w.endswith("*") else speak.get(w, w).split(" "))
        ]
        if expanded:
            keys.append(min(expanded, key=lambda x: (x in _STOP, -len(x.rstrip("*")))))
        else:
            literal = False
        alts.append(" ".join(parts))
    if not literal:
        return _Slot("(?:" + "|".join(alts) + ")", optional, 0, ())
    return _Slot(_grouped(heads)[0], optional, 0, tuple(firsts), (), tuple(keys), tuple(heads))


def _grouped(heads: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """The alternation of literal-headed alternatives (``(literal, regex after it)``), grouped
    under their first character, and those characters. At one position only one group can
    match, so the order within a group is all that counts, and the regex engine tries one
    character per group rather than every alternative."""
    groups: dict[str, list[str]] = {}
    for lit, tail in heads:
        groups.setdefault(lit[0], []).append(re.escape(lit[1:]) + tail)
    alts = [
        re.escape(c) + (g[0] if len(g) == 1 else "(?:" + "|".join(g) + ")")
        for c, g in groups.items()
    ]
    return "(?:" + "|".join(alts) + ")", "".join(groups)


def compile_phrase(
    phrase: str, macros: Mapping[str, str], speak: Mapping[str, str]
) -> tuple[
    re.Pattern[str],
    tuple[str, ...],
    tuple[frozenset[str], ...],
    frozenset[str] | None,
    re.Pattern[str] | None,
]:
    """Compile one phrase.

    Returns the regex, its trigger words (one required slot's words; empty: no trigger), the
    words of every required literal slot (a message must contain one word of each), the
    words the phrase can start with (None: unknown, a macro) and a regex to search
    ``" " + text`` with: it matches the space before the phrase too (a match at ``(s, e)``
    there is the phrase at ``(s, e - 1)`` in ``text``), so the regex engine's literal prefix
    scan stops only at word starts.
    """
    toks = phrase.split()
    starts = bool(toks) and toks[0] == "^"
    ends = len(toks) > starts and toks[-1] == "$"
    toks = toks[starts : len(toks) - ends]
    slots = [_slot(t, macros, speak) for t in toks]
    # `!not|never` first: the word before the phrase is none of these; elsewhere: the next one
    lead = ""
    if slots and slots[0].negative:
        lead = "".join(f"(?<!{re.escape(w)} )" for w in slots[0].negative)
        slots = slots[1:]
    if not slots or slots[0].gap or slots[-1].gap or slots[0].optional or slots[0].negative:
        raise ValueError(f"phrase {phrase!r} must start and end with a required word")
    for prev, cur, nxt in zip(slots, slots[1:], slots[2:], strict=False):
        if cur.optional and prev.gap and nxt.gap:
            raise ValueError(f"phrase {phrase!r}: an optional word between two gaps backtracks")
    out = slots[0].regex
    for s in slots[1:]:
        if s.negative:
            nots = "|".join(re.escape(w) for w in s.negative)
            out += rf"(?! (?:{nots})(?![^ ]))"
        elif s.gap:
            out += rf"(?: [^ ]+){{0,{s.gap}}}"
        elif s.optional:
            out += f"(?: {s.regex})?"
        else:
            out += " " + s.regex
    try:
        rx = re.compile(
            (r"\A" if starts else r"(?<![^ ])") + lead + out + (r"\Z" if ends else r"(?![^ ])")
        )
    except re.error as exc:
        raise ValueError(f"phrase {phrase!r}: {exc}") from exc
    required = tuple(frozenset(s.keys) for s in slots if s.keys and not s.optional)
    best: tuple[str, ...] = ()
    best_score = float("-inf")
    for s in slots:
        if s.optional or s.gap or not s.keys:
            continue
        score = slot_score(s.keys)
        if score > best_score:
            best, best_score = s.keys, score
    first = frozenset(slots[0].literals) if slots[0].literals else None
    # With several first characters, a look-ahead for them rejects most word starts at once,
    # before the look-behinds of a leading `!` slot are tried (without those, the
    # alternation's own first characters reject a word start sooner). A first slot that is
    # a macro has no known first characters; its regex still starts after the space.
    first_slot, chars = _grouped(slots[0].heads) if slots[0].heads else (slots[0].regex, "")
    peek = ""
    if len(chars) > 1 and lead:
        peek = "(?=[" + "".join(re.escape(c) for c in chars) + "])"
    after = out[len(slots[0].regex) :]
    try:
        srx = re.compile(
            (r"\A " if starts else " ")
            + peek
            + lead
            + first_slot
            + after
            + (r"\Z" if ends else r"(?![^ ])")
        )
    except re.error as exc:
        raise ValueError(f"phrase {phrase!r}: {exc}") from exc
    return rx, best, required, first, srx
