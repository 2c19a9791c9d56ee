"""In-process stage timer: where one build's time goes, stage by stage.

    python benchmarks/stages.py --content /tmp/c10k [--out /tmp/stages-out] [--as-of 2026-06-30]
                                [--profile FILE] [--search] [--memory] [--rebuild]

Runs the same stages as `pipeline.build` one after the other and prints the seconds of
each (wall and this process's CPU; render workers' CPU is not included). `--profile`
writes the cProfile top 40 by cumulative time; `--memory` reports the tracemalloc peak
and its top allocation sites (slow: use on 1k). `--rebuild` then times a repeated
incremental `build` after appending a line to one document (on a copy of the content; the
first build of the copy records the build state and is not timed), split into prepare
(load, validate, evaluate) and render + write, and then the whole `gongshi build` process
after one more edit (interpreter, imports and all: what `bench.py` times as "rebuild after
1 edit (repeated build, cache)").
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--content", type=Path, required=True)
    p.add_argument("--out", type=Path, default=Path("/tmp/stages-out"))
    p.add_argument("--as-of", default="2026-06-30")
    p.add_argument("--profile", type=Path)
    p.add_argument("--search", action="store_true")
    p.add_argument("--memory", action="store_true")
    p.add_argument("--rebuild", action="store_true")
    args = p.parse_args(argv)

    from generator import pipeline
    from generator.assemble import assemble
    from generator.evaluate import evaluate
    from generator.gitdates import read_history
    from generator.load import load_content
    from generator.manifest import with_manifest
    from generator.outputs import extra_artifacts
    from generator.render import load_theme, render_site
    from generator.validate import validate
    from generator.write import write_site

    if args.memory:
        import tracemalloc
        tracemalloc.start(8)
    prof = cProfile.Profile() if args.profile else None
    rows: list[tuple[str, float, float]] = []

    def stage(name: str, fn):  # type: ignore[no-untyped-def]
        t, c = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        value = fn()
        if prof:
            prof.disable()
        rows.append((name, time.perf_counter() - t, time.process_time() - c))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name:<28} {rows[-1][1]:7.2f} s wall {rows[-1][2]:7.2f} s cpu  max RSS so far {rss:5.0f} MiB", flush=True)
        return value

    as_of = dt.date.fromisoformat(args.as_of)
    loaded = stage("load", lambda: load_content(args.content))
    stage("markdown (warm/analyse)", lambda: pipeline._warm_markdown(loaded))
    content = stage("validate", lambda: validate(loaded))
    site = stage("assemble", lambda: assemble(content, as_of, read_history(args.content)))
    evaluation = stage("evaluate", lambda: evaluate(site))
    theme = load_theme(site.theme_dir)
    from generator.render import produce_artifacts
    pages = stage("produce_artifacts", lambda: produce_artifacts(site, evaluation, theme))
    extra = stage("extra_artifacts", lambda: extra_artifacts(site, evaluation, theme, search=args.search, pages=pages))

    def render_write():  # type: ignore[no-untyped-def]
        import gc
        gc.freeze()         # as pipeline.build does: the site stays out of full collections
        rendered = ((a.path, d) for a, d in render_site(site, evaluation, theme, extra, pages))
        return write_site(with_manifest(rendered, site, evaluation), args.out)
    stage("render + write", render_write)
    total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'total':<28} {total[0]:7.2f} s wall {total[1]:7.2f} s cpu; "
          f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB", flush=True)
    if prof and args.profile:
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(40)
        args.profile.write_text(s.getvalue(), encoding="utf-8")
    if args.memory:
        import tracemalloc
        _cur, peak = tracemalloc.get_traced_memory()
        print(f"tracemalloc peak {peak / 2**20:.0f} MiB")
    if args.rebuild:
        rebuild(args.content, as_of, args.search)
    return 0


def rebuild(content: Path, as_of: dt.date, search: bool) -> None:
    """A repeated incremental build after one edit, on a copy of `content`."""
    import os
    import shutil
    import tempfile

    from generator import pipeline
    with tempfile.TemporaryDirectory(prefix="gongshi-rebuild-") as tmp:
        copy, out = Path(tmp) / "content", Path(tmp) / "public"
        shutil.copytree(content, copy, symlinks=True)
        assert pipeline.build(copy, out, as_of, search=search, incremental=True).ok
        edited = sorted(copy.glob("associations/*/*/*.md"))[len(list(copy.glob("associations/*"))) // 2]
        edited.write_text(edited.read_text(encoding="utf-8") + "\n补充说明：经复核，已完成整改。\n", encoding="utf-8")
        spent: dict[str, float] = {}
        real_prepare = pipeline.prepare

        def timed_prepare(*a, **k):  # type: ignore[no-untyped-def]
            c = time.process_time()
            try:
                return real_prepare(*a, **k)
            finally:
                spent["prepare"] = time.process_time() - c
        pipeline.prepare = timed_prepare  # type: ignore[assignment]
        try:
            before = os.times()
            t, c = time.perf_counter(), time.process_time()
            result = pipeline.build(copy, out, as_of, search=search, incremental=True)
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            after = os.times()
        finally:
            pipeline.prepare = real_prepare  # type: ignore[assignment]
        workers = after.children_user + after.children_system - before.children_user - before.children_system
        print(f"rebuild after one edit ({edited.relative_to(copy)}): {wall:.2f} s wall, {cpu:.2f} s cpu "
              f"(+{workers:.2f} s in workers); prepare {spent['prepare']:.2f} s cpu, "
              f"render + write {cpu - spent['prepare']:.2f} s cpu; {result.stats}", flush=True)
        # The same again as the command a secretariat runs: a fresh process, measured whole.
        import subprocess
        root = Path(__file__).resolve().parent.parent
        edited.write_text(edited.read_text(encoding="utf-8") + "\n再次补充：整改材料已归档。\n", encoding="utf-8")
        env = dict(os.environ, GONGSHI_SEARCH="1" if search else "0", PYTHONPATH=str(root))
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(root / "build.py"), "build", "--content", str(copy), "--out", str(out),
                                 "--as-of", as_of.isoformat()], env=env, stdout=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        print(f"`gongshi build` process after one more edit: {wall:.2f} s wall, {usage.ru_utime + usage.ru_stime:.2f} s cpu "
              f"(user + sys, workers included), max RSS {usage.ru_maxrss / 1024:.0f} MiB, exit {os.waitstatus_to_exitcode(status)}",
              flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
