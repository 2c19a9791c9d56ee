"""A full write made by render workers. The build state records each output's size and
modification time as the worker that wrote it saw them on its descriptor (`write.Placed`),
so the parent does not stat 20,000 outputs after the write: they must be those of the file
on disk, or the next build would take every output for changed by hand. And the two files
of an open-data set go to one worker, which makes the rows once for both."""

from __future__ import annotations

import datetime as dt
import marshal
import os
from pathlib import Path
from typing import Any

import pytest

from generator import incremental, parallel, pipeline
from generator.cache import cache_dir, store

from .corpora import synthetic_corpus

AS_OF = dt.date(2026, 6, 30)


def _records(content: Path, out: Path) -> dict[str, tuple[str, int, int, str]]:
    """Every output's record (key, size, mtime, digest) in the build state of `out`."""
    s = store(cache_dir(content), "build_state")
    base = str(out.absolute())
    found: dict[str, tuple[str, int, int, str]] = {}
    for key, value in s.items():
        if key == base:
            found.update(marshal.loads(value)[2])
        elif key.startswith(base + "\0a\0"):
            found.update(marshal.loads(value)[1])
    return found


def _build_checking_records(content: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Builds `content` into `out`; checks that the build state records every output (but the
    manifest) with the size and mtime a stat sees; returns the outputs stat'ed by `save`."""
    stats_in_save: list[str] = []
    real_save, real_stat = incremental.BuildState.save, os.stat

    def saving(self: incremental.BuildState, *args: Any, **kw: Any) -> None:
        def counting(path: Any, *a: Any, **k: Any) -> os.stat_result:
            if str(path).startswith(str(out)):
                stats_in_save.append(str(path))
            return real_stat(path, *a, **k)
        monkeypatch.setattr(os, "stat", counting)
        try:
            real_save(self, *args, **kw)
        finally:
            monkeypatch.setattr(os, "stat", real_stat)
    monkeypatch.setattr(incremental.BuildState, "save", saving)
    assert pipeline.build(content, out, AS_OF).ok
    records = _records(content, out)
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert len(records) > 100 and set(records) <= files and files - set(records) <= {"manifest.json"}
    for path, (_key, size, mtime_ns, _digest) in records.items():
        st = real_stat(out / path)
        assert (size, mtime_ns) == (st.st_size, st.st_mtime_ns), path
    return stats_in_save


def test_a_full_write_by_workers_records_each_output_as_it_is_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = synthetic_corpus(tmp_path / "内容", documents=30, associations=3, seed=7)
    monkeypatch.setenv("GONGSHI_JOBS", "2")
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    monkeypatch.setenv("GONGSHI_SEARCH", "0")
    monkeypatch.setattr(parallel, "SERIAL_BELOW", 0)
    monkeypatch.setattr(parallel, "CHUNK", 5)
    out = tmp_path / "public"
    stats_in_save = _build_checking_records(content, out, monkeypatch)
    # Only the outputs the parent wrote itself (the manifest) are stat'ed after the write.
    assert len(stats_in_save) <= 1


def test_a_one_process_write_records_each_output_as_it_is_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One process writes every output itself: it takes each file's size and modification
    time from the descriptor it wrote with, so the build state stats none after the write,
    and the records are those of the files on disk (else the next build re-renders all)."""
    content = synthetic_corpus(tmp_path / "内容", documents=30, associations=3, seed=11)
    monkeypatch.setenv("GONGSHI_JOBS", "1")
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    monkeypatch.setenv("GONGSHI_SEARCH", "0")
    out = tmp_path / "public"
    stats_in_save = _build_checking_records(content, out, monkeypatch)
    assert stats_in_save == []


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_each_dataset_is_made_once_for_its_json_and_its_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dataset's two files take its rows from one holder, in one worker's task: the rows
    are made once per build, and the files are those of a one-process build."""
    from generator import opendata
    content = synthetic_corpus(tmp_path / "内容", documents=30, associations=3, seed=5)
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    monkeypatch.setenv("GONGSHI_SEARCH", "0")
    monkeypatch.setattr(parallel, "SERIAL_BELOW", 0)
    monkeypatch.setattr(parallel, "CHUNK", 5)
    made = tmp_path / "做了哪些数据集"
    for name, rows_of in list(opendata.ROWS.items()):
        def noting(site: Any, evaluation: Any, name: str = name, rows_of: Any = rows_of) -> Any:
            with open(made, "a", encoding="utf-8") as f:       # workers are processes: a file counts
                f.write(name + "\n")
            return rows_of(site, evaluation)
        monkeypatch.setitem(opendata.ROWS, name, noting)
    trees = []
    for jobs in ("2", "1"):
        monkeypatch.setenv("GONGSHI_JOBS", jobs)
        made.unlink(missing_ok=True)
        out = tmp_path / f"public-{jobs}"
        assert pipeline.build(content, out, AS_OF, incremental=False).ok
        assert sorted(made.read_text(encoding="utf-8").split()) == sorted(opendata.ROWS)
        trees.append(_tree(out))
    assert trees[0] == trees[1]
    assert any(p.endswith(".csv") for p in trees[0]) and any(p.endswith(".json") and "data" in p for p in trees[0])
