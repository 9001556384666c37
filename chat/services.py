"""All the services of one running app, built together around one store and one notifier."""

from __future__ import annotations

from dataclasses import dataclass

from chat.duty import DutyService
from chat.escalations import EscalationService
from chat.notify import Notifier
from chat.participants import ParticipantService
from chat.queue import ModerationService
from chat.reports import ReportService
from chat.retention import RetentionService
from chat.staff import StaffNames, StaffService
from chat.store import Store
from chat.webchats import WebchatService
from config.content import Content, load_content
from config.settings import Settings
from moderation.screening import Screener


@dataclass
class Services:
    settings: Settings
    store: Store
    notifier: Notifier
    content: Content
    screener: Screener
    staff: StaffService
    webchats: WebchatService
    participants: ParticipantService
    escalations: EscalationService
    moderation: ModerationService
    duty: DutyService
    retention: RetentionService
    reports: ReportService


def build_services(
    settings: Settings, store: Store, notifier: Notifier, screener: Screener, secret: str
) -> Services:
    content = load_content()
    deadlines = {
        "urgent": settings.ack_deadline_urgent_s,
        "high": settings.ack_deadline_high_s,
        "medium": settings.ack_deadline_medium_s,
    }
    names = StaffNames(store)
    escalations = EscalationService(
        store, notifier, content, deadlines, names, settings.context_messages
    )
    return Services(
        settings=settings,
        store=store,
        notifier=notifier,
        content=content,
        screener=screener,
        staff=StaffService(store, secret, settings.session_hours),
        webchats=WebchatService(store),
        participants=ParticipantService(store),
        escalations=escalations,
        moderation=ModerationService(
            store, notifier, screener, escalations, content, settings.claim_lease_s, names
        ),
        duty=DutyService(store, notifier),
        retention=RetentionService(store, content.retention),
        reports=ReportService(store),
    )
