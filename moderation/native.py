"""Which build of screening runs: the compiled one in build/native/, or this source as is.

Screening's hot modules (:data:`COMPILED`) can be compiled with mypyc by
``scripts/build_native.py``; the compiled modules are the same source, about twice as fast.
Policy: the compiled build is used only while its stamp matches these sources and the running
Python exactly, so an edited rule engine can never be shadowed by a stale build (it then runs
as plain Python, correct but slower); ``SAFECHAT_PURE_PYTHON=1`` forces plain Python. This is
the one place ``moderation`` reads files, once, when the package is imported.
"""

from __future__ import annotations

import hashlib
import os
import sys
import sysconfig
from pathlib import Path

__all__ = ["COMPILED", "GROUP", "NATIVE_DIR", "STAMP", "activate", "expected_stamp"]

PACKAGE_DIR = Path(__file__).resolve().parent
NATIVE_DIR = PACKAGE_DIR.parent / "build" / "native"
STAMP = "SOURCES"
GROUP = "safechat_screening"  # the build's shared library: safechat_screening__mypyc
COMPILED = (
    "disclosure",
    "learned",
    "normalise",
    "offsets",
    "phrase_parts",
    "phrases",
    "pii",
    "profanity",
    "profanity_segments",
    "profanity_text",
    "results",
    "screening",
    "tokens",
)
PURE_ENV = "SAFECHAT_PURE_PYTHON"


def expected_stamp(package_dir: Path = PACKAGE_DIR) -> str:
    """What the stamp of a build of the current sources, for this Python, says."""
    digest = hashlib.sha256()
    digest.update(
        f"{sys.implementation.cache_tag} {sysconfig.get_config_var('EXT_SUFFIX')}".encode()
    )
    for name in COMPILED:
        digest.update(f"\0{name}\0".encode())
        digest.update((package_dir / f"{name}.py").read_bytes())
    return digest.hexdigest() + "\n"


def stamp_matches(native_dir: Path = NATIVE_DIR, package_dir: Path = PACKAGE_DIR) -> bool:
    """Is there a build of exactly the current sources for this Python?"""
    try:
        return (native_dir / STAMP).read_text() == expected_stamp(package_dir)
    except OSError:
        return False


def activate(package_path: list[str]) -> bool:
    """Put the compiled modules first on the package's ``__path__`` if they are current (and
    not turned off with SAFECHAT_PURE_PYTHON); return whether they are used."""
    if os.environ.get(PURE_ENV, "") not in ("", "0") or not stamp_matches():
        return False
    package_path.insert(0, str(NATIVE_DIR / "moderation"))
    if str(NATIVE_DIR) not in sys.path:
        sys.path.append(str(NATIVE_DIR))  # the shared library is a top-level module
    return True
