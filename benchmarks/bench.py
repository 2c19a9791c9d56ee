"""Side-by-side benchmark: gongshi and Hugo on the same synthetic corpus.

    python benchmarks/bench.py --documents 1000 10000 [100000] --runs 3 [--work /tmp/gongshi-bench]
                               [--profile] [--skip-hugo] [--skip-search]

For each size: writes the corpus (benchmarks/corpus.py) and its Hugo twin, then measures,
each as the median of --runs runs in fresh processes:

- gongshi full cold build without search (no output folder, no cache), and with search;
- `gongshi check` alone;
- a repeated `gongshi build` after editing one document (persistent cache in place);
- a warm in-process rebuild after one edit (what `serve` does: generator.incremental);
- Hugo's cold build (`hugo --quiet`, resources/ and the destination moved away first), each
  run right after one of gongshi's cold builds, so the two see the same load;
- peak memory (max RSS of the largest process, from wait4), output size and file count.

With --profile, the 10k (or largest) cold build is also run under cProfile and the top 20
functions by cumulative time are written next to the results. Results go to
benchmarks/results/<documents>.json and a Markdown table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AS_OF = "2026-06-30"
EDIT = "\n\n补充说明：本文件于基准测试中修改一处，用于衡量增量构建。\n"


@dataclass
class Run:
    seconds: float
    max_rss_mib: float
    cpu_seconds: float = 0.0     # user + sys of the process and its workers: robust on a busy machine


@dataclass
class Figures:
    documents: int
    associations: int
    corpus_mib: float = 0.0
    results: dict[str, dict[str, float]] = field(default_factory=dict)   # name -> {seconds, max_rss_mib}
    output: dict[str, dict[str, float]] = field(default_factory=dict)    # name -> {files, mib}


def settle() -> None:
    """Write back the last run's output before the next timed run, so that no run pays for
    the write-back of another's. Done before gongshi's and Hugo's runs alike."""
    os.sync()


