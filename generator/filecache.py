"""The per-file cache of load and validate: what one content file says on its own, kept
between runs, so a run after one edit parses and validates one file instead of all of them.

These entries, in the `files` table of the content folder's cache (`cache.cache_dir`):

- `stats:<code version>` — one entry for the whole content folder (one read instead of one
  per file): for every file, the path, size, modification time, inode and change time it
  had and the bytes (their sha256) it then held with its body starting on this line (every
  such file parsed without a problem), and for the other files that parsed without a
  problem (changed too recently to trust their stat) the sha256 of those bytes. A file whose stat
  is recorded is not even read until its text is asked for; a file whose bytes parsed
  before is not parsed until something asks for its data. A stat is trusted only when it
  was recorded at least `RACY_NS` after the file's modification time, so an edit in the
  same clock tick as an earlier read can never pass for unchanged (git's "racily clean"
  rule). The entry holds the files of the last run only (a deleted file drops out).
- `valid:` — everything `validate` says about the file on its own: its kind, its validated
  model and its per-file diagnostics (schema, privacy, placeholders, links, raw HTML),
  pickled.
- `pack:` — the same for every file of the run that made it, in one entry whose models are
  pickled apart, by association and kind, and unpickled only when a document's model is
  asked for (`Deferred`): a repeated build renders one association and the site-wide
  pages, and what those lists ask of every document (`ValidDocument.newest_first`,
  `variant`) is in the pack.
- `folders:` — the cross-file checks of each association folder (ids, references, members,
  attachments: `validate.folder_diagnostics`), keyed by everything they read: its files'
  places and bytes, its attachments' names, sizes and sniffed types, the size limit.

Every key is a digest of the file's absolute path (diagnostics name it), the sha256 of its
bytes, the masking setting where it matters, and `code_version()` — the source of every
generator module and the versions of the libraries that parse and validate — so a code
change or another content folder can never hit. A cache that cannot be read, or an entry
that does not unpickle to the expected shape, is a miss: the file is parsed and validated
again, and the result is what a run without the cache gives.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import pickle
import time
from pathlib import Path
from typing import Any, Callable, Collection, Iterable

from .cache import RACY_NS, Store, cache_dir, code_version, store
from .diagnostics import Diagnostic
from .kinds import BY_NAME
from .validate import ValidDocument

TABLE = "files"


def _digest(*parts: object) -> str:
    return hashlib.sha256("\0".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()


STATS = "stats:"
VALID = "valid:"
FOLDERS = "folders:"


class Deferred:
    """A model left pickled in the pack until its document asks for it (`FileCache.document`):
    called, it unpickles the model's group, or validates the file again (`revalidate`) when
    that group turns out damaged."""

    __slots__ = ("models", "group", "listing", "raw", "revalidate")

    def __init__(self, models: "_Models", group: str, listing: Any, raw: Any) -> None:
        self.models, self.group, self.listing, self.raw = models, group, listing, raw
        self.revalidate: Callable[[Any], Any] | None = None

    def __call__(self) -> Any:
        found = self.models.model(self.group, self.raw.file)
        if found is None:
            if self.revalidate is None:
                raise LookupError(f"no model for {self.raw.file}")
            found = self.revalidate(self.raw)
        return found


class _Models:
    """The pack's models, pickled by group (association and kind) one after the other in one
    buffer (`spans`: group -> start, end), unpickled a group at a time."""

    def __init__(self, data: bytes | memoryview = b"", spans: dict[str, tuple[int, int]] | None = None) -> None:
        self.data = memoryview(data)
        self.spans = spans or {}
        self.loaded: dict[str, dict[str, Any]] = {}

    def blob(self, group: str) -> memoryview:
        start, end = self.spans[group]
        return self.data[start:end]

    def model(self, group: str, file: str) -> Any:
        """The model of `file`, or None when its group is damaged or lacks it."""
        models = self.loaded.get(group)
        if models is None:
            try:
                models = pickle.loads(self.blob(group))
                if not isinstance(models, dict):
                    raise TypeError
            except Exception:           # corrupt or foreign: the caller validates the file again
                models = {}
            self.loaded[group] = models
        return models.get(file)


# Models of this kind are kept in the pack's index, not deferred: every run needs every
# association's profile (its name, members and facets are on site-wide pages).
_EAGER_KIND = "association"
PACK_FORMAT = 4
MODELS = ":models"             # the pack's second entry: its key + this


class FileCache:
    """One run's view of the per-file cache: what it found, what it added, what it used."""

    def __init__(self, backing: Store, version: str | None = None) -> None:
        self.store = backing
        self.version = version or code_version()
        self.fresh: set[str] = set()       # absolute paths of the files parsed in this run
        self.used: set[str] = set()        # `valid:` keys read or written in this run
        self.written = 0                   # `valid:` entries written in this run
        self._stats: dict[str, tuple[Any, ...]] | None = None    # path -> stat, sha256, body line, when
        self._good: dict[str, str] = {}                          # path -> sha256 of bytes that parsed (stat not kept)
        self._since_pruned = 0
        self._seen_stats: dict[str, tuple[Any, ...]] = {}        # this run's, for the next one
        self._seen_good: dict[str, str] = {}
        # path -> (raw, (kind, model or Deferred, diagnostics)), of every file of this run
        self._results: dict[str, tuple[Any, tuple[Any, Any, tuple[Diagnostic, ...]]]] = {}
        self._packed = 0                       # files of this run found in the pack
        self._mask: bool | None = None
        self._unpacked = 0                     # files of this run not in the pack
        # No pack to read (a cold cache): this run's `finish` packs every file, so no file's
        # result is written on its own as well (`remember`).
        self._packs_all = False
        self._index: dict[str, Any] = {}       # the last pack's, by path
        self._folders: dict[str, tuple[str, tuple[Diagnostic, ...]]] | None = None   # slug -> key, diagnostics
        self._seen_folders: dict[str, tuple[str, tuple[Diagnostic, ...]]] = {}
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
        self._seen_stats[file] = value      # (it parsed when it was recorded: its sha256 is in it)
        return content_hash, body_line

    def note_stat(self, path: Path | str, st: os.stat_result, content_hash: str, body_line: int) -> None:
        """Remember what a file read (and parsed without a problem) in this run held; its stat
        only if it did not change too recently to tell (else just its sha256)."""
        file = str(path)
        if self.now_ns - st.st_mtime_ns < RACY_NS:
            self._seen_good[file] = content_hash
            return
        self._seen_stats[file] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev,
                                  content_hash, body_line, self.now_ns)

    # --- load -------------------------------------------------------------------------

    def known_good(self, path: Path | str, content_hash: str) -> bool:
        """Did an earlier run parse these bytes at this path without a problem?"""
        file = str(path)
        recorded = self._snapshot().get(file)
        if self._good.get(file) == content_hash or (
                type(recorded) is tuple and len(recorded) == 8 and recorded[5] == content_hash):
            return True
        self.fresh.add(file)
        return False

    # --- validate -----------------------------------------------------------------------

    def _valid_key(self, raw: Any, mask: bool) -> str:
        return VALID + _digest(self.version, raw.file, raw.association, raw.folder, raw.content_hash, mask)

    def _pack(self, mask: bool) -> tuple[dict[str, Any], _Models]:
        """The `pack:` entry: the validation results of every file of the run that made it, by
        absolute path: (association, folder, sha256 of the bytes, kind, diagnostics, model
        or None, group or None, (`newest_first`, `variant`) or None), and the models of
        every group but the profiles', pickled apart after it (one load per group shares
        every class and enum look-up: models unpickle in a third of the time they take one
        by one). The groups' pickles are one after the other in a second entry (`MODELS`),
        after a token the index names (the index gives each one's span). The key holds
        the code version and the masking setting, so with the path those three are the
        whole `valid:` key of an entry (no digest per file to find it)."""
        key = self._pack_key(mask)
        found = self.store.get_many([key, key + MODELS])
        try:
            version, token, index, spans = pickle.loads(found[key])
            if version != PACK_FORMAT or not isinstance(index, dict) or not isinstance(spans, dict):
                raise TypeError
        except Exception:               # none, corrupt or foreign: the entries one by one
            return {}, _Models()
        models = memoryview(found.get(key + MODELS, b""))
        if type(token) is not bytes or models[: len(token)] != token:
            return index, _Models()     # not the models of this index: each file validated again when asked for
        return index, _Models(models[len(token):], spans)

    def _pack_key(self, mask: bool) -> str:
        return f"pack:{self.version}:{int(mask)}"

    def validated(self, raws: Iterable[Any], mask: bool) -> dict[str, tuple[str | None, Any, tuple[Diagnostic, ...]]]:
        """{absolute path: (kind name or None, model or `Deferred` or None, diagnostics)} of the
        files with an entry (`document` makes their documents)."""
        found: dict[str, tuple[str | None, Any, tuple[Diagnostic, ...]]] = {}
        index, models = self._pack(mask)
        self._index = index
        unpacked: list[Any] = []                # the files the pack lacks
        for raw in raws:
            entry = index.get(raw.file)
            if (type(entry) is tuple and len(entry) == 8 and entry[0] == raw.association and entry[1] == raw.folder
                    and entry[2] == raw.content_hash):
                kind, diagnostics, model, group, listing = entry[3:]
                if type(group) is str:
                    model = Deferred(models, group, listing if type(listing) is tuple and len(listing) == 2 else None, raw)
                if self._take(raw, (kind, model, diagnostics), found):
                    self._packed += 1
                    continue
            unpacked.append(raw)
        self._mask, self._unpacked = mask, len(unpacked)
        self._packs_all = not index
        # A cold cache has no entry of its own for any file: no key made (a digest per file)
        # nor looked for then.
        if not unpacked or not self.store.any_prefixed(VALID):
            return found
        missing = {self._valid_key(raw, mask): raw for raw in unpacked}     # `valid:` key -> raw
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
        if not (type(diagnostics) is tuple and (not diagnostics or all(isinstance(d, Diagnostic) for d in diagnostics))):
            return False
        found[raw.file] = (kind, model, diagnostics)
        self._results[raw.file] = (raw, (kind, model, diagnostics))
        return True

    @staticmethod
    def document(raw: Any, kind: Any, model: Any, revalidate: Callable[[Any], Any]) -> Any:
        """The ValidDocument of a cached result; a `Deferred` model is unpickled when first
        asked for (by `revalidate(raw)`, validation again, when its group turns out damaged)."""
        if type(model) is not Deferred:
            return ValidDocument(raw, kind, model)
        model.revalidate = revalidate
        return ValidDocument.deferred(raw, kind, model, model.listing)

    def remember(self, raw: Any, mask: bool, kind: str | None, model: Any, diagnostics: tuple[Diagnostic, ...]) -> None:
        """Keep a file's own validation result: in its `valid:` entry, or only for the pack
        when this run writes a pack of every file (a cold cache: at 10k files, pickling each
        result on its own as well cost a third of a second and 11 MB of cache)."""
        self._results[raw.file] = (raw, (kind, model, diagnostics))
        if not self._packs_all:
            self._write_result(raw, mask, kind, model, diagnostics)

    def _write_result(self, raw: Any, mask: bool, kind: str | None, model: Any, diagnostics: tuple[Diagnostic, ...]) -> None:
        try:
            blob = pickle.dumps((kind, model, diagnostics), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:               # something unpicklable: that file is simply not cached
            return
        key = self._valid_key(raw, mask)
        self.store.put(key, blob)
        self.used.add(key)
        self.written += 1

    def _pack_blob(self) -> tuple[bytes, io.BytesIO]:
        """This run's results as a pack: a group none of whose files changed keeps its pickled
        models as they are (not even unpickled); the others are pickled again. Every group
        is pickled into one buffer (no object per group: at 10k documents, thousands of
        small buffers freed would leave the heap that much larger for the rest of a build)."""
        index: dict[str, tuple[Any, ...]] = {}
        members: dict[str, dict[str, Any]] = {}
        for file, (raw, (kind, model, diagnostics)) in self._results.items():
            group = listing = None
            if isinstance(model, Deferred):
                group, listing = model.group, model.listing
                members.setdefault(group, {})[file] = model
                model = None
            elif model is not None and kind != _EAGER_KIND and kind in BY_NAME:
                group = f"{raw.association}\0{kind}"
                doc = ValidDocument(raw, BY_NAME[kind], model)
                listing = (doc.newest_first, doc.variant)
                members.setdefault(group, {})[file] = model
                model = None
            index[file] = (raw.association, raw.folder, raw.content_hash, kind, diagnostics, model, group, listing)
        # A group of the last pack is kept whole when it holds the same files, none changed.
        held: dict[str, set[str]] = {}
        for file, entry in self._index.items():
            if type(entry) is tuple and len(entry) == 8 and type(entry[6]) is str:
                held.setdefault(entry[6], set()).add(file)
        token = os.urandom(16)
        models = io.BytesIO()
        models.write(token)
        spans: dict[str, tuple[int, int]] = {}
        for group, found in members.items():
            start = models.tell() - len(token)
            old = next(iter(found.values()))
            if (isinstance(old, Deferred) and old.group == group and held.get(group) == set(found)
                    and all(isinstance(m, Deferred) for m in found.values())):
                models.write(old.models.blob(group))
            else:
                plain = {}
                for file, m in found.items():
                    if isinstance(m, Deferred):
                        m = m.models.model(m.group, file)
                        if m is None:       # damaged: left out (validated again next time)
                            index.pop(file, None)
                            continue
                    plain[file] = m
                pickle.Pickler(models, protocol=pickle.HIGHEST_PROTOCOL).dump(plain)
            spans[group] = (start, models.tell() - len(token))
        return pickle.dumps((PACK_FORMAT, token, index, spans), protocol=pickle.HIGHEST_PROTOCOL), models

    def will_pack(self) -> bool:
        """Whether `finish` makes the pack again (it pickles every model: the costly part)."""
        return self._mask is not None and self._unpacked > len(self._results) // 20

    def _write_unpacked(self) -> None:
        """No pack after all: every result `remember` kept for the pack goes to its own entry."""
        if not self._packs_all or self._mask is None:
            return
        self._packs_all = False
        for raw, (kind, model, diagnostics) in self._results.values():
            if type(model) is not Deferred:
                self._write_result(raw, self._mask, kind, model, diagnostics)

    # --- cross-file checks -----------------------------------------------------------------

    def folder_checked(self, slug: str, inputs: str, check: Callable[[], list[Diagnostic]]) -> list[Diagnostic]:
        """`check()` (one association folder's cross-file checks), or what it said in an earlier
        run for the same `inputs` (a digest of everything it reads)."""
        if self._folders is None:
            self._folders = {}
            blob = self.store.get(FOLDERS + self.version)
            try:
                folders = pickle.loads(blob) if blob is not None else {}
                if isinstance(folders, dict):
                    self._folders = folders
            except Exception:           # corrupt or foreign: every folder is checked again
                pass
        last = self._folders.get(slug)
        if (type(last) is tuple and len(last) == 2 and last[0] == inputs and isinstance(last[1], tuple)
                and all(isinstance(d, Diagnostic) for d in last[1])):
            self._seen_folders[slug] = last
            return list(last[1])
        found = check()
        self._seen_folders[slug] = (inputs, tuple(found))
        return found

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
        if self._folders is not None and self._seen_folders != self._folders:
            self.store.put(FOLDERS + self.version, pickle.dumps(self._seen_folders, protocol=pickle.HIGHEST_PROTOCOL))
        # The pack is made again once a twentieth of the files come from elsewhere (edited
        # since): pickling every model costs a fifth of a second, so not after every edit.
        if self.will_pack():
            try:
                index, models = self._pack_blob()
                key = self._pack_key(self._mask)
                self.store.put(key, index)
                # The buffer itself (no copy: megabytes that would stay in the heap's high-water mark).
                self.store.put(key + MODELS, models.getbuffer())        # type: ignore[arg-type]
                self.store.flush()
                del index, models
            except Exception:           # something unpicklable: no pack this time
                self._write_unpacked()
        elif self._packs_all:
            self._write_unpacked()
        self.store.flush()
        if prune:
            live = self.used | {STATS + self.version, FOLDERS + self.version, *(self._pack_key(mask) + part
                                                                            for mask in (False, True) for part in ("", MODELS))}
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
        """What this view met and added in this run, for `absorb` (picklable: a model still
        pickled in the pack is unpickled, since a `Deferred` holds the whole pack)."""
        results = {file: (raw, (kind, model() if type(model) is Deferred else model, diagnostics))
                   for file, (raw, (kind, model, diagnostics)) in self._results.items()}
        return (self.fresh, self.used, self.written, self._seen_stats, self._seen_good, results,
                self._packed, self._unpacked, self._mask, self._folders, self._seen_folders, self._packs_all)

    def absorb(self, shares: Iterable[tuple[Any, ...]], rank: Callable[[str], Any]) -> None:
        """Take in siblings' `share()`s (other files than this view's). `rank(path)` orders
        the files as one process meets them, so what `finish` writes reads back as what a run
        on one process writes, entry for entry and in the same order (the pickled bytes of
        the pack may differ: equal strings from two processes are two objects to pickle)."""
        seen_stats, seen_good, results = dict(self._seen_stats), dict(self._seen_good), dict(self._results)
        seen_folders = dict(self._seen_folders)
        for fresh, used, written, stats, good, found, packed, unpacked, mask, folders, checked, packs_all in shares:
            # A view that left its results to the pack: `finish` packs them, or writes them one by one.
            self._packs_all = self._packs_all or packs_all
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
            if self._folders is None:
                self._folders = folders
            seen_folders.update(checked)
        self._seen_stats, self._seen_good, self._results = (
            _in_order(seen_stats, rank), _in_order(seen_good, rank), _in_order(results, rank))
        self._seen_folders = dict(sorted(seen_folders.items()))     # validate checks folders in slug order


def _in_order(entries: dict[str, Any], rank: Callable[[str], Any]) -> dict[str, Any]:
    return dict(sorted(entries.items(), key=lambda item: rank(item[0])))


def for_content(root: Path) -> FileCache:
    return FileCache(store(cache_dir(root), TABLE))
