"""Screening: profanity, contact details and disclosures, annotated on the original text.

``Screener(rules).screen(text)`` is pure and synchronous (no I/O, no await) and takes tens of
microseconds for a chat-sized message, so it can run on the event loop. It never rewrites the
text: every hit carries offsets into the original string.
"""

from __future__ import annotations

import re
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from config.rule_types import RulesError
from moderation.disclosure import DisclosureMatcher
from moderation.learned import RULE_ID as LEARNED_RULE
from moderation.learned import LearnedScorer
from moderation.normalise import Folder, disclosure_tokens
from moderation.pii import PiiMatcher
from moderation.profanity import ProfanityMatcher
from moderation.results import EMPTY, DisclosureHit, PiiHit, Screening, Span
from moderation.tokens import TokenMemo, WordsView

if TYPE_CHECKING:
    from config.rule_types import Rules

# A NamedTuple's own constructor is interpreted Python; tuple.__new__ is not (hot path)
_new = tuple.__new__
__all__ = ["DisclosureHit", "PiiHit", "Screener", "Screening", "Span", "load_screener"]

SEVERITY_ORDER = ("urgent", "high", "medium", "none")
_RANK = {"urgent": 3, "high": 2, "medium": 1, "none": 0}
_WEIGHT = {"urgent": 0.9, "high": 0.6, "medium": 0.3}
_SPAN_KEY = attrgetter("start", "end")
MAX_CHARS = 200_000  # longer input is screened in full up to this many characters
# Safeguarding policy: the fallback's guess that a message is a disclosure is never "urgent" on
# its own, but a guess of danger or self-harm is paged with the high (5-minute) deadline rather
# than the medium (15-minute) one: a missed or late alert is the worst failure.
LEARNED_SEVERITY = {"immediate_danger": "high", "self_harm_suicide": "high"}
# Safeguarding policy: the urgency model may raise a message that a rule pages to urgent, the
# 60-second deadline, unless a damper applies; it never lowers a severity and never pages a
# message by itself. On lines nobody tuned for, the rules alone rate only about half the urgent
# lines urgent; a lead answering a non-urgent case sooner is the cheaper mistake. A message
# paged by the fallback alone is a guess with no rule behind it: unless the fallback is nearly
# sure of it (LEARNED_SURE), a second guess raises it to high (5 minutes) at most, so that
# everyday lines the fallback barely passes ("im so scared of spiders theres one in my room rn")
# do not demand an answer within the minute (docs/screening.md).
URGENCY_RULE = "learned.urgency"
LEARNED_SURE = 0.9975  # the fallback's probability (a logit of about 6) for that
LEARNED_MAX_CHARS = 2_000  # the learned fallback reads this much of the disclosure text


