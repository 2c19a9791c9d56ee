"""Stage 6 — write: the only code that touches the output folder.

Nothing reaches the output folder before every output was made: a failed build leaves the
previous site exactly as it was. Two ways to get there:

- a full write (no previous output, or no record of it): every file goes into a fresh
  sibling folder that is swapped in with two renames; files whose bytes did not change are
  hard-linked from the previous output (their mtimes stay put for rsync-style deploys);
- an update (an incremental build over the output it recorded): only files whose bytes
  changed are written, into a sibling staging folder; when every output is made they are
  renamed into place one by one and the files no output claims any more are deleted.
  Outputs the build state vouches for (`Unchanged`) are neither read nor rewritten, so a
  one-page edit does not touch the other twenty thousand files.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Collection, Iterable, Iterator, Mapping, Union

from .cache import RACY_NS, process_id


class UnsafeOutputPath(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Unchanged:
    """An output whose file in the previous output is already right (the build state checked
    its key, size and mtime): the writer leaves the file alone and the manifest takes the
    recorded digest. Anything else that needs the bytes gets them from that file
    (`bytes(x)`, `b"..." + x`), so a consumer of `pipeline.outputs` may treat it as bytes."""

    size: int
    digest: str                 # SHA-256 of its bytes, recorded when it was written
    file: str = ""              # the previous output file that holds them

    def __bytes__(self) -> bytes:
        return Path(self.file).read_bytes()

    def __len__(self) -> int:
        return self.size

    def __add__(self, other: bytes) -> bytes:
        return bytes(self) + other

    def __radd__(self, other: bytes) -> bytes:
        return other + bytes(self)


@dataclass(frozen=True, slots=True)
class Placed:
    """An output a render worker already put into the staging folder of a full write
    (`Staging.place`): written there, or hard-linked from the previous output when its
    bytes were the same. The writer only counts it; the manifest takes its digest."""

    size: int
    digest: str                 # SHA-256 of its bytes
    linked: bool = False        # hard-linked from the previous output (bytes unchanged)
    # Its modification time as written (0: not known), for the build state's record: the
    # worker asks its descriptor, so the parent need not stat every output after the write.
    mtime_ns: int = 0

    def __len__(self) -> int:
        return self.size


Output = Union[bytes, Unchanged, Placed]


@dataclass
class Staging:
    """The staging folder of the full write in progress, for renderers that write their
    outputs themselves (forked workers: the page bytes never travel to the parent).
    Nothing here touches the output folder: the writer swaps the whole staging folder in
    only when every output is made, or removes it."""

    root: str
    previous_root: str
    dirs: "_Dirs | None" = field(default=None, repr=False)
    # Whether there is a previous output to link unchanged files from (a cold build has none:
    # no look-up per file then).
    has_previous: bool | None = field(default=None, repr=False)

    def place(self, rel: str, chunks: Iterable[bytes]) -> Placed:
        """Put one output, given in pieces, at `rel` in the staging folder; a file whose
        bytes equal the previous output's is a hard link to it instead (as `write_site`)."""
        rel = _safe_relative(rel)
        if self.dirs is None or self.dirs.pid != process_id():
            self.dirs = _Dirs(self.root)        # per process: a forked worker makes its own
        self.dirs.ensure(rel.rpartition("/")[0])
        digest = hashlib.sha256()
        size = 0
        if self.has_previous is None:
            self.has_previous = os.path.isdir(self.previous_root)
        old = _open_regular(os.path.join(self.previous_root, rel)) if self.has_previous else None
        same = old is not None
        try:
            # O_EXCL: a second output for one path fails, never overwrites the first. The
            # descriptor is written directly: a file object costs three more system calls
            # (fstat, ioctl, lseek) per output, 20,000 outputs a build.
            fd = os.open(rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666, dir_fd=self.dirs.fd)
            try:
                for chunk in chunks:
                    _write_all(fd, chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if same:
                        same = old.read(len(chunk)) == chunk       # type: ignore[union-attr]
                mtime_ns = os.fstat(fd).st_mtime_ns
            finally:
                os.close(fd)
            same = same and not old.read(1)                         # type: ignore[union-attr]
            if same:
                target = os.path.join(self.root, rel)
                os.unlink(target)
                os.link(os.path.join(self.previous_root, rel), target)
                mtime_ns = 0            # the previous file's: the build state stats it
        except FileExistsError:
            raise UnsafeOutputPath(f"two outputs for {rel}") from None
        finally:
            if old is not None:
                old.close()
        return Placed(size, digest.hexdigest(), same, mtime_ns)

    def remove(self, rel: str, *, folders: bool = True) -> None:
        """Take the output at `rel` out of the staging folder again (one placed ahead that the
        build does not give after all, or makes again); `folders`: with the folders above it
        that hold nothing else — not while other processes may be placing outputs beside it."""
        rel = _safe_relative(rel)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self.root, rel))
        folder = rel.rpartition("/")[0] if folders else ""
        while folder:
            try:
                os.rmdir(os.path.join(self.root, folder))      # only when empty
            except OSError:
                break
            if self.dirs is not None:
                self.dirs.made.discard(folder)      # made again when an output goes there
            folder = folder.rpartition("/")[0]


