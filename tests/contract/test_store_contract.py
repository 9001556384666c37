"""The storage contract: every test runs on every backend (see tests/conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from chat.models import (
    AuditEntry,
    CaseEntry,
    Escalation,
    Message,
    Participant,
    Staff,
    StaffSession,
    Webchat,
    new_id,
    utcnow,
)
from chat.store import DuplicateKey, Store, open_store


def webchat(**kw: object) -> Webchat:
    now = utcnow()
    base: dict[str, object] = dict(
        id=new_id(),
        title="Could you spot the signs?",
        audience="young_people",
        opens_at=now,
        closes_at=now + timedelta(hours=1),
        state="open",
    )
    base.update(kw)
    return Webchat(**base)  # type: ignore[arg-type]


def message(wid: str, pid: str | None = None, **kw: object) -> Message:
    base: dict[str, object] = dict(
        id=new_id(),
        webchat_id=wid,
        participant_id=pid or new_id(),
        client_id=new_id(),
        handle="BraveOtter12",
        role="young_person",
        text="hello",
    )
    base.update(kw)
    return Message(**base)  # type: ignore[arg-type]


async def test_webchat_roundtrip_and_state(store: Store) -> None:
    w = await store.create_webchat(webchat(state="scheduled"))
    assert await store.get_webchat(w.id) == w
    assert await store.get_webchat("nope") is None
    assert await store.set_webchat_state(w.id, "scheduled", "open")
    assert not await store.set_webchat_state(w.id, "scheduled", "open")
    got = await store.get_webchat(w.id)
    assert got is not None and got.state == "open"
    later = await store.create_webchat(
        webchat(opens_at=w.opens_at + timedelta(days=1), state="scheduled")
    )
    assert [x.id for x in await store.list_webchats()] == [w.id, later.id]
    assert [x.id for x in await store.list_webchats(["scheduled"])] == [later.id]
    assert [x.id for x in await store.list_webchats(before=w.opens_at + timedelta(hours=1))] == [
        w.id
    ]


async def test_participant_unique_handle_and_token(store: Store) -> None:
    w = await store.create_webchat(webchat())
    p = await store.create_participant(Participant(new_id(), w.id, "KindFox1", "h1"))
    assert await store.find_participant_by_token("h1") == p
    assert await store.get_participant(p.id) == p
    assert await store.find_participant_by_token("h2") is None
    with pytest.raises(DuplicateKey):
        await store.create_participant(Participant(new_id(), w.id, "KindFox1", "h3"))
    other = await store.create_webchat(webchat())
    await store.create_participant(Participant(new_id(), other.id, "KindFox1", "h4"))


async def test_insert_message_is_idempotent_on_client_id(store: Store) -> None:
    w = await store.create_webchat(webchat())
    first, created = await store.insert_message(message(w.id, "p1", client_id="c1", text="a"))
    assert created
    again, created2 = await store.insert_message(message(w.id, "p1", client_id="c1", text="b"))
    assert not created2 and again == first and again.text == "a"
    _, created3 = await store.insert_message(message(w.id, "p2", client_id="c1"))
    assert created3
    assert len(await store.list_pending([w.id])) == 2
    assert await store.get_message(first.id) == first
    assert await store.find_message("p1", "c1") == first
    assert await store.find_message("p1", "nope") is None


async def test_screening_and_times_roundtrip(store: Store) -> None:
    w = await store.create_webchat(webchat())
    m = message(w.id, screening={"severity": "high", "spans": [{"start": 0, "end": 3}]})
    stored, _ = await store.insert_message(m)
    assert stored == m
    got = await store.get_message(m.id)
    assert got == m and got.created_at.tzinfo is not None


async def test_queue_order_priority_then_age(store: Store) -> None:
    w = await store.create_webchat(webchat())
    t = utcnow()
    old = message(w.id, created_at=t - timedelta(seconds=30))
    new = message(w.id, created_at=t)
    urgent = message(w.id, created_at=t + timedelta(seconds=1), priority=3)
    for m in (new, urgent, old):
        await store.insert_message(m)
    assert [m.id for m in await store.list_pending([w.id])] == [urgent.id, old.id, new.id]
    assert await store.list_pending(["other"]) == []
    nxt = await store.claim_next("s1", t, t + timedelta(seconds=60), [w.id])
    assert nxt is not None and nxt.id == urgent.id and nxt.claimed_by == "s1"


async def test_concurrent_claimers_claim_each_item_once(store: Store) -> None:
    w = await store.create_webchat(webchat())
    for i in range(100):
        await store.insert_message(message(w.id, client_id=f"c{i}"))
    now = utcnow()
    until = now + timedelta(seconds=60)

    async def claimer(name: str) -> list[str]:
        got = []
        while (item := await store.claim_next(name, now, until, [w.id])) is not None:
            got.append(item.id)
        return got

    results = await asyncio.gather(*(claimer(f"s{i}") for i in range(20)))
    claimed = [mid for r in results for mid in r]
    assert len(claimed) == 100
    assert len(set(claimed)) == 100


async def test_claim_conflict_release_and_lease_expiry(store: Store) -> None:
    w = await store.create_webchat(webchat())
    m, _ = await store.insert_message(message(w.id))
    now = utcnow()
    assert await store.claim(m.id, "a", now, now + timedelta(seconds=60)) is not None
    assert await store.claim(m.id, "b", now, now + timedelta(seconds=60)) is None
    renewed = await store.claim(m.id, "a", now, now + timedelta(seconds=90))
    assert renewed is not None and renewed.lease_expires_at == now + timedelta(seconds=90)
    assert await store.release(m.id, "b") is None
    assert await store.release(m.id, "a") is not None
    assert await store.claim(m.id, "b", now, now + timedelta(seconds=1)) is not None
    # An expired lease makes the item claimable again, and expire_leases reports it.
    later = now + timedelta(seconds=2)
    assert await store.claim(m.id, "c", later, later + timedelta(seconds=60)) is not None
    assert await store.expire_leases(later) == []
    expired = await store.expire_leases(later + timedelta(seconds=61))
    assert [x.id for x in expired] == [m.id] and expired[0].claimed_by is None


async def test_release_all_frees_only_that_staff(store: Store) -> None:
    w = await store.create_webchat(webchat())
    now, until = utcnow(), utcnow() + timedelta(seconds=60)
    ids = []
    for i in range(3):
        m, _ = await store.insert_message(message(w.id, client_id=f"c{i}"))
        ids.append(m.id)
    await store.claim(ids[0], "a", now, until)
    await store.claim(ids[1], "a", now, until)
    await store.claim(ids[2], "b", now, until)
    freed = await store.release_all("a")
    assert sorted(m.id for m in freed) == sorted(ids[:2])
    pending = {m.id: m.claimed_by for m in await store.list_pending([w.id])}
    assert pending == {ids[0]: None, ids[1]: None, ids[2]: "b"}


async def test_concurrent_decisions_apply_exactly_once(store: Store) -> None:
    w = await store.create_webchat(webchat())
    m, _ = await store.insert_message(message(w.id))
    now = utcnow()
    results = await asyncio.gather(
        store.decide(m.id, "a", "approved", now, final_text="edited"),
        store.decide(m.id, "b", "rejected", now, reason="unkind"),
        *(store.decide(m.id, f"x{i}", "approved", now) for i in range(8)),
    )
    applied = [r for r in results if r is not None]
    assert len(applied) == 1
    stored = await store.get_message(m.id)
    assert stored == applied[0] and stored.status != "pending"
    assert await store.list_pending([w.id]) == []


async def test_decide_respects_a_live_claim(store: Store) -> None:
    w = await store.create_webchat(webchat())
    m, _ = await store.insert_message(message(w.id))
    now = utcnow()
    await store.claim(m.id, "a", now, now + timedelta(seconds=60))
    assert await store.decide(m.id, "b", "approved", now) is None
    done = await store.decide(m.id, "a", "approved", now, final_text="hi [removed]")
    assert done is not None and done.shown_text == "hi [removed]" and done.decided_by == "a"
    assert await store.claim(m.id, "a", now, now + timedelta(seconds=60)) is None


async def test_approved_history_in_approval_order(store: Store) -> None:
    w = await store.create_webchat(webchat())
    a, _ = await store.insert_message(message(w.id, client_id="a"))
    b, _ = await store.insert_message(message(w.id, client_id="b"))
    c, _ = await store.insert_message(message(w.id, client_id="c"))
    t = utcnow()
    await store.decide(b.id, "s", "approved", t)
    await store.decide(c.id, "s", "rejected", t + timedelta(milliseconds=5))
    await store.decide(a.id, "s", "approved", t + timedelta(milliseconds=10))
    assert [m.id for m in await store.list_approved(w.id)] == [b.id, a.id]
    assert [m.id for m in await store.list_approved(w.id, limit=1)] == [a.id]


async def test_participant_messages(store: Store) -> None:
    w = await store.create_webchat(webchat())
    t = utcnow()
    ms = [
        message(w.id, "p", client_id=f"c{i}", created_at=t + timedelta(seconds=i)) for i in range(4)
    ]
    for m in ms:
        await store.insert_message(m)
    await store.decide(ms[0].id, "s", "approved", t)
    assert [m.id for m in await store.list_participant_messages("p")] == [m.id for m in ms]
    pending = await store.list_participant_messages("p", statuses=["pending"], limit=2)
    assert [m.id for m in pending] == [ms[2].id, ms[3].id]


async def test_staff_and_sessions(store: Store) -> None:
    s = await store.create_staff(Staff(new_id(), "amira", "argon2hash", ("moderator", "lead")))
    assert await store.find_staff("amira") == s
    assert await store.get_staff(s.id) == s
    with pytest.raises(DuplicateKey):
        await store.create_staff(Staff(new_id(), "amira", "x", ("admin",)))
    assert [x.username for x in await store.list_staff()] == ["amira"]
    sess = StaffSession("th", s.id, utcnow() + timedelta(hours=1))
    await store.create_session(sess)
    assert await store.get_session("th") == sess
    await store.delete_session("th")
    assert await store.get_session("th") is None


def escalation(wid: str, **kw: object) -> Escalation:
    base: dict[str, object] = dict(
        id=new_id(),
        message_id=new_id(),
        webchat_id=wid,
        participant_id="p",
        handle="QuietOwl3",
        severity="high",
        categories=("older_partner",),
        spans=({"start": 0, "end": 4, "label": "older_partner"},),
        context=({"text": "earlier", "at": "x"},),
        text="my bf is 24",
        deadline_at=utcnow() + timedelta(minutes=5),
    )
    base.update(kw)
    return Escalation(**base)  # type: ignore[arg-type]


async def test_escalation_acknowledge_first_wins(store: Store) -> None:
    e = await store.create_escalation(escalation("w"))
    assert await store.get_escalation(e.id) == e
    now = utcnow()
    results = await asyncio.gather(
        *(store.acknowledge_escalation(e.id, f"lead{i}", now) for i in range(5))
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert await store.mark_overdue(e.id, now) is None
    assert await store.list_due_escalations() == []


async def test_escalation_overdue_once_order_and_close(store: Store) -> None:
    t = utcnow()
    medium = await store.create_escalation(escalation("w", severity="medium", created_at=t))
    urgent = await store.create_escalation(
        escalation(
            "w",
            severity="urgent",
            created_at=t + timedelta(seconds=1),
            deadline_at=t + timedelta(seconds=60),
        )
    )
    assert [e.id for e in await store.list_open_escalations()] == [urgent.id, medium.id]
    assert [e.id for e in await store.list_due_escalations()] == [urgent.id, medium.id]
    first = await store.mark_overdue(urgent.id, t)
    assert first is not None and first.overdue_at == t
    assert await store.mark_overdue(urgent.id, t) is None
    assert [e.id for e in await store.list_due_escalations()] == [medium.id]
    closed = await store.close_escalation(medium.id, "lead", "signposted", t)
    assert closed is not None and closed.status == "closed" and closed.outcome == "signposted"
    assert await store.close_escalation(medium.id, "lead", "signposted", t) is None
    assert [e.id for e in await store.list_open_escalations()] == [urgent.id]
    assert [e.id for e in await store.list_participant_escalations("p")] == [medium.id, urgent.id]


async def test_case_entries_and_audit(store: Store) -> None:
    t = utcnow()
    e1 = CaseEntry(new_id(), "e", "to_young_person", "lead", "Are you safe?", t)
    e2 = CaseEntry(new_id(), "e", "from_young_person", "QuietOwl3", "yes", t, {"severity": "none"})
    await store.add_case_entry(e1)
    await store.add_case_entry(e2)
    assert await store.list_case_entries("e") == [e1, e2]
    a1 = await store.append_audit(AuditEntry(new_id(), "s1", "approve", "m1", "w", {"r": 1}, t))
    a2 = await store.append_audit(AuditEntry(new_id(), "s2", "reject", "m2", "w2", {}, t))
    assert await store.list_audit() == [a1, a2]
    assert await store.list_audit(subject="m2") == [a2]
    assert await store.list_audit(webchat_id="w") == [a1]


async def test_reopening_keeps_everything(database_url_factory: Callable[[], str]) -> None:
    url = database_url_factory()
    s = await open_store(url)
    w = await s.create_webchat(webchat())
    m, _ = await s.insert_message(message(w.id, client_id="keep"))
    staff = await s.create_staff(Staff(new_id(), "lee", "h", ("admin",)))
    e = await s.create_escalation(escalation(w.id))
    await s.close()
    s2 = await open_store(url)
    try:
        assert await s2.get_webchat(w.id) == w
        assert await s2.get_message(m.id) == m
        assert await s2.find_staff("lee") == staff
        assert await s2.get_escalation(e.id) == e
        again, created = await s2.insert_message(message(w.id, m.participant_id, client_id="keep"))
        assert not created and again == m
        assert (await s2.ping())["backend"] == s2.backend
    finally:
        await s2.close()


async def test_purge_deletes_only_old_records_of_that_kind(store: Store) -> None:
    now = utcnow()
    old, new = now - timedelta(days=40), now
    w = await store.create_webchat(webchat())
    kept, _ = await store.insert_message(message(w.id, client_id="new", created_at=new))
    old_room, _ = await store.insert_message(message(w.id, client_id="o1", created_at=old))
    old_rejected, _ = await store.insert_message(message(w.id, client_id="o2", created_at=old))
    await store.decide(old_rejected.id, "s", "rejected", now)
    old_escalated, _ = await store.insert_message(
        message(w.id, client_id="o3", created_at=old, status="escalated"))
    open_case = await store.create_escalation(escalation(w.id, created_at=old))
    closed_case = await store.create_escalation(
        escalation(w.id, created_at=old, message_id=old_escalated.id))
    await store.close_escalation(closed_case.id, "lead", "signposted", now)
    await store.add_case_entry(CaseEntry(new_id(), closed_case.id, "note", "lead", "n", old))
    await store.create_participant(Participant(new_id(), w.id, "OldOwl1", "t1", old))
    young = await store.create_participant(Participant(new_id(), w.id, "NewOwl1", "t2", new))
    await store.create_session(StaffSession("gone", "s", now - timedelta(days=2)))
    await store.create_session(StaffSession("live", "s", now + timedelta(hours=1)))
    await store.append_audit(AuditEntry(new_id(), "s", "old", None, None, {}, old))
    recent = await store.append_audit(AuditEntry(new_id(), "s", "new", None, None, {}, new))

    cutoff = now - timedelta(days=30)
    assert await store.purge("room_messages", cutoff) == 1
    assert await store.get_message(old_room.id) is None
    assert await store.get_message(old_rejected.id) is not None  # its own retention period
    assert await store.purge("rejected_messages", cutoff) == 1
    assert await store.get_message(old_rejected.id) is None
    assert await store.purge("escalations", cutoff) == 1
    assert await store.get_escalation(closed_case.id) is None
    assert await store.get_message(old_escalated.id) is None
    assert await store.list_case_entries(closed_case.id) == []
    assert await store.get_escalation(open_case.id) is not None  # open cases are never purged
    assert await store.purge("participants", cutoff) == 1
    assert await store.find_participant_by_token("t2") == young
    assert await store.purge("staff_sessions", now) == 1
    assert await store.get_session("live") is not None
    assert await store.purge("audit", cutoff) == 1
    assert await store.list_audit() == [recent]
    assert await store.get_message(kept.id) == kept
    with pytest.raises(ValueError):
        await store.purge("everything", cutoff)


async def test_unescalated_lists_escalated_messages_without_a_case(store: Store) -> None:
    w = await store.create_webchat(webchat())
    orphan, _ = await store.insert_message(message(w.id, client_id="o", status="escalated"))
    covered, _ = await store.insert_message(message(w.id, client_id="c", status="escalated"))
    await store.insert_message(message(w.id, client_id="p"))
    await store.create_escalation(escalation(w.id, message_id=covered.id))
    assert [m.id for m in await store.list_unescalated()] == [orphan.id]
    await store.create_escalation(escalation(w.id, message_id=orphan.id))
    assert await store.list_unescalated() == []
    with pytest.raises(DuplicateKey):
        await store.create_escalation(escalation(w.id, message_id=orphan.id))


async def test_presence_expires_and_is_shared(store: Store) -> None:
    now = utcnow()
    await store.set_presence("sid1", "amira", "lead", now + timedelta(seconds=30))
    await store.set_presence("sid2", "amira", "lead", now + timedelta(seconds=30))
    await store.set_presence("sid3", "ben", "lead", now - timedelta(seconds=1))
    await store.set_presence("sid4", "cal", "moderator", now + timedelta(seconds=30))
    assert await store.list_present("lead", now) == ["amira"]
    await store.set_presence("sid3", "ben", "lead", now + timedelta(seconds=30))  # refreshed
    assert await store.list_present("lead", now) == ["amira", "ben"]
    await store.delete_presence("sid1")
    await store.delete_presence("sid2")
    assert await store.list_present("lead", now) == ["ben"]
    assert await store.list_present("lead", now + timedelta(seconds=31)) == []


async def test_webchat_messages_and_escalations_for_reports(store: Store) -> None:
    w = await store.create_webchat(webchat())
    other = await store.create_webchat(webchat())
    a, _ = await store.insert_message(message(w.id, client_id="a"))
    b, _ = await store.insert_message(message(w.id, client_id="b"))
    await store.insert_message(message(other.id, client_id="c"))
    assert [m.id for m in await store.list_webchat_messages(w.id)] == [a.id, b.id]
    e = await store.create_escalation(escalation(w.id))
    await store.create_escalation(escalation(other.id))
    assert [x.id for x in await store.list_webchat_escalations(w.id)] == [e.id]
