"""A cold `check` on both cores: the association folders in two halves (by bytes), one
loaded, Markdown-analysed and validated by a forked worker while this process does the other.

Why: with a cold per-file cache every file is parsed, analysed and validated (~4 s at 10k
documents), and loading and validating ran on one core. Every per-file step, and every
cross-file check (they never look beyond one association), works on a half as on the whole.

What comes back is what the serial check gives: the same `ValidatedContent` (profiles,
documents and attachments in the same order, the same sorted diagnostics) and the same
per-file cache (`FileCache.absorb` puts the worker's files in the order one process meets
them; the worker writes its own entries: the same keys, and values that read back equal).

When (`plan`): two or more jobs, fork available, a per-file cache that knows too few files
to make the run cheap, and at least SPLIT_MIN_FILES documents unknown to it (below that the
fork costs more than it saves). `pipeline.check` keeps the serial path for a hook that may
change what was loaded and for serve sessions (no per-file cache there).

A worker that dies, raises or sends something unreadable: this process does that half
itself — the result is the same, only slower.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import traceback
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable

from . import kinds as k
from .filecache import FileCache
from .load import DOCUMENT_SUFFIXES, _suffix, check_name, load_content
from .parallel import fork_available, jobs
from .validate import ValidatedContent, ValidDocument, validate

# Unknown documents below which one process does it all. Measured (cold prepare, synthetic
# corpora, a busy 2-core machine, medians of 5-6): at 500 documents a wash (0.42 s both, 0.02 s
# more CPU split), at 1,000 0.62 s split against 0.77 s, at 10,000 3.6 s against 5.4 s.
SPLIT_MIN_FILES = 800
WORKER_SHARE = 0.5          # of the bytes: at 10k both halves end within a few hundredths of a second


@dataclass(frozen=True)
class Halves:
    worker: frozenset[str]          # association slugs the forked worker loads and validates
    mine: frozenset[str]            # the rest: this process's
    folder_rank: dict[str, int]     # association folder name -> its place in load order


def plan(content_dir: Path, files: FileCache) -> Halves | None:
    """The two halves of a cold check, or None when one process should do it all."""
    if jobs() < 2 or not fork_available():
        return None
    known = files.recorded()
    if len(known) >= SPLIT_MIN_FILES:
        # A warm cache: a repeated build reads next to nothing (and must not pay for a walk).
        return None
    assoc_root = f"{content_dir.absolute()}/associations"
    sizes: dict[str, int] = {}
    rank: dict[str, int] = {}
    unknown = 0
    try:
        with os.scandir(assoc_root) as it:
            folders = sorted((e for e in it if e.is_dir()), key=lambda e: e.name)
        for folder in folders:
            name = folder.name
            if name.startswith(".") or name.endswith("~"):
                continue
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
    # Largest first, each to the half furthest below its share of the bytes.
    total = sum(sizes.values())
    want_worker, got_worker, got_mine = total * WORKER_SHARE, 0, 0
    worker: set[str] = set()
    for slug in sorted(sizes, key=lambda s: (-sizes[s], s)):
        if want_worker - got_worker >= (total - want_worker) - got_mine:
            worker.add(slug)
            got_worker += sizes[slug]
        else:
            got_mine += sizes[slug]
    if not worker or len(worker) == len(sizes):
        return None
    return Halves(frozenset(worker), frozenset(sizes) - worker, rank)


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


def _half(content_dir: Path, slugs: frozenset[str], files: FileCache, workers: int | None = 1) -> ValidatedContent:
    """What `pipeline.check` does, for the association folders `slugs` (and site.yaml and
    the calendars, which both halves read: their diagnostics are the same in both)."""
    from .pipeline import _warm_markdown
    loaded = load_content(content_dir, files=files, slugs=slugs)
    _warm_markdown(loaded, files.fresh, workers)
    return validate(loaded, files)


Triple = tuple[Any, str, Any]      # (RawDocument, kind name, model): a Kind is looked up, not pickled


def _work(content_dir: Path, slugs: frozenset[str], files: FileCache, out_fd: int) -> None:
    """The forked worker: its half, its cache entries written, the result down the pipe."""
    from . import markdown
    try:
        content = _half(content_dir, slugs, files)
        files.store.flush()
        if markdown._memo.store is not None:
            markdown._memo.store.flush()
        payload: tuple[Any, ...] = ("ok", _triples(content.profiles), _triples(content.documents),
                                    content.attachments, content.diagnostics, files.share())
    except BaseException:           # noqa: BLE001 - the parent does the half itself
        payload = ("failed", traceback.format_exc())
    # Streamed: the parent unpickles while this pickles, and neither holds the whole blob.
    with os.fdopen(out_fd, "wb") as out:
        pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)


def _triples(docs: tuple[ValidDocument, ...]) -> list[Triple]:
    return [(d.raw, d.kind.name, d.model) for d in docs]


def _receive(stream: BinaryIO) -> tuple[Any, ...] | None:
    """The worker's result, or None when it failed, died or sent something unreadable."""
    try:
        payload = pickle.load(stream)
    except Exception:               # noqa: BLE001 - EOF (it died), a broken stream
        return None
    if not (isinstance(payload, tuple) and len(payload) == 6 and payload[0] == "ok"):
        return None
    return payload


