"""``make bench``: the naive baseline against chaingraph's fastest path, in one run.

Generates 100, 1k, 10k and 100k cases (cached in benchmarks/cache/, keyed by the
generator's source), then measures every figure in a fresh subprocess (so peak memory,
``ru_maxrss``, belongs to that measurement alone) and prints one table; the table and
the machine are written to benchmarks/RESULTS.md. Every chaingraph figure is the
product's own function, the one the command line calls.

- baseline: rdflib parses the Turtle, pySHACL validates the whole graph
  (``inference="none"``); ``who`` and the collaboration graph on that rdflib graph. Run
  at every size up to 10k; a run that exceeds the cap is stopped, and the figure is
  reported as a lower bound (``> N s``), which makes the ratio a lower bound too.
- chaingraph: ``chaingraph.audit.audit_files`` from Turtle to findings (what
  ``chaingraph audit FILE --engine sparql`` runs: cases in small Oxigraph stores, on
  every core); the whole data loaded into one in-memory Oxigraph store for ``who``
  (``responsibilities``, what ``chaingraph who`` prints), the one-case re-audit and the
  collaboration graph (``export.views.collaboration``); findings compared with the
  seeded flaws. The audit is also run from a store ``chaingraph load`` made and, up to
  10k, from an Oxigraph server's SPARQL endpoint (started and stopped here).

Usage: ``python benchmarks/run.py [--sizes 1000,10000,100000] [--cap SECONDS]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / "cache"
SEED = 1
# rdflib needs about 13.5 GiB and 11 minutes only to parse 100k cases (../shared/STACK-NOTES.md)
BASELINE_UP_TO = 10_000
ENDPOINT_UP_TO = 10_000  # the endpoint audit: an Oxigraph server of each size up to this one
WEB_FROM = 10_000  # benchmarks/web.py: the web app on stores of at least this many cases


def cached_cases(n: int) -> Path:
    from chaingraph import generator

    digest = hashlib.sha256(Path(generator.__file__).read_bytes()).hexdigest()[:10]
    path = CACHE / f"cases-{n}-seed{SEED}-{digest}.ttl"
    if not path.exists():
        started = time.perf_counter()
        generator.generate(n, path, seed=SEED)
        print(f"  generated {n:,} cases in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


# --- measurements, each run in its own process -------------------------------------------


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # parent + largest worker (an upper bound of the sum)


def _case_ids(n: int, k: int = 20) -> list[str]:
    width = max(5, len(str(n)))
    step = max(n // k, 1)
    return [f"GX-{i:0{width}d}" for i in range(1, n + 1, step)][:k]


def _partial(out: dict) -> None:
    """Print what is measured so far: a stopped baseline still reports its first figures."""
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


def _who_ms(graph, n: int, k: int) -> tuple[float, float]:
    """Median of ``who`` over k cases: the core query alone, and the whole command function."""
    from chaingraph.queries import run_query
    from chaingraph.responsibility import responsibilities

    query, whole = [], []
    for case in _case_ids(n, k):
        t = time.perf_counter()
        rows = run_query(graph, "case-responsibilities", case=case).rows
        query.append(time.perf_counter() - t)
        t = time.perf_counter()
        answer = responsibilities(graph, case)
        whole.append(time.perf_counter() - t)
        assert rows and answer.phases, case
    return statistics.median(query) * 1000, statistics.median(whole) * 1000


def measure_baseline(path: str, n: int) -> dict:
    import pyshacl

    from chaingraph import fastaudit
    from chaingraph.export.views import collaboration
    from chaingraph.graph import load

    begun = time.perf_counter()
    out: dict = {}
    graph = load([path], check=False)
    out["load_s"] = time.perf_counter() - begun
    _partial(out)
    shapes = fastaudit.load_shapes()
    out["who_query_ms"], out["who_ms"] = _who_ms(graph, n, 5)
    _partial(out)
    t = time.perf_counter()
    collaboration(graph)
    out["collab_s"] = time.perf_counter() - t
    out["peak_mib"] = _peak_mib()
    out["audit_started_s"] = time.perf_counter() - begun  # for the bound if stopped
    _partial(out)
    t = time.perf_counter()
    pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                     allow_warnings=True)
    out["audit_s"] = time.perf_counter() - t
    out["end_to_end_s"] = out["load_s"] + out["audit_s"]
    out["peak_mib"] = _peak_mib()
    return out


def _cpu_s() -> float:
    """CPU seconds of this process alone (its workers are children, not counted)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure_fast(path: str, n: int) -> dict:
    import chaingraph.fastaudit  # noqa: F401  (imported before the clock starts:
    import chaingraph.graph  # noqa: F401  the serial time is the audit's own work)
    from chaingraph.audit import audit_files
    from chaingraph.generator import flaws_path, read_flaws

    as_of, _ = read_flaws(flaws_path(path))
    out: dict = {}
    started, cpu = time.perf_counter(), _cpu_s()
    report = audit_files([path], at=as_of, progress=False)
    out["end_to_end_s"] = time.perf_counter() - started
    out["serial_s"] = _cpu_s() - cpu  # the parent's own work: cutting, merging, the report
    out["peak_mib"] = _peak_mib()
    out.update(compare(report.findings, path))
    return out


