"""Train the learned disclosure fallback and write config/rules/disclosure_model.json.

    .venv/bin/python bench/train_disclosure_model.py            # retrain, write the model
    .venv/bin/python bench/train_disclosure_model.py --check    # retrain, compare, write nothing

Needs scikit-learn (the ``dev`` extra); the service only reads the JSON it writes (scored in
pure Python by moderation/learned.py).

What it does, deterministically (same data and rules -> the same file):

1. Reads the labelled lines of tests/data/screening_dev.jsonl and screening_holdout.jsonl,
   and the example lines with a disclosure verdict shipped in config/rules/disclosure*.toml
   (never tests/data/screening_fresh*.jsonl: those are the untouched test sets), and turns each into
   the disclosure text the rules read (``Screener.disclosure_text``: folded, text-speak
   expanded), so look-alike letters and text-speak are normalised exactly as at run time.
2. Features: word unigrams + bigrams and the character 3- to 5-grams of each word
   (moderation.learned.features), counted; only features seen in at least two lines are
   kept (a pruned vocabulary).
3. A binary logistic regression (disclosure or not; L2, C=1) gives the weights.
4. The threshold is picked by grouped cross-validation: the dev set, the rule examples and
   each holdout batch are a group; each group is scored by a model trained on the others,
   and the threshold is the lowest probability at which the fallback (where no damper
   applies: a damper stops it at run time) raises at most FA_TARGET false alarms on those
   held-out negatives.
5. A multinomial logistic regression over the word features of the disclosure lines names the
   category when the fallback fires (its top weights per category are kept).
6. The urgency model (bench/urgency_model.py): urgent or not, over the disclosure lines only;
   at run time it may raise a paged message to urgent, never lower one.

Retrain after any change to the labelled data, the rule files' examples, the disclosure
rules' dampers, or the normalisation (config/rules/normalise.toml): the model file records
the SHA-256 of the data it was trained on, and tests/unit/test_learned.py fails when the data
no longer matches it (and, with scikit-learn installed, when a fresh run differs at all).
bench/disclosure_generalisation.py measures what the fallback adds on lines it has not seen.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from urgency_model import RAISE_TARGET, fit_urgency, grouped_scores  # noqa: E402

from config.rule_types import MODEL_FILE  # noqa: E402
from config.rules import default_rules_dir, load_rules  # noqa: E402
from moderation.learned import features  # noqa: E402
from moderation.screening import Screener  # noqa: E402

DATA = ROOT / "tests" / "data"
# the dev set, the holdout set, then more training sets (each one cross-validation group):
# screening_train_adults.jsonl is adults' lines (parents, practitioners, businesses), written
# blind, mostly on-topic questions that are not disclosures; screening_train_hints.jsonl and
# screening_train_slang.jsonl are young people's lines written blind, heavy with disclosures
# given as hints and in slang (and hard negatives), the register the first readings missed most;
# screening_train_negatives.jsonl is mostly ordinary lines, young people's and adults', that use
# the words of harm innocently (what the fallback over-flagged); screening_train_adults2.jsonl is
# 450 more adults' lines, 190 of them reports of what an adult noticed about a child;
# screening_train_masked.jsonl is young people's disclosures wrapped in a laugh or sarcasm, and
# real jokes in the same dark words; screening_train_teens.jsonl is young people's lines in a
# live Q&A as the dev set describes them (nearly half hard negatives)
TRAIN_FILES = (
    DATA / "screening_dev.jsonl",
    DATA / "screening_holdout.jsonl",
    DATA / "screening_train_adults.jsonl",
    DATA / "screening_train_hints.jsonl",
    DATA / "screening_train_slang.jsonl",
    DATA / "screening_train_negatives.jsonl",
    DATA / "screening_train_adults2.jsonl",
    DATA / "screening_train_masked.jsonl",
    DATA / "screening_train_teens.jsonl",
    DATA / "screening_train_hints2.jsonl",
    DATA / "screening_train_hyperbole.jsonl",
    DATA / "screening_train_qa_negatives.jsonl",
    DATA / "screening_train_questions.jsonl",
    DATA / "screening_train_dialects.jsonl",
)
# the fresh sets (screening_fresh.jsonl, fresh2, ...): the true tests, never trained on
FRESH_FILES = sorted(DATA.glob("screening_fresh*.jsonl"))
# The holdout file's batches, in file order: [start, end) line ranges, each appended by one
# commit (its rules were tuned on it in that commit). Lines past the last end form one more
# batch. Used as cross-validation groups here and by bench/disclosure_generalisation.py.
HOLDOUT_BATCHES: tuple[tuple[int, int, str], ...] = (
    (0, 138, "ee9d8d5"),
    (138, 198, "0d79bc9"),
    (198, 238, "cfe1399"),
    (238, 330, "6a4f69d"),
    (330, 422, "b4cc404"),
    (422, 511, "c758faf"),
    (511, 604, "0600bde"),
    (604, 696, "f03f2ed"),
    (696, 786, "beec331"),
)
CHAR_NS = (3, 4, 5)
MORE_SPLIT = 3  # cross-validation groups per further training set
C = 1.0  # inverse L2 strength
MIN_DF = 4
FA_TARGET = 0.04  # held-out false alarms the fallback may add (the rules add their own); the
# held-out negatives include the adults' on-topic questions (screening_train_adults.jsonl)
CATEGORY_TOP = 300  # word weights kept per category
DIGITS = 4  # weights are rounded to this many decimals


def load_rows(paths: Sequence[Path]) -> list[dict[str, Any]]:
    rows = []
    for p in paths:
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def example_rows(rules_dir: Path | None = None) -> list[dict[str, Any]]:
    """The disclosure verdicts of the example lines shipped in the rule files (a third
    training group), minus any line of the holdout or fresh sets."""
    rules = load_rules(rules_dir, with_model=False)
    held_files = [TRAIN_FILES[1], *FRESH_FILES]
    held = {r["text"] for r in load_rows(held_files)}
    out = []
    for ex in rules.examples:
        sev = ex.expect.get("severity")
        if sev is None or ex.text in held:
            continue
        row = {"text": ex.text, "disclosure": sev != "none", "category": None, "severity": sev}
        out.append(row)
    return out


def data_sha256(rules_dir: Path | None = None) -> str:
    """Of the labelled files and the rule files' disclosure examples."""
    h = hashlib.sha256()
    for p in TRAIN_FILES:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    for r in example_rows(rules_dir):
        h.update(f"{r['disclosure']}\t{r['severity']}\t{r['text']}\0".encode())
    return h.hexdigest()


