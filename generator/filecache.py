"""The per-file cache of load and validate: what one content file says on its own, kept
between runs, so a run after one edit parses and validates one file instead of all of them.

Two kinds of entries, in the `files` table of the content folder's cache (`cache.cache_dir`):

- `stats:<code version>` — one entry for the whole content folder (one read instead of one
  per file): for every file, the path, size, modification time, inode and change time it
  had and the bytes (their sha256) it then held with its body starting on this line, and
  for every file that parsed without a problem the sha256 of those bytes. A file whose stat
  is recorded is not even read until its text is asked for; a file whose bytes parsed
  before is not parsed until something asks for its data. A stat is trusted only when it
  was recorded at least `RACY_NS` after the file's modification time, so an edit in the
  same clock tick as an earlier read can never pass for unchanged (git's "racily clean"
  rule). The entry holds the files of the last run only (a deleted file drops out).
- `valid:` — everything `validate` says about the file on its own: its kind, its validated
  model and its per-file diagnostics (schema, privacy, placeholders, links, raw HTML),
  pickled. Cross-file checks (ids, references, members, attachments) always run afresh.

Every key is a digest of the file's absolute path (diagnostics name it), the sha256 of its
bytes, the masking setting where it matters, and `code_version()` — the source of every
generator module and the versions of the libraries that parse and validate — so a code
change or another content folder can never hit. A cache that cannot be read, or an entry
that does not unpickle to the expected shape, is a miss: the file is parsed and validated
again, and the result is what a run without the cache gives.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import time
from pathlib import Path
from typing import Any, Callable, Collection, Iterable

from .cache import RACY_NS, Store, cache_dir, code_version, store
from .diagnostics import Diagnostic

TABLE = "files"


def _digest(*parts: object) -> str:
    return hashlib.sha256("\0".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()


STATS = "stats:"


class FileCache:
    """One run's view of the per-file cache: what it found, what it added, what it used."""

    def __init__(self, backing: Store, version: str | None = None) -> None:
        self.store = backing
        self.version = version or code_version()
        self.fresh: set[str] = set()       # absolute paths of the files parsed in this run
        self.used: set[str] = set()        # `valid:` keys read or written in this run
        self.written = 0                   # `valid:` entries written in this run
        self._stats: dict[str, tuple[Any, ...]] | None = None    # path -> stat, sha256, body line, when
        self._good: dict[str, str] = {}                          # path -> sha256 of bytes that parsed
        self._since_pruned = 0
        self._seen_stats: dict[str, tuple[Any, ...]] = {}        # this run's, for the next one
        self._seen_good: dict[str, str] = {}
        self._results: dict[str, Any] = {}     # path -> (association, folder, sha256, result), of every file of this run
        self._packed = 0                       # files of this run found in the pack
        self._mask: bool | None = None
        self._unpacked = 0                     # files of this run not in the pack
        self.now_ns = time.time_ns()

    # --- the snapshot of stats ----------------------------------------------------------

    def _snapshot(self) -> dict[str, tuple[Any, ...]]:
        if self._stats is None:
            self._stats = {}
            blob = self.store.get(STATS + self.version)
            try:
                stats, good, since_pruned = marshal.loads(blob) if blob is not None else ({}, {}, 0)
                if isinstance(stats, dict) and isinstance(good, dict) and isinstance(since_pruned, int):
                    self._stats, self._good, self._since_pruned = stats, good, since_pruned
            except (ValueError, EOFError, TypeError):
                pass                    # corrupt or foreign: every file is read again
        return self._stats

    # --- stat ---------------------------------------------------------------------------

    def unchanged(self, path: Path | str, st: os.stat_result) -> tuple[str, int] | None:
        """(sha256, body line) of a file whose stat is what an earlier run recorded, else None."""
        file = str(path)
        value = self._snapshot().get(file)
        if value is None:
            return None
        try:
            size, mtime, ctime, ino, dev, content_hash, body_line, recorded = value
        except (TypeError, ValueError):
            return None
        if (size != st.st_size or mtime != st.st_mtime_ns or ctime != st.st_ctime_ns or ino != st.st_ino
                or dev != st.st_dev or not isinstance(recorded, int) or recorded - mtime < RACY_NS
                or not isinstance(content_hash, str) or len(content_hash) != 64 or type(body_line) is not int):
            return None
        self._seen_stats[file] = value
        self._seen_good[file] = content_hash     # it parsed when it was recorded
        return content_hash, body_line

    def note_stat(self, path: Path | str, st: os.stat_result, content_hash: str, body_line: int) -> None:
        """Remember what a file read (and parsed without a problem) in this run held; its stat
        only if it did not change too recently to tell."""
        file = str(path)
        self._seen_good[file] = content_hash
        if self.now_ns - st.st_mtime_ns < RACY_NS:
            return
        self._seen_stats[file] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev,
                                  content_hash, body_line, self.now_ns)

    # --- load -------------------------------------------------------------------------

    def known_good(self, path: Path | str, content_hash: str) -> bool:
        """Did an earlier run parse these bytes at this path without a problem?"""
        self._snapshot()
        if self._good.get(str(path)) == content_hash:
            return True
        self.fresh.add(str(path))
        return False

    # --- validate -----------------------------------------------------------------------

    def _valid_key(self, raw: Any, mask: bool) -> str:
        return "valid:" + _digest(self.version, raw.file, raw.association, raw.folder, raw.content_hash, mask)

    def _pack(self, mask: bool) -> dict[str, Any]:
        """The `pack:` entry: the validation results of every file of the run that made it,
        in one pickle (one load shares every class and enum look-up: 10k models unpickle in
        a third of the time they take one by one), by absolute path: (association, folder,
        sha256 of the bytes, result). The pack's key holds the code version and the masking
        setting, so with the path those three are the whole `valid:` key of an entry (no
        digest per file to find it)."""
        blob = self.store.get(self._pack_key(mask))
        try:
            pack = pickle.loads(blob) if blob is not None else {}
        except Exception:               # corrupt or foreign: the entries one by one
            return {}
        return pack if isinstance(pack, dict) else {}

    def _pack_key(self, mask: bool) -> str:
        return f"pack:{self.version}:{int(mask)}"

    def validated(self, raws: Iterable[Any], mask: bool) -> dict[str, tuple[str | None, Any, tuple[Diagnostic, ...]]]:
        """{absolute path: (kind name or None, model or None, diagnostics)} of the files with an entry."""
        found: dict[str, tuple[str | None, Any, tuple[Diagnostic, ...]]] = {}
        pack = self._pack(mask)
        missing: dict[str, Any] = {}            # `valid:` key -> raw, for those the pack lacks
        for raw in raws:
            entry = pack.get(raw.file)
            if (type(entry) is tuple and len(entry) == 4 and entry[0] == raw.association and entry[1] == raw.folder
                    and entry[2] == raw.content_hash and self._take(raw, entry[3], found)):
                self._packed += 1
            else:
                missing[self._valid_key(raw, mask)] = raw
        self._mask, self._unpacked = mask, len(missing)
        for key, blob in self.store.get_many(list(missing)).items():
            try:
                entry = pickle.loads(blob)
            except Exception:           # corrupt or foreign: validate the file again
                continue
            if self._take(missing[key], entry, found):
                self.used.add(key)
        return found

    def _take(self, raw: Any, entry: Any, found: dict[str, tuple[str | None, Any, tuple[Diagnostic, ...]]]) -> bool:
        """Use a cached result for `raw` when it has the expected shape."""
        try:
            kind, model, diagnostics = entry
        except (TypeError, ValueError):
            return False
        if not (isinstance(diagnostics, tuple) and all(isinstance(d, Diagnostic) for d in diagnostics)):
            return False
        found[raw.file] = (kind, model, diagnostics)
        self._results[raw.file] = (raw.association, raw.folder, raw.content_hash, (kind, model, diagnostics))
        return True

    def remember(self, raw: Any, mask: bool, kind: str | None, model: Any, diagnostics: tuple[Diagnostic, ...]) -> None:
        """Keep a file's own validation result."""
        try:
            blob = pickle.dumps((kind, model, diagnostics), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:               # something unpicklable: that file is simply not cached
            return
        key = self._valid_key(raw, mask)
        self.store.put(key, blob)
        self.used.add(key)
        self.written += 1
        self._results[raw.file] = (raw.association, raw.folder, raw.content_hash, (kind, model, diagnostics))

    def finish(self) -> None:
        """Write what this run added (the stats of this run's files, when they differ from
        the last run's); once the entries written since the last clean-up outnumber the live
        ones, drop every entry this run did not use (files changed or gone, other versions)."""
        self._snapshot()
        since_pruned = self._since_pruned + self.written
        # Live entries: the `valid:` ones this run used and the files it found in the pack.
        prune = since_pruned > max(len(self.used) + self._packed, 1000)
        if prune:
            since_pruned = 0
        if (self._seen_stats != self._stats or self._seen_good != self._good
                or since_pruned != self._since_pruned):
            self.store.put(STATS + self.version, marshal.dumps((self._seen_stats, self._seen_good, since_pruned)))
        # The pack is made again once a twentieth of the files come from elsewhere (edited
        # since): pickling every model costs a fifth of a second, so not after every edit.
        if self._mask is not None and self._unpacked > len(self._results) // 20:
            try:
                self.store.put(self._pack_key(self._mask), pickle.dumps(self._results, protocol=pickle.HIGHEST_PROTOCOL))
            except Exception:           # something unpicklable: no pack this time
                pass
        self.store.flush()
        if prune:
            live = self.used | {STATS + self.version, self._pack_key(False), self._pack_key(True)}
            self.store.delete([k for k in self.store.keys() if k not in live])

    # --- one run on two processes (generator.prepare_parallel) ----------------------------

    def sibling(self) -> "FileCache":
        """A view of the same cache for another share of this run's files (another process's):
        the same snapshot and clock, nothing seen yet. Its `share()` goes back through `absorb`."""
        other = FileCache(self.store, self.version)
        other._stats, other._good, other._since_pruned = self._snapshot(), self._good, self._since_pruned
        other.now_ns = self.now_ns
        return other

    def recorded(self) -> Collection[str]:
        """The absolute paths of the files whose stats the last run recorded (none: a cold cache)."""
        return self._snapshot().keys()

    def share(self) -> tuple[Any, ...]:
        """What this view met and added in this run, for `absorb` (picklable)."""
        return (self.fresh, self.used, self.written, self._seen_stats, self._seen_good, self._results,
                self._packed, self._unpacked, self._mask)

    def absorb(self, shares: Iterable[tuple[Any, ...]], rank: Callable[[str], Any]) -> None:
        """Take in siblings' `share()`s (other files than this view's). `rank(path)` orders
        the files as one process meets them, so what `finish` writes reads back as what a run
        on one process writes, entry for entry and in the same order (the pickled bytes of
        the pack may differ: equal strings from two processes are two objects to pickle)."""
        seen_stats, seen_good, results = dict(self._seen_stats), dict(self._seen_good), dict(self._results)
        for fresh, used, written, stats, good, found, packed, unpacked, mask in shares:
            self.fresh |= fresh
            self.used |= used
            self.written += written
            seen_stats.update(stats)
            seen_good.update(good)
            results.update(found)
            self._packed += packed
            self._unpacked += unpacked
            if mask is not None:
                self._mask = mask
        self._seen_stats, self._seen_good, self._results = (
            _in_order(seen_stats, rank), _in_order(seen_good, rank), _in_order(results, rank))


def _in_order(entries: dict[str, Any], rank: Callable[[str], Any]) -> dict[str, Any]:
    return dict(sorted(entries.items(), key=lambda item: rank(item[0])))


def for_content(root: Path) -> FileCache:
    return FileCache(store(cache_dir(root), TABLE))
