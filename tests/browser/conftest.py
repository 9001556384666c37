"""Browser tests: the real app on a loopback port, driven by Debian's Chromium through
Playwright (async API). The web bundle must be built first (`npm install && npm run build`);
a missing bundle fails every test here loudly instead of skipping."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from chat.models import Staff, Webchat
from config.settings import load_settings
from tests.support.harness import PASSWORD, Harness

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "static" / "dist"
BUNDLES = ("index.js", "young.js", "console.js", "safeguarding.js", "admin.js")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXIT_URL = "https://www.bbc.co.uk/weather"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session", autouse=True)
def built_bundle() -> None:
    missing = [name for name in BUNDLES if not (DIST / name).is_file()]
    if missing:
        pytest.fail(
            f"the web bundle is missing ({', '.join(missing)} in {DIST}): "
            "run `npm install && npm run build` before the browser tests",
            pytrace=False,
        )
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run `npm install`", pytrace=False)
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium is missing ({CHROMIUM}): apt-get install chromium", pytrace=False)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        await b.close()


@pytest.fixture
async def app(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """The real app; parametrize indirectly with a dict to override settings."""
    overrides: dict[str, Any] = getattr(request, "param", {}) or {}
    settings = load_settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'browser.sqlite'}",
        schedule_tick_s=0.2,
        secret="browser-test-secret-" + "x" * 20,
        login_attempts=50,
        rate_limit_count=50,
        **overrides,
    )
    h = Harness(settings)
    await h.start()
    yield h
    await h.stop()


@dataclass
class Frames:
    """Every Socket.IO frame a page received over its websocket."""

    received: list[str] = field(default_factory=list)

    def events(self, name: str) -> list[Any]:
        out = []
        for frame in self.received:
            m = re.match(r"^42(/[^,]*,)?(\d*)(\[.*)$", frame, re.S)
            if not m:
                continue
            data = json.loads(m.group(3))
            if data and data[0] == name:
                out.append(data[1] if len(data) > 1 else None)
        return out

    def contains(self, text: str) -> bool:
        return any(text in f or json.dumps(text)[1:-1] in f for f in self.received)


@dataclass
class Session:
    context: BrowserContext
    page: Page
    frames: Frames
    errors: list[str]


@pytest.fixture
async def open_page(browser: Browser, app: Harness) -> AsyncIterator[Callable[..., Any]]:
    contexts: list[BrowserContext] = []

    async def make(path: str, *, phone: bool = False) -> Session:
        context = await browser.new_context(base_url=app.url, **(PHONE if phone else DESKTOP))
        contexts.append(context)
        # The quick exit goes to a real site: answer it locally (tests never use the network).
        await context.route(
            re.compile(r"^https?://(?!127\.0\.0\.1).*"),
            lambda route: route.fulfill(
                status=200,
                content_type="text/html",
                body="<!doctype html><title>BBC Weather</title><h1>Weather</h1>",
            ),
        )
        page = await context.new_page()
        frames = Frames()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived",
                lambda payload: frames.received.append(
                    payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
                ),
            ),
        )
        await page.goto(path)
        return Session(context, page, frames, errors)

    yield make
    for context in contexts:
        await context.close()


async def join(open_page: Callable[..., Any], webchat: Webchat, *, phone: bool = True) -> Session:
    s: Session = await open_page(f"/chat/{webchat.id}", phone=phone)
    await expect(s.page.locator("body")).to_have_attribute("data-joined", "true")
    return s


async def staff_login(
    open_page: Callable[..., Any], app: Harness, path: str, *roles: str
) -> tuple[Session, Staff]:
    staff, _ = await app.staff(*roles)
    s: Session = await open_page(path)
    page = s.page
    await page.get_by_label("Username").fill(staff.username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.locator("body")).to_have_attribute("data-ready", re.compile(".+"))
    return s, staff


async def send(s: Session, text: str) -> None:
    await s.page.get_by_label("Your message").fill(text)
    await s.page.get_by_role("button", name="Send", exact=True).click()
    await expect(s.page.get_by_label("Your message")).to_have_value("")


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return result  # type: ignore[no-any-return]
