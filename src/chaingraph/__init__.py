"""chaingraph: the chain approach to (ex-)partner stalking as a knowledge graph.

The public API is this module's ``__all__``; everything else is private and may change.
"""

from importlib import metadata as _metadata

from chaingraph.errors import (
    BadParameter,
    ChaingraphError,
    MissingPath,
    MissingTool,
    SourceError,
    UnknownCase,
    UnknownName,
    UnknownPhase,
    UnknownQuery,
    UnknownRole,
    UnknownTerm,
)
from chaingraph.graph import load, load_dataset
from chaingraph.namespace import CG, MON, PRS

# Heavier parts (pyshacl, owlready2, networkx) load on first use, so `chaingraph who`
# and `import chaingraph` stay fast (PEP 562 module __getattr__).
_LAZY = {
    "AuditReport": "chaingraph.findings",
    "AuditViolations": "chaingraph.findings",
    "Finding": "chaingraph.findings",
    "Responsibilities": "chaingraph.responsibility",
    "audit": "chaingraph.audit",
    "case_graph": "chaingraph.casegraph",
    "list_queries": "chaingraph.queries",
    "reason": "chaingraph.reasoning",
    "responsibilities": "chaingraph.responsibility",
    "run_query": "chaingraph.queries",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chaingraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


try:
    __version__ = _metadata.version("chaingraph")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
    "AuditReport",
    "AuditViolations",
    "BadParameter",
    "CG",
    "ChaingraphError",
    "Finding",
    "MON",
    "MissingPath",
    "MissingTool",
    "PRS",
    "Responsibilities",
    "SourceError",
    "UnknownCase",
    "UnknownName",
    "UnknownPhase",
    "UnknownQuery",
    "UnknownRole",
    "UnknownTerm",
    "__version__",
    "audit",
    "case_graph",
    "list_queries",
    "load",
    "load_dataset",
    "reason",
    "responsibilities",
    "run_query",
]
