"""The backbone: a young person's message through the queue to the room, over real sockets."""

from __future__ import annotations

import asyncio

import pytest
import socketio

from tests.support.harness import Client, Harness


async def send(c: Client, text: str, client_id: str) -> dict:  # type: ignore[type-arg]
    return await c.call("send_message", {"client_id": client_id, "text": text})  # type: ignore[no-any-return]


async def test_join_gives_handle_token_and_public_webchat(app: Harness) -> None:
    w = await app.webchat()
    yp = await app.young(w)
    joined = yp.received("joined")[0]
    assert joined["participant"]["handle"][0].isupper()
    assert len(joined["token"]) >= 22  # >= 128 bits, url-safe
    assert joined["webchat"]["id"] == w.id and joined["webchat"]["state"] == "open"
    assert joined["history"] == [] and joined["pending"] == []
    other = await app.young(w)
    assert other.received("joined")[0]["participant"]["handle"] != joined["participant"]["handle"]
    # Only the token's hash is stored.
    p = await app.services.store.find_participant_by_token(joined["token"])
    assert p is None


async def test_unknown_and_closed_webchats_are_refused(app: Harness) -> None:
    c = app.client("/chat")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await c.connect({"webchat": "nope"})
    assert c.refused["code"] == "unknown_webchat"
    closed = await app.webchat(opens_in=-7200, hours=1)
    assert closed.state == "closed"
    c2 = app.client("/chat")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await c2.connect({"webchat": closed.id})
    assert c2.refused["code"] == "webchat_closed"
    c3 = app.client("/chat")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await c3.connect(None)
    assert c3.refused["code"] == "unknown_webchat"


async def test_message_flows_through_queue_to_room(app: Harness) -> None:
    w = await app.webchat()
    mod, staff = await app.moderator()
    author, reader = await app.young(w), await app.young(w)
    ack = await send(author, "what are the signs someone is being groomed?", "c1")
    assert ack["ok"] and ack["message"]["status"] == "pending"
    mid = ack["message"]["id"]
    stored = await app.services.store.get_message(mid)
    assert stored is not None and stored.status == "pending"
    item = (await mod.wait_for("queue_item", lambda d: d["item"]["id"] == mid))["item"]
    assert item["text"] == "what are the signs someone is being groomed?"
    assert item["handle"] and item["webchat"] == w.id and item["screening"] is not None
    await asyncio.sleep(0.1)
    assert reader.received("message") == []  # nothing shows before a moderator approves
    claim = await mod.call("claim", {"id": mid})
    assert claim["ok"] and claim["item"]["claimed_by"] == staff.username
    res = await mod.call("decide", {"id": mid, "action": "approve"})
    assert res == {"ok": True, "id": mid, "status": "approved"}
    for c in (author, reader):
        msg = await c.wait_for("message")
        assert msg["id"] == mid and msg["role"] == "young_person" and msg["text"].startswith("what")
    status = await author.wait_for("message_status")
    assert status["status"] == "approved" and status["client_id"] == "c1"
    assert reader.received("message_status") == []
    await mod.wait_for("queue_removed", lambda d: d["id"] == mid)
    audit = await app.services.store.list_audit(subject=mid)
    assert [a.action for a in audit] == ["message_approved"]
    assert audit[0].actor == staff.id
    # A newcomer sees the approved history.
    late = await app.young(w)
    assert [m["id"] for m in late.received("joined")[0]["history"]] == [mid]


async def test_edit_then_approve_and_audit_keeps_both_texts(app: Harness) -> None:
    w = await app.webchat()
    mod, _ = await app.moderator()
    yp = await app.young(w)
    ack = await send(yp, "is it normal for my mate to ask me for money all the time", "c1")
    mid = ack["message"]["id"]
    res = await mod.call(
        "decide",
        {"id": mid, "action": "approve", "text": "is it normal for a friend to ask for money?"},
    )
    assert res["ok"]  # implicit claim
    msg = await yp.wait_for("message")
    assert msg["text"] == "is it normal for a friend to ask for money?"
    entry = (await app.services.store.list_audit(subject=mid))[0]
    assert entry.detail["original_text"].startswith("is it normal for my mate")
    assert entry.detail["edited_text"] == "is it normal for a friend to ask for money?"


