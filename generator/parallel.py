"""Both cores: forked workers render slices of the artifacts; output order stays the same.

Fork (not spawn) so workers inherit the site, the evaluation, the compiled templates and
the list of artifacts without pickling them. The parent yields every output in the original
order, so the bytes and the order of the output are those of a serial build.

Two ways, by what consumes the outputs:
- a full write (`write.staging()` is set while the writer consumes them): workers render
  every artifact, producers included, and write it into the staging folder themselves; only
  sizes and digests (`write.Placed`) come back, so the parent holds no page bytes and both
  cores work until the end (`_place_all`);
- anything else (an incremental update, serve): workers render the template artifacts and
  send their bytes back through a bounded window; producers (feeds, open data, search
  shards, sitemap) run in the parent.

A cold full write starts earlier still: the producers that need no list of pages (feeds,
open data, the editor's configuration) are placed by a forked process while the parent
lists the pages (`place_early`); the workers then leave them out.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
from collections import deque
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from . import collector, markdown

CHUNK = 48              # artifacts per task: large enough to amortise the pipe, small enough to balance
IN_FLIGHT_PER_WORKER = 4  # slices queued per worker: keeps both cores busy, bounds what the parent holds
SERIAL_BELOW = 400      # fewer template artifacts than this: forking costs more than it saves
BIG_LAST_SLICES = 2     # template slices from the end of the list rendered first (see _place_all)

_work: tuple[Sequence[Any], Any, Mapping[str, Any], Callable[..., bytes]] | None = None


def jobs() -> int:
    """Worker processes: $GONGSHI_JOBS, else the cores this process may use."""
    env = os.environ.get("GONGSHI_JOBS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def same_worker(produce: Callable[[], bytes], shared: object) -> Callable[[], bytes]:
    """`produce`, marked as sharing `shared` with the other producers marked with it: a full
    write's workers take them in one task (`_place_all`), so what they share is made once."""
    produce.same_worker = shared        # type: ignore[attr-defined]
    return produce


def _grouped(indices: Iterable[int], key: Callable[[int], object]) -> list[list[int]]:
    """`indices` in groups of equal `key`, each group where its first index comes."""
    groups: dict[object, list[int]] = {}
    for i in indices:
        groups.setdefault(key(i), []).append(i)
    return list(groups.values())


def _producer_slices(artifacts: Sequence[Any], wanted: Callable[[Any], bool]) -> list[list[int]]:
    """One task per producer, but one for all the producers that share something (`same_worker`)."""
    def shares(i: int) -> object:
        shared = getattr(artifacts[i].produce, "same_worker", None)
        return i if shared is None else ("same_worker", id(shared))
    return _grouped((i for i, a in enumerate(artifacts) if a.produce is not None and wanted(a)), shares)


def _markdown_ahead(artifacts: Sequence[Any], indices: list[int]) -> None:
    """The stored Markdown analyses of a slice's document pages, read in one query."""
    markdown.fetch_ahead(getattr(getattr(getattr(artifacts[i].lazy, "doc", None), "raw", None), "body", None)
                         for i in indices)


def _render_slice(indices: list[int]) -> list[bytes]:
    assert _work is not None
    artifacts, theme, globals_, build = _work
    _markdown_ahead(artifacts, indices)
    return [build(artifacts[i], theme, globals_) for i in indices]


def _place_slice(indices: list[int]) -> list[Any]:
    """Render and write into the staging folder of the full write: only sizes and digests
    go back to the parent."""
    assert _work is not None and _staging is not None
    from .render import artifact_chunks
    artifacts, theme, globals_, _build = _work
    _markdown_ahead(artifacts, indices)
    return [_staging.place(artifacts[i].path, artifact_chunks(artifacts[i], theme, globals_)) for i in indices]


_staging: Any = None


def fork_available() -> bool:
    """Whether workers can be forked (they inherit the site instead of receiving it)."""
    return "fork" in multiprocessing.get_all_start_methods()


def run_forked(work: Callable[[], None]) -> int | None:
    """`work()` in a forked process, on the second core while this one goes on: its pid
    (exit status 0 when `work` returned), or None on one core, without fork, or when the fork
    failed — the caller does the work itself then. The child leaves at once, whatever happens."""
    if jobs() < 2 or not fork_available():
        return None
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return pid


