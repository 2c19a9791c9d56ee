"""The index as small static files for search.js (served under /search/).

Layout (all JSON, UTF-8, sorted keys, no timestamps: same index → same bytes):

- ``manifest.json`` (not fingerprinted; fetched first): format and tokenizer versions,
  doc count, shard count, block size and count, the generation hashes that name the
  files below and the facet file's name: only what every query needs (a few hundred
  bytes), since it is part of every cold query.
- ``s-<generation>-<shard hex>.json``: {term: postings} for the terms whose FNV-1a 32-bit
  hash (of the UTF-8 bytes) modulo the shard count is that shard.
- ``m-<generation>-<block hex>.json``: result metadata, ``block_size`` documents per file:
  [doc_id, url, title, kind_label, association_name, date, snippet]. The block size adapts
  so a block is about TARGET_BLOCK_BYTES: results are usually scattered over the site,
  one block per result, so small blocks are what keeps a result page light.
- ``f-<hash>.json``: the facets, fetched only when a reader opens the filters or the URL
  carries one: ``names`` (per facet, the values in code order: [code, label] pairs, years
  as numbers) and ``columns`` (per facet, every document's code, encoded as below).

Shards and blocks are each named by one content hash of the whole set (the generation)
rather than one hash per file, so the manifest stays small however many files there are
(a list of 2,500 block hashes alone was 32 KB at 10,000 documents). For shards this costs
nothing: idf and average lengths move with any change, so nearly every shard changes on
every content change anyway. For blocks it means a browser re-fetches unchanged blocks
after a content update; a deploy that dedupes by content digest (Netlify's does) need
not upload them again.

Documents are numbered 0..n-1 in doc_id order, which also groups them by association and
kind, so a page of results tends to share blocks.

Numbers inside postings and facet columns are base-32 varints written with 64 URL-safe
characters (no JSON escaping): a digit in ALPHABET[0:32] ends a number, ALPHABET[32:64]
means "more digits follow"; least significant digit first.
postings = per document: doc gap (number − previous − 1), score, count of head positions,
then the head positions (the first as is, each next one as gap − 1).
A facet column is whichever is shorter of
- ``r`` + varints: run-length pairs (code + 1, run length), code −1 meaning "none";
- ``p`` + one ALPHABET digit w + (code + 1) of each document in w bits, packed least
  significant first into 6-bit ALPHABET digits (a year column has few runs but needs
  only 3 bits a document).
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .. import collector
from .forked import Worker, parallel
from .index import (TEXT_FIELDS, Snapshot, all_terms, build_index,
                    open_searcher, snapshot_postings, snapshot_stats, stored_docs, term_postings)
from .records import IndexStats, SearchRecord
from .query import head_positions
from .tokenize import TOKENIZER_VERSION

FORMAT_VERSION = 2  # 2: facet names moved from the manifest to the facet file; packed columns
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
# About one row of a typical disclosure (title, URL, snippet: ~0.7 KB): at 10,000 documents
# a 4 KB block cost ~28 KB of a ten-result page, as results rarely share a block.
TARGET_BLOCK_BYTES = 1024
MAX_BLOCK_SIZE = 64
# Aim for shards of about this many bytes on average: small enough that a query of a
# few words stays in the tens of kilobytes, large enough not to make thousands of files.
TARGET_SHARD_BYTES = 3 * 1024
FACETS = ("association", "kind", "year", "measure")


def fnv1a32(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def encode_varints(numbers: Iterable[int]) -> str:
    out: list[str] = []
    for n in numbers:
        if n < 0:
            raise ValueError(f"varint must be non-negative: {n}")
        while n >= 32:
            out.append(ALPHABET[32 + (n & 31)])
            n >>= 5
        out.append(ALPHABET[n])
    return "".join(out)


# Every number below 2**15 as its varint: encoding a posting list is then one table
# lookup per number (at 10,000 documents the scores, gaps and positions are all below).
_VARINT = [encode_varints([n]) for n in range(1 << 15)]
_VARINT_0 = [v + ALPHABET[0] for v in _VARINT]  # a score followed by "no head positions"


def _encode_postings(numbers: list[int], scores: list[int],
                     heads: dict[int, list[int]] | None) -> str:
    """Postings of one term, doc numbers ascending: per document its gap, score, count of
    head positions, then the head positions (the first as is, each next one as gap − 1;
    positions are distinct and ascending, so gap − 1 ≥ 0). ``heads``: doc number → the
    term's head positions in that document, for the documents that have any."""
    gaps = [n - p - 1 for p, n in zip([-1, *numbers], numbers)]
    try:
        table, table_0 = _VARINT, _VARINT_0
        parts = [table[g] + table_0[s] for g, s in zip(gaps, scores)]
        if heads:
            size = len(numbers)
            for number, positions in heads.items():
                i = bisect_left(numbers, number)
                if i < size and numbers[i] == number:
                    if len(positions) == 1:  # the usual case: one position, as is
                        parts[i] = table[gaps[i]] + table[scores[i]] + table[1] + table[positions[0]]
                    else:
                        parts[i] = (table[gaps[i]] + table[scores[i]] + table[len(positions)] +
                                    "".join([table[p - q - 1] for q, p in zip([-1, *positions], positions)]))
        return "".join(parts)
    except IndexError:  # a number past the table: the plain loop
        flat: list[int] = []
        for gap, number, score in zip(gaps, numbers, scores):
            positions = (heads or {}).get(number, [])
            flat += [gap, score, len(positions)]
            flat += [p - q - 1 for q, p in zip([-1, *positions], positions)]
        return encode_varints(flat)


