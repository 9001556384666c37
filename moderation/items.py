"""The moderation item's state machine and the decision policy (pure logic).

Safeguarding policy: a message screening marked as a disclosure, or one a moderator escalated,
is never shown to the room. No action takes it back to "approved"; it can only be handled by
the safeguarding team in private.
"""

from __future__ import annotations

from config.errors import InvalidInput, SafechatError

PENDING, APPROVED, REJECTED, ESCALATED = "pending", "approved", "rejected", "escalated"
ACTIONS: dict[str, str] = {"approve": APPROVED, "reject": REJECTED, "escalate": ESCALATED}
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({APPROVED, REJECTED, ESCALATED}),
    APPROVED: frozenset(),
    REJECTED: frozenset(),
    ESCALATED: frozenset(),
}
ESCALATE_AT = frozenset({"urgent", "high", "medium"})


class AlreadyDecided(SafechatError):
    code = "already_decided"
    http_status = 409


class EscalatedItem(SafechatError):
    code = "escalated"
    http_status = 409


def target_status(action: object) -> str:
    if not isinstance(action, str) or action not in ACTIONS:
        raise InvalidInput(f"action must be one of: {', '.join(ACTIONS)}")
    return ACTIONS[action]


def check_transition(current: str, target: str, *, severity: str = "none") -> None:
    """Raise unless ``current`` may become ``target``. A disclosure can never be approved."""
    if target == APPROVED and severity in ESCALATE_AT:
        raise EscalatedItem("this message may be a disclosure: it can only be escalated")
    if current == ESCALATED:
        raise EscalatedItem("this message is with the safeguarding team")
    if target not in TRANSITIONS.get(current, frozenset()):
        raise AlreadyDecided(f"this message was already {current}")


def needs_escalation(severity: str) -> bool:
    return severity in ESCALATE_AT


def priority_for(severity: str, has_pii: bool, unscreened: bool = False) -> int:
    """Queue priority: disclosures first, then a message that could not be screened (it may
    hold one), then messages with contact details (a quick redaction keeps a young person
    safe), then the rest by age."""
    if unscreened:
        return 5
    return {"urgent": 30, "high": 20, "medium": 10}.get(severity, 1 if has_pii else 0)


def check_pending(current: str) -> None:
    if current == ESCALATED:
        raise EscalatedItem("this message is with the safeguarding team")
    if current != PENDING:
        raise AlreadyDecided(f"this message was already {current}")
