"""`kiosk-central staff ...`: staff accounts of the staff web, a thin client of central.web.auth.

    kiosk-central staff add --username U --role R [--location L ...]   password from a prompt
                                                                      (asked twice) or stdin
    kiosk-central staff list
    kiosk-central staff change --username U [--password] [--unlock] [--disable | --enable]

The lead wires it into central/cli.py's ``build_parser`` with ``add_commands(sub)``.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from central.web.auth import ROLES, Accounts, StaffError
from central.web.schema import migrate
from central.web.settings import WebSettings


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("staff", help="staff web accounts")
    ssub = p.add_subparsers(dest="action", required=True)
    a = ssub.add_parser("add", help="add a staff account (password from a prompt or stdin)")
    a.add_argument("--username", required=True)
    a.add_argument("--role", required=True, choices=sorted(ROLES))
    a.add_argument("--location", action="append", default=[],
                   help="a ward manager's location code (repeat for several)")
    a.set_defaults(run=cmd_staff_add)
    ssub.add_parser("list", help="list staff accounts").set_defaults(run=cmd_staff_list)
    c = ssub.add_parser("change", help="new password, unlock, disable or enable an account")
    c.add_argument("--username", required=True)
    c.add_argument("--password", action="store_true", help="set a new password (prompt/stdin)")
    c.add_argument("--unlock", action="store_true", help="end a lock-out after wrong passwords")
    c.add_argument("--disable", action="store_true", help="stop the account signing in")
    c.add_argument("--enable", action="store_true", help="let a disabled account sign in again")
    c.set_defaults(run=cmd_staff_change)


def _accounts(args: argparse.Namespace) -> Accounts:
    from central.cli import database_url  # here: central.cli imports this module
    from central.db import Database

    db = Database.open(database_url(args))
    db.migrate()
    migrate(db)
    return Accounts(db, WebSettings())


def read_password(stream: object = None) -> str:
    stream = stream or sys.stdin
    if stream.isatty():  # type: ignore[attr-defined]
        first = getpass.getpass("Password (12 characters or more): ")
        if getpass.getpass("The same password again: ") != first:
            raise StaffError("the two passwords were not the same; nothing was saved")
        return first
    return stream.readline().rstrip("\r\n")  # type: ignore[attr-defined]


def cmd_staff_add(args: argparse.Namespace) -> int:
    password = read_password()
    _accounts(args).add(args.username.strip().lower(), args.role, password,
                        tuple(args.location))  # fmt: skip
    where = f" for {', '.join(args.location)}" if args.location else ""
    print(f"Added {args.username} as {ROLES[args.role]}{where}.")
    return 0


def cmd_staff_change(args: argparse.Namespace) -> int:
    if args.disable and args.enable:
        raise StaffError("--disable and --enable together make no sense: choose one")
    if not (args.password or args.unlock or args.disable or args.enable):
        raise StaffError("say what to change: --password, --unlock, --disable or --enable")
    password = read_password() if args.password else None
    disable = True if args.disable else (False if args.enable else None)
    _accounts(args).change(args.username.strip().lower(), password=password,
                           unlock=args.unlock, disable=disable)  # fmt: skip
    print(f"Changed {args.username}.")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    for username, role, locations, state in _accounts(args).list():
        extra = f" ({', '.join(locations)})" if locations else ""
        print(f"{username}\t{ROLES[role]}{extra}{'  ' + state.upper() if state else ''}")
    return 0
