"""Full-text search: Whoosh at build time, static shards and search.js in the browser.

Whoosh stays inside this package (nothing else imports it), so the engine can be swapped
without touching the pipeline: it only sees the names below.
"""

from .export import export_static, index_and_export
from .index import build_index
from .query import search
from .records import Hit, IndexStats, SearchRecord
from .tokenize import TOKENIZER_VERSION

__all__ = ["Hit", "IndexStats", "SearchRecord", "TOKENIZER_VERSION", "build_index",
           "export_static", "index_and_export", "search"]
