"""``make bench``: the naive baseline against chaingraph's fastest path, in one run.

Generates 100, 1k, 10k and 100k cases (cached in benchmarks/cache/, keyed by the
generator's source), then measures every figure in a fresh subprocess (so peak memory,
``ru_maxrss``, belongs to that measurement alone) and prints one table; the table and
the machine are written to benchmarks/RESULTS.md.

- baseline: rdflib parses the Turtle, pySHACL validates the whole graph
  (``inference="none"``); the prepared ``case-responsibilities`` query with
  ``initBindings`` for ``who``; run where it finishes within the cap.
- chaingraph: ``fastaudit.audit_files`` from Turtle to findings (cases in small
  Oxigraph stores on every core); the loaded in-memory Oxigraph store for ``who``, the
  one-case re-audit and the collaboration graph; findings compared with the seeded flaws.

Usage: ``python benchmarks/run.py [--sizes 1000,10000,100000] [--cap SECONDS]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
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


def measure_baseline(path: str, n: int) -> dict:
    import pyshacl
    from rdflib import Graph, Literal

    from chaingraph import fastaudit
    from chaingraph.graph import sources
    from chaingraph.resources import QUERIES_DIR

    out: dict = {}
    started = time.perf_counter()
    graph = Graph()
    for source in sources([path]):
        graph.parse(source, format="turtle")
    out["load_s"] = time.perf_counter() - started
    shapes = fastaudit.load_shapes()
    from rdflib.plugins.sparql import prepareQuery

    who = prepareQuery((QUERIES_DIR / "case-responsibilities.rq").read_text())
    times = []
    for case in _case_ids(n, 5):
        t = time.perf_counter()
        list(graph.query(who, initBindings={"case": Literal(case)}))
        times.append(time.perf_counter() - t)
    out["who_ms"] = statistics.median(times) * 1000
    t = time.perf_counter()
    collaboration(graph.query)
    out["collab_s"] = time.perf_counter() - t
    out["peak_mib"] = _peak_mib()
    _partial(out)
    t = time.perf_counter()
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                           advanced=True, allow_warnings=True)
    out["audit_s"] = time.perf_counter() - t
    out["end_to_end_s"] = out["load_s"] + out["audit_s"]
    out["peak_mib"] = _peak_mib()
    return out


def collaboration(query) -> object:
    """Organisation collaboration graph: organisations weighted by the cases they share."""
    import networkx as nx

    rows = query("""PREFIX cg: <https://w3id.org/chaingraph/ontology#>
        SELECT ?case ?org WHERE { ?a cg:inCase ?case ; cg:organisation ?org }
        GROUP BY ?case ?org""")
    by_case: dict = {}
    for case, org in rows:
        by_case.setdefault(str(case), set()).add(str(org))
    weights: dict = {}
    for orgs in by_case.values():
        ordered = sorted(orgs)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                weights[(a, b)] = weights.get((a, b), 0) + 1
    graph = nx.Graph()
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    return graph


def measure_fast(path: str, n: int) -> dict:
    from chaingraph import fastaudit

    out: dict = {}
    started = time.perf_counter()
    compiled = fastaudit.compile_shapes(fastaudit.load_shapes())
    found = fastaudit.audit_files([path], shapes=compiled, progress=False)
    out["end_to_end_s"] = time.perf_counter() - started
    out["peak_mib"] = _peak_mib()
    out.update(compare(found, path))
    return out


def compare(found, path: str) -> dict:
    """Seeded flaws against findings, as (case id, rule) pairs."""
    from rdflib.namespace import SKOS

    from chaingraph import fastaudit

    shapes = fastaudit.load_shapes()
    notation = {s: str(o) for s, o in shapes.subject_objects(SKOS.notation)}
    got = set()
    for v in found:
        match = re.match(r"https://w3id\.org/chaingraph/case/([^/]+)/", str(v.focus))
        if match:
            got.add((match.group(1), notation.get(v.shape, str(v.shape))))
    flaws = json.loads(Path(path + ".flaws.json").read_text())
    seeded = {(case, f["rule"]) for case, items in flaws.items() for f in items}
    return {"seeded": len(seeded), "found": len(got), "missed": len(seeded - got),
            "unexpected": len(got - seeded)}


def measure_store(path: str, n: int) -> dict:
    import pyoxigraph
    from rdflib import URIRef

    from chaingraph import backends, fastaudit
    from chaingraph.graph import sources
    from chaingraph.resources import QUERIES_DIR

    out: dict = {}
    started = time.perf_counter()
    store = pyoxigraph.Store()
    backends.load_files(store, sources([path]), progress=False)
    out["load_s"] = time.perf_counter() - started
    who = (QUERIES_DIR / "case-responsibilities.rq").read_text()
    at = re.search(r"WHERE\s*\{", who).end()
    times = []
    for case in _case_ids(n):
        query = who[:at] + f' VALUES ?case {{ "{case}" }} ' + who[at:]
        t = time.perf_counter()
        rows = list(store.query(query))
        times.append(time.perf_counter() - t)
        assert rows, case
    out["who_ms"] = statistics.median(times) * 1000
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

    def run(text):
        return ((row[0].value, row[1].value) for row in store.query(text))

    t = time.perf_counter()
    graph = collaboration(run)
    out["collab_s"] = time.perf_counter() - t
    out["collab_edges"] = graph.number_of_edges()
    out["peak_mib"] = _peak_mib()
    return out


MEASURES = {"baseline": measure_baseline, "fast": measure_fast, "store": measure_store}


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


def table(results: dict, sizes: list[int], cap: float) -> str:
    lines = ["| cases | triples | path | load | full audit (Turtle to findings) | peak memory "
             "| one-case re-audit | `who` | collaboration graph | findings vs seeded flaws |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for n in sizes:
        r = results[n]
        base, fast, store = r.get("baseline") or {}, r.get("fast") or {}, r.get("store") or {}
        if "timeout" in base:
            b = {**base, "end_to_end_s": f"> {cap:.0f} s (stopped)"}
        elif base.get("skipped"):
            b = {"end_to_end_s": base["skipped"]}
        else:
            b = base
        lines.append(
            f"| {n:,} | {r['triples']:,} | baseline: rdflib + pySHACL | {fmt(b.get('load_s'))} "
            f"| {fmt(b.get('end_to_end_s'))} | {fmt(b.get('peak_mib'), 'MiB')} "
            f"| {fmt(b.get('end_to_end_s'))} (whole graph again) | {fmt(b.get('who_ms'), 'ms')} "
            f"| {fmt(b.get('collab_s'))} | reference |")
        seeded = (f"{fast['seeded'] - fast['missed']}/{fast['seeded']} found, "
                  f"{fast['unexpected']} unexpected") if "seeded" in fast else "-"
        lines.append(
            f"| {n:,} | | chaingraph: Oxigraph, compiled shapes | {fmt(store.get('load_s'))} "
            f"| {fmt(fast.get('end_to_end_s'))} | {fmt(fast.get('peak_mib'), 'MiB')} "
            f"| {fmt(store.get('reaudit_ms'), 'ms')} | {fmt(store.get('who_ms'), 'ms')} "
            f"| {fmt(store.get('collab_s'))} | {seeded} |")
        lines.append(
            f"| {n:,} | | ratio | {ratio(b.get('load_s'), store.get('load_s'))} "
            f"| {ratio(b.get('end_to_end_s'), fast.get('end_to_end_s'))} "
            f"| | | {ratio(b.get('who_ms'), store.get('who_ms'))} "
            f"| {ratio(b.get('collab_s'), store.get('collab_s'))} | |")
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
    baseline_ok = True
    for n in sizes:
        path = cached_cases(n)
        triples = sum(1 for line in path.open() if line.rstrip().endswith((";", ".")) and
                      not line.startswith("@prefix"))
        results[n] = {"triples": triples}
        print(f"{n:,} cases:", file=sys.stderr)
        for kind in ("fast", "store"):
            results[n][kind] = spawn(kind, path, n, cap=1800)
            print(f"  {kind}: {results[n][kind]}", file=sys.stderr)
        if baseline_ok:
            results[n]["baseline"] = spawn("baseline", path, n, cap=args.cap)
            baseline_ok = "timeout" not in results[n]["baseline"] and \
                "error" not in results[n]["baseline"]
        else:
            results[n]["baseline"] = {"skipped": "not run (smaller size exceeded the cap)"}
        print(f"  baseline: {results[n]['baseline']}", file=sys.stderr)
    text = table(results, sizes, args.cap)
    print(text)
    from chaingraph.output import write_atomic

    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    write_atomic(HERE / "RESULTS.md", f"""# Benchmark results

