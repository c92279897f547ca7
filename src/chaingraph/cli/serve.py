"""``chaingraph serve``: the web app (:mod:`chaingraph.web`) on the data, a store or an endpoint."""

from __future__ import annotations

import argparse
from pathlib import Path

from chaingraph.catalogue import text
from chaingraph.cli.options import add_backend, add_paths, metavar, open_graph
from chaingraph.errors import BadParameter

LOCAL = "127.0.0.1"


def add_arguments(parser: argparse.ArgumentParser, lang: str = "en") -> None:
    add_paths(parser, lang)
    parser.add_argument("--users", metavar=metavar("file", lang),
                        help=text("cli.serve.users", lang))
    parser.add_argument("--open", action="store_true", dest="open_mode",
                        help=text("cli.serve.open", lang))
    parser.add_argument("--host", default=LOCAL, metavar=metavar("host", lang),
                        help=text("cli.serve.host", lang))
    parser.add_argument("--port", type=int, default=8000, metavar=metavar("port", lang),
                        help=text("cli.serve.port", lang))
    parser.add_argument("--access-log", metavar=metavar("file", lang),
                        help=text("cli.serve.access_log", lang))
    parser.add_argument("--secure-cookies", action="store_true",
                        help=text("cli.serve.secure_cookies", lang))
    add_backend(parser, lang)


def access_log_path(users: str | None, given: str | None) -> Path:
    """The access log: as given, else beside the users file, else in the current folder."""
    if given:
        return Path(given)
    if users:
        path = Path(users)
        return path.with_name(path.stem + "-access.jsonl")
    return Path("chaingraph-access.jsonl")


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from chaingraph.cli.console import note
    from chaingraph.web.app import create_app
    from chaingraph.web.cases import CaseBook
    from chaingraph.web.users import read_users

    if args.users is None and not args.open_mode:
        raise BadParameter(key="serve_needs_users")
    if args.open_mode and args.users is None and args.host != LOCAL:
        raise BadParameter(key="open_not_local", host=args.host)
    if args.users is not None and not read_users(args.users):
        raise BadParameter(key="no_users", path=args.users)
    graph = open_graph(args, args.paths)
    if args.store is not None and (path := CaseBook.must_build(args.store)) is not None:
        note(text("cli.serve.first_start", args.lang, path=path))
    book = CaseBook(graph, store=args.store, progress=True)
    app = create_app(book, users=args.users, open_mode=args.open_mode and args.users is None,
                     access_log=access_log_path(args.users, args.access_log),
                     secure_cookies=args.secure_cookies)
    note(text("cli.serve.listening", args.lang, cases=len(book.ids()), host=args.host,
              port=args.port))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
