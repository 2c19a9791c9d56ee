"""The per-file cache of load and validate: what one content file says on its own, kept
between runs, so a run after one edit parses and validates one file instead of all of them.

Three kinds of entries, in the `files` table of the content folder's cache (`cache.cache_dir`):

- `stat:` — a file with this path, size, modification time, inode and change time held these
  bytes (their sha256) with its body starting on this line: load then does not even read it
  until its text is asked for. An entry is trusted only when it was made at least
  `RACY_NS` after the file's modification time, so an edit in the same clock tick as an
  earlier read can never pass for unchanged (git's "racily clean" rule).
- `load:` — these bytes at this path parsed without a problem (no value): load then keeps the
  text and parses it only if something asks for the data.
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
import os
import pickle
import time
from pathlib import Path
from typing import Any, Iterable

from .cache import Store, cache_dir, code_version, store
from .diagnostics import Diagnostic

TABLE = "files"
RACY_NS = 2_000_000_000      # coarser than any file system's time stamps


def _digest(*parts: object) -> str:
    return hashlib.sha256("\0".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()


class FileCache:
    """One run's view of the per-file cache: what it found, what it added, what it used."""

    def __init__(self, backing: Store, version: str | None = None) -> None:
        self.store = backing
        self.version = version or code_version()
        self.fresh: set[str] = set()       # absolute paths of the files parsed in this run
        self.used: set[str] = set()        # keys read or written in this run
        self._known: set[str] | None = None
        self._stats: dict[str, bytes] | None = None
        self.now_ns = time.time_ns()

    # --- stat ---------------------------------------------------------------------------

    def _stat_key(self, path: Path | str, st: os.stat_result) -> str:
        return "stat:" + _digest(self.version, path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)

    def unchanged(self, path: Path | str, st: os.stat_result) -> tuple[str, int] | None:
        """(sha256, body line) of a file whose stat is what an earlier run recorded, else None."""
        if self._stats is None:
            self._stats = self.store.prefixed("stat:")
        key = self._stat_key(path, st)
        value = self._stats.get(key)
        if value is None:
            return None
        try:
            content_hash, body_line, recorded = value.decode("ascii").split(" ")
            if int(recorded) - st.st_mtime_ns < RACY_NS or len(content_hash) != 64:
                return None
            found = (content_hash, int(body_line))
        except ValueError:
            return None
        self.used.add(key)
        return found

    def note_stat(self, path: Path | str, st: os.stat_result, content_hash: str, body_line: int) -> None:
        """Remember what a file read in this run held (unless it changed too recently to tell)."""
        if self.now_ns - st.st_mtime_ns < RACY_NS:
            return
        key = self._stat_key(path, st)
        self.store.put(key, f"{content_hash} {body_line} {self.now_ns}".encode("ascii"))
        self.used.add(key)

    # --- load -------------------------------------------------------------------------

    def _load_key(self, path: Path | str, content_hash: str) -> str:
        return "load:" + _digest(self.version, path, content_hash)

    def known_good(self, path: Path | str, content_hash: str) -> bool:
        """Did an earlier run parse these bytes at this path without a problem?"""
        if self._known is None:
            self._known = set(self.store.prefixed("load:"))
        key = self._load_key(path, content_hash)
        if key in self._known:
            self.used.add(key)
            return True
        self.fresh.add(str(path))
        return False

    # --- validate -----------------------------------------------------------------------

    def _valid_key(self, raw: Any, mask: bool) -> str:
        return "valid:" + _digest(self.version, raw.path, raw.association, raw.folder, raw.content_hash, mask)

    def validated(self, raws: Iterable[Any], mask: bool) -> dict[str, tuple[str | None, Any, tuple[Diagnostic, ...]]]:
        """{absolute path: (kind name or None, model or None, diagnostics)} of the files with an entry."""
        keys = {self._valid_key(raw, mask): str(raw.path) for raw in raws}
        found: dict[str, tuple[str | None, Any, tuple[Diagnostic, ...]]] = {}
        for key, blob in self.store.get_many(list(keys)).items():
            try:
                kind, model, diagnostics = pickle.loads(blob)
            except Exception:           # corrupt or foreign: validate the file again
                continue
            if not (isinstance(diagnostics, tuple) and all(isinstance(d, Diagnostic) for d in diagnostics)):
                continue
            self.used.add(key)
            found[keys[key]] = (kind, model, diagnostics)
        return found

    def remember(self, raw: Any, mask: bool, kind: str | None, model: Any, diagnostics: tuple[Diagnostic, ...]) -> None:
        """Keep a file's own validation result (and that its bytes parse)."""
        try:
            blob = pickle.dumps((kind, model, diagnostics), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:               # something unpicklable: that file is simply not cached
            return
        load_key, valid_key = self._load_key(raw.path, raw.content_hash), self._valid_key(raw, mask)
        self.store.put(load_key, b"")
        self.store.put(valid_key, blob)
        self.used.update((load_key, valid_key))

    def finish(self) -> None:
        """Write what this run added; drop entries of files that have changed or gone once
        they outnumber the live ones (the table stays about the size of the content)."""
        self.store.flush()
        known = (self._known or set()) | set(self._stats or ())
        stale = known - self.used
        if len(stale) > max(len(self.used), 1000):
            self.store.delete(sorted(stale))


def for_content(root: Path) -> FileCache:
    return FileCache(store(cache_dir(root), TABLE))
