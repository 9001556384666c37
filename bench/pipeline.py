"""End-to-end pipeline benchmark on the embedded store, over real sockets on loopback.

The server runs in its own process (``safechat serve``), as in production; this process
plays N young people, one moderator bot that approves every queue item as it arrives, and one
safeguarding lead. Reports msgs/s and p50/p99 for: submit -> ack, submit -> queue_item,
approve -> delivery to the room (every young person), and send -> the lead's alert.

    .venv/bin/python bench/pipeline.py --young 20 --messages 10 --interval 2
    .venv/bin/python bench/pipeline.py --young 20 --messages 10 --interval 0   # saturate
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from chat.models import utcnow
from chat.staff import StaffService
from chat.store import open_store
from chat.webchats import WebchatService
from config.settings import ensure_secret, load_settings

QUESTIONS = [
    "what are the signs that someone is being groomed online?",
    "how do i report something i saw on snapchat",
    "is it normal for an older mate to buy you loads of stuff",
    "what does exploitation actually mean",
    "can the police help if someone is pressuring my friend",
]
DISCLOSURE = "my boyfriend is 24 and he bought me a phone now he says i owe him"
PASSWORD = "bench-password"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def report(name: str, values: list[float]) -> None:
    ms = [v * 1000 for v in values]
    mean = statistics.fmean(ms) if ms else 0.0
    print(f"  {name:<26} n={len(ms):<6} p50={pct(ms, 0.5):8.2f} ms  "
          f"p99={pct(ms, 0.99):8.2f} ms  mean={mean:8.2f} ms")


async def prepare(data: Path) -> str:
    settings = load_settings(data_dir=data)
    store = await open_store(settings.database_url)
    try:
        now = utcnow()
        w = await WebchatService(store).do_create("bench", "young_people", now,
                                                  now + timedelta(hours=1))
        staff = StaffService(store, ensure_secret(settings))
        await staff.do_add("bench-mod", PASSWORD, ["moderator"])
        await staff.do_add("bench-lead", PASSWORD, ["lead"])
        return w.id
    finally:
        await store.close()


async def login(url: str, username: str) -> str:
    async with aiohttp.ClientSession() as http, http.post(
        f"{url}/api/login", json={"username": username, "password": PASSWORD}
    ) as resp:
        return str((await resp.json())["token"])


async def run(young: int, messages: int, interval: float, disclosure_every: int) -> None:
    data = Path(tempfile.mkdtemp(prefix="safechat-bench-"))
    webchat = await prepare(data)
    port = 20000 + random.randrange(20000)
    env = {**os.environ, "SAFECHAT_DATA_DIR": str(data), "SAFECHAT_RATE_LIMIT_COUNT": "100000",
           "SAFECHAT_ACK_DEADLINE_URGENT_S": "3600", "SAFECHAT_ACK_DEADLINE_HIGH_S": "3600",
           "SAFECHAT_ACK_DEADLINE_MEDIUM_S": "3600"}
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "web.cli", "serve", "--port", str(port), env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz"):
                    break
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
        await measure(url, webchat, young, messages, interval, disclosure_every)
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=20)


async def measure(url: str, webchat: str, young: int, messages: int, interval: float,
                  disclosure_every: int) -> None:
    sent: dict[str, float] = {}          # message id -> submit time
    queued: dict[str, float] = {}        # message id -> queue_item arrival
    alerted: dict[str, float] = {}       # message id -> lead's alert arrival
    approved: dict[str, float] = {}      # message id -> decide call time
    delivered: list[tuple[str, float]] = []
    acks: list[float] = []
    all_delivered = asyncio.Event()
    expected = 0

    mod = socketio.AsyncClient(reconnection=False)

    @mod.on("queue_item", namespace="/moderation")
    async def on_item(data: dict[str, Any]) -> None:
        item = data["item"]
        if item["claimed_by"] is not None or item["status"] != "pending":
            return
        queued.setdefault(item["id"], time.perf_counter())
        approved[item["id"]] = time.perf_counter()
        await mod.call("decide", {"id": item["id"], "action": "approve"},
                       namespace="/moderation", timeout=60)

    lead = socketio.AsyncClient(reconnection=False)

    @lead.on("escalation", namespace="/safeguarding")
    async def on_alert(data: dict[str, Any]) -> None:
        alerted.setdefault(data["item"]["message_id"], time.perf_counter())

    await mod.connect(url, namespaces=["/moderation"], transports=["websocket"],
                      auth={"token": await login(url, "bench-mod")})
    await lead.connect(url, namespaces=["/safeguarding"], transports=["websocket"],
                       auth={"token": await login(url, "bench-lead")})

    clients = []
    for _ in range(young):
        c = socketio.AsyncClient(reconnection=False)

        async def on_message(data: dict[str, Any]) -> None:
            delivered.append((data["id"], time.perf_counter()))
            if expected and len(delivered) >= expected:
                all_delivered.set()

        c.on("message", on_message, namespace="/chat")
        await c.connect(url, namespaces=["/chat"], auth={"webchat": webchat},
                        transports=["websocket"])
        clients.append(c)

    async def person(i: int, c: socketio.AsyncClient) -> int:
        escalated = 0
        await asyncio.sleep(random.random() * interval)  # spread the start
        for j in range(messages):
            n = i * messages + j
            text = DISCLOSURE if disclosure_every and n % disclosure_every == 0 else (
                QUESTIONS[n % len(QUESTIONS)])
            t0 = time.perf_counter()
            ack = await c.call("send_message", {"client_id": f"{i}-{j}", "text": text},
                               namespace="/chat", timeout=60)
            acks.append(time.perf_counter() - t0)
            sent[ack["message"]["id"]] = t0
            escalated += ack["message"]["status"] == "escalated"
            await asyncio.sleep(interval)
        return escalated

    total = young * messages
    started = time.perf_counter()
    escalated = sum(await asyncio.gather(*(person(i, c) for i, c in enumerate(clients))))
    expected = (total - escalated) * young
    if len(delivered) >= expected:
        all_delivered.set()
    try:
        await asyncio.wait_for(all_delivered.wait(), timeout=120)
    except TimeoutError:
        print(f"  timed out: delivered {len(delivered)}/{expected}")
    elapsed = time.perf_counter() - started
    await asyncio.sleep(0.2)
    offered = f"{young / interval:.1f} msgs/s offered" if interval else "as fast as acked"
    print(f"safechat pipeline: {young} young people x {messages} messages = {total} "
          f"({escalated} disclosures), {offered}; 1 moderator bot, 1 lead; sqlite; "
          f"server in its own process; loopback")
    print(f"  throughput: {total / elapsed:.1f} msgs/s moderated, "
          f"{len(delivered) / elapsed:.0f} room deliveries/s over {elapsed:.2f} s")
    report("submit -> ack", acks)
    report("submit -> queue_item", [queued[m] - sent[m] for m in queued if m in sent])
    report("approve -> room delivery", [t - approved[m] for m, t in delivered if m in approved])
    report("send -> lead's alert", [alerted[m] - sent[m] for m in alerted if m in sent])
    for c in [*clients, mod, lead]:
        await c.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--young", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--interval", type=float, default=2.0,
                        help="seconds between one young person's messages (0: saturate)")
    parser.add_argument("--disclosure-every", type=int, default=10,
                        help="every Nth message is a disclosure (0: none)")
    args = parser.parse_args()
    asyncio.run(run(args.young, args.messages, args.interval, args.disclosure_every))


if __name__ == "__main__":
    main()
