"""Safeguarding escalation over real sockets. A missed or late alert is the worst failure."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.support.harness import Client, Harness, eventually

DISCLOSURE = "my boyfriend is 24 and he bought me a phone and now says i owe him"
URGENT = "im not safe tonight he is outside my house and says he will hurt me"


async def disclose(c: Client, text: str = DISCLOSURE, cid: str = "d1") -> dict[str, Any]:
    ack = await c.call("send_message", {"client_id": cid, "text": text})
    assert ack["ok"], ack
    return ack  # type: ignore[no-any-return]


def everything(c: Client) -> str:
    return repr([(e.name, e.data) for e in c.events])


async def test_disclosure_never_reaches_the_room_and_author_gets_support(app: Harness) -> None:
    w = await app.webchat()
    mod, _ = await app.moderator()
    lead, _ = await app.lead()
    author, other = await app.young(w), await app.young(w)
    started = time.monotonic()
    ack = await disclose(author)
    assert ack["message"]["status"] == "escalated"
    support = await author.wait_for("support", timeout=1)
    assert time.monotonic() - started < 1
    assert "Childline" in repr(support["resources"]) and "0800 1111" in repr(support)
    assert "999" in repr(support["resources"])
    alert = (await lead.wait_for("escalation"))["item"]
    assert alert["text"] == DISCLOSURE and alert["handle"]
    assert alert["severity"] in ("urgent", "high", "medium") and alert["categories"]
    # No moderator action can bring it to the room.
    mid = ack["message"]["id"]
    denied = await mod.call("decide", {"id": mid, "action": "approve"})
    assert denied["ok"] is False and denied["error"]["code"] == "escalated"
    await asyncio.sleep(0.3)
    assert "boyfriend" not in everything(other)
    assert other.received("message") == [] and other.received("support") == []
    assert mid not in repr(mod.received("queue_item"))
    msg = await app.services.store.get_message(mid)
    assert msg is not None and msg.status == "escalated"


async def test_lead_acknowledges_and_the_other_lead_sees_who(app: Harness) -> None:
    w = await app.webchat()
    (l1, s1), (l2, s2) = await app.lead(), await app.lead()
    yp = await app.young(w)
    await disclose(yp)
    item = (await l1.wait_for("escalation"))["item"]
    await l2.wait_for("escalation")
    r1, r2 = await asyncio.gather(l1.call("acknowledge", {"id": item["id"]}),
                                  l2.call("acknowledge", {"id": item["id"]}))
    assert sorted([r1["ok"], r2["ok"]]) == [False, True]
    loser = r1 if not r1["ok"] else r2
    assert loser["error"]["code"] == "already_acknowledged"
    seen = await l2.wait_for("escalation_updated")
    assert seen["item"]["acknowledged_by"] in (s1.username, seen["item"]["acknowledged_by"])
    assert seen["item"]["acknowledged_by"] is not None
    audit = await app.services.store.list_audit(subject=item["id"])
    assert [a.action for a in audit][:3] == ["escalation_created", "escalation_delivered",
                                             "escalation_acknowledged"]
    assert sorted(audit[1].detail["to"]) == sorted({s1.username, s2.username})


async def test_overdue_alert_fires_to_leads_and_moderators(harness_factory: Any) -> None:
    app: Harness = await harness_factory(ack_deadline_high_s=0.5, ack_deadline_medium_s=0.5,
                                         ack_deadline_urgent_s=0.5)
    w = await app.webchat()
    lead, _ = await app.lead()
    mod, _ = await app.moderator()
    yp = await app.young(w)
    await disclose(yp)
    first = (await lead.wait_for("escalation"))["item"]
    overdue = await lead.wait_for("escalation", lambda d: d.get("overdue") is True, timeout=3)
    assert overdue["item"]["id"] == first["id"] and overdue["item"]["overdue"]
    await mod.wait_for("escalated", lambda d: d["item"]["overdue"], timeout=3)
    await asyncio.sleep(0.8)
    assert len([d for d in lead.received("escalation") if d.get("overdue")]) == 1


async def test_overdue_fires_after_a_restart(harness_factory: Any) -> None:
    first: Harness = await harness_factory(ack_deadline_high_s=1.5, ack_deadline_medium_s=1.5,
                                           ack_deadline_urgent_s=1.5)
    w = await first.webchat()
    yp = await first.young(w)
    await disclose(yp)
    await first.stop()  # nobody was connected: the deadline is still pending in the store
    second: Harness = await harness_factory(ack_deadline_high_s=1.5, ack_deadline_medium_s=1.5,
                                            ack_deadline_urgent_s=1.5)
    lead, _ = await second.lead()
    items = lead.received("escalations")[0]["items"]
    assert len(items) == 1
    if not items[0]["overdue"]:  # the restarted server fired it while the lead was connected
        overdue = await lead.wait_for("escalation", lambda d: d.get("overdue") is True, timeout=6)
        assert overdue["item"]["id"] == items[0]["id"]

    async def overdue_audited() -> list[str]:
        entries = await second.services.store.list_audit(subject=items[0]["id"])
        return [a.action for a in entries if a.action == "escalation_overdue"]

    assert await eventually(overdue_audited) == ["escalation_overdue"]


async def test_private_messages_reach_only_the_right_participant(app: Harness) -> None:
    w = await app.webchat()
    lead, _ = await app.lead()
    author, other = await app.young(w), await app.young(w)
    await disclose(author)
    item = (await lead.wait_for("escalation"))["item"]
    assert (await lead.call("acknowledge", {"id": item["id"]}))["ok"]
    res = await lead.call("private_message", {"escalation_id": item["id"],
                                              "text": "Hi, are you safe right now?"})
    assert res["ok"]
    pm = await author.wait_for("private_message")
    assert pm == {"id": res["id"], "from": "Safeguarding team",
                  "text": "Hi, are you safe right now?", "at": pm["at"]}
    reply = await author.call("private_reply", {"text": "yes im at my nans"})
    assert reply["ok"]
    entry = await lead.wait_for("case_entry", lambda d: d["entry"]["kind"] == "from_young_person")
    assert entry["entry"]["text"] == "yes im at my nans"
    assert (await lead.call("note", {"escalation_id": item["id"],
                                     "text": "Phoned MASH"}))["ok"]
    await asyncio.sleep(0.3)
    leaked = everything(other)
    assert "are you safe" not in leaked and "nans" not in leaked and "MASH" not in leaked
    assert "MASH" not in everything(author)
    # Another young person has no conversation to reply to.
    nope = await other.call("private_reply", {"text": "hello?"})
    assert nope["error"]["code"] == "no_conversation"
    # Resume shows the private conversation but never the notes.
    token = author.received("joined")[0]["token"]
    again = await app.young(w, token=token)
    private = again.received("joined")[0]["private"]
    assert [p["text"] for p in private] == ["Hi, are you safe right now?", "yes im at my nans"]
    closed = await lead.call("close", {"escalation_id": item["id"], "outcome": "signposted",
                                       "note": "Gave Childline"})
    assert closed["ok"] and closed["item"]["status"] == "closed"
    bad = await lead.call("close", {"escalation_id": item["id"], "outcome": "made-up"})
    assert bad["error"]["code"] == "invalid"


async def test_moderator_can_escalate_a_message(app: Harness) -> None:
    w = await app.webchat()
    mod, _ = await app.moderator()
    lead, _ = await app.lead()
    yp = await app.young(w)
    ack = await yp.call("send_message", {"client_id": "q", "text": "idk who to talk to"})
    mid = ack["message"]["id"]
    res = await mod.call("decide", {"id": mid, "action": "escalate", "reason": "worried"})
    assert res["ok"] and res["status"] == "escalated"
    await yp.wait_for("support")
    item = (await lead.wait_for("escalation"))["item"]
    assert item["message_id"] == mid and item["severity"] == "high"


async def test_case_record_access(app: Harness) -> None:
    w = await app.webchat()
    lead, _ = await app.lead()
    yp = await app.young(w)
    await disclose(yp)
    item = (await lead.wait_for("escalation"))["item"]
    _, lead_token = await app.staff("lead")
    _, mod_token = await app.staff("moderator")
    status, body = await app.http("GET", f"/api/escalations/{item['id']}")
    assert status == 401 and "boyfriend" not in repr(body)
    status, body = await app.http("GET", f"/api/escalations/{item['id']}",
                                  headers={"Authorization": f"Bearer {mod_token}"})
    assert status == 403 and "boyfriend" not in repr(body)
    status, body = await app.http("GET", f"/api/escalations/{item['id']}?download=1",
                                  headers={"Authorization": f"Bearer {lead_token}"})
    assert status == 200 and body["escalation"]["text"] == DISCLOSURE
    assert [a["action"] for a in body["audit"]][:2] == ["escalation_created",
                                                       "escalation_delivered"]
    status, body = await app.http("GET", "/api/escalations/nope",
                                  headers={"Authorization": f"Bearer {lead_token}"})
    assert status == 404


async def test_no_lead_on_duty_warns_and_audits(app: Harness) -> None:
    await app.webchat()
    mod, _ = await app.moderator()
    assert mod.received("duty")[-1]["warning"] is True
    lead, staff = await app.lead()
    on = await mod.wait_for("duty", lambda d: d["warning"] is False)
    assert staff.username in on["leads"]
    await lead.close()
    await mod.wait_for("duty", lambda d: d["warning"] is True
                       and len(mod.received("duty")) > 2)
    actions = [a.action for a in await app.services.store.list_audit()]
    assert "no_lead_on_duty" in actions and "lead_on_duty" in actions
    _, admin_token = await app.staff("admin")
    status, body = await app.http("GET", "/api/duty",
                                  headers={"Authorization": f"Bearer {admin_token}"})
    assert status == 200 and body["warning"] is True


async def test_metrics_show_queue_and_unacknowledged_cases(app: Harness) -> None:
    w = await app.webchat()
    yp = await app.young(w)
    await yp.call("send_message", {"client_id": "q1", "text": "how do apps keep us safe"})
    await disclose(yp, cid="d2")
    status, body = await app.http("GET", "/metrics")
    assert status == 200
    assert "safechat_queue_depth 1.0" in body
    assert "safechat_unacknowledged_escalations 1.0" in body
    assert "safechat_leads_on_duty 0.0" in body


async def test_retention_purges_old_records_and_audits(app: Harness) -> None:
    from datetime import timedelta

    from chat.models import utcnow

    w = await app.webchat()
    yp = await app.young(w)
    await yp.call("send_message", {"client_id": "q1", "text": "hello"})
    assert await app.services.retention.do_purge() == dict.fromkeys(app.services.retention.days, 0)
    deleted = await app.services.retention.do_purge(utcnow() + timedelta(days=400))
    assert deleted["room_messages"] == 1 and deleted["participants"] == 1
    assert deleted["escalations"] == 0
    assert "retention_purge" in [a.action for a in await app.services.store.list_audit()]


async def test_a_disclosure_left_without_a_case_is_repaired(app: Harness) -> None:
    """As if the server died between storing the message and storing its case."""
    from chat.models import Message, new_id
    from chat.participants import hash_token

    w = await app.webchat()
    lead, _ = await app.lead()
    yp = await app.young(w)
    handle = yp.received("joined")[0]["participant"]["handle"]
    participant = await app.services.store.find_participant_by_token(
        hash_token(yp.received("joined")[0]["token"]))
    assert participant is not None
    screening = app.services.moderation.screen(URGENT)
    orphan = Message(new_id(), w.id, participant.id, "lost", handle, "young_person", URGENT,
                     status="escalated", priority=30, screening=screening)
    await app.services.store.insert_message(orphan)
    alert = await lead.wait_for("escalation", lambda d: d["item"]["message_id"] == orphan.id,
                                timeout=5)
    assert alert["item"]["severity"] == screening["severity"]
    await yp.wait_for("support")
    assert await app.services.store.list_unescalated() == []


async def test_webchat_report_counts_outcomes_without_text(app: Harness) -> None:
    w = await app.webchat()
    mod, _ = await app.moderator()
    lead, _ = await app.lead()
    yp = await app.young(w)
    ok1 = await yp.call("send_message", {"client_id": "a", "text": "how do i spot grooming"})
    ok2 = await yp.call("send_message", {"client_id": "b", "text": "boring"})
    await mod.call("decide", {"id": ok1["message"]["id"], "action": "approve"})
    await mod.call("decide", {"id": ok2["message"]["id"], "action": "reject",
                              "reason": "off_topic"})
    await disclose(yp, cid="c")
    item = (await lead.wait_for("escalation"))["item"]
    await lead.call("acknowledge", {"id": item["id"]})
    _, admin_token = await app.staff("admin")
    _, mod_token = await app.staff("moderator")
    status, report = await app.http("GET", f"/api/reports/webchats/{w.id}",
                                    headers={"Authorization": f"Bearer {admin_token}"})
    assert status == 200
    assert report["messages"]["by_status"] == {"approved": 1, "rejected": 1, "escalated": 1}
    assert report["messages"]["rejected_by_reason"] == {"off_topic": 1}
    assert report["time_to_decision"]["count"] == 2
    assert report["escalations"]["total"] == 1 and report["escalations"]["unacknowledged"] == 0
    assert "boyfriend" not in repr(report) and "grooming" not in repr(report["messages"])
    status, _ = await app.http("GET", f"/api/reports/webchats/{w.id}",
                               headers={"Authorization": f"Bearer {mod_token}"})
    assert status == 403
    status, body = await app.http("GET", "/api/audit?limit=5",
                                  headers={"Authorization": f"Bearer {admin_token}"})
    assert status == 200 and len(body["entries"]) == 5
    status, body = await app.http("GET", "/api/audit?limit=x",
                                  headers={"Authorization": f"Bearer {admin_token}"})
    assert status == 400 and body["error"]["code"] == "invalid"
    status, _ = await app.http("GET", "/api/audit",
                               headers={"Authorization": f"Bearer {mod_token}"})
    assert status == 403
