"""Named SPARQL queries: the files in ``queries/``, as ``chaingraph query`` runs them.

The work is done by one module per concept, whose public names this module
re-exports so that ``from chaingraph.queries import run_query`` keeps working:

- :mod:`chaingraph.queryfiles`: the ``.rq`` files (the file convention, read once);
- :mod:`chaingraph.sparql`: binding parameters and running a query on any backend;
- :mod:`chaingraph.results`: the rows and their formats (table, JSON, CSV);
- :mod:`chaingraph.names`: a user's names for things and cases turned into IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chaingraph.errors import BadParameter
from chaingraph.names import case_ids, find_case, resolve
from chaingraph.queryfiles import (
    LITERAL_TYPES,
    Param,
    QueryInfo,
    find_query,
    list_queries,
    read_query,
)
from chaingraph.results import FORMATS, Result
from chaingraph.sparql import bind, execute, parse_date, run_query, with_values

__all__ = ["FORMATS", "LITERAL_TYPES", "Param", "QueryInfo", "Result", "bind", "case_ids",
           "execute", "find_case", "find_query", "list_queries", "parse_date", "parse_params",
           "read_query", "render_list", "resolve", "run_query", "with_values"]


# ---------------------------------------------------------------- listing and parameters

def render_list(queries: Iterable[QueryInfo]) -> str:
    """Return the ``--list`` text: each query, what it answers and its parameters."""
    lines = []
    for info in queries:
        lines.append(f"{info.name}")
        lines.append(f"    {info.description}")
        for p in info.params:
            lines.append(f"    --param {p.name}=…  {p.describe()}: {p.description}")
        lines.append("")
    return "\n".join(lines).rstrip()


def parse_params(items: Sequence[str]) -> dict[str, str]:
    """Turn ``name=value`` strings into a dict; a missing '=' is a BadParameter."""
    result: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise BadParameter(key="not_name_value", item=item)
        result[name.strip()] = value
    return result
