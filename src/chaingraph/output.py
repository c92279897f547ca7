"""Writing results atomically to a file (the command line sends them to stdout otherwise).

A file is written to a temporary sibling and moved into place with ``os.replace``,
so a reader never sees half a file and an existing file is only replaced when the
new one is complete.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` atomically, creating parent folders.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "out" / "report.txt"
        >>> write_atomic(target, "hello").read_text()
        'hello'
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    with open_atomic(path, "wb") as handle:
        handle.write(data)
    return Path(path)


@contextlib.contextmanager
def open_atomic(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; move it onto ``path`` on success.

    On an error (or Ctrl-C) the temporary file goes and ``path`` stays as it was. The
    file gets the usual mode (0666 less the umask), not ``mkstemp``'s 0600.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "cases.ttl"
        >>> with open_atomic(target) as out:
        ...     _ = out.write("# nothing yet")
        >>> target.read_text()
        '# nothing yet'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding, buffering=1 << 20) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
