"""Screening's compiled build (scripts/build_native.py, moderation/native.py).

The test command builds it, so here it must be in use; it must screen every labelled line
exactly as the plain Python source does; and a build of other sources is never used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import moderation
from moderation.native import COMPILED, PURE_ENV, STAMP, expected_stamp, stamp_matches
from moderation.screening import load_screener

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"

# Screens lines from stdin (one JSON string a line) as plain Python, one repr a line.
PURE_SCREEN = """
import json, sys
import moderation
assert not moderation.NATIVE
from moderation.screening import load_screener
screen = load_screener().screen
for line in sys.stdin:
    print(repr(screen(json.loads(line))))
"""


def labelled_lines() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                texts.append(json.loads(raw)["text"])
    return texts


def test_the_compiled_build_is_in_use_unless_plain_python_is_asked_for() -> None:
    import moderation.screening as screening

    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        assert not moderation.NATIVE
        assert Path(screening.__file__).suffix == ".py"
        return
    assert moderation.NATIVE, (
        "screening is not compiled or the build is stale: "
        "run .venv/bin/python scripts/build_native.py (scripts/test does)"
    )
    assert Path(screening.__file__).suffix in (".so", ".pyd")


def test_compiled_and_plain_python_screen_every_labelled_line_alike() -> None:
    texts = labelled_lines()
    texts += ["", "x" * 3000, "\ud800 lone", "f u c k 07700 900123 me@x.co", "🙃" * 40]
    assert len(texts) > 10_000
    env = {**os.environ, PURE_ENV: "1"}
    pure = subprocess.run(
        [sys.executable, "-c", PURE_SCREEN],
        input="\n".join(json.dumps(t) for t in texts) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    ).stdout.splitlines()
    screen = load_screener().screen
    here = [repr(screen(t)) for t in texts]
    assert len(pure) == len(here)
    differ = [(t, a, b) for t, a, b in zip(texts, here, pure, strict=True) if a != b]
    assert not differ, differ[:3]


def test_a_build_of_other_sources_is_never_used(tmp_path: Path) -> None:
    src = tmp_path / "moderation"
    src.mkdir()
    for name in COMPILED:
        shutil.copy(ROOT / "moderation" / f"{name}.py", src / f"{name}.py")
    native = tmp_path / "native"
    native.mkdir()
    assert not stamp_matches(native, src)  # no build at all
    (native / STAMP).write_text(expected_stamp(src))
    assert stamp_matches(native, src)
    tokens = src / "tokens.py"
    tokens.write_text(tokens.read_text() + "\n# edited\n")
    assert not stamp_matches(native, src)