async def test_reject_tells_only_the_author_kindly(app: Harness) -> None:
    w = await app.webchat()
    mod, _ = await app.moderator()
    author, other = await app.young(w), await app.young(w)
    mid = (await send(author, "this chat is rubbish lol", "c1"))["message"]["id"]
    res = await mod.call("decide", {"id": mid, "action": "reject", "reason": "off_topic"})
    assert res["ok"] and res["status"] == "rejected"
    status = await author.wait_for("message_status")
    assert status["status"] == "rejected" and status["reason"] == "off_topic"
    assert "didn't show" in status["text"]
    await asyncio.sleep(0.2)
    assert other.received("message") == [] and other.received("message_status") == []
    bad = await mod.call("decide", {"id": mid, "action": "approve"})
    assert bad["ok"] is False and bad["error"]["code"] == "already_decided"


async def test_two_moderators_race_to_claim_one_wins(app: Harness) -> None:
    w = await app.webchat()
    (m1, _), (m2, _) = await app.moderator(), await app.moderator()
    yp = await app.young(w)
    mid = (await send(yp, "hello", "c1"))["message"]["id"]
    r1, r2 = await asyncio.gather(m1.call("claim", {"id": mid}), m2.call("claim", {"id": mid}))
    assert sorted([r1["ok"], r2["ok"]]) == [False, True]
    loser = r1 if not r1["ok"] else r2
    assert loser["error"]["code"] == "already_claimed"
    winner, other = (m1, m2) if r1["ok"] else (m2, m1)
    denied = await other.call("decide", {"id": mid, "action": "approve"})
    assert denied["ok"] is False and denied["error"]["code"] == "already_claimed"
    assert (await winner.call("decide", {"id": mid, "action": "approve"}))["ok"]


async def test_disconnect_frees_claims_and_expired_lease_returns(
    harness_factory: object,
) -> None:
    app: Harness = await harness_factory(claim_lease_s=0.6)  # type: ignore[operator]
    w = await app.webchat()
    m1, _ = await app.moderator()
    m2, _ = await app.moderator()
    yp = await app.young(w)
    a = (await send(yp, "first", "a"))["message"]["id"]
    b = (await send(yp, "second", "b"))["message"]["id"]
    assert (await m1.call("claim", {"id": a}))["ok"]
    await m2.wait_for("queue_item", lambda d: d["item"]["id"] == a and d["item"]["claimed_by"])
    m2.events.clear()
    await m1.close()
    freed = await m2.wait_for(
        "queue_item", lambda d: d["item"]["id"] == a and d["item"]["claimed_by"] is None
    )
    assert freed["item"]["claimed_by"] is None
    assert (await m2.call("claim", {"id": a}))["ok"]
    # m3 claims b then goes silent: its lease runs out and b is claimable again.
    m3, _ = await app.moderator()
    assert (await m3.call("claim", {"id": b}))["ok"]
    await m2.wait_for("queue_item", lambda d: d["item"]["id"] == b and d["item"]["claimed_by"])
    m2.events.clear()
    await m2.wait_for(
        "queue_item", lambda d: d["item"]["id"] == b and d["item"]["claimed_by"] is None, timeout=5
    )
    assert (await m2.call("claim", {"id": b}))["ok"]


async def test_resume_with_token_keeps_handle_and_pending(app: Harness) -> None:
    w = await app.webchat()
    yp = await app.young(w)
    joined = yp.received("joined")[0]
    await send(yp, "are we allowed to ask about apps?", "c1")
    await yp.close()
    again = await app.young(w, token=joined["token"])
    resumed = again.received("joined")[0]
    assert resumed["participant"]["handle"] == joined["participant"]["handle"]
    assert [p["client_id"] for p in resumed["pending"]] == ["c1"]
    # A token for another webchat, or a made-up one, starts a new participant.
    fresh = await app.young(w, token="x" * 40)
    assert fresh.received("joined")[0]["participant"]["handle"] != joined["participant"]["handle"]


class _BrokenScreener:
    """Screening with a bug in it: every call raises."""

    def screen(self, text: str) -> object:
        raise TypeError("a bug in screening")


