"""Moderation logic: screening, the moderation-item state machine, escalation policy.

Pure logic, no I/O and no ``await``; the one exception is choosing, once at import, whether
screening's compiled build is used (:mod:`moderation.native`).
"""

from moderation.native import activate

NATIVE: bool = activate(__path__)
"""Whether screening runs compiled (scripts/build_native.py) rather than as plain Python."""
