"""The index as small static files for search.js (served under /search/).

Layout (all JSON, UTF-8, sorted keys, no timestamps: same index → same bytes):

- ``manifest.json`` (not fingerprinted; fetched first): format and tokenizer versions,
  doc count, shard count, the file names below, and the facet dictionaries.
- ``s-<shard hex>-<hash>.json``: {term: postings} for the terms whose FNV-1a 32-bit hash
  (of the UTF-8 bytes) modulo the shard count is that shard. ``null`` in the manifest
  for a shard without terms.
- ``f-<hash>.json``: per-document facet codes, one run-length-encoded column per facet.
- ``m-<block hex>-<hash>.json``: result metadata, BLOCK_SIZE documents per file:
  [doc_id, url, title, kind_label, association_name, date, snippet].

Documents are numbered 0..n-1 in doc_id order, which also groups them by association and
kind, so a page of results tends to share blocks.

Numbers inside postings and facet columns are base-32 varints written with 64 URL-safe
characters (no JSON escaping): a digit in ALPHABET[0:32] ends a number, ALPHABET[32:64]
means "more digits follow"; least significant digit first.
postings = per document: doc gap (number − previous − 1), score, count of head positions,
then the head positions (the first as is, each next one as gap − 1).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from .index import open_searcher, all_terms, stored_docs, term_scores
from .query import head_positions
from .records import MEASURE_LABELS
from .tokenize import TOKENIZER_VERSION

FORMAT_VERSION = 1
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
BLOCK_SIZE = 16
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


def _encode_postings(entries: list[tuple[int, int, list[int]]]) -> str:
    """entries: (doc number, score, head positions), sorted by doc number."""
    numbers: list[int] = []
    previous = -1
    for number, score, positions in entries:
        numbers += [number - previous - 1, score, len(positions)]
        last = -1
        for p in positions:  # ascending; gap − 1 ≥ 0 because positions are distinct
            numbers.append(p - last - 1)
            last = p
        previous = number
    return encode_varints(numbers)


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


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _named(prefix: str, data: bytes) -> str:
    return f"{prefix}-{hashlib.sha256(data).hexdigest()[:10]}.json"


def shard_count_for(total_bytes: int) -> int:
    count = 1
    while count * TARGET_SHARD_BYTES < total_bytes:
        count *= 2
    return count


def export_static(index_dir: Path) -> dict[str, bytes]:
    """Relative path under /search/ → bytes. Writes nothing: the pipeline's writer does."""
    with open_searcher(index_dir) as searcher:
        docs = stored_docs(searcher)
        number_of = {doc.docnum: doc.number for doc in docs}
        heads = [head_positions(d.fields["title"], d.fields["snippet"]) for d in docs]
        postings: dict[str, str] = {}
        for term in all_terms(searcher):
            scores = term_scores(searcher, term)
            entries = sorted((number_of[docnum], score, heads[number_of[docnum]].get(term, []))
                             for docnum, score in scores.items())
            postings[term] = _encode_postings(entries)

    files: dict[str, bytes] = {}

    # Term shards.
    total = sum(len(t.encode("utf-8")) + len(p) + 6 for t, p in postings.items())
    shard_count = shard_count_for(total)
    shards: list[dict[str, str]] = [{} for _ in range(shard_count)]
    for term, encoded in postings.items():
        shards[fnv1a32(term) & (shard_count - 1)][term] = encoded
    shard_names: list[str | None] = []
    for i, shard in enumerate(shards):
        if not shard:
            shard_names.append(None)
            continue
        data = _dumps(shard)
        name = _named(f"s-{i:x}", data)
        files[name] = data
        shard_names.append(name)

    # Facet dictionaries (code = index in the sorted list) and columns.
    names: dict[str, dict[str, str]] = {facet: {} for facet in FACETS}
    for doc in docs:
        f = doc.fields
        names["association"].setdefault(f["association"], f["association_name"])
        names["kind"].setdefault(f["kind"], f["kind_label"])
        names["year"].setdefault(f["year"], f["year"])
        if f.get("measure"):
            names["measure"].setdefault(f["measure"], MEASURE_LABELS.get(f["measure"], f["measure"]))
    ordered = {facet: sorted(values.items(), key=lambda kv: (facet == "year" and int(kv[0]), kv[0]))
               for facet, values in names.items()}
    code = {facet: {value: i for i, (value, _) in enumerate(items)}
            for facet, items in ordered.items()}
    columns = {facet: _rle([code[facet].get(d.fields.get(facet) or "", -1) for d in docs])
               for facet in FACETS}
    facets_data = _dumps(columns)
    facets_name = _named("f", facets_data)
    files[facets_name] = facets_data

    # Result metadata blocks.
    block_names: list[str] = []
    for start in range(0, len(docs), BLOCK_SIZE):
        rows = [[f["doc_id"], f["url"], f["title"], f["kind_label"], f["association_name"],
                 f["date"], f["snippet"]]
                for f in (d.fields for d in docs[start:start + BLOCK_SIZE])]
        data = _dumps(rows)
        name = _named(f"m-{start // BLOCK_SIZE:x}", data)
        files[name] = data
        block_names.append(name)

    manifest = {
        "format": FORMAT_VERSION,
        "tokenizer": TOKENIZER_VERSION,
        "hash": "fnv1a32",
        "docs": len(docs),
        "shard_count": shard_count,
        "shards": shard_names,
        "block_size": BLOCK_SIZE,
        "blocks": block_names,
        "facets_file": facets_name,
        "facets": {facet: [list(item) if facet != "year" else int(item[0])
                           for item in items]
                   for facet, items in ordered.items()},
    }
    files["manifest.json"] = _dumps(manifest) + b"\n"
    return files