def measure_store_audit(path: str, n: int) -> dict:
    """The same cases loaded by ``chaingraph load`` into a store on disk, then audited there
    (what ``chaingraph audit --store DIR`` runs)."""
    import tempfile

    from chaingraph.audit import audit_compiled
    from chaingraph.backends import load_store, open_store
    from chaingraph.generator import flaws_path, read_flaws

    as_of, _ = read_flaws(flaws_path(path))
    out: dict = {}
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:
        directory = Path(folder) / "store"
        t = time.perf_counter()
        load_store([path], directory, progress=False)
        out["load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        report = audit_compiled(open_store(directory, read_only=True), at=as_of,
                                location=directory)
        out["audit_s"] = time.perf_counter() - t
        out["peak_mib"] = _peak_mib()
        out.update(compare(report.findings, path))
        if n >= WEB_FROM:  # kept for benchmarks/web.py, which would otherwise load it again
            import web

            keep = web.store_path(n)
            if not keep.exists():
                directory.rename(keep)
    return out


def measure_endpoint_audit(path: str, n: int) -> dict:
    """The same cases on an Oxigraph server (``oxigraph load``, then ``serve-read-only``, as the
    tests start one), audited through its SPARQL endpoint (``chaingraph audit --endpoint URL``):
    copied into memory in one answer up to ``fastaudit.COPY`` triples, chunk by chunk above."""
    import tempfile

    sys.path.insert(0, str(HERE.parent / "tests"))
    import oxigraph_server

    from chaingraph.audit import audit_compiled
    from chaingraph.backends import open_endpoint
    from chaingraph.generator import flaws_path, read_flaws
    from chaingraph.graph import monitor_files, ontology_files

    as_of, _ = read_flaws(flaws_path(path))
    out: dict = {}
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:
        t = time.perf_counter()
        server, url = oxigraph_server.start(Path(folder) / "server",
                                            ontology_files() + monitor_files() + [Path(path)])
        out["server_load_s"] = time.perf_counter() - t
        try:
            t = time.perf_counter()
            report = audit_compiled(open_endpoint(url), at=as_of)
            out["audit_s"] = time.perf_counter() - t
        finally:
            oxigraph_server.stop(server)
    out["peak_mib"] = _peak_mib()
    out.update(compare(report.findings, path))
    return out


def compare(findings, path: str) -> dict:
    """Seeded flaws against findings, as (case, rule, phase, from, to): the periods of gaps and
    overlaps too, as the generator's flaws.json gives them on its as-of date."""
    from chaingraph.generator import flaws_path, read_flaws

    as_of, flaws = read_flaws(flaws_path(path))
    seeded = {(case, f["rule"], f.get("phase"), f.get("from"), f.get("to"))
              for case, items in flaws.items() for f in items}
    got = {(f.case, f.rule, f.phase if f.rule.startswith("phase-") else None, f.start, f.end)
           for f in findings if f.case}
    # gaps and overlaps still open on the audit date: those of running cases
    open_periods = sum(1 for flaw in seeded if flaw[4] == str(as_of))
    return {"seeded": len(seeded), "found": len(got), "missed": len(seeded - got),
            "unexpected": len(got - seeded), "open_periods": open_periods}


