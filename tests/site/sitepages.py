"""Helpers for the site tests: one page of every page kind of a built site, HTML parsing.

Kept in a uniquely named module (not conftest) so other test folders' helpers never shadow it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.kinds import KINDS

# The folders a page kind lives in (pages other engineers own are checked by their tests:
# search/, compliance/; admin/ is the content editor, not a public page).
FOREIGN = ("search/", "compliance/", "admin/", "en/search/", "en/compliance/", "en/admin/")


def _first(root: Path, pattern: str) -> str | None:
    found = sorted(p.relative_to(root).as_posix() for p in root.glob(pattern))
    return found[0] if found else None


def page_kinds(root: Path, lang: str = "zh") -> dict[str, str]:
    """kind of page → relative path of one such page. Every kind the theme renders must be
    present in the example site: a missing one means a page kind is no longer tested."""
    pre = "" if lang == "zh" else "en/"
    sanction_doc = _first(root, f"{pre}associations/*/sanctions/*/index.html")
    assoc = sanction_doc.split("/")[-4] if lang == "zh" else sanction_doc.split("/")[-4]
    kinds = {
        "home": f"{pre}index.html",
        "404": f"{pre}404.html",
        "directory": f"{pre}associations/index.html",
        "facet-index": f"{pre}industries/index.html",
        "facet-industry": _first(root, f"{pre}industries/*/index.html"),
        "facet-department": _first(root, f"{pre}departments/*/index.html"),
        "association": f"{pre}associations/{assoc}/index.html",
        "association-list": f"{pre}associations/{assoc}/sanctions/index.html",
        "sanctions-in-force": f"{pre}sanctions/index.html",
        "red-list": f"{pre}red-black-lists/red/index.html",
        "black-list": f"{pre}red-black-lists/black/index.html",
        "reports-by-year": _first(root, f"{pre}reports/[0-9][0-9][0-9][0-9]/index.html"),
        "data": f"{pre}data/index.html",
        "charter": _first(root, f"{pre}associations/*/charter/index.html"),
        # the regulator's view (generator/compliance.py), in both languages like every page
        "compliance": f"{pre}compliance/index.html",
        "compliance-by-status": f"{pre}compliance/by-status/index.html",
        "compliance-late": f"{pre}compliance/late/index.html",
        "compliance-rule": _first(root, f"{pre}compliance/rules/*/index.html"),
    }
    for k in KINDS:
        if k.folder and k.name != "member_disclosure":
            kinds[f"doc-{k.name}"] = _first(root, f"{pre}associations/*/{k.folder}/*/index.html")
    missing = [k for k, v in kinds.items() if v is None or not (root / v).is_file()]
    assert not missing, f"the example site has no page of kind(s) {missing}"
    return kinds  # type: ignore[return-value]


def html_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.html")
                  if not p.relative_to(root).as_posix().startswith(("admin/", "en/admin/")))


def own_pages(root: Path) -> list[Path]:
    """HTML pages this theme renders (not search, compliance or the content editor)."""
    return [p for p in html_files(root) if not p.relative_to(root).as_posix().startswith(FOREIGN)]


class Links(HTMLParser):
    """Every href/src, the ids on the page, <script> elements and their types, the lang."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[dict[str, str | None]] = []
        self.style_attrs = 0
        self.handlers = 0
        self.style_elements = 0
        self.html_lang: str | None = None
        self.links: list[dict[str, str | None]] = []
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("href", "src"):
            if a.get(name):
                self.urls.append(a[name] or "")
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "script":
            self.scripts.append(a)
        if tag == "style":
            self.style_elements += 1
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "link":
            self.links.append(a)
        if tag == "a":
            self.anchors.append(a)
        self.style_attrs += "style" in a
        self.handlers += any(k.startswith("on") for k in a)


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def target_file(root: Path, page: Path, url: str) -> Path | None:
    """The output file an internal URL points to, or None for external/special URLs."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "tel:", "data:")):
        return None
    path = unquote(parts.path)
    if not path:
        return page
    base = Path("/" + page.relative_to(root).as_posix()).parent
    absolute = path if path.startswith("/") else (base / path).as_posix() + ("/" if path.endswith("/") else "")
    rel = absolute.lstrip("/")
    target = root / rel
    if rel == "" or absolute.endswith("/"):
        target = target / "index.html"
    return target


def url_to_file(root: Path, base_url: str, url: str) -> Path:
    assert url.startswith(base_url), url
    path = unquote(url[len(base_url):]) or "/"
    return root / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))


TAG = re.compile(r"<[^>]+>")
