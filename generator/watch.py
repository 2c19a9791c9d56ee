"""Which files changed, from the kernel (Linux inotify, through ctypes: no dependency).

Polling a snapshot stats every file of the content each time (10,000 files: about 55 ms of
CPU per poll, several times a second, and up to a poll interval before an edit is noticed);
inotify tells which paths changed as soon as they do, for nothing in between. Every folder
under the roots is watched (new folders as they appear). `Inotify.open` returns None where
inotify is unavailable or its watch limit is reached: the caller then polls snapshots.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
from pathlib import Path
from typing import Callable

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF = 0x400, 0x800
IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR = 0x4000, 0x8000, 0x40000000
IN_NONBLOCK, IN_CLOEXEC = 0o4000, 0o2000000
MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
        | IN_DELETE_SELF | IN_MOVE_SELF)
_EVENT = struct.Struct("iIII")


class Inotify:
    """`changes()`: the paths that changed since the last call ([] if none); None when the
    kernel dropped events (queue overflow): anything may have changed."""

    def __init__(self, libc: ctypes.CDLL, fd: int, skip: Callable[[str], bool]) -> None:
        self._libc, self.fd, self._skip = libc, fd, skip
        self._dirs: dict[int, str] = {}

    @classmethod
    def open(cls, roots: tuple[Path, ...], skip: Callable[[str], bool]) -> "Inotify | None":
        if not hasattr(os, "uname") or os.uname().sysname != "Linux":
            return None
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        except (OSError, AttributeError):
            return None
        if fd < 0:
            return None
        watcher = cls(libc, fd, skip)
        for root in roots:
            if root.is_dir() and watcher._watch_tree(str(root)) is None:
                watcher.close()
                return None        # the watch limit: poll instead
        return watcher

    def _watch_tree(self, top: str) -> list[str] | None:
        """Watch `top` and every folder below; the files found there (they are new to us)."""
        found: list[str] = []
        stack = [top]
        while stack:
            d = stack.pop()
            wd = self._libc.inotify_add_watch(self.fd, os.fsencode(d), MASK)
            if wd < 0:
                if ctypes.get_errno() in (28, 24):     # ENOSPC, EMFILE: out of watches
                    return None
                continue                               # vanished meanwhile
            self._dirs[wd] = d
            try:
                entries = list(os.scandir(d))
            except OSError:
                continue
            for e in entries:
                if self._skip(e.name):
                    continue
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                else:
                    found.append(e.path)
        return found

    def changes(self) -> list[str] | None:
        changed: set[str] = set()
        overflow = False
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            if not data:
                break
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                raw = data[offset + _EVENT.size: offset + _EVENT.size + length].rstrip(b"\0")
                offset += _EVENT.size + length
                if mask & IN_Q_OVERFLOW:
                    overflow = True
                    continue
                base = self._dirs.get(wd)
                if mask & IN_IGNORED:
                    self._dirs.pop(wd, None)
                    continue
                if base is None:
                    continue
                name = os.fsdecode(raw)
                if not name:
                    continue                           # the watched folder itself: its parent says
                if self._skip(name):
                    continue
                path = os.path.join(base, name)
                changed.add(path)
                if mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO):
                    inside = self._watch_tree(path)
                    if inside is None:
                        overflow = True
                    else:
                        changed.update(inside)
        return None if overflow else sorted(changed)

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


__all__ = ["Inotify"]
