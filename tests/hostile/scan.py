"""Scanners over a built site: what a reader (or a scraper) could read in any output file."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from generator.identifiers import find_personal_data
from generator.load import load_content
from generator.markdown import plain_text

THEME_SCRIPT_SRC = re.compile(r"^/static/[a-z-]+\.[0-9a-f]{10}\.js$")
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data"})
# An event-handler attribute inside a tag: <a onclick=…>, <img src=x onerror=…>.
DATE_OR_CODE = re.compile(r"^(\d{4}-\d{2}-\d{2}|[a-z_]+)$")


def output_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def readable_text(path: Path) -> str:
    """The file's text as a reader sees it: entities decoded, JSON \\u escapes undone."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix == ".json":
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return html.unescape(text)


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self.script_text.append((self._in_script, data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def browser_scheme(url: str) -> str | None:
    """The scheme a browser's URL parser gives an attribute value (WHATWG URL: leading and
    trailing C0 controls and spaces are stripped, tabs and newlines removed anywhere)."""
    cleaned = re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(0x21)))))
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return m.group(1).lower() if m else None


SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def attribute_urls(root: Path) -> list[tuple[str, str]]:
    """(file, url) for every URL-valued attribute of every HTML/XML output."""
    out = []
    for path in output_files(root):
        if path.suffix in (".html", ".xml", ".svg"):
            parser = _Tags()
            parser.feed(path.read_text("utf-8", errors="replace"))
            parser.close()
            out += [(path.relative_to(root).as_posix(), v) for _t, attrs in parser.tags
                    for name, v in attrs.items() if name in URL_ATTRIBUTES and v is not None]
    return out


def _theme_script(rel: str, attrs: dict[str, str | None]) -> bool:
    if attrs.get("type") == "application/ld+json" and "src" not in attrs:
        return True
    src = attrs.get("src") or ""
    if THEME_SCRIPT_SRC.match(src) and set(attrs) <= {"src", "defer", "type"}:
        return True
    # The editors' CMS page (Decap) is the generator's own and lives only under /admin/.
    return rel.startswith("admin/") and src.startswith("/admin/") and src.endswith(".js")


def foreign_scripts(root: Path) -> list[str]:
    """Script a browser would run that is not the theme's own: <script> other than JSON-LD
    data and the theme's files, event-handler attributes, javascript: URLs in attributes."""
    found = []
    for path in output_files(root):
        if path.suffix not in (".html", ".xml", ".svg"):
            continue
        rel = path.relative_to(root).as_posix()
        parser = _Tags()
        parser.feed(path.read_text("utf-8", errors="replace"))
        parser.close()
        for tag, attrs in parser.tags:
            if tag == "script" and not _theme_script(rel, attrs):
                found.append(f"{rel}: <script {attrs}>")
            for name, value in attrs.items():
                if name.startswith("on"):
                    found.append(f"{rel}: <{tag} {name}=…>")
                if value and name in URL_ATTRIBUTES and browser_scheme(value) not in (None, *SAFE_SCHEMES):
                    found.append(f"{rel}: <{tag} {name}={value[:30]}>")
        for attrs, text in parser.script_text:
            if attrs.get("type") == "application/ld+json" and "<" in text:
                found.append(f"{rel}: markup inside JSON-LD")  # "</script" would end the element early
    return found


def personal_data(root: Path) -> list[str]:
    found = []
    for path in output_files(root):
        for hit in find_personal_data(readable_text(path)):
            found.append(f"{path.relative_to(root)}:{hit.line}: {hit.kind} {hit.masked}")
    return found


@dataclass(frozen=True)
class Private:
    rel: str
    url_path: str
    strings: tuple[str, ...]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _enum_labels() -> frozenset[str]:
    """Chinese and English labels of every enumeration: vocabulary, not a document's text."""
    from generator import kinds  # noqa: F401  (imports every model, so every enum exists)
    from generator.models.common import Labelled
    return frozenset(label for enum in Labelled.__subclasses__() for pair in enum.labels().values() for label in pair)


ENUM_LABELS = _enum_labels()


def private_documents(content: Path, min_chars: int = 8) -> list[Private]:
    """Member-only and privacy-flagged documents, each with the strings only it contains.

    A string counts as distinctive when no public source holds it (an employer's name
    may rightly appear in a public record too)."""
    loaded = load_content(content)
    private, public_text = [], []
    for raw in loaded.documents:
        is_private = raw.data.get("audience") in ("members", "向会员公开") or raw.data.get("privacy") is True
        (private if is_private else public_text).append(raw if is_private else raw.text)
    if loaded.site is not None:
        public_text.append(loaded.site.text)
    everything_public = "\n".join(public_text)
    out = []
    for raw in private:
        # What a reader would see: string values (not dates or codes) and the rendered body text.
        candidates = [s for s in _strings(raw.data) if not DATE_OR_CODE.match(s) and s not in ENUM_LABELS]
        candidates += plain_text(raw.body or "").split("\n")
        strings = sorted({s.strip() for s in candidates
                          if len(s.strip()) >= min_chars and s.strip() not in everything_public})
        url = f"associations/{raw.association}/{raw.folder}/{raw.stem}/" if raw.folder else ""
        out.append(Private(raw.rel, url, tuple(strings)))
    return out


def leaks(root: Path, private: list[Private]) -> list[str]:
    found = []
    texts = {p.relative_to(root).as_posix(): readable_text(p) for p in output_files(root)}
    for doc in private:
        for rel, text in texts.items():
            for s in doc.strings:
                if s in text:
                    found.append(f"{rel}: text of {doc.rel}: {s[:40]}")
            if doc.url_path and (doc.url_path in text or doc.url_path.rstrip("/") + "/index.html" == rel):
                found.append(f"{rel}: link to {doc.rel}")
    return found
