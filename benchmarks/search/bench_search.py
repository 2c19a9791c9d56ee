"""Search benchmark: gongshi's static search next to Pagefind on the same built site.

    python benchmarks/search/bench_search.py --work /tmp/search-bench [--documents 10000]
                                             [--queries 60] [--seed 5] [--skip-build]
                                             [--index-only] [--rounds N]

--skip-build reuses WORK's corpus and built site; --index-only times the two index
builds (steps 2 and 3) and stops, printing them side by side; --rounds N alternates the
two builds N times (gongshi, Pagefind, gongshi, ...), so each pair shares a load window.
Times are wall and CPU (user + system, children included): the machine this ran on is
shared, gongshi forks a worker for the second core, and Pagefind uses several threads.

Steps (each tool in its own fresh process, timed, peak memory from wait4):

1. the synthetic corpus (benchmarks/corpus.py) and a full `gongshi build` of it;
2. gongshi's search index alone, cold: load + validate the content, make the search
   records (timed apart), then build the Whoosh index in an empty folder and export the
   static files (index_and_export, as a build runs them: "index + export");
3. Pagefind (`python -m pagefind`, the extended build with Chinese segmentation) over the
   same built site, restricted to the pages gongshi indexes (documents, charters,
   association profiles) and to their <main>;
4. a seeded query set drawn from the documents' own text (Han substrings of 2-6 characters,
   single characters, association names, two-keyword queries, Latin next to Chinese);
5. each query cold in headless Chromium against a loopback static server: the gongshi
   search page (/search/?q=...) until its results are shown, and Pagefind's JS API
   (import pagefind.js, search, load the data of the top 10). Bytes are every response
   the search caused, client code included, as sent by the server;
6. recall and precision against substring ground truth (tests/search/search_example.py's
   `relevant`: every keyword in title, body or association name; Latin words whole).

Writes WORK/results.json and prints the Markdown table for benchmarks/search/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "search")]

AS_OF = "2026-06-30"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Pages gongshi's search records point at: association profiles, charters, document pages
# (not the per-kind lists, whose pages repeat the titles of their documents).
PAGEFIND_GLOB = "associations/*/{index.html,charter/index.html,*/*/index.html}"


@dataclass(frozen=True)
class Run:
    seconds: float      # wall
    peak_mb: float
    cpu_s: float = 0.0  # user + system of the process and the children it waited for


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[Run, str]:
    """Run cmd in a fresh process; wall time and the peak RSS of it and its children."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[:4]} failed:\n{out[-3000:]}")
    return Run(round(seconds, 1), round(usage.ru_maxrss / 1024, 0),
               round(usage.ru_utime + usage.ru_stime, 1)), out


# --- step 2 runs in a child process: python bench_search.py --index-child CONTENT OUT ----

