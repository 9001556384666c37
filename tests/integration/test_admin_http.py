"""Admin HTTP routes: scheduling webchats, with clear errors and no change on bad input."""

from __future__ import annotations

import pytest

from tests.support.harness import Harness


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"title": "", "audience": "young_people", "opens_at": "2030-01-01T18:00:00Z",
          "closes_at": "2030-01-01T19:00:00Z"}, "title"),
        ({"title": "T", "audience": "teachers", "opens_at": "2030-01-01T18:00:00Z",
          "closes_at": "2030-01-01T19:00:00Z"}, "audience"),
        ({"title": "T", "audience": "young_people", "opens_at": "2030-01-01T19:00:00Z",
          "closes_at": "2030-01-01T18:00:00Z"}, "closes must be after opens"),
        ({"title": "T", "audience": "young_people", "opens_at": 5,
          "closes_at": "2030-01-01T18:00:00Z"}, "opens"),
    ],
)
async def test_bad_webchat_is_refused_and_nothing_written(
    app: Harness, payload: dict[str, object], needle: str
) -> None:
    _, token = await app.staff("admin")
    status, body = await app.http("POST", "/api/webchats", json=payload,
                                  headers={"Authorization": f"Bearer {token}"})
    assert status == 400 and body["error"]["code"] == "invalid"
    assert needle in body["error"]["message"]
    assert await app.services.store.list_webchats() == []


async def test_only_admins_schedule_webchats(app: Harness) -> None:
    payload = {"title": "Q&A", "audience": "businesses", "opens_at": "2030-01-01T18:00:00Z",
               "closes_at": "2030-01-01T19:00:00Z"}
    _, mod = await app.staff("moderator")
    status, _ = await app.http("POST", "/api/webchats", json=payload,
                               headers={"Authorization": f"Bearer {mod}"})
    assert status == 403
    status, _ = await app.http("POST", "/api/webchats", json=payload)
    assert status == 401
    assert await app.services.store.list_webchats() == []
    _, admin = await app.staff("admin")
    status, body = await app.http("POST", "/api/webchats", json=payload,
                                  headers={"Authorization": f"Bearer {admin}"})
    assert status == 201 and body["webchat"]["state"] == "scheduled"
    status, body = await app.http("GET", "/api/admin/webchats",
                                  headers={"Authorization": f"Bearer {admin}"})
    assert [w["title"] for w in body["webchats"]] == ["Q&A"]
