"""The urgency model, trained with the learned fallback by bench/train_disclosure_model.py.

It answers one question about a message that is already paged: is it urgent? It is a binary
logistic regression over the same features as the fallback, trained on the disclosure lines
only (the dev and holdout sets and the rule files' examples), urgent or not.

Its threshold is picked by grouped cross-validation: the lowest probability at which at most
RAISE_TARGET of the held-out disclosures that are not urgent (and that no damper stops) would be
raised to urgent. Raising costs a lead a shorter deadline; not raising an urgent line costs a
young person a late answer, so the budget is generous.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

RAISE_TARGET = 0.05  # held-out non-urgent disclosures the model may raise to urgent


class Fitted(Protocol):
    def proba(self, dtexts: list[str]) -> list[float]: ...


F = TypeVar("F", bound=Fitted)


class Screens(Protocol):
    def disclosure_text(self, text: str) -> str: ...

    def damped(self, dtext: str, scanned: int | None = None) -> bool: ...


def grouped_scores(
    texts: list[list[str]],
    labels: list[list[bool]],
    fitted: Callable[[list[str], list[bool]], Fitted],
    damped: Callable[[str], bool],
) -> list[tuple[float, bool, bool]]:
    """(probability, label, damped) of every line, each group scored by a model trained on
    the other groups (grouped cross-validation)."""
    scored: list[tuple[float, bool, bool]] = []
    for k in range(len(texts)):
        other_t = [t for j, g in enumerate(texts) if j != k for t in g]
        other_y = [y for j, g in enumerate(labels) if j != k for y in g]
        probs = fitted(other_t, other_y).proba(texts[k])
        scored += [(p, y, damped(t)) for p, y, t in zip(probs, labels[k], texts[k], strict=True)]
    return scored


def pick_raise_threshold(scored: list[tuple[float, bool, bool]]) -> tuple[float, dict[str, float]]:
    """``scored``: (probability, urgent, damped) of held-out disclosures."""
    calm = [p for p, u, d in scored if not u and not d]
    n_calm = sum(1 for _, u, _ in scored if not u) or 1
    urgent = [p for p, u, d in scored if u and not d]
    n_urgent = sum(1 for _, u, _ in scored if u) or 1
    for k in range(50, 98):
        t = k / 100
        over = sum(p >= t for p in calm) / n_calm
        if over <= RAISE_TARGET:
            raised = sum(p >= t for p in urgent) / n_urgent
            return t, {"cv_over_raised": round(over, 4), "cv_urgent_raised": round(raised, 4)}
    return 0.98, {"cv_over_raised": -1.0, "cv_urgent_raised": -1.0}


def fit_urgency(
    screener: Screens,
    train_groups: list[list[dict[str, Any]]],
    fitted: Callable[[list[str], list[bool]], F],
    weights: Callable[[F], tuple[float, dict[str, float], dict[str, float]]],
) -> dict[str, Any]:
    """The model file's "urgency" table. ``fitted`` trains a binary model; ``weights`` gives
    its intercept, word weights and character n-gram weights."""
    groups = [[r for r in g if r["disclosure"]] for g in train_groups]
    groups = [g for g in groups if g]
    texts = [[screener.disclosure_text(r["text"]) for r in g] for g in groups]
    labels = [[r.get("severity") == "urgent" for r in g] for g in groups]
    scored = grouped_scores(texts, labels, fitted, screener.damped)
    threshold, cv_info = pick_raise_threshold(scored)
    model = fitted([t for g in texts for t in g], [y for g in labels for y in g])
    b, words, chars = weights(model)
    return {
        "intercept": b,
        "threshold": threshold,
        "validation": cv_info,
        "words": words,
        "chars": chars,
    }
