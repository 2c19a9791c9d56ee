"""A Whoosh segment writer that groups postings per term as documents arrive.

Whoosh's SegmentWriter puts every posting (field, term, document, weight, value) into a
SortingPool: one tuple, a size estimate and two assertions per posting, runs pickled to
temporary files past 128 MB and merged back with heapq, then one Python call chain per
posting into the codec. At 10,000 documents (3.2 million postings) that was 25 s of a
cold build. Here the pool is a dict per field, term → flat [docnum, value, ...] list, a
document's text fields are counted once (tokenize.term_counts), and each term's list
goes to the codec a block (128 postings) at a time. A build from empty adds all its
documents at once (add_documents): a forked worker counts most of them, and pickles and
deflates their stored fields, while this process does the rest.

The segment written is Whoosh's own (same codec, same per-document writer, same block
and term-info bytes as add_posting would make; tests/search/test_segment.py compares a
segment from this writer with one from Whoosh's, posting by posting and term info by
term info), so Whoosh's reader, searcher and merges read it as any other. Documents
merged in from older segments (Whoosh's add_reader, on an incremental commit) come
through the generic ``add`` path and are interleaved by document number.

Private attributes of Whoosh 2.7.4's W3PostingsWriter and of its stored-fields column
writer are used here (the version is pinned and dormant upstream).
"""

from __future__ import annotations

import gc
import pickle
from array import array
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter

from whoosh.columns import CompressedBytesColumn, PickleColumn, VarBytesColumn
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from .forked import Worker
from .tokenize import term_counts

# The part of the documents a forked worker counts (add_documents): this process also
# writes every document's stored fields and runs the caller's ``meanwhile``.
WORKER_SHARE = 80

_PACKED = [pack_uint(n) for n in range(256)]  # Frequency's value for small counts


def _packed(freq: int) -> bytes:
    return _PACKED[freq] if freq < 256 else pack_uint(freq)


class TermPool:
    """Postings grouped per field and term; stands in for Whoosh's PostingPool.

    ``counted``: field → term text → [docnum, frequency, docnum, frequency, ...] from
    add_counts (the fast path: weight and value are derived from the frequency at flush).
    ``raw``: field → term bytes → [(docnum, weight, value), ...] from ``add``, Whoosh's
    one-posting interface (ID fields, documents merged from other segments)."""

    def __init__(self) -> None:
        self.counted: dict[str, dict[str, list[int]]] = {}
        self.raw: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = {}

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, vbytes = item
        terms = self.raw.setdefault(fieldname, {})
        postings = terms.get(btext)
        if postings is None:
            postings = terms[btext] = []
        postings.append((docnum, weight, vbytes or b""))

    def add_counts(self, fieldname: str, docnum: int, counts: Iterable[tuple[str, int]]) -> None:
        terms = self.counted.get(fieldname)
        if terms is None:
            terms = self.counted[fieldname] = {}
        get = terms.get
        for text, freq in counts:
            flat = get(text)
            if flat is None:
                terms[text] = [docnum, freq]
            else:
                flat.append(docnum)
                flat.append(freq)

    def fieldnames(self) -> list[str]:
        """Fields with at least one posting (Whoosh starts no field without one: an empty
        field would still get a number in the term file's field map)."""
        return sorted({name for name, terms in (*self.counted.items(), *self.raw.items()) if terms})

    def postings(self, fieldname: str, field_boost: float
                 ) -> list[tuple[bytes, list[int], list[float], list[bytes] | bytes]]:
        """(term bytes, docnums, weights, values) in term byte order, docnums ascending:
        the order Whoosh's pool sorts its postings into. Values of add_counts postings
        come joined, as one bytes object of 4-byte packed frequencies (what the block
        writer would join them into); a term merged from another segment keeps a list."""
        out: dict[bytes, tuple[list[int], list[float], list[bytes] | bytes]] = {}
        for text, flat in self.counted.get(fieldname, {}).items():
            freqs = flat[1::2]
            if field_boost == 1.0:
                weights = list(map(float, freqs))
            else:
                weights = [f * field_boost for f in freqs]
            if max(freqs) < 256:
                values: list[bytes] | bytes = b"".join(map(_PACKED.__getitem__, freqs))
            else:
                values = b"".join([_packed(f) for f in freqs])
            out[text.encode("utf-8")] = (flat[0::2], weights, values)
        for btext, items in self.raw.get(fieldname, {}).items():
            if btext in out:  # the same term from add_counts and a merged segment
                ids, weights, values = out[btext]
                if isinstance(values, bytes):
                    values = [values[i:i + 4] for i in range(0, len(values), 4)]
                items = items + list(zip(ids, weights, values))
            items = sorted(items, key=itemgetter(0))
            out[btext] = ([i[0] for i in items], [i[1] for i in items], [i[2] for i in items])
        return [(btext, *out[btext]) for btext in sorted(out)]

    def cleanup(self) -> None:
        self.counted.clear()
        self.raw.clear()