class Screener:
    """Built once from the rules; ``screen`` is then cheap and thread-safe.

    Raises :class:`config.rules.RulesError` if a disclosure phrase does not compile."""

    def __init__(self, rules: Rules, word_memo: bool = True) -> None:
        """``word_memo``: read messages word by word through a memo (moderation/tokens.py);
        the results are the same either way, only faster with it."""
        n = rules.normalise
        self.rules = rules
        self._folder = Folder(n.lookalikes)
        leet = {ord(k): v for k, v in n.leet.items()}
        self._profanity = ProfanityMatcher(rules.profanity, self._folder, leet)
        self._pii = PiiMatcher(rules.pii)
        self._speak = dict(n.textspeak)
        self._emoji = {self._folder.fold(k)[0]: v for k, v in n.emoji_tokens.items()}
        emoji_alt = "|".join(re.escape(k) for k in sorted(self._emoji, key=len, reverse=True) if k)
        self._token_re = re.compile(
            r"[^\W_]+(?:'[^\W_]+)*" + (f"|{emoji_alt}" if emoji_alt else "")
        )
        for k, v in self._emoji.items():
            self._speak.setdefault(k, v)
        # "me mam" reads "my mum" (NormaliseRules.possessive_me); "me" and "my" are the same
        # length, so the disclosure text's offsets do not move
        before = "|".join(re.escape(w) for w in sorted(set(n.possessive_me)))
        # (the literal first, then the look-behind: the regex engine scans for "me" quickly)
        self._me_re = re.compile(rf"me(?<![^ ]me)(?= (?:{before})(?: |$))") if before else None
        # token_re finds only words in ASCII text unless an emoji key is ASCII
        self._ascii_apostrophes = not any(k.isascii() for k in self._emoji)
        try:  # config checks the phrase syntax; compiling checks the rest
            self._disclosure = DisclosureMatcher(rules.disclosure, self._speak)
        except ValueError as exc:
            raise RulesError(f"disclosure rules: {exc}") from exc
        # The learned fallback (moderation/learned.py): consulted only when no rule fired
        self._learned = LearnedScorer(rules.model) if rules.model is not None else None
        # the urgency model (see URGENCY_RULE)
        self._urgency = (
            LearnedScorer(rules.model.urgency)
            if rules.model is not None and rules.model.urgency is not None
            else None
        )
        # Per-word results (moderation/tokens.py). Tokens are read word by word only if the
        # emoji tokens are not ASCII (else a word's tokens could depend on the whole text).
        self._memo = (
            TokenMemo(
                self._profanity,
                self._word_dtokens,
                self._disclosure.scan,
                self._pii.word_guards,
                self._token_re,
                self._learned,
                self._urgency,
            )
            if self._ascii_apostrophes and word_memo
            else None
        )

    def _word_dtokens(self, word: str) -> list[str]:
        return disclosure_tokens(word, self._token_re, self._speak, True).tokens

    def disclosure_text(self, text: str) -> str:
        """The normalised text the disclosure rules and the learned fallback read."""
        folded = self._folder.fold(text[:MAX_CHARS])[0]
        dt = disclosure_tokens(folded, self._token_re, self._speak, self._ascii_apostrophes)
        return self._respell(dt.text)

    def _respell(self, dtext: str) -> str:
        """ "me" read as "my" before the words of ``possessive_me`` ("me mam", "me room")."""
        if self._me_re is None or not (" me " in dtext or dtext.startswith("me ")):
            return dtext
        return self._me_re.sub("my", dtext)

    def damped(self, dtext: str, scanned: int | None = None) -> bool:
        """Whether a damper (a general question, an idiom) applies to a disclosure text."""
        return self._disclosure.damped(dtext, scanned)

    def screen(self, text: str) -> Screening:
        if not text:
            return EMPTY
        if len(text) > MAX_CHARS:
            text = text[:MAX_CHARS]
        folded, fmap = self._folder.fold(text)
        view = self._memo.read(folded) if self._memo is not None else None
        if view is None:
            prof_hits = self._profanity.find(folded)
            dt = disclosure_tokens(folded, self._token_re, self._speak, self._ascii_apostrophes)
            scanned: int | None = None
        else:
            prof_hits, dt, scanned = view.profanity, view.dtext, view.scanned
        pii_hits = self._pii.match(folded, view.guards if view is not None else None)
        respelt = self._respell(dt.text)
        if respelt is not dt.text:  # the words' memo read "me": scan and score the text whole
            dt.text = respelt
            scanned, view = None, None
        rule_hits = self._disclosure.match(dt.text, scanned)
        learned = None
        if not rule_hits and self._learned is not None:
            if len(dt.text) <= LEARNED_MAX_CHARS:
                head = dt.text
                logit = view.logit(self._learned) if view is not None else None
            else:
                head, logit, scanned = dt.text[:LEARNED_MAX_CHARS], None, None
            learned = self._learned.check(head, logit)
            if learned is not None and self.damped(head, scanned):
                learned = None  # a general question or an idiom: the rules' call stands
        if not (prof_hits or pii_hits or rule_hits or learned):
            return EMPTY
        src = fmap.source_span if fmap is not None else None
        spans: list[Span] = []
        terms: list[str] = []
        for term, s, e in prof_hits:
            if src is not None:
                s, e = src(s, e)
            spans.append(_new(Span, (s, e, "profanity", term)))
            if term not in terms:
                terms.append(term)

        pii: list[PiiHit] = []
        for kind, ps, pe in pii_hits:
            s, e = (ps, pe) if src is None else src(ps, pe)
            pii.append(_new(PiiHit, (kind, s, e, text[s:e])))
            spans.append(_new(Span, (s, e, "pii", kind)))

        disclosures: list[DisclosureHit] = []
        severity = "none"
        risk_keep = 1.0
        for rule, category, level, rs, re_ in rule_hits:  # unpacked: one read, not five
            s, e = dt.source_span(rs, re_)
            if src is not None:
                s, e = src(s, e)
            disclosures.append(_new(DisclosureHit, (rule, category, level, s, e)))
            spans.append(_new(Span, (s, e, "disclosure", rule)))
            if _RANK[level] > _RANK[severity]:
                severity = level
            risk_keep *= 1.0 - _WEIGHT[level]

        if learned is not None:  # a lead is paged (see LEARNED_SEVERITY)
            level = LEARNED_SEVERITY.get(learned.category, "medium")
            disclosures.append(DisclosureHit(LEARNED_RULE, learned.category, level, 0, len(text)))
            spans.append(Span(0, len(text), "disclosure", LEARNED_RULE))
            severity = level  # the only hit: its risk is the model's probability
            risk_keep = 1.0 - learned.probability

        sure = learned is None or learned.probability >= LEARNED_SURE  # see URGENCY_RULE
        raise_to = "urgent" if sure else "high"
        if _RANK[raise_to] > _RANK[severity] > 0 and self._raised(dt.text, scanned, view):
            top = max(disclosures, key=lambda d: _RANK[d.severity])
            disclosures.append(DisclosureHit(URGENCY_RULE, top.category, raise_to, 0, len(text)))
            spans.append(Span(0, len(text), "disclosure", URGENCY_RULE))
            severity = raise_to
            risk_keep *= 1.0 - _WEIGHT[raise_to]

        if len(disclosures) > 1:
            ordered = sorted(disclosures, key=lambda d: -_RANK[d.severity])
            categories = tuple(dict.fromkeys(d.category for d in ordered))
            rules = tuple(d.rule for d in ordered)
        elif disclosures:
            categories, rules = (disclosures[0].category,), (disclosures[0].rule,)
        else:
            categories = rules = ()
        if len(spans) > 1:
            spans.sort(key=_SPAN_KEY)
        return _new(
            Screening,
            (
                tuple(terms),
                tuple(pii),
                tuple(disclosures),
                severity,
                round(1.0 - risk_keep, 3),
                categories,
                rules,
                tuple(spans),
            ),
        )

    def _raised(self, dtext: str, scanned: int | None, view: WordsView | None = None) -> bool:
        """Does the urgency model raise this paged message to urgent (see URGENCY_RULE)?"""
        if self._urgency is None:
            return False
        logit = None
        if len(dtext) > LEARNED_MAX_CHARS:
            dtext, scanned = dtext[:LEARNED_MAX_CHARS], None
        elif view is not None:
            logit = view.urgency_logit(self._urgency)
        return self._urgency.fires(dtext, logit) and not self.damped(dtext, scanned)


def load_screener(rules_dir: Path | None = None) -> Screener:
    from config.rules import load_rules

    return Screener(load_rules(rules_dir))
