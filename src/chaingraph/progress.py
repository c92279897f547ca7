"""A progress bar for long loads and audits: on a terminal only, quiet when piped.

The bar goes to stderr, shows the count, the total when known and the rate, and is
redrawn at most ten times a second so it costs nothing measurable. When stderr is
not a terminal (a pipe, a log file, a test) nothing is written at all.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from chaingraph.catalogue import DEFAULT, entries, text

language = DEFAULT  # the bars' words: the command line sets its --lang (en or nl) here


def word(key: str, **params: object) -> str:
    """A bar's word in :data:`language`: ``key`` of ``catalogue/progress.toml``, or ``key``
    itself when the catalogue has no such word.

    Example:
        >>> word("cases"), word("load", name="region.ttl")
        ('cases', 'load region.ttl')
    """
    if f"progress.{key}" not in entries():
        return key
    return text(f"progress.{key}", language, **params)


class Progress:
    """Count work done and show it as ``label [#####     ] 5,000/10,000 cases 1,234/s``.

    Use as a context manager; call :meth:`update` with the running count (or
    :meth:`advance` with an increment). ``label`` and ``unit`` are words of the
    catalogue (:func:`word`, with ``params`` for the label), said in :data:`language`.

    Example:
        >>> import io
        >>> with Progress("load", total=3, stream=io.StringIO()) as bar:
        ...     bar.advance(3)
        >>> bar.count
        3
    """

    def __init__(self, label: str, *, total: int | None = None, unit: str = "",
                 stream: TextIO | None = None, enabled: bool | None = None,
                 **params: object) -> None:
        self.label = word(label, **params)
        self.total = total
        self.unit = word(unit) if unit else ""
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.count = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def __enter__(self) -> Progress:
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, count: int) -> None:
        """Set the running count."""
        self.count = count
        if self.enabled:
            now = time.monotonic()
            if now - self._drawn >= 0.1:
                self._drawn = now
                self._draw(now)

    def advance(self, step: int = 1) -> None:
        """Add ``step`` to the count."""
        self.update(self.count + step)

    def render(self, now: float | None = None) -> str:
        """Return the bar's text.

        Example:
            >>> bar = Progress("audit", total=10, unit="cases", enabled=False)
            >>> bar.count = 5
            >>> bar.render(now=bar.started + 2.0)
            'audit [##########          ] 5/10 cases, 2/s'
        """
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.started, 1e-9)
        rate = self.count / elapsed
        unit = f" {self.unit}" if self.unit else ""
        if self.total:
            done = min(self.count / self.total, 1.0)
            bar = "#" * int(20 * done)
            return (f"{self.label} [{bar:<20}] {self.count:,}/{self.total:,}{unit}, "
                    f"{rate:,.0f}/s")
        return f"{self.label} {self.count:,}{unit}, {rate:,.0f}/s, {elapsed:.0f} s"

    def _draw(self, now: float) -> None:
        self.stream.write("\r" + self.render(now) + "\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line (on a terminal)."""
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