def groups(
    dev: list[dict[str, Any]],
    holdout: list[dict[str, Any]],
    examples: list[dict[str, Any]],
    more: Sequence[list[dict[str, Any]]] = (),
) -> list[list[dict[str, Any]]]:
    """The dev set, the rule files' examples, each further training set in MORE_SPLIT
    interleaved parts, then each holdout batch (file order). A further set is split so that
    a model scored on part of it has seen the rest: each is one writer's register (adults'
    questions), which the rest of the data lacks."""
    out = [dev, examples, *(rows[i::MORE_SPLIT] for rows in more for i in range(MORE_SPLIT))]
    end = 0
    for start, end, _ in HOLDOUT_BATCHES:
        if start < len(holdout):
            out.append(holdout[start:end])
    if end < len(holdout):
        out.append(holdout[end:])
    return [g for g in out if g]


def _counts(dtext: str) -> dict[str, int]:
    words, chars = features(dtext, CHAR_NS)
    c: Counter[str] = Counter("w\t" + w for w in words)
    c.update("c\t" + g for g in chars)
    return dict(c)


class _Fitted:
    """A binary model over the pruned vocabulary (sklearn objects; training time only)."""

    def __init__(self, dtexts: list[str], labels: list[bool]) -> None:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        docs = [_counts(t) for t in dtexts]
        df: Counter[str] = Counter(k for d in docs for k in d)
        keep = sorted(k for k, n in df.items() if n >= MIN_DF)
        self.vec = DictVectorizer(sort=True)
        self.vec.fit([dict.fromkeys(keep, 1)])
        self.lr = LogisticRegression(C=C, max_iter=5000)
        self.lr.fit(self.vec.transform(docs), labels)

    def proba(self, dtexts: list[str]) -> list[float]:
        p = self.lr.predict_proba(self.vec.transform([_counts(t) for t in dtexts]))[:, 1]
        return [float(x) for x in p]


def pick_threshold(scored: list[tuple[float, bool, bool]]) -> tuple[float, dict[str, float]]:
    """The lowest threshold (0.50..0.97) at which the held-out false alarms (negatives the
    model passes and no damper stops) are at most FA_TARGET. ``scored``: (probability,
    label, damped)."""
    neg = [p for p, y, d in scored if not y and not d]
    n_neg = sum(1 for _, y, _ in scored if not y) or 1
    pos = [p for p, y, _ in scored if y]
    for k in range(50, 98):
        t = k / 100
        fa = sum(p >= t for p in neg) / n_neg
        if fa <= FA_TARGET:
            rec = sum(p >= t for p in pos) / (len(pos) or 1)
            return t, {"cv_false_alarms": round(fa, 4), "cv_model_recall": round(rec, 4)}
    return 0.98, {"cv_false_alarms": -1.0, "cv_model_recall": -1.0}


