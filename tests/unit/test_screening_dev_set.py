"""The labelled dev set is well formed, and the rules meet the issue's targets on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.rule_types import CATEGORIES
from config.rules import load_rules
from moderation.screening import Screener

DATA = Path(__file__).resolve().parents[1] / "data" / "screening_dev.jsonl"
# A second labelled set, written after the rules and first scored unseen; now a regression set.
HOLDOUT = DATA.with_name("screening_holdout.jsonl")
# Lines the learned fallback was never trained on, written blind, each read once before any rule
# was written for it (docs/screening.md tells each set's story: which were then tuned on and
# which are left as honest estimates): regression sets for the targets too.
FRESH = sorted(
    DATA.parent.glob("screening_fresh*.jsonl"),
    key=lambda p: int(p.stem.removeprefix("screening_fresh") or 1),
)
# everyday lines that use the rules' words, none a disclosure (read, and rules fixed for them)
EVERYDAY = DATA.with_name("screening_everyday.jsonl")


def _rows(path: Path = DATA) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_dev_set_shape() -> None:
    rows = _rows()
    assert len(rows) >= 300
    negatives = [r for r in rows if not r["disclosure"] and not r["profanity"]]
    assert len(negatives) >= 0.4 * len(rows)
    for r in rows:
        assert isinstance(r["text"], str) and r["text"]
        assert r["severity"] in ("urgent", "high", "medium", "none")
        if r["disclosure"]:
            assert r["category"] in CATEGORIES and r["severity"] != "none"
        else:
            assert r["category"] is None and r["severity"] == "none"
    assert len({r["text"] for r in rows}) == len(rows)


LABELLED = (DATA, HOLDOUT, *FRESH)


def test_every_fresh_set_is_found() -> None:
    assert [p.stem for p in FRESH[:2]] == ["screening_fresh", "screening_fresh2"]
    assert len(FRESH) >= 16


@pytest.mark.parametrize(
    "path", LABELLED, ids=[p.stem.removeprefix("screening_") for p in LABELLED]
)
def test_targets_on_labelled_sets(path: Path) -> None:
    s = Screener(load_rules())
    rows = _rows(path)
    res = [(r, s.screen(str(r["text"]))) for r in rows]
    pos = [x for r, x in res if r["disclosure"]]
    neg = [x for r, x in res if not r["disclosure"]]
    assert sum(x.disclosure for x in pos) / len(pos) >= 0.90
    assert sum(x.disclosure for x in neg) / len(neg) <= 0.10
    assert all(x.disclosure for r, x in res if r["severity"] == "urgent")
    ppos = [x for r, x in res if r["profanity"]]
    pneg = [x for r, x in res if not r["profanity"]]
    if ppos:  # (the first fresh set has no swearing)
        assert sum(x.profanity for x in ppos) / len(ppos) >= 0.95
    assert sum(x.profanity for x in pneg) / len(pneg) <= 0.03


def test_everyday_lines_rarely_page_and_almost_never_at_urgent() -> None:
    """screening_everyday.jsonl: 400 everyday lines written blind that use the words the rules
    look for ("the seagulls followed us all the way along the pier"), none a disclosure. An
    urgent page demands an answer within the minute: a lead paged like that for nothing soon
    stops trusting the pages."""
    s = Screener(load_rules())
    res = [s.screen(str(r["text"])) for r in _rows(EVERYDAY)]
    assert len(res) == 400
    assert sum(x.disclosure for x in res) / len(res) <= 0.10
    assert sum(x.severity == "urgent" for x in res) <= 4
    assert not any(x.profanity for x in res)
