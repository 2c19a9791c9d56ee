"""Fast path of the Markdown analysis: markdown-it-pyrs (Rust) parses, Python renders.

markdown-it-pyrs is a port of the same markdown-it the markdown-it-py engine follows, and
builds its syntax tree in a tenth of the time. From that tree this module writes exactly the
`Analysis` fields the markdown-it-py engine (generator.markdown) gives — HTML, headings,
plain text — with markdown-it-py's renderer rules, our Chinese line joins and its anchors.
Where the two parsers could disagree it does not guess: `analyse` returns None and the
caller uses markdown-it-py. That is:

- a link or image our policy refuses (the result needs its line number, and Rust drops the
  links *it* refuses, so a body that could spell such a scheme is refused up front);
- a link whose URL markdown-it-py would normalise differently (it parses the URL and
  punycodes the host first; Rust only percent-encodes): only relative URLs, http(s) and
  protocol-relative URLs with a plain ASCII host, and plain ASCII mailto addresses pass;
- emphasis next to a Unicode symbol, control or line separator (punctuation to
  markdown-it-py, not to Rust), and runs of three or more * or _ inside text;
- a table without blank lines around it, with a row not starting with | or holding an
  escaped |, a quote with a lazy line, a code span over a line end, a setext heading
  over lines;
- numeric character references, carriage returns and NULs, escaped or entity-bearing fence
  info, a Rust panic, and any node this module does not know.

Each of these was found by the differential tests (tests/core/test_markdown_rs.py), which
compare this path with markdown-it-py on generated bodies, the example site and a corpus.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator
from urllib.parse import unquote

from markdown_it.common.normalize_url import normalizeLinkText
from markdown_it.common.utils import MD_TRIM_RE, escapeHtml, mdTrim

from generator.markdown import _is_wide, _normalize_link, is_safe_url, slugify

try:
    import markdown_it_pyrs
except ImportError:             # the fast path is optional: markdown-it-py does it all then
    markdown_it_pyrs = None  # type: ignore[assignment]

VERSION = getattr(markdown_it_pyrs, "__version__", "")

# CommonMark + tables, raw HTML off: the markdown-it-py engine's rules, from 'zero'.
_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
          "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image",
          "link", "newline", "table"]

# URLs whose markdown-it-py normalisation (mdurl parse, punycode host, format, encode) is
# exactly Rust's percent-encoding: the parse round-trips and no host needs punycode.
_PLAIN_HOST_URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]{1,200}(?::[0-9]+)?(?:[/?#]|$)", re.I)
_PLAIN_MAILTO = re.compile(r"mailto:[A-Za-z0-9._+-]+@[A-Za-z0-9.-]{1,200}", re.I)
_SCHEME_OR_HOST = re.compile(r"[A-Za-z0-9.+-]+:|//")

_INLINE = frozenset(("text", "text_special", "softbreak", "hardbreak", "em", "strong", "link",
                     "image", "autolink", "code_inline"))


class _Unsure(Exception):
    """Something the fast path cannot prove it writes as markdown-it-py does."""


@lru_cache(maxsize=4096)
def _provable(url: str) -> bool:
    """Whether Rust's URL (the destination percent-encoded) is markdown-it-py's too, and safe."""
    if not is_safe_url(url):
        return False                            # markdown-it-py reports it, with its line
    if "%" in url:
        plain = unquote(url)
        if plain != plain.strip():
            return False                        # mdurl trims the destination first
    if _SCHEME_OR_HOST.match(url):              # a host mdurl parses (and may punycode)
        return bool(_PLAIN_HOST_URL.match(url) or _PLAIN_MAILTO.fullmatch(url))
    return True


def _checked_url(url: str) -> str:
    if not _provable(url):
        raise _Unsure
    return url


_TEXT = ("text", "text_special")


def _escape(s: str) -> str:
    """markdown-it-py's escapeHtml, skipping its four replaces for text without & < > \"."""
    # four substring tests cost less than one regex search on the short texts of cells
    return escapeHtml(s) if "&" in s or "<" in s or ">" in s or '"' in s else s


