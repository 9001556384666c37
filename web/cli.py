"""The ``safechat`` command: serve, staff, webchat, screen."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from aiohttp import web

from chat.staff import StaffService
from chat.store import Store, open_store
from chat.webchats import WebchatService
from config.errors import SafechatError
from config.settings import Settings, SettingsError, ensure_secret, load_settings
from web import screen_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safechat", description=__doc__)
    parser.add_argument("--config", type=Path, help="a TOML settings file")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--demo", action="store_true",
                       help="fresh embedded store, a webchat open now, one account per role")
    serve.set_defaults(func=cmd_serve)

    staff = sub.add_parser("staff", help="staff accounts").add_subparsers(dest="action",
                                                                          required=True)
    add = staff.add_parser("add", help="add a staff member (password from stdin or a prompt)")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, action="append",
                     help="moderator, lead, host or admin (repeat for several)")
    add.set_defaults(func=cmd_staff_add)

    webchat = sub.add_parser("webchat", help="webchats").add_subparsers(dest="action",
                                                                        required=True)
    create = webchat.add_parser("create", help="schedule a webchat")
    create.add_argument("--title", required=True)
    create.add_argument("--audience", required=True)
    create.add_argument("--opens", required=True, help="ISO 8601 with a time zone")
    create.add_argument("--closes", required=True, help="ISO 8601 with a time zone")
    create.set_defaults(func=cmd_webchat_create)
    listing = webchat.add_parser("list", help="list webchats")
    listing.set_defaults(func=cmd_webchat_list)

    screen_command.add_parser(sub)
    return parser


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise SafechatError("the passwords do not match")
        return first
    return sys.stdin.readline().rstrip("\n")


def with_store(settings: Settings, work: Callable[[Store], Awaitable[list[str]]]) -> int:
    """Open the configured store, run one command's work, close it, print the lines."""

    async def run() -> list[str]:
        store = await open_store(settings.database_url)
        try:
            return await work(store)
        finally:
            await store.close()

    for line in asyncio.run(run()):
        print(line)
    return 0


def cmd_staff_add(args: argparse.Namespace, settings: Settings) -> int:
    password = read_password()

    async def add(store: Store) -> list[str]:
        service = StaffService(store, ensure_secret(settings))
        staff = await service.do_add(args.username, password, args.role)
        return [f"added {staff.username} ({', '.join(staff.roles)})"]

    return with_store(settings, add)


def cmd_webchat_create(args: argparse.Namespace, settings: Settings) -> int:
    async def create(store: Store) -> list[str]:
        w = await WebchatService(store).do_create(args.title, args.audience, args.opens,
                                                  args.closes)
        return [f"{w.id}\t{w.state}\t{w.opens_at.isoformat()}\t{w.title}"]

    return with_store(settings, create)


def cmd_webchat_list(args: argparse.Namespace, settings: Settings) -> int:
    async def listing(store: Store) -> list[str]:
        return [
            f"{w.id}\t{w.state}\t{w.audience}\t{w.opens_at.isoformat()}\t"
            f"{w.closes_at.isoformat()}\t{w.title}"
            for w in await store.list_webchats()
        ]

    return with_store(settings, listing)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from web.app import create_app
    from web.demo import prepare_demo

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.demo:
        settings = asyncio.run(prepare_demo(settings))
    # Privacy: no access log, so no IP address or user agent is ever written for anyone.
    web.run_app(create_app(settings), host=settings.host, port=settings.port,
                access_log=None, print=lambda s: print(s, flush=True))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(f"safechat: invalid setting: {exc}", file=sys.stderr)
        return 2
    if args.command == "screen":
        return int(args.func(args))
    try:
        return int(args.func(args, settings))
    except SafechatError as exc:
        print(f"safechat: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
