"""``chaingraph users``: add, remove and list the users of ``chaingraph serve``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from chaingraph.catalogue import LANGUAGES, text
from chaingraph.cli.console import emit, note
from chaingraph.cli.options import add_format, metavar
from chaingraph.errors import BadParameter


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    actions = parser.add_subparsers(dest="action", required=True,
                                    metavar=text("cli.users.action", lang))
    # chaingraph's Parser speaks the language of the run; a plain ArgumentParser takes no lang
    language: dict[str, Any] = {"lang": lang} if hasattr(parser, "lang") else {}
    for action in ("add", "remove", "list"):
        sub = actions.add_parser(action, help=text(f"cli.users.{action}", lang),
                                 description=text(f"cli.users.{action}", lang), **language)
        sub.add_argument("--lang", choices=LANGUAGES, default="en",
                         help=text("cli.main.lang", lang))
        if action != "list":
            sub.add_argument("name", metavar=metavar("name", lang),
                             help=text("cli.users.name", lang))
        sub.add_argument("--users", required=True, metavar=metavar("file", lang),
                         help=text("cli.users.file", lang))
        if action == "add":
            sub.add_argument("--organisation", metavar=metavar("org", lang),
                             help=text("cli.users.organisation", lang))
            sub.add_argument("--role", choices=("member", "chain"), default="member",
                             help=text("cli.users.role", lang))
            sub.add_argument("--password-stdin", action="store_true",
                             help=text("cli.users.password_stdin", lang))
        if action == "list":
            add_format(sub, lang, ("text", "json"), "text")


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(text("cli.users.password", args.lang))
    if getpass.getpass(text("cli.users.again", args.lang)) != first:
        raise BadParameter(key="passwords_differ")
    return first


def run(args: argparse.Namespace) -> int:
    from chaingraph.web.users import add_user, read_users, remove_user

    if args.action == "add":
        from chaingraph import load

        password = _password(args)
        user = add_user(args.users, args.name, password=password, graph=load(),
                        organisation=args.organisation, role=args.role)
        note(text("cli.users.added", args.lang, name=user.name, role=user.role,
                  organisation=user.organisation_name, path=args.users))
    elif args.action == "remove":
        remove_user(args.users, args.name)
        note(text("cli.users.removed", args.lang, name=args.name, path=args.users))
    else:
        users = sorted(read_users(args.users).values(), key=lambda u: u.name)
        if args.format == "json":
            emit(json.dumps([{"name": u.name, "role": u.role, "organisation": u.organisation,
                              "organisation_name": u.organisation_name} for u in users],
                            indent=2, ensure_ascii=False))
        elif users:
            width = max(len(u.name) for u in users)
            emit("\n".join(f"{u.name.ljust(width)}  {u.role:<6}  {u.organisation_name}"
                           for u in users))
        else:
            emit(text("cli.users.none", args.lang))
    return 0
