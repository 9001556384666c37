"""Real servers for the tests, started on free loopback ports and stopped at the end.

Nothing here is a mock: SecantusDB speaks MongoDB's wire protocol, redis-server is Redis.
A missing server binary fails the run loudly rather than skipping tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on port {port} within {timeout}s")


def _binary(name: str) -> str:
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed: run the README's test command")
    return found


class Server:
    def __init__(self, args: list[str], port: int, log: Path) -> None:
        self.port = port
        self._log = log.open("wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        wait_for_port(port, self.proc)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def start_secantus(storage: Path, port: int | None = None) -> Server:
    port = port or free_port()
    storage.mkdir(parents=True, exist_ok=True)
    args = [
        _binary("secantusd-py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        str(storage),
        "--log-level",
        "WARNING",
        "--sync-on-commit",
    ]
    return Server(args, port, storage.parent / f"secantus-{port}.log")


def start_redis(workdir: Path) -> Server:
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    args = [
        _binary("redis-server"),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
    ]
    return Server(args, port, workdir / "redis.log")


def backends() -> list[str]:
    """Store backends the suite runs on: both, unless SAFECHAT_TEST_BACKENDS narrows it."""
    chosen = os.environ.get("SAFECHAT_TEST_BACKENDS", "sqlite,mongo")
    return [b.strip() for b in chosen.split(",") if b.strip()]
