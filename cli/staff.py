"""``station staff``: fleet dashboard accounts, their lockouts and their authenticators."""

from __future__ import annotations

import argparse
import sys

from config.settings import BackendSettings


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    password = getpass.getpass("password: ")
    if getpass.getpass("again: ") != password:
        raise SystemExit("the passwords differ")
    return password


def _staff_add(args: argparse.Namespace) -> int:
    from backend.commands import add_staff_command
    from backend.errors import DomainError

    try:
        add_staff_command(BackendSettings(), args.username, _read_password(args), args.role)
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"staff user {args.username} added as {args.role}")
    return 0


def _staff_list(args: argparse.Namespace) -> int:
    from backend.commands import list_staff_command

    print(list_staff_command(BackendSettings()))
    return 0


def _staff_passwd(args: argparse.Namespace) -> int:
    from backend.commands import set_staff_password_command
    from backend.errors import DomainError

    try:
        set_staff_password_command(BackendSettings(), args.username, _read_password(args))
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"password of {args.username} changed; their sessions ended")
    return 0


def _staff_unlock(args: argparse.Namespace) -> int:
    from backend.commands import unlock_staff_command
    from backend.errors import DomainError

    try:
        unlock_staff_command(BackendSettings(), args.username)
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{args.username} may log in again at once")
    return 0


def _staff_reset_2fa(args: argparse.Namespace) -> int:
    from backend.commands import reset_staff_2fa_command
    from backend.errors import DomainError

    try:
        reset_staff_2fa_command(BackendSettings(), args.username)
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"authenticator of {args.username} removed; they set up a new one at their next login")
    return 0


def add_staff_commands(sub: argparse._SubParsersAction) -> None:
    staff = sub.add_parser("staff", help="fleet dashboard accounts")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["operator", "technician", "viewer"])
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=_staff_add)
    staff_sub.add_parser("list", help="every account").set_defaults(func=_staff_list)
    passwd = staff_sub.add_parser("passwd", help="set an account's password")
    passwd.add_argument("username")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    passwd.set_defaults(func=_staff_passwd)
    unlock = staff_sub.add_parser("unlock", help="end an account's login delays and lockout")
    unlock.add_argument("username")
    unlock.set_defaults(func=_staff_unlock)
    reset = staff_sub.add_parser(
        "reset-2fa", help="remove an account's authenticator; it enrols again at next login"
    )
    reset.add_argument("username")
    reset.set_defaults(func=_staff_reset_2fa)
