"""Stage 6 — write: the only code that touches the output folder.

A build is written into a fresh sibling folder and swapped in with renames only after
every file was written, so a failed build leaves the previous site exactly as it was.
Files whose bytes did not change are hard-linked from the previous output instead of
rewritten (cheap, and their mtimes stay put for rsync-style deploys).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable


class UnsafeOutputPath(ValueError):
    pass


@dataclass(frozen=True)
class WriteStats:
    files: int
    bytes: int
    reused: int


def _safe_relative(path: str) -> PurePosixPath:
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        raise UnsafeOutputPath(path)
    return p


def write_site(outputs: Iterable[tuple[str, bytes]], out_dir: Path) -> WriteStats:
    """Write every (relative path, bytes) into `out_dir`, atomically replacing it."""
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    files = total = reused = 0
    try:
        seen: set[PurePosixPath] = set()
        for rel, data in outputs:
            p = _safe_relative(rel)
            if p in seen:
                raise UnsafeOutputPath(f"two outputs for {rel}")
            seen.add(p)
            target = staging / p
            target.parent.mkdir(parents=True, exist_ok=True)
            previous = out_dir / p
            if _same_bytes(previous, data):
                os.link(previous, target)
                reused += 1
            else:
                target.write_bytes(data)
            files += 1
            total += len(data)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteStats(files, total, reused)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
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
