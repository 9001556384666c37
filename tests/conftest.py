from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from chat.store import Store, open_store
from tests.support.servers import Server, backends, start_secantus

RAN_BACKENDS: set[str] = set()


@pytest.fixture(scope="session")
def secantus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_secantus(tmp_path_factory.mktemp("secantus") / "data")
    yield server
    server.stop()


@pytest.fixture
def database_url_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """Returns a function giving a fresh database URL for the backend named by the param."""
    backend: str = request.param

    def make() -> str:
        RAN_BACKENDS.add(backend)
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'db-{secrets.token_hex(4)}.sqlite'}"
        server: Server = request.getfixturevalue("secantus")
        return f"mongodb://127.0.0.1:{server.port}/t_{secrets.token_hex(6)}"

    yield make


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url_factory" in metafunc.fixturenames:
        metafunc.parametrize("database_url_factory", backends(), indirect=True)


@pytest.fixture
async def store(database_url_factory: object) -> AsyncIterator[Store]:
    s = await open_store(database_url_factory())  # type: ignore[operator]
    yield s
    await s.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if RAN_BACKENDS:
        terminalreporter.write_line(f"store backends exercised: {', '.join(sorted(RAN_BACKENDS))}")
