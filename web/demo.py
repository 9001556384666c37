"""``safechat serve --demo``: a fresh embedded store, a webchat open now for two hours, one
staff account per role with a random password printed once."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from chat.models import ROLES, utcnow
from chat.staff import StaffService
from chat.store import open_store
from chat.webchats import WebchatService
from config.settings import Settings, ensure_secret


async def prepare_demo(settings: Settings) -> Settings:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    data_dir = settings.data_dir / f"demo-{stamp}-{secrets.token_hex(2)}"
    settings = settings.model_copy(update={
        "data_dir": data_dir,
        "database_url": f"sqlite:///{(data_dir / 'safechat.db').as_posix()}",
    })
    store = await open_store(settings.database_url)
    try:
        now = utcnow()
        webchat = await WebchatService(store).do_create(
            "Could you spot the signs? Live Q&A", "young_people", now, now + timedelta(hours=2))
        staff = StaffService(store, ensure_secret(settings))
        accounts = []
        for role in ROLES:
            password = secrets.token_urlsafe(12)
            await staff.do_add(f"demo-{role}", password, [role])
            accounts.append((role, f"demo-{role}", password))
    finally:
        await store.close()
    base = f"http://{settings.host}:{settings.port}"
    print("safechat demo", flush=True)
    print(f"  data folder:          {data_dir}")
    print(f"  young person's page:  {base}/chat/{webchat.id}")
    print(f"  moderator console:    {base}/console")
    print(f"  safeguarding:         {base}/safeguarding")
    print(f"  admin:                {base}/admin")
    print("  staff accounts (passwords are shown only now):")
    for role, username, password in accounts:
        print(f"    {role:<10} {username:<16} {password}")
    print(flush=True)
    return settings
