"""Compile screening's hot modules with mypyc (part of mypy) into build/native/.

    .venv/bin/python scripts/build_native.py [--check]

Screening is written in plain, fully typed Python; mypyc turns the same source into C
extensions, about twice as fast (docs/screening.md, "Speed"). The build goes to
build/native/ (never into the source tree) with a stamp naming the sources it was built from;
``moderation/__init__.py`` uses it only while that stamp matches the sources and the running
Python, so an edited module is never shadowed by a stale build: it runs as plain Python until
this script is run again. Nothing is rebuilt when the stamp already matches.

``--check``: exit 1, saying why, unless an up-to-date build is present.
Needs a C compiler and the Python headers (``scripts/bootstrap.sh`` installs them with apt).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moderation.native import (  # noqa: E402
    COMPILED,
    GROUP,
    NATIVE_DIR,
    STAMP,
    expected_stamp,
    stamp_matches,
)

MYPY_CONFIG = """\
[mypy]
python_version = {major}.{minor}
ignore_missing_imports = True
"""


def build() -> None:
    """Compile COMPILED into a fresh directory, then swap it in for NATIVE_DIR."""
    from mypyc.build import mypycify  # build-time only: mypy is not needed to run safechat
    from setuptools import setup

    NATIVE_DIR.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=NATIVE_DIR.parent) as tmp:
        work = Path(tmp)
        config = work / "mypy.ini"
        config.write_text(MYPY_CONFIG.format(major=sys.version_info[0], minor=sys.version_info[1]))
        out = work / "out"
        sources = [str(ROOT / "moderation" / f"{name}.py") for name in COMPILED]
        here = os.getcwd()
        os.chdir(work)  # away from pyproject.toml: setuptools must not read the project's
        try:
            modules = mypycify(
                ["--config-file", str(config), *sources],
                opt_level="3",
                group_name=GROUP,
                target_dir=str(work / "c"),
            )
            setup(
                name="safechat-native",
                packages=[],
                py_modules=[],
                ext_modules=modules,
                script_args=[
                    "--quiet",
                    "build_ext",
                    "--build-lib",
                    str(out),
                    "--build-temp",
                    str(work / "tmp"),
                ],
            )
        finally:
            os.chdir(here)
        (out / STAMP).write_text(expected_stamp())
        if NATIVE_DIR.exists():
            shutil.rmtree(NATIVE_DIR)
        out.rename(NATIVE_DIR)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the build is current")
    args = parser.parse_args()
    if stamp_matches():
        print(f"native screening is up to date ({NATIVE_DIR.relative_to(ROOT)})")
        return 0
    if args.check:
        print(
            "native screening is missing or stale: run .venv/bin/python scripts/build_native.py",
            file=sys.stderr,
        )
        return 1
    print(f"==> compiling {len(COMPILED)} screening modules with mypyc (about a minute)")
    build()
    if not stamp_matches():
        print("the build did not produce a matching stamp", file=sys.stderr)
        return 1
    print(f"native screening built in {NATIVE_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