def measure_store(path: str, n: int) -> dict:
    import pyoxigraph
    from rdflib import URIRef

    from chaingraph import backends, fastaudit, memberships
    from chaingraph.export.views import collaboration
    from chaingraph.graph import sources

    out: dict = {}
    started = time.perf_counter()
    store = pyoxigraph.Store()
    backends.load_files(store, sources([path]), progress=False)
    t = time.perf_counter()
    memberships.build(store)  # as chaingraph load does
    out["index_s"] = time.perf_counter() - t
    graph = backends.oxigraph_graph(store)
    out["load_s"] = time.perf_counter() - started
    out["who_query_ms"], out["who_ms"] = _who_ms(graph, n, 20)
    compiled = fastaudit.compile_shapes(fastaudit.load_shapes())
    checks = fastaudit.instantiate(compiled, fastaudit.runner_for(store))
    combined = fastaudit.combine(checks)
    times = []
    for case in _case_ids(n):
        node = URIRef(f"https://w3id.org/chaingraph/case/{case}/case")
        t = time.perf_counter()
        # change the case (its victim's contact point goes), then re-audit it
        store.update("PREFIX cg: <https://w3id.org/chaingraph/ontology#> DELETE { ?a cg:role ?r } "
                     f"WHERE {{ ?a cg:inCase <{node}> ; a cg:RoleAssignment ; cg:role ?r . "
                     "FILTER(?r = <https://w3id.org/chaingraph/monitor/role-vast-aanspreekpunt>) }")
        found = fastaudit.audit_case(store, node, checks, combined)
        times.append(time.perf_counter() - t)
        assert found, case
    out["reaudit_ms"] = statistics.median(times) * 1000
    t = time.perf_counter()
    view = collaboration(graph)
    out["collab_s"] = time.perf_counter() - t
    assert view.graph.get("memberships_indexed"), "the index was not read"
    t = time.perf_counter()
    live = collaboration(graph, index=False)
    out["collab_live_s"] = time.perf_counter() - t
    out["collab_edges"] = view.number_of_edges()
    out["collab_same"] = _same_picture(view, live)
    out["peak_mib"] = _peak_mib()
    return out


def _same_picture(a, b) -> bool:
    """Whether two collaboration graphs have the same nodes and edges, with the same data."""
    return (dict(a.nodes(data=True)) == dict(b.nodes(data=True))
            and {tuple(sorted(e)): d for *e, d in a.edges(data=True)}
            == {tuple(sorted(e)): d for *e, d in b.edges(data=True)})


def measure_export(path: str, n: int) -> dict:
    """One case's timeline and the collaboration graph exported from an in-memory Oxigraph
    store of ``n`` cases, as ``chaingraph export`` runs them: the whole export and, within
    it, the privacy check (``privacy.check_export``); medians over 5 cases."""
    import pyoxigraph

    from chaingraph import backends, memberships
    from chaingraph.export import content, privacy
    from chaingraph.graph import sources

    store = pyoxigraph.Store()
    backends.load_files(store, sources([path]), progress=False)
    memberships.build(store)
    graph = backends.oxigraph_graph(store)
    spent: list[float] = []
    check = privacy.check_export

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return check(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t)

    privacy.check_export = timed  # type: ignore[assignment]  # measured, not changed
    out: dict = {}
    for what, fmt, cases in (("timeline", "graphml", _case_ids(n, 5)),
                             ("collaboration", "csv", [None])):
        totals, checks = [], []
        for case in cases:
            spent.clear()
            t = time.perf_counter()
            content.export(graph, what, fmt, case_id=case)
            totals.append(time.perf_counter() - t)
            checks.append(sum(spent))
        out[f"{what}_s"] = statistics.median(totals)
        out[f"{what}_check_s"] = statistics.median(checks)
    out["peak_mib"] = _peak_mib()
    return out


def export_line(results: dict, sizes: list[int]) -> str:
    """The export figures: one case's timeline and the collaboration graph, each with the
    share of the privacy check."""
    rows = []
    for n in sizes:
        got = results[n].get("export") or {}
        if "timeline_s" in got:
            rows.append(f"{n:,} cases: timeline {got['timeline_s']:.2f} s "
                        f"({got['timeline_check_s']:.2f} s), collaboration "
                        f"{got['collaboration_s']:.2f} s ({got['collaboration_check_s']:.2f} s)")
    return "Export from a store (privacy check in brackets): " + "; ".join(rows)


MEASURES = {"baseline": measure_baseline, "fast": measure_fast, "store": measure_store,
            "storeaudit": measure_store_audit, "endpointaudit": measure_endpoint_audit,
            "export": measure_export}


