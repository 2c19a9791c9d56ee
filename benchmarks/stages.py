"""In-process stage timer: where one build's time goes, stage by stage.

    python benchmarks/stages.py --content /tmp/c10k [--out /tmp/stages-out] [--as-of 2026-06-30]
                                [--profile FILE] [--search] [--memory]

Runs the same stages as `pipeline.build` one after the other and prints the seconds of
each (wall and this process's CPU; render workers' CPU is not included). `--profile`
writes the cProfile top 40 by cumulative time; `--memory` reports the tracemalloc peak
and its top allocation sites (slow: use on 1k).
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