async def test_a_message_that_cannot_be_screened_is_kept_and_goes_to_moderators(
    app: Harness,
) -> None:
    w = await app.webchat()
    mod, _ = await app.moderator()
    author = await app.young(w)
    moderation = app.services.moderation
    working = moderation.screener
    moderation.screener = _BrokenScreener()  # type: ignore[assignment]
    try:
        ack = await send(author, "im not safe at home tonight", "c-broken")
    finally:
        moderation.screener = working
    assert ack["ok"] and ack["message"]["status"] == "pending"
    stored = await app.services.store.get_message(ack["message"]["id"])
    assert stored is not None and stored.status == "pending" and stored.priority == 5
    assert stored.screening["screening_failed"] is True
    item = (await mod.wait_for("queue_item", lambda d: d["item"]["id"] == stored.id))["item"]
    assert item["screening"]["screening_failed"] is True
    # the next message is screened again
    ack = await send(author, "hello", "c-after")
    after = await app.services.store.get_message(ack["message"]["id"])
    assert after is not None and "screening_failed" not in after.screening


async def test_idempotent_retries_store_once(app: Harness) -> None:
    w = await app.webchat()
    mod, _ = await app.moderator()
    yp = await app.young(w)
    acks = await asyncio.gather(*(send(yp, "same message", "retry-1") for _ in range(3)))
    assert len({a["message"]["id"] for a in acks}) == 1
    await asyncio.sleep(0.2)
    assert (
        len([e for e in mod.received("queue_item") if e["item"]["id"] == acks[0]["message"]["id"]])
        == 1
    )
    pending = await app.services.store.list_pending([w.id])
    assert len(pending) == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"client_id": "c", "text": ""}, "invalid"),
        ({"client_id": "c", "text": 42}, "invalid"),
        ({"client_id": 7, "text": "hi"}, "invalid"),
        ({"text": "hi"}, "invalid"),
        ({"client_id": "c", "text": "x" * 501}, "too_long"),
        ("just a string", "invalid"),
    ],
)
async def test_bad_messages_get_clear_errors_and_change_nothing(
    app: Harness, payload: object, code: str
) -> None:
    w = await app.webchat()
    yp = await app.young(w)
    ack = await yp.call("send_message", payload)
    assert ack["ok"] is False and ack["error"]["code"] == code and ack["error"]["message"]
    assert await app.services.store.list_pending([w.id]) == []


async def test_rate_limit_and_not_open(harness_factory: object) -> None:
    app: Harness = await harness_factory(rate_limit_count=3)  # type: ignore[operator]
    w = await app.webchat()
    yp = await app.young(w)
    acks = [await send(yp, f"message {i}", f"c{i}") for i in range(4)]
    assert [a["ok"] for a in acks] == [True, True, True, False]
    assert acks[3]["error"]["code"] == "rate_limited"
    retry = await send(yp, "message 2", "c2")  # a retry is answered, never rate limited
    assert retry["ok"] and retry["message"]["id"] == acks[2]["message"]["id"]
    assert len(await app.services.store.list_pending([w.id])) == 3
    later = await app.webchat(opens_in=3600)
    waiting = await app.young(later)
    assert waiting.received("joined")[0]["webchat"]["state"] == "scheduled"
    ack = await send(waiting, "hello?", "c1")
    assert ack["error"]["code"] == "not_open"
    assert await app.services.store.list_pending([later.id]) == []


async def test_unknown_and_staff_events_on_chat_change_nothing(app: Harness) -> None:
    w = await app.webchat()
    await app.moderator()
    author, attacker = await app.young(w), await app.young(w)
    mid = (await send(author, "hello", "c1"))["message"]["id"]
    for event, data in [
        ("decide", {"id": mid, "action": "approve"}),
        ("claim", {"id": mid}),
        ("post", {"webchat": w.id, "text": "hi"}),
        ("acknowledge", {"id": "x"}),
        ("nonsense", {}),
    ]:
        ack = await attacker.call(event, data)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", event
    msg = await app.services.store.get_message(mid)
    assert msg is not None and msg.status == "pending" and msg.claimed_by is None
    assert attacker.received("message") == []


async def test_anonymous_and_unauthorised_sockets_refused_on_staff_namespaces(
    app: Harness,
) -> None:
    for ns in ("/moderation", "/safeguarding"):
        c = app.client(ns)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await c.connect({"token": "forged"})
        assert c.refused["code"] == "unauthorized"
        c2 = app.client(ns)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await c2.connect(None)
        assert c2.refused["code"] == "unauthorized"
    _, token = await app.staff("moderator")
    c3 = app.client("/safeguarding")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await c3.connect({"token": token})
    assert c3.refused["code"] == "unauthorized"