def child(kind: str, path: str, n: int) -> None:
    result = MEASURES[kind](path, n)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip tearing down large graphs


def spawn(kind: str, path: Path, n: int, cap: float) -> dict | None:
    command = [sys.executable, __file__, "--child", kind, str(path), str(n)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=cap, check=False)
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        lines = [line for line in partial.splitlines() if line.startswith("{")]
        return {**(json.loads(lines[-1]) if lines else {}), "timeout": cap}
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return {"error": done.returncode}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the table ------------------------------------------------------------------------------


def fmt(value, unit: str = "s") -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MiB":
        return f"{value / 1024:.2f} GiB" if value >= 1024 else f"{value:.0f} MiB"
    return f"{value:.1f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def ratio(base, fast) -> str:
    if isinstance(base, str) and base.startswith("> ") and isinstance(fast, (int, float)):
        bound = float(base[2:].split()[0])
        return f"> {bound / fast:.0f}x"
    if isinstance(base, (int, float)) and isinstance(fast, (int, float)) and fast > 0:
        return f"{base / fast:.0f}x"
    return "-"


def _baseline_row(base: dict, cap: float) -> dict:
    """The baseline's figures; a stopped run gives a lower bound for the full audit."""
    if base.get("skipped"):
        return {"end_to_end_s": base["skipped"]}
    if "timeout" in base:
        row = dict(base)
        if "load_s" in base:
            # it parsed (load_s), then validated for at least what was left of the cap
            started = base.get("audit_started_s", cap)
            row["end_to_end_s"] = f"> {base['load_s'] + max(cap - started, 0):.0f} s (stopped)"
        else:
            row["end_to_end_s"] = f"> {cap:.0f} s (stopped while loading)"
        return row
    return base


def table(results: dict, sizes: list[int], cap: float) -> str:
    lines = ["| cases | triples | path | load | full audit (Turtle to findings) | peak memory "
             "| one-case re-audit | `who`: query | `who`: command | collaboration graph "
             "| findings vs seeded flaws |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for n in sizes:
        r = results[n]
        fast, store = r.get("fast") or {}, r.get("store") or {}
        b = _baseline_row(r.get("baseline") or {}, cap)
        again = (f"{fmt(b.get('end_to_end_s'))} (whole graph again)" if b.get("end_to_end_s")
                 else "-")
        lines.append(
            f"| {n:,} | {r['triples']:,} | baseline: rdflib + pySHACL | {fmt(b.get('load_s'))} "
            f"| {fmt(b.get('end_to_end_s'))} | {fmt(b.get('peak_mib'), 'MiB')} | {again} "
            f"| {fmt(b.get('who_query_ms'), 'ms')} | {fmt(b.get('who_ms'), 'ms')} "
            f"| {fmt(b.get('collab_s'))} | reference |")
        seeded = (f"{fast['seeded'] - fast['missed']}/{fast['seeded']} found, "
                  f"{fast['unexpected']} unexpected") if "seeded" in fast else "-"
        load = fmt(store.get("load_s"))
        if "index_s" in store:
            load += f" (index {fmt(store['index_s'])})"
        collab = fmt(store.get("collab_s"))
        if "collab_live_s" in store:
            same = "" if store.get("collab_same") else ", DIFFERENT PICTURE"
            collab += f" (from the data: {fmt(store['collab_live_s'])}{same})"
        lines.append(
            f"| {n:,} | | chaingraph: Oxigraph, compiled shapes | {load} "
            f"| {fmt(fast.get('end_to_end_s'))} | {fmt(fast.get('peak_mib'), 'MiB')} "
            f"| {fmt(store.get('reaudit_ms'), 'ms')} | {fmt(store.get('who_query_ms'), 'ms')} "
            f"| {fmt(store.get('who_ms'), 'ms')} | {collab} | {seeded} |")
        lines.append(
            f"| {n:,} | | ratio | {ratio(b.get('load_s'), store.get('load_s'))} "
            f"| {ratio(b.get('end_to_end_s'), fast.get('end_to_end_s'))} "
            f"| | | {ratio(b.get('who_query_ms'), store.get('who_query_ms'))} "
            f"| {ratio(b.get('who_ms'), store.get('who_ms'))} "
            f"| {ratio(b.get('collab_s'), store.get('collab_s'))} | |")
    return "\n".join(lines)


def audit_table(results: dict, sizes: list[int]) -> str:
    """The audit date, running cases and the store: one answer from a file and from a store."""
    lines = ["| cases | gaps and overlaps open on the audit date | audit of the file | parent's "
             "serial time | `chaingraph load` | audit of the store | store / file | findings "
             "(store) vs seeded flaws | audit of an endpoint (Oxigraph server) | endpoint / file "
             "| findings (endpoint) vs seeded flaws |",
             "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"]

    def seeded(found: dict) -> str:
        return (f"{found['seeded'] - found['missed']}/{found['seeded']} found, "
                f"{found['unexpected']} unexpected") if "seeded" in found else "-"

    for n in sizes:
        fast, store = results[n].get("fast") or {}, results[n].get("storeaudit") or {}
        endpoint = results[n].get("endpointaudit") or {}
        share = [f"{other['audit_s'] / fast['end_to_end_s']:.1f}x"
                 if other.get("audit_s") and fast.get("end_to_end_s") else "-"
                 for other in (store, endpoint)]
        lines.append(f"| {n:,} | {fast.get('open_periods', '-')} | {fmt(fast.get('end_to_end_s'))} "
                     f"| {fmt(fast.get('serial_s'))} | {fmt(store.get('load_s'))} "
                     f"| {fmt(store.get('audit_s'))} | {share[0]} | {seeded(store)} "
                     f"| {fmt(endpoint.get('audit_s'))} | {share[1]} | {seeded(endpoint)} |")
    return "\n".join(lines)


def machine() -> str:
    import pyoxigraph
    import pyshacl
    import rdflib

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} cores ({cpu}), {mem / 1024 / 1024:.0f} GiB memory, "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
            f"rdflib {rdflib.__version__}, pyshacl {pyshacl.__version__}, "
            f"pyoxigraph {pyoxigraph.__version__}")