# --- inline content: markdown-it-py's flat token list, seen through the tree ---------------

def _run_edge(children: Any, j: int, step: int) -> str:
    """The character a text run touches a soft break with, or "" if no text token is there.
    markdown-it-py joins adjacent text and text_special tokens into one (text_join)."""
    while 0 <= j < len(children):
        node = children[j]
        if node.name not in _TEXT:
            break
        content = node.meta["content"]
        if content:
            return content[-1] if step < 0 else content[0]
        j += step
    return ""


def _inline(children: Any, html: list[str], text: list[str], doc: "_Document", edges: bool = False) -> None:
    """HTML of inline nodes, and the text markdown-it-py's text and code_inline tokens hold.
    `edges`: these are a paragraph's, heading's or cell's own children, whose first and last
    text must not start or end with a space only markdown-it-py trims (`_trimmed_differently`;
    an entity or escape, text_special, was no space in the source: nothing trimmed it)."""
    last = len(children) - 1
    add = html.append
    for i, node in enumerate(children):
        name = node.name
        if name == "text":
            content = node.meta["content"]
            if edges and ((i == 0 and content[:1] in _UNICODE_SPACES)
                          or (i == last and content[-1:] in _UNICODE_SPACES)):
                raise _Unsure
            add(_escape(content))
            text.append(content)
        elif name == "text_special":
            content = node.meta["content"]
            add(_escape(content))
            text.append(content)
        elif name == "softbreak":
            # generator.markdown._join_wide_breaks: between two text tokens with wide ends
            if _is_wide(_run_edge(children, i - 1, -1)) and _is_wide(_run_edge(children, i + 1, 1)):
                continue
            add("\n")
        elif name == "link":
            meta = node.meta
            title = meta.get("title")
            add('<a href="' + _escape(_checked_url(meta["url"])) + '"'
                + (' title="' + _escape(title) + '"' if title else "") + ">")
            _inline(node.children, html, text, doc)
            add("</a>")
        elif name == "hardbreak":
            add("<br />\n")
        elif name == "code_inline":
            start, end = node.srcmap
            if b"\n" in doc.source_bytes()[start:end]:
                raise _Unsure                   # line ends inside code: trimmed differently
            content = "".join(c.meta["content"] for c in node.children)
            add("<code>" + _escape(content) + "</code>")
            text.append(content)
        elif name == "em" or name == "strong":
            add("<" + name + ">")
            _inline(node.children, html, text, doc)
            add("</" + name + ">")
        elif name == "autolink":
            _autolink(node, html, text)
        elif name == "image":
            meta = node.meta
            title = meta.get("title")
            add('<img src="' + _escape(_checked_url(meta["url"])) + '" alt="'
                + _escape(_alt(node.children)) + '"'
                + (' title="' + _escape(title) + '"' if title else "") + " />")
        else:
            raise _Unsure


def _autolink(node: Any, html: list[str], text: list[str]) -> None:
    raw = "".join(c.meta["content"] for c in node.children)
    # the autolink's own text is its URL: markdown-it-py's href and text, from it (an
    # e-mail autolink is the one kind without a scheme)
    href = _normalize_link(raw if ":" in raw else "mailto:" + raw)
    if not is_safe_url(href):
        raise _Unsure
    shown = normalizeLinkText(raw)
    html.append('<a href="' + _escape(href) + '">' + _escape(shown) + "</a>")
    text.append(shown)