class Trash:
    """Where the benchmark puts what it would otherwise delete between timed runs (the last
    output, the cache, a corpus written again): a rename frees no inode.

    Why: on an ext4 without a journal (this machine's), creating an inode scans past every
    inode deleted in the last minutes (`recently_deleted` in ext4's inode allocator). Removing
    a 40,000-inode output tree just before a timed run made that run's file creation cost
    2-5 s more system time, in proportion to how many files and folders the *previous* run
    left, not to the generator under test. The trash is emptied once every figure is taken."""

    def __init__(self, work: Path) -> None:
        self.root = work / ".trash"
        self.count = 0

    def put(self, path: Path) -> None:
        if path.exists() or path.is_symlink():
            self.root.mkdir(parents=True, exist_ok=True)
            self.count += 1
            path.rename(self.root / f"{self.count}-{path.name}")

    def empty(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def timed(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Wall time and max RSS (MiB) of one process tree run to completion."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}\n{stderr[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def median(runs: list[Run]) -> dict[str, float]:
    return {"seconds": round(statistics.median(r.seconds for r in runs), 3),
            "cpu_seconds": round(statistics.median(r.cpu_seconds for r in runs), 3),
            "max_rss_mib": round(max(r.max_rss_mib for r in runs), 1), "runs": len(runs)}


def tree_size(path: Path) -> dict[str, float]:
    files = total = 0
    for dirpath, _dirs, names in os.walk(path):
        for n in names:
            files += 1
            total += os.path.getsize(os.path.join(dirpath, n))
    return {"files": files, "mib": round(total / 2**20, 1)}


def gongshi_env(cache: Path, search: bool) -> dict[str, str]:
    env = dict(os.environ, GONGSHI_CACHE=str(cache), PYTHONHASHSEED="0")
    # As on a user's machine, Python keeps its compiled modules (a sandbox may switch that
    # off; then every run would compile gongshi's modules again, ~0.1 s of each build).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["GONGSHI_SEARCH"] = "1" if search else "0"
    return env


def gongshi(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), *args]


def edit_one(content: Path, n: int, out: Path) -> Path:
    """Append a sentence to the body of one sanction that is on the public site (a different
    one each run). An expired or hidden one changes no page: its rebuild would time nothing."""
    docs = [d for d in sorted((content / "associations").glob("*/sanctions/*.md"))
            if (out / "associations" / d.parent.parent.name / "sanctions" / d.stem / "index.html").is_file()]
    if not docs:
        raise SystemExit(f"no published sanction under {out} to edit")
    target = docs[(n * 7919) % len(docs)]
    with target.open("a", encoding="utf-8") as f:
        f.write(EDIT)
    return target


WARM = """
import sys, time, json, datetime as dt
from pathlib import Path
from generator.incremental import Session
content, edit_path, runs = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
s = Session(content, dt.date.fromisoformat(sys.argv[4]), search=False)
s.build()
times = []
for i in range(runs):
    p = Path(edit_path)
    p.write_text(p.read_text(encoding="utf-8") + "\\n补充第%d处。\\n" % i, encoding="utf-8")
    t = time.perf_counter()
    changed = s.rebuild([p])
    times.append(time.perf_counter() - t)
print(json.dumps({"seconds": sorted(times)[len(times) // 2], "changed": len(changed.outputs), "all": times}))
"""


def bench_size(documents: int, runs: int, work: Path, trash: Trash, *, hugo: bool, search: bool,
               profile: bool) -> Figures:
    sys.path.insert(0, str(HERE))
    import corpus  # noqa: PLC0415

    assocs = max(1, documents // 50)
    base = work / f"{documents}"
    content, hugo_src = base / "content", base / "hugo"
    print(f"== {documents} documents, {assocs} associations", flush=True)
    trash.put(content)
    trash.put(hugo_src)
    corpus.main(["--documents", str(documents), "--associations", str(assocs), "--out", str(content),
                 "--hugo-out", str(hugo_src)])
    fig = Figures(documents, assocs, corpus_mib=tree_size(content)["mib"])
    out, cache = base / "public", base / "cache"

    def clean() -> None:
        """No output and no content-derived cache (rendered Markdown, build state, search index).
        Tools installed once per machine into the cache root (the editor's npm package) stay,
        as Hugo's own binary does."""
        trash.put(out)
        for d in sorted(cache.glob("*")):
            if d.is_dir() and len(d.name) == 12 and all(c in "0123456789abcdef" for c in d.name):
                trash.put(d)
        settle()

    build = gongshi("build", "--content", str(content), "--out", str(out), "--as-of", AS_OF)
    timed(build, env=gongshi_env(cache, search=False))   # installs the editor's npm package once, untimed
    # Side by side: Hugo's cold builds alternate with ours, so both see the same load.
    dest = base / "hugo-public"
    with_hugo = hugo and shutil.which("hugo") is not None
    cold, hruns = [], []
    for _ in range(runs):
        clean()
        cold.append(timed(build, env=gongshi_env(cache, search=False)))
        if with_hugo:
            trash.put(dest)
            trash.put(hugo_src / "resources")
            settle()
            hruns.append(timed(["hugo", "--quiet", "--destination", str(dest)], cwd=hugo_src))
    fig.results["gongshi cold build, no search"] = median(cold)
    fig.output["gongshi, no search"] = tree_size(out)
    print("  cold build, no search", fig.results["gongshi cold build, no search"], flush=True)

    if search:
        with_search = []
        for _ in range(runs):
            clean()
            with_search.append(timed(build, env=gongshi_env(cache, search=True)))
        fig.results["gongshi cold build, with search"] = median(with_search)
        fig.output["gongshi, with search"] = tree_size(out)
        print("  cold build, with search", fig.results["gongshi cold build, with search"], flush=True)

    # The same cache root as the builds (GONGSHI_CACHE): `check` reads the Markdown analyses
    # the build left, as it does in a working copy after a build.
    fig.results["gongshi check"] = median([timed(gongshi("check", "--content", str(content)),
                                                 env=gongshi_env(cache, search=False)) for _ in range(runs)])
    print("  check", fig.results["gongshi check"], flush=True)

    # Repeated `gongshi build` after one edit, with the persistent cache of the previous build.
    clean()
    timed(build, env=gongshi_env(cache, search=False))
    rebuilt = []
    for i in range(runs):
        edit_one(content, i, out)
        rebuilt.append(timed(build, env=gongshi_env(cache, search=False)))
    fig.results["gongshi rebuild after 1 edit (repeated build, cache)"] = median(rebuilt)
    print("  rebuild (repeated build)", fig.results["gongshi rebuild after 1 edit (repeated build, cache)"], flush=True)

    target = edit_one(content, runs + 1, out)
    proc = subprocess.run([sys.executable, "-c", WARM, str(content), str(target), str(max(runs, 5)), AS_OF],
                          cwd=ROOT, env=gongshi_env(cache, search=False), capture_output=True, text=True)
    if proc.returncode == 0:
        warm = json.loads(proc.stdout.strip().splitlines()[-1])
        fig.results["gongshi rebuild after 1 edit (serve, in-process warm)"] = {
            "seconds": round(warm["seconds"], 4), "max_rss_mib": 0.0, "runs": len(warm["all"])}
        print("  rebuild (warm, in-process)", warm, flush=True)
    else:
        print("  warm rebuild failed:", proc.stderr[-2000:], flush=True)

    if with_hugo:
        fig.results["hugo cold build"] = median(hruns)
        fig.output["hugo"] = tree_size(dest)
        print("  hugo", fig.results["hugo cold build"], flush=True)

    if profile:
        clean()
        prof = HERE / "results" / f"profile-{documents}.txt"
        script = ("import cProfile, pstats, io, datetime as dt, sys; from pathlib import Path; "
                  "from generator import pipeline; pr = cProfile.Profile(); pr.enable(); "
                  f"pipeline.build(Path({str(content)!r}), Path({str(out)!r}), dt.date.fromisoformat({AS_OF!r}), search=False); "
                  "pr.disable(); s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats('cumulative').print_stats(20); "
                  "print(s.getvalue())")
        res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=gongshi_env(cache, search=False),
                             capture_output=True, text=True)
        prof.parent.mkdir(exist_ok=True)
        prof.write_text(res.stdout + res.stderr[-2000:], encoding="utf-8")
        print(f"  profile → {prof}", flush=True)
    return fig


def table(figs: list[Figures]) -> str:
    names: list[str] = []
    for f in figs:
        names += [n for n in f.results if n not in names]
    head = "| measure | " + " | ".join(f"{f.documents:,} docs" for f in figs) + " |"
    lines = [head, "|---" * (len(figs) + 1) + "|"]
    for n in names:
        cells = []
        for f in figs:
            r = f.results.get(n)
            cells.append("—" if r is None else f"{r['seconds']:.2f} s" + (f" (cpu {r['cpu_seconds']:.1f} s)" if r.get("cpu_seconds") else "")
                         + (f", {r['max_rss_mib']:.0f} MiB" if r.get("max_rss_mib") else ""))
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    ratio = []
    for f in figs:
        g, h = f.results.get("gongshi cold build, no search"), f.results.get("hugo cold build")
        ratio.append(f"{g['seconds'] / h['seconds']:.2f} ×" if g and h else "—")
    lines.append("| gongshi (no search) / Hugo | " + " | ".join(ratio) + " |")
    for name in sorted({k for f in figs for k in f.output}):
        cells = [f"{f.output[name]['files']:,} files, {f.output[name]['mib']} MiB" if name in f.output else "—" for f in figs]
        lines.append(f"| output: {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--documents", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--work", type=Path, default=Path("/tmp/gongshi-bench"))
    p.add_argument("--skip-hugo", action="store_true")
    p.add_argument("--skip-search", action="store_true")
    p.add_argument("--profile", action="store_true", help="cProfile the largest cold build (top 20 cumulative)")
    args = p.parse_args(argv)
    figs = []
    trash = Trash(args.work)
    trash.empty()       # an interrupted run's; the warm-up build runs before the first timed one
    for n in args.documents:
        fig = bench_size(n, args.runs, args.work, trash, hugo=not args.skip_hugo, search=not args.skip_search,
                         profile=args.profile and n == max(args.documents))
        figs.append(fig)
        (HERE / "results").mkdir(exist_ok=True)
        (HERE / "results" / f"{n}.json").write_text(json.dumps(asdict(fig), ensure_ascii=False, indent=1) + "\n")
    trash.empty()
    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{subprocess.run(['hugo', 'version'], capture_output=True, text=True).stdout.split(' ')[0] if shutil.which('hugo') else 'no hugo'}")
    print(table(figs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
