"""Honest publication dates: when did each content file really reach the site's history?

A disclosure declares its own publication date, but a regulator checking the 7-working-day
window (SZ 五(二)) needs evidence, and GD 二(二) forbids silently rewriting a published
record. The git history of the content folder is that evidence: the commit that first
added a file is its attested publication, later commits are its visible revisions.

Choices, and why:

* One ``git log`` for the whole content tree, not one per file: sites have thousands of
  files. Two small ``git rev-parse`` calls and one ``git status`` come with it.
* ``--first-parent`` with merges diffed against their first parent: a file written on a
  branch is published when it is merged, not when the branch commit was made. Counting the
  branch commit would date a late disclosure earlier than it was actually published.
* Committer date, not author date: the author date survives rebases and cherry-picks, so it
  says when a change was written, not when it entered this history.
* ``--no-renames``: a document's identity is its path (DESIGN.md), so a moved file is a new
  document first published by the commit that moved it.
* ``-z`` everywhere and byte-level splitting: paths with Chinese characters or spaces come
  back verbatim, whatever the locale or ``core.quotepath``.
* A shallow clone (CI checkouts default to depth 1) shows every file as "added" by its
  oldest fetched commit. Such files get no history and are listed in
  ``GitHistory.truncated`` instead of being given a false, too-late date.

Paths in the result are POSIX strings relative to ``content_dir``, e.g.
``associations/acme/sanctions/2025-警告-001.md``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath
from types import MappingProxyType

__all__ = ["Revision", "FileHistory", "GitHistory", "read_history"]

# Start of each commit record in the log output; a path never stands where this is read,
# because paths are consumed by position after their status letter.
_COMMIT_MARK = "\x1e"
# Fields of a commit record, each ended by NUL thanks to -z: mark, hash, short hash,
# committer date (strict ISO 8601 with the recorded offset), author name, subject.
_LOG_FORMAT = "%x1e%x00%H%x00%h%x00%cI%x00%an%x00%s"
_HEADER_FIELDS = 5

# Neutralise user and system configuration that would change the output we parse.
_GIT_CONFIG = (
    "-c", "core.quotepath=false",
    "-c", "log.showSignature=false",
    "-c", "log.showRoot=true",
    "-c", "log.mailmap=false",
    "-c", "diff.relative=false",
    "-c", "color.ui=false",
)


@dataclass(frozen=True)
class Revision:
    """One commit that touched a file."""

    commit: str  # full hash
    short: str  # abbreviated hash as git abbreviates it in this repository
    date: datetime  # committer date, tz-aware, with the offset as recorded
    author: str  # author name only: e-mail addresses stay off the public site
    message: str  # subject line
    change: str  # what the commit did to the file: "A" added, "M" modified, "D" deleted, "T" type changed


@dataclass(frozen=True)
class FileHistory:
    path: str  # POSIX, relative to the content dir
    revisions: tuple[Revision, ...]  # oldest first, in history order (not sorted by date)

    @property
    def first_published(self) -> Revision:
        """The commit that first added the file (a later delete and re-add does not reset it)."""
        return next(r for r in self.revisions if r.change == "A")

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    @property
    def deleted(self) -> bool:
        """The file is gone at HEAD: a withdrawn document whose history still exists."""
        return self.revisions[-1].change == "D"


@dataclass(frozen=True)
class GitHistory:
    """The committed history of every file under the content dir.

    ``files`` holds files with a complete history (sorted by path); ``dirty`` the files that
    differ from HEAD (modified, staged, deleted or untracked): their current content has no
    attested date. ``truncated`` the files whose history a shallow clone cut off.
    """

    prefix: str  # the content dir relative to the repository root, POSIX, "" or ending in "/"
    head: str | None  # None in a repository without commits
    files: Mapping[str, FileHistory] = field(hash=False)
    dirty: frozenset[str]
    shallow: bool
    truncated: frozenset[str]

    def get(self, path: str | PurePath) -> FileHistory | None:
        """History of a file given relative to the content dir (str or path), if committed."""
        return self.files.get(PurePath(path).as_posix())

    def is_attested(self, path: str | PurePath) -> bool:
        """The file's current content is exactly what the history records."""
        key = PurePath(path).as_posix()
        return key in self.files and key not in self.dirty and not self.files[key].deleted


