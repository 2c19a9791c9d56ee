"""The built example site as files: links resolve, feeds parse, the sitemap is complete, open
data is documented and readable by Excel, nothing hidden or unmasked leaks, pages need no
JavaScript and carry nothing a strict CSP would block."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import tomllib
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import pytest

from generator import opendata, pipeline
from tests.conftest import EXAMPLE_AS_OF, EXAMPLE_CONTENT, ROOT
from tests.site.sitepages import html_files, own_pages, page_kinds, parse, target_file, url_to_file

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def prepared() -> pipeline.Prepared:
    result = pipeline.prepare(EXAMPLE_CONTENT, EXAMPLE_AS_OF)
    assert result.site is not None
    return result


def test_every_internal_link_and_anchor_resolves(example_site: Path) -> None:
    broken = []
    for page in html_files(example_site):
        links = parse(page)
        for url in links.urls:
            target = target_file(example_site, page, url)
            if target is None:
                continue
            if not target.is_file():
                broken.append(f"{page.relative_to(example_site)} → {url}")
            elif "#" in url and target.suffix == ".html":
                fragment = unquote(url.split("#", 1)[1])
                if fragment and fragment not in parse(target).ids:
                    broken.append(f"{page.relative_to(example_site)} → {url} (no such id)")
    assert not broken, "\n".join(broken[:30])


def test_link_checker_notices_a_broken_link(tmp_path: Path) -> None:
    # The checker above must be able to fail: a page linking to a missing page is caught.
    (tmp_path / "a").mkdir()
    page = tmp_path / "a" / "index.html"
    page.write_text('<a href="/缺失/">x</a><a href="../a/">y</a>', encoding="utf-8")
    targets = [target_file(tmp_path, page, u) for u in parse(page).urls]
    assert [t.is_file() for t in targets if t] == [False, True]


def test_sitemap_lists_every_indexable_page_and_nothing_else(example_site: Path, prepared: pipeline.Prepared) -> None:
    base = prepared.site.config.base_url
    tree = ET.parse(example_site / "sitemap.xml").getroot()
    listed = [loc.text or "" for loc in tree.iter(f"{SM}loc")]
    assert len(listed) == len(set(listed))
    files = {url_to_file(example_site, base, u) for u in listed}
    assert all(f.is_file() for f in files)
    expected = {p for p in html_files(example_site)
                if p.name != "404.html" and 'name="robots" content="noindex"' not in p.read_text(encoding="utf-8")}
    assert files == expected
    assert not any(u.endswith("404.html") for u in listed)
    assert all(re.fullmatch(r"[\x21-\x7e]+", u) for u in listed), "sitemap URLs are percent-encoded ASCII"
    assert (example_site / "robots.txt").read_text().strip().endswith(f"Sitemap: {base}/sitemap.xml")


def _feeds(root: Path) -> list[Path]:
    return [root / "feed.xml", root / "sanctions" / "feed.xml", *sorted(root.glob("associations/*/feed.xml"))]


def test_feeds_parse_and_point_at_public_pages(example_site: Path, prepared: pipeline.Prepared) -> None:
    import feedparser
    base = prepared.site.config.base_url
    feeds = _feeds(example_site)
    assert len(feeds) == 2 + len(prepared.site.associations)
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        assert feed.feed.id.startswith(base)
        for e in feed.entries:
            assert e.id == e.link, "entry ids are the canonical URLs"
            assert url_to_file(example_site, base, e.link).is_file(), e.link
            assert e.updated_parsed <= feed.feed.updated_parsed
    site_feed = feedparser.parse((example_site / "feed.xml").read_bytes())
    assert site_feed.entries, "the example site has public documents"
    # <updated> comes from the documents: the newest entry's date, never the build's clock.
    assert site_feed.feed.updated == max(e.updated for e in site_feed.entries)
    sanctions = feedparser.parse((example_site / "sanctions" / "feed.xml").read_bytes())
    assert sanctions.entries and all("/sanctions/" in e.link for e in sanctions.entries)


def test_feeds_and_data_do_not_depend_on_the_build_time(minimal_copy: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    import time
    as_of = dt.date(2025, 6, 1)
    one = pipeline.build(minimal_copy, tmp_path / "one", as_of)
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)
    two = pipeline.build(minimal_copy, tmp_path / "two", as_of)
    assert one.ok and two.ok
    for rel in ("feed.xml", "sanctions/feed.xml", "data/sanctions.json", "data/documents.csv", "sitemap.xml"):
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_open_data_is_documented_and_excel_readable(example_site: Path, prepared: pipeline.Prepared) -> None:
    doc_page = (example_site / "data" / "index.html").read_text(encoding="utf-8")
    for ds in opendata.DATASETS:
        raw_csv = (example_site / "data" / f"{ds.name}.csv").read_bytes()
        assert raw_csv.startswith(b"\xef\xbb\xbf"), "CSV carries a UTF-8 BOM so Excel reads Chinese"
        rows = list(csv.reader(io.StringIO(raw_csv.decode("utf-8-sig"), newline="")))
        header, body = rows[0], rows[1:]
        data = json.loads((example_site / "data" / f"{ds.name}.json").read_text(encoding="utf-8"))
        assert header == data["fields"] == [f.name for f in ds.fields]
        assert len(body) == len(data["records"])
        assert data["as_of"] == EXAMPLE_AS_OF.isoformat()
        for f in ds.fields:
            assert f"<code>{f.name}</code>" in doc_page, f"{ds.name}.{f.name} is not documented on /data/"
            assert f.zh in doc_page
        assert f'href="/data/{ds.name}.csv"' in doc_page and f'href="/data/{ds.name}.json"' in doc_page
    site = prepared.site
    assoc = json.loads((example_site / "data" / "associations.json").read_text(encoding="utf-8"))
    assert {r["uscc"] for r in assoc["records"]} == {a.profile.uscc for a in site.associations}


def test_only_public_documents_appear_anywhere(example_site: Path, prepared: pipeline.Prepared) -> None:
    site, ev = prepared.site, prepared.evaluation
    hidden = [d for d in site.documents if not ev.state(d.raw.rel).visible]
    visible = [d for d in site.documents if ev.state(d.raw.rel).visible]
    assert hidden, "the example site should have member-only, privacy or expired documents"
    texts = {p: p.read_text(encoding="utf-8") for p in example_site.rglob("*")
             if p.suffix in (".html", ".xml", ".json", ".csv") and not p.relative_to(example_site).as_posix().startswith(("admin/", "search/"))
             and p.name != "manifest.json"}
    for d in hidden:
        page = example_site / (d.url.lstrip("/") + "index.html")
        assert not page.exists(), d.url
        assert not (example_site / "en" / page.relative_to(example_site)).exists()
        # its URL anywhere, or its title as a link, a feed entry or a data record (the same
        # words may legitimately occur in another document's text)
        title_marks = (f">{d.model.title}</a>", f"<title>{d.model.title}</title>",
                       json.dumps(d.model.title, ensure_ascii=False))
        leaks = [p.relative_to(example_site).as_posix() for p, text in texts.items()
                 if d.url in text or any(m in text for m in title_marks)]
        assert not leaks, f"{d.raw.rel} appears in {leaks[:5]}"
    documents = json.loads((example_site / "data" / "documents.json").read_text(encoding="utf-8"))
    assert len(documents["records"]) == len(visible)


def test_practitioners_are_masked_everywhere(minimal_copy: Path, tmp_path: Path) -> None:
    import datetime as dt
    folder = minimal_copy / "associations" / "测试协会" / "sanctions"
    (folder / "2025-通报批评-002.md").write_text(
        "---\ntitle: 关于对从业人员予以行业内通报批评的决定\ndecision_number: 深测协自律〔2025〕2号\n"
        "subject: {name: 欧阳修文, type: 从业人员, employer: 深圳市甲公司, member: false}\n"
        "measure: 行业内通报批评\nrule_broken: 《职业道德准则》第六条\nfacts: 收受客户财物。\n"
        "basis: 《职业道德准则》第十条\ndecided_by: 行业自律委员会\ndecided_on: 2025-05-06\npublished_on: 2025-05-08\n---\n",
        encoding="utf-8")
    out = tmp_path / "public"
    assert pipeline.build(minimal_copy, out, dt.date(2025, 6, 1)).ok
    outputs = [p for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json", ".csv")
               and "search" not in p.parts]
    assert not [p for p in outputs if "欧阳修文" in p.read_text(encoding="utf-8")]
    shown = [p for p in outputs if "欧阳某某" in p.read_text(encoding="utf-8")]
    names = {p.relative_to(out).as_posix() for p in shown}
    assert {"data/sanctions.csv", "data/sanctions.json", "sanctions/feed.xml"} <= names
    assert any(n.endswith("2025-通报批评-002/index.html") for n in names)


def test_pages_need_no_javascript_and_nothing_inline(example_site: Path) -> None:
    for page in own_pages(example_site):
        p = parse(page)
        rel = page.relative_to(example_site).as_posix()
        assert all(s.get("type") == "application/ld+json" for s in p.scripts), rel
        assert p.style_attrs == 0 and p.style_elements == 0 and p.handlers == 0, rel
        assert not any(u.lower().startswith("javascript:") for u in p.urls), rel
    # the search page is the one page that loads a script, from the site itself
    search = example_site / "search" / "index.html"
    if search.exists():
        srcs = [s.get("src") for s in parse(search).scripts]
        assert srcs and all((s or "").startswith("/static/") for s in srcs)


def test_languages_canonical_and_alternates(example_site: Path, prepared: pipeline.Prepared) -> None:
    base = prepared.site.config.base_url
    for page in own_pages(example_site):
        rel = page.relative_to(example_site).as_posix()
        p = parse(page)
        english = rel.startswith("en/")
        assert p.html_lang == ("en" if english else "zh-CN"), rel
        if page.name == "404.html":
            continue
        path = "/" + rel.removesuffix("index.html")
        canon = [l["href"] for l in p.links if l.get("rel") == "canonical"]
        assert canon == [base + path], rel
        alts = {l.get("hreflang"): l.get("href") for l in p.links if l.get("rel") == "alternate" and l.get("hreflang")}
        zh_path = path.removeprefix("/en") if english else path
        assert alts.get("zh-CN") == base + zh_path and alts.get("en") == base + "/en" + zh_path, rel
        switch = [a for a in p.anchors if a.get("hreflang") == ("zh-CN" if english else "en")]
        assert switch and switch[0]["href"] == (zh_path if english else "/en" + zh_path), rel


def test_english_pages_translate_the_interface_but_not_the_content(example_site: Path, prepared: pipeline.Prepared) -> None:
    kinds = page_kinds(example_site, "en")
    sanction = (example_site / kinds["doc-sanction"]).read_text(encoding="utf-8")
    assert "Evidence of publication" in sanction and "公示证据" not in sanction
    assert re.search(r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}", sanction)
    assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日", sanction), "dates in the page's language"
    zh = (example_site / kinds["doc-sanction"].removeprefix("en/")).read_text(encoding="utf-8")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", zh).group(1)
    assert h1 in sanction, "the title stays as written"
    assert '<h1 lang="zh-CN">' in sanction, "Chinese content on an English page is marked as Chinese"


def test_association_page_carries_json_ld_with_the_uscc(example_site: Path, prepared: pipeline.Prepared) -> None:
    for a in prepared.site.associations:
        text = (example_site / a.url.lstrip("/") / "index.html").read_text(encoding="utf-8")
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
        assert len(blocks) == 1
        data = json.loads(blocks[0])
        assert data["@type"] == "Organization" and data["name"] == a.profile.name
        assert data["identifier"] == {"@type": "PropertyValue", "propertyID": "USCC", "name": "统一社会信用代码",
                                      "value": a.profile.uscc}
        assert data["url"] == prepared.site.config.base_url + a.url


def test_lists_paginate_and_the_home_page_stays_short(minimal_copy: Path, tmp_path: Path) -> None:
    import datetime as dt
    (minimal_copy / "site.yaml").write_text("title: 测试公示平台\nbase_url: https://test.example.org\npage_size: 5\n",
                                            encoding="utf-8")
    folder = minimal_copy / "associations" / "测试协会" / "sanctions"
    template = (folder / "2025-警告-001.md").read_text(encoding="utf-8")
    for n in range(2, 28):
        text = template.replace("〔2025〕1号", f"〔2025〕{n}号").replace("予以警告的决定", f"予以警告的决定（第{n}号）")
        text = text.replace("measure: 警告", "measure: 公开谴责")
        (folder / f"2025-谴责-{n:03d}.md").write_text(text, encoding="utf-8")
    out = tmp_path / "public"
    assert pipeline.build(minimal_copy, out, dt.date(2025, 6, 1)).ok
    pages = sorted(out.glob("sanctions/page/*/index.html")) + [out / "sanctions" / "index.html"]
    items = [re.findall(r'<li class="doc-item">\s*<a href="([^"]+)"', p.read_text(encoding="utf-8")) for p in pages]
    assert all(0 < len(i) <= 5 for i in items)
    every = [u for i in items for u in i]
    assert len(every) == len(set(every)) == 27
    assert len(re.findall(r'class="doc-item"', (out / "index.html").read_text(encoding="utf-8"))) < 27 + 10


def test_a_document_page_with_its_css_is_under_30_kb_gzipped(example_site: Path) -> None:
    kinds = page_kinds(example_site)
    css = next(example_site.glob("static/style.*.css")).read_bytes()
    for kind in ("doc-sanction", "doc-annual_report", "charter"):
        page = (example_site / kinds[kind]).read_bytes()
        size = len(gzip.compress(page, 9)) + len(gzip.compress(css, 9))
        assert size < 30 * 1024, (kind, size)


def test_netlify_toml_builds_publishes_and_sends_strict_headers() -> None:
    conf = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
    assert conf["build"]["publish"] == "public"
    assert conf["build"]["command"] == "pip install -e . && python build.py build"
    rules = {h["for"]: h["values"] for h in conf["headers"]}
    site = rules["/*"]
    csp = site["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert site["X-Content-Type-Options"] == "nosniff"
    assert site["Referrer-Policy"]
    assert "immutable" in rules["/static/*"]["Cache-Control"] and "max-age=31536000" in rules["/static/*"]["Cache-Control"]
    assert any(r["to"] == "/en/404.html" and r["status"] == 404 for r in conf["redirects"])