def _write_all(fd: int, data: bytes) -> None:
    written = os.write(fd, data)
    while written < len(data):                      # a short write (a signal, a full disk)
        written += os.write(fd, memoryview(data)[written:])


def _open_regular(path: str) -> Any:
    """The file at `path` opened for reading when it is a regular file (not a symlink), else None."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return open(path, "rb")
    except OSError:
        return None


_staging: contextvars.ContextVar[Staging | None] = contextvars.ContextVar("gongshi_staging", default=None)


def staging() -> Staging | None:
    """The staging folder of the full write that is consuming outputs now, if any."""
    return _staging.get()


@dataclass
class Folders:
    """What the last in-place update saw of the output's folders: each claimed folder's
    change time (st_ctime_ns) and when it looked (`at`). A folder whose change time is the
    same, and was not too close to `at` to tell, has had nothing put into it or taken out
    since: the next update need not list it. Empty: list every folder."""

    at: int = 0
    ctimes: dict[str, int] = field(default_factory=dict)
    # Every folder that held an output then has its change time here (none failed to stat):
    # the next update over the same outputs takes these as the folders that hold outputs.
    complete: bool = False




@dataclass(frozen=True)
class WriteStats:
    files: int
    bytes: int
    reused: int


def _safe_relative(path: str) -> str:
    """The path as a plain relative POSIX string; no absolute paths, '..' or empty names."""
    if "\\" not in path and not path.startswith("/") and "//" not in path and path and not path.endswith("/"):
        parts = path.split("/")
        if ".." not in parts and "." not in parts:
            return path
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise UnsafeOutputPath(path)
    return p.as_posix()


class _Dirs:
    """The folders made so far under one root (each created once, not once per file), and an
    open descriptor of the root: folders are made and files created relative to it, so the
    kernel walks only the part of each path below the root, not the whole output path again
    for each of 40,000 calls (`close` when done; a forked process opens its own)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.made: set[str] = {""}
        self.pid = process_id()
        self.fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def ensure(self, rel_dir: str) -> None:
        if rel_dir in self.made:
            return
        if rel_dir.rpartition("/")[0] in self.made:
            # Its parent is made: one mkdir (os.makedirs asks whether the parent exists first).
            try:
                os.mkdir(rel_dir, dir_fd=self.fd)
            except FileExistsError:
                if not os.path.isdir(os.path.join(self.root, rel_dir)):     # as makedirs(exist_ok=True)
                    raise
        else:
            os.makedirs(os.path.join(self.root, rel_dir), exist_ok=True)
        while rel_dir not in self.made:
            self.made.add(rel_dir)
            rel_dir = rel_dir.rpartition("/")[0]

    def write(self, rel: str, data: bytes, stamps: dict[str, tuple[int, int]] | None = None) -> None:
        """Put `data` into the file `rel` (its folder made), created or emptied first.
        `stamps` receives its size and modification time as written, asked of the open
        descriptor: the build state records them without a stat of every output afterwards."""
        self.ensure(rel.rpartition("/")[0])
        # The descriptor directly: a file object costs three more system calls (fstat, ioctl,
        # lseek) per output, 20,000 outputs a build.
        fd = os.open(rel, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666, dir_fd=self.fd)
        try:
            _write_all(fd, data)
            if stamps is not None:
                stamps[rel] = (len(data), os.fstat(fd).st_mtime_ns)
        finally:
            os.close(fd)


