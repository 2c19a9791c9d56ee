"""Markdown for Chinese disclosures: CommonMark + tables, raw HTML off, safe links only.

Two Chinese specifics: a line break inside a Chinese paragraph is not a space (CommonMark
renders a soft break as a newline, which browsers show as a space between Han characters),
and heading anchors keep their Chinese text.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from markdown_it import MarkdownIt
from markdown_it import rules_inline
from markdown_it.common import normalize_url
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

ALLOWED_SCHEMES = ("http:", "https:", "mailto:")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@lru_cache(maxsize=4096)
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


@lru_cache(maxsize=4096)
def slugify(title: str) -> str:
    """Heading anchor: keeps Han and other letters, lowercases Latin, hyphens for spaces."""
    text = unicodedata.normalize("NFKC", title).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s]+", "-", text).strip("-") or "section"


def _validate_link(url: str) -> bool:
    return is_safe_url(url)


# Block rules are tried in turn at the start of every line (and again as terminators at
# every line of a paragraph, list or quote). Most can only match when the line's first
# non-blank character is one of a few: a guard that refuses every other line, before the
# rule runs, gives the rule's own answer (each refuses such a line without side effects)
# for a fraction of the cost. Rules not named here run unguarded.
_FIRST_CHARS = {
    "blockquote": ">",
    "fence": "`~",
    "hr": "*-_",
    "list": "*-+0123456789",
    "reference": "[",
    "heading": "#",
}


def _guarded(rule: Callable[..., bool], chars: str) -> Callable[..., bool]:
    def guarded(state: Any, start: int, end: int, silent: bool) -> bool:
        pos = state.bMarks[start] + state.tShift[start]
        if pos < len(state.src) and state.src[pos] not in chars:
            return False
        return rule(state, start, end, silent)
    return guarded


def _table_guarded(rule: Callable[..., bool]) -> Callable[..., bool]:
    """A table needs its delimiter row next: a line whose first non-blank is |, - or :."""
    def guarded(state: Any, start: int, end: int, silent: bool) -> bool:
        nxt = start + 1
        if nxt < end:
            pos = state.bMarks[nxt] + state.tShift[nxt]
            if pos < state.eMarks[nxt] and state.src[pos] not in "|-:":
                return False
        return rule(state, start, end, silent)
    return guarded


def _speed_up(md: MarkdownIt) -> None:
    """The same tokens for every input, with less work: rules that cannot match never run
    (raw HTML is off, so the HTML rules refuse everything), the block rules are guarded by
    the characters they start with, and link normalisation (a pure function of the URL,
    through mdurl and punycode) is memoised."""
    md.disable(["html_block", "html_inline"])
    for rule in md.block.ruler.__rules__:
        if rule.name in _FIRST_CHARS:
            rule.fn = _guarded(rule.fn, _FIRST_CHARS[rule.name])
        elif rule.name == "table":
            rule.fn = _table_guarded(rule.fn)
    md.block.ruler.__cache__ = None
    md.normalizeLink = _normalize_link  # type: ignore[method-assign]
    _plain_text_inline(md)


def _plain_text_inline(md: MarkdownIt) -> None:
    """Inline content without one character any inline rule reacts to (a heading, a table
    cell, a one-line paragraph of Chinese text) is one text token: the `text` rule, first
    in the chain, takes all of it and the post-processing rules find nothing to pair or
    join. Made here directly instead of through a parser state and twelve rules."""
    inline = md.inline
    if inline.ruler.getRules("")[:1] != [rules_inline.text]:
        return                                  # another first rule: it may want this text
    if not hasattr(inline, "terminator_re"):
        return                                  # markdown-it-py before 4.x: the text rule's own test
    parse = inline.parse

    def parse_plain(src: str, md_: MarkdownIt, env: Any, tokens: list[Token]) -> list[Token]:
        if src and not tokens and inline.terminator_re.search(src) is None:
            token = Token("text", "", 0)
            token.content = src
            tokens.append(token)
            return tokens
        return parse(src, md_, env, tokens)

    inline.parse = parse_plain  # type: ignore[method-assign]


@lru_cache(maxsize=4096)
def _normalize_link(url: str) -> str:
    return normalize_url.normalizeLink(url)


class _Renderer(RendererHTML):
    """markdown-it's HTML renderer, writing the same HTML with less work per token (0.7
    million tokens at 10k documents): text is escaped where the loop meets it while the
    `text` rule is markdown-it's own, and `renderToken` tests each condition once; a token
    without attributes (most of them) skips the attribute loop, which writes nothing for it."""

    @staticmethod
    def renderAttrs(token: Token) -> str:
        return RendererHTML.renderAttrs(token) if token.attrs else ""

    def render(self, tokens: Sequence[Token], options: Any, env: Any) -> str:
        out: list[str] = []
        rules = self.rules
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                if token.children:
                    out.append(self.renderInline(token.children, options, env))
            elif kind in rules:
                out.append(rules[kind](tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))
        return "".join(out)

    def renderInline(self, tokens: Sequence[Token], options: Any, env: Any) -> str:
        out: list[str] = []
        rules = self.rules
        own_text = getattr(rules.get("text"), "__func__", None) is RendererHTML.text
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "text" and own_text:
                out.append(escapeHtml(token.content))
            elif kind in rules:
                out.append(rules[kind](tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))
        return "".join(out)

    def renderToken(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        if token.hidden:
            return ""
        nesting = token.nesting
        if nesting == -1:
            result = "</" + token.tag
        elif token.block and idx and tokens[idx - 1].hidden:
            result = "\n<" + token.tag          # after a hidden (tight list) paragraph
        else:
            result = "<" + token.tag
        if token.attrs:
            result += RendererHTML.renderAttrs(token)
        if nesting == 0 and options["xhtmlOut"]:
            result += " /"
        if not token.block:
            return result + ">"
        if nesting == 1 and idx + 1 < len(tokens):
            following = tokens[idx + 1]
            # an inline or hidden token next, or the closing tag itself (`<li></li>`): no newline
            if following.type == "inline" or following.hidden or (following.nesting == -1 and following.tag == token.tag):
                return result + ">"
        return result + ">\n"


def _make_engine(validate_link: Callable[[str], bool]) -> MarkdownIt:
    """CommonMark + tables, raw HTML off, Chinese line joins and anchors; only the link check varies."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False},
                    renderer_cls=_Renderer).enable("table")
    _speed_up(md)
    md.validateLink = validate_link  # type: ignore[method-assign]
    md.core.ruler.push("join_wide_breaks", _join_wide_breaks)
    anchors_plugin(md, min_level=2, max_level=4, slug_func=slugify, permalink=False)
    return md


