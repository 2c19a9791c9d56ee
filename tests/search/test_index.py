import dataclasses

import importlib

import pytest

from search_corpus import small_corpus
from generator.search import build_index, export_static, search
from generator.search.index import open_searcher, stored_docs


@pytest.fixture
def counting_tokenizer(monkeypatch):
    """Records every text the analyzer is asked to tokenise."""
    tokenize_module = importlib.import_module("generator.search.tokenize")
    seen: list[str] = []

    def spying(original):
        def spy(text):
            seen.append(text)
            return original(text)
        return spy

    # The index analyses through index_texts, imported by index.py (BigramText.index),
    # and through term_counts, imported by segment.py (the writer's bulk count).
    monkeypatch.setattr(importlib.import_module("generator.search.index"), "index_texts",
                        spying(tokenize_module.index_texts))
    monkeypatch.setattr(importlib.import_module("generator.search.segment"), "term_counts",
                        spying(tokenize_module.term_counts))
    return seen


def _stored(index_dir):
    with open_searcher(index_dir) as searcher:
        return {d.fields["doc_id"]: d.fields for d in stored_docs(searcher)}


def test_first_build_adds_everything_and_second_changes_nothing(tmp_path):
    records = small_corpus(30)
    first = build_index(records, tmp_path)
    assert (first.added, first.updated, first.deleted, first.rebuilt) == (30, 0, 0, True)
    again = build_index(records, tmp_path)
    assert (again.added, again.updated, again.deleted, again.unchanged, again.rebuilt) == (0, 0, 0, 30, False)


def test_one_changed_record_is_the_only_one_reindexed(tmp_path, counting_tokenizer):
    records = small_corpus(30)
    build_index(records, tmp_path)
    before = _stored(tmp_path)
    changed = dataclasses.replace(records[4], body=records[4].body + "新增整改要求，限期三十日。",
                                  content_hash="f" * 64)
    counting_tokenizer.clear()
    stats = build_index(records[:4] + [changed] + records[5:], tmp_path)
    assert (stats.added, stats.updated, stats.deleted, stats.unchanged) == (0, 1, 0, 29)
    # Only the changed document's searchable fields went through the analyzer.
    assert sorted(counting_tokenizer) == sorted([changed.title, changed.body, changed.association_name])
    after = _stored(tmp_path)
    assert {k: v for k, v in after.items() if k != changed.doc_id} == \
           {k: v for k, v in before.items() if k != changed.doc_id}
    assert after[changed.doc_id]["fingerprint"] != before[changed.doc_id]["fingerprint"]
    assert [h.doc_id for h in search(tmp_path, "限期三十日")] == [changed.doc_id]


def test_removed_and_added_records(tmp_path):
    records = small_corpus(30)
    build_index(records, tmp_path)
    extra = dataclasses.replace(records[0], doc_id="new/sanction/1", url="/new/1/")
    stats = build_index(records[2:] + [extra], tmp_path)
    assert (stats.added, stats.updated, stats.deleted, stats.unchanged) == (1, 0, 2, 28)
    assert set(_stored(tmp_path)) == {r.doc_id for r in records[2:]} | {"new/sanction/1"}


def test_metadata_change_without_source_change_is_reindexed(tmp_path):
    # An association renamed in its profile: the document's own source hash is the same.
    records = small_corpus(10)
    build_index(records, tmp_path)
    renamed = dataclasses.replace(records[3], association_name="新名称协会")
    stats = build_index(records[:3] + [renamed] + records[4:], tmp_path)
    assert stats.updated == 1


def test_incremental_history_does_not_change_the_export(tmp_path):
    """Whoosh counts deleted documents in idf until merged; the export must depend on the
    records only, not on the sequence of builds that produced the index."""
    records = small_corpus(40)
    edited = [dataclasses.replace(r, body=r.body + "补充说明。") if i % 7 == 0 else r
              for i, r in enumerate(records)]
    build_index(records, tmp_path / "a")
    build_index([dataclasses.replace(r, doc_id=r.doc_id + "-x") for r in records[:5]] + records,
                tmp_path / "a")
    build_index(edited, tmp_path / "a")
    build_index(edited, tmp_path / "b")
    assert export_static(tmp_path / "a") == export_static(tmp_path / "b")


def test_index_from_another_tokenizer_version_is_rebuilt(tmp_path):
    records = small_corpus(5)
    build_index(records, tmp_path)
    meta = tmp_path / "gongshi-search.json"
    meta.write_text(meta.read_text().replace("gongshi-bigram-2", "old"))
    stats = build_index(records, tmp_path)
    assert stats.rebuilt and stats.added == 5


def test_duplicate_doc_ids_are_refused(tmp_path):
    record = small_corpus(1)[0]
    with pytest.raises(ValueError, match="duplicate"):
        build_index([record, record], tmp_path)


def test_search_without_an_index_says_so(tmp_path):
    with pytest.raises(FileNotFoundError):
        search(tmp_path / "missing", "章程")


def _whoosh_scores(searcher, term):
    """Whoosh's own BM25F scorer (StableBM25F through searcher.postings), summed per field."""
    from generator.search.index import TEXT_FIELDS, quantize
    sums = {}
    for field in TEXT_FIELDS:
        if (field, term) not in searcher.reader():
            continue
        matcher = searcher.postings(field, term)
        while matcher.is_active():
            sums[matcher.id()] = sums.get(matcher.id(), 0.0) + matcher.score()
            matcher.next()
    return {docnum: quantize(score) for docnum, score in sums.items()}


def test_exported_scores_are_whooshs_bm25f_after_incremental_builds(tmp_path):
    from generator.search.index import all_terms, term_scores
    records = small_corpus(40)
    build_index(records[:25], tmp_path)
    build_index(records, tmp_path)  # two segments: postings come through a MultiMatcher
    changed = dataclasses.replace(records[3], title=records[3].title + "（更正）", content_hash="e" * 64)
    for step in (records, records[:3] + [changed] + records[4:]):  # then merged by optimize
        build_index(step, tmp_path)
        with open_searcher(tmp_path) as searcher:
            terms = all_terms(searcher)
            assert len(terms) > 100
            mismatched = [t for t in terms if term_scores(searcher, t) != _whoosh_scores(searcher, t)]
        assert mismatched == []


def test_an_updated_index_exports_what_a_fresh_one_does(tmp_path):
    records = small_corpus(30)
    build_index(records, tmp_path / "a")
    changed = dataclasses.replace(records[2], body="本会决定对该会员予以警告处分。", content_hash="d" * 64)
    build_index(records[:2] + [changed] + records[3:], tmp_path / "a")  # an update: no longer fresh
    build_index(records[:2] + [changed] + records[3:], tmp_path / "b")
    assert export_static(tmp_path / "a") == export_static(tmp_path / "b")
