"""HTTP: staff login and logout, public webchat list, case records, health, metrics, pages.
Handlers validate, call one service and reply; a SafechatError becomes ``{error: {code,
message}}`` with its HTTP status here and nowhere else."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from chat.models import Staff, utcnow
from chat.namespaces.base import SESSION_COOKIE
from chat.ratelimit import SlidingWindow
from chat.services import Services
from config.errors import Forbidden, InvalidInput, RateLimited, SafechatError, Unauthorized
from moderation.escalation import LEAD_ROLES
from web.keys import METRICS

STATIC = Path(__file__).with_name("static")
PAGES = {
    "/": "index.html",
    "/console": "console.html",
    "/safeguarding": "safeguarding.html",
    "/admin": "admin.html",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(exc: SafechatError) -> web.Response:
    return web.json_response({"error": exc.to_dict()}, status=exc.http_status)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SafechatError as exc:
        return error_response(exc)


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.content_type == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
            "style-src 'self'; frame-ancestors 'none'")
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def setup_routes(app: web.Application, services: Callable[[], Services]) -> None:
    login_limit = SlidingWindow(count=5, window_s=60.0)

    async def body(request: web.Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput("send a JSON object") from exc
        if not isinstance(data, dict):
            raise InvalidInput("send a JSON object")
        return data

    def token_of(request: web.Request) -> str | None:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ").strip()
        return request.cookies.get(SESSION_COOKIE)

    async def staff_of(request: web.Request) -> Staff:
        return await services().staff.authenticate(token_of(request))

    async def healthz(request: web.Request) -> web.Response:
        try:
            status = await services().store.ping()
        except Exception as exc:  # health must answer, whatever the store says
            return web.json_response({"status": "error", "store": str(exc)}, status=503)
        return web.json_response({"status": "ok", "store": status})

    async def login(request: web.Request) -> web.Response:
        s = services()
        login_limit.count = s.settings.login_attempts
        login_limit.window_s = s.settings.login_window_s
        data = await body(request)
        username = data.get("username")
        key = username.lower() if isinstance(username, str) else "?"
        if not login_limit.hit(f"user:{key}") or not login_limit.hit(f"peer:{request.remote}"):
            request.app[METRICS].logins.labels("rate_limited").inc()
            raise RateLimited("too many login attempts: wait a minute and try again")
        try:
            staff, token = await s.staff.do_login(username, data.get("password"))
        except Unauthorized:
            request.app[METRICS].logins.labels("failed").inc()
            raise
        request.app[METRICS].logins.labels("ok").inc()
        response = web.json_response({"token": token, "roles": list(staff.roles),
                                      "username": staff.username})
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict",
                            secure=s.settings.secure_cookies, path="/",
                            max_age=int(s.settings.session_hours * 3600))
        return response

    async def logout(request: web.Request) -> web.Response:
        token = token_of(request)
        if token:
            await services().staff.do_logout(token)
        response = web.json_response({"ok": True})
        response.del_cookie(SESSION_COOKIE, path="/")
        return response

    async def me(request: web.Request) -> web.Response:
        staff = await staff_of(request)
        return web.json_response({"username": staff.username, "roles": list(staff.roles)})

    async def webchats(request: web.Request) -> web.Response:
        items = await services().webchats.list_current()
        return web.json_response({"webchats": [w.public() for w in items]})

    async def escalation_record(request: web.Request) -> web.Response:
        staff = await staff_of(request)
        if not LEAD_ROLES & set(staff.roles):
            raise Forbidden("only safeguarding leads and admins can read case records")
        record = await services().escalations.case_record(request.match_info["id"])
        headers = {}
        if request.query.get("download"):
            headers["Content-Disposition"] = (
                f'attachment; filename="case-{request.match_info["id"]}.json"')
        return web.json_response(record, headers=headers, dumps=_dumps)

    async def duty(request: web.Request) -> web.Response:
        staff = await staff_of(request)
        if "admin" not in staff.roles and "lead" not in staff.roles:
            raise Forbidden("only admins and leads can see who is on duty")
        return web.json_response(await services().duty.status())

    async def admin_of(request: web.Request) -> Staff:
        staff = await staff_of(request)
        if "admin" not in staff.roles:
            raise Forbidden("only admins can do this")
        return staff

    async def all_webchats(request: web.Request) -> web.Response:
        await admin_of(request)
        items = await services().store.list_webchats()
        return web.json_response({"webchats": [w.public() for w in items]})

    async def create_webchat(request: web.Request) -> web.Response:
        staff = await admin_of(request)
        data = await body(request)
        webchat = await services().webchats.do_create(
            data.get("title"), data.get("audience"), data.get("opens_at"),
            data.get("closes_at"), actor=staff.id)
        return web.json_response({"webchat": webchat.public()}, status=201)

    async def webchat_report(request: web.Request) -> web.Response:
        staff = await staff_of(request)
        if not {"admin", "lead"} & set(staff.roles):
            raise Forbidden("only admins and leads can read reports")
        webchat = await services().webchats.get(request.match_info["id"])
        return web.json_response(await services().reports.webchat_report(webchat.id))

    async def audit(request: web.Request) -> web.Response:
        await admin_of(request)
        try:
            limit = min(int(request.query.get("limit", "500")), 5000)
        except ValueError as exc:
            raise InvalidInput("limit: a whole number") from exc
        entries = await services().store.list_audit(
            subject=request.query.get("subject"), webchat_id=request.query.get("webchat"),
            limit=limit)
        return web.json_response({"entries": [
            {"actor": a.actor, "action": a.action, "subject": a.subject,
             "webchat": a.webchat_id, "detail": a.detail, "at": a.at.isoformat()}
            for a in entries]}, dumps=_dumps)

    async def metrics(request: web.Request) -> web.Response:
        s, m = services(), request.app[METRICS]
        open_ids = [w.id for w in await s.store.list_webchats(["open"])]
        pending = await s.store.list_pending(open_ids) if open_ids else []
        m.queue_depth.set(len(pending))
        now = utcnow()
        m.queue_oldest_s.set(
            max(((now - x.created_at).total_seconds() for x in pending), default=0.0))
        cases = await s.store.list_open_escalations()
        m.open_escalations.set(len(cases))
        m.unacknowledged.set(sum(1 for e in cases if e.acknowledged_by is None))
        m.overdue.set(sum(1 for e in cases if e.overdue_at and e.acknowledged_by is None))
        m.leads_on_duty.set(len(await s.duty.on_duty()))
        return web.Response(body=m.render(), content_type="text/plain")

    def page(name: str) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            path = STATIC / name
            if not path.is_file():
                raise web.HTTPNotFound(text="the web client is not built: run the README's "
                                       "run command")
            return web.FileResponse(path)
        return handler

    app.middlewares.extend([errors_middleware, headers_middleware])
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/logout", logout)
    app.router.add_get("/api/me", me)
    app.router.add_get("/api/webchats", webchats)
    app.router.add_post("/api/webchats", create_webchat)
    app.router.add_get("/api/admin/webchats", all_webchats)
    app.router.add_get("/api/escalations/{id}", escalation_record)
    app.router.add_get("/api/duty", duty)
    app.router.add_get("/api/reports/webchats/{id}", webchat_report)
    app.router.add_get("/api/audit", audit)
    app.router.add_get("/metrics", metrics)
    for route, name in PAGES.items():
        app.router.add_get(route, page(name))
    app.router.add_get("/chat/{id}", page("young.html"))
    app.router.add_static("/static/", STATIC, follow_symlinks=False)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)