def _rle(column: list[int]) -> str:
    """Run-length encoding: (value + 1, run length) pairs; value −1 means "none"."""
    numbers: list[int] = []
    i = 0
    while i < len(column):
        j = i
        while j < len(column) and column[j] == column[i]:
            j += 1
        numbers += [column[i] + 1, j - i]
        i = j
    return encode_varints(numbers)


def _packed(column: list[int]) -> str:
    """Every value + 1 in the fewest bits that hold the largest, 6 bits per character."""
    width = max(1, max(column, default=0) + 1).bit_length()
    out: list[str] = []
    acc = bits = 0
    for value in column:
        acc |= (value + 1) << bits
        bits += width
        while bits >= 6:
            out.append(ALPHABET[acc & 63])
            acc >>= 6
            bits -= 6
    if bits:
        out.append(ALPHABET[acc & 63])
    return ALPHABET[width] + "".join(out)


def encode_column(column: list[int]) -> str:
    rle, packed = "r" + _rle(column), "p" + _packed(column)
    return rle if len(rle) <= len(packed) else packed


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def shard_count_for(total_bytes: int) -> int:
    count = 1
    while count * TARGET_SHARD_BYTES < total_bytes:
        count *= 2
    return count


def block_size_for(average_row_bytes: float) -> int:
    size = 1
    while size < MAX_BLOCK_SIZE and (size * 2) * average_row_bytes <= TARGET_BLOCK_BYTES:
        size *= 2
    return size


@collector.paused()
def export_static(index_dir: Path) -> dict[str, bytes]:
    """Relative path under /search/ → bytes. Writes nothing: the pipeline's writer does."""
    with open_searcher(index_dir) as searcher:
        docs = stored_docs(searcher)
        number_of = [-1] * searcher.reader().doc_count_all()
        for doc in docs:
            number_of[doc.docnum] = doc.number
        in_order = all(doc.docnum == doc.number for doc in docs)
        shards = _shard_files(_heads(d.fields for d in docs), all_terms(searcher),
                              lambda term: term_postings(searcher, term),
                              None if in_order else number_of)
    return _static_files([d.fields for d in docs], shards)


@collector.paused()
def index_and_export(records: Sequence[SearchRecord], index_dir: Path
                     ) -> tuple[IndexStats, dict[str, bytes]]:
    """build_index, then export_static: the same index and the same files. A build from
    empty exports from the documents as counted (index.Snapshot) instead of reading the
    segment back, and with two workers a forked worker writes the term shards (most of
    the export) while this process writes the segment; a worker that fails raises."""
    fresh = _FreshExport()
    try:
        stats = build_index(records, index_dir, on_fresh=fresh)
        shards = fresh.shards()
    finally:
        fresh.cancel()
    if shards is None:  # not a build from empty: read the index
        return stats, export_static(index_dir)
    assert fresh.snapshot is not None
    return stats, _static_files(fresh.snapshot.stored, shards)


