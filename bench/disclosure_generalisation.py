"""How the learned disclosure fallback generalises: rules alone vs rules + model, on unseen lines.

    .venv/bin/python bench/disclosure_generalisation.py [--no-lobo] [--show]

Needs scikit-learn (the ``dev`` extra) for the leave-one-batch-out part. Three measurements:

1. **Leave one batch out, current rules.** The holdout file is split into the batches it was
   appended in (file order; bench/train_disclosure_model.py lists them). For each batch k a
   model is trained exactly as the shipped one (threshold by grouped cross-validation inside
   the training data) on the dev set and every other batch, and scored on batch k. The current
   rules were tuned on every batch, so their figures here are optimistic; the model's are not.
2. **Leave one batch out, rules as they were before batch k was tuned on.** The rule files
   of the commit before the one that added batch k (``git show``) are the honest rules-alone
   figure for batch k; the same held-out model is added to them.
3. **Fresh batches** (tests/data/screening_fresh.jsonl, never used for training or tuning):
   current rules alone vs current rules + the shipped model (config/rules/disclosure_model.json).

Recall and false alarms are over disclosure / non-disclosure lines; "urgent" counts the urgent
lines caught at all (a page of any severity). Targets (issue 4): recall >= 0.90, every urgent
line caught, false alarms <= 0.10.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from train_disclosure_model import (  # noqa: E402
    HOLDOUT_BATCHES,
    MORE_SPLIT,
    TRAIN_FILES,
    example_rows,
    fit,
    groups,
    load_rows,
)

from config.model import model_from_dict  # noqa: E402
from config.rule_types import Rules  # noqa: E402
from config.rules import load_rules  # noqa: E402
from moderation.screening import Screener  # noqa: E402

# the fresh sets: written independently of the rules, never trained on (fresh5, fresh6:
# never tuned on either)
FRESH_FILES = sorted((ROOT / "tests" / "data").glob("screening_fresh*.jsonl"))
Row = dict[str, Any]


class Tally:
    def __init__(self) -> None:
        self.pos = self.tp = self.neg = self.fp = self.urg = self.urg_caught = 0
        self.fallback_tp = self.fallback_fp = 0

    def add(self, r: Row, rules: bool, combined: bool) -> None:
        if r["disclosure"]:
            self.pos += 1
            self.tp += combined
            self.fallback_tp += combined and not rules
            if r["severity"] == "urgent":
                self.urg += 1
                self.urg_caught += combined
        else:
            self.neg += 1
            self.fp += combined
            self.fallback_fp += combined and not rules

    def merge(self, o: Tally) -> None:
        for k, v in vars(o).items():
            setattr(self, k, getattr(self, k) + v)

    def line(self, fallback: bool = False) -> str:
        extra = (
            f"  fallback: +{self.fallback_tp} caught, +{self.fallback_fp} FA" if fallback else ""
        )
        rec = f"{self.tp / self.pos:.3f}" if self.pos else "  n/a"
        fa = f"{self.fp / self.neg:.3f}" if self.neg else "  n/a"
        return (
            f"recall {rec} ({self.tp:3d}/{self.pos:3d})  false alarms {fa} "
            f"({self.fp:2d}/{self.neg:3d})  urgent {self.urg_caught:2d}/{self.urg:2d}{extra}"
        )


def score(
    rows: Sequence[Row], alone: Screener, both: Screener, show: list[str] | None = None
) -> tuple[Tally, Tally]:
    """(rules alone, rules + model) tallies over ``rows``."""
    t_alone, t_both = Tally(), Tally()
    for r in rows:
        a = alone.screen(r["text"]).disclosure
        s = both.screen(r["text"])
        t_alone.add(r, a, a)
        t_both.add(r, a, s.disclosure)
        if show is not None and (s.disclosure != r["disclosure"] or a != s.disclosure):
            tag = "FIXED" if s.disclosure == r["disclosure"] else "WRONG"
            via = "fallback" if a != s.disclosure else "both"
            show.append(f"    {tag:5s} {via:8s} [{r['severity']:6s}] {r['text']}")
    return t_alone, t_both


def with_model(rules: Rules, body: dict[str, Any]) -> Screener:
    return Screener(dataclasses.replace(rules, model=model_from_dict(body)))


def rules_before(commit: str) -> Rules | None:
    """The rule files as they were just before ``commit`` (None without git history)."""
    try:
        names = subprocess.run(
            ["git", "ls-tree", "--name-only", f"{commit}^", "config/rules/"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        tmp = Path(tempfile.mkdtemp(prefix="rules_before_"))
        for n in names:
            if n.endswith(".toml"):
                blob = subprocess.run(
                    ["git", "show", f"{commit}^:{n}"], cwd=ROOT, capture_output=True, check=True
                ).stdout
                (tmp / Path(n).name).write_bytes(blob)
        return load_rules(tmp, with_model=False)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None


def lobo(show: bool) -> None:
    current = load_rules(with_model=False)
    cur_alone = Screener(current)
    dev, holdout, *more = (load_rows([p]) for p in TRAIN_FILES)
    gs = groups(dev, holdout, example_rows(), more)  # dev, examples, more, holdout batch k
    totals = {name: (Tally(), Tally()) for name in ("current", "before")}
    print("LEAVE ONE BATCH OUT (model trained without the batch; threshold by inner CV)")
    first = 2 + MORE_SPLIT * len(more)  # the holdout batches follow
    for k, batch in enumerate(gs[first:]):
        start, end, commit = (
            (*HOLDOUT_BATCHES[k],)
            if k < len(HOLDOUT_BATCHES)
            else (sum(len(g) for g in gs[first : k + first]), len(holdout), "")
        )
        body = fit(cur_alone, [g for j, g in enumerate(gs) if j != k + first])
        lines: list[str] = []
        a, b = score(batch, cur_alone, with_model(current, body), lines if show else None)
        print(f"  batch {k} (lines {start}-{end - 1}, {len(batch)}), threshold {body['threshold']}")
        print(f"    current rules        {a.line()}")
        print(f"    current rules+model  {b.line(True)}")
        totals["current"][0].merge(a)
        totals["current"][1].merge(b)
        old = rules_before(commit) if commit else None
        if old is not None:
            a2, b2 = score(batch, Screener(old), with_model(old, body), lines if show else None)
            print(f"    rules before tuning  {a2.line()}")
            print(f"    before-tuning+model  {b2.line(True)}")
            totals["before"][0].merge(a2)
            totals["before"][1].merge(b2)
        for ln in dict.fromkeys(lines):
            print(ln)
    print("  ALL BATCHES POOLED")
    for name, (a, b) in totals.items():
        if a.pos or a.neg:
            print(f"    {name + ' rules':20s} {a.line()}")
            print(f"    {name + ' rules+model':20s} {b.line(True)}")


def fresh(show: bool) -> None:
    rows = load_rows(FRESH_FILES)
    rules = load_rules()
    alone = Screener(dataclasses.replace(rules, model=None))
    both = Screener(rules)
    where = ", ".join(p.stem.removeprefix("screening_") for p in FRESH_FILES)
    print(f"FRESH BATCHES ({where}: never trained on; shipped model)")
    total = (Tally(), Tally())
    for name in dict.fromkeys(r.get("batch", "fresh") for r in rows):
        batch = [r for r in rows if r.get("batch", "fresh") == name]
        lines: list[str] = []
        a, b = score(batch, alone, both, lines if show else None)
        print(f"  batch {name} ({len(batch)} lines)")
        print(f"    rules alone          {a.line()}")
        print(f"    rules+model          {b.line(True)}")
        for ln in lines:
            print(ln)
        total[0].merge(a)
        total[1].merge(b)
    print("  ALL FRESH")
    print(f"    rules alone          {total[0].line()}")
    print(f"    rules+model          {total[1].line(True)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-lobo", action="store_true", help="only the fresh batches (no sklearn)")
    ap.add_argument("--show", action="store_true", help="list the lines each side gets wrong")
    args = ap.parse_args(argv)
    if not args.no_lobo:
        lobo(args.show)
    fresh(args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
