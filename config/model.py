"""The learned disclosure fallback's weights (``disclosure_model.json``, written by
``bench/train_disclosure_model.py``, scored by :mod:`moderation.learned`): read and validated."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from config.rule_types import CATEGORIES, MODEL_FILE, DisclosureModel, RulesError

__all__ = ["load_model", "model_from_dict"]


def _weights(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and math.isfinite(v)
        for k, v in raw.items()
    ):
        raise RulesError(f"{where} must be a table of feature -> finite number")
    return {k: float(v) for k, v in raw.items()}


def load_model(path: Path) -> DisclosureModel | None:
    """The learned fallback's weights, or None if ``path`` does not exist."""
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the model: {exc}") from exc
    return model_from_dict(data, name)


def model_from_dict(data: Any, name: str = MODEL_FILE) -> DisclosureModel:
    """Validate a model file's content (see bench/train_disclosure_model.py)."""
    if not isinstance(data, dict) or data.get("format") != 1:
        raise RulesError(f"{name}: not a format 1 disclosure model")
    b, t, ns = data.get("intercept"), data.get("threshold"), data.get("char_ns")
    if not isinstance(b, int | float) or not math.isfinite(b):
        raise RulesError(f"{name}: 'intercept' must be a number")
    if not isinstance(t, int | float) or not 0.0 < t < 1.0:
        raise RulesError(f"{name}: 'threshold' must be a probability between 0 and 1")
    if (
        not isinstance(ns, list)
        or not all(isinstance(n, int) and not isinstance(n, bool) and 2 <= n <= 8 for n in ns)
        or ns != sorted(set(ns))
    ):
        raise RulesError(f"{name}: 'char_ns' must be ascending integers from 2 to 8")
    cats = data.get("categories", {})
    if not isinstance(cats, dict) or not isinstance(cats.get("weights", {}), dict):
        raise RulesError(f"{name}: 'categories' must be a table with a 'weights' table")
    c_b = _weights(cats.get("intercepts", {}), f"{name}: categories.intercepts")
    c_w: dict[str, dict[str, float]] = {}
    for cat, w in cats.get("weights", {}).items():
        if cat not in CATEGORIES:
            raise RulesError(f"{name}: unknown category {cat!r}")
        c_w[cat] = _weights(w, f"{name}: categories.weights.{cat}")
    about = data.get("trained_on", {})
    sha = about.get("sha256", "") if isinstance(about, dict) else ""
    urgency = None
    if "urgency" in data:
        u = data["urgency"]
        if not isinstance(u, dict):
            raise RulesError(f"{name}: 'urgency' must be a table")
        sub = {"format": 1, "char_ns": ns, **u, "categories": {}, "trained_on": about}
        urgency = model_from_dict(sub, f"{name}: urgency")
    return DisclosureModel(
        intercept=float(b),
        threshold=float(t),
        char_ns=tuple(ns),
        words=_weights(data.get("words"), f"{name}: 'words'"),
        chars=_weights(data.get("chars"), f"{name}: 'chars'"),
        category_intercepts=c_b,
        category_words=c_w,
        data_sha256=sha if isinstance(sha, str) else "",
        urgency=urgency,
    )
