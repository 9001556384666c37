"""The one root of safechat's errors. Each carries a stable ``code`` that the edge
(Socket.IO acks, HTTP bodies, the CLI) turns into a reply; nothing below the edge formats one."""

from __future__ import annotations


class SafechatError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InvalidInput(SafechatError):
    code = "invalid"


class NotFound(SafechatError):
    code = "not_found"
    http_status = 404


class Conflict(SafechatError):
    code = "conflict"
    http_status = 409


class Unauthorized(SafechatError):
    code = "unauthorized"
    http_status = 401


class Forbidden(SafechatError):
    code = "forbidden"
    http_status = 403


class RateLimited(SafechatError):
    code = "rate_limited"
    http_status = 429
