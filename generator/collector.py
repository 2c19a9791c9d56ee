"""Python's cyclic garbage collector, paused or told to look away, in one place.

A build allocates millions of long-lived objects (models, statuses, artifacts, postings)
and almost no cyclic garbage; reference counting frees the rest. Every collection the
allocations trigger walks every object alive, so a build pays again and again for the
site it holds. Two tools, both safe to nest:

- `paused()`: no cyclic collection inside the block (the previous state comes back after);
  usable as a decorator (`@paused()`).
- `frozen()`: everything alive on entry is out of the collector's sight until the
  outermost `frozen()` ends (`gc.freeze`). Before a fork it also keeps workers' collections
  from touching, and so copying page by page, the parent's heap.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_frozen_depth = 0


@contextmanager
def paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    global _frozen_depth
    gc.freeze()
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if _frozen_depth == 0:     # an inner block must not thaw what an outer one froze
            gc.unfreeze()
