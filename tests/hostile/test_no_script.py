"""No script from content reaches a page: markup in YAML and Markdown is text, links are
http, https, mailto or relative, and the built example site holds only the theme's scripts."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import markdown

from .conftest import ASSOC
from .scan import SAFE_SCHEMES, attribute_urls, browser_scheme, foreign_scripts, output_files, personal_data



def _page(public: Path, doc: str) -> str:
    return (public / ASSOC / "sanctions" / doc / "index.html").read_text("utf-8")


def test_markup_in_fields_and_body_is_shown_as_text(rich_site: tuple[Path, Path]) -> None:
    _content, public = rich_site
    page = _page(public, "2025-批评-002")
    # The reader sees what was typed, escaped…
    assert "&lt;script&gt;alert(&#34;标题&#34;)&lt;/script&gt;" in page or "&lt;script&gt;alert(\"标题\")" in page
    assert "&lt;script&gt;alert(&#39;正文&#39;)&lt;/script&gt;" in page or "&lt;script&gt;alert('正文')" in page
    assert "&lt;iframe" in page and "<iframe" not in page
    # …and nothing of it as markup.
    assert foreign_scripts(public) == []


def test_only_safe_urls_in_any_output(rich_site: tuple[Path, Path]) -> None:
    _content, public = rich_site
    page = _page(public, "2025-批评-002")
    assert 'href="https://example.org/' in page and 'href="mailto:office@example.org"' in page
    urls = attribute_urls(public)
    assert len(urls) > 50
    assert [(f, u) for f, u in urls if browser_scheme(u) not in (None, *SAFE_SCHEMES)] == []


def _links_any_parser_would_make(body: str) -> list[str]:
    from markdown_it import MarkdownIt
    md = MarkdownIt("commonmark")
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    out = []
    for tok in md.parse(body):
        for child in tok.children or []:
            url = child.attrs.get("href") if child.type == "link_open" else child.attrs.get("src") if child.type == "image" else None
            if isinstance(url, str):
                out.append(url)
    return out


@settings(max_examples=200, deadline=None)
@given(scheme=st.sampled_from(["javascript", "JAVASCRIPT", "data", "vbscript", "file", "jAvAsCrIpT"]),
       junk=st.sampled_from(["", " ", "\t", "\x00", "&#x09;", "&#106;", "%20"]),
       split=st.integers(0, 4), image=st.booleans())
def test_dangerous_schemes_never_become_links(scheme: str, junk: str, split: int, image: bool) -> None:
    # Whitespace, control characters and entities inside the scheme are classic filter bypasses.
    s = scheme[:split] + junk + scheme[split:]
    body = ("!" if image else "") + f"[点我](<{s}:alert(1)>)\n"
    rendered = markdown.render(body)
    for url in re.findall(r'(?:href|src)="([^"]*)"', rendered):
        assert browser_scheme(html.unescape(url)) in (None, *SAFE_SCHEMES), rendered
    made = [u for u in _links_any_parser_would_make(body) if not markdown.is_safe_url(u)]
    # Whatever a permissive renderer would have linked, validation reports with its line.
    assert [u for _line, u in markdown.unsafe_links(body)] == made


def test_example_site_has_no_foreign_script(example_site: Path) -> None:
    pages = [p for p in output_files(example_site) if p.suffix == ".html"]
    assert len(pages) > 20
    assert foreign_scripts(example_site) == []


def test_example_site_publishes_no_personal_data(example_site: Path) -> None:
    assert personal_data(example_site) == []


def test_output_scanner_is_not_fooled_by_escaping(tmp_path: Path) -> None:
    """The output scan would find a number even written with entities or JSON escapes."""
    from generator.identifiers import resident_id_check_character
    number = "44030419850312123" + resident_id_check_character("44030419850312123")
    (tmp_path / "a.html").write_text(f"<p>{number[:6]}&#x{ord(number[6]):x};{number[7:]}</p>", "utf-8")
    (tmp_path / "b.json").write_text('{"t": "' + "".join(f"\\u{ord(c):04x}" for c in "手机13800138000") + '"}', "utf-8")
    found = personal_data(tmp_path)
    assert any(f.startswith("a.html") for f in found) and any(f.startswith("b.json") for f in found)