def _alt(children: Any) -> str:
    """markdown-it-py's renderInlineAsText: text, code and nested images; breaks as newlines;
    the open and close tokens of emphasis and links add nothing, their children do."""
    out: list[str] = []
    for node in children:
        name = node.name
        if name == "text" or name == "text_special":
            out.append(node.meta["content"])
        elif name == "code_inline":
            out.append("".join(c.meta["content"] for c in node.children))
        elif name == "softbreak" or name == "hardbreak":
            out.append("\n")
        elif name in ("image", "em", "strong", "link"):
            out.append(_alt(node.children))
        elif name == "autolink":
            out.append(normalizeLinkText("".join(c.meta["content"] for c in node.children)))
        else:
            raise _Unsure
    return "".join(out)


# --- blocks: markdown-it-py's block tokens, written by its renderToken rules ----------------

# markdown-it-py trims a paragraph's, heading's or cell's content of Unicode spaces too (the
# ideographic space 　 a Chinese paragraph may start with); the Rust port of ASCII ones only.
# A superset of the spaces it trims: those are declined.
_UNICODE_SPACES = frozenset(chr(c) for c in range(0x80, 0x3001) if chr(c).isspace())
_UNICODE_SPACE_CHARS = "".join(sorted(_UNICODE_SPACES))


_ANY_UNICODE_SPACE = re.compile("[" + re.escape(_UNICODE_SPACE_CHARS) + "]")


def _trimmed_differently(content: str) -> bool:
    """Whether the text starts or ends with one of those spaces (one strip instead of two
    slices and two set lookups: it runs for every cell, heading and paragraph)."""
    return content.strip(_UNICODE_SPACE_CHARS) != content


class _Document:
    """The HTML as generator.markdown._Renderer writes the block tokens (xhtmlOut on): an
    opening tag ends its line unless an inline token, a hidden (tight list) paragraph or its
    own closing tag follows; an opening tag right after a hidden paragraph starts a line."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.raw: bytes | None = None
        self.out: list[str] = []
        self.open_tag: str | None = None      # the last token was this opening tag
        self.after_hidden = False             # the last token was a hidden paragraph's close
        self.text: list[str] = []
        self.headings: list[tuple[int, str, str]] = []
        self.slugs: set[str] = set()

    def _settle(self, joins: bool) -> None:
        """Before a token: the previous opening tag's line end (none if this token `joins`)."""
        if self.open_tag is not None:
            if not joins:
                self.out.append("\n")
            self.open_tag = None
        self.after_hidden = False

    def open(self, tag: str, attrs: str = "") -> None:
        lead = "\n<" if self.after_hidden else "<"
        self._settle(False)
        self.out.append(lead + tag + attrs + ">")
        self.open_tag = tag

    def close(self, tag: str) -> None:
        self._settle(self.open_tag == tag)
        self.out.append("</" + tag + ">\n")

    def single(self, tag: str) -> None:
        lead = "\n<" if self.after_hidden else "<"
        self._settle(False)
        self.out.append(lead + tag + " />\n")

    def inline(self, children: Any) -> str:
        """An inline token; returns its text (and code) tokens' content."""
        self._settle(True)
        return self._inline_content(children)

    def _inline_content(self, children: Any) -> str:
        if len(children) == 1:
            only = children[0]
            if only.name == "text":                                 # most cells and headings
                content = only.meta["content"]
                if _trimmed_differently(content):
                    raise _Unsure
                self.out.append(_escape(content))
                if content:
                    self.text.append(content)
                return content
        parts: list[str] = []
        _inline(children, self.out, parts, self, True)
        joined = "".join(parts)
        if joined:
            self.text.append(joined)
        return joined

    def leaf(self, tag: str, children: Any, attrs: str = "") -> str:
        """A paragraph, heading or cell: its opening tag, inline token and closing tag (an
        inline token next: the opening tag keeps its line). Returns the inline's text."""
        out = self.out
        if self.open_tag is not None:           # self._settle(False), for the most common token
            out.append("\n")
            self.open_tag = None
        if self.after_hidden:
            self.after_hidden = False
            out.append("\n<" + tag + attrs + ">")
        else:
            out.append("<" + tag + attrs + ">")
        title = self._inline_content(children)
        out.append("</" + tag + ">\n")
        return title

    def hidden_paragraph(self, children: Any) -> None:
        self._settle(True)                     # a hidden token after an opening tag joins it
        self.inline(children)
        self.after_hidden = True

    def code(self, html: str, content: str) -> None:
        self._settle(False)
        self.out.append(html)
        if content:
            self.text.append(content)

    def source_bytes(self) -> bytes:
        """The body in UTF-8: the tree's source positions count its bytes."""
        if self.raw is None:
            self.raw = self.body.encode("utf-8")
        return self.raw

    def source(self, children: Any) -> str:
        """A heading's inline source, as markdown-it-py's inline token holds it."""
        if not children:
            return ""
        content = self.source_bytes()[children[0].srcmap[0]:children[-1].srcmap[1]].decode("utf-8")
        if "\n" in content:
            raise _Unsure                       # a setext heading over lines: indents differ
        return content


