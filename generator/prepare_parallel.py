"""A cold `check` on both cores: the association folders in portions (by bytes, biggest
first), loaded, Markdown-analysed and validated by this process and a forked worker, each
taking the next portion no one took yet until none is left.

Why: with a cold per-file cache every file is parsed, analysed and validated (~4 s at 10k
documents), and loading and validating ran on one core. Every per-file step, and every
cross-file check (they never look beyond one association), works on a portion as on the
whole. Portions rather than two fixed halves: on a busy machine one process gets less of a
core than the other, and a fixed half left the faster one idle for up to a second.

What comes back is what the serial check gives: the same `ValidatedContent` (profiles,
documents and attachments in the same order, the same sorted diagnostics) and the same
per-file cache (`FileCache.absorb` puts every portion's files in the order one process meets
them; the worker writes its own entries: the same keys, and values that read back equal).

When (`plan`): two or more jobs, fork available, a per-file cache that knows too few files
to make the run cheap, and at least SPLIT_MIN_FILES documents unknown to it (below that the
fork costs more than it saves). `pipeline.check` keeps the serial path for a hook that may
change what was loaded and for serve sessions (no per-file cache there).

A worker that dies, raises or sends something unreadable: this process does the portions
it took itself — the result is the same, only slower.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import threading
import traceback
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable

from . import kinds as k
from .filecache import FileCache
from .load import DOCUMENT_SUFFIXES, _safe_entries, _suffix, check_name, load_content
from .parallel import fork_available, jobs
from .validate import ValidatedContent, ValidDocument, validate

# Unknown documents below which one process does it all. Measured (cold prepare, synthetic
# corpora, a busy 2-core machine, medians of 5-6): at 500 documents a wash (0.42 s both, 0.02 s
# more CPU split), at 1,000 0.62 s split against 0.77 s, at 10,000 3.6 s against 5.4 s.
SPLIT_MIN_FILES = 800
PIPE_BYTES = 1 << 20        # the worker's results pipe (see `_widen`)
GUIDED = 6                  # a portion is a sixth of the bytes left (at least 0.5 % of all)


@dataclass(frozen=True)
class Split:
    portions: tuple[frozenset[str], ...]    # association slugs, biggest portions first
    folder_rank: dict[str, int]             # association folder name -> its place in load order


def plan(content_dir: Path, files: FileCache) -> Split | None:
    """The portions of a cold check, or None when one process should do it all."""
    if jobs() < 2 or not fork_available():
        return None
    known = files.recorded()
    if len(known) >= SPLIT_MIN_FILES:
        # A warm cache: a repeated build reads next to nothing (and must not pay for a walk).
        return None
    root = content_dir.absolute()
    sizes: dict[str, int] = {}
    rank: dict[str, int] = {}
    unknown = 0
    try:
        # load's own walk of the folders (what it skips or refuses, its diagnostics, are load's to report)
        for _, folder in _safe_entries(f"{root}/associations", root, []):
            if not folder.is_dir():
                continue
            name = folder.name
            slug = unicodedata.normalize("NFC", name)
            if check_name(slug) is not None:
                continue            # load reports it and reads nothing in it
            if slug in sizes:
                return None         # two folders, one slug: keep load's own order of them
            rank[name] = len(rank)
            size, count = _documents(folder.path, known)
            sizes[slug] = size
            unknown += count
    except OSError:
        return None
    if unknown < SPLIT_MIN_FILES or len(sizes) < 2:
        return None
    # Guided: each portion a sixth of the bytes left (biggest folders first), so the two
    # processes, taking the next portion as they finish one, end close together however
    # fast each runs (a busy machine gives one core less than the other).
    portions: list[frozenset[str]] = []
    left = sum(sizes.values())
    smallest = left / 200           # so at most 201 portions: one byte each (see `check`)
    portion: list[str] = []
    size = 0
    for slug in sorted(sizes, key=lambda s: (-sizes[s], s)):
        portion.append(slug)
        size += sizes[slug]
        if size >= max(left / GUIDED, smallest):
            portions.append(frozenset(portion))
            left -= size
            portion, size = [], 0
    if portion:
        portions.append(frozenset(portion))
    return Split(tuple(portions), rank)


def _documents(folder: str, known: Any) -> tuple[int, int]:
    """(bytes, documents the cache does not know) of one association folder: a cheap guess
    at the work in it (attachments under files/ are not read)."""
    size = unknown = 0
    with os.scandir(folder) as it:
        entries = list(it)
    for e in entries:
        if e.is_dir(follow_symlinks=False):
            if e.name != "files" and not e.name.startswith("."):
                sub_size, sub_unknown = _documents(e.path, known)
                size, unknown = size + sub_size, unknown + sub_unknown
        elif _suffix(e.name) in DOCUMENT_SUFFIXES:
            size += e.stat().st_size
            unknown += e.path not in known
    return size, unknown


def _portion(content_dir: Path, slugs: frozenset[str], files: FileCache, workers: int | None = 1) -> ValidatedContent:
    """What `pipeline.check` does, for the association folders `slugs` (and site.yaml and
    the calendars, which every portion reads: their diagnostics are the same in all)."""
    from .pipeline import _warm_markdown
    loaded = load_content(content_dir, files=files, slugs=slugs)
    _warm_markdown(loaded, files.fresh, workers)
    return validate(loaded, files)


Triple = tuple[Any, str, Any]      # (RawDocument, kind name, model): a Kind is looked up, not pickled
Done = tuple[list[Triple], list[Triple], tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]


def _take(content_dir: Path, split: Split, tickets: int | None, files: FileCache, workers: int | None = 1,
          only: list[int] | None = None, sent: Callable[[int, Done], None] | None = None) -> dict[int, Done]:
    """Portions, each the next one no process took yet (a byte read from the pipe `tickets`:
    a pipe hands each byte to one reader), or those of `only`: {index: (profiles, documents,
    attachments, diagnostics, cache share)}. `sent(index, portion)` is told of each as soon
    as it is done."""
    done: dict[int, Done] = {}
    while True:
        if only is not None:
            if not only:
                break
            i = only.pop(0)
        else:
            assert tickets is not None
            ticket = os.read(tickets, 1)
            if not ticket:
                break               # none left
            i = ticket[0]
        view = files.sibling()
        content = _portion(content_dir, split.portions[i], view, workers)
        done[i] = (_triples(content.profiles), _triples(content.documents), content.attachments,
                   content.diagnostics, view.share())
        if sent is not None:
            sent(i, done.pop(i))
    return done


def _work(content_dir: Path, split: Split, tickets: int, files: FileCache, out_fd: int) -> None:
    """The forked worker: portions until none is left, each down the pipe as soon as it is
    done (the parent takes it in while both still work, instead of one process pickling
    and the other unpickling everything at the end, each waiting for the other), then its
    cache entries written, then "ok"."""
    from . import markdown
    with os.fdopen(out_fd, "wb") as out:
        # Written by a thread: a full pipe then holds up that thread (waiting without the
        # GIL), never the next portion.
        outgoing: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        writer = threading.Thread(target=_write_all, args=(outgoing, out), daemon=True)
        writer.start()

        def send(i: int, portion: Done) -> None:
            outgoing.put(pickle.dumps(("portion", i, portion), protocol=pickle.HIGHEST_PROTOCOL))
        try:
            _take(content_dir, split, tickets, files, sent=send)
            files.store.flush()
            if markdown._memo.store is not None:
                markdown._memo.store.flush()
            payload: tuple[Any, ...] = ("ok",)
        except BaseException:           # noqa: BLE001 - the parent does its portions itself
            payload = ("failed", traceback.format_exc())
        outgoing.put(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        outgoing.put(None)
        writer.join()


def _write_all(outgoing: "queue.SimpleQueue[bytes | None]", out: BinaryIO) -> None:
    """The worker's results down the pipe, in order, until None (a broken pipe: the parent
    is gone, or reads no more, and does the portions itself)."""
    try:
        while (blob := outgoing.get()) is not None:
            out.write(blob)
            out.flush()
    except OSError:
        pass


def _triples(docs: tuple[ValidDocument, ...]) -> list[Triple]:
    return [(d.raw, d.kind.name, d.model) for d in docs]


def _receive(stream: BinaryIO) -> dict[int, Done]:
    """The worker's portions, read as it sends them until its "ok"; none when it failed,
    died or sent something unreadable (its portions are then done again here)."""
    done: dict[int, Done] = {}
    while True:
        try:
            item = pickle.load(stream)
        except Exception:           # noqa: BLE001 - EOF (it died), a broken stream
            return {}
        if not isinstance(item, tuple) or not item:
            return {}
        if item == ("ok",):
            return done
        if len(item) != 3 or item[0] != "portion" or not isinstance(item[1], int):
            return {}               # "failed", or something this process never asked for
        done[item[1]] = item[2]


def _together(content_dir: Path, split: Split, files: FileCache) -> tuple[dict[int, Done], dict[int, Done]]:
    """The portions this process did and those the forked worker sent back (none if it failed)."""
    # One byte per portion, all written before the fork (far less than a pipe holds).
    tickets, tickets_in = os.pipe()
    os.write(tickets_in, bytes(range(len(split.portions))))
    os.close(tickets_in)
    read_fd, write_fd = os.pipe()
    _widen(write_fd)
    worker = multiprocessing.get_context("fork").Process(
        target=_work, args=(content_dir, split, tickets, files.sibling(), write_fd), daemon=True)
    try:
        started = True
        worker.start()
    except (AssertionError, OSError):   # a daemonic process may not fork; no memory for it
        started = False
    finally:
        os.close(write_fd)          # the worker holds the only writer: its death is our EOF
    received: list[dict[int, Done]] = []
    # The worker's portions are read (and unpickled) by a thread while this one does its
    # own: reading waits without the GIL, and nothing is left to unpickle at the end.
    results = os.fdopen(read_fd, "rb")
    reader = threading.Thread(target=lambda: received.append(_receive(results)), daemon=True)
    try:
        if started:
            reader.start()
        mine = _take(content_dir, split, tickets, files)
    except BaseException:
        if started:
            worker.kill()
        raise
    finally:
        os.close(tickets)
        if started:
            reader.join()           # the worker's end (or death) ends its stream
            worker.join()
        results.close()
    return mine, received[0] if received else {}


def _widen(fd: int) -> None:
    """A pipe that holds a whole portion's results where Linux allows (1 MiB; 64 KiB by
    default): the worker then goes on with its next portion instead of waiting, 64 KiB at
    a time, for this process's reader thread to get its turn at the interpreter."""
    try:
        import fcntl
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass                        # elsewhere, or over the limit: the default pipe works, only slower


