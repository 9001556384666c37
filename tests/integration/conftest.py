from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from config.settings import load_settings
from tests.support.harness import Harness


@pytest.fixture
def settings_factory(
    database_url_factory: Callable[[], str], tmp_path: Path
) -> Callable[..., Any]:
    url = database_url_factory()

    def make(**overrides: Any) -> Any:
        base: dict[str, Any] = dict(
            data_dir=tmp_path / "data", database_url=url, schedule_tick_s=0.2,
            secret="test-secret-" + "x" * 20,
        )
        base.update(overrides)
        return load_settings(**base)

    return make


@pytest.fixture
async def harness_factory(settings_factory: Callable[..., Any]) -> AsyncIterator[Any]:
    started: list[Harness] = []

    async def make(**overrides: Any) -> Harness:
        h = Harness(settings_factory(**overrides))
        await h.start()
        started.append(h)
        return h

    yield make
    for h in started:
        await h.stop()


@pytest.fixture
async def app(harness_factory: Callable[..., Any]) -> Harness:
    return await harness_factory()  # type: ignore[no-any-return]
