"""One forked worker computing one value while the parent does something else.

Indexing and export are CPU-bound Python, so the second core is only reached through a
second process. Fork (not spawn) so the worker inherits the documents, the counted
postings and the compiled analyzer without pickling them; only the worker's result comes
back, marshalled (plain lists, dicts, strings, bytes and numbers: fast both ways).

A worker that fails (an exception, a signal, a non-zero exit) makes ``result()`` raise,
so a build never goes on with half its data. Without fork, or with GONGSHI_JOBS=1, the
callers run the same function in-process: the same bytes either way (tested).
"""

from __future__ import annotations

import marshal
import os
import sys
import traceback
from collections.abc import Callable

# A document count below which forking costs more than the second core saves (a fork,
# the result's transfer, pages copied on write): about 0.1 s.
PARALLEL_FROM = 1500


class WorkerError(RuntimeError):
    """The forked worker did not deliver its result."""


def workers() -> int:
    """Processes the search build may use: GONGSHI_JOBS, else this process's cores; 1
    where the platform cannot fork."""
    from ..parallel import fork_available, jobs  # one reading of GONGSHI_JOBS for the whole build
    return jobs() if fork_available() else 1


def parallel(documents: int) -> bool:
    return documents >= PARALLEL_FROM and workers() >= 2


class Worker:
    """A forked process running ``function()``; ``result()`` is its marshalled value."""

    def __init__(self, function: Callable[[], object]) -> None:
        read, write = os.pipe()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # or the child's exit could print the parent's buffer twice
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(read)
            status = 1
            try:
                with os.fdopen(write, "wb") as out:
                    try:
                        data = b"\x00" + marshal.dumps(function())
                        status = 0
                    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
                        data = b"\x01" + traceback.format_exc().encode("utf-8", "replace")
                    out.write(data)
            finally:
                os._exit(status)  # no atexit handlers, no finally blocks of the parent's stack
        os.close(write)
        self._pid: int | None = pid
        self._read = os.fdopen(read, "rb")

    def result(self) -> object:
        """The worker's value; WorkerError if it failed or died."""
        try:
            data = self._read.read()  # until the worker closes its end (exits)
        finally:
            self._read.close()
            status = self._wait()
        if status != 0 or not data or data[0] != 0:
            detail = data[1:].decode("utf-8", "replace") if data[:1] == b"\x01" else ""
            raise WorkerError(f"search worker failed ({_describe(status)})"
                              + (f":\n{detail}" if detail else ""))
        return marshal.loads(memoryview(data)[1:])

    def cancel(self) -> None:
        """Stop a worker whose result is no longer wanted (the parent's side failed)."""
        if self._pid is None:
            return
        import signal
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._read.close()
        self._wait()

    def _wait(self) -> int:
        pid, self._pid = self._pid, None
        if pid is None:
            return -1
        _, status = os.waitpid(pid, 0)
        return status


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    if os.WIFEXITED(status):
        return f"exit status {os.WEXITSTATUS(status)}"
    return f"wait status {status}"