def check(content_dir: Path, files: FileCache, split: Split) -> ValidatedContent:
    """Load, analyse and validate on two processes; the result `pipeline.check`'s serial
    path gives (`files.finish()` is left to the caller, as there)."""
    from . import markdown
    from .cache import cache_dir, store
    root = content_dir.absolute()
    markdown.use_store(store(cache_dir(root), "markdown"))
    for pending in (files.store, markdown._memo.store):
        pending.flush()             # a fork must not inherit unwritten entries
    _build_validators()
    mine, theirs = _together(content_dir, split, files)
    # What the worker did not send (it failed, or died): done here, as one process would.
    left = [i for i in range(len(split.portions)) if i not in mine and i not in theirs]
    if left:
        mine.update(_take(content_dir, split, None, files, None, left))
    # site.yaml, the calendars and the folder names again (a few milliseconds): the
    # configuration and what every portion reports about them, whoever did which portion.
    head = validate(load_content(content_dir, slugs=frozenset()))
    done = [*mine.values(), *theirs.values()]
    files.absorb([share for *_, share in done], _rank_of_path(f"{root}/associations/", split.folder_rank))
    slug_rank = {unicodedata.normalize("NFC", name): n for name, n in split.folder_rank.items()}
    return ValidatedContent(
        config=head.config, calendar_years=head.calendar_years,
        profiles=tuple(sorted((d for part in done for d in _valid(part[0])), key=lambda d: d.association)),
        documents=tuple(sorted((d for part in done for d in _valid(part[1])),
                               key=lambda d: (d.association, d.kind.name, d.id))),
        # In load order: folder by folder (each folder's attachments are in one portion, in order).
        attachments=tuple(sorted((a for part in done for a in part[2]), key=lambda a: slug_rank[a.association])),
        diagnostics=tuple(sorted(set(head.diagnostics).union(*(part[3] for part in done)))),
        root=head.root, theme_dir=head.theme_dir,
    )


def _build_validators() -> None:
    """Every model's validator, which pydantic builds on first use (the models defer it, so
    a run that validates nothing does not pay for them): built once here, before the fork,
    instead of once in each process (some 40 ms)."""
    from .calendar import CalendarYear
    from .config import SiteConfig
    for model in (SiteConfig, CalendarYear, *(kind.model for kind in k.BY_NAME.values())):
        model.model_rebuild()


def _valid(triples: list[Triple]) -> list[ValidDocument]:
    return [ValidDocument(raw, k.BY_NAME[kind], model) for raw, kind, model in triples]


def _rank_of_path(prefix: str, folder_rank: dict[str, int]) -> Callable[[str], int]:
    """A file's place in load order, by its association folder (files meet in folder order)."""
    last = len(folder_rank)

    def rank(path: str) -> int:
        if not path.startswith(prefix):
            return last
        return folder_rank.get(path[len(prefix):].partition("/")[0], last)
    return rank
