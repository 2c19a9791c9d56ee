"""index_and_export on one core and on two: the same index and the same files.

A build from empty counts most documents in a forked worker and exports the term shards
in another while this process writes the segment. Whatever the number of workers (and
whether the export is read back from disk or taken from the counts), a reader must get
byte-identical files, and a worker that fails must fail the build, never leave it with
part of its data."""

from __future__ import annotations

import dataclasses
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_corpus import small_corpus

from generator.search import build_index, export_static, forked, index_and_export, search
from generator.search.forked import Worker, WorkerError
from generator.search.records import SearchRecord


@pytest.fixture
def two_workers(monkeypatch):
    """Fork from the first document (the real threshold keeps small builds in-process)."""
    monkeypatch.setenv("GONGSHI_JOBS", "2")
    monkeypatch.setattr(forked, "PARALLEL_FROM", 1)


@pytest.fixture
def one_worker(monkeypatch):
    monkeypatch.setenv("GONGSHI_JOBS", "1")
    monkeypatch.setattr(forked, "PARALLEL_FROM", 1)


def _serial_reference(records, path):
    """The files the plain path writes: build_index, then export_static from disk."""
    build_index(records, path)
    return export_static(path)


def test_two_workers_write_the_same_files_and_index_as_one(tmp_path, monkeypatch):
    records = small_corpus(300)  # frequent terms over several posting blocks
    monkeypatch.setenv("GONGSHI_JOBS", "1")
    reference = _serial_reference(records, tmp_path / "reference")
    results = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("GONGSHI_JOBS", jobs)
        monkeypatch.setattr(forked, "PARALLEL_FROM", 1)
        stats, files = index_and_export(records, tmp_path / jobs)
        assert (stats.added, stats.rebuilt) == (300, True)
        results[jobs] = files
    assert results["1"] == reference
    assert results["2"] == reference
    # The index itself: the CLI ranks from it, and the next build exports from it.
    assert export_static(tmp_path / "2") == reference
    assert search(tmp_path / "2", "行业惩戒") == search(tmp_path / "reference", "行业惩戒")
    assert search(tmp_path / "2", "公开谴责") != []


def test_an_incremental_build_after_a_parallel_one_matches_a_clean_build(tmp_path, two_workers):
    records = small_corpus(120)
    index_and_export(records, tmp_path / "a")
    changed = dataclasses.replace(records[7], title="关于对某会员单位予以公开谴责的决定（更正）",
                                  body="经复核，维持公开谴责。ISO9001认证暂停。", content_hash="e" * 64)
    edited = records[:7] + [changed] + records[8:100]
    stats, files = index_and_export(edited, tmp_path / "a")
    assert (stats.updated, stats.deleted, stats.rebuilt) == (1, 20, False)
    _stats, clean = index_and_export(edited, tmp_path / "b")
    assert files == clean


_TEXT = st.text(alphabet=st.sampled_from(list("行业协会惩戒公开谴责处罚罚款ＡＢＣａｂｃ１２３abc0９ 。，、《》\n𠀀")),
                max_size=40)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=10))
def test_any_texts_export_the_same_in_one_or_two_processes(tmp_path_factory, texts):
    # Empty titles or bodies included: Whoosh stores no length for a field without
    # tokens (its reader answers None), and no length column when no document has any.
    records = [SearchRecord(doc_id=f"协会/sanction/{i:03}", url=f"/a/{i}/", title=title, body=body,
                            association="协会", association_name="深圳市珠宝首饰行业协会",
                            kind="sanction", kind_label="行业惩戒", year=2025, date="2025-01-01",
                            measure="warning" if i % 2 else None)
               for i, (title, body) in enumerate(texts)]
    path = tmp_path_factory.mktemp("any")
    old = os.environ.get("GONGSHI_JOBS")
    try:
        os.environ["GONGSHI_JOBS"] = "1"
        reference = _serial_reference(records, path / "reference")
        _stats, in_process = index_and_export(records, path / "one")
    finally:
        if old is None:
            os.environ.pop("GONGSHI_JOBS", None)
        else:
            os.environ["GONGSHI_JOBS"] = old
    assert in_process == reference


def test_a_failing_counting_worker_fails_the_build(tmp_path, two_workers, monkeypatch):
    from generator.search import segment

    def broken(documents, fields, first, pack=None):
        if os.getpid() != parent:
            raise RuntimeError("磁盘已满 / disk full")
        return original(documents, fields, first, pack)

    parent, original = os.getpid(), segment.count_documents
    monkeypatch.setattr(segment, "count_documents", broken)
    with pytest.raises(WorkerError, match="disk full"):
        index_and_export(small_corpus(40), tmp_path)
    # Nothing was committed: the next build starts from empty and succeeds.
    monkeypatch.setattr(segment, "count_documents", original)
    stats, files = index_and_export(small_corpus(40), tmp_path)
    assert stats.added == 40 and "manifest.json" in files


def test_a_failing_export_worker_fails_the_build(tmp_path, two_workers, monkeypatch):
    from generator.search import export

    def broken(*args):
        os._exit(3)  # a worker dying without a word (killed, out of memory)

    monkeypatch.setattr(export, "_shard_files", broken)
    with pytest.raises(WorkerError, match="exit status 3"):
        index_and_export(small_corpus(40), tmp_path)


def test_a_worker_killed_by_a_signal_is_an_error():
    import signal
    worker = Worker(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(WorkerError, match="signal 9"):
        worker.result()


def test_a_worker_hands_back_its_value_intact():
    value = {"词项": [1, 2, 3], "bytes": b"\x00\xff" * 40_000, "nested": ({"a": 1.5}, None)}
    assert Worker(lambda: value).result() == value


def test_a_title_of_punctuation_alone_neither_breaks_the_export_nor_the_cli(tmp_path, one_worker):
    # No token in the title: Whoosh keeps no length for it. The export and the CLI's
    # average length used to add that None up and fail the whole build.
    records = small_corpus(12)
    records[3] = dataclasses.replace(records[3], title="——（）", content_hash="f" * 64)
    _stats, files = index_and_export(records, tmp_path / "a")
    assert files == _serial_reference(records, tmp_path / "b")
    assert search(tmp_path / "a", records[3].body[:4]) != []


def test_a_build_leaves_no_cycle_holding_its_documents(tmp_path, one_worker):
    # Whoosh keeps an exception in a reference cycle that reached the build's frames, so
    # every document and posting of a build outlived it until the collector's next pass
    # (a long pause right after the build). Only a few objects may be left for it.
    import gc
    records = small_corpus(60)
    gc.collect()
    gc.disable()
    try:
        index_and_export(records, tmp_path)
        left = gc.collect()
    finally:
        gc.enable()
    assert left < 200
