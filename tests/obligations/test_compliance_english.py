"""The compliance pages in English: /en/compliance/... twins of every Chinese page, reachable
through the language switch both ways, with English interface text, status labels, rule
titles and dates, while what associations wrote stays Chinese and says so (lang="zh-CN")."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

from generator import pipeline
from generator.evaluate import STATUS_LABELS
from tests.conftest import EXAMPLE_AS_OF, EXAMPLE_CONTENT
from tests.site.sitepages import parse, target_file

from .obligation_helpers import ASSOC, content_tree, sanction

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _zh_pages(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / "compliance").rglob("index.html")}


def _en_pages(root: Path) -> list[Path]:
    return sorted((root / "en" / "compliance").rglob("index.html"))


class Page(HTMLParser):
    """The text a reader sees, split by language: text inside an element marked lang="zh-CN"
    is content; everything else on an English page is interface. Also each status badge."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, str | None]] = []     # tag, inside zh content, status class
        self.interface: list[str] = []
        self.statuses: list[tuple[str, str]] = []
        self.times: list[tuple[str, str]] = []
        self._time: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        zh = (self.stack[-1][1] if self.stack else False) or a.get("lang") == "zh-CN"
        status = next((c[len("status-"):] for c in (a.get("class") or "").split() if c.startswith("status-")), None)
        if tag == "time":
            self._time = a.get("datetime")
        if tag in ("script", "style", "title"):
            self._skip += 1
        if tag not in VOID:
            self.stack.append((tag, zh, status))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip -= 1
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip or not data.strip():
            return
        if self._time is not None:
            self.times.append((self._time, data.strip()))
            self._time = None
        status = next((s for _, _, s in reversed(self.stack) if s), None)
        if status:
            self.statuses.append((status, data.strip()))
        if not (self.stack and self.stack[-1][1]):
            self.interface.append(data.strip())


