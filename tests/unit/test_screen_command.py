from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from web import screen_command

ROOT = Path(__file__).resolve().parents[2]
KEYS = [
    "text",
    "profanity",
    "profanity_terms",
    "pii",
    "disclosure",
    "severity",
    "categories",
    "rules",
]


def _run(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "web.screen_command", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_stdin_mixed_lines_in_order() -> None:
    lines = [
        "hello there",
        json.dumps({"text": "you bellend, ring me 07700 900123"}),
        "{not json",
        json.dumps({"nottext": 1}),
        "",
        "i want to kill myself",
        json.dumps({"text": 5}),
        "😂😂😂",
        "x" * 100_000,
        "a\x01b\x7fc",
    ]
    data = ("\n".join(lines) + "\n").encode() + b"bad \xff\xfe bytes\n"
    res = _run(data)
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.decode("ascii").splitlines()]
    assert len(out) == 11
    assert list(out[0]) == KEYS and out[0]["severity"] == "none"
    assert out[1]["profanity"] is True and out[1]["profanity_terms"] == ["bellend"]
    assert out[1]["pii"] == [{"kind": "phone", "text": "07700 900123"}]
    assert out[2] == {
        "error": {"code": "invalid_json", "message": out[2]["error"]["message"]},
        "line": 3,
    }
    assert out[3]["error"]["code"] == "missing_text" and out[3]["line"] == 4
    assert out[4]["text"] == "" and out[4]["disclosure"] is False
    assert out[5]["disclosure"] is True and out[5]["severity"] == "urgent"
    assert out[5]["categories"] == ["self_harm_suicide"] and out[5]["rules"]
    assert out[6]["error"]["code"] == "bad_text" and out[6]["line"] == 7
    assert out[7]["severity"] == "none"
    assert len(out[8]["text"]) == 100_000
    assert out[9]["text"] == "a\x01b\x7fc"
    assert out[10]["profanity"] is False  # undecodable bytes survive as lone surrogates


def test_file_argument_and_rules_dir(tmp_path: Path) -> None:
    f = tmp_path / "in.txt"
    f.write_text("my bf is 23\nscunthorpe\n", encoding="utf-8")
    res = _run(b"", str(f), "--rules", str(ROOT / "config" / "rules"))
    out = [json.loads(x) for x in res.stdout.decode().splitlines()]
    assert [o["severity"] for o in out] == ["high", "none"]
    assert out[0]["categories"] == ["older_partner"]


def test_bad_rules_dir_exits_2(tmp_path: Path) -> None:
    res = _run(b"hi\n", "--rules", str(tmp_path / "missing"))
    assert res.returncode == 2
    assert b"does not exist" in res.stderr


def test_run_via_subparser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="safechat")
    sub = parser.add_subparsers(dest="command")
    screen_command.add_parser(sub)
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"text": "f.u.c.k off"}) + "\n", encoding="utf-8")
    args = parser.parse_args(["screen", str(f)])
    assert args.func is screen_command.run
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["profanity"] is True and out["profanity_terms"] == ["fuck"]


def test_missing_input_file(tmp_path: Path) -> None:
    res = _run(b"", str(tmp_path / "nope.txt"))
    assert res.returncode == 2 and b"cannot read" in res.stderr


def test_rules_that_fail_to_compile_exit_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The macro is a valid regex, so the syntax check passes; used twice in one phrase it
    # redefines a group name, so compiling the phrase fails.
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "config" / "rules", rules)
    (rules / "disclosure_zz_bad.toml").write_text(
        "[macros]\n"
        "twice = '(?P<n>x)'\n\n"
        "[[rule]]\n"
        'id = "test.bad_compile"\n'
        'category = "grooming"\n'
        'severity = "medium"\n'
        'match = "@twice @twice"\n',
        encoding="utf-8",
    )
    assert screen_command.main(["--rules", str(rules), str(tmp_path / "unused.txt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("safechat screen: ") and "test.bad_compile" in err
    assert "Traceback" not in err
    res = _run(b"hello\n", "--rules", str(rules))
    assert res.returncode == 2
    assert b"Traceback" not in res.stderr and b"safechat screen: " in res.stderr
