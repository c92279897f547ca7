"""Writing results atomically to a file (the command line sends them to stdout otherwise).

A file is written to a temporary sibling and moved into place with ``os.replace``,
so a reader never sees half a file and an existing file is only replaced when the
new one is complete.

What is not a regular file is not replaced:

- a character or block device or a FIFO (``/dev/null``, a named pipe) is written through,
  as a shell's ``>`` would;
- a symbolic link is followed: its target is written atomically and the link stays
  (:func:`link_target` tells the caller, who says so);
- a folder, an empty name or a name ending in ``/`` is a :class:`BadParameter`, and so is a
  place that cannot be written (``/proc``, a read-only disk, a missing permission): one
  sentence, nothing written.

The temporary sibling is named ``.NAME.PID.XXXX.tmp``. A run killed outright (SIGKILL, a
power cut) cannot remove its own; the next write to the same file removes those whose process
is gone and tells :data:`on_leftover` (the command line says so on stderr).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from chaingraph.errors import BadParameter

# Errors of the disk rather than of the program: said as "cannot write", not raised as they are.
_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}

on_leftover: Callable[[Path, int], None] | None = None
"""Told of each temporary file of a dead run that a write removed (the file, its pid)."""


def alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (this one does; one we may not signal is taken as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(path: str | Path) -> list[Path]:
    """Remove the temporary siblings of ``path`` that runs now gone left; return them.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> dead = folder / ".cases.ttl.999999999.ab12cd.tmp"
        >>> _ = dead.write_text("half a file")
        >>> [p.name for p in remove_leftovers(folder / "cases.ttl")], dead.exists()
        (['.cases.ttl.999999999.ab12cd.tmp'], False)
    """
    path = Path(path)
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.[^./]+\.tmp")
    removed: list[Path] = []
    try:
        siblings = sorted(path.parent.iterdir())
    except OSError:
        return removed
    for sibling in siblings:
        found = pattern.fullmatch(sibling.name)
        if found is None or alive(int(found[1])) or not sibling.is_file():
            continue
        sibling.unlink(missing_ok=True)
        removed.append(sibling)
        if on_leftover is not None:
            on_leftover(sibling, int(found[1]))
    return removed


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` atomically, creating parent folders.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "out" / "report.txt"
        >>> write_atomic(target, "hello").read_text()
        'hello'

    Raises:
        BadParameter: ``path`` is empty, a folder, or cannot be written.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    with open_atomic(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def check_target(path: str | Path) -> Path:
    """Return where writing ``path`` goes: ``path``, or the target of the link it is.

    Example:
        >>> try:
        ...     check_target("reports/")
        ... except BadParameter as error:
        ...     print(error)
        reports/ is a folder; name a file in it, e.g. reports/output.txt

    Raises:
        BadParameter: the name is empty, ends in ``/`` or names a folder.
    """
    text = os.fspath(path)
    if not text.strip():
        raise BadParameter(key="output_empty")
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        raise BadParameter(key="output_folder", path=text,
                           example=os.path.join(text, "output.txt"))
    target = link_target(text)
    if target is not None and target.is_dir():
        raise BadParameter(key="output_folder", path=text,
                           example=os.path.join(target, "output.txt"))
    return Path(text) if target is None else target


def check_writable(path: str | Path) -> Path:
    """:func:`check_target`, and whether a file can be made there, before any work is done.

    A temporary file is made and removed in the nearest folder that exists; nothing is
    left behind. Returns where writing goes.

    Raises:
        BadParameter: as :func:`check_target`, or the place cannot be written (``/proc``,
            a read-only disk, a missing permission).
    """
    target = check_target(path)
    if _special(target):
        return target
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        fd, probe = tempfile.mkstemp(prefix=".chaingraph-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    return target


def link_target(path: str | Path) -> Path | None:
    """The file a symbolic link ``path`` leads to (it may not exist yet); None for no link.

    Example:
        >>> import tempfile, pathlib, os
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> os.symlink(folder / "real.txt", folder / "link.txt")
        >>> link_target(folder / "link.txt") == folder / "real.txt", link_target(folder / "x")
        (True, None)
    """
    path = Path(path)
    if not path.is_symlink() or _special(path):  # /dev/stdout: written through, link and all
        return None
    return Path(os.path.realpath(path))


def is_special(path: str | Path) -> bool:
    """Whether ``path`` is a device or FIFO (written through, never replaced)."""
    return _special(Path(path))


def _special(path: Path) -> bool:
    """Whether ``path`` is a device or FIFO (written through, never replaced)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _unwritable(path: str | Path, exc: OSError) -> BadParameter:
    why = exc.strerror or str(exc) or exc.__class__.__name__
    return BadParameter(key="output_unwritable", path=os.fspath(path), why=why)


@contextlib.contextmanager
def open_atomic(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; move it onto ``path`` on success.

    On an error (or Ctrl-C) the temporary file goes and ``path`` stays as it was. The
    file gets the usual mode (0666 less the umask), not ``mkstemp``'s 0600. A device or
    FIFO is written through; a symbolic link's target is written (see the module).

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "cases.ttl"
        >>> with open_atomic(target) as out:
        ...     _ = out.write("# nothing yet")
        >>> target.read_text()
        '# nothing yet'

    Raises:
        BadParameter: ``path`` is empty, a folder, or cannot be written.
    """
    given = path
    path = check_target(path)
    encoding = None if "b" in mode else "utf-8"
    if _special(path):
        try:
            handle = open(path, mode, encoding=encoding)  # noqa: SIM115 - closed below
        except OSError as exc:
            raise _unwritable(given, exc) from None
        with handle:
            yield handle
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                                   dir=path.parent)
    except OSError as exc:
        raise _unwritable(given, exc) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, mode, encoding=encoding, buffering=1 << 20) as handle:
            try:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                if exc.errno in _DISK_ERRORS:
                    raise _unwritable(given, exc) from None
                raise
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _unwritable(given, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
