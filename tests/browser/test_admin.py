"""The admin page: who is on duty, scheduling a webchat, its outcome report, accessibility."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.async_api import expect

from tests.browser.conftest import axe_violations, staff_login
from tests.support.harness import Harness


async def test_admin_schedules_a_webchat_and_reads_its_report(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    await app.webchat()
    admin, _ = await staff_login(open_page, app, "/admin", "admin")
    page = admin.page
    await expect(page.locator("body")).to_have_attribute("data-ready", "admin")
    await expect(page.locator("#duty")).to_contain_text("No safeguarding lead is on duty")
    await page.get_by_label("Title").fill("Parents' evening Q&A")
    await page.get_by_label("Audience").select_option("parents_carers")
    await page.get_by_label("Opens (your local time)").fill("2030-03-01T18:00")
    await page.get_by_label("Closes (your local time)").fill("2030-03-01T19:00")
    await page.get_by_role("button", name="Schedule webchat").click()
    await expect(page.locator("#new-done")).to_contain_text("Parents' evening Q&A")
    card = page.locator("#chats li", has_text="Parents' evening Q&A")
    await expect(card).to_contain_text("Parents and carers")
    await expect(card).to_contain_text("scheduled")
    created = [w for w in await app.services.store.list_webchats()
               if w.title == "Parents' evening Q&A"]
    assert len(created) == 1 and created[0].audience == "parents_carers"
    # A bad window is refused with the server's message and nothing is written.
    await page.get_by_label("Title").fill("Backwards")
    await page.get_by_label("Opens (your local time)").fill("2030-03-01T19:00")
    await page.get_by_label("Closes (your local time)").fill("2030-03-01T18:00")
    await page.get_by_role("button", name="Schedule webchat").click()
    await expect(page.locator("#new-error")).to_contain_text("closes must be after opens")
    assert not [w for w in await app.services.store.list_webchats() if w.title == "Backwards"]
    await card.get_by_role("button", name="Report").click()
    await expect(page.locator("#report")).to_contain_text("Safeguarding cases")
    violations = await axe_violations(page)
    assert violations == [], violations


async def test_non_admin_is_told_kindly(app: Harness, open_page: Callable[..., Any]) -> None:
    s, _ = await staff_login(open_page, app, "/admin", "moderator")
    await expect(s.page.locator("body")).to_have_attribute("data-ready", "refused")
    await expect(s.page.locator("#refused")).to_contain_text("not an admin")