def count_documents(documents: Sequence[dict[str, object]], fields: list[str], first: int,
                    pack: Callable[[dict[str, object]], bytes | None] | None = None
                    ) -> tuple[dict[str, dict[str, list[int]]], dict[str, list[int]],
                               list[bytes | None] | None]:
    """The postings of documents (numbered from first) in fields, as TermPool.counted
    holds them (field → term → [docnum, frequency, ...], here as array("I"): a few
    machine words a posting instead of Python ints, handed between processes as bytes
    and freed at once), each document's token count per field (0 where it has no
    value) and, with ``pack`` (Writer.stored_packer), each document's stored fields as
    the segment stores them."""
    counted: dict[str, dict[str, list[int]]] = {}
    lengths: dict[str, list[int]] = {}
    for name in fields:
        terms: dict[str, list[int]] = {}
        get = terms.get
        field_lengths = lengths[name] = []
        add_length = field_lengths.append
        for docnum, document in enumerate(documents, first):
            value = document.get(name)
            if value is None:
                add_length(0)
                continue
            counts = term_counts(value)  # type: ignore[arg-type]
            add_length(sum(counts.values()))
            for text, freq in counts.items():
                flat = get(text)
                if flat is None:
                    terms[text] = array("I", (docnum, freq))
                else:
                    flat.append(docnum)
                    flat.append(freq)
        counted[name] = terms
    return counted, lengths, None if pack is None else [pack(d) for d in documents]


def _portable(result: tuple) -> tuple:
    """count_documents' result as marshal takes it: each array as its bytes."""
    counted, lengths, packed = result
    return ({name: {text: flat.tobytes() for text, flat in terms.items()}
             for name, terms in counted.items()}, lengths, packed)


def _unportable(result: tuple) -> tuple:
    counted, lengths, packed = result
    arrays = {}
    for name, terms in counted.items():
        field = arrays[name] = {}
        for text, data in terms.items():
            flat = field[text] = array("I")
            flat.frombytes(data)
    return arrays, lengths, packed


def join_counts(into: dict[str, list[int]], later: dict[str, list[int]]) -> None:
    """Append later's postings to into's, term by term (later's documents come after)."""
    get = into.get
    for text, flat in later.items():
        held = get(text)
        if held is None:
            into[text] = flat
        else:
            held += flat


def write_postings(postwriter: object, ids: list[int], weights: list[float],
                   values: list[bytes] | bytes, lengths: list[int | None] | None) -> None:
    """One term's postings into a started W3PostingsWriter term, block by block: the
    same block contents and statistics as add_posting() once per posting (a block is
    written when full, the last one is left for finish_postings to write as last).
    ``values`` as bytes: 4-byte values already joined (a fixed-size format joins them)."""
    pw = postwriter
    limit = pw._blocklimit
    n = len(ids)
    joined = isinstance(values, bytes)
    for start in range(0, n, limit):
        end = start + limit
        block_ids = ids[start:end]
        block_weights = weights[start:end]
        pw._ids = array("I", block_ids)
        pw._weights = array("f", block_weights)
        if joined:
            pw._values = [values[start * 4:end * 4]]
        else:
            pw._values = [v for v in values[start:end] if v]
        top = max(block_weights)
        pw._maxweight = top if top > 0 else 0
        if lengths is not None:
            present = list(map(lengths.__getitem__, block_ids))
            if not all(present):  # add_posting skips a length of 0 or None
                present = [length for length in present if length]
            pw._minlength = min(present) if present else None
            pw._maxlength = max(present) if present else 0
        if end < n:
            pw._write_block()


