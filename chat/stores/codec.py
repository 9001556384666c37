"""Turning records into flat rows/documents and back, shared by the backends."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any, TypeVar

from chat.models import (
    AuditEntry,
    CaseEntry,
    Escalation,
    Message,
    Participant,
    Staff,
    StaffSession,
    Webchat,
)

T = TypeVar("T")

TIME_FIELDS = {
    "opens_at",
    "closes_at",
    "created_at",
    "lease_expires_at",
    "decided_at",
    "expires_at",
    "deadline_at",
    "acknowledged_at",
    "overdue_at",
    "closed_at",
    "at",
}
JSON_FIELDS = {"screening", "spans", "context", "detail", "roles", "categories"}
TUPLE_FIELDS = {"roles", "categories", "spans", "context"}

RECORDS: dict[str, type[Any]] = {
    "webchats": Webchat,
    "participants": Participant,
    "messages": Message,
    "staff": Staff,
    "sessions": StaffSession,
    "escalations": Escalation,
    "case_entries": CaseEntry,
    "audit": AuditEntry,
}


def columns(record_type: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(record_type)]


def to_row(record: Any, *, json_text: bool) -> dict[str, Any]:
    """Flatten a record. SQLite gets ISO-8601 text times (sortable) and JSON text; MongoDB gets
    native datetimes and sub-documents."""
    row: dict[str, Any] = {}
    for name in columns(type(record)):
        value = getattr(record, name)
        if name in TIME_FIELDS and value is not None and json_text:
            value = value.isoformat(timespec="milliseconds")
        elif name in JSON_FIELDS and value is not None:
            value = list(value) if name in TUPLE_FIELDS else value
            if json_text:
                value = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        row[name] = value
    return row


def from_row(record_type: type[T], row: Any) -> T:
    values: dict[str, Any] = {}
    for name in columns(record_type):
        value = row[name]
        if name in TIME_FIELDS and value is not None:
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
        elif name in JSON_FIELDS and value is not None:
            if isinstance(value, str):
                value = json.loads(value)
            if name in TUPLE_FIELDS:
                value = tuple(value)
        values[name] = value
    return record_type(**values)


def iso(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")