@lru_cache(maxsize=1)
def _engine() -> MarkdownIt:
    return _make_engine(_validate_link)


# --- one parse per body -------------------------------------------------------------------------
# Validation (unsafe links), the page (HTML, table of contents) and search (plain text) all
# need the same Markdown: it is parsed once, with an engine that accepts every link and
# notes whether any was refused by `is_safe_url`. When none was, its tokens are exactly
# those of the strict engine (validateLink is the only difference), so the HTML is the
# strict engine's HTML; otherwise the strict engine parses again (and the build fails on
# the unsafe link anyway). Results are memoised in-process and in the build cache.
# Before any of that, generator.markdown_rs (markdown-it-pyrs, when installed) gives the
# same analysis about three times faster for every body it can vouch for; the rest, and
# every body when it is missing, go this way.


@dataclass(frozen=True)
class Analysis:
    html: str
    headings: tuple[tuple[int, str, str], ...]
    text: str
    unsafe: tuple[tuple[int, str], ...]


_refused: list[str] = []


def _noting_validate(url: str) -> bool:
    if not is_safe_url(url):
        _refused.append(url)
    return True


@lru_cache(maxsize=1)
def _permissive() -> MarkdownIt:
    return _make_engine(_noting_validate)


def _headings_of(tokens: Sequence[Token]) -> tuple[tuple[int, str, str], ...]:
    out = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3", "h4"):
            text = tokens[i + 1].content
            out.append((int(tok.tag[1]), text, str(tok.attrs.get("id", slugify(text)))))
    return tuple(out)