def check(content_dir: Path, files: FileCache, halves: Halves) -> ValidatedContent:
    """Load, analyse and validate on two processes; the result `pipeline.check`'s serial
    path gives (`files.finish()` is left to the caller, as there)."""
    from . import markdown
    from .cache import cache_dir, store
    root = content_dir.absolute()
    markdown.use_store(store(cache_dir(root), "markdown"))
    for pending in (files.store, markdown._memo.store):
        pending.flush()             # a fork must not inherit unwritten entries
    view = files.sibling()
    read_fd, write_fd = os.pipe()
    worker = multiprocessing.get_context("fork").Process(
        target=_work, args=(content_dir, halves.worker, view, write_fd), daemon=True)
    with os.fdopen(read_fd, "rb") as results:
        try:
            worker.start()
            started = True
        except (AssertionError, OSError):   # a daemonic process may not fork; no memory for it
            started = False
        finally:
            os.close(write_fd)      # the worker holds the only writer: its death is our EOF
        payload: tuple[Any, ...] | None = None
        try:
            mine = _half(content_dir, halves.mine, files)
            if started:
                payload = _receive(results)
        except BaseException:
            if started:
                worker.kill()
            raise
        finally:
            if started:
                worker.join()
    if payload is None:
        # The worker failed: its half here (its cache entries, if any, are what these write).
        again = files.sibling()
        theirs = _half(content_dir, halves.worker, again, workers=None)
        payload = ("ok", _triples(theirs.profiles), _triples(theirs.documents), theirs.attachments,
                   theirs.diagnostics, again.share())
    _, profiles, documents, attachments, diagnostics, share = payload
    prefix = f"{root}/associations/"
    files.absorb(share, _rank_of_path(prefix, halves.folder_rank))
    slug_rank = {unicodedata.normalize("NFC", name): n for name, n in halves.folder_rank.items()}
    return ValidatedContent(
        config=mine.config, calendar_years=mine.calendar_years,
        profiles=tuple(sorted((*mine.profiles, *_valid(profiles)), key=lambda d: d.association)),
        documents=tuple(sorted((*mine.documents, *_valid(documents)), key=lambda d: (d.association, d.kind.name, d.id))),
        # In load order: folder by folder (each folder's attachments are in one half, in order).
        attachments=tuple(sorted((*mine.attachments, *attachments), key=lambda a: slug_rank[a.association])),
        diagnostics=tuple(sorted(set(mine.diagnostics + diagnostics))),
        root=mine.root, theme_dir=mine.theme_dir,
    )


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
