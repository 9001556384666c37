"""Service wording as data: rejection reasons, signposting, case outcomes, retention."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel

DEFAULT_PATH = Path(__file__).with_name("content.toml")


class Reason(BaseModel):
    kind: str
    label: str
    text: str


class Resource(BaseModel):
    name: str
    phone: str | None = None
    url: str | None = None
    hours: str | None = None


class Support(BaseModel):
    text: str
    resources: list[Resource]


class Content(BaseModel):
    reasons: dict[str, Reason]
    support: Support
    outcomes: dict[str, str]
    retention: dict[str, int]


@cache
def load_content(path: Path = DEFAULT_PATH) -> Content:
    with path.open("rb") as fh:
        return Content.model_validate(tomllib.load(fh))