def _text_of(tokens: Sequence[Token]) -> str:
    out: list[str] = []
    for tok in tokens:
        if tok.type == "inline" and tok.children:
            parts = [c.content for c in tok.children if c.type in ("text", "code_inline", "html_inline")]
            out.append("".join(parts))
        elif tok.type in ("code_block", "fence"):
            out.append(tok.content)
    return "\n".join(s for s in out if s)


def _unsafe_of(tokens: Sequence[Token]) -> tuple[tuple[int, str], ...]:
    found: list[tuple[int, str]] = []
    for tok in tokens:
        if tok.type != "inline" or not tok.children:
            continue
        line = tok.map[0] if tok.map else 0
        for child in tok.children:
            url = child.attrs.get("href") if child.type == "link_open" else child.attrs.get("src") if child.type == "image" else None
            if isinstance(url, str) and not is_safe_url(url):
                found.append((line, url))
    return tuple(found)


@lru_cache(maxsize=1)
def _fast_path() -> Callable[[str], Any] | None:
    """generator.markdown_rs.analyse when markdown-it-pyrs is installed, else None."""
    try:
        from generator import markdown_rs
    except ImportError:
        return None
    return markdown_rs.analyse if markdown_rs.available() else None


def _analyse_now(body: str) -> Analysis:
    fast = _fast_path()
    found = fast(body) if fast is not None else None
    if found is not None:
        return Analysis(found[0], found[1], found[2], ())
    return _analyse_slow(body)


def _analyse_slow(body: str) -> Analysis:
    """markdown-it-py: every body the fast path does not take, and the reference for it."""
    md = _permissive()
    _refused.clear()
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    unsafe = _unsafe_of(tokens)
    if not _refused:
        return Analysis(md.renderer.render(tokens, md.options, env), _headings_of(tokens), _text_of(tokens), unsafe)
    strict = _engine()
    env = {}
    safe_tokens = strict.parse(body, env)
    return Analysis(strict.renderer.render(safe_tokens, strict.options, env), _headings_of(safe_tokens),
                    _text_of(safe_tokens), unsafe)


@lru_cache(maxsize=1)
def _code_version() -> str:
    import markdown_it
    import mdit_py_plugins
    fast = b""
    if _fast_path() is not None:    # the fast path's code and parser version are part of it
        from generator import markdown_rs
        fast = Path(markdown_rs.__file__).read_bytes() + markdown_rs.VERSION.encode()
    return hashlib.sha256((Path(__file__).read_bytes() + markdown_it.__version__.encode() +
                           mdit_py_plugins.__version__.encode() + fast)).hexdigest()[:16]


def body_key(body: str) -> str:
    """Cache key of a body's analysis: its text and the code that analyses it."""
    return hashlib.sha256(_code_version().encode() + body.encode("utf-8")).hexdigest()


