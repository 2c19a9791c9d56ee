"""The Whoosh index in the build cache: schema, incremental (re)indexing, and the scoring
numbers that export.py writes and query.py ranks with (one function, so they agree)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Protocol
from math import log
from weakref import WeakKeyDictionary
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher

from .. import collector
from .forked import parallel
from .segment import Writer, _as_float32, stored_values
from .records import IndexStats, SearchRecord, make_snippet, record_fingerprint
from .tokenize import TOKENIZER_VERSION, BigramTokenizer, index_texts


# Bump when the schema below changes: an index written with another version is rebuilt.
SCHEMA_VERSION = 3  # 2: association_name searchable, measure_label stored; 3: BigramText
TITLE_BOOST = 3.0
# The fields a query's words are looked up in; their BM25F scores add up per term.
# The association's name is one of them, so a search for 深圳市珠宝首饰行业协会 (or 珠宝首饰)
# finds that association's documents even where their text never names it.
TEXT_FIELDS = ("title", "body", "association_name")
# The side file recording which versions built the index (Whoosh has no place for it).
_META_FILE = "gongshi-search.json"


class BigramText(TEXT):
    """Whoosh's TEXT with the analyzer's hot path inlined (this class is pickled into the
    index schema: keep its import path stable).

    TEXT.index() asks the analyzer for one Token object per token and counts them in
    Python; here the token texts come as a list from tokenize.index_texts and are counted
    in C, and the postings are exactly those of Frequency.word_values: (term, frequency,
    frequency × field boost, packed frequency), in first-occurrence order."""

    def index(self, value: str, **kwargs: object) -> Iterator[tuple[bytes, int, float, bytes]]:
        fb = self.format.field_boost
        for text, freq in Counter(index_texts(value)).items():
            yield text.encode("utf-8"), freq, float(freq) * fb, pack_uint(freq)

    # segment.Writer counts fields that say so in bulk, with the same postings as above.
    counts = True


def _schema() -> Schema:
    analyzer = BigramTokenizer()
    TEXT = BigramText  # noqa: N806 - the fields below read as Whoosh's own
    return Schema(
        doc_id=ID(stored=True, unique=True),
        fingerprint=ID(stored=True),
        # phrase=False: no positions in the index. Contiguity is checked on title and
        # snippet only, the same text the browser has.
        title=TEXT(analyzer=analyzer, stored=True, phrase=False, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=analyzer, phrase=False),
        association_name=TEXT(analyzer=analyzer, stored=True, phrase=False),
        association=ID(stored=True),
        kind=ID(stored=True),
        year=ID(stored=True),
        measure=ID(stored=True),
        language=ID(stored=True),
        url=STORED(),
        kind_label=STORED(),
        measure_label=STORED(),
        date=STORED(),
        snippet=STORED(),
    )


def _meta() -> dict[str, object]:
    return {"schema": SCHEMA_VERSION, "tokenizer": TOKENIZER_VERSION}


def _open_or_create(index_dir: Path) -> tuple[whoosh_index.Index, bool]:
    """The index in index_dir, recreated empty when missing, unreadable or built by
    another schema/tokenizer version (its terms would not match today's queries)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    meta_path = index_dir / _META_FILE
    try:
        if json.loads(meta_path.read_text("utf-8")) == _meta():
            return whoosh_index.open_dir(str(index_dir)), False
    except (OSError, ValueError, whoosh_index.IndexError, AttributeError, ImportError):
        pass  # fall through to a rebuild: a cache may always be thrown away
    ix = whoosh_index.create_in(str(index_dir), _schema())
    meta_path.write_text(json.dumps(_meta(), sort_keys=True) + "\n", "utf-8")
    return ix, True


def _fields(record: SearchRecord, fingerprint: str) -> dict[str, str]:
    fields = {
        "doc_id": record.doc_id,
        "fingerprint": fingerprint,
        "title": record.title,
        "body": record.body,
        "association": record.association,
        "kind": record.kind,
        "year": str(record.year),
        "language": record.language,
        "url": record.url,
        "association_name": record.association_name,
        "kind_label": record.kind_label,
        "date": record.date,
        "snippet": make_snippet(record.body),
    }
    if record.measure:
        fields["measure"] = record.measure
        fields["measure_label"] = record.measure_label or record.measure
    return fields


@dataclass(frozen=True)
class Snapshot:
    """A build from empty as it was counted, before its segment is written: what the
    export needs (export.export_snapshot) without reading the segment back. Documents are
    numbered in doc_id order, so a Whoosh docnum is also the browser's doc number."""
    stored: list[dict[str, str]]                # docnum → stored fields, as Whoosh keeps them
    lengths: dict[str, list[int]]               # text field → docnum → token count
    counted: dict[str, dict[str, list[int]]]    # text field → term → [docnum, freq, ...]
    boosts: dict[str, float]                    # text field → field boost


class FreshBuild(Protocol):
    """What a caller of build_index does alongside a build from empty (export.py)."""

    def counting(self, documents: list[dict[str, str]]) -> None:
        """Runs while a worker counts the documents (their fields, in docnum order)."""

    def counted(self, snapshot: Snapshot) -> None:
        """Runs once they are counted, before the segment is written."""


# Indexing allocates millions of small acyclic lists and strings (postings): collections
# triggered by them would walk every live object, the build's site included (20-25 % of
# the index's time at 10k).
@collector.paused()
def build_index(records: Sequence[SearchRecord], index_dir: Path,
                on_fresh: FreshBuild | None = None) -> IndexStats:
    """Bring the index in index_dir in line with records, touching only what changed.

    A build from empty counts its documents on every core (forked workers,
    forked.parallel). With ``on_fresh``, it hands the counted Snapshot to on_fresh before
    writing the segment, so the caller can export while the segment is written
    (export.index_and_export)."""
    by_id: dict[str, SearchRecord] = {}
    for record in records:
        if record.doc_id in by_id:
            raise ValueError(f"duplicate search doc_id: {record.doc_id!r}")
        by_id[record.doc_id] = record
    wanted = {doc_id: record_fingerprint(r) for doc_id, r in by_id.items()}

    ix, rebuilt = _open_or_create(Path(index_dir))
    with ix.searcher() as searcher:
        held = {f["doc_id"]: f["fingerprint"] for f in searcher.all_stored_fields()}

    added = sorted(set(wanted) - set(held))
    deleted = sorted(set(held) - set(wanted))
    updated = sorted(d for d in set(wanted) & set(held) if wanted[d] != held[d])
    stats = IndexStats(added=len(added), updated=len(updated), deleted=len(deleted),
                       unchanged=len(wanted) - len(added) - len(updated), rebuilt=rebuilt)
    if not (added or deleted or updated):
        return stats

    fresh = not held
    writer = Writer(ix)
    try:
        for doc_id in deleted:
            writer.delete_by_term("doc_id", doc_id)
        for doc_id in updated:
            writer.update_document(**_fields(by_id[doc_id], wanted[doc_id]))
        if fresh:
            documents = [_fields(by_id[doc_id], wanted[doc_id]) for doc_id in added]
            writer.add_documents(documents, 2 if parallel(len(documents)) else 1,
                                 None if on_fresh is None else lambda: on_fresh.counting(documents))
            if on_fresh is not None:
                on_fresh.counted(_snapshot(writer, documents))
        else:
            for doc_id in added:
                writer.add_document(**_fields(by_id[doc_id], wanted[doc_id]))
    except BaseException:
        writer.cancel()
        raise
    # Whoosh's idf and average field lengths count deleted documents until their segment
    # is merged away, so scores (and the exported files) would depend on the history of
    # builds. Optimising after a deletion makes them depend on the records alone.
    writer.commit(optimize=bool(deleted or updated))
    return stats


def _snapshot(writer: Writer, documents: list[dict[str, str]]) -> Snapshot:
    schema = writer.schema
    stored_names = writer.stored_names()
    return Snapshot(
        stored=[stored_values(d, stored_names) for d in documents],
        lengths=writer.lengths,
        counted={field: writer.pool.counted.get(field, {}) for field in TEXT_FIELDS},
        boosts={field: schema[field].format.field_boost for field in TEXT_FIELDS})


_B, _K1 = BM25F().B, BM25F().K1


class StableBM25F(BM25F):
    """Whoosh's BM25F, with the average field length taken from the live documents.

    Whoosh keeps a running total of field lengths per segment; when segments merge it
    rebuilds the total from the byte-quantised per-document lengths, so after an
    incremental update the average (and every score) drifts from a fresh build of the
    same records. Averaging the per-document lengths Whoosh stores (quantised the same
    way whatever the history) gives one answer for the same records.
    """

    def __init__(self) -> None:
        super().__init__()
        self._avgfl: dict[str, float] = {}

    def _average(self, searcher: Searcher, fieldname: str) -> float:
        if fieldname not in self._avgfl:
            reader = searcher.reader()
            # A document with no token in the field has no stored length: Whoosh's reader
            # answers None for it (it adds nothing to Whoosh's own field total either).
            total = sum(reader.doc_field_length(docnum, fieldname, 0) or 0
                        for docnum in reader.all_doc_ids())
            self._avgfl[fieldname] = total / max(1, reader.doc_count()) or 1
        return self._avgfl[fieldname]

    def scorer(self, searcher: Searcher, fieldname: str, text: str, qf: int = 1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            scorer.avgfl = self._average(searcher.get_parent(), fieldname)
        return scorer


@contextmanager
def open_searcher(index_dir: Path) -> Iterator[Searcher]:
    if not (Path(index_dir) / _META_FILE).is_file():
        raise FileNotFoundError(f"no search index in {index_dir}: build the site first")
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher(weighting=StableBM25F()) as searcher:
        yield searcher


@dataclass(frozen=True)
class StoredDoc:
    number: int        # dense number in doc_id order: the browser's doc number
    docnum: int        # Whoosh's internal number
    fields: dict[str, str]


def stored_docs(searcher: Searcher) -> list[StoredDoc]:
    """Live documents in doc_id order (Python code point order), numbered from 0."""
    reader = searcher.reader()
    pairs = sorted(((f["doc_id"], docnum, f) for docnum, f in reader.iter_docs()))
    return [StoredDoc(n, docnum, fields) for n, (_, docnum, fields) in enumerate(pairs)]


def quantize(score: float) -> int:
    """The integer a posting carries: BM25F × 100, at least 1 so a match always counts."""
    return max(1, int(score * 100 + 0.5))


@dataclass(frozen=True)
class FieldStats:
    """What Whoosh's BM25F needs besides a posting's weight, read once per searcher: for
    each field and document, the length part of bm25()'s denominator,
    K1 × ((1 − B) + B × length / average length), with the byte-quantised length Whoosh
    scores with (default 1) and the average StableBM25F uses."""
    norms: dict[str, list[float]]   # field → Whoosh docnum → that denominator part
    doc_count: int                  # doc_count_all, as Whoosh's idf


# Per open searcher (weak keys: a closed searcher's numbers go with it).
_STATS: WeakKeyDictionary[Searcher, FieldStats] = WeakKeyDictionary()


def field_stats(searcher: Searcher) -> FieldStats:
    stats = _STATS.get(searcher)
    if stats is None:
        reader = searcher.reader()
        live = list(reader.all_doc_ids())
        length = reader.doc_field_length
        norms = {}
        for field in TEXT_FIELDS:
            # StableBM25F._average: the same sum in the same order.
            total = sum(length(docnum, field, 0) or 0 for docnum in live)
            avgfl = total / max(1, reader.doc_count()) or 1
            # Exactly the operations of whoosh.scoring.bm25, so the floats are identical.
            # (A document without a stored length has no posting in the field to score.)
            norms[field] = [_K1 * ((1 - _B) + _B * (length(docnum, field, 1) or 0) / avgfl)
                            for docnum in range(reader.doc_count_all())]
        stats = _STATS[searcher] = FieldStats(norms, reader.doc_count_all())
    return stats


def _postings(matcher: object) -> tuple[list[int], list[float]]:
    """Docnums (ascending) and weights of every posting. A segment's postings are read a
    block at a time (private attributes of Whoosh 2.7.4's W3LeafMatcher: pinned, dormant
    upstream); any other matcher goes posting by posting through the public interface."""
    ids: list[int] = []
    weights: list[float] = []
    if type(matcher) is W3LeafMatcher:
        m = matcher
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            ids += m._ids[m._i:]
            weights += m._weights[m._i:]
            m._next_block()
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def term_postings(searcher: Searcher, term: str) -> tuple[list[int], list[int]]:
    """The documents holding ``term`` (Whoosh docnums, ascending) and the integer score of
    the term in each (the BM25F scores of TEXT_FIELDS added up, the title's tf already
    ×TITLE_BOOST by Whoosh's field_boost). Export writes these and the CLI ranks with
    them, so both rank with identical numbers.

    The arithmetic is whoosh.scoring.bm25's, operation for operation (with StableBM25F's
    idf, B, K1 and average length, added per field in TEXT_FIELDS order: (title + body) +
    association name, where a missing field adds nothing), fed from the raw postings and a
    table read once per searcher: scoring through ``searcher.postings()`` looked every
    posting's length up through three layers of readers, most of the export's time.
    tests/search/test_index.py checks it against Whoosh's own scorer."""
    stats = field_stats(searcher)
    reader = searcher.reader()
    found: list[tuple[list[int], list[float] | list[int], int, str]] = []
    for field in TEXT_FIELDS:
        if (field, term) in reader:
            docnums, tfs = _postings(reader.postings(field, term))
            found.append((docnums, tfs, reader.doc_frequency(field, term), field))
    return score_postings(stats, found)


def snapshot_stats(snapshot: Snapshot) -> FieldStats:
    """field_stats of the index snapshot describes, from its token counts: Whoosh stores
    each length as a byte (length_to_byte) and scores with byte_to_length of it; a field
    without tokens stores no length (0 here, as field_stats reads it) and a field no
    document has tokens in has no length column at all (every length the default)."""
    docs = len(snapshot.stored)
    norms = {}
    for field in TEXT_FIELDS:
        counts = snapshot.lengths[field]
        if not any(counts):
            stored, avgfl = [1] * docs, 1
        else:
            stored = [byte_to_length(length_to_byte(n)) if n else 0 for n in counts]
            avgfl = sum(stored) / max(1, docs) or 1  # field_stats' sum, same order
        norms[field] = [_K1 * ((1 - _B) + _B * length / avgfl) for length in stored]
    return FieldStats(norms, docs)


def snapshot_postings(snapshot: Snapshot, stats: FieldStats, term: str
                      ) -> tuple[list[int], list[int]]:
    """term_postings over the index snapshot describes, from its counted postings (the
    weights a block stores: frequency × field boost, as float32)."""
    found: list[tuple[list[int], list[float] | list[int], int, str]] = []
    for field in TEXT_FIELDS:
        flat = snapshot.counted[field].get(term)
        if flat is not None:
            docnums, freqs = flat[0::2], flat[1::2]
            boost = snapshot.boosts[field]
            # An int frequency scores as its float does (Python converts it exactly).
            tfs = freqs if boost == 1.0 else _as_float32([f * boost for f in freqs])
            found.append((docnums, tfs, len(docnums), field))
    return score_postings(stats, found)


def score_postings(stats: FieldStats,
                   found: list[tuple[list[int], list[float] | list[int], int, str]]
                   ) -> tuple[list[int], list[int]]:
    """The scoring of term_postings: per field in TEXT_FIELDS order its (docnums,
    term frequencies, document frequency, field name)."""
    per_field: list[tuple[list[int], list[float]]] = []
    k1_plus_1 = _K1 + 1
    for docnums, tfs, df, field in found:
        norms = stats.norms[field]
        idf = log(stats.doc_count / (df + 1)) + 1
        if len(found) == 1:  # the score is this field's: quantize() in the same pass
            return docnums, [max(1, int(idf * ((tf * k1_plus_1) / (tf + norms[d])) * 100 + 0.5))
                             for d, tf in zip(docnums, tfs)]
        per_field.append((docnums, [idf * ((tf * k1_plus_1) / (tf + norms[d]))
                                    for d, tf in zip(docnums, tfs)]))
    if not per_field:
        return [], []
    docnums, totals = per_field[0]
    if len(per_field) > 1:
        sums = dict(zip(docnums, totals))
        get = sums.get
        for more_docnums, scores in per_field[1:]:
            for docnum, score in zip(more_docnums, scores):
                previous = get(docnum)
                # Float addition commutes, so previous + score is the same float as the
                # running sum Whoosh's order makes (only the grouping of three matters).
                sums[docnum] = score if previous is None else previous + score
        if len(sums) == len(docnums):  # no document joined the first list: still ascending
            totals = list(sums.values())
        else:
            docnums = sorted(sums)
            totals = [sums[d] for d in docnums]
    return docnums, [max(1, int(x * 100 + 0.5)) for x in totals]  # quantize()


def term_scores(searcher: Searcher, term: str) -> dict[int, int]:
    """Whoosh docnum → integer score of ``term`` in that document (see term_postings)."""
    return dict(zip(*term_postings(searcher, term)))


def all_terms(searcher: Searcher) -> list[str]:
    reader = searcher.reader()
    terms: set[str] = set()
    for field in TEXT_FIELDS:
        terms.update(reader.field_terms(field))
    return sorted(terms)
