"""The example content's search records and a substring ground truth, for the browser and
parity tests (a uniquely named module: see search_support.py for why not conftest)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.search import SearchRecord
from generator.search.tokenize import is_han, normalize

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CONTENT = ROOT / "content"
# The date tests/conftest.py builds the example site as of (example_site fixture).
EXAMPLE_AS_OF = dt.date(2026, 11, 20)


def example_records() -> list[SearchRecord]:
    from generator.pipeline import prepare
    from generator.searching import search_records

    prepared = prepare(EXAMPLE_CONTENT, EXAMPLE_AS_OF)
    assert prepared.site is not None and prepared.evaluation is not None
    return search_records(prepared.site, prepared.evaluation)


def _latin(char: str) -> bool:
    """A letter or digit that is not Han: such characters form whole words."""
    return not is_han(char) and unicodedata.category(char)[0] in "LN"


def holds(text: str, keyword: str) -> bool:
    """Whether ``keyword`` occurs in ``text`` (both NFKC + lowercase), where a keyword
    that starts or ends with a Latin letter or digit must start/end a word there: Latin
    words and numbers are words (9001 is in "ISO 9001" and in "9001认证", not in "ISO9001"),
    Han text is matched as any substring (罚 is in 处罚)."""
    text, keyword = normalize(text), normalize(keyword)
    start = text.find(keyword)
    while start >= 0:
        end = start + len(keyword)
        left_ok = not (_latin(keyword[0]) and start > 0 and _latin(text[start - 1]))
        right_ok = not (_latin(keyword[-1]) and end < len(text) and _latin(text[end]))
        if left_ok and right_ok:
            return True
        start = text.find(keyword, start + 1)
    return False


def relevant(record: SearchRecord, query: str) -> bool:
    """Substring ground truth: every space-separated keyword of the query occurs in the
    record's title, body or association name (the searchable fields, index.TEXT_FIELDS)."""
    keywords = [k for k in re.split(r"\s+", query.strip()) if k]
    fields = (record.title, record.body, record.association_name)
    return bool(keywords) and all(any(holds(f, k) for f in fields) for k in keywords)


def path_of(href: str) -> str:
    """The decoded path of a link (the browser percent-encodes Chinese in hrefs)."""
    return unquote(urlsplit(href).path)