def _blocks(doc: _Document, children: Any) -> None:
    for node in children:
        name = node.name
        if name == "paragraph":
            doc.leaf("p", node.children)
        elif name == "heading" or name == "lheading":      # ATX or setext
            _heading(doc, node)
        elif name == "bullet_list" or name == "ordered_list":
            _list(doc, node, "ul" if name == "bullet_list" else "ol")
        elif name == "blockquote":
            _check_no_lazy_lines(doc, node)
            doc.open("blockquote")
            _blocks(doc, node.children)
            doc.close("blockquote")
        elif name == "fence":
            _fence(doc, node)
        elif name == "code_block":
            content = node.meta["content"]
            doc.code("<pre><code>" + _escape(content) + "</code></pre>\n", content)
        elif name == "hr":
            doc.single("hr")
        elif name == "table":
            _table(doc, node)
        elif name == "definition":
            # writes nothing, but markdown-it-py notes an unsafe one (and then, strict,
            # reads its line as a paragraph)
            _checked_url(node.meta["destination"])
        else:
            raise _Unsure


def _list(doc: _Document, node: Any, tag: str) -> None:
    start = node.meta.get("start", 1) if tag == "ol" else 1
    doc.open(tag, ' start="%d"' % start if start != 1 else "")
    for item in node.children:
        if item.name != "list_item":
            raise _Unsure
        # a tight item holds its paragraphs' inline nodes directly: markdown-it-py's hidden
        # paragraph tokens around them
        doc.open("li")
        pending: list[Any] = []
        for child in item.children:
            if child.name in _INLINE:
                pending.append(child)
                continue
            if pending:
                doc.hidden_paragraph(pending)
                pending = []
            _blocks(doc, (child,))
        if pending:
            doc.hidden_paragraph(pending)
        doc.close("li")
    doc.close(tag)


