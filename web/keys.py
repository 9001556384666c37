"""AppKeys for what one app instance holds."""

from __future__ import annotations

import socketio
from aiohttp import web

from chat.services import Services
from config.settings import Settings
from web.metrics import Metrics

SETTINGS = web.AppKey("settings", Settings)
SIO = web.AppKey("sio", socketio.AsyncServer)
SERVICES = web.AppKey("services", Services)
METRICS = web.AppKey("metrics", Metrics)
