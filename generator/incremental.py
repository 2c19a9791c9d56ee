"""Incremental builds: render only the artifacts whose inputs changed since the last build.

Every artifact gets a key: a digest of what the whole site shares (generator code, theme
templates and static files, site configuration including a --base-url override, as_of,
the git history's head and dirty files, the set of output paths) and of what it alone is
made of (its path, template and `Artifact.sources`, the content hashes it declares). The
build state in the cache maps output path → (key, size, mtime, SHA-256) of the file the
last build wrote. An artifact whose key is unchanged and whose previous output file is
still the one that build wrote (same size and mtime: the writer leaves unchanged files
alone, so both stay put) is not rendered again, and its file is not even read: it goes to
the writer and the manifest as `write.Unchanged` with the recorded size and digest.

One level up, an association whose inputs (its files, and everything the site shares) and
output files are those of the last build is not even listed: its pages and feed go to the
writer and the manifest as one batch straight from the state (their recorded sizes and
digests: `pipeline.outputs(unchanged=...)`, `write_site(unchanged=...)`), and what
site-wide outputs need of it (open
data rows, compliance lines, list entries, published sources) comes from digests kept per
association (`BuildState.kept`, `BuildState.memoised`). A one-document edit lists one
association and the site-wide pages, whatever the size of the site.

Artifacts without sources that are produced by code (robots.txt, editor pieces) are always
built: nothing says what they depend on. Correctness rests on `sources` being complete, the
contract of `Artifact` (render.py).
"""

from __future__ import annotations

import contextvars
import hashlib
import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from .cache import cache_dir, store
from .write import Folders, Unchanged

# First entry of an artifact's `sources` when they are complete (the artifact is a function of
# them, the build-wide key and nothing else): no belt-and-braces dependency on all content.
COMPLETE_SOURCES = "gongshi:sources-complete"

T = TypeVar("T")

active: contextvars.ContextVar["BuildState | None"] = contextvars.ContextVar("gongshi_build_state", default=None)