class _Memo:
    """Recent analyses in memory (bounded), the rest in the persistent store when one is set."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.recent: OrderedDict[str, Analysis] = OrderedDict()
        self.store: Any = None          # generator.cache.Store, set by `use_store`
        # body -> analysis read ahead from the store (`fetch_ahead`), each taken once by `get`
        self.fetched: dict[str, Analysis] = {}

    def fetch_ahead(self, bodies: Iterable[str]) -> None:
        """Read the stored analyses of `bodies` in one query (a render worker's next slice
        of pages): one query per document cost ~25 µs, far more than the row itself."""
        if self.store is None:
            return
        self.fetched.clear()            # a slice's leftovers (a page not rendered after all)
        keyed = {body_key(b): b for b in dict.fromkeys(bodies) if b}
        for key, data in self.store.get_many(list(keyed)).items():
            analysis = _decode(data)
            if analysis is not None:
                self.fetched[keyed[key]] = analysis

    def get(self, body: str) -> Analysis:
        ahead = self.fetched.pop(body, None)
        if ahead is not None:
            return ahead
        key = body_key(body)
        hit = self.recent.get(key)
        if hit is not None:
            self.recent.move_to_end(key)
            return hit
        found = self.store.get(key) if self.store is not None else None
        analysis = _decode(found) if found is not None else None
        if analysis is None:
            analysis = _analyse_now(body)
            if self.store is not None:
                self.store.put(key, _encode(analysis))
        self.recent[key] = analysis
        if len(self.recent) > self.size:
            self.recent.popitem(last=False)
        return analysis


def _encode(a: Analysis) -> bytes:
    return marshal.dumps((a.html, a.headings, a.text, a.unsafe))


def _decode(data: bytes) -> Analysis | None:
    try:
        html, heads, text, unsafe = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    # marshal gives back the tuples _encode was given (the key names this code: no other
    # writer's entry is found); anything else is a foreign entry, a miss
    if type(html) is not str or type(heads) is not tuple or type(text) is not str or type(unsafe) is not tuple:
        return None
    return Analysis(html, heads, text, unsafe)


_memo = _Memo()


def use_store(store: Any) -> None:
    """Keep analyses in a persistent store (generator.cache.Store) too; None to stop."""
    _memo.store = store


def fetch_ahead(bodies: Iterable[str]) -> None:
    """Have the stored analyses of `bodies` ready for `analyse` (one store query for all):
    each is taken once, and the next call lets go of those not taken."""
    _memo.fetch_ahead(bodies)


def analyse(body: str) -> Analysis:
    """HTML, headings, plain text and unsafe links of a Markdown body, from one parse."""
    return _memo.get(body)


# Bodies this process analysed in a warm-up (`analysed`) and found without an unsafe link.
# Validation asks every body for its unsafe links right after the warm-up, and would read
# each whole analysis back from the store (a query, a decode) to learn that there are none.
# Bodies, not keys: validation holds the same strings, whose hashes Python keeps. Emptied by
# validation when it is done (`forget_warmed`), and bounded in case it never runs.
_without_unsafe_links: set[str] = set()
WITHOUT_UNSAFE_MAX = 200_000


def analysed(keyed: Sequence[tuple[str, str]]) -> list[tuple[str, bytes]]:
    """(key, encoded analysis) of every (`body_key`, body), without asking the store (the
    warm-up knows the store lacks them, and made their keys to find that out)."""
    out: list[tuple[str, bytes]] = []
    clean = _without_unsafe_links
    for key, body in keyed:
        analysis = _analyse_now(body)
        if not analysis.unsafe and len(clean) < WITHOUT_UNSAFE_MAX:
            clean.add(body)
        out.append((key, _encode(analysis)))
    return out


def forget_warmed() -> None:
    """Let go of the bodies the last warm-up found without unsafe links (validation is done)."""
    _without_unsafe_links.clear()


def render(body: str) -> str:
    """HTML for a Markdown body. Raw HTML is shown as text; unsafe links are not links."""
    return analyse(body).html


def plain_text(body: str) -> str:
    """The text a reader sees, for search and snippets."""
    return analyse(body).text


def headings(body: str) -> list[tuple[int, str, str]]:
    """(level, text, anchor) of each h2–h4, for a table of contents."""
    return list(analyse(body).headings)


def unsafe_links(body: str) -> Sequence[tuple[int, str]]:
    """(0-based line within the body, url) of every link or image with a forbidden scheme."""
    if body in _without_unsafe_links:
        return []
    return list(analyse(body).unsafe)
