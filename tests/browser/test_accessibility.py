"""axe-core finds no violations on the young person's page, the moderator console and the
safeguarding dashboard, each in its main, busy state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.async_api import expect

from tests.browser.conftest import Session, axe_violations, join, send, staff_login
from tests.support.harness import Harness

DISCLOSURE = "my boyfriend is 24 and he said i owe him for the phone, he wants pics"


def report(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in violations
    )


async def check(s: Session) -> None:
    violations = await axe_violations(s.page)
    assert violations == [], report(violations)


async def test_young_persons_page_has_no_axe_violations(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    w = await app.webchat()
    console, _ = await staff_login(open_page, app, "/console", "moderator")
    yp = await join(open_page, w)
    await send(yp, "What should I do if someone online asks for photos?")
    item = console.page.locator(".queue-item", has_text="asks for photos")
    await item.locator("button").click()
    await console.page.keyboard.press("a")
    await expect(yp.page.locator(".msg[data-status=approved]")).to_have_count(1)
    await send(yp, "can i message you on snap")  # stays waiting
    await send(yp, DISCLOSURE)
    await expect(yp.page.locator("#support")).to_be_visible()
    await check(yp)
    index = await open_page("/", phone=True)
    await expect(index.page.get_by_role("link", name="Join this chat")).to_be_visible()
    await check(index)


async def test_console_has_no_axe_violations(app: Harness, open_page: Callable[..., Any]) -> None:
    w = await app.webchat()
    console, _ = await staff_login(open_page, app, "/console", "moderator")
    await check(console)  # empty queue, duty warning showing
    yp = await join(open_page, w)
    await send(yp, "my number is 07700 900123 text me")
    await send(yp, "how do I know if a friend is in trouble?")
    await send(yp, DISCLOSURE)
    item = console.page.locator(".queue-item", has_text="07700")
    await item.locator("button").click()
    await expect(console.page.locator("#context")).to_contain_text("No earlier messages")
    await expect(console.page.locator("#escalations .esc-item")).to_have_count(1)
    await check(console)
    await console.page.keyboard.press("r")
    await expect(console.page.locator("input[name=reason]").first).to_be_focused()
    await check(console)


async def test_dashboard_has_no_axe_violations(app: Harness, open_page: Callable[..., Any]) -> None:
    w = await app.webchat()
    login = await open_page("/safeguarding")
    await expect(login.page.get_by_label("Username")).to_be_visible()
    await check(login)
    lead, _ = await staff_login(open_page, app, "/safeguarding", "lead")
    yp = await join(open_page, w)
    await send(yp, DISCLOSURE)
    card = lead.page.locator(".case-card")
    await card.locator("button").click()
    await expect(lead.page.locator("#case-text mark").first).to_be_visible()
    await check(lead)