def _table(doc: _Document, node: Any) -> None:
    raw = doc.source_bytes()
    prefix = _table_prefix(doc, node)
    styles = []
    for align in node.meta["alignments"]:
        if align not in ("none", "left", "center", "right"):
            raise _Unsure
        styles.append(' style="text-align:' + align + '"' if align != "none" else "")
    doc.open("table")
    out, text = doc.out, doc.text
    for part in node.children:
        part_name = part.name
        if part_name not in ("thead", "tbody"):
            raise _Unsure
        cell = "th" if part_name == "thead" else "td"
        opening = ["<" + cell + style + ">" for style in styles]
        closing = "</" + cell + ">\n"
        # one style for every column (no alignment, the common table): a row's cells are its
        # escaped texts joined by this
        between = closing + opening[0] if len(set(opening)) == 1 else None
        doc.open(part_name)
        for row in part.children:
            if row.name != "trow":
                raise _Unsure
            # markdown-it-py ends a table's body where the Rust port may not (_table_prefix)
            at = row.srcmap[0]
            if raw[at:at + 1] != b"|" or raw[raw.rfind(b"\n", 0, at) + 1:at] != prefix:
                raise _Unsure
            cells = row.children
            if not cells:
                doc.open("tr")
                doc.close("tr")
                continue
            if len(cells) > len(opening):
                raise _Unsure
            # As doc.open, doc.leaf and doc.close write them: the row's line (no hidden
            # paragraph is in a table), each cell (none leaves an opening tag behind), its end.
            if doc.open_tag is not None:
                out.append("\n")
                doc.open_tag = None
            out.append("<tr>\n")
            plain = _row_texts(raw, at, len(cells))
            if plain is None:
                end = raw.find(b"\n", at)
                if b"\\|" in raw[at:end if end >= 0 else len(raw)]:
                    raise _Unsure               # an escaped | in a row: cells are split differently
                plain = _plain_cells(cells)
            if plain is None:
                for i, c in enumerate(cells):
                    out.append(opening[i])
                    doc._inline_content(c.children)
                    out.append(closing)
            else:
                # The texts joined by a NUL, which no body the fast path takes holds (analyse
                # declines those with one, and numeric references): one search, one escape
                # and one split or replace for the row instead of three calls per cell.
                joined = "\x00".join(plain)
                if _ANY_UNICODE_SPACE.search(joined) and any(map(_trimmed_differently, plain)):
                    raise _Unsure               # as doc._inline_content
                html = _escape(joined)
                if between is not None:
                    out.append(opening[0] + html.replace("\x00", between) + closing)
                else:
                    for i, cell_html in enumerate(html.split("\x00")):
                        out.append(opening[i] + cell_html + closing)
                text.extend(filter(None, plain))
            out.append("</tr>\n")
        doc.close(part_name)
    doc.close("table")


# Bytes of a row's line that may make a cell's text anything but one text node holding the
# cell's source: what an enabled inline rule reacts to (escape, code, emphasis, entity,
# autolink, link, image), more than that (: ~ >) to be safe, and every control (tab, line end).
_NOT_PLAIN_ROW = re.compile(rb"[\x00-\x1f\x7f\\`*_&<>\[\]!~:]")


def _row_texts(raw: bytes, at: int, cells: int) -> list[str] | None:
    """The texts of a row's `cells` read from its line in the source (from `at`, its |), as
    _plain_cells reads them from the cell nodes: each text between two |, without its
    spaces, when nothing in the line is markup and it has the cells the parser found; else
    None. Reading the line costs a third of reading three nodes per cell."""
    end = raw.find(b"\n", at)
    line = raw[at:end if end >= 0 else len(raw)].rstrip(b" ")
    if len(line) < 2 or not line.endswith(b"|") or _NOT_PLAIN_ROW.search(line):
        return None
    texts = line[1:-1].decode("utf-8").split("|")
    if len(texts) != cells:
        return None
    return [t.strip(" ") for t in texts]


def _plain_cells(cells: Any) -> list[str] | None:
    """Each cell's text, when every cell is one text node or empty (no link, emphasis,
    entity...): what doc._inline_content writes as the escaped text; None otherwise."""
    texts = []
    for c in cells:
        if c.name != "tcell":
            raise _Unsure
        children = c.children
        if not children:
            texts.append("")
        elif len(children) == 1 and (only := children[0]).name == "text":
            texts.append(only.meta["content"])
        else:
            return None
    return texts


def _check_no_lazy_lines(doc: _Document, node: Any) -> None:
    """A quote's line without > continues its paragraph lazily, unless another block starts
    there: the two parsers do not agree which (an empty list item, say). Every line marked."""
    raw = doc.source_bytes()
    start, end = node.srcmap
    for line in raw[start:end].split(b"\n"):
        if not line.lstrip(b" ").startswith(b">"):
            raise _Unsure


