"""Markdown for Chinese disclosures: CommonMark + tables, raw HTML off, safe links only.

Two Chinese specifics: a line break inside a Chinese paragraph is not a space (CommonMark
renders a soft break as a newline, which browsers show as a space between Han characters),
and heading anchors keep their Chinese text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

ALLOWED_SCHEMES = ("http:", "https:", "mailto:")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def is_safe_url(url: str) -> bool:
    """Only http, https, mailto and relative URLs (no javascript:, data:, vbscript:, file:)."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", unicodedata.normalize("NFKC", url))
    if _SCHEME.match(cleaned):
        return cleaned.lower().startswith(ALLOWED_SCHEMES)
    return True  # relative, or protocol-relative (still http/https)


def _is_wide(ch: str) -> bool:
    """Han, kana, hangul and full-width punctuation: no space belongs between two of them."""
    if not ch:
        return False
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF
            or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF
            or 0x3000 <= o <= 0x303F or ch in "“”‘’…—")


def _join_wide_breaks(state: Any) -> None:
    """Core rule: drop soft breaks that sit between two wide characters."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = block.children
        for i, tok in enumerate(children):
            if tok.type != "softbreak" or i == 0 or i + 1 >= len(children):
                continue
            before, after = children[i - 1], children[i + 1]
            if before.type == "text" and after.type == "text" and _is_wide(before.content[-1:]) and _is_wide(after.content[:1]):
                tok.type = "text"
                tok.content = ""


def slugify(title: str) -> str:
    """Heading anchor: keeps Han and other letters, lowercases Latin, hyphens for spaces."""
    text = unicodedata.normalize("NFKC", title).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s]+", "-", text).strip("-") or "section"


def _validate_link(url: str) -> bool:
    return is_safe_url(url)


@lru_cache(maxsize=1)
def _engine() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.core.ruler.push("join_wide_breaks", _join_wide_breaks)
    anchors_plugin(md, min_level=2, max_level=4, slug_func=slugify, permalink=False)
    return md


def render(body: str) -> str:
    """HTML for a Markdown body. Raw HTML is shown as text; unsafe links are not links."""
    return _engine().render(body)


def plain_text(body: str) -> str:
    """The text a reader sees, for search and snippets."""
    out: list[str] = []
    for tok in _engine().parse(body):
        if tok.type == "inline" and tok.children:
            parts = [c.content for c in tok.children if c.type in ("text", "code_inline", "html_inline")]
            out.append("".join(parts))
        elif tok.type in ("code_block", "fence"):
            out.append(tok.content)
    return "\n".join(s for s in out if s)


def headings(body: str) -> list[tuple[int, str, str]]:
    """(level, text, anchor) of each h2–h4, for a table of contents."""
    tokens = _engine().parse(body)
    out = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3", "h4"):
            text = tokens[i + 1].content
            out.append((int(tok.tag[1]), text, str(tok.attrs.get("id", slugify(text)))))
    return out


def unsafe_links(body: str) -> Sequence[tuple[int, str]]:
    """(0-based line within the body, url) of every link or image with a forbidden scheme."""
    found: list[tuple[int, str]] = []
    plain = MarkdownIt("commonmark").enable("table")
    plain.validateLink = lambda url: True  # type: ignore[method-assign]  # see every link, judge below
    for tok in plain.parse(body):
        if tok.type != "inline" or not tok.children:
            continue
        line = tok.map[0] if tok.map else 0
        for child in tok.children:
            url = child.attrs.get("href") if child.type == "link_open" else child.attrs.get("src") if child.type == "image" else None
            if isinstance(url, str) and not is_safe_url(url):
                found.append((line, url))
    return found
