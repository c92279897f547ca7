"""The access log: one JSON line per view of a case (who, which case, when, shown or not).

Lines are appended to the file with ``O_APPEND`` and flushed one at a time, so a line is
never half written and several app processes could share a file. A view of a case the
user may not see is logged too (``shown: false``): it is what an auditor of access wants
to find.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path


class AccessLog:
    """Append-only log of case views at ``path`` (folders made as needed)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def record(self, *, user: str, organisation: str, case: str, shown: bool,
               when: dt.datetime | None = None) -> None:
        """Append one view: ``user`` of ``organisation`` asked for ``case``.

        Example:
            >>> import tempfile
            >>> log = AccessLog(Path(tempfile.mkdtemp()) / "access.jsonl")
            >>> log.record(user="anna", organisation="VTRR", case="FX-001", shown=True,
            ...            when=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
            >>> log.path.read_text()
            '{"when": "2026-01-02T03:04:05Z", "user": "anna", "organisation": "VTRR", \
"case": "FX-001", "shown": true}\\n'
        """
        when = when or dt.datetime.now(dt.UTC)
        line = json.dumps({"when": when.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                           "user": user, "organisation": organisation, "case": case,
                           "shown": shown}, ensure_ascii=False) + "\n"
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)

    def entries(self) -> list[dict[str, object]]:
        """Every line of the log, read back."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