def _claimed(outputs: Iterable[tuple[str, Any]], seen: set[str]) -> Iterator[tuple[str, Any]]:
    """The outputs with safe relative paths, each path claimed once (noted in `seen`)."""
    for rel, data in outputs:
        rel = _safe_relative(rel)
        if rel in seen:
            raise UnsafeOutputPath(f"two outputs for {rel}")
        seen.add(rel)
        yield rel, data


def _claimed_batch(paths: Collection[str], seen: set[str]) -> list[str]:
    """`_claimed` for a batch of paths: each checked, then all noted in `seen` at once."""
    safe = [_safe_relative(rel) for rel in paths]
    batch = set(safe)
    if len(batch) != len(safe) or not seen.isdisjoint(batch):     # one claimed twice: which?
        claimed: set[str] = set()
        for rel in safe:
            if rel in seen or rel in claimed:
                raise UnsafeOutputPath(f"two outputs for {rel}")
            claimed.add(rel)
    seen |= batch
    return safe


def write_site(outputs: Iterable[tuple[str, Output]], out_dir: Path, *,
               previous: Collection[str] | None = None, folders: Folders | None = None,
               unchanged: Mapping[str, int] | None = None,
               stamps: dict[str, tuple[int, int]] | None = None) -> WriteStats:
    """Write every (relative path, bytes or Unchanged) into `out_dir`.

    `previous`: every file the last build wrote into `out_dir` (its build state's record).
    Given, `out_dir` is changed in place (only what differs, and what is no output any more
    goes) instead of swapped for a fresh copy; `Unchanged` outputs are then not touched.
    `folders`: what the last update saw of the folders (updated here for the next one).
    `unchanged`: path -> size of more outputs whose files in `out_dir` are already right,
    taken after `outputs` as a batch (as many `Unchanged` would be, without one object each;
    read once `outputs` is consumed: the producer may fill it as it goes).
    `stamps`: receives path -> (size, modification time) of each file written here (not of
    those linked, nor of the `Placed` ones: their renderers tell theirs)."""
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if unchanged is None:
        unchanged = {}
    if previous is not None and out_dir.is_dir() and not out_dir.is_symlink():
        return _update(outputs, out_dir, previous, folders if folders is not None else Folders(), unchanged, stamps)
    if folders is not None:
        folders.at, folders.ctimes, folders.complete = 0, {}, False     # a fresh tree: the next update lists it all
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    files = total = reused = 0
    root, previous_root = str(staging), str(out_dir)
    dirs = _Dirs(root)
    # A cold build has no previous output to compare with: no look-up per file then.
    has_previous = os.path.isdir(previous_root)
    # Renderers may write outputs straight into the staging folder (they yield `Placed`).
    placing = Staging(root, previous_root, has_previous=has_previous)
    token = _staging.set(placing)
    try:
        seen: set[str] = set()
        for rel, data in _claimed(outputs, seen):
            if isinstance(data, Placed):
                reused += data.linked
                total += data.size
                files += 1
                continue
            if isinstance(data, Unchanged) or (has_previous and _same_bytes(os.path.join(previous_root, rel), data)):
                dirs.ensure(rel.rpartition("/")[0])
                os.link(os.path.join(previous_root, rel), os.path.join(root, rel))
                reused += 1
            else:
                dirs.write(rel, data, stamps)
            total += len(data)          # an Unchanged output's len is its recorded size
            files += 1
        for rel in _claimed_batch(unchanged, seen):
            dirs.ensure(rel.rpartition("/")[0])
            os.link(os.path.join(previous_root, rel), os.path.join(root, rel))
        files, total, reused = files + len(unchanged), total + sum(unchanged.values()), reused + len(unchanged)
        _swap(staging, out_dir)
    except BaseException:
        # Stop the renderers (they may be writing into the staging folder) before removing it.
        close = getattr(outputs, "close", None)
        if close is not None:
            close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        _staging.reset(token)
        dirs.close()
        if placing.dirs is not None and placing.dirs.pid == dirs.pid:
            placing.dirs.close()
    if folders is not None:
        # The fresh tree's folders, looked at now: the next update need not list them all
        # (those made in the last moments before the look are listed: their change time is
        # too close to it to vouch for them).
        with contextlib.suppress(OSError):
            folders.ctimes, folders.complete = _looked(str(out_dir), _folders_of(seen))
            folders.at = time.time_ns()
    return WriteStats(files, total, reused)


