"""Staff tools in the browser: review keys for edits, suggested redactions and escalation;
the host's post box; the duty warning; overdue alerts; resuming a young person's session."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import join, send, staff_login
from tests.support.harness import Harness


async def test_review_keys_edit_suggested_and_escalate(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    w = await app.webchat()
    yp = await join(open_page, w)
    console, _ = await staff_login(open_page, app, "/console", "moderator")
    page = console.page

    await send(yp, "call me on 07700 900123 about the signs")
    item = page.locator(".queue-item", has_text="07700")
    await item.locator("button").click()
    suggested = page.locator("#suggested")
    await expect(suggested).to_be_visible()
    redacted = await suggested.text_content()
    assert redacted and "07700" not in redacted
    await expect(page.locator("#item-text mark.span-pii")).to_have_count(1)
    await page.keyboard.press("s")
    await expect(yp.page.locator(".msg[data-status=approved]", has_text=redacted)).to_have_count(1)
    assert not any("07700" in m["text"] for m in yp.frames.events("message"))

    await send(yp, "what do groomers usualy say")
    item = page.locator(".queue-item", has_text="usualy")
    await item.locator("button").click()
    await page.keyboard.press("e")
    box = page.get_by_label("Edit before approving")
    await expect(box).to_be_focused()
    await box.fill("what do groomers usually say")
    await page.keyboard.press("Control+Enter")
    shown = yp.page.locator(".msg-own", has_text="what do groomers usually say")
    await expect(shown).to_contain_text("A moderator changed a few words")

    await send(yp, "my uncle keeps coming into my room at night")
    await send(yp, "is this chat every week")
    item = page.locator(".queue-item", has_text="uncle")
    if await item.count():  # screening may already have escalated it
        await item.locator("button").click()
        await page.keyboard.press("x")
        await page.keyboard.press("Enter")
        await expect(item).to_have_count(0)
    await expect(page.locator("#escalations .esc-item")).to_have_count(1)
    await expect(yp.page.locator("#support")).to_be_visible()
    # j/k move the selection between items (oldest first at equal severity).
    await send(yp, "what does CEOP do")
    await expect(page.locator(".queue-item", has_text="CEOP")).to_have_count(1)
    await page.locator(".queue-item", has_text="every week").locator("button").click()
    await expect(page.locator("#item-text")).to_contain_text("every week")
    await page.keyboard.press("j")
    await expect(page.locator("#item-text")).to_contain_text("CEOP")
    await expect(page.locator(".queue-item", has_text="CEOP").locator("button")).to_be_focused()
    await page.keyboard.press("k")
    await expect(page.locator("#item-text")).to_contain_text("every week")
    assert not console.errors and not yp.errors


async def test_host_posts_to_the_room(app: Harness, open_page: Callable[..., Any]) -> None:
    w = await app.webchat()
    yp = await join(open_page, w)
    host, _ = await staff_login(open_page, app, "/console", "host")
    await expect(host.page.locator("body")).to_have_attribute("data-ready", "host")
    await expect(host.page.locator("#moderation")).to_be_hidden()
    await expect(host.page.get_by_label("Chat", exact=True)).to_have_value(w.id)
    await host.page.get_by_label("Message to the chat").fill(
        "Welcome! Ask us anything about staying safe."
    )
    await host.page.get_by_role("button", name="Post").click()
    msg = yp.page.locator(".msg-host", has_text="Welcome!")
    await expect(msg).to_contain_text("Host")


async def test_duty_warning_clears_when_a_lead_arrives(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    await app.webchat()
    console, _ = await staff_login(open_page, app, "/console", "moderator")
    duty = console.page.locator("#duty")
    await expect(duty).to_contain_text("No safeguarding lead is on duty")
    await staff_login(open_page, app, "/safeguarding", "lead")
    await expect(duty).to_be_hidden()


@pytest.mark.parametrize(
    "app",
    [{"ack_deadline_high_s": 2.0, "ack_deadline_medium_s": 2.0, "ack_deadline_urgent_s": 2.0}],
    indirect=True,
)
async def test_overdue_case_alerts_leads_and_moderators(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    w = await app.webchat()
    lead, _ = await staff_login(open_page, app, "/safeguarding", "lead")
    console, _ = await staff_login(open_page, app, "/console", "moderator")
    yp = await join(open_page, w)
    await send(yp, "my boyfriend is 24 and he said i owe him for the phone, he wants pics")
    card = lead.page.locator(".case-card")
    await expect(card).to_contain_text("OVERDUE")
    await expect(lead.page.locator("#alert")).to_contain_text("OVERDUE")
    await expect(console.page.locator("#overdue")).to_contain_text("overdue")
    await expect(console.page.locator(".esc-item.is-overdue")).to_have_count(1)
    await card.locator("button").click()
    await lead.page.get_by_role("button", name=re.compile("^Acknowledge:")).click()
    await expect(card).to_contain_text("Taken by")
    await expect(console.page.locator("#overdue")).to_be_hidden()


async def test_reload_resumes_the_same_pseudonym(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    w = await app.webchat()
    yp = await join(open_page, w)
    handle = await yp.page.locator("#handle").text_content()
    await send(yp, "still waiting for this one")
    await yp.page.reload()
    await expect(yp.page.locator("body")).to_have_attribute("data-joined", "true")
    await expect(yp.page.locator("#handle")).to_have_text(handle or "")
    await expect(yp.page.locator(".msg-own", has_text="still waiting")).to_contain_text(
        "Waiting for a moderator"
    )