`make bench` (`benchmarks/run.py`) on {stamp}.

Machine: {machine()}. The machine was shared with other developers' work during the
run, so absolute times are noisy; ratios are more telling.

{text}

Notes:

- Data: `chaingraph generate --seed {SEED}` cases (the shape of the example cases,
  flaws seeded at 5 % per rule); "triples" counts the generated statements' lines
  (predicate-object pairs), without the ontology and monitor.
- Full audit: from the Turtle file to the set of findings. Baseline: rdflib parse
  plus pySHACL on the whole graph. chaingraph: `fastaudit.audit_files`, the shapes
  compiled to SPARQL and run on small Oxigraph stores of a few cases each, on every
  core. Peak memory: `ru_maxrss` of the measuring process plus its largest worker.
- Load (chaingraph row): the whole data into one in-memory Oxigraph store, the store
  `who`, the re-audit and the collaboration graph run on.
- One-case re-audit: remove the victim's contact point from a case, then re-audit
  that case (its triples copied into a small store, all checks as one query); median
  over 20 cases. Baseline: the whole audit again.
- `who`: the `case-responsibilities` query for one case (median of 20), on the
  loaded store with a `VALUES` clause; baseline: rdflib with the query prepared once
  and `initBindings`.
- Collaboration graph: organisations linked by the cases they share, weighted (one
  SPARQL query plus networkx).
- Findings vs seeded flaws: (case, rule) pairs found by the compiled audit against
  those the generator seeded; "unexpected" would be findings on sound data.
- A baseline that exceeds the cap ({args.cap:.0f} s) is stopped, and larger sizes
  are not attempted.
""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
