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

try:
    __version__ = _metadata.version("chaingraph")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
    "BadParameter",
    "CG",
    "ChaingraphError",
    "MON",
    "MissingPath",
    "MissingTool",
    "PRS",
    "SourceError",
    "UnknownCase",
    "UnknownName",
    "UnknownPhase",
    "UnknownQuery",
    "UnknownRole",
    "UnknownTerm",
    "__version__",
    "load",
    "load_dataset",
]