def _read(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _switch(path: Path, hreflang: str) -> str:
    [a] = [a for a in parse(path).anchors if a.get("hreflang") == hreflang]
    return a.get("href") or ""


def test_every_compliance_page_has_an_english_twin_and_the_switch_joins_them(example_site: Path) -> None:
    zh = _zh_pages(example_site)
    assert {"compliance/index.html", "compliance/by-status/index.html", "compliance/late/index.html"} <= zh
    assert any(p.startswith("compliance/rules/") for p in zh)
    en = {p.relative_to(example_site / "en").as_posix() for p in _en_pages(example_site)}
    assert en == zh, "the same structure under /en/"
    for rel in sorted(zh):
        url = "/" + rel.removesuffix("index.html")
        zh_page, en_page = example_site / rel, example_site / "en" / rel
        assert parse(en_page).html_lang == "en" and parse(zh_page).html_lang == "zh-CN"
        assert _switch(zh_page, "en") == "/en" + url
        assert _switch(en_page, "zh-CN") == url
        for page in (zh_page, en_page):
            alternates = {l.get("hreflang"): l.get("href") for l in parse(page).links if l.get("rel") == "alternate"
                          and l.get("hreflang")}
            assert alternates["zh-CN"].endswith(url) and alternates["x-default"] == alternates["zh-CN"]
            assert alternates["en"].endswith("/en" + url)


def test_english_pages_show_english_status_labels_and_no_untranslated_interface(example_site: Path) -> None:
    prepared = pipeline.prepare(EXAMPLE_CONTENT, EXAMPLE_AS_OF)
    assert prepared.site is not None
    # Rule sources cite Chinese documents by section ("SZ 五(二)"): a citation, not interface text.
    sources = sorted({r.source for r in prepared.site.config.obligations}, key=len, reverse=True)
    english = {code: en for code, (_, en) in STATUS_LABELS.items()}
    seen: set[str] = set()
    for path in _en_pages(example_site):
        page = _read(path)
        assert page.statuses, path
        for status, text in page.statuses:
            assert text.startswith(english[status]) and not HAN.search(text), (path, status, text)
            seen.add(status)
        for text in page.interface:
            for source in sources:
                text = text.replace(source, "")
            assert not HAN.search(text), f"{path.relative_to(example_site)}: untranslated {text!r}"
    assert seen == set(STATUS_LABELS), "the example content shows every status in English"


def test_english_pages_spell_dates_out_in_english(example_site: Path) -> None:
    checked = 0
    for path in _en_pages(example_site):
        for iso, text in _read(path).times:
            assert dt.datetime.strptime(text, "%d %B %Y").date() == dt.date.fromisoformat(iso), (path, text)
            checked += 1
    assert checked > 20


def test_every_link_on_an_english_compliance_page_resolves_and_stays_in_english(example_site: Path) -> None:
    problems = []
    for path in _en_pages(example_site):
        links = parse(path)
        for a in links.anchors:
            url = a.get("href") or ""
            target = target_file(example_site, path, url)
            if target is None:
                continue
            if not target.is_file():
                problems.append(f"{path.relative_to(example_site)} → {url}")
                continue
            if "#" in url and target.suffix == ".html" and url.split("#", 1)[1] not in parse(target).ids:
                problems.append(f"{path.relative_to(example_site)} → {url} (no such id)")
            rel = target.relative_to(example_site).as_posix()
            twin = example_site / "en" / rel
            if a.get("hreflang") != "zh-CN" and not rel.startswith("en/") and twin.is_file():
                problems.append(f"{path.relative_to(example_site)} → {url} leaves English though {twin.name} exists")
    assert not problems, "\n".join(problems[:30])


def test_a_site_rule_without_an_english_title_shows_its_chinese_title_marked_as_chinese(tmp_path: Path) -> None:
    site = ("title: 测试公示平台\nbase_url: https://test.example.org\nobligations:\n"
            "  - {id: censure-10-days, title: 公开谴责 10 日内公示（本会规定）, source: 本会章程第九条, kind: sanction,\n"
            "     shape: deadline, start_field: decided_on, days: 10, day_type: calendar}\n")
    content = content_tree(tmp_path, {"site.yaml": site,
                                      f"{ASSOC}/sanctions/2025-谴责-002.md": sanction("2025-04-25", None, measure="公开谴责")})
    out = tmp_path / "public"
    assert pipeline.build(content, out, dt.date(2025, 6, 30), search=False).ok
    page = out / "en" / "compliance" / "rules" / "censure-10-days" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert re.search(r'<h1><span lang="zh-CN">公开谴责 10 日内公示（本会规定）</span></h1>', html)
    late = _read(out / "en" / "compliance" / "late" / "index.html")
    assert ("overdue", "overdue") in late.statuses
    assert not [t for t in late.interface if HAN.search(t.replace("本会章程第九条", ""))]
    # the matrix heading links to the English rule page and names the rule in Chinese, marked
    matrix = (out / "en" / "compliance" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="/en/compliance/rules/censure-10-days/"[^>]*><span lang="zh-CN">公开谴责 10 日内公示', matrix)


def test_a_chinese_only_site_has_no_english_compliance_pages_and_no_switch(tmp_path: Path) -> None:
    content = content_tree(tmp_path, {"site.yaml": "title: 测试公示平台\nbase_url: https://test.example.org\n"
                                                   "languages: [zh]\n"})
    out = tmp_path / "public"
    assert pipeline.build(content, out, dt.date(2025, 6, 30), search=False).ok
    assert (out / "compliance" / "index.html").is_file()
    assert not (out / "en").exists()
    assert not [a for a in parse(out / "compliance" / "index.html").anchors if a.get("hreflang")]


def test_a_theme_s_own_status_and_basis_wording_reaches_every_table_line(tmp_path: Path) -> None:
    """The tables look each line's status and basis wording up, written once a page by
    slabel() and basis(): a site theme that overrides those macros still words every line."""
    from generator.render import DEFAULT_THEME
    macros = (DEFAULT_THEME / "templates" / "compliance_macros.html").read_text(encoding="utf-8")
    macros = macros.replace("{{ status_labels[st][1] if lang == 'en' else status_labels[st][0] }}",
                            "【{{ status_labels[st][0] }}·本会用语】")
    macros = macros.replace("{{ t(basis_keys[b], lang) if b in basis_keys else '' }}", "〔来源 {{ b }}〕")
    assert macros.count("本会用语") == 1 and macros.count("来源") == 1
    content = content_tree(tmp_path, {f"{ASSOC}/sanctions/2025-谴责-002.md": sanction("2025-04-25", None, measure="公开谴责"),
                                      "theme/templates/compliance_macros.html": macros})
    out = tmp_path / "public"
    assert pipeline.build(content, out, dt.date(2025, 6, 30), search=False).ok
    for page in ("compliance/late/index.html", "en/compliance/late/index.html"):
        html = (out / page).read_text(encoding="utf-8")
        assert '<span class="status status-overdue">【逾期未公示·本会用语】</span>' in html
    rules = [(out / p).read_text(encoding="utf-8") for p in ("compliance/rules", "en/compliance/rules")
             for p in [str(f.relative_to(out)) for f in (out / p).glob("*/index.html")]]
    assert any("〔来源 declared〕" in html or "〔来源 attested〕" in html for html in rules)
    assert not any("按时公示</span>" in html for html in rules)
    matrix = (out / "compliance" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"#a-[^\"]+\">【逾期未公示·本会用语】( \d+)?</a>", matrix)
