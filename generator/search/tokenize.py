"""The search analyzer: one tokenizer, shared by the index, the CLI and (ported) the browser.

Rules, in order (themes/default/static/search.js implements the same, tested against the
golden vectors in tests/search/golden_tokens.json):

1. NFKC, then lowercase (``str.lower``: full Unicode case mapping, like JS toLowerCase).
   Full-width ＡＢＣ１２３ becomes abc123; offsets below refer to this normalised text.
2. A *run* is a maximal stretch of letters and numbers (general category L* or N*).
   Everything else (spaces, punctuation, symbols, emoji, combining marks) separates runs.
   We classify by general category, not with ``\\w``: Python's ``\\w`` matches Han and the
   underscore, JavaScript's ``\\w`` matches neither, so ``\\w`` would make the ports drift.
3. Inside a run, Han characters (Script=Han) and other characters form segments:
   - a Han segment of two or more characters gives its overlapping bigrams
     (行业惩戒 → 行业, 业惩, 惩戒); a one-character Han segment gives that character;
   - any other segment (Latin, digits, kana, hangul, Cyrillic, ...) is one word.
   At a Han/non-Han boundary we simply cut: ISO9001认证 → iso9001, 认证. No token straddles
   scripts, so a Latin word is found whatever Chinese touches it.
4. Positions count tokens, and skip one extra position between runs. So tokens are
   consecutive exactly when they come from the same run and are adjacent in it; the
   "whole query appears in the title/snippet" check relies on that.

5. Indexing (not querying) also emits every Han character of a longer segment as a
   unigram (:func:`index_tokens`): 行业惩戒 is indexed as 行业, 业惩, 惩戒 and 行, 业, 惩, 戒.
   A query keeps the rules above, so a one-character query (罚) or a lone character
   beside other tokens (2025年) looks up a unigram that every occurrence of the character
   was indexed under, and 罚 finds 处罚. Queries of two or more Han characters use
   bigrams only and are unaffected. Cost: about a third more postings (measured in
   benchmarks/search/README.md).

Han membership is a fixed table (Python has no Script property). It equals JavaScript's
``\\p{Script=Han}`` (checked by a test against node over every code point Python's Unicode
database knows). Characters assigned after Python's Unicode version are unknown (Cn) to
Python and so separate runs here, while a newer JavaScript engine may treat them as
letters: for those rare characters the two sides may differ.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from whoosh.analysis import Token, Tokenizer

# Bump whenever the rules above change: the index is rebuilt and the browser refuses a
# manifest made with another version (its terms would not line up). 2: Han unigrams indexed.
TOKENIZER_VERSION = "gongshi-bigram-2"

# Script=Han, as inclusive code point ranges (from Unicode 17 via node's ICU; the extra
# ranges beyond Python's Unicode 14 are harmless because those characters are Cn here).
_HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2E99), (0x2E9B, 0x2EF3), (0x2F00, 0x2FD5), (0x3005, 0x3005),
    (0x3007, 0x3007), (0x3021, 0x3029), (0x3038, 0x303B), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xF900, 0xFA6D), (0xFA70, 0xFAD9), (0x16FE2, 0x16FE3),
    (0x16FF0, 0x16FF6), (0x20000, 0x2A6DF), (0x2A700, 0x2B81D), (0x2B820, 0x2CEAD),
    (0x2CEB0, 0x2EBE0), (0x2EBF0, 0x2EE5D), (0x2F800, 0x2FA1D), (0x30000, 0x3134A),
    (0x31350, 0x33479),
)
_HAN_STARTS = tuple(start for start, _ in _HAN_RANGES)


def is_han(char: str) -> bool:
    cp = ord(char)
    i = bisect_right(_HAN_STARTS, cp) - 1
    return i >= 0 and cp <= _HAN_RANGES[i][1]


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class Tok:
    text: str
    pos: int      # token position; +1 extra between runs (see module docstring, rule 4)
    start: int    # offsets into normalize(text), in code points
    end: int


def _runs(norm: str) -> Iterator[tuple[int, int]]:
    start = -1
    for i, char in enumerate(norm):
        if _is_word_char(char):
            if start < 0:
                start = i
        elif start >= 0:
            yield start, i
            start = -1
    if start >= 0:
        yield start, len(norm)


def iter_tokens(text: str) -> Iterator[Tok]:
    norm = normalize(text)
    pos = 0
    for run_start, run_end in _runs(norm):
        i = run_start
        while i < run_end:
            han = is_han(norm[i])
            j = i + 1
            while j < run_end and is_han(norm[j]) == han:
                j += 1
            if not han:
                yield Tok(norm[i:j], pos, i, j)
                pos += 1
            elif j - i == 1:
                yield Tok(norm[i], pos, i, j)
                pos += 1
            else:
                for k in range(i, j - 1):
                    yield Tok(norm[k:k + 2], pos, k, k + 2)
                    pos += 1
            i = j
        pos += 1  # the gap between runs


def index_tokens(text: str) -> Iterator[Tok]:
    """The tokens a document is indexed under: :func:`iter_tokens` plus, after each bigram,
    the unigram of its first character (and of the segment's last character after the
    last bigram), so every Han character is a term too (rule 5). A unigram shares its
    bigram's position: the index keeps no positions, and query-side positions (the
    contiguity check) come from iter_tokens alone."""
    previous: Tok | None = None
    for tok in iter_tokens(text):
        bigram = len(tok.text) == 2 and is_han(tok.text[0]) and is_han(tok.text[1])
        if previous is not None and not (bigram and tok.start == previous.start + 1):
            yield Tok(previous.text[1], previous.pos, previous.start + 1, previous.end)
        yield tok
        if bigram:
            yield Tok(tok.text[0], tok.pos, tok.start, tok.start + 1)
            previous = tok
        else:
            previous = None
    if previous is not None:
        yield Tok(previous.text[1], previous.pos, previous.start + 1, previous.end)


def _char_class(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


def _one_of(ranges: list[tuple[int, int]]) -> str:
    """A pattern for one character in ranges. A class with code points past U+FFFF is
    compiled by re to a list of ranges tried one by one (hundreds, for "letter or number"),
    where a class within the BMP is one bitmap lookup: so the astral ranges are a second
    class, tried only for an astral character (ten times faster on Chinese text)."""
    bmp = [(a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF]
    astral = [(max(a, 0x10000), b) for a, b in ranges if b > 0xFFFF]
    if not astral:
        return f"[{_char_class(bmp)}]"
    return f"(?:[{_char_class(bmp)}]|(?=[\\U00010000-\\U0010ffff])[{_char_class(astral)}])"


def computed_word_ranges() -> tuple[tuple[int, int], ...]:
    """The code points of general category L* or N* (rule 2) as inclusive ranges, from
    Python's Unicode database: a pass over every code point."""
    word: list[tuple[int, int]] = []
    for cp in range(sys.maxunicode + 1):
        if _is_word_char(chr(cp)):
            if word and word[-1][1] == cp - 1:
                word[-1] = (word[-1][0], cp)
            else:
                word.append((cp, cp))
    return tuple(word)


