"""Shared helpers: running search.js under node, and a built + exported small corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # for corpus.py

with warnings.catch_warnings():  # Whoosh 2.7 has invalid escapes in its regexes
    warnings.simplefilter("ignore", SyntaxWarning)
    import whoosh.analysis  # noqa: F401
    import whoosh.qparser  # noqa: F401

from corpus import small_corpus  # noqa: E402

from generator.search import build_index, export_static  # noqa: E402


def node_or_skip() -> str:
    node = shutil.which("node")
    if node:
        return node
    if os.environ.get("CI") == "true":
        pytest.fail("node is required in CI for the browser-side search tests")
    pytest.skip("node not installed")


def run_node(script: str, payload: object) -> object:
    proc = subprocess.run([node_or_skip(), str(HERE / script)], input=json.dumps(payload),
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


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