def ahead(make: Callable[[], bytes]) -> Callable[[], bytes | None]:
    """`make()` started now in a forked process (`run_forked`); the function returned waits
    for its bytes (None when the process failed: the caller makes what it needed itself).
    On one core, or without fork, it is made when asked for."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return make

    def send() -> None:
        os.close(read_end)
        with os.fdopen(write_end, "wb") as out:
            out.write(len(data := make()).to_bytes(8, "little") + data)

    pid = run_forked(send)
    os.close(write_end)
    if pid is None:
        os.close(read_end)
        return make

    def taken() -> bytes | None:
        with os.fdopen(read_end, "rb") as got:
            data = got.read()
        _pid, status = os.waitpid(pid, 0)
        if status != 0 or len(data) < 8 or int.from_bytes(data[:8], "little") != len(data) - 8:
            return None
        return data[8:]
    return taken


class PlacedEarly:
    """Outputs a forked process is putting into the staging folder of a full write while
    this one lists the pages (`place_early`): by path, what `Staging.place` gave for each,
    waited for when first asked. A path the process did not place (it failed) is None."""

    def __init__(self, paths: Sequence[str], taken: Callable[[], bytes | None]) -> None:
        self.paths = frozenset(paths)
        self._taken: Callable[[], bytes | None] | None = taken
        self._placed: dict[str, Any] = {}

    def get(self, path: str) -> Any:
        self.wait()
        return self._placed.get(path)

    def wait(self) -> None:
        """Until the process is done (its pipe read, the process reaped)."""
        if self._taken is not None:
            taken, self._taken = self._taken, None
            data = taken()
            if data is not None:
                with contextlib.suppress(Exception):    # unreadable: made again by the caller
                    self._placed = pickle.loads(data)


def place_early(target: Any, artifacts: Sequence[Any]) -> PlacedEarly | None:
    """The producers `artifacts` put into the staging folder `target` by a forked process
    (on the core that idles while this one lists the pages); None on one core or without
    fork. Only for a write in which every output is made (no previous
    output the build state vouches for): the renderer takes these as made."""
    if jobs() < 2 or not fork_available() or not artifacts:
        return None
    from .render import artifact_chunks

    def place() -> bytes:
        placed = {}
        for a in artifacts:
            placed[a.path] = target.place(a.path, artifact_chunks(a, None, {}))
        return pickle.dumps(placed, protocol=pickle.HIGHEST_PROTOCOL)
    taken = ahead(place)
    if taken is place:          # no pipe, no fork: the renderer makes them as usual
        return None
    return PlacedEarly([a.path for a in artifacts], taken)


def build_all(artifacts: Sequence[Any], theme: Any, globals_: Mapping[str, Any],
              build: Callable[[Any, Any, Mapping[str, Any]], bytes],
              wanted: Callable[[Any], bool] = lambda a: True,
              early: PlacedEarly | None = None) -> Iterator[tuple[Any, bytes | None]]:
    """(artifact, bytes) for every artifact, in order; (artifact, None) for those not `wanted`.

    Under an incremental build (`incremental.active`), artifacts whose inputs did not
    change are not rendered: their bytes come from the previous output. `early`: outputs
    a forked process placed into the staging folder of the full write (`place_early`)."""
    from .incremental import active
    state = active.get()
    try:
        if state is not None:
            state.start(artifacts)
            for a, data in _build_all(artifacts, theme, globals_, build, state.wanted, early):
                yield a, state.fill(a, data)
            return
        yield from _build_all(artifacts, theme, globals_, build, wanted, early)
    finally:
        if early is not None:
            early.wait()        # never a process left behind, whatever happened


@contextlib.contextmanager
def _pool(artifacts: Sequence[Any], templated: Sequence[int], theme: Any, globals_: Mapping[str, Any],
          build: Callable[..., bytes], n: int, staging: Any = None) -> Iterator[Any]:
    """A pool of `n` forked workers that inherit the artifacts (and the staging folder of a
    full write); stopped when the block ends, whether it finished or failed."""
    global _work, _staging
    # Compile every template once, before the fork, so workers share the compiled code.
    for name in sorted({artifacts[i].template for i in templated if artifacts[i].template}):
        theme.env.get_template(name)
    # Contexts some pages share (the compliance matrix), made once here rather than in each
    # worker; the parent lets go of them once the workers have them (its peak memory).
    from .render import SharedContext
    shared = {id(a.lazy.contexts): a.lazy.contexts for a in (artifacts[i] for i in templated)
              if type(a.lazy) is SharedContext}
    for contexts in shared.values():
        contexts.made()
    if markdown._memo.store is not None:
        markdown._memo.store.flush()
    _work, _staging = (artifacts, theme, globals_, build), staging
    # Everything alive now (the site, the evaluation, the artifacts) lives as long as the
    # workers: out of the collector's sight, a worker's collections do not walk (and so copy,
    # page by page) the parent's whole heap.
    with collector.frozen():
        pool = multiprocessing.get_context("fork").Pool(n)
        for contexts in shared.values():
            contexts.forget()
        try:
            yield pool
            pool.close()
        finally:
            pool.terminate()
            pool.join()
            _work = _staging = None


def _build_all(artifacts: Sequence[Any], theme: Any, globals_: Mapping[str, Any],
               build: Callable[[Any, Any, Mapping[str, Any]], bytes],
               wanted: Callable[[Any], bool], early: PlacedEarly | None = None) -> Iterator[tuple[Any, bytes | None]]:
    from .render import build_artifact
    from .write import staging
    target = staging()
    if early is not None and target is not None and build is build_artifact:
        yield from _place_all(artifacts, theme, globals_, build, wanted, target, jobs(), early)
        return
    templated = [i for i, a in enumerate(artifacts) if a.produce is None and wanted(a)]
    n = jobs()
    if n < 2 or len(templated) < SERIAL_BELOW or not fork_available():
        yield from _build_serially(artifacts, theme, globals_, build, wanted)
        return
    if target is not None and build is build_artifact:
        yield from _place_all(artifacts, theme, globals_, build, wanted, target, n)
        return
    slices = [templated[i: i + CHUNK] for i in range(0, len(templated), CHUNK)]
    with _pool(artifacts, templated, theme, globals_, build, n) as pool:
        # A bounded window of slices in flight: `imap` lets workers run ahead of the writer and
        # the parent buffer every page rendered so far (most of the build's peak memory at 10k).
        pending = iter(slices)
        inflight: deque[tuple[list[int], Any]] = deque()

        def top_up() -> None:
            while len(inflight) < n * IN_FLIGHT_PER_WORKER:
                chunk = next(pending, None)
                if chunk is None:
                    return
                inflight.append((chunk, pool.apply_async(_render_slice, (chunk,))))

        top_up()
        ready: dict[int, bytes] = {}
        for i, a in enumerate(artifacts):
            if a.produce is not None or not wanted(a):
                yield a, (build(a, theme, globals_) if wanted(a) else None)
                continue
            if i not in ready:
                chunk, result = inflight.popleft()
                try:
                    done = result.get()
                except Exception:
                    # Render the slice here so the error keeps its template traceback
                    # (the pipeline turns it into a positioned diagnostic).
                    _render_slice(chunk)
                    raise
                ready.update(zip(chunk, done))
                top_up()
            yield a, ready.pop(i)


def _build_serially(artifacts: Sequence[Any], theme: Any, globals_: Mapping[str, Any],
                    build: Callable[[Any, Any, Mapping[str, Any]], bytes],
                    wanted: Callable[[Any], bool]) -> Iterator[tuple[Any, bytes | None]]:
    """Every artifact in this process, in order, the stored Markdown analyses of each CHUNK
    read ahead in one query as a worker's slice is: one query per document page cost 0.3 s
    of a one-process cold build at 10k documents."""
    for start in range(0, len(artifacts), CHUNK):
        chunk = range(start, min(start + CHUNK, len(artifacts)))
        made = [wanted(artifacts[i]) for i in chunk]
        # only the pages it makes: a rebuild after one edit makes a handful of 10,000
        _markdown_ahead(artifacts, [i for i, make in zip(chunk, made) if make])
        for i, make in zip(chunk, made):
            a = artifacts[i]
            yield a, (build(a, theme, globals_) if make else None)


def _place_all(artifacts: Sequence[Any], theme: Any, globals_: Mapping[str, Any],
               build: Callable[[Any, Any, Mapping[str, Any]], bytes], wanted: Callable[[Any], bool],
               target: Any, n: int, early: PlacedEarly | None = None) -> Iterator[tuple[Any, Any]]:
    """A full write: workers render every wanted artifact (producers too) and write it into
    the staging folder themselves; the parent gets `write.Placed` (size, digest) back and
    yields them in the original order. The parent holds no page bytes and writes nothing
    but what comes after (the manifest), so both cores render until the end.

    Order of the work, not of the output: producers (one task each: the editor's
    configuration and the open data files are the biggest single outputs) and the last
    template slices (the site-wide pages other stages add, the compliance tables among
    them, are megabytes each) go first, so no big task is left for one core at the end
    while the other idles; the other slices follow in order, so the parent passes their
    results on as they come instead of holding them.

    `early`: producers a forked process placed already (`place_early`), taken as they are;
    any of them it did not place is made here."""
    made_early = early.paths if early is not None else frozenset()
    unlisted: frozenset[str] = frozenset()
    if early is not None:
        # A page at the path of an early producer: that page is the output (the pool writes it).
        at_pages = {a.path for a in artifacts if a.produce is None and a.path in made_early}
        if at_pages:
            _remove_early(early, at_pages, target)
            made_early = made_early - at_pages
        # What it placed that is no output of this listing (a producer left out, the editor
        # when npm cannot provide it): known now, removed at the end (it may still be placing).
        unlisted = early.paths - {a.path for a in artifacts if wanted(a)}
    producers = _producer_slices(artifacts, lambda a: wanted(a) and a.path not in made_early)
    templated = [i for i, a in enumerate(artifacts) if a.produce is None and wanted(a)]
    ordered = mirrors_together(artifacts, templated)
    pages = [ordered[i: i + CHUNK] for i in range(0, len(ordered), CHUNK)]
    slices = producers + pages[-BIG_LAST_SLICES:] + pages[:-BIG_LAST_SLICES]
    with _pool(artifacts, templated, theme, globals_, build, n, target) as pool:
        # Results are a few numbers per output: every slice is queued at once.
        results = [pool.apply_async(_place_slice, (chunk,)) for chunk in slices]
        slice_of = [-1] * len(artifacts)
        for n_slice, chunk in enumerate(slices):
            for i in chunk:
                slice_of[i] = n_slice
        ready: dict[int, Any] = {}
        for i, a in enumerate(artifacts):
            if not wanted(a):
                yield a, None
                continue
            if a.path in made_early and a.produce is not None:
                yield a, _taken_early(a, early, target)     # type: ignore[arg-type]
                continue
            if i not in ready:
                chunk, result = slices[slice_of[i]], results[slice_of[i]]
                try:
                    done = result.get()
                except Exception:
                    # A template error: render the slice here so it keeps its template
                    # traceback (the pipeline turns it into a positioned diagnostic).
                    for j in chunk:
                        build(artifacts[j], theme, globals_)
                    raise
                ready.update(zip(chunk, done))
                results[slice_of[i]] = None     # type: ignore[call-overload]
            yield a, ready.pop(i)
    if early is not None and unlisted:
        _remove_early(early, unlisted, target)     # the staging folder holds outputs only


def _taken_early(a: Any, early: PlacedEarly, target: Any) -> Any:
    """What the early process placed for `a`, or, when it did not (it failed), `a` made here
    over whatever it left of the file."""
    placed = early.get(a.path)
    if placed is not None:
        return placed
    from .render import artifact_chunks
    target.remove(a.path, folders=False)     # the render workers may be placing beside it
    return target.place(a.path, artifact_chunks(a, None, {}))


def _remove_early(early: PlacedEarly, paths: Iterable[str], target: Any) -> None:
    """`paths` the early process placed, and the folders that held nothing else, gone again."""
    early.wait()
    for path in sorted(paths):
        target.remove(path)


def mirrors_together(artifacts: Sequence[Any], indices: Sequence[int]) -> list[int]:
    """`indices` with the artifacts that share one context (a page and its mirrors in the
    other languages, `render.localised`) next to each other, in the order each context
    first comes: one worker renders a page's languages one after the other, so what they
    share is made once (`render.DocumentPage`). Only the order of the work changes."""
    return [i for group in _grouped(indices, lambda i: id(artifacts[i].context)) for i in group]


# The bodies a warm-up's forked workers analyse, inherited through fork: a task is an index
# range, never the bodies themselves (pickling a str caches its UTF-8 copy inside the object
# for as long as it lives: 11 MB more of the parent's memory for the whole build at 10k).
_bodies: Sequence[tuple[str, str]] = ()     # (body_key, body) the warm-up workers analyse


def _analyse_range(span: tuple[int, int]) -> list[tuple[str, bytes]]:
    return markdown.analysed(_bodies[span[0]: span[1]])


def warm_markdown(bodies: Sequence[str], workers: int | None = None) -> None:
    """Analyse every body the persistent store lacks, on all cores (or `workers`), into the store."""
    store = markdown._memo.store
    if store is None:
        return
    unique = sorted(set(bodies))
    keys = [markdown.body_key(b) for b in unique]
    known = store.has_many(keys)
    missing = [(key, b) for b, key in zip(unique, keys) if key not in known]
    n = jobs() if workers is None else workers
    if n < 2 or len(missing) < SERIAL_BELOW or not fork_available():
        for key, value in markdown.analysed(missing):
            store.put(key, value)
        store.flush()
        return
    store.flush()
    global _bodies
    # Small spans: the last one to finish keeps a core busy while the other idles.
    size = max(16, len(missing) // (n * 32))
    spans = [(i, min(i + size, len(missing))) for i in range(0, len(missing), size)]
    _bodies = missing
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            for found in pool.imap_unordered(_analyse_range, spans):
                for key, value in found:
                    store.put(key, value)
    finally:
        _bodies = ()
    store.flush()
