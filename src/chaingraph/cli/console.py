"""Where the command line's output goes: results to stdout or a file, notes to stderr."""

from __future__ import annotations

import sys
from pathlib import Path

from chaingraph.output import write_atomic


def emit(content: str | bytes, output: str | Path | None = None) -> None:
    """Send ``content`` to ``output`` (atomically) or, when it is None or '-', to stdout."""
    if output is not None and str(output) != "-":
        write_atomic(output, content)
        return
    if isinstance(content, bytes):
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        sys.stdout.write(content if content.endswith("\n") or not content else content + "\n")
        sys.stdout.flush()


def note(line: str) -> None:
    """Say ``line`` on stderr: a note beside the result, or an error."""
    print(line, file=sys.stderr, flush=True)
