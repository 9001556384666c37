"""End-to-end flows through real browsers: young people, a moderator and a safeguarding lead,
each in their own browser context, against the real app."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.async_api import expect

from tests.browser.conftest import Session, join, send, staff_login
from tests.support.harness import Harness


def queue_item(console: Session, text: str) -> Any:
    return console.page.locator(".queue-item", has_text=text)


async def test_approved_message_reaches_both_young_people(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    w = await app.webchat()
    author = await join(open_page, w)
    reader = await join(open_page, w)
    console, _ = await staff_login(open_page, app, "/console", "moderator")
    await expect(console.page.locator("body")).to_have_attribute("data-ready", "moderator")
    handle = await author.page.locator("#handle").text_content()
    assert handle

    text = "What are the signs that someone is being groomed?"
    await send(author, text)
    own = author.page.locator(".msg-own", has_text=text)
    await expect(own).to_contain_text("Waiting for a moderator")

    item = queue_item(console, text)
    await expect(item).to_be_visible()
    await expect(item).to_contain_text(handle)
    await expect(item.locator(".qi-age")).to_contain_text("waiting")
    # Held: the other young person has nothing yet.
    assert not reader.frames.contains(text)
    await expect(reader.page.locator(".msg", has_text=text)).to_have_count(0)

    await item.locator("button").click()
    await expect(console.page.locator("#item-text")).to_have_text(text)
    await console.page.keyboard.press("a")
    await expect(item).to_have_count(0)
    await expect(console.page.locator("#action-status")).to_contain_text("Approved")

    for yp in (author, reader):
        shown = yp.page.locator(".msg[data-status=approved]", has_text=text)
        await expect(shown).to_have_count(1)
        await expect(shown).to_contain_text(handle)
    await expect(own).not_to_contain_text("Waiting for a moderator")
    assert [m["text"] for m in reader.frames.events("message")] == [text]
    # Screen readers hear the new message through the polite announcer, not the whole log.
    await expect(reader.page.locator("#announce")).to_have_text(
        f"New message from {handle}: {text}"
    )
    assert await reader.page.locator("#messages").get_attribute("aria-live") is None
    assert not author.errors and not reader.errors and not console.errors


async def test_rejected_text_never_reaches_the_other_young_person(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    w = await app.webchat()
    author = await join(open_page, w)
    reader = await join(open_page, w)
    console, _ = await staff_login(open_page, app, "/console", "moderator")
    rejected = "who wants to play fortnite later lol zqx-7"
    await send(author, rejected)
    item = queue_item(console, rejected)
    await item.locator("button").click()
    await console.page.keyboard.press("r")
    reasons = console.page.locator("input[name=reason]")
    await expect(reasons.first).to_be_focused()
    await console.page.get_by_label(re.compile("Off topic")).check()
    await console.page.get_by_role("button", name=re.compile("^Reject")).click()
    await expect(item).to_have_count(0)

    notice = author.page.locator(".msg-own", has_text=rejected)
    await expect(notice).to_contain_text("Not shown to the chat")
    await expect(notice).to_contain_text("isn't about today's chat")
    statuses = author.frames.events("message_status")
    assert statuses and statuses[-1]["status"] == "rejected"

    # A later approved message is the barrier: once the reader has it, anything earlier
    # would have arrived too.
    barrier = "Is it okay to tell a teacher if something feels wrong?"
    await send(author, barrier)
    later = queue_item(console, barrier)
    await later.locator("button").click()
    await console.page.keyboard.press("a")
    await expect(reader.page.locator(".msg", has_text=barrier)).to_have_count(1)
    assert any(m["text"] == barrier for m in reader.frames.events("message"))
    assert not reader.frames.contains(rejected)
    assert not reader.frames.contains("zqx-7")
    assert reader.frames.events("message_status") == []
    await expect(reader.page.locator("body")).not_to_contain_text(rejected)


async def test_disclosure_reaches_the_lead_and_the_private_conversation(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    w = await app.webchat()
    yp = await join(open_page, w)
    other = await join(open_page, w)
    lead, _ = await staff_login(open_page, app, "/safeguarding", "lead")
    await expect(lead.page.locator("body")).to_have_attribute("data-ready", "true")
    handle = await yp.page.locator("#handle").text_content()
    assert handle

    disclosure = "my boyfriend is 24 and he said i owe him for the phone, he wants pics"
    await send(yp, disclosure)
    support = yp.page.locator("#support")
    await expect(support).to_be_visible()
    await expect(support).to_contain_text("not your fault")
    await expect(support.get_by_role("link", name=re.compile("Call 0800 1111"))).to_have_attribute(
        "href", "tel:08001111"
    )
    await expect(yp.page.locator(".msg-own", has_text=disclosure)).to_contain_text(
        "Only our safeguarding team can see this"
    )

    card = lead.page.locator(".case-card", has_text=handle)
    await expect(card).to_be_visible()
    await expect(card).to_contain_text("Acknowledge within")
    await expect(lead.page.locator("#alert")).to_contain_text(f"New case from {handle}")
    await card.locator("button").click()
    await expect(lead.page.locator("#case-text mark").first).to_be_visible()  # spans marked
    shown = await lead.page.locator("#case-text").evaluate(
        "el => { const c = el.cloneNode(true);"
        " c.querySelectorAll('.visually-hidden').forEach(n => n.remove());"
        " return c.textContent; }"
    )
    assert shown == disclosure
    await lead.page.get_by_role("button", name=re.compile("^Acknowledge:")).click()
    await expect(card).to_contain_text("Taken by")

    first = "Hi, thank you for telling us. You're not in trouble. Are you safe right now?"
    await lead.page.get_by_label("Private message to the young person").fill(first)
    await lead.page.get_by_role("button", name="Send private message").click()
    await expect(lead.page.locator("#case-thread")).to_contain_text(first)

    private = yp.page.locator("#private")
    await expect(private).to_be_visible()
    await expect(private.locator(".pm-team")).to_contain_text(first)
    await expect(private).to_contain_text("Safeguarding team")
    # Apart from the room.
    await expect(yp.page.locator("#messages")).not_to_contain_text(first)

    answer = "yes im at home now"
    await yp.page.get_by_label("Reply privately to the Safeguarding team").fill(answer)
    await yp.page.get_by_role("button", name="Send privately").click()
    await expect(private.locator(".pm-you")).to_contain_text(answer)
    await expect(lead.page.locator("#case-thread .entry-from_young_person")).to_contain_text(answer)

    await lead.page.get_by_label("Add a note").fill("Signposted to Childline; will follow up.")
    await lead.page.get_by_role("button", name="Add note").click()
    await expect(lead.page.locator("#case-notes")).to_contain_text("follow up")
    export = lead.page.get_by_role("link", name=re.compile("Export case record"))
    href = await export.get_attribute("href")
    assert href and href.endswith("?download=1")
    response = await lead.page.request.get(href)  # shares the lead's session cookie
    assert response.ok and "attachment" in response.headers.get("content-disposition", "")
    record = await response.json()
    assert record["escalation"]["text"] == disclosure
    assert any(e["text"] == answer for e in record["entries"])
    await lead.page.get_by_label("Outcome").select_option(label="Signposted")
    await lead.page.get_by_role("button", name="Close case").click()
    await expect(lead.page.locator("#case-countdown")).to_contain_text("Closed: Signposted")

    # Nobody else saw any of it.
    for text in (disclosure, first, answer):
        assert not other.frames.contains(text)
    assert other.frames.events("support") == [] and other.frames.events("private_message") == []
    assert not yp.errors and not lead.errors