def _update(outputs: Iterable[tuple[str, Output]], out_dir: Path, previous: Collection[str],
            folders: Folders, unchanged: Mapping[str, int],
            stamps: dict[str, tuple[int, int]] | None = None) -> WriteStats:
    """Stage the files whose bytes changed; once every output is made, move them into
    `out_dir` and delete what no output claims. Until then `out_dir` is not touched."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    files = total = reused = 0
    root, live = str(staging), str(out_dir)
    dirs = _Dirs(root)
    changed: list[str] = []
    try:
        seen: set[str] = set()
        for rel, data in _claimed(outputs, seen):
            files += 1
            total += len(data)
            if isinstance(data, Unchanged) or _same_bytes(os.path.join(live, rel), data):
                reused += 1
                continue
            dirs.write(rel, data, stamps)       # (a rename keeps its modification time)
            changed.append(rel)
        _claimed_batch(unchanged, seen)
        files, total, reused = files + len(unchanged), total + sum(unchanged.values()), reused + len(unchanged)
        if any(_blocked(live, rel) for rel in changed):
            # Something other than a plain file sits where an output goes (a folder, a
            # symlink, a file where a folder must be): build the whole tree aside and swap.
            for rel in sorted(seen.difference(changed)):
                dirs.ensure(rel.rpartition("/")[0])
                os.link(os.path.join(live, rel), os.path.join(root, rel))
            _swap(staging, out_dir)
            folders.at, folders.ctimes, folders.complete = 0, {}, False
            return WriteStats(files, total, reused)
        # Every output is made: from here on only renames and deletions.
        live_dirs = _Dirs(live)
        try:
            for rel in changed:
                live_dirs.ensure(rel.rpartition("/")[0])
                os.replace(os.path.join(root, rel), os.path.join(live, rel))
        finally:
            live_dirs.close()
        # What no output claims goes, as a full write would leave it out: the last build's
        # outputs that are none now (a deleted document's page and its folder) and anything
        # put into out_dir by hand.
        gone = set(previous) - seen
        # The same outputs as the last update (none gone, as many): the same folders hold them.
        same = not gone and len(seen) == len(previous)
        stray_files, stray_folders, listed, kept = _unclaimed(live, seen, folders, gone, same)
        for rel in stray_files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(live, rel))
        for rel in stray_folders:
            shutil.rmtree(os.path.join(live, rel), ignore_errors=True)
        # The folders listed now are seen again after the deletions (their change time moved);
        # `at` comes after every look, so a change in the same clock tick is never trusted.
        complete = True
        for rel in listed:
            try:
                kept[rel] = os.lstat(os.path.join(live, rel) if rel else live).st_ctime_ns
            except OSError:
                complete = False
        folders.at, folders.ctimes, folders.complete = time.time_ns(), kept, complete
    finally:
        dirs.close()
        shutil.rmtree(staging, ignore_errors=True)
    return WriteStats(files, total, reused)


def _unclaimed(root: str, claimed: Collection[str], folders: Folders, gone: Iterable[str],
               same: bool = False) -> tuple[list[str], list[str], list[str], dict[str, int]]:
    """Files (symlinks included) and folders under `root` that are neither a claimed path nor
    a folder holding one; the claimed folders listed to find them; the change times of the
    others. A folder is listed unless `folders` vouches for it (the same change time as the
    last update saw, long enough before it looked): a folder's change time moves whenever
    an entry is added, removed or renamed in it, so one that did not move holds what it held.
    The folders that held the last build's outputs that are `gone` are listed in any case
    (their files are still there: nothing on disk moved). `same`: `claimed` are the paths the
    last update claimed (its folders are those `folders` recorded, when it recorded all)."""
    folders_claimed: Collection[str]
    if same and folders.complete and "" in folders.ctimes:
        folders_claimed = folders.ctimes.keys()
    else:
        folders_claimed = _folders_of(claimed)
    must: set[str] = set()
    for rel in gone:
        parent = rel.rpartition("/")[0]
        while parent not in folders_claimed:
            parent = parent.rpartition("/")[0]
        must.add(parent)
    recorded, at = folders.ctimes, folders.at
    kept: dict[str, int] = {}
    listed: list[str] = []
    lstat, trusted_before = os.lstat, at - RACY_NS
    try:
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        root_fd = None
    try:
        for rel in folders_claimed:
            seen_then = recorded.get(rel)
            if seen_then is not None and seen_then <= trusted_before and rel not in must:
                try:
                    # Relative to the open root: the kernel does not walk its path 20,000 times.
                    st = lstat(rel or ".", dir_fd=root_fd) if root_fd is not None else lstat(f"{root}/{rel}" if rel else root)
                    if st.st_ctime_ns == seen_then:
                        kept[rel] = seen_then
                        continue
                except OSError:
                    pass
            listed.append(rel)
    finally:
        if root_fd is not None:
            os.close(root_fd)
    files: list[str] = []
    stray: list[str] = []
    for rel in listed:
        try:
            entries = os.scandir(os.path.join(root, rel) if rel else root)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for entry in entries:
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if path not in folders_claimed:
                        stray.append(path)
                elif path not in claimed:
                    files.append(path)
    return files, stray, listed, kept


def _folders_of(paths: Iterable[str]) -> set[str]:
    """The folders that hold `paths`, and theirs up to the root ("")."""
    parents = {rel.rpartition("/")[0] for rel in paths}
    found = {"", *parents}
    for parent in parents:          # their ancestors (most share one already added)
        parent = parent.rpartition("/")[0]
        while parent not in found:
            found.add(parent)
            parent = parent.rpartition("/")[0]
    return found


def _looked(root: str, folders: Iterable[str]) -> tuple[dict[str, int], bool]:
    """Each folder's change time (relative to `root`), and whether none failed to stat."""
    ctimes: dict[str, int] = {}
    complete = True
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        lstat = os.lstat
        for rel in folders:
            try:
                ctimes[rel] = lstat(rel or ".", dir_fd=root_fd).st_ctime_ns
            except OSError:
                complete = False
    finally:
        os.close(root_fd)
    return ctimes, complete


def _ancestors(rel: str) -> Iterator[str]:
    """'a/b/c.html' → 'a/b', 'a'."""
    while "/" in rel:
        rel = rel.rpartition("/")[0]
        yield rel


def _blocked(root: str, rel: str) -> bool:
    """True when a changed output cannot simply be renamed into place: a folder (or a
    symlink, which could lead outside) stands where it or one of its folders goes."""
    try:
        st = os.lstat(os.path.join(root, rel))
        if stat.S_ISDIR(st.st_mode):
            return True
    except FileNotFoundError:
        pass
    for folder in _ancestors(rel):
        try:
            st = os.lstat(os.path.join(root, folder))
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            return True
    return False


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def _swap(staging: Path, out_dir: Path) -> None:
    """Two renames; between them the old site still exists under a temporary name."""
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        old.rmdir()
        os.rename(out_dir, old)
        try:
            os.rename(staging, out_dir)
        except BaseException:
            os.rename(old, out_dir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, out_dir)