def _as_float32(weights: list[float]) -> list[float]:
    """The weights as a float32 array gives them back: integers below 2**24 unchanged."""
    try:
        if max(weights) < 2 ** 24 and all(map(float.is_integer, weights)):
            return weights
    except TypeError:  # an int weight: let the array convert it
        pass
    return array("f", weights).tolist()


def stored_values(fields: dict[str, object], stored_names: Sequence[str]) -> dict[str, object]:
    """A document's stored values as Whoosh keeps them: W3PerDocWriter.add_field's dict,
    in sorted field name order, without the fields that are None or absent. (The stored
    column packs it; the export's index.Snapshot reads it.)"""
    return {name: fields[name] for name in stored_names if fields.get(name) is not None}


class Writer(SegmentWriter):
    """SegmentWriter with a TermPool: add_document counts the analysed fields in one go
    (fields whose type has ``counts``, i.e. index.BigramText) and flushes term by term."""

    def __init__(self, ix: object, **kwargs: object) -> None:
        super().__init__(ix, **kwargs)
        # SegmentWriter's temp storage comes from FileStorage.create, which keeps the
        # "folder exists" error it ignores in a local: a reference cycle (exception →
        # traceback → frame) whose frames reach back to our callers. Every local of theirs
        # (the documents, the counted postings, the export's head positions) would stay
        # alive until a collection, and the collection when the collector resumes would walk
        # them all (0.3 s at 10,000 documents). The cycle is young: collecting the youngest
        # generation now breaks it for a few ms.
        gc.collect(0)
        self.pool = TermPool()
        self._id_postings: dict[tuple[str, object], list[tuple[bytes, int, float, bytes]]] = {}
        self.lengths: dict[str, list[int]] = {}

    def counted_fields(self) -> list[str]:
        """The fields add_document counts in bulk (their type says ``counts``)."""
        return sorted(name for name, field in self.schema.items()
                      if field.indexed and getattr(field, "counts", False))

    def add_documents(self, documents: Sequence[dict[str, object]], workers: int = 1,
                      meanwhile: Callable[[], None] | None = None) -> None:
        """add_document for each of documents, in order, with their text fields counted
        first: with two workers, a forked worker counts the later part while this process
        counts the earlier one, writes its stored fields and runs ``meanwhile`` (work of
        the caller's that needs no counts); a term's postings then join as earlier + later
        (document numbers ascend). The pool and the segment are add_document's."""
        self._check_state()
        first = self.docnum
        fields = self.counted_fields()
        pack = self.stored_packer()
        if workers < 2:
            counted, lengths, packed = count_documents(documents, fields, first, pack)
            self._add_counted(documents, lengths, packed)
            if meanwhile is not None:
                meanwhile()
        else:
            split = len(documents) * (100 - WORKER_SHARE) // 100
            worker = Worker(lambda: _portable(count_documents(documents[split:], fields,
                                                              first + split, pack)))
            try:
                counted, lengths, packed = count_documents(documents[:split], fields, first, pack)
                self._add_counted(documents[:split], lengths, packed)
                if meanwhile is not None:
                    meanwhile()
                later, later_lengths, later_packed = _unportable(worker.result())  # type: ignore[arg-type]
            finally:
                worker.cancel()
            self._add_counted(documents[split:], later_lengths, later_packed)
            for name in fields:
                join_counts(counted[name], later[name])
                lengths[name] += later_lengths[name]
        for name in fields:
            join_counts(self.pool.counted.setdefault(name, {}), counted[name])
        # field → token count per document, of these documents (index.Snapshot)
        self.lengths = lengths

    def stored_packer(self) -> Callable[[dict[str, object]], bytes | None] | None:
        """A document's fields → the bytes Whoosh 2.7.4's per-document writer stores for
        them (the stored values, pickled then deflated by its stored column), or None
        when it stores nothing; so a worker can do it ahead of _add. None when the
        stored column is not that one."""
        column = getattr(self.perdocwriter, "_colwriters", {}).get("_stored")
        inner = getattr(column, "_child", None)
        if type(column) is not PickleColumn.Writer or type(inner) is not CompressedBytesColumn.Writer:
            return None
        compress, level = inner._compress, inner._level
        stored_names = self.stored_names()

        def pack(fields: dict[str, object]) -> bytes | None:
            stored = stored_values(fields, stored_names)
            return compress(pickle.dumps(stored, 2), level) if stored else None
        return pack

    def stored_names(self) -> tuple[str, ...]:
        """The schema's stored fields, in sorted name order."""
        return tuple(name for name in sorted(self.schema.names()) if self.schema[name].stored)

    def _add_counted(self, documents: Sequence[dict[str, object]], lengths: dict[str, list[int]],
                     packed: list[bytes | None] | None) -> None:
        for i, document in enumerate(documents):
            self._add(document, {name: field_lengths[i] for name, field_lengths in lengths.items()},
                      packed[i] if packed is not None else None, packed is not None)

    def add_document(self, **fields: object) -> None:
        self._add(fields, None, None, False)

    def _add(self, fields: dict[str, object], lengths: dict[str, int] | None,
             stored: bytes | None, packed: bool) -> None:
        # Whoosh's SegmentWriter.add_document (2.7.4), with the analysed text fields
        # counted in bulk (here, or already by add_documents: their lengths given) and,
        # when ``packed``, the stored fields already as the stored column keeps them
        # (``stored``; None: nothing stored). No boosts, vectors or spelling fields.
        self._check_state()
        if any(name.startswith("_") for name in fields):
            raise ValueError("boosts and _stored_ values are not supported by this writer")
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        fieldnames = sorted(fields)
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                if getattr(field, "counts", False):
                    if lengths is not None:
                        length = lengths[fieldname] if field.scorable else 0
                    else:
                        counts = term_counts(value)
                        self.pool.add_counts(fieldname, docnum, counts.items())
                        if field.scorable:
                            length = sum(counts.values())
                else:
                    # ID fields: most values (association, kind, year...) repeat.
                    key = (fieldname, value)
                    items = self._id_postings.get(key)
                    if items is None:
                        items = self._id_postings[key] = list(field.index(value))
                    for tbytes, freq, weight, vbytes in items:
                        if field.scorable:
                            length += freq
                        self.pool.add((fieldname, tbytes, docnum, weight, vbytes))
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {fieldname!r}: vectors/spelling are not supported")
            perdocwriter.add_field(fieldname, field, value if field.stored and not packed else None,
                                   length)
            column = field.column_type
            if column and value is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        if stored is not None:  # what finish_doc's add_column_value would add, pickled and deflated
            VarBytesColumn.Writer.add(perdocwriter._colwriters["_stored"]._child, docnum, stored)
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        fw = self.fieldwriter
        try:
            for fieldname in self.pool.fieldnames():
                fieldobj = self.schema[fieldname]
                # The byte-quantised length Whoosh's add_postings asks the reader for
                # (0 for every document when the field has no length column: asked per
                # document, the reader looked for the column file each time).
                lengths = None
                if pdr is not None and pdr.has_column(f"_{fieldname}_len"):
                    lengths = [pdr.doc_field_length(d, fieldname) for d in range(self.docnum)]
                fw.start_field(fieldname, fieldobj)
                for btext, ids, weights, values in self.pool.postings(
                        fieldname, fieldobj.format.field_boost):
                    fw.start_term(btext)
                    write_postings(fw._postwriter, ids, weights, values, lengths)
                    fw.finish_term()
                fw.finish_field()
            fw.close()
        finally:
            if pdr is not None:
                pdr.close()