# Every module of chaingraph and every dependency imported up front, then `who` run as
# the command line runs it: the startup the lazy imports of `chaingraph.cli` avoid.
_EAGER = """
import importlib, pkgutil, sys
import chaingraph
for module in pkgutil.walk_packages(chaingraph.__path__, "chaingraph."):
    if module.name != "chaingraph.__main__":
        importlib.import_module(module.name)
import networkx, owlready2, oxrdflib, pyoxigraph, pyshacl, rdflib
from chaingraph.cli import main
sys.exit(main(["who", "FX-001"]))
"""


def startup(runs: int = 5) -> dict:
    """Wall time of a fresh ``chaingraph who FX-001`` on the bundled data (median of ``runs``)."""
    def median(command: list[str]) -> float:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    return {"lazy_s": median([sys.executable, "-m", "chaingraph", "who", "FX-001"]),
            "eager_s": median([sys.executable, "-c", _EAGER]), "runs": runs}


def startup_line(figures: dict) -> str:
    return (f"Fresh process, `chaingraph who FX-001` on the bundled data (target: under 1 s): "
            f"{fmt(figures['lazy_s'])}; baseline, every module and dependency imported up front: "
            f"{fmt(figures['eager_s'])} ({figures['eager_s'] / figures['lazy_s']:.1f}x). "
            f"Median of {figures['runs']} runs each.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    parser.add_argument("--cap", type=float, default=300,
                        help="stop a baseline measurement after this many seconds")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
    sizes = [int(s) for s in args.sizes.split(",")]
    CACHE.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    for n in sizes:
        path = cached_cases(n)
        triples = sum(1 for line in path.open() if line.rstrip().endswith((";", ".")) and
                      not line.startswith("@prefix"))
        results[n] = {"triples": triples}
        print(f"{n:,} cases:", file=sys.stderr)
        for kind in ("fast", "store", "storeaudit", "endpointaudit", "export"):
            if kind == "endpointaudit" and n > ENDPOINT_UP_TO:
                results[n][kind] = {"skipped": "not run"}
            else:
                results[n][kind] = spawn(kind, path, n, cap=1800)
            print(f"  {kind}: {results[n][kind]}", file=sys.stderr)
        if n <= BASELINE_UP_TO:
            results[n]["baseline"] = spawn("baseline", path, n, cap=args.cap)
        else:
            results[n]["baseline"] = {"skipped": "not run"}
        print(f"  baseline: {results[n]['baseline']}", file=sys.stderr)
    text = (table(results, sizes, args.cap) + "\n\n" + audit_table(results, sizes) + "\n\n"
            + export_line(results, sizes) + "\n\n" + startup_line(startup()))
    if big := [str(n) for n in sizes if n >= WEB_FROM]:  # benchmarks/web.py: the web app
        import web

        text += "\n\n" + web.main(["--sizes", ",".join(big)])
    print(text)
    from chaingraph.fastaudit import COPY
    from chaingraph.output import write_atomic

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    write_atomic(HERE / "RESULTS.md", f"""# Benchmark results

`make bench` (`benchmarks/run.py`) on {stamp}.

Machine: {machine()}. The machine was shared with other developers' work during the
run, so absolute times are noisy; ratios are more telling.

{text}

Notes:

- Data: `chaingraph generate --seed {SEED}` cases (the shape of the example cases,
  flaws seeded at 5 % per rule, a fifth of the cases still running on the generator's
  as-of date, 2025-01-01); "triples" counts the generated statements' lines
  (predicate-object pairs), without the ontology and monitor. Every audit runs as of
  that date, and the findings are compared with the seeded flaws as (case, rule, phase,
  period): a gap of a running case runs to the audit date.
- Parent's serial time: the CPU time of the auditing process itself (cutting the file,
  merging the workers' results, building the report), without its workers.
- Audit of the store: the same file loaded by `chaingraph load` into an Oxigraph store on
  disk, then `chaingraph audit --store DIR`: each worker reads its chunks of cases from
  the store (read-only) into a small store of its own and audits them as the file audit
  does.
- Audit of an endpoint: the same file loaded into an Oxigraph server on disk (`oxigraph
  load`, then `serve-read-only` on 127.0.0.1, on this machine's cores too), then `chaingraph
  audit --endpoint URL`: up to {COPY:,} triples copied into memory in one answer and audited
  as a graph in memory; run up to {ENDPOINT_UP_TO:,} cases (a larger endpoint is read chunk by
  chunk after a check of where each node belongs: about four times as slow).
- Full audit: from the Turtle file to the findings. Baseline: rdflib parse plus
  pySHACL on the whole graph. chaingraph: `chaingraph.audit.audit_files`, what
  `chaingraph audit FILE --engine sparql` runs: the shapes compiled to SPARQL, the file
  cut at its case blocks, each worker (one per core) loading 200 cases at a time into a
  small Oxigraph store, a named graph per case; findings with their cases, phases and
  texts. Peak memory: `ru_maxrss` of the measuring process plus its largest worker.
- Load (chaingraph row): the whole data into one in-memory Oxigraph store, the store
  `who`, the re-audit and the collaboration graph run on, and the index of which
  organisations take part in which case built in it, as `chaingraph load` does (its
  share in brackets).
- One-case re-audit: remove the victim's contact point from a case, then re-audit
  that case (its triples copied into a small store, all checks as one query); median
  over 20 cases. Baseline: the whole audit again.
- `who`, query: the `case-responsibilities` named query for one case (median of 20;
  5 for the baseline) through `run_query` (a `VALUES` clause on Oxigraph; on rdflib the
  query prepared once, with `initBindings`). `who`, command: `responsibilities()`, all
  that `chaingraph who CASE` computes (six queries, labels, periods), without printing.
- Collaboration graph: `export.views.collaboration` (what `chaingraph export
  collaboration` draws): organisations weighted by the cases, agreements and meetings
  they share. chaingraph: with the case memberships read from the store's index, and
  in brackets read from the data (`index=False`, what files loaded for one command
  get); the two pictures are compared, and a difference would be printed.
- Export from a store: `export.content.export` (what `chaingraph export` runs) of one
  case's timeline as GraphML (median of 5 cases) and of the collaboration graph as CSV,
  from the in-memory Oxigraph store; in brackets the privacy check's share
  (`privacy.check_export`: the persons the export could have drawn from, by index
  look-ups, and every word of it looked up as a pseudonym).
- Findings vs seeded flaws: (case, rule) pairs of the findings against those the
  generator seeded; "unexpected" would be findings on sound data.
- The baseline runs at every size up to {BASELINE_UP_TO:,} cases; a run that exceeds
  the cap ({args.cap:.0f} s) is stopped. Its full audit is then a lower bound: the
  parse plus what was left of the cap for pySHACL ("> N s"), and so is the ratio.
""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
