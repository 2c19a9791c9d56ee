"""Running search.js under node for the search tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SEARCH_JS = HERE.parents[1] / "themes/default/static/search.js"


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
