"""Fixtures for the search tests: a small corpus, built and exported once per session."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # search_corpus, search_support

with warnings.catch_warnings():  # Whoosh 2.7 has invalid escapes in its regexes
    warnings.simplefilter("ignore", SyntaxWarning)
    import whoosh.analysis  # noqa: F401
    import whoosh.qparser  # noqa: F401

from search_corpus import small_corpus  # noqa: E402

from generator.search import build_index, export_static  # noqa: E402


@pytest.fixture(scope="session")
def records():
    return small_corpus()


@pytest.fixture(scope="session")
def index_dir(records, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("index")
    build_index(records, path)
    return path


@pytest.fixture(scope="session")
def export_dir(index_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export")
    for name, data in export_static(index_dir).items():
        (path / name).write_bytes(data)
    return path
