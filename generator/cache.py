"""The persistent build cache (`.gongshi-cache/`): values keyed by a digest of their inputs.

SQLite files per content folder (`database_name`: the per-file cache in one of its own,
everything else in another) hold derived values that are costly to recompute and depend
only on their key (rendered Markdown keyed by a hash of the body and of the code
that renders it; build state of the last build). A cache may always be thrown away: every
reader treats a missing, corrupt or foreign entry as a miss.

Forked render workers inherit the module state; each process opens its own connection
(SQLite connections must not cross a fork), and only the process that owns pending writes
flushes them.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

SCHEMA = 2       # 2: the per-file cache in a file of its own (`OWN_FILE`)

# Tables in a database file of their own. A build writes the per-file cache's pack from a
# forked process (pipeline._finish) while it writes the evaluations: in one file, one of
# them would wait for the other's write lock (SQLite locks a whole file).
OWN_FILE = frozenset({"files"})


@lru_cache(maxsize=1)
def code_version() -> str:
    """Digest of the generator's source and of the libraries that parse, validate and render
    (and of the Python that pickles): a cached result keyed by it is void after any change."""
    import jinja2
    import markdown_it
    import pydantic
    import yaml
    h = hashlib.sha256("\0".join((sys.version, jinja2.__version__, markdown_it.__version__, pydantic.VERSION,
                                   yaml.__version__)).encode())
    package = Path(__file__).resolve().parent
    for f in sorted(package.rglob("*.py")):
        h.update(f.relative_to(package).as_posix().encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


# A file's or folder's time stamp is trusted only when it was read at least this long after
# it: coarser than any file system's time stamps, so a change in the same tick is never missed
# (the per-file cache's stats, the writer's folder change times).
RACY_NS = 2_000_000_000


def cache_root() -> Path:
    """$GONGSHI_CACHE, else ./.gongshi-cache: holds one folder per content folder (`cache_dir`).

    The one place the cache's location is decided. Layout under $GONGSHI_CACHE:
    `<12 hex>/` per content folder (rendered Markdown, build state, search index) and
    `npm/` for tools installed once (`tools_dir`)."""
    return Path(os.environ.get("GONGSHI_CACHE", ".gongshi-cache")).absolute()


def tools_dir() -> Path:
    """Tools installed once per machine (the editor's npm package): $GONGSHI_TOOLS when set;
    else $GONGSHI_CACHE when set (one root for everything, as the benchmarks use); else the
    per-user cache (`user_tools_dir`) so every checkout shares one install."""
    if os.environ.get("GONGSHI_TOOLS"):
        return Path(os.environ["GONGSHI_TOOLS"]).absolute()
    if os.environ.get("GONGSHI_CACHE"):
        return cache_root()
    return user_tools_dir()


def user_tools_dir() -> Path:
    """$XDG_CACHE_HOME/gongshi, else ~/.cache/gongshi."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gongshi"


def cache_dir(content_root: Path) -> Path:
    """One folder per content folder, so two sites never share entries."""
    key = hashlib.sha256(str(content_root.resolve()).encode()).hexdigest()[:12]
    return cache_root() / key


def code_digest(*files: str | Path, extra: str = "") -> str:
    """Digest of source files (and anything else) a cached value was computed with."""
    h = hashlib.sha256(extra.encode())
    for f in files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()[:16]


PENDING_BYTES = 2 << 20

# This process's id, kept up to date across forks: a Store asks on every get and put whether
# it runs in the process that opened its connection, and os.getpid() is a system call
# (65,000 of them in a cold build at 10k documents).
_pid = os.getpid()


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


def process_id() -> int:
    """os.getpid() without the system call."""
    return _pid


class Store:
    """A key → bytes table in SQLite, with writes batched until `flush`."""

    def __init__(self, path: Path, table: str) -> None:
        self.path = path
        self.table = table
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._pending: dict[str, bytes] = {}
        self._pending_bytes = 0

    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is not None and self._pid == _pid:
            return self._conn
        if self._pid != _pid:
            self._conn = None          # inherited through fork: never reuse
            self._pending, self._pending_bytes = {}, 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (k TEXT PRIMARY KEY, v BLOB NOT NULL)")
        except sqlite3.Error:
            return None                # an unusable cache is a cache that always misses
        self._conn, self._pid = conn, _pid
        return conn

    def get(self, key: str) -> bytes | None:
        if key in self._pending:
            return self._pending[key]
        conn = self._connection()
        if conn is None:
            return None
        try:
            row = conn.execute(f"SELECT v FROM {self.table} WHERE k = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        found = {k: self._pending[k] for k in keys if k in self._pending}
        conn = self._connection()
        if conn is None:
            return found
        for rows in self._select_in(conn, "k, v", [k for k in keys if k not in found]):
            found.update(rows)
        return found

    def has_many(self, keys: list[str]) -> set[str]:
        """Which of `keys` have a value (reads no values: a warm-up must not load them all)."""
        found = {k for k in keys if k in self._pending}
        conn = self._connection()
        if conn is None:
            return found
        for rows in self._select_in(conn, "k", [k for k in keys if k not in found]):
            found.update(k for (k,) in rows)
        return found

    def _select_in(self, conn: sqlite3.Connection, columns: str, keys: list[str]) -> Iterator[list[Any]]:
        """Rows for `keys`, 500 at a time (SQLite's parameter limit); a broken cache yields nothing more."""
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i: i + 500]
                q = f"SELECT {columns} FROM {self.table} WHERE k IN ({','.join('?' * len(chunk))})"
                yield conn.execute(q, chunk).fetchall()
        except sqlite3.Error:
            return

    def prefixed(self, prefix: str) -> dict[str, bytes]:
        """Every entry whose key starts with `prefix` (one range query: cheaper than asking key by key)."""
        found = {k: v for k, v in self._pending.items() if k.startswith(prefix)}
        conn = self._connection()
        if conn is None:
            return found
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        try:
            rows = conn.execute(f"SELECT k, v FROM {self.table} WHERE k >= ? AND k < ?", (prefix, upper)).fetchall()
        except sqlite3.Error:
            return found
        found.update((k, v) for k, v in rows if isinstance(v, bytes))
        return found

    def any_prefixed(self, prefix: str) -> bool:
        """Whether some entry's key starts with `prefix` (one probe of the key index; a broken
        cache says yes, so that its caller asks for what it wants and finds it missing)."""
        if any(k.startswith(prefix) for k in self._pending):
            return True
        conn = self._connection()
        if conn is None:
            return True
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        try:
            return conn.execute(f"SELECT 1 FROM {self.table} WHERE k >= ? AND k < ? LIMIT 1", (prefix, upper)).fetchone() is not None
        except sqlite3.Error:
            return True

    def keys(self) -> list[str]:
        """Every key (no values read)."""
        found = list(self._pending)
        conn = self._connection()
        if conn is None:
            return found
        try:
            return found + [k for (k,) in conn.execute(f"SELECT k FROM {self.table}").fetchall() if k not in self._pending]
        except sqlite3.Error:
            return found

    def delete(self, keys: list[str]) -> None:
        """Forget `keys` (entries no run needs any more)."""
        for k in keys:
            self._pending.pop(k, None)
        conn = self._connection()
        if conn is None:
            return
        _in_transaction(conn, [(f"DELETE FROM {self.table} WHERE k = ?", [(k,) for k in keys])])

    def put(self, key: str, value: bytes) -> None:
        if self._pid != _pid:
            self._connection()
        self._pending[key] = value
        self._pending_bytes += len(value)
        # Bounded by bytes too: 5,000 analysed bodies held at once were 25 MB of the parent's
        # peak memory (freed afterwards, but not given back to the system).
        if len(self._pending) >= 5000 or self._pending_bytes >= PENDING_BYTES:
            self.flush()

    def items(self) -> Iterator[tuple[str, bytes]]:
        conn = self._connection()
        if conn is None:
            return iter(())
        return iter(conn.execute(f"SELECT k, v FROM {self.table}").fetchall())

    def replace_all(self, values: dict[str, bytes]) -> None:
        """Make the table hold exactly `values` (the build state of the last build)."""
        conn = self._connection()
        if conn is None:
            return
        _in_transaction(conn, [(f"DELETE FROM {self.table}", None),
                               (f"INSERT INTO {self.table} (k, v) VALUES (?, ?)", values.items())])

    def flush(self) -> None:
        if not self._pending or self._pid != _pid:
            return
        conn = self._connection()
        pending, self._pending, self._pending_bytes = self._pending, {}, 0
        if conn is None:
            return
        # in key order: each insert lands next to the last in the key index (digests come
        # in no order), a tenth less time for the 10k analyses of a cold build
        _in_transaction(conn, [(f"INSERT OR REPLACE INTO {self.table} (k, v) VALUES (?, ?)", sorted(pending.items()))])


def _in_transaction(conn: sqlite3.Connection, statements: list[tuple[str, Any]]) -> None:
    """Run (sql, rows or None) statements all or nothing; a failing cache is rolled back and ignored."""
    try:
        conn.execute("BEGIN")
        for sql, rows in statements:
            if rows is None:
                conn.execute(sql)
            else:
                conn.executemany(sql, rows)
        conn.execute("COMMIT")
    except sqlite3.Error:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def database_name(table: str) -> str:
    """The file (in a content folder's cache folder) that holds `table`."""
    return f"{table}-v{SCHEMA}.sqlite" if table in OWN_FILE else f"cache-v{SCHEMA}.sqlite"


_stores: dict[tuple[Path, str], Store] = {}


def store(directory: Path, table: str) -> Store:
    key = (directory, table)
    if key not in _stores:
        _stores[key] = Store(directory / database_name(table), table)
    return _stores[key]
