"""The app factory: one aiohttp application with its Socket.IO server, services and background
tasks, all built here and kept under AppKeys (nothing module-global)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import socketio
from aiohttp import web

from chat.deadlines import DeadlineWatcher
from chat.namespaces.staff import ModerationNamespace, SafeguardingNamespace
from chat.namespaces.young import ChatNamespace
from chat.notify import CHAT, MODERATION, SAFEGUARDING, Notifier
from chat.services import Services, build_services
from chat.store import open_store
from config.settings import Settings, ensure_secret
from moderation.screening import load_screener
from web.keys import METRICS, SERVICES, SETTINGS, SIO
from web.metrics import Metrics
from web.routes import setup_routes

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    manager = (
        socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
    )
    sio = socketio.AsyncServer(
        async_mode="aiohttp", client_manager=manager, logger=False, engineio_logger=False,
        max_http_buffer_size=16 * 1024, ping_interval=10, ping_timeout=10,
    )
    app[SIO] = sio
    sio.attach(app)

    def services() -> Services:
        return app[SERVICES]

    sio.register_namespace(ChatNamespace(CHAT, services))
    sio.register_namespace(ModerationNamespace(MODERATION, services))
    sio.register_namespace(SafeguardingNamespace(SAFEGUARDING, services))
    setup_routes(app, services)
    app.cleanup_ctx.append(_services_ctx)
    app.cleanup_ctx.append(_background_ctx)
    return app


async def _services_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    store = await open_store(settings.database_url)
    screener = await asyncio.to_thread(load_screener, settings.rules_dir)
    app[SERVICES] = build_services(settings, store, Notifier(app[SIO]), screener,
                                   ensure_secret(settings))
    yield
    await app[SIO].shutdown()
    await store.close()


async def _repeat(name: str, every_s: float, step: Callable[[], Awaitable[object]]) -> None:
    while True:
        try:
            await step()
        except Exception:
            log.exception("background task %s failed; will retry", name)
        await asyncio.sleep(every_s)


async def _background_ctx(app: web.Application) -> AsyncIterator[None]:
    """Schedule ticks, lease expiry, duty checks, acknowledgement deadlines and retention:
    started with
    the app, cancelled and awaited on shutdown."""
    s = app[SERVICES]
    tick = s.settings.schedule_tick_s

    async def schedule() -> None:
        for webchat in await s.webchats.do_tick():
            await s.notifier.to_room(webchat.id, "webchat_state",
                                     {"id": webchat.id, "state": webchat.state})
            await s.notifier.to_moderators("queue", {"items": await s.moderation.pending_items()})
        await s.duty.do_check(always_emit=False)

    tasks = [
        asyncio.create_task(_repeat("schedule", tick, schedule)),
        asyncio.create_task(_repeat("leases", tick, s.moderation.do_expire_leases)),
        asyncio.create_task(DeadlineWatcher(s.escalations).run(poll_s=min(5.0, tick * 5))),
        asyncio.create_task(_repeat("retention", 3600.0, s.retention.do_purge)),
        asyncio.create_task(_repeat("presence", 10.0, s.duty.do_heartbeat)),
    ]
    await s.duty.do_check()
    yield
    for task in tasks:
        task.cancel()
    for sid in list(s.notifier.leads):  # this process's leads are no longer on duty here
        await s.store.delete_presence(sid)
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task

