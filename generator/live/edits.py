"""What an edit touches in the content: which association folders, and what git says now.

The watcher reports files. A file under associations/<name>/ touches that folder alone (a page
under /associations/<slug>/ shows only its association's files); any other file (site.yaml,
calendar/, the theme) may touch everything, and so does a new commit.
"""

from __future__ import annotations

import dataclasses
import subprocess
import unicodedata
from pathlib import Path
from typing import Iterable, Literal

from ..gitdates import _GIT_CONFIG, GitHistory, _parse_status


def association_folder(file: str | Path, root: Path) -> str | None:
    """'…/associations/<name>/…' → name; None for files outside any association folder."""
    try:
        parts = Path(file).relative_to(root).parts
    except ValueError:
        return None
    return parts[1] if len(parts) >= 2 and parts[0] == "associations" else None


def folder_slug(name: str) -> str:
    """The association slug a folder name stands for (the loader normalises names to NFC)."""
    return unicodedata.normalize("NFC", name)


def edited_folders(changed: Iterable[Path | str] | None, root: Path) -> set[str] | None:
    """The association folders `changed` lies in; None when anything may have changed (no
    list, or a file outside every association folder)."""
    if changed is None:
        return None
    names: set[str] = set()
    for p in changed:
        name = association_folder(Path(p).absolute(), root)
        if name is None:
            return None
        names.add(name)
    return names


def history_after(history: GitHistory | None, root: Path,
                  changed: Iterable[Path | str]) -> GitHistory | None | Literal[False]:
    """`history` with the dirty state of the changed files asked again (one `git status` of
    those paths, not a walk of the log); False when the repository moved on (a commit) or git
    failed: the caller reads everything again. None: the content is not under git."""
    if history is None:
        return None
    rels = [Path(p).absolute().relative_to(root).as_posix() for p in changed]
    try:
        head = subprocess.run(["git", *_GIT_CONFIG, "rev-parse", "-q", "--verify", "HEAD^{commit}"],
                              cwd=root, capture_output=True, check=False).stdout.decode().strip() or None
        status = subprocess.run(["git", *_GIT_CONFIG, "status", "--porcelain=v1", "-z", "--untracked-files=all",
                                 "--no-renames", "--", *rels], cwd=root, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    if head != history.head:
        return False
    asked = {history.prefix + r for r in rels}
    now = _parse_status(status, history.prefix)
    kept = frozenset(d for d in history.dirty if history.prefix + d not in asked)
    return dataclasses.replace(history, dirty=kept | now)