async def test_host_posts_directly_but_cannot_moderate(app: Harness) -> None:
    w = await app.webchat()
    host, _ = await app.moderator("host")
    yp = await app.young(w)
    res = await host.call("post", {"webchat": w.id, "text": "Welcome! Ask us anything."})
    assert res["ok"]
    msg = await yp.wait_for("message")
    assert msg["role"] == "host" and msg["text"] == "Welcome! Ask us anything."
    assert host.received("queue") == []
    denied = await host.call("claim", {"id": res["id"]})
    assert denied["ok"] is False and denied["error"]["code"] == "forbidden"


async def test_script_text_stays_inert_text(app: Harness) -> None:
    w = await app.webchat()
    mod, _ = await app.moderator()
    yp = await app.young(w)
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    mid = (await send(yp, evil, "c1"))["message"]["id"]
    item = (await mod.wait_for("queue_item", lambda d: d["item"]["id"] == mid))["item"]
    assert item["text"] == evil
    await mod.call("decide", {"id": mid, "action": "approve"})
    assert (await yp.wait_for("message"))["text"] == evil


async def test_webchat_opens_and_closes_on_schedule(app: Harness) -> None:
    w = await app.webchat(opens_in=0.5, hours=1.5 / 3600)
    yp = await app.young(w)
    assert yp.received("joined")[0]["webchat"]["state"] == "scheduled"
    opened = await yp.wait_for("webchat_state", lambda d: d["state"] == "open", timeout=5)
    assert opened["id"] == w.id
    assert (await send(yp, "hi", "c1"))["ok"]
    await yp.wait_for("webchat_state", lambda d: d["state"] == "closed", timeout=5)
    assert (await send(yp, "hi again", "c2"))["error"]["code"] == "not_open"


async def test_http_login_logout_and_webchats(app: Harness) -> None:
    staff, _ = await app.staff("moderator")
    status, body = await app.http(
        "POST", "/api/login", json={"username": staff.username, "password": "wrong-wrong"}
    )
    status2, body2 = await app.http(
        "POST", "/api/login", json={"username": "nobody", "password": "wrong-wrong"}
    )
    assert status == status2 == 401 and body == body2
    status, body = await app.http("POST", "/api/login", data="not json")
    assert status == 400 and body["error"]["code"] == "invalid"
    status, body = await app.http(
        "POST", "/api/login", json={"username": staff.username, "password": "correct horse battery"}
    )
    assert status == 200 and body["roles"] == ["moderator"] and body["token"]
    token = body["token"]
    c = app.client("/moderation")
    await c.connect({"token": token})
    await c.wait_for("queue")
    status, _ = await app.http("POST", "/api/logout", headers={"Authorization": f"Bearer {token}"})
    assert status == 200
    status, _ = await app.http("GET", "/api/me", headers={"Authorization": f"Bearer {token}"})
    assert status == 401
    w = await app.webchat()
    status, body = await app.http("GET", "/api/webchats")
    assert status == 200 and [x["id"] for x in body["webchats"]] == [w.id]
    assert set(body["webchats"][0]) == {"id", "title", "audience", "state", "opens_at", "closes_at"}


async def test_login_is_rate_limited(harness_factory: object) -> None:
    app: Harness = await harness_factory(login_attempts=3)  # type: ignore[operator]
    codes = []
    for _ in range(4):
        status, _ = await app.http(
            "POST", "/api/login", json={"username": "someone", "password": "guessing-1"}
        )
        codes.append(status)
    assert codes == [401, 401, 401, 429]


async def test_healthz_reports_the_store(app: Harness) -> None:
    status, body = await app.http("GET", "/healthz")
    assert status == 200 and body["status"] == "ok"
    assert body["store"]["backend"] == app.services.store.backend


async def test_returning_author_sees_what_happened_to_their_messages(app: Harness) -> None:
    w = await app.webchat()
    mod, _ = await app.moderator()
    yp = await app.young(w)
    mid = (await send(yp, "this is boring", "c1"))["message"]["id"]
    await mod.call("decide", {"id": mid, "action": "reject", "reason": "off_topic"})
    await yp.wait_for("message_status")
    again = await app.young(w, token=yp.received("joined")[0]["token"])
    own = again.received("joined")[0]["own"]
    assert [(o["id"], o["status"], o["reason"]) for o in own] == [(mid, "rejected", "off_topic")]
    assert "didn't show" in own[0]["reason_text"]