def index_child(content: Path, out: Path) -> None:
    import datetime as dt
    import warnings
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    from generator.pipeline import prepare
    from generator.search import index_and_export
    from generator.searching import search_records

    t0, c0 = time.perf_counter(), time.process_time()
    prepared = prepare(content, dt.date.fromisoformat(AS_OF))
    assert prepared.site is not None and prepared.evaluation is not None
    records = search_records(prepared.site, prepared.evaluation)
    t1, c1 = time.perf_counter(), time.process_time()
    w1 = _children_cpu()
    # What a build runs (searching.search_artifacts): the index, then the static files,
    # with the forked workers it uses (their CPU counted from the rusage of children).
    _stats, files = index_and_export(records, out / "index")
    t2, c2 = time.perf_counter(), time.process_time()
    w2 = _children_cpu()
    (out / "records.json").write_text(json.dumps([asdict(r) for r in records], ensure_ascii=False))
    print(json.dumps({"prepare_s": round(t1 - t0, 2), "prepare_cpu_s": round(c1 - c0, 2),
                      "search_s": round(t2 - t1, 2),
                      "search_cpu_s": round(c2 - c1 + w2 - w1, 2),
                      "search_workers_cpu_s": round(w2 - w1, 2),
                      "files": len(files),
                      "bytes": sum(map(len, files.values())),
                      "peak_mb_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                      "peak_mb_workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- queries and ground truth -----------------------------------------------------------

def make_queries(records: list, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    docs = [r for r in records if r.kind != "association"]
    queries: list[str] = []

    def han_run(r) -> str:
        runs = re.findall(r"[\u4e00-\u9fff]{2,}", r.title + "\n" + r.body)
        return rng.choice(runs) if runs else ""

    def substring(min_len: int, max_len: int) -> str:
        while True:
            run = han_run(rng.choice(docs))
            if len(run) >= min_len:
                n = rng.randint(min_len, min(max_len, len(run)))
                start = rng.randrange(len(run) - n + 1)
                return run[start:start + n]

    shares = {"substring": 0.6, "single": 0.1, "association": 0.1, "two": 0.1, "latin": 0.1}
    for _ in range(round(count * shares["substring"])):
        queries.append(substring(2, 6))
    for _ in range(round(count * shares["single"])):
        queries.append(substring(1, 1))
    for _ in range(round(count * shares["association"])):
        queries.append(rng.choice(docs).association_name)
    for _ in range(round(count * shares["two"])):
        r = rng.choice(docs)
        runs = [x for x in re.findall(r"[\u4e00-\u9fff]{3,}", r.body)]
        a, b = rng.sample(runs, 2) if len(runs) >= 2 else (han_run(r), han_run(r))
        queries.append(a[:3] + " " + b[-3:])
    latin = sorted({m for r in docs[:2000] for m in
                    re.findall(r"[A-Za-z]{2,}[A-Za-z0-9]*[ ]?[\u4e00-\u9fff]{2}", r.body)})
    for _ in range(round(count * shares["latin"])):
        queries.append(rng.choice(latin) if latin else substring(2, 4))
    unique = list(dict.fromkeys(queries))  # a repeated query would count twice
    while len(unique) < count:
        unique = list(dict.fromkeys(unique + [substring(2, 6)]))
    return unique


def score(found: list[str], relevant: set[str]) -> tuple[float, float]:
    hit = len(set(found) & relevant)
    recall = hit / len(relevant) if relevant else 1.0
    precision = hit / len(set(found)) if found else (1.0 if not relevant else 0.0)
    return recall, precision


# --- browsers ------------------------------------------------------------------------

def recorder(sizes: dict[str, int]):
    """A response listener noting each body's size (responses of a closing page are skipped)."""
    def record(response) -> None:
        try:
            if response.ok:
                sizes[response.url] = len(response.body())
        except Exception:  # noqa: BLE001 - the page went away under the listener
            pass
    return record


def gongshi_query(browser, base: str, handler, q: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on("response", recorder(sizes))
    page.goto(f"{base}/search/?q={quote(q)}")
    page.wait_for_selector(".search-results[aria-busy=false]", state="attached", timeout=60_000)
    # Anything the page fetches after showing the results (nothing, today: the facet
    # file waits for the reader to open the filters) counts too.
    page.wait_for_load_state("networkidle")
    shown = [unquote(urlsplit(h).path) for h in page.locator(".search-results li h3 a").evaluate_all(
        "links => links.map(a => a.href)")]
    page.close()
    context.close()
    search = {u: n for u, n in sizes.items() if "/search/" in u and u.endswith(".json") or "search." in u}
    return {"bytes": sum(search.values()), "bytes_data": sum(n for u, n in search.items() if u.endswith(".json")),
            "files": sorted(search), "top": shown}


PAGEFIND_JS = """async (q) => {
  const pf = await import('/pagefind/pagefind.js');
  await pf.init();
  const s = await pf.search(q);
  const top = await Promise.all(s.results.slice(0, 10).map(r => r.data()));
  return {count: s.results.length, top: top.map(d => d.url)};
}"""
PAGEFIND_ALL_JS = """async (q) => {
  const pf = await import('/pagefind/pagefind.js');
  const s = await pf.search(q);
  const all = await Promise.all(s.results.map(r => r.data()));
  return all.map(d => d.url);
}"""


def pagefind_query(browser, base: str, handler, q: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/robots.txt")
    sizes: dict[str, int] = {}
    listener = recorder(sizes)
    page.on("response", listener)
    before = handler.bytes_sent
    result = page.evaluate(PAGEFIND_JS, q)
    sent = handler.bytes_sent - before
    page.remove_listener("response", listener)
    urls = page.evaluate(PAGEFIND_ALL_JS, q)  # not counted: for recall and precision
    page.close()
    context.close()
    return {"bytes": sent, "bytes_data": sum(n for u, n in sizes.items() if not u.endswith(".js") and "wasm" not in u),
            "files": sorted(sizes), "top": [unquote(urlsplit(u).path) for u in result["top"]],
            "all": [unquote(urlsplit(u).path) for u in urls]}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=Path("/tmp/search-bench"))
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true", help="reuse WORK/content and WORK/site")
    ap.add_argument("--index-only", action="store_true",
                    help="time the two index builds (gongshi, Pagefind) and stop: no queries")
    ap.add_argument("--rounds", type=int, default=1,
                    help="index builds of each tool, alternating (gongshi, Pagefind, ...)")
    ap.add_argument("--index-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.index_child:
        return index_child(*args.index_child)

    work = args.work.absolute()
    content, site, idx = work / "content", work / "site", work / "gongshi-index"
    if args.skip_build and not (content / "site.yaml").is_file():
        # prepare() reads a missing folder as an empty site: the timings would be of nothing.
        raise SystemExit(f"--skip-build: no corpus at {content} (WORK must hold content/ and site/)")
    env = {"GONGSHI_CACHE": str(work / "cache"), "PYTHONWARNINGS": "ignore"}
    results: dict = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, "
                     f"{os.cpu_count()} cores, Python {platform.python_version()}",
                     "documents": args.documents}
    if not args.skip_build:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        timed([sys.executable, str(ROOT / "benchmarks" / "corpus.py"), "--documents", str(args.documents),
               "--out", str(content)])
        build, _ = timed([sys.executable, "-m", "generator.cli", "build", "--content", str(content),
                          "--out", str(site), "--as-of", AS_OF], env)
        results["site_build"] = asdict(build)

    # gongshi and Pagefind alternate, each in a fresh process, so every pair shares one
    # load window (the machine is shared): gongshi, Pagefind, gongshi, Pagefind, ...
    rounds = []
    for _ in range(args.rounds):
        load_before = os.getloadavg()[0]
        shutil.rmtree(idx, ignore_errors=True)
        idx.mkdir(parents=True)
        run, out = timed([sys.executable, __file__, "--index-child", str(content), str(idx)], env)
        gongshi = {**asdict(run), **json.loads(out.strip().splitlines()[-1])}
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        run, out = timed([sys.executable, "-m", "pagefind", "--site", str(site), "--glob", PAGEFIND_GLOB,
                          "--root-selector", "main"])
        pages = re.search(r"Indexed (\d+) pages?", out)
        pagefind = {**asdict(run), "pages": int(pages.group(1)) if pages else None}
        rounds.append({"gongshi": gongshi, "pagefind": pagefind,
                       "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]})
    results["index_rounds"] = rounds
    results["gongshi_index"], results["pagefind_index"] = rounds[-1]["gongshi"], rounds[-1]["pagefind"]
    results["gongshi_files"] = len(list((site / "search").iterdir()))
    results["gongshi_bytes"] = sum(p.stat().st_size for p in (site / "search").iterdir())
    pf_files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    results["pagefind_files"] = len(pf_files)
    results["pagefind_bytes"] = sum(p.stat().st_size for p in pf_files)
    if args.index_only:
        print(json.dumps(rounds, indent=1))
        print(index_table(rounds))
        return

    from generator.search import SearchRecord, search
    from search_example import relevant
    records = [SearchRecord(**r) for r in json.loads((idx / "records.json").read_text("utf-8"))]
    queries = make_queries(records, args.queries, args.seed)
    truth = {q: {r.url for r in records if relevant(r, q)} for q in queries}

    from playwright.sync_api import sync_playwright
    from tests.serve_static import serve_dir
    rows = []
    with serve_dir(site) as (base, handler), sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for q in queries:
            g = gongshi_query(browser, base, handler, q)
            g_all = [h.url for h in search(idx / "index", q, limit=1_000_000)]
            f = pagefind_query(browser, base, handler, q)
            g_gzip = sum(len(gzip.compress((site / unquote(urlsplit(u).path).lstrip("/")).read_bytes()))
                         for u in g["files"])
            rows.append({"q": q, "relevant": len(truth[q]),
                         "gongshi": {"bytes": g["bytes"], "bytes_data": g["bytes_data"], "gzip": g_gzip,
                                     "results": len(g_all), "top_matches_cli": g["top"] == g_all[:10],
                                     "recall_precision": score(g_all, truth[q])},
                         "pagefind": {"bytes": f["bytes"], "bytes_data": f["bytes_data"], "results": len(f["all"]),
                                      "recall_precision": score(f["all"], truth[q])}})
            print(f"{q!r:24} rel={len(truth[q]):5} gongshi {g['bytes']:7} B {len(g_all):5} hits | "
                  f"pagefind {f['bytes']:7} B {len(f['all']):5} hits", flush=True)
        browser.close()
    results["queries"] = rows
    (work / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(table(results))


def index_table(rounds: list[dict]) -> str:
    """gongshi's index + export (records prepared beforehand, not counted) against
    Pagefind's whole run over the built site, round by round."""
    lines = ["| round | load avg before / after | gongshi index + export, wall / CPU (s) "
             "| Pagefind, wall / CPU (s) | ratio wall / CPU | peak MB gongshi (workers) / Pagefind |",
             "|---|---|---|---|---|---|"]
    for n, r in enumerate(rounds, 1):
        g, f = r["gongshi"], r["pagefind"]
        lines.append("| %d | %.1f / %.1f | %.2f / %.2f | %.1f / %.1f | %.2f / %.2f | %d (%d) / %d |" % (
            n, *r["load_average"], g["search_s"], g["search_cpu_s"], f["seconds"], f["cpu_s"],
            g["search_s"] / f["seconds"], g["search_cpu_s"] / f["cpu_s"],
            g["peak_mb_self"], g["peak_mb_workers"], f["peak_mb"]))
    return "\n".join(lines)


def table(res: dict) -> str:
    rows = res["queries"]

    def stat(engine: str, key: str) -> tuple[float, float]:
        values = [r[engine][key] for r in rows]
        return statistics.median(values) / 1024, percentile(values, 95) / 1024

    def quality(engine: str) -> tuple[float, float, int, int]:
        rel = sum(r["relevant"] for r in rows)
        hit = sum(round(r[engine]["recall_precision"][0] * r["relevant"]) for r in rows)
        found = sum(r[engine]["results"] for r in rows)
        return hit / rel, sum(r[engine]["recall_precision"][1] for r in rows) / len(rows), \
            sum(r[engine]["recall_precision"][0] == 1.0 for r in rows), found

    g, f = res["gongshi_index"], res["pagefind_index"]
    gq, fq = quality("gongshi"), quality("pagefind")
    lines = [
        "| | gongshi | Pagefind (extended) |",
        "|---|---|---|",
        "| bytes per cold query, median / p95 (KB, all responses incl. client code) | %.1f / %.1f | %.1f / %.1f |"
        % (*stat("gongshi", "bytes"), *stat("pagefind", "bytes")),
        "| of which index data, median / p95 (KB) | %.1f / %.1f | %.1f / %.1f |"
        % (*stat("gongshi", "bytes_data"), *stat("pagefind", "bytes_data")),
        "| gongshi with gzip (as Netlify serves it), median / p95 (KB) | %.1f / %.1f | (files already compressed) |"
        % stat("gongshi", "gzip"),
        "| recall vs substring ground truth (micro) | %.3f | %.3f |" % (gq[0], fq[0]),
        "| queries with recall 1.0 | %d / %d | %d / %d |" % (gq[2], len(rows), fq[2], len(rows)),
        "| precision (mean over queries) | %.3f | %.3f |" % (gq[1], fq[1]),
        "| index build time, wall (s) | %.1f (records %.1f, index + export %.1f) | %.1f |"
        % (g["seconds"], g["prepare_s"], g["search_s"], f["seconds"]),
        "| index build time, CPU user+sys (s) | %.1f (records %.1f, index + export %.1f) | %.1f |"
        % (g.get("cpu_s", 0), g.get("prepare_cpu_s", 0), g.get("search_cpu_s", 0), f.get("cpu_s", 0)),
        "| index build peak memory (MB) | %d | %d |" % (g["peak_mb"], f["peak_mb"]),
        "| files deployed for search | %d (%.1f MB) | %d (%.1f MB) |"
        % (res["gongshi_files"], res["gongshi_bytes"] / 2**20, res["pagefind_files"], res["pagefind_bytes"] / 2**20),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
