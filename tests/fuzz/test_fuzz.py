"""Fuzzing the loader and the build: whatever YAML and Markdown an author commits, gongshi
answers with diagnostics (or a site), never a traceback.

Quick by default (CI); a long run by hand:  GONGSHI_FUZZ_EXAMPLES=5000 python -m pytest tests/fuzz
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.diagnostics import MESSAGES, errors
from generator.load import load_content, parse_yaml, _YamlError

from .strategies import ASSOC, markdown_body, mutated_document, yaml_text

EXAMPLES = int(os.environ.get("GONGSHI_FUZZ_EXAMPLES", "50"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 50,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MINIMAL = Path(__file__).resolve().parent.parent / "fixtures" / "minimal"
AS_OF = pipeline.dt.date(2025, 8, 20)


@FUZZ
@given(text=yaml_text())
def test_parse_yaml_gives_data_or_a_positioned_diagnostic(text: str) -> None:
    lines = text.count("\n") + 1
    try:
        parse_yaml(text, "fuzz.yaml")
    except _YamlError as exc:
        for d in exc.diagnostics:
            assert d.code in MESSAGES and 1 <= d.line <= lines + 1
            d.message("zh"), d.message("en")  # every message formats


def _site_with(files: dict[str, bytes]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="gongshi-fuzz-"))
    shutil.copytree(MINIMAL, root / "content")
    for rel, data in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


@FUZZ
@given(doc=mutated_document())
def test_load_and_check_never_raise(doc: tuple[str, bytes]) -> None:
    rel, data = doc
    root = _site_with({rel: data})
    try:
        loaded = load_content(root / "content")
        content = pipeline.check(root / "content")
        for d in content.diagnostics:
            assert d.code in MESSAGES
            d.message("zh"), d.message("en")
        assert len(loaded.documents) <= 4
    finally:
        shutil.rmtree(root)


@FUZZ
@given(doc=mutated_document(), body=markdown_body())
def test_build_gives_diagnostics_or_a_site_and_keeps_output_on_failure(doc: tuple[str, bytes], body: str) -> None:
    rel, data = doc
    root = _site_with({rel: data, f"{ASSOC}/conventions/2024-行业自律公约.md":
                       ("---\ntitle: 深圳市测试行业自律公约\nadopted_by: 会员（代表）大会\nadopted_on: 2024-03-15\n---\n\n"
                        + body).encode("utf-8", "surrogatepass")})
    try:
        out = root / "public"
        out.mkdir()
        (out / "旧页面.html").write_text("上一次构建", "utf-8")
        result = pipeline.build(root / "content", out, AS_OF)
        if result.ok:
            assert (out / "index.html").is_file() and (out / "manifest.json").is_file()
            assert not errors(result.diagnostics)
        else:
            assert errors(result.diagnostics)
            assert [p.name for p in out.iterdir()] == ["旧页面.html"]
    finally:
        shutil.rmtree(root)


@FUZZ
@given(body=markdown_body())
def test_markdown_bodies_render_without_script(body: str) -> None:
    from generator import markdown
    from tests.hostile.scan import SAFE_SCHEMES, _Tags, browser_scheme
    parser = _Tags()
    parser.feed(markdown.render(body))
    parser.close()
    for tag, attrs in parser.tags:
        assert tag not in ("script", "iframe", "object", "embed", "svg", "style"), tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                assert browser_scheme(attrs[name] or "") in (None, *SAFE_SCHEMES), attrs
    markdown.plain_text(body), markdown.headings(body), markdown.unsafe_links(body)


def test_yaml_strategy_produces_parseable_and_broken_input() -> None:
    """The generators are not all-broken nor all-valid: both paths get exercised."""
    from hypothesis import find
    find(yaml_text(), lambda t: _parses(t))
    find(yaml_text(), lambda t: not _parses(t))


def _parses(text: str) -> bool:
    try:
        yaml.safe_load(text)
        return True
    except (yaml.YAMLError, ValueError):     # ValueError: an impossible date (2025-02-30)
        return False
