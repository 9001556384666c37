"""The ``safechat`` command line, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.servers import free_port


def run(
    args: list[str], data: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SAFECHAT_")}
    environ.update({"SAFECHAT_DATA_DIR": str(data), **env})
    return subprocess.run([sys.executable, "-m", "web.cli", *args], input=stdin, text=True,
                          capture_output=True, env=environ, timeout=60)


def test_webchat_create_and_list(tmp_path: Path) -> None:
    made = run(["webchat", "create", "--title", "Spot the signs", "--audience", "young_people",
                "--opens", "2030-01-01T18:00:00+00:00", "--closes", "2030-01-01T19:00:00Z"],
               tmp_path)
    assert made.returncode == 0, made.stderr
    webchat_id = made.stdout.split("\t")[0]
    listed = run(["webchat", "list"], tmp_path)
    assert listed.returncode == 0
    assert webchat_id in listed.stdout and "scheduled" in listed.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--opens", "2030-01-01T19:00:00+00:00", "--closes", "2030-01-01T18:00:00+00:00"],
         "closes must be after opens"),
        (["--opens", "tomorrow", "--closes", "2030-01-01T18:00:00+00:00"], "ISO 8601"),
        (["--opens", "2030-01-01T18:00:00", "--closes", "2030-01-01T19:00:00"], "time zone"),
    ],
)
def test_bad_webchat_arguments_write_nothing(tmp_path: Path, args: list[str], needle: str) -> None:
    res = run(["webchat", "create", "--title", "T", "--audience", "young_people", *args],
              tmp_path)
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert run(["webchat", "list"], tmp_path).stdout == ""


def test_bad_audience(tmp_path: Path) -> None:
    res = run(["webchat", "create", "--title", "T", "--audience", "teachers", "--opens",
               "2030-01-01T18:00:00Z", "--closes", "2030-01-01T19:00:00Z"], tmp_path)
    assert res.returncode != 0 and "audience" in res.stderr
    assert run(["webchat", "list"], tmp_path).stdout == ""


def test_staff_add_reads_password_from_stdin_and_refuses_bad_input(tmp_path: Path) -> None:
    ok = run(["staff", "add", "--username", "amira", "--role", "lead"], tmp_path,
             stdin="a long enough password\n")
    assert ok.returncode == 0 and "amira" in ok.stdout
    assert "a long enough password" not in ok.stdout + ok.stderr
    dup = run(["staff", "add", "--username", "amira", "--role", "moderator"], tmp_path,
              stdin="another long password\n")
    assert dup.returncode != 0 and "already taken" in dup.stderr
    assert len(dup.stderr.strip().splitlines()) == 1
    role = run(["staff", "add", "--username", "ben", "--role", "superuser"], tmp_path,
               stdin="a long enough password\n")
    assert role.returncode != 0 and "unknown role" in role.stderr
    short = run(["staff", "add", "--username", "cara", "--role", "host"], tmp_path,
                stdin="short\n")
    assert short.returncode != 0 and "password" in short.stderr
    # Neither ben nor cara was written: adding them properly now works.
    again = run(["staff", "add", "--username", "ben", "--role", "moderator"], tmp_path,
                stdin="a long enough password\n")
    assert again.returncode == 0


def test_invalid_setting_exits_2_naming_it(tmp_path: Path) -> None:
    res = run(["webchat", "list"], tmp_path, SAFECHAT_PORT="not-a-port")
    assert res.returncode == 2 and "SAFECHAT_PORT" in res.stderr
    res = run(["webchat", "list"], tmp_path, SAFECHAT_DATABASE_URL="postgres://x")
    assert res.returncode == 2 and "SAFECHAT_DATABASE_URL" in res.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("claim_lease_s = -1\n")
    res = run(["--config", str(bad), "webchat", "list"], tmp_path)
    assert res.returncode == 2 and "claim_lease_s" in res.stderr


def _wait_http(url: str, proc: subprocess.Popen[str], timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return bytes(resp.read())
        except (TimeoutError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


@pytest.mark.parametrize("demo", [False, True])
def test_serve_answers_healthz(tmp_path: Path, demo: bool) -> None:
    port = free_port()
    environ = {**os.environ, "SAFECHAT_DATA_DIR": str(tmp_path)}
    environ.pop("SAFECHAT_DATABASE_URL", None)
    args = [sys.executable, "-m", "web.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen([*args, "--demo"] if demo else args, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = json.loads(_wait_http(f"http://127.0.0.1:{port}/healthz", proc))
        assert body["status"] == "ok" and body["store"]["backend"] == "sqlite"
        if demo:
            listing = json.loads(_wait_http(f"http://127.0.0.1:{port}/api/webchats", proc))
            assert listing["webchats"][0]["state"] == "open"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    if demo:
        assert "/chat/" in out and "demo-lead" in out and "demo-admin" in out
