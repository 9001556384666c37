"""Quick exit (GOV.UK "Exit this page"): the visible button and Shift pressed three times
both replace the page with a neutral site; typing capitals does not trigger it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.async_api import expect

from tests.browser.conftest import EXIT_URL, join
from tests.support.harness import Harness


async def test_exit_button_replaces_the_page(app: Harness, open_page: Callable[..., Any]) -> None:
    w = await app.webchat()
    yp = await join(open_page, w)
    page = yp.page
    button = page.get_by_role("link", name="Exit this page")
    await expect(button).to_be_visible()
    await expect(page.locator(".exit-note")).to_contain_text("will not clear your browser history")
    token_key = f"safechat.token.{w.id}"
    assert await page.evaluate(f"sessionStorage.getItem('{token_key}')")
    entries = await page.evaluate("history.length")
    await button.click()
    await page.wait_for_url(EXIT_URL)
    await expect(page).to_have_title("BBC Weather")
    # location.replace: the weather page took the chat's place in history, it wasn't added.
    assert await page.evaluate("history.length") == entries


async def test_shift_three_times_exits_but_typing_does_not(
    app: Harness, open_page: Callable[..., Any]
) -> None:
    w = await app.webchat()
    yp = await join(open_page, w, phone=False)
    page = yp.page
    box = page.get_by_label("Your message")
    await box.click()
    await page.keyboard.type(
        "Hi There, Is It OK To Ask?"
    )  # capitals use Shift, with other keys between
    await expect(box).to_have_value("Hi There, Is It OK To Ask?")
    assert page.url.endswith(f"/chat/{w.id}")
    for _ in range(3):
        await page.keyboard.press("Shift")
    await page.wait_for_url(EXIT_URL)


async def test_quick_exit_on_the_chat_list(app: Harness, open_page: Callable[..., Any]) -> None:
    await app.webchat()
    s = await open_page("/", phone=True)
    await expect(s.page.get_by_role("link", name="Join this chat")).to_be_visible()
    for _ in range(3):
        await s.page.keyboard.press("Shift")
    await s.page.wait_for_url(EXIT_URL)
