"""``chaingraph export``: collaboration graphs and case timelines for learning sessions.

``chaingraph export WHAT [--case ID] --format FORMAT [--output FILE]``, WHAT one of
collaboration, case, timeline, chain. Without personal data: persons appear only as
their role. The heavy modules (views, formats, ArchiMate, HTML) load only when a
command runs.
"""

from __future__ import annotations

import argparse

WHATS = ("collaboration", "case", "timeline", "chain")
FORMAT_NAMES = ("graphml", "gexf", "dot", "svg", "png", "node-link", "cytoscape", "mermaid", "csv",
                "turtle", "jsonld", "archimate", "archimate-csv", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", metavar="WHAT", help=f"what to export: {', '.join(WHATS)}")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="case files or folders (default: the bundled example cases)")
    parser.add_argument("--case", metavar="ID", help="the case (required for case and timeline; "
                        "restricts collaboration to one case)")
    parser.add_argument("--format", metavar="FORMAT", help=f"one of: {', '.join(FORMAT_NAMES)}")
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write here (atomically) instead of to stdout; archimate-csv is a zip")
    parser.add_argument("--pseudonymise", metavar="KEYFILE",
                        help="INTERNAL USE ONLY, not for learning sessions: add keyed pseudonyms "
                             "(HMAC-SHA256 under the key in KEYFILE) of the persons to the case export")
    from chaingraph.backends import add_backend_arguments

    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from chaingraph.errors import BadParameter
    from chaingraph.export.content import UnknownFormat, UnknownView, export
    from chaingraph.export.privacy import keyed, read_key
    from chaingraph.backends import graph_from_args
    from chaingraph.output import emit

    if args.what not in WHATS:
        raise UnknownView(args.what, WHATS)
    if args.format is None:
        raise BadParameter(f"--format is required; formats: {', '.join(FORMAT_NAMES)}")
    if args.format not in FORMAT_NAMES:
        raise UnknownFormat(args.format, FORMAT_NAMES)
    pseudonymise = keyed(read_key(args.pseudonymise)) if args.pseudonymise else None
    graph = graph_from_args(args)
    if args.what == "collaboration" and not args.case:
        _say_index(graph, args)
    content = export(graph, args.what, args.format, case_id=args.case, lang=args.lang,
                     pseudonymise=pseudonymise)
    emit(content, args.output)
    return 0


_INDEXED = {
    "en": "chaingraph: case memberships from the store's index, built {when} by 'chaingraph load'; "
          "after other tools wrote to the store, run 'chaingraph load --store {store} --reindex'",
    "nl": "chaingraph: casusdeelname uit de index van de store, gebouwd {when} door 'chaingraph load'; "
          "schreven andere tools sindsdien in de store, draai dan 'chaingraph load --store {store} --reindex'",
}
_OUTDATED = {
    "en": "chaingraph: the store's index of case memberships is from another chaingraph version "
          "and is not used (slower); run 'chaingraph load --store {store} --reindex'",
    "nl": "chaingraph: de index van casusdeelname in de store is van een andere chaingraph-versie "
          "en wordt niet gebruikt (trager); draai 'chaingraph load --store {store} --reindex'",
}

_NO_INDEX = {
    "en": "chaingraph: this store has no index of case memberships, so they are read from the data "
          "(slower for a region); 'chaingraph load --store {store} --reindex' adds one",
    "nl": "chaingraph: deze store heeft geen index van casusdeelname, die wordt dus uit de data gelezen "
          "(trager voor een regio); 'chaingraph load --store {store} --reindex' voegt er een toe",
}


def _say_index(graph: object, args: argparse.Namespace) -> None:
    """Say on stderr where the collaboration graph of a store gets its case memberships."""
    import sys

    from chaingraph import memberships
    from chaingraph.backends import native_store
    from chaingraph.language import pick

    store = native_store(graph)  # type: ignore[arg-type]
    if store is None:
        return
    usable, when = memberships.state(store)
    if usable == "none" and not args.store:  # files loaded for this command: never indexed
        return
    text = pick({"usable": _INDEXED, "outdated": _OUTDATED, "none": _NO_INDEX}[usable], args.lang)
    print(text.format(when=when, store=args.store or "DIR"), file=sys.stderr)
