"""The SQLite schema, as numbered migrations (PRAGMA user_version records the last applied)."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    """
    CREATE TABLE webchats (id TEXT PRIMARY KEY, title TEXT NOT NULL, audience TEXT NOT NULL,
        opens_at TEXT NOT NULL, closes_at TEXT NOT NULL, state TEXT NOT NULL,
        created_at TEXT NOT NULL);
    CREATE INDEX webchats_state ON webchats (state, opens_at);
    CREATE TABLE participants (id TEXT PRIMARY KEY, webchat_id TEXT NOT NULL,
        handle TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
        UNIQUE (webchat_id, handle));
    CREATE TABLE messages (id TEXT PRIMARY KEY, webchat_id TEXT NOT NULL,
        participant_id TEXT, client_id TEXT, handle TEXT NOT NULL, role TEXT NOT NULL,
        text TEXT NOT NULL, status TEXT NOT NULL, priority INTEGER NOT NULL,
        created_at TEXT NOT NULL, screening TEXT, claimed_by TEXT, lease_expires_at TEXT,
        decided_by TEXT, decided_at TEXT, final_text TEXT, reason TEXT,
        UNIQUE (participant_id, client_id));
    CREATE INDEX messages_queue ON messages (status, priority DESC, created_at);
    CREATE INDEX messages_room ON messages (webchat_id, status, decided_at);
    CREATE INDEX messages_author ON messages (participant_id, created_at);
    CREATE INDEX messages_claims ON messages (claimed_by);
    CREATE TABLE staff (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL, roles TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, staff_id TEXT NOT NULL,
        expires_at TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE escalations (id TEXT PRIMARY KEY, message_id TEXT NOT NULL UNIQUE,
        webchat_id TEXT NOT NULL, participant_id TEXT NOT NULL, handle TEXT NOT NULL,
        severity TEXT NOT NULL, categories TEXT NOT NULL, spans TEXT NOT NULL,
        context TEXT NOT NULL, text TEXT NOT NULL, deadline_at TEXT NOT NULL,
        created_at TEXT NOT NULL, status TEXT NOT NULL, acknowledged_by TEXT,
        acknowledged_at TEXT, overdue_at TEXT, outcome TEXT, closed_by TEXT, closed_at TEXT);
    CREATE INDEX escalations_open ON escalations (status, deadline_at);
    CREATE INDEX escalations_participant ON escalations (participant_id);
    CREATE TABLE case_entries (id TEXT PRIMARY KEY, escalation_id TEXT NOT NULL,
        kind TEXT NOT NULL, actor TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL,
        screening TEXT);
    CREATE INDEX case_entries_case ON case_entries (escalation_id, at);
    CREATE TABLE audit (id TEXT PRIMARY KEY, actor TEXT NOT NULL, action TEXT NOT NULL,
        subject TEXT, webchat_id TEXT, detail TEXT NOT NULL, at TEXT NOT NULL);
    CREATE INDEX audit_subject ON audit (subject, at);
    CREATE INDEX audit_webchat ON audit (webchat_id, at);
    """,
    """
    CREATE TABLE presence (key TEXT PRIMARY KEY, username TEXT NOT NULL, role TEXT NOT NULL,
        expires_at TEXT NOT NULL);
    CREATE INDEX presence_role ON presence (role, expires_at);
    """,
]
