"""The web app's speed on a generated store: the case page, the dashboard, the case list.

For each size: ``chaingraph generate --cases N`` and ``chaingraph load`` make a store
(kept in benchmarks/cache/, keyed by the generator's source; ``make bench`` keeps the store
its audit of a store loaded, so this one is not loaded twice), the app is started on it
in-process (Starlette's TestClient, a member of one organisation signed in) and each page
is asked for several times; the median is printed. The case page on a day other than the
audit's is asked for a new day each time (that case audited as of that day, not a page
kept from the ask before). The first start (every case read and audited, as ``chaingraph
audit --store DIR`` audits, on every core; the index written beside the store) and a start
on the stored index are timed too. The baseline, measured in the same run on the same cases,
is the first slice's approach: every case held in memory and filtered, sorted and counted
in Python for each request (``select``/``ordered`` for the list,
``by_rule_phase_organisation``/``by_month`` for the dashboard).

Targets (issue 14): the case page and the dashboard at most 200 ms on 100,000 cases, the
case list's first page at most 300 ms.

Usage: ``python benchmarks/web.py [--sizes 10000,100000] [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache"
SEED = 1


def chaingraph(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "chaingraph", *args], check=True,
                   stdout=subprocess.DEVNULL)


def _digest() -> str:
    from chaingraph import generator

    return hashlib.sha256(Path(generator.__file__).read_bytes()).hexdigest()[:10]


def store_path(n: int) -> Path:
    """Where the store of ``n`` generated cases is kept (benchmarks/run.py leaves the store
    of its audit of a store there)."""
    return CACHE / f"web-store-{n}-seed{SEED}-{_digest()}"


def store_of(n: int) -> Path:
    """A store of ``n`` generated cases, made once (generate, then load)."""
    store = store_path(n)
    if not store.is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        data = CACHE / f"cases-{n}-seed{SEED}-{_digest()}.ttl"  # as benchmarks/run.py names it
        started = time.perf_counter()
        if not data.exists():
            chaingraph("generate", "--cases", str(n), "--seed", str(SEED), "--output",
                       str(data))
        chaingraph("load", str(data), "--store", str(store))
        print(f"  made a store of {n:,} cases in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    return store


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm: the first call fills caches every later request finds filled
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(n: int, repeat: int) -> dict[str, float]:
    from argon2 import PasswordHasher
    from starlette.testclient import TestClient

    from chaingraph.backends import open_store
    from chaingraph.web import index
    from chaingraph.web.app import create_app
    from chaingraph.web.cases import (
        CaseBook,
        by_month,
        by_rule_phase_organisation,
        ordered,
        select,
    )
    from chaingraph.web.users import add_user

    store = store_of(n)
    out: dict[str, float] = {}
    graph = open_store(store, read_only=True)
    index.index_path(store).unlink(missing_ok=True)
    started = time.perf_counter()
    book = CaseBook(graph, store=store)
    out["first start, s"] = time.perf_counter() - started
    started = time.perf_counter()
    book = CaseBook(graph, store=store)
    out["start on the stored index, s"] = time.perf_counter() - started

    folder = Path(tempfile.mkdtemp())
    users = folder / "users.json"
    add_user(users, "bench", password="bench-password", graph=graph, organisation="politie",
             hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    client = TestClient(create_app(book, users=users, access_log=folder / "access.jsonl"))
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post("/login", data={"username": "bench", "password": "bench-password",
                                "csrf": token.group(1)})
    first = client.get("/cases")
    assert first.status_code == 200, first.status_code
    case = next(c for c in re.findall(r'href="/cases/([^"?/]+)"', first.text) if c != "new")

    def get(path: str) -> Callable[[], object]:
        def run() -> None:
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
        return run

    assert "<h1>" in client.get(f"/cases/{case}").text  # the case page itself
    out["case page, ms"] = median_ms(get(f"/cases/{case}"), repeat)
    start = date.fromisoformat(book.index.rows("SELECT start FROM cases WHERE id = ?",
                                                [case])[0][0])
    days = (start + timedelta(days=i) for i in itertools.count(1))

    def on_a_day() -> None:  # a new day each time: that case audited again
        answer = client.get(f"/cases/{case}?at={next(days).isoformat()}")
        assert answer.status_code == 200, answer.status_code

    out["case page on a day, ms"] = median_ms(on_a_day, repeat)
    out["dashboard, ms"] = median_ms(get("/audit"), repeat)
    out["case list, first page, ms"] = median_ms(get("/cases"), repeat)
    out["case list, sorted by audit, page 2, ms"] = median_ms(get("/cases?sort=-audit&page=2"),
                                                              repeat)

    # the baseline: every case in memory, filtered and counted in Python per request
    user = client.app.state.settings.users.get()["bench"]  # type: ignore[attr-defined]
    everything = book.cases  # read into memory once, as the first slice did at startup

    def old_list() -> None:
        visible = [e for e in everything.values() if user.organisation in e.organisations]
        chosen = ordered(select(visible, today=book.today), "id")
        chosen[:50]

    def old_dashboard() -> None:
        visible = [e for e in everything.values() if user.organisation in e.organisations]
        by_rule_phase_organisation(visible)
        by_month(visible, today=book.today)

    def new_list() -> None:
        book.page(user, limit=50)

    def new_dashboard() -> None:
        book.dashboard(user)

    out["list data, in memory (baseline), ms"] = median_ms(old_list, repeat)
    out["list data, index, ms"] = median_ms(new_list, repeat)
    out["dashboard data, in memory (baseline), ms"] = median_ms(old_dashboard, repeat)
    out["dashboard data, index, ms"] = median_ms(new_dashboard, repeat)
    return out


def report(results: dict[int, dict[str, float]]) -> str:
    sizes = sorted(results)
    lines = ["| web app (store) | " + " | ".join(f"{n:,} cases" for n in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for key in results[sizes[0]]:
        lines.append(f"| {key} | " + " | ".join(f"{results[n][key]:.1f}" for n in sizes) + " |")
    for what in ("list", "dashboard"):
        ratios = [results[n][f"{what} data, in memory (baseline), ms"]
                  / max(results[n][f"{what} data, index, ms"], 1e-3) for n in sizes]
        lines.append(f"| {what} data: baseline / index | "
                     + " | ".join(f"{r:.1f}x" for r in ratios) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"web app, {n:,} cases:", file=sys.stderr)
        results[n] = measure(n, args.repeat)
        print(f"  {results[n]}", file=sys.stderr)
    text = report(results)
    print(text)
    return text


if __name__ == "__main__":
    main()