def _table_prefix(doc: _Document, node: Any) -> bytes:
    """markdown-it-py ends a table's body at a line another block could start with (a list
    item, a quote, indented code...), the Rust port does not. Taken only when that cannot
    matter: every row starts with | (nothing else starts with it) after the same prefix as
    the header row (which `_table` checks row by row: this gives the prefix), and the table
    has a blank line (or the body's edge) before and after it: whether a table may interrupt
    a paragraph (or a quote's lazy line) differs too."""
    raw = doc.source_bytes()
    start, end = node.srcmap
    line = raw.rfind(b"\n", 0, start) + 1
    prefix = raw[line:start]
    if line and raw[raw.rfind(b"\n", 0, line - 1) + 1:line - 1].strip(b" \t>"):
        raise _Unsure
    after = raw[end:raw.find(b"\n", end + 1) if raw.find(b"\n", end + 1) >= 0 else len(raw)]
    if after.strip(b" \t\n>"):
        raise _Unsure
    return prefix


def _heading(doc: _Document, node: Any) -> None:
    level = node.meta["level"]
    if level not in (1, 2, 3, 4, 5, 6):
        raise _Unsure
    tag = "h%d" % level
    children = node.children
    if not 2 <= level <= 4:
        doc.leaf(tag, children)
        return
    # mdit_py_plugins.anchors: the slug of the text and code tokens, unique in the document
    opening = len(doc.out) + (doc.open_tag is not None)     # after the line end it may settle
    slug = _unique_slug(doc.leaf(tag, children), doc.slugs)
    doc.out[opening] = doc.out[opening][:-1] + ' id="' + _escape(slug) + '">'
    doc.headings.append((level, doc.source(children), slug))


def _unique_slug(title: str, slugs: set[str]) -> str:
    """mdit_py_plugins.anchors: the slug of a heading's text, made unique in its document by
    a number after it (`slugs`: those taken before, which it joins)."""
    slug = base = slugify(title)
    n = 1
    while slug in slugs:
        slug = f"{base}-{n}"
        n += 1
    slugs.add(slug)
    return slug


def _fence(doc: _Document, node: Any) -> None:
    meta = node.meta
    info = meta["info"]
    if "\\" in info or "&" in info:
        raise _Unsure                           # markdown-it-py unescapes the info string
    content = meta["content"]
    info = mdTrim(info) if info else ""
    if info:
        lang = MD_TRIM_RE.split(info, maxsplit=1)[0]
        opening = '<pre><code class="' + _escape("language-" + lang) + '">'
    else:
        opening = "<pre><code>"
    doc.code(opening + _escape(content) + "</code></pre>\n", content)


_engine: Any = None


def _parser() -> Any:
    global _engine
    if _engine is None:
        _engine = markdown_it_pyrs.MarkdownIt("zero").enable_many(_RULES)
    return _engine


def available() -> bool:
    return markdown_it_pyrs is not None


_SIGN = re.compile(r"[:&\\]")
_REFUSED_SCHEMES = ("javascript", "vbscript", "file", "data")


def _maybe_refused_by_rust(body: str) -> bool:
    """Whether a link Rust drops (javascript:, vbscript:, file:, data:) may be in the body:
    its scheme is spelled with literal letters (no named reference yields one of them) or
    numeric references, then a colon, a reference (&colon;) or an escaped colon."""
    for m in _SIGN.finditer(body):
        at = m.start()
        if body.startswith("&#", at):
            return True
        if body[max(0, at - 16):at].rstrip().lower().endswith(_REFUSED_SCHEMES):
            return True
    return False


# Emphasis: whether a * or _ run opens or closes depends on whether its neighbours are
# punctuation. markdown-it-py counts Unicode symbols (₩, ＋, ～) as punctuation, as
# CommonMark 0.31 says; the Rust port predates that. Letters, digits, marks, Unicode
# punctuation (，。“”《》) and space separators (the ideographic space) are classed alike.
_BESIDE_DELIMITER = re.compile(r"[*_]([^\x00-\x7f])|([^\x00-\x7f])(?=[*_])")