def read_history(content_dir: Path) -> GitHistory | None:
    """Read the history of ``content_dir``; None when git is missing or it is not in a work tree."""
    if not content_dir.is_dir():
        return None
    probe = _git(content_dir, "rev-parse", "--show-prefix", "--is-shallow-repository", "--git-path", "shallow")
    if probe is None:
        return None
    lines = probe.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < 3:
        return None
    prefix, shallow, shallow_file = lines[0], lines[1] == "true", lines[2]

    head_out = _git(content_dir, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    head = head_out.decode("ascii").strip() if head_out else None

    changes: list[tuple[str, Revision]] = []
    if head is not None:
        log = _git(
            content_dir,
            "log",
            "-z",
            f"--format={_LOG_FORMAT}",
            "--encoding=UTF-8",
            "--name-status",
            "--no-renames",
            "--first-parent",
            "--diff-merges=first-parent",
            "--no-ext-diff",
            "--no-textconv",
            "HEAD",
            "--",
            ".",
        )
        if log is None:
            return None
        changes = _parse_log(log, prefix)

    status = _git(content_dir, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", ".")
    if status is None:
        return None
    dirty = _parse_status(status, prefix)

    boundary = _shallow_boundary(content_dir / shallow_file) if shallow else frozenset()
    files, truncated = _assemble(changes, boundary)
    return GitHistory(
        prefix=prefix,
        head=head,
        files=MappingProxyType(files),
        dirty=dirty,
        shallow=shallow,
        truncated=truncated,
    )


def _git(cwd: Path, *args: str) -> bytes | None:
    """stdout of a git command, or None when git is missing or the command fails."""
    env = dict(os.environ)
    # Do not take index.lock during `git status`: builds run while authors commit.
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env["GIT_TERMINAL_PROMPT"] = "0"
    try:
        done = subprocess.run(
            ["git", *_GIT_CONFIG, *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except OSError:  # git not installed, or cwd vanished
        return None
    return done.stdout if done.returncode == 0 else None


def _relative(raw: bytes, prefix: str) -> str | None:
    # Paths are bytes from git; surrogateescape keeps a non-UTF-8 name round-trippable.
    path = raw.decode("utf-8", "surrogateescape")
    return path[len(prefix):] if path.startswith(prefix) else None


def _parse_log(out: bytes, prefix: str) -> list[tuple[str, Revision]]:
    """(path, revision) pairs in git's order: newest commit first."""
    tokens: Sequence[bytes] = out.split(b"\0")
    result: list[tuple[str, Revision]] = []
    header: tuple[str, str, datetime, str, str] | None = None
    i = 0
    while i < len(tokens):
        # -z ends a commit's header with NUL and git puts a newline before its file list.
        token = tokens[i].lstrip(b"\n").decode("utf-8", "replace")
        if token == "":
            i += 1
        elif token == _COMMIT_MARK:
            fields = [t.decode("utf-8", "replace") for t in tokens[i + 1 : i + 1 + _HEADER_FIELDS]]
            if len(fields) < _HEADER_FIELDS:
                raise ValueError("truncated git log output")
            commit, short, when, author, subject = fields
            header = (commit, short, datetime.fromisoformat(when), author, subject)
            i += 1 + _HEADER_FIELDS
        else:
            if header is None:
                raise ValueError(f"unexpected git log output: {token!r}")
            commit, short, when, author, subject = header
            if token[:1] in ("R", "C"):
                # --no-renames should prevent these; if one slips through ("R100", old,
                # new), record it as what it means for identity-by-path, and consume both
                # paths so a surprise cannot shift every later token.
                old_raw, new_raw = tokens[i + 1], tokens[i + 2]
                i += 3
                entries = [(new_raw, "A")] if token[:1] == "C" else [(old_raw, "D"), (new_raw, "A")]
            else:
                entries = [(tokens[i + 1], token[:1])]
                i += 2
            for raw, change in entries:
                rel = _relative(raw, prefix)
                if rel is not None:
                    result.append((rel, Revision(commit, short, when, author, subject, change)))
    return result


def _parse_status(out: bytes, prefix: str) -> frozenset[str]:
    """Paths that differ from HEAD: entries "XY path", NUL-terminated."""
    tokens = out.split(b"\0")
    dirty: set[str] = set()
    i = 0
    while i < len(tokens):
        entry = tokens[i]
        i += 1
        if len(entry) < 4:
            continue
        paths = [entry[3:]]
        if b"R" in entry[:2] or b"C" in entry[:2]:
            # The origin of a rename or copy follows as its own field; both paths changed.
            if i < len(tokens):
                paths.append(tokens[i])
            i += 1
        dirty.update(rel for rel in (_relative(p, prefix) for p in paths) if rel is not None)
    return frozenset(dirty)


def _shallow_boundary(shallow_file: Path) -> frozenset[str]:
    try:
        return frozenset(line.strip() for line in shallow_file.read_text("ascii").splitlines() if line.strip())
    except OSError:
        return frozenset()


def _assemble(
    changes: list[tuple[str, Revision]], boundary: frozenset[str]
) -> tuple[dict[str, FileHistory], frozenset[str]]:
    by_path: dict[str, list[Revision]] = {}
    for path, revision in changes:
        by_path.setdefault(path, []).append(revision)
    files: dict[str, FileHistory] = {}
    truncated: set[str] = set()
    for path in sorted(by_path):
        revisions = tuple(reversed(by_path[path]))  # git lists newest first
        # A history starting at a shallow boundary, or without any "added", is cut off:
        # its oldest visible commit is not its publication.
        if revisions[0].commit in boundary or not any(r.change == "A" for r in revisions):
            truncated.add(path)
            continue
        files[path] = FileHistory(path=path, revisions=revisions)
    return files, frozenset(truncated)
