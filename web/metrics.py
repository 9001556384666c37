"""Prometheus metrics, one registry per app (no module-global collectors)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.queue_depth = Gauge("safechat_queue_depth", "Pending items in open webchats",
                                 registry=self.registry)
        self.queue_oldest_s = Gauge("safechat_queue_oldest_seconds",
                                    "Age of the oldest pending item", registry=self.registry)
        self.open_escalations = Gauge("safechat_open_escalations", "Open escalations",
                                      registry=self.registry)
        self.unacknowledged = Gauge("safechat_unacknowledged_escalations",
                                    "Open escalations nobody has acknowledged",
                                    registry=self.registry)
        self.overdue = Gauge("safechat_overdue_escalations",
                             "Unacknowledged escalations past their deadline",
                             registry=self.registry)
        self.leads_on_duty = Gauge("safechat_leads_on_duty", "Safeguarding leads connected",
                                   registry=self.registry)
        self.logins = Counter("safechat_logins_total", "Staff logins", ["result"],
                              registry=self.registry)
        self.request_seconds = Histogram("safechat_http_request_seconds", "HTTP latency",
                                         registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