@lru_cache(maxsize=4096)
def _classed_alike(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "LMNP" or category == "Zs"     # Zs (　) is space to both


# Runs of three or more * or _ pair up differently in the two ports (where both could
# close, which pair wins); a line of only such characters is a rule, no emphasis.
_LONG_RUN = re.compile(r"\*{3,}|_{3,}")


def _emphasis_may_differ(body: str) -> bool:
    if "*" not in body and "_" not in body:
        return False
    for m in _BESIDE_DELIMITER.finditer(body):
        if not _classed_alike(m.group(1) or m.group(2)):
            return True
    for m in _LONG_RUN.finditer(body):
        end = body.find("\n", m.end())
        if body[body.rfind("\n", 0, m.start()) + 1:end if end >= 0 else len(body)].strip(" \t*_-"):
            return True
    return False


@contextmanager
def _rust_panics_unprinted() -> Iterator[None]:
    """Standard error (descriptor 2) to /dev/null while Rust parses: markdown-it-pyrs 0.4
    panics in its code-span rule on some bodies with backticks (caught below; markdown-it-py
    takes the body), and Rust's panic hook prints "thread panicked at ... index out of
    bounds" on descriptor 2 first, which a secretariat would read as the build failing.
    Only bodies with a backtick pay for it (no other panic was found by fuzzing)."""
    sys.stderr.flush()
    saved = os.dup(2)
    quiet = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(quiet, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(quiet)


# --- plain bodies: the parser's own HTML --------------------------------------------------
# Most disclosures are headings, one-line paragraphs, one-line list items and tables of
# plain text and links, a blank line between blocks. For such a body (`_PLAIN_BODY`, a
# grammar of lines) the Rust renderer's HTML is, but for the headings' anchors, exactly what
# the walk above writes (tests/core/test_markdown_rs.py proves it on bodies drawn from the
# grammar): it costs a third of building the syntax tree, and the anchors, headings and
# text are read from the source and the HTML. Anything else takes the walk.

# a plain character: no markup any enabled rule reacts to, no control, no space of any kind
_PLAIN_CHAR = "[^\\x00-\\x20\\x7f\\\\`*_&<>\\[\\]!~:|#" + re.escape(_UNICODE_SPACE_CHARS) + "]"
# the first of a paragraph or item: a letter or a wide character (no list marker, no digit)
_FIRST_CHAR = "(?:[A-Za-z]|(?!" + _PLAIN_CHAR.replace("[^", "[\\x00-\\x7f", 1) + ")" + _PLAIN_CHAR + ")"
# (possessive: a run is never given back, so a body that fails fails at once)
_PLAIN_TEXT = _PLAIN_CHAR + "++(?: ++" + _PLAIN_CHAR + "++)*+"
# a link to a destination without spaces, quotes, entities, escapes or emphasis marks
_LINK = "\\[" + _PLAIN_TEXT + "\\]\\([^\\x00-\\x20\\x7f\\\\\"'<>()\\[\\]&`*_" + re.escape(_UNICODE_SPACE_CHARS) + "]+\\)"
_INLINE_LINE = "(?:" + _LINK + "|" + _FIRST_CHAR + ")(?: *+(?:" + _LINK + "|" + _PLAIN_CHAR + "++))*+"
_CELL = " *(?:" + _PLAIN_TEXT + ")? *"
_BLOCK = "|".join([
    "#{1,6} " + _PLAIN_TEXT,                                                # ATX heading
    _INLINE_LINE,                                                           # paragraph
    "[0-9]{1,9}\\. " + _INLINE_LINE + "(?:\\n[0-9]{1,9}\\. " + _INLINE_LINE + ")*",   # ordered list
    "- " + _INLINE_LINE + "(?:\\n- " + _INLINE_LINE + ")*",                 # bullet list
    "\\|(?:" + _CELL + "\\|)+\\n\\|(?: *:?-+:? *\\|)+(?:\\n\\|(?:" + _CELL + "\\|)+)*",   # table
])
_PLAIN_BODY = re.compile("\\n*(?:" + _BLOCK + ")(?:\\n\\n+(?:" + _BLOCK + "))*\\n*")
_PLAIN_HEADING = re.compile("^(#{2,4}) (.*)$", re.M)
_TABLE_HEAD = re.compile("^(\\|.*)\n(\\|(?: *:?-+:? *\\|)+)$", re.M)
# a line end in an inline token's HTML (a soft break), not between two tags
_SOFT_BREAK = re.compile("[^>]\n|\n[^<]")
_HEADING_TAG = re.compile("<h([2-4])>")
_TAG = re.compile("<[^>]*>")
_HREF = re.compile('<a href="([^"]*)">')


def _unescape(html: str) -> str:
    """escapeHtml undone (plain text has no & of its own: only escapeHtml's are there)."""
    if "&" not in html:
        return html
    return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _analyse_plain(body: str) -> tuple[str, tuple[tuple[int, str, str], ...], str] | None:
    """The walk's (html, headings, text) for a body of `_PLAIN_BODY`, from the Rust HTML; None
    where the lines do not make the blocks the grammar says (the walk takes the body then)."""
    # a copy for the parser (as for the tree: the body keeps no UTF-8 copy inside it)
    for head, delimiter in _TABLE_HEAD.findall(body):
        if head.count("|") != delimiter.count("|"):
            return None                         # no table: its lines are one paragraph
    html = _parser().render(body.encode("utf-8").decode("utf-8"))
    if _SOFT_BREAK.search(html):
        return None                             # lines read as one block: the walk's soft breaks
    for href in _HREF.findall(html):
        if not _provable(_unescape(href)):
            return None                         # as the walk's _checked_url
    # Each inline token (a heading's, paragraph's, tight item's or cell's) is one line of
    # this HTML, the block tags are lines of their own: its lines without tags are the text.
    text = "\n".join(filter(None, _unescape(_TAG.sub("", html)).split("\n")))
    found = _PLAIN_HEADING.findall(body)
    if not found:
        return html, (), text
    # the titles' sources are their plain text, what the walk slugifies
    slugs: set[str] = set()
    headings = [(len(hashes), title, _unique_slug(title, slugs)) for hashes, title in found]
    anchors = iter(headings)
    html = _HEADING_TAG.sub(lambda m: '<h' + m.group(1) + ' id="' + _escape(next(anchors)[2]) + '">', html)
    if next(anchors, None) is not None:
        return None                             # a heading line the parser read otherwise
    return html, tuple(headings), text


def analyse(body: str) -> tuple[str, tuple[tuple[int, str, str], ...], str] | None:
    """(html, headings, text) exactly as the markdown-it-py engine gives them for a body
    without unsafe links, or None when this path cannot promise that."""
    if (markdown_it_pyrs is None or "\r" in body or "\x00" in body or _maybe_refused_by_rust(body)
            or _emphasis_may_differ(body)):
        return None
    if _PLAIN_BODY.fullmatch(body):
        try:
            found = _analyse_plain(body)
        except StopIteration:
            found = None                        # more h2-h4 tags than heading lines
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:                   # a Rust panic: the walk (or markdown-it-py) then
            found = None
        if found is not None:
            return found
    try:
        doc = _Document(body)
        # The parser reads a str as UTF-8, which CPython then keeps inside the str for as
        # long as it lives, and the build keeps its bodies: 13 MB more at 10k documents.
        # Its own copy, made from the bytes the tree's positions count anyway, is freed.
        raw = doc.source_bytes()
        if "`" in body:
            with _rust_panics_unprinted():
                tree = _parser().tree(raw.decode("utf-8"))
        else:
            tree = _parser().tree(raw.decode("utf-8"))
        _blocks(doc, tree.children)
    except (_Unsure, KeyError, TypeError, IndexError, UnicodeDecodeError):
        return None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:       # pyo3's PanicException (a Rust panic) is no Exception
        return None
    return "".join(doc.out), tuple(doc.headings), "\n".join(doc.text)
