"""Plain data crossing the search package's border: no Whoosh types leak out of here."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from .tokenize import TOKENIZER_VERSION

# Characters of body text kept as the result snippet. The browser has only this snippet
# (and the title) to show and to check the whole query against, so the CLI uses the same.
SNIPPET_CHARS = 160

@dataclass(frozen=True)
class SearchRecord:
    doc_id: str        # stable id, e.g. "shenzhen-jewelry/sanctions/2025-001"
    url: str           # site-relative URL, e.g. "/associations/shenzhen-jewelry/sanctions/2025-001/"
    title: str
    body: str          # plain text (Markdown already stripped by the caller)
    association: str   # slug
    association_name: str
    kind: str          # e.g. "sanction"
    kind_label: str    # e.g. "行业惩戒"
    year: int
    date: str          # ISO date shown in results
    measure: str | None  # sanction measure code, e.g. "public_censure", else None
    # The measure's display label for the facet list (the caller takes it from the model's
    # labelled enum, so the search package keeps no copy of the labels); None: the code.
    measure_label: str | None = None
    language: str = "zh"
    content_hash: str = ""  # sha256 of the source; used for incremental re-indexing


@dataclass(frozen=True)
class IndexStats:
    added: int
    updated: int
    deleted: int
    unchanged: int
    rebuilt: bool  # True when the whole index was recreated (new, or made by another version)

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True)
class Hit:
    doc_id: str
    url: str
    title: str
    kind: str
    association: str
    date: str
    score: int      # sum of the per-term integer scores, the same numbers the browser adds
    snippet: str


_SPACE = re.compile(r"\s+")


def make_snippet(body: str) -> str:
    """The first SNIPPET_CHARS characters of the body, whitespace collapsed."""
    text = _SPACE.sub(" ", body).strip()
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rstrip() + "…"


def record_fingerprint(record: SearchRecord) -> str:
    """What decides "changed" for incremental indexing.

    The caller's content_hash covers the source file only; an association renamed in its
    profile changes association_name on every document without touching their sources.
    So the whole record is hashed (cheap next to analysing it), together with everything
    else that shapes the indexed document.
    """
    # The record's fields as asdict() gives them (all plain values: no deep copy needed).
    payload = json.dumps([TOKENIZER_VERSION, SNIPPET_CHARS, record.__dict__],
                         ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
