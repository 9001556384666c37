"""End-to-end pipeline benchmark on the embedded store, over real sockets on loopback.

N simulated young people send messages; one moderator bot approves every queue item as it
arrives; one safeguarding lead receives alerts. Reports msgs/s and p50/p99 for:
submit -> ack, submit -> queue_item, approve -> delivery to the room (every young person),
and send -> the lead's alert for disclosures.

    .venv/bin/python bench/pipeline.py --young 20 --messages 10
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import socketio
from aiohttp import web

from chat.models import utcnow
from config.settings import load_settings
from web.app import create_app
from web.keys import SERVICES

QUESTIONS = [
    "what are the signs that someone is being groomed online?",
    "how do i report something i saw on snapchat",
    "is it normal for an older mate to buy you loads of stuff",
    "what does exploitation actually mean",
    "can the police help if someone is pressuring my friend",
]
DISCLOSURE = "my boyfriend is 24 and he bought me a phone now he says i owe him"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, values: list[float]) -> None:
    ms = [v * 1000 for v in values]
    print(f"  {name:<28} n={len(ms):<6} p50={pct(ms, 0.5):8.2f} ms  p99={pct(ms, 0.99):8.2f} ms"
          f"  mean={statistics.fmean(ms) if ms else float('nan'):8.2f} ms")


async def run(young: int, messages: int, disclosure_every: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="safechat-bench-"))
    settings = load_settings(data_dir=tmp, rate_limit_count=10_000, secret="b" * 32,
                             ack_deadline_urgent_s=3600, ack_deadline_high_s=3600,
                             ack_deadline_medium_s=3600)
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    s = app[SERVICES]
    now = utcnow()
    from datetime import timedelta

    w = await s.webchats.do_create("bench", "young_people", now, now + timedelta(hours=1))
    await s.staff.do_add("bench-mod", "bench-password", ["moderator"])
    await s.staff.do_add("bench-lead", "bench-password", ["lead"])
    _, mod_token = await s.staff.do_login("bench-mod", "bench-password")
    _, lead_token = await s.staff.do_login("bench-lead", "bench-password")

    sent_at: dict[str, float] = {}      # client_id -> submit time
    id_to_cid: dict[str, str] = {}
    approve_at: dict[str, float] = {}   # message id -> decide time
    acks: list[float] = []
    to_queue: list[float] = []
    to_room: list[float] = []
    to_lead: list[float] = []
    delivered = 0
    expected_deliveries = 0

    mod = socketio.AsyncClient(reconnection=False)

    @mod.on("queue_item", namespace="/moderation")
    async def on_item(data: dict[str, Any]) -> None:
        item = data["item"]
        if item["claimed_by"] is not None or item["status"] != "pending":
            return
        cid = id_to_cid.get(item["id"])
        if cid is None:  # the ack has not arrived yet; match by text's client id later
            for _ in range(100):
                await asyncio.sleep(0.001)
                cid = id_to_cid.get(item["id"])
                if cid:
                    break
        if cid:
            to_queue.append(time.perf_counter() - sent_at[cid])
        approve_at[item["id"]] = time.perf_counter()
        await mod.call("decide", {"id": item["id"], "action": "approve"},
                       namespace="/moderation")

    lead = socketio.AsyncClient(reconnection=False)

    @lead.on("escalation", namespace="/safeguarding")
    async def on_alert(data: dict[str, Any]) -> None:
        cid = id_to_cid.get(data["item"]["message_id"])
        for _ in range(200):
            if cid:
                break
            await asyncio.sleep(0.001)
            cid = id_to_cid.get(data["item"]["message_id"])
        if cid and not data.get("overdue"):
            to_lead.append(time.perf_counter() - sent_at[cid])

    await mod.connect(url, namespaces=["/moderation"], auth={"token": mod_token},
                      transports=["websocket"])
    await lead.connect(url, namespaces=["/safeguarding"], auth={"token": lead_token},
                       transports=["websocket"])
    clients = []
    done = asyncio.Event()

    for _ in range(young):
        c = socketio.AsyncClient(reconnection=False)

        @c.on("message", namespace="/chat")
        async def on_message(data: dict[str, Any]) -> None:
            nonlocal delivered
            started = approve_at.get(data["id"])
            if started is not None:
                to_room.append(time.perf_counter() - started)
            delivered += 1
            if expected_deliveries and delivered >= expected_deliveries:
                done.set()

        await c.connect(url, namespaces=["/chat"], auth={"webchat": w.id},
                        transports=["websocket"])
        clients.append(c)

    async def person(i: int, c: socketio.AsyncClient) -> int:
        escalated = 0
        for j in range(messages):
            cid = f"{i}-{j}"
            n = i * messages + j
            text = DISCLOSURE if disclosure_every and n % disclosure_every == 0 else (
                QUESTIONS[n % len(QUESTIONS)])
            sent_at[cid] = t0 = time.perf_counter()
            ack = await c.call("send_message", {"client_id": cid, "text": text},
                               namespace="/chat", timeout=30)
            acks.append(time.perf_counter() - t0)
            id_to_cid[ack["message"]["id"]] = cid
            escalated += ack["message"]["status"] == "escalated"
            await asyncio.sleep(0.05)
        return escalated

    total = young * messages
    started = time.perf_counter()
    escalated_counts = await asyncio.gather(*(person(i, c) for i, c in enumerate(clients)))
    escalated = sum(escalated_counts)
    expected_deliveries = (total - escalated) * young
    if delivered >= expected_deliveries:
        done.set()
    try:
        await asyncio.wait_for(done.wait(), timeout=120)
    except TimeoutError:
        print(f"  timed out waiting: delivered {delivered}/{expected_deliveries}")
    elapsed = time.perf_counter() - started
    print(f"safechat pipeline: {young} young people x {messages} messages = {total} "
          f"({escalated} disclosures), 1 moderator bot, 1 lead, sqlite, loopback")
    print(f"  throughput: {total / elapsed:.1f} msgs/s submitted and moderated; "
          f"{delivered / elapsed:.1f} room deliveries/s; {elapsed:.2f} s in all")
    report("submit -> ack", acks)
    report("submit -> queue_item", to_queue)
    report("approve -> room delivery", to_room)
    report("send -> lead's alert", to_lead)
    for c in [*clients, mod, lead]:
        await c.disconnect()
    await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--disclosure-every", type=int, default=10,
                        help="every Nth message is a disclosure (0: none)")
    args = parser.parse_args()
    asyncio.run(run(args.young, args.messages, args.disclosure_every))


if __name__ == "__main__":
    main()
