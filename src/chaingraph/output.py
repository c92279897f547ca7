"""Writing results: to stdout, or atomically to a file.

A file is written to a temporary sibling and moved into place with ``os.replace``,
so a reader never sees half a file and an existing file is only replaced when the
new one is complete.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` atomically, creating parent folders.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "out" / "report.txt"
        >>> write_atomic(target, "hello").read_text()
        'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


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