class _FreshExport:
    """index.FreshBuild for index_and_export: head positions while the documents are
    counted, then the term shards from the counts (in a worker with two cores)."""

    def __init__(self) -> None:
        self.heads: dict[str, dict[int, list[int]]] | None = None
        self.snapshot: Snapshot | None = None
        self.worker: Worker | None = None

    def counting(self, documents: list[dict[str, str]]) -> None:
        self.heads = _heads(documents)

    def counted(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        if parallel(len(snapshot.stored)):
            self.worker = Worker(self._shards)

    def shards(self) -> tuple[dict[str, bytes], int, str] | None:
        if self.worker is not None:
            return self.worker.result()  # type: ignore[return-value]
        return self._shards() if self.snapshot is not None else None

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _shards(self) -> tuple[dict[str, bytes], int, str]:
        snapshot = self.snapshot
        assert snapshot is not None and self.heads is not None
        stats = snapshot_stats(snapshot)
        terms = sorted({term for field in TEXT_FIELDS for term in snapshot.counted[field]})
        return _shard_files(self.heads, terms,
                            lambda term: snapshot_postings(snapshot, stats, term), None)


def _heads(docs: Iterable[dict[str, str]]) -> dict[str, dict[int, list[int]]]:
    """term → doc number → head positions (title + snippet), for the documents that have
    the term there: a small part of all postings. ``docs`` in doc number order."""
    heads: dict[str, dict[int, list[int]]] = {}
    for number, fields in enumerate(docs):
        for term, positions in head_positions(fields["title"], fields["snippet"]).items():
            held = heads.get(term)
            if held is None:
                heads[term] = {number: positions}
            else:
                held[number] = positions
    return heads


def _shard_files(heads: dict[str, dict[int, list[int]]], terms: list[str],
                 postings_of: Callable[[str], tuple[list[int], list[int]]],
                 number_of: list[int] | None) -> tuple[dict[str, bytes], int, str]:
    """The term shards: (name → bytes, shard count, generation). ``heads``: see _heads;
    ``postings_of``: term → (docnums, integer scores); ``number_of``: docnum → doc
    number, None where they are equal."""
    postings: dict[str, str] = {}
    for term in terms:
        docnums, scores = postings_of(term)
        if number_of is None:  # docnum == doc number: postings already in doc number order
            numbers = docnums
        else:
            pairs = sorted(zip([number_of[d] for d in docnums], scores))
            numbers, scores = [n for n, _ in pairs], [s for _, s in pairs]
        postings[term] = _encode_postings(numbers, scores, heads.get(term))

    files: dict[str, bytes] = {}
    total = sum(len(t.encode("utf-8")) + len(p) + 6 for t, p in postings.items())
    shard_count = shard_count_for(total)
    shards: list[dict[str, str]] = [{} for _ in range(shard_count)]
    for term, encoded in postings.items():
        shards[fnv1a32(term) & (shard_count - 1)][term] = encoded
    shard_data = [_dumps(shard) for shard in shards]
    shard_generation = _digest(b"\n".join(shard_data))
    for i, data in enumerate(shard_data):
        files[f"s-{shard_generation}-{i:x}.json"] = data
    return files, shard_count, shard_generation


def _static_files(docs: list[dict[str, str]], shards: tuple[dict[str, bytes], int, str]
                  ) -> dict[str, bytes]:
    """Every file: the term shards, then the facets, result blocks and the manifest."""
    shard_files, shard_count, shard_generation = shards
    files = dict(shard_files)

    # Facet dictionaries (code = index in the sorted list) and columns.
    names: dict[str, dict[str, str]] = {facet: {} for facet in FACETS}
    for f in docs:
        names["association"].setdefault(f["association"], f["association_name"])
        names["kind"].setdefault(f["kind"], f["kind_label"])
        names["year"].setdefault(f["year"], f["year"])
        if f.get("measure"):
            names["measure"].setdefault(f["measure"], f.get("measure_label") or f["measure"])
    # Years sort as numbers, everything else by its code.
    ordered = {facet: sorted(values.items(), key=lambda kv, numeric=facet == "year":
                             (int(kv[0]) if numeric else 0, kv[0]))
               for facet, values in names.items()}
    code = {facet: {value: i for i, (value, _) in enumerate(items)}
            for facet, items in ordered.items()}
    columns = {facet: encode_column([code[facet].get(f.get(facet) or "", -1) for f in docs])
               for facet in FACETS}
    facets_data = _dumps({
        "columns": columns,
        "names": {facet: [list(item) if facet != "year" else int(item[0]) for item in items]
                  for facet, items in ordered.items()},
    })
    facets_name = f"f-{_digest(facets_data)}.json"
    files[facets_name] = facets_data

    # Result metadata blocks.
    rows = [_dumps([f["doc_id"], f["url"], f["title"], f["kind_label"],
                    f["association_name"], f["date"], f["snippet"]])
            for f in docs]
    block_size = block_size_for(sum(map(len, rows)) / max(1, len(rows)))
    blocks = [b"[" + b",".join(rows[start:start + block_size]) + b"]"
              for start in range(0, len(rows), block_size)]
    block_generation = _digest(b"\n".join(blocks))
    for i, data in enumerate(blocks):
        files[f"m-{block_generation}-{i:x}.json"] = data

    manifest = {
        "format": FORMAT_VERSION,
        "tokenizer": TOKENIZER_VERSION,
        "hash": "fnv1a32",
        "docs": len(docs),
        "shard_count": shard_count,
        "shard_generation": shard_generation,
        "block_size": block_size,
        "block_count": len(blocks),
        "block_generation": block_generation,
        "facets_file": facets_name,
    }
    files["manifest.json"] = _dumps(manifest) + b"\n"
    return files
