"""Friendly pseudonyms for anonymous participants: adjective + animal + number."""

from __future__ import annotations

import secrets

ADJECTIVES = (
    "Brave", "Bright", "Calm", "Clever", "Cosy", "Gentle", "Happy", "Kind", "Lucky", "Mellow",
    "Quiet", "Quick", "Sunny", "Swift", "Wise", "Bold", "Chirpy", "Cheerful", "Steady", "Witty",
)
ANIMALS = (
    "Otter", "Fox", "Owl", "Badger", "Hedgehog", "Puffin", "Robin", "Panda", "Koala", "Dolphin",
    "Falcon", "Hare", "Lynx", "Seal", "Swan", "Tiger", "Wren", "Zebra", "Penguin", "Squirrel",
)


def make_handle() -> str:
    return (
        f"{secrets.choice(ADJECTIVES)}{secrets.choice(ANIMALS)}{secrets.randbelow(90) + 10}"
    )
