"""Signing in: sessions with an expiry, CSRF tokens, slowed failed logins, the page's language.

The session is Starlette's signed cookie (``SessionMiddleware``, ``itsdangerous``): it holds
the user's name, when they signed in, their CSRF token and their language, never a
password. A session older than :data:`SESSION_SECONDS` counts as signed out whatever the
cookie's own age. Each sign-in gets a session id of its own; signing out ends that id on
the server (:class:`Revoked`), so a copy of the cookie taken before is worth nothing
after it, even though its signature still holds. Every form that changes something
(signing in and out) carries the session's CSRF token, compared in constant time. A name
that failed to sign in waits longer after each failure (:meth:`Throttle.delay`), so
guessing a password takes years.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import MutableMapping
from typing import Any

from chaingraph.catalogue import LANGUAGES

SESSION_SECONDS = 8 * 60 * 60
"""A working day: after it, sign in again."""
FAILURE_WINDOW = 15 * 60
"""Failures older than this (seconds) no longer slow a name down."""


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], given: object) -> bool:
    """True when ``given`` is the session's CSRF token.

    Example:
        >>> session = {}
        >>> token = csrf_token(session)
        >>> csrf_ok(session, token), csrf_ok(session, "forged"), csrf_ok({}, None)
        (True, False, False)
    """
    token = session.get("csrf")
    return isinstance(token, str) and isinstance(given, str) and \
        hmac.compare_digest(token.encode(), given.encode())


def signed_in(session: MutableMapping[str, Any], *, now: float | None = None) -> str | None:
    """The name of the user the session belongs to, None when nobody or expired."""
    name, since = session.get("user"), session.get("since")
    if not isinstance(name, str) or not isinstance(since, (int, float)):
        return None
    if (now if now is not None else time.time()) - since > SESSION_SECONDS:
        return None
    return name


def sign_in(session: MutableMapping[str, Any], name: str) -> None:
    """Start a new session for ``name`` (a new CSRF token; the language stays)."""
    lang = session.get("lang")
    session.clear()
    session.update(user=name, since=int(time.time()), csrf=secrets.token_urlsafe(32),
                   sid=secrets.token_urlsafe(16))
    if lang in LANGUAGES:
        session["lang"] = lang


def preferred_language(accept: str | None) -> str:
    """The language an ``Accept-Language`` header asks for among ours (English by default).

    Example:
        >>> preferred_language("nl-NL,nl;q=0.9,en;q=0.8"), preferred_language("de, en;q=0.5")
        ('nl', 'en')
        >>> preferred_language("en;q=0.3, nl-BE;q=0.7"), preferred_language(None)
        ('nl', 'en')
    """
    best, best_q = "en", -1.0
    for part in (accept or "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


class Throttle:
    """Counts failed sign-ins per name and says how long the next attempt must wait.

    Example:
        >>> t = Throttle(base=0.5, most=8.0)
        >>> t.delay("anna")
        0.0
        >>> for _ in range(3):
        ...     t.failed("anna")
        >>> t.delay("anna"), t.delay("bob")
        (2.0, 0.0)
        >>> t.succeeded("anna"); t.delay("anna")
        0.0
    """

    def __init__(self, *, base: float = 0.5, most: float = 8.0) -> None:
        self.base, self.most = base, most
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, []) if now - t < FAILURE_WINDOW]
        self._failures[key] = kept
        return kept

    def delay(self, key: str) -> float:
        """Seconds the next attempt for ``key`` waits: base × 2^(failures−1), at most ``most``."""
        with self._lock:
            n = len(self._recent(key.casefold(), time.monotonic()))
        return 0.0 if n == 0 else min(self.base * 2 ** (n - 1), self.most)

    def failed(self, key: str) -> None:
        """Note a failed attempt for ``key``."""
        with self._lock:
            now = time.monotonic()
            self._recent(key.casefold(), now).append(now)

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key``."""
        with self._lock:
            self._failures.pop(key.casefold(), None)


class Revoked:
    """The session ids signed out on this server, each kept until its session would expire.

    A signed cookie cannot be taken back from whoever holds a copy; the id it carries can
    be refused. Ids live in memory: a restart with a new signing secret (the default) ends
    every session anyway.

    Example:
        >>> session = {}
        >>> sign_in(session, "anna")
        >>> revoked = Revoked()
        >>> revoked.valid(session)
        True
        >>> revoked.end(session); revoked.valid(session), revoked.valid({"user": "old"})
        (False, False)
    """

    def __init__(self) -> None:
        self._ended: dict[str, float] = {}
        self._lock = threading.Lock()

    def end(self, session: MutableMapping[str, Any]) -> None:
        """Refuse the id of ``session`` from now on."""
        sid, since = session.get("sid"), session.get("since")
        if not isinstance(sid, str):
            return
        until = (since if isinstance(since, (int, float)) else time.time()) + SESSION_SECONDS
        with self._lock:
            now = time.time()
            self._ended = {k: v for k, v in self._ended.items() if v > now}
            self._ended[sid] = until

    def valid(self, session: MutableMapping[str, Any]) -> bool:
        """True for a session with an id that was not signed out."""
        sid = session.get("sid")
        if not isinstance(sid, str):
            return False
        with self._lock:
            return sid not in self._ended