@cache
def word_ranges() -> tuple[tuple[int, int], ...]:
    """computed_word_ranges(), from the generated table when it is for this Unicode (else
    one pass over every code point: once, though both pattern sets ask)."""
    from . import wordranges
    if wordranges.UNIDATA_VERSION == unicodedata.unidata_version:
        return wordranges.WORD_RANGES
    return computed_word_ranges()


def _split_han(ranges: tuple[tuple[int, int], ...]
               ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """ranges cut into the parts inside Script=Han and the parts outside it."""
    inside: list[tuple[int, int]] = []
    outside: list[tuple[int, int]] = []
    for a, b in ranges:
        cp = a
        for h_start, h_end in _HAN_RANGES:
            if h_end < cp or h_start > b:
                continue
            if h_start > cp:
                outside.append((cp, h_start - 1))
            inside.append((max(cp, h_start), min(b, h_end)))
            cp = min(b, h_end) + 1
            if cp > b:
                break
        if cp <= b:
            outside.append((cp, b))
    return inside, outside


@cache
def _index_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled forms of rules 2 and 3, built once: a run is a match of the first
    pattern; its segments are the matches of the second (group 1: a Han segment)."""
    han = _char_class(list(_HAN_RANGES))
    return (re.compile(f"{_one_of(list(word_ranges()))}+"),
            re.compile(f"([{han}]+)|[^{han}]+"))


@cache
def _count_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Rules 2, 3 and 5 as three scans for term_counts. With H a Han letter or number and
    W any other letter or number: a Han segment is a maximal run of H, any other segment
    a maximal run of W. Its bigrams are the pairs HH taken from its start (offsets 0-1,
    2-3, ...) plus those taken after its first character (1-2, 3-4, ...: a pair preceded
    by an H); every H is a unigram; every W+ is a word."""
    han, other = _split_han(word_ranges())
    h, w = _one_of(han), _one_of(other)
    return (re.compile(h + h), re.compile(f"(?<={h}){h}{h}"), re.compile(f"{h}|{w}+"))


def index_texts(text: str) -> list[str]:
    """The texts of :func:`index_tokens`, in the same order, without positions or offsets:
    all the index needs (it keeps no positions). The analyzer's hot path, so rules 2, 3
    and 5 run as two compiled regexes and slicing instead of a loop over characters
    (tests check it against index_tokens)."""
    runs, segments = _index_patterns()
    out: list[str] = []
    add = out.append
    for run in runs.findall(normalize(text)):
        for match in segments.finditer(run):
            seg = match.group()
            if match.group(1) is None or len(seg) == 1:
                add(seg)
                continue
            for k in range(len(seg) - 1):
                add(seg[k:k + 2])
                add(seg[k])
            add(seg[-1])
    return out


def term_counts(text: str) -> Counter[str]:
    """Counter(index_texts(text)) (tests check it), without building the list of tokens:
    three regex scans over the normalised text, counted in C. The writer's hot path."""
    pairs, later_pairs, units = _count_patterns()
    norm = normalize(text)
    counts = Counter(pairs.findall(norm))
    counts.update(later_pairs.findall(norm))
    counts.update(units.findall(norm))
    return counts


def token_positions(text: str) -> list[tuple[str, int]]:
    """(text, pos) of :func:`iter_tokens`, without offsets: what head positions need. The
    export asks this of every document's title and snippet, so rules 2-4 run as the
    compiled regexes of index_texts (tests check it against iter_tokens)."""
    runs, segments = _index_patterns()
    out: list[tuple[str, int]] = []
    add = out.append
    pos = 0
    for run in runs.findall(normalize(text)):
        for match in segments.finditer(run):
            seg = match.group()
            if match.group(1) is None or len(seg) == 1:
                add((seg, pos))
                pos += 1
                continue
            for k in range(len(seg) - 1):
                add((seg[k:k + 2], pos))
                pos += 1
        pos += 1  # the gap between runs
    return out


def tokenize(text: str) -> list[str]:
    """The token texts of ``text``, in order (duplicates kept)."""
    return [tok.text for tok in iter_tokens(text)]


def query_runs(text: str) -> list[list[str]]:
    """Tokens grouped by run: what a query's "contiguous" check compares."""
    runs: list[list[str]] = []
    last_pos = -2
    for tok in iter_tokens(text):
        if tok.pos != last_pos + 1:
            runs.append([])
        runs[-1].append(tok.text)
        last_pos = tok.pos
    return runs


class BigramTokenizer(Tokenizer):
    """Whoosh face of :func:`index_tokens` (this class is pickled into the index schema,
    so keep its import path stable; a rename means a rebuild, which build_index does
    when the schema cannot be loaded). Only the index uses it: queries are planned
    from iter_tokens by query.py, never parsed by Whoosh."""

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__.__name__)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True,
                 start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: object) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # Whoosh asks for the untokenised value when parsing some queries.
            token.original = token.text = normalize(value)
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for tok in index_tokens(value):
            token.text = tok.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = tok.text
            if positions:
                token.pos = start_pos + tok.pos
            if chars:
                token.startchar = start_char + tok.start
                token.endchar = start_char + tok.end
            yield token


if __name__ == "__main__":  # regenerate wordranges.py for this Python's Unicode version
    from pathlib import Path
    ranges = computed_word_ranges()
    rows = [", ".join(f"(0x{a:X}, 0x{b:X})" for a, b in ranges[i:i + 5]) for i in range(0, len(ranges), 5)]
    target = Path(__file__).with_name("wordranges.py")
    source = target.read_text("utf-8")
    head = source[:source.index("UNIDATA_VERSION")]
    target.write_text(head + f'UNIDATA_VERSION = "{unicodedata.unidata_version}"\n\n'
                      "WORD_RANGES: tuple[tuple[int, int], ...] = (\n"
                      + "".join(f"    {row},\n" for row in rows) + ")\n", "utf-8")
