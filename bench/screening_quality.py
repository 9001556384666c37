"""Screening quality on a labelled set: recall and false-alarm rate, overall and per category.

    .venv/bin/python bench/screening_quality.py [DATA.jsonl ...] [--rules DIR] [--show]

Each line of DATA is a JSON object: {"text", "disclosure": bool, "category": str|null,
"severity": "urgent"|"high"|"medium"|"none", "profanity": bool}. Default data:
tests/data/screening_dev.jsonl. Targets (issue 4): disclosure recall >= 0.90 with every urgent
line caught and <= 10 % false alarms; profanity recall >= 0.95 at <= 3 % false alarms.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from train_disclosure_model import load_rows  # noqa: E402

from config.rules import load_rules  # noqa: E402
from moderation.screening import Screener  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "data" / "screening_dev.jsonl"


def _rate(n: int, d: int) -> str:
    return f"{n / d:.3f} ({n}/{d})" if d else "n/a"


def evaluate(screener: Screener, rows: list[dict[str, Any]]) -> dict[str, Any]:
    res: dict[str, Any] = {"misses": [], "false_alarms": [], "prof_misses": [], "prof_fa": []}
    d_pos = d_tp = d_neg = d_fp = u_pos = u_caught = u_exact = 0
    p_pos = p_tp = p_neg = p_fp = cat_match = 0
    per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # lines, caught, cat right
    fa_cat: dict[str, int] = defaultdict(int)
    for r in rows:
        s = screener.screen(r["text"])
        if r["disclosure"]:
            d_pos += 1
            cat = r.get("category") or "?"
            per_cat[cat][0] += 1
            if s.disclosure:
                d_tp += 1
                per_cat[cat][1] += 1
                if cat in s.categories:
                    per_cat[cat][2] += 1
                    cat_match += 1
            else:
                res["misses"].append((r["text"], cat, r["severity"]))
            if r["severity"] == "urgent":
                u_pos += 1
                u_caught += s.disclosure
                u_exact += s.severity == "urgent"
        else:
            d_neg += 1
            if s.disclosure:
                d_fp += 1
                for c in s.categories:
                    fa_cat[c] += 1
                res["false_alarms"].append((r["text"], s.severity, list(s.rules)))
        if r["profanity"]:
            p_pos += 1
            p_tp += s.profanity
            if not s.profanity:
                res["prof_misses"].append(r["text"])
        else:
            p_neg += 1
            p_fp += s.profanity
            if s.profanity:
                res["prof_fa"].append((r["text"], list(s.profanity_terms)))
    res.update(
        d_recall=d_tp / d_pos if d_pos else 1.0,
        d_fa=d_fp / d_neg if d_neg else 0.0,
        urgent_missed=u_pos - u_caught,
        p_recall=p_tp / p_pos if p_pos else 1.0,
        p_fa=p_fp / p_neg if p_neg else 0.0,
    )
    print(f"lines: {len(rows)}")
    print("DISCLOSURE")
    print(f"  recall        {_rate(d_tp, d_pos)}   target >= 0.90")
    print(f"  false alarms  {_rate(d_fp, d_neg)}   target <= 0.10")
    print(f"  urgent caught {_rate(u_caught, u_pos)}   target: all; rated urgent {u_exact}")
    print(f"  category right (of caught) {_rate(cat_match, d_tp)}")
    print("  per category (labelled lines): recall | category named")
    for cat in sorted(per_cat):
        n, caught, right = per_cat[cat]
        print(f"    {cat:22s} {_rate(caught, n):18s} {_rate(right, n)}")
    if fa_cat:
        print(
            "  false alarms by predicted category: "
            + ", ".join(f"{c}={n}" for c, n in sorted(fa_cat.items()))
        )
    print("PROFANITY")
    print(f"  recall        {_rate(p_tp, p_pos)}   target >= 0.95")
    print(f"  false alarms  {_rate(p_fp, p_neg)}   target <= 0.03")
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="*", type=Path, default=[DEFAULT_DATA])
    ap.add_argument("--rules", type=Path, default=None)
    ap.add_argument("--show", action="store_true", help="list misses and false alarms")
    args = ap.parse_args(argv)
    screener = Screener(load_rules(args.rules))
    res = evaluate(screener, load_rows(args.data))
    if args.show:
        for text, cat, sev in res["misses"]:
            print(f"MISS  [{cat}/{sev}] {text}")
        for text, sev, rules in res["false_alarms"]:
            print(f"FA    [{sev}] {text}  {rules}")
        for text in res["prof_misses"]:
            print(f"PMISS {text}")
        for text, terms in res["prof_fa"]:
            print(f"PFA   {text}  {terms}")
    ok = (
        res["d_recall"] >= 0.90
        and res["d_fa"] <= 0.10
        and res["urgent_missed"] == 0
        and res["p_recall"] >= 0.95
        and res["p_fa"] <= 0.03
    )
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
