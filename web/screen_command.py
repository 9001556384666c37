"""``safechat screen [FILE] [--rules DIR]``: the rule test bench.

Reads lines from FILE (or stdin): plain text, or JSON objects with a ``"text"`` field. Writes
one JSON object per input line, in input order. A bad line gets an error object
(``{"error": {"code", "message"}, "line": N}``) and processing continues. Blank lines are
screened as empty text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from config.rules import RulesError, load_rules
from moderation.screening import Screener

__all__ = ["add_parser", "main", "run", "screen_lines"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "screen",
        help="screen lines of text with the moderation rules (rule test bench)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _arguments(p)
    p.set_defaults(func=run)


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", help="input file (default: stdin)")
    p.add_argument("--rules", metavar="DIR", help="rules directory to try (default: config/rules)")


def _error(line: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}, "line": line}


def _text_of(raw: str, line: int) -> str | dict[str, Any]:
    stripped = raw.strip()
    if not stripped.startswith("{"):
        return raw
    try:
        obj = json.loads(stripped)
    except ValueError as exc:
        return _error(line, "invalid_json", f"not valid JSON: {exc}")
    if not isinstance(obj, dict):
        return _error(line, "not_an_object", "a JSON line must be an object with a 'text' field")
    text = obj.get("text")
    if text is None:
        return _error(line, "missing_text", "the JSON object has no 'text' field")
    if not isinstance(text, str):
        return _error(line, "bad_text", "'text' must be a string")
    return text


def screen_lines(screener: Screener, lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    for n, raw in enumerate(lines, start=1):
        raw = raw.rstrip("\r\n")
        got = _text_of(raw, n)
        if isinstance(got, dict):
            yield got
            continue
        try:
            s = screener.screen(got)
        except Exception as exc:  # never stop the bench on one line
            yield _error(n, "screen_failed", f"{type(exc).__name__}: {exc}")
            continue
        yield {
            "text": got,
            "profanity": s.profanity,
            "profanity_terms": list(s.profanity_terms),
            "pii": [{"kind": p.kind, "text": p.text} for p in s.pii],
            "disclosure": s.disclosure,
            "severity": s.severity,
            "categories": list(s.categories),
            "rules": list(s.rules),
        }


def _write(out: TextIO, obj: dict[str, Any]) -> None:
    # ensure_ascii keeps lone surrogates and control characters safe on any terminal
    out.write(json.dumps(obj, ensure_ascii=True) + "\n")


def run(args: argparse.Namespace) -> int:
    try:  # a rule can pass the syntax check and still fail to compile: both are RulesError
        rules = load_rules(Path(args.rules) if getattr(args, "rules", None) else None)
        screener = Screener(rules)
    except RulesError as exc:
        print(f"safechat screen: {exc}", file=sys.stderr)
        return 2
    path = getattr(args, "file", None)
    out = sys.stdout
    fh: TextIO
    if path and path != "-":
        try:
            fh = open(path, encoding="utf-8", errors="surrogateescape", newline="")
        except OSError as exc:
            print(f"safechat screen: cannot read {path}: {exc}", file=sys.stderr)
            return 2
    else:
        sys.stdin.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]
        fh = sys.stdin
    try:
        for obj in screen_lines(screener, fh):
            _write(out, obj)
        out.flush()
    finally:
        if fh is not sys.stdin:
            fh.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="safechat screen", description=__doc__)
    _arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
