"""Two app processes' worth of servers sharing one store and one Redis: rooms span them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import Server, start_redis


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


async def test_approval_and_alerts_cross_instances(
    harness_factory: Any, redis_server: Server, tmp_path: Path
) -> None:
    redis_url = f"redis://127.0.0.1:{redis_server.port}/0"
    a = await harness_factory(redis_url=redis_url)
    b = await harness_factory(redis_url=redis_url)
    w = await a.webchat()
    young_on_a = await a.young(w)
    reader_on_b = await b.young(w)
    mod_on_b, _ = await b.moderator()
    mod_on_a, _ = await a.moderator()
    lead_on_b, lead = await b.lead()
    # Both processes agree who is on duty: no false "no lead" warning from process a.
    on_duty = await mod_on_a.wait_for("duty", lambda d: not d["warning"])
    assert on_duty["leads"] == [lead.username]
    assert (await a.services.duty.status())["warning"] is False
    ack = await young_on_a.call("send_message", {"client_id": "c1", "text": "hi all"})
    mid = ack["message"]["id"]
    await mod_on_b.wait_for("queue_item", lambda d: d["item"]["id"] == mid)
    assert (await mod_on_b.call("decide", {"id": mid, "action": "approve"}))["ok"]
    assert (await young_on_a.wait_for("message"))["id"] == mid
    assert (await reader_on_b.wait_for("message"))["id"] == mid
    assert (await young_on_a.wait_for("message_status"))["status"] == "approved"
    text = "my boyfriend is 24 and he bought me a phone and now says i owe him"
    await young_on_a.call("send_message", {"client_id": "c2", "text": text})
    alert = await lead_on_b.wait_for("escalation")
    assert alert["item"]["text"] == text
    assert "boyfriend" not in repr(reader_on_b.events)
