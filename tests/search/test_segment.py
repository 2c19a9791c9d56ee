"""segment.Writer writes the same Whoosh segment as Whoosh's own SegmentWriter, adding
documents one at a time or all at once (add_documents: counted in this process, or half
of them in a forked worker).

The fast writer groups postings per term instead of going through Whoosh's sorting pool;
a reader (the CLI, export) must not be able to tell. So the segment files themselves are
compared byte for byte (postings, term infos, stored fields, length columns), on a cold
build and after an incremental commit that deletes, updates and merges segments (the
path where postings of older segments come back through Whoosh's add_reader)."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from hypothesis import given, settings, HealthCheck
from hypothesis import strategies as st
from search_corpus import small_corpus
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from generator.search.index import _fields, _schema
from generator.search.records import SearchRecord, record_fingerprint
from generator.search.segment import Writer


def _add(writer, records, update=False):
    for r in records:
        fields = _fields(r, record_fingerprint(r))
        (writer.update_document if update else writer.add_document)(**fields)


def _segment_files(ix_dir: Path, ix) -> dict[str, bytes]:
    """The live segments' files, named without their random segment ids."""
    files = {}
    for number, segment in enumerate(ix._segments()):
        for path in ix_dir.iterdir():
            if segment.segid in path.name:
                files[path.name.replace(segment.segid, f"segment{number}")] = path.read_bytes()
    return files


def _history(writer_class, ix_dir: Path, steps, workers: int = 0) -> dict[str, bytes]:
    """Segment files after steps; ``workers``: 0 adds one document at a time, 1 or 2 a
    step's new documents at once (Writer.add_documents, 2: half counted in a fork)."""
    ix = whoosh_index.create_in(str(ix_dir), _schema())
    for added, updated, deleted, optimize in steps:
        writer = writer_class(ix, compound=False)
        for doc_id in deleted:
            writer.delete_by_term("doc_id", doc_id)
        _add(writer, updated, update=True)
        if workers:
            writer.add_documents([_fields(r, record_fingerprint(r)) for r in added], workers)
        else:
            _add(writer, added)
        writer.commit(optimize=optimize)
    return _segment_files(ix_dir, ix)


def _same_segments(tmp_path: Path, steps, modes=(0,)) -> dict[str, bytes]:
    (tmp_path / "whoosh").mkdir()
    theirs = _history(SegmentWriter, tmp_path / "whoosh", steps)
    for workers in modes:
        (tmp_path / f"fast{workers}").mkdir()
        ours = _history(Writer, tmp_path / f"fast{workers}", steps, workers)
        assert sorted(ours) == sorted(theirs)
        for name in theirs:
            assert ours[name] == theirs[name], (workers, name)
    return ours


def test_cold_build_writes_whooshs_segment_byte_for_byte(tmp_path):
    # 400 documents: frequent terms run over several 128-posting blocks.
    files = _same_segments(tmp_path, [(small_corpus(400), [], [], False)], modes=(0, 1, 2))
    assert any(name.endswith(".pst") for name in files)
    assert sum(len(data) for name, data in files.items() if name.endswith(".pst")) > 100_000


def test_incremental_commits_merge_to_the_same_segment(tmp_path):
    records = small_corpus(200)
    changed = [dataclasses.replace(r, body=r.body + "追加：责令限期整改，ISO14001认证暂停。")
               for r in records[10:15]]
    steps = [
        (records[:150], [], [], False),
        (records[150:], [], [], False),           # a second segment
        ([], changed, [records[0].doc_id, records[199].doc_id], True),  # merged into one
    ]
    files = _same_segments(tmp_path, steps, modes=(0, 2))
    assert sum(name.endswith(".pst") for name in files) == 1


_TEXT = st.text(alphabet=st.sampled_from(list("行业协会惩戒公开谴责处罚罚款ＡＢＣａｂｃ１２３abcXYZ0９ 。，、-《》\n")),
                max_size=60)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=12))
def test_any_texts_give_the_same_segment(texts):
    records = [SearchRecord(doc_id=f"协会/sanction/{i:03}", url=f"/a/{i}/", title=title, body=body,
                            association="协会", association_name="深圳市珠宝首饰行业协会",
                            kind="sanction", kind_label="行业惩戒", year=2025, date="2025-01-01",
                            measure="warning" if i % 2 else None)
               for i, (title, body) in enumerate(texts)]
    with tempfile.TemporaryDirectory() as tmp:
        # 1: in bulk, in this process (a fork per example would be slow)
        _same_segments(Path(tmp), [(records, [], [], False)], modes=(0, 1))


def test_a_term_more_than_255_times_in_one_document(tmp_path):
    # Frequencies past one byte take the slow packing path; weights past the title boost.
    record = dataclasses.replace(small_corpus(1)[0], title="罚款" * 300,
                                 body="对会员单位处以罚款。" * 400 + "ISO9001 " * 260)
    _same_segments(tmp_path, [([record, *small_corpus(20)[1:]], [], [], False)], modes=(0, 1, 2))