def memoised(what: str, slug: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept per association by the active build state (`BuildState.memoised`)
    when there is one: a value made from that association's inputs only."""
    state = active.get()
    return compute() if state is None else state.memoised(what, slug, compute)


def _tree_digest(dirs: Iterable[Path | None]) -> str:
    h = hashlib.sha256()
    for d in dirs:
        if d is None or not d.is_dir():
            continue
        for f in sorted(d.rglob("*")):
            if f.is_file():
                h.update(f.relative_to(d).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def site_digest(site: Any, theme_dirs: Sequence[Path | None]) -> str:
    """What every page shares: what every association's evaluation shares (`evaluate.shared_key`:
    code, as-of date, configuration, working calendar, history), and the theme and the very
    bytes of site.yaml and the calendar files (the manifest lists them)."""
    from .evaluate import shared_key
    h = hashlib.sha256(shared_key(site).encode())
    h.update(_tree_digest(theme_dirs).encode())
    root: Path = site.root
    if (root / "site.yaml").is_file():
        h.update((root / "site.yaml").read_bytes())
    cal = root / "calendar"
    if cal.is_dir():
        for f in sorted(cal.iterdir()):
            if f.is_file():
                h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


@dataclass
class BuildState:
    """The last build's outputs and keys; decides which artifacts need rendering now.

    Per association it also keeps what the last build made of it, keyed by the association's
    inputs (`association_key`: its files, and through `shared` the code, theme, configuration,
    calendar, as-of date and history): the paths of its outputs (its pages in every language
    and its feed, `owned`) and a few digests derived from its files (`memoised`: open-data
    rows, compliance lines). An association whose key and output files are those of the last
    build is not listed again: its outputs go to the writer and the manifest as they are
    recorded (`kept`), and the site-wide outputs take its digests from there."""

    out_dir: Path
    shared: str                                    # site_digest
    previous: dict[str, tuple[str, int, int, str]] = field(default_factory=dict)  # path -> (key, size, mtime_ns, sha256)
    keys: dict[str, str] = field(default_factory=dict)
    reused: int = 0
    rendered: int = 0
    _paths_digest: str = ""
    _wanted: dict[str, bool] = field(default_factory=dict)
    site: Any = None
    evaluation: Any = None
    folders: Folders = field(default_factory=Folders)   # what the writer last saw of the output's folders
    # The last build's, by association: slug -> (association key, {output path: record},
    # {what: memoised value}); its records are in `previous` too. The digest of every path.
    previous_associations: dict[str, tuple[str, dict[str, tuple[str, int, int, str]], dict[str, Any]]] = \
        field(default_factory=dict)
    previous_paths: str = ""
    # This build's: the paths of each association listed now, and what was memoised of each.
    owned: dict[str, list[str]] = field(default_factory=dict)
    memo: dict[str, dict[str, Any]] = field(default_factory=dict)
    _kept: dict[str, dict[str, tuple[str, int, int, str]]] | None = None
    _association_keys: dict[str, str] | None = None
    _memo_changed: set[str] = field(default_factory=set)
    # Values `memoised` would compute, made ahead by another process: slug -> {what: value}.
    made_ahead: dict[str, dict[str, Any]] = field(default_factory=dict)

    # Stored in the `build_state` table of the content folder's cache, by output folder:
    # `<out>` the outputs no association owns, with the build-wide digest and the paths'
    # digest; `<out>\0a\0<slug>` one association's records and memo (written again only when
    # the association was listed); `<out>\0folders` what the writer saw of the folders.

    @classmethod
    def load(cls, content_root: Path, out_dir: Path, shared: str) -> "BuildState":
        state = cls(out_dir.absolute(), shared)
        s = store(cache_dir(content_root), "build_state")
        base = str(state.out_dir)
        found = s.get_many([base, base + "\0folders"])
        try:
            shared_then, paths, record = marshal.loads(found[base])
            if not (isinstance(shared_then, str) and isinstance(paths, str) and isinstance(record, dict)):
                raise TypeError
        except (KeyError, ValueError, EOFError, TypeError):
            return state            # no record (or a foreign one): a full write
        state.previous = record
        try:
            at, ctimes, complete = marshal.loads(found[base + "\0folders"])
            if isinstance(at, int) and isinstance(ctimes, dict) and complete in (True, False) and all(
                    isinstance(k, str) and isinstance(v, int) for k, v in ctimes.items()):
                state.folders = Folders(at, ctimes, complete)
        except (KeyError, ValueError, EOFError, TypeError):
            pass                # every folder is listed again
        prefix = base + "\0a\0"
        for key, blob in s.prefixed(prefix).items():
            try:
                assoc_key, records, memo = marshal.loads(blob)
                if not (isinstance(assoc_key, str) and isinstance(records, dict) and isinstance(memo, dict)):
                    raise TypeError
            except (ValueError, EOFError, TypeError):
                continue        # that association's outputs are rendered again, the others kept
            state.previous.update(records)
            state.previous_associations[key[len(prefix):]] = (assoc_key, records, memo)
        if shared_then == shared:
            state.previous_paths = paths
        return state

    @staticmethod
    def forget(content_root: Path, out_dir: Path) -> None:
        """A build that kept no state wrote `out_dir`: the last record no longer describes it."""
        s = store(cache_dir(content_root), "build_state")
        base = str(out_dir.absolute())
        if s.get(base) is not None:
            s.delete([base, base + "\0folders", *s.prefixed(base + "\0a\0")])
            s.flush()

    # --- per association ----------------------------------------------------------------

    def association_key(self, slug: str) -> str:
        """What every output of one association is a function of (with the set of output
        paths, which every key holds): the build-wide digest and the association's inputs."""
        if self._association_keys is None:
            from .evaluate import association_key, shared_key
            known = getattr(self.evaluation, "keys", None) or {}
            site_shared = None
            keys: dict[str, str] = {}
            for assoc in self.site.associations:
                key = known.get(assoc.slug)
                if key is None:             # evaluated without its cache: the same key, made here
                    site_shared = site_shared or shared_key(self.site)
                    key = association_key(site_shared, assoc)
                keys[assoc.slug] = hashlib.sha256(f"{self.shared}|{key}".encode()).hexdigest()
            self._association_keys = keys
        return self._association_keys[slug]

    def kept(self) -> dict[str, dict[str, tuple[str, int, int, str]]]:
        """slug -> its output records (path -> key, size, mtime, digest), for every association
        whose key is the last build's and whose output files are still the ones that build
        wrote (same size and mtime; the writer leaves unchanged files alone). Its outputs are
        not listed again: they go to the writer and the manifest as they are."""
        if self._kept is None:
            self._kept = {}
            if self.site is not None and self.previous_paths:
                try:
                    # Stats relative to the open output folder: the kernel does not walk its
                    # path once per output (20,000 of them at 10k documents).
                    out_fd = os.open(self.out_dir, os.O_RDONLY | os.O_DIRECTORY)
                except OSError:
                    return self._kept
                try:
                    for assoc in self.site.associations:
                        records = self._kept_records(assoc.slug, out_fd)
                        if records is not None:
                            self._kept[assoc.slug] = records
                finally:
                    os.close(out_fd)
        return self._kept

    def _kept_records(self, slug: str, out_fd: int) -> dict[str, tuple[str, int, int, str]] | None:
        record = self.previous_associations.get(slug)
        if record is None or record[0] != self.association_key(slug):
            return None
        stat = os.stat
        records = record[1]
        for path, old in records.items():
            if type(old) is not tuple or len(old) != 4 or not old[0]:
                return None
            try:
                st = stat(path, dir_fd=out_fd)
            except OSError:
                return None
            if st.st_size != old[1] or st.st_mtime_ns != old[2]:
                return None         # changed by hand: listed and rendered again
        return records

    def unchanged(self, records: dict[str, tuple[str, int, int, str]]) -> Iterator[tuple[str, Unchanged]]:
        """A kept association's outputs as `Unchanged` (for consumers of every output's bytes)."""
        base = f"{self.out_dir}/"
        for path, (_key, size, _mtime, digest) in records.items():
            yield path, Unchanged(size, digest, base + path)

    def settle(self, paths: Iterable[str]) -> bool:
        """Take the set of every output path of this build (those listed now and those
        `kept`). False when it differs from the last build's while associations are kept:
        every key holds that set, so their outputs must be listed and rendered after all
        (the kept associations are dropped; the caller lists everything)."""
        self._paths_digest = hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()
        if self._kept and self._paths_digest != self.previous_paths:
            self._kept = {}
            return False
        return True

    def memoised(self, what: str, slug: str, compute: Callable[[], T]) -> T:
        """`compute()` (a marshal-able value made from one association's inputs only), or the
        value the last build recorded under the same association key."""
        if self.remembers(slug, what):
            value = self.previous_associations[slug][2][what]
        else:
            ahead = self.made_ahead.get(slug)
            value = ahead[what] if ahead is not None and what in ahead else compute()
            self._memo_changed.add(slug)
        self.memo.setdefault(slug, {})[what] = value
        return value

    def remembers(self, slug: str, what: str) -> bool:
        """Whether `memoised(what, slug, ...)` takes the last build's value (computes nothing)."""
        last = self.previous_associations.get(slug)
        return last is not None and last[0] == self.association_key(slug) and what in last[2]

    # --- per artifact -------------------------------------------------------------------

    def start(self, artifacts: Sequence[Any]) -> None:
        """Key every artifact (after `settle`, which took the set of output paths: part of
        every key, for the links between pages).

        Belt and braces over `sources` (a feed shows association names its sources leave
        out; a page shows a sibling's title): an output under /associations/<slug>/ also
        depends on every file of that association, and any other output on all content.
        One edit re-renders its association's pages and the site-wide ones, nothing else."""
        paths = self._paths_digest
        assert paths, "settle() comes first"
        self._wanted = {}
        per_assoc: dict[str, str] = {}
        everything = ""
        if self.site is not None:
            every = hashlib.sha256()
            for assoc in self.site.associations:
                per_assoc[assoc.slug] = self.association_key(assoc.slug)
                every.update(per_assoc[assoc.slug].encode())
            everything = every.hexdigest()
        # One digest per artifact of one string: what every key shares, its own part, and the
        # digest of what it depends on beyond its sources (the same bytes as hashed piece by
        # piece; a fifth of the time at 20,000 artifacts).
        shared = f"{self.shared}|{paths}|"
        keys, sha256 = self.keys, hashlib.sha256
        for a in artifacts:
            sources = a.sources
            if a.produce is not None and not sources:
                continue      # depends on who knows what: always built
            path = a.path
            if sources[:1] == (COMPLETE_SOURCES,):
                beyond = ""
            else:
                parts = path.split("/", 3)
                if parts[0] == "associations":
                    beyond = per_assoc.get(parts[1], "") if len(parts) > 2 else everything
                elif len(parts) > 1 and parts[1] == "associations":
                    beyond = per_assoc.get(parts[2], "") if len(parts) > 3 else everything
                else:
                    beyond = everything
            joined = "\n".join(sources)
            keys[path] = sha256(f"{shared}{path}|{a.template}|{joined}{beyond}".encode()).hexdigest()

    def wanted(self, artifact: Any) -> bool:
        """True when the artifact must be rendered (changed, new, or its old file is gone).
        Decided once per artifact (the renderer asks more than once)."""
        found = self._wanted.get(artifact.path)
        if found is None:
            found = self._wanted[artifact.path] = self._decide(artifact)
        return found

    def _decide(self, artifact: Any) -> bool:
        key = self.keys.get(artifact.path)
        old = self.previous.get(artifact.path)
        if key is None or type(old) is not tuple or len(old) != 4 or old[0] != key:
            return True
        try:
            st = os.stat(f"{self.out_dir}/{artifact.path}")     # (a Path per output cost more than the stat)
        except OSError:
            return True
        return (st.st_size, st.st_mtime_ns) != (old[1], old[2])

    def fill(self, artifact: Any, data: bytes | None) -> bytes | Unchanged:
        """The bytes of an artifact rendered now, or `Unchanged`: its previous file stays."""
        if data is not None:
            self.rendered += 1
            return data
        self.reused += 1
        _key, size, _mtime, digest = self.previous[artifact.path]
        return Unchanged(size, digest, f"{self.out_dir}/{artifact.path}")

    def save(self, content_root: Path, written: Iterable[str], digests: dict[str, str],
             unchanged: set[str] | frozenset[str] = frozenset(),
             placed: Mapping[str, tuple[int, int]] | None = None) -> None:
        """Record what the build just wrote (after the write: sizes and mtimes of the real
        files, or as the render workers saw them when they wrote them (`placed`: path ->
        size, mtime); `unchanged` outputs were not touched, their record carries over).
        `written` leaves out the outputs of the associations `kept`: their entries are not
        written again, they are what the last build wrote."""
        placed = placed or {}
        record: dict[str, tuple[str, int, int, str]] = {}
        for path in written:     # every output, so the next build knows what to delete
            key = self.keys.get(path, "")       # "": always built, never reused
            if path not in digests:
                continue
            if path in unchanged:
                record[path] = self.previous[path]
                continue
            seen = placed.get(path)
            if seen is not None:
                record[path] = (key, seen[0], seen[1], digests[path])
                continue
            try:
                st = os.stat(f"{self.out_dir}/{path}")
            except OSError:
                continue
            record[path] = (key, st.st_size, st.st_mtime_ns, digests[path])
        s = store(cache_dir(content_root), "build_state")
        base = str(self.out_dir)
        kept = self.kept()      # (their outputs are not in `written`: their records stay as they are)
        for slug, paths in self.owned.items():
            mine = {path: record.pop(path) for path in paths if path in record}
            s.put(f"{base}\0a\0{slug}", marshal.dumps((self.association_key(slug), mine, self.memo.get(slug, {}))))
        for slug in self._memo_changed.intersection(kept):
            last = self.previous_associations[slug]
            s.put(f"{base}\0a\0{slug}", marshal.dumps((last[0], last[1], self.memo.get(slug, {}))))
        gone = set(self.previous_associations) - set(self.owned) - set(kept)
        s.put(base, marshal.dumps((self.shared, self._paths_digest, record)))
        s.put(base + "\0folders", marshal.dumps((self.folders.at, self.folders.ctimes, self.folders.complete)))
        s.flush()
        if gone:
            s.delete([f"{base}\0a\0{slug}" for slug in sorted(gone)])


def __getattr__(name: str) -> Any:
    """The warm session `serve` keeps lives in generator.live (it renders pages when asked
    for); re-exported for existing callers, imported only when one asks (a build does not)."""
    if name in ("Rebuilt", "Session"):
        from . import live
        return getattr(live, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
