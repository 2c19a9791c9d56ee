"""The benchmarks' synthetic corpus (benchmarks/corpus.py), for tests that need many files."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def synthetic_corpus(dest: Path, *, documents: int, associations: int, seed: int) -> Path:
    """Write a deterministic corpus into `dest` (it passes `gongshi check`) and return it."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import corpus
    finally:
        sys.path.pop(0)
    corpus.main(["--documents", str(documents), "--associations", str(associations), "--seed", str(seed),
                 "--out", str(dest)])
    return dest