def fit(
    screener: Screener, train_groups: list[list[dict[str, Any]]], *, cv: bool = True
) -> dict[str, Any]:
    """The model file's content (without provenance), trained on ``train_groups``."""
    from sklearn.linear_model import LogisticRegression

    texts = [[screener.disclosure_text(r["text"]) for r in g] for g in train_groups]
    labels = [[bool(r["disclosure"]) for r in g] for g in train_groups]
    flat_t = [t for g in texts for t in g]
    flat_y = [y for g in labels for y in g]
    model = _Fitted(flat_t, flat_y)
    threshold, cv_info = 0.5, dict[str, float]()
    if cv:
        scored = grouped_scores(texts, labels, _Fitted, screener.damped)
        threshold, cv_info = pick_threshold(scored)

    intercept, words, chars = _weights(model)

    # the category model: word features of the disclosure lines
    pos = [
        (t, r["category"])
        for g, tg in zip(train_groups, texts, strict=True)
        for r, t in zip(g, tg, strict=True)
        if r["disclosure"] and r.get("category")
    ]
    from sklearn.feature_extraction import DictVectorizer

    docs = [dict(Counter(features(t, CHAR_NS)[0])) for t, _ in pos]
    df: Counter[str] = Counter(k for d in docs for k in d)
    vec = DictVectorizer(sort=True)
    vec.fit([dict.fromkeys((k for k, n in df.items() if n >= MIN_DF), 1)])
    vocab = [str(v) for v in vec.get_feature_names_out()]
    x = vec.transform(docs)
    cat_lr = LogisticRegression(C=C, max_iter=5000)
    cat_lr.fit(x, [c for _, c in pos])
    cat_w: dict[str, dict[str, float]] = {}
    cat_b: dict[str, float] = {}
    for ci, cat in enumerate(cat_lr.classes_):
        row = cat_lr.coef_[ci]
        top = sorted(range(len(vocab)), key=lambda j: (-abs(row[j]), vocab[j]))[:CATEGORY_TOP]
        cat_w[str(cat)] = {vocab[j]: round(float(row[j]), DIGITS) for j in sorted(top)}
        cat_b[str(cat)] = round(float(cat_lr.intercept_[ci]), DIGITS)
    return {
        "format": 1,
        "intercept": intercept,
        "threshold": threshold,
        "char_ns": list(CHAR_NS),
        "validation": cv_info,
        "words": words,
        "chars": chars,
        "categories": {"intercepts": cat_b, "weights": cat_w},
        "urgency": fit_urgency(screener, train_groups, _Fitted, _weights),
    }


def _weights(model: _Fitted) -> tuple[float, dict[str, float], dict[str, float]]:
    """A fitted model's intercept, word weights and character n-gram weights, rounded."""
    words: dict[str, float] = {}
    chars: dict[str, float] = {}
    for name, w in zip(model.vec.get_feature_names_out(), model.lr.coef_[0], strict=True):
        w = round(float(w), DIGITS)
        if w:
            kind, feat = name.split("\t", 1)
            (words if kind == "w" else chars)[feat] = w
    return round(float(model.lr.intercept_[0]), DIGITS), words, chars


def train(rules_dir: Path | None = None) -> dict[str, Any]:
    screener = Screener(load_rules(rules_dir, with_model=False))
    dev, holdout, *more = (load_rows([p]) for p in TRAIN_FILES)
    examples = example_rows(rules_dir)
    body = fit(screener, groups(dev, holdout, examples, more))
    about = {
        "about": "Learned disclosure fallback (moderation/learned.py); written by "
        "bench/train_disclosure_model.py -- retrain after changing tests/data, the dampers "
        "or normalise.toml.",
        "trained_on": {
            "files": [str(p.relative_to(ROOT)) for p in TRAIN_FILES],
            "rule_file_examples": len(examples),
            "lines": len(dev) + len(holdout) + sum(map(len, more)) + len(examples),
            "sha256": data_sha256(rules_dir),
        },
        "settings": {
            "C": C,
            "min_df": MIN_DF,
            "fa_target": FA_TARGET,
            "urgency_raise_target": RAISE_TARGET,
        },
    }
    return {"format": 1, **about, **{k: v for k, v in body.items() if k != "format"}}


def dump(model: dict[str, Any]) -> str:
    return json.dumps(model, ensure_ascii=False, sort_keys=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rules", type=Path, default=None, help="rules dir (default config/rules)")
    ap.add_argument("--out", type=Path, default=None, help="default: RULES/" + MODEL_FILE)
    ap.add_argument("--check", action="store_true", help="compare with the file; write nothing")
    args = ap.parse_args(argv)
    out = args.out or (args.rules or default_rules_dir()) / MODEL_FILE
    model = train(args.rules)
    text = dump(model)
    v = model["validation"]
    print(
        f"threshold {model['threshold']} (grouped CV: model recall {v['cv_model_recall']}, "
        f"false alarms {v['cv_false_alarms']}); {len(model['words'])} word and "
        f"{len(model['chars'])} char weights; {len(text.encode()) / 1024:.0f} KiB"
    )
    u = model["urgency"]
    print(
        f"urgency threshold {u['threshold']} (grouped CV: urgent raised "
        f"{u['validation']['cv_urgent_raised']}, others raised {u['validation']['cv_over_raised']})"
    )
    if args.check:
        same = out.exists() and out.read_text(encoding="utf-8") == text
        print(f"{out}: {'up to date' if same else 'DIFFERS from a fresh training run'}")
        return 0 if same else 1
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
