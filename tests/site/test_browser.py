"""The site as a reader meets it, in Debian's Chromium: accessible (axe-core), responsive at
375 and 1280 px, no request leaves the site, the production CSP blocks nothing, and the
main journeys work by clicking."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import IN_CI, ROOT
from tests.serve_static import serve_dir
from tests.site.sitepages import page_kinds

SCREEN_WIDTHS = (375, 1280)
BLOCKING = {"serious", "critical"}


def _url(base: str, rel: str) -> str:
    return base + quote("/" + rel.removesuffix("index.html"))


@pytest.fixture(scope="module")
def served(example_site: Path) -> Iterator[str]:
    with serve_dir(example_site) as (base, _handler):
        yield base


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    yield p
    context.close()


def _axe() -> Any:
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        if IN_CI:
            pytest.fail("axe-playwright-python is required in CI")
        pytest.skip("axe-playwright-python not installed")
    return Axe()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_serious_accessibility_violations(example_site: Path, served: str, page: Any, lang: str) -> None:
    axe = _axe()
    problems = []
    for kind, rel in page_kinds(example_site, lang).items():
        page.goto(_url(served, rel))
        for v in axe.run(page).response["violations"]:
            if v["impact"] in BLOCKING:
                targets = [n["target"] for n in v["nodes"]][:3]
                problems.append(f"{kind} ({rel}): {v['id']} [{v['impact']}] {v['help']} {targets}")
    assert not problems, "\n".join(problems)


def test_axe_reports_a_blocking_violation(served: str, page: Any) -> None:
    # So a silently failing axe run cannot make the test above pass.
    page.route("**/probe/", lambda route: route.fulfill(
        body='<!DOCTYPE html><html lang="zh-CN"><head><title>t</title></head><body><main>'
             '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><a href="/"></a></main></body></html>',
        headers={"content-type": "text/html; charset=utf-8"}))
    page.goto(served + "/probe/")
    impacts = {v["id"]: v["impact"] for v in _axe().run(page).response["violations"]}
    assert BLOCKING & set(impacts.values()), impacts


def _screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("GONGSHI_SCREENSHOTS")
    out = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_responsive_without_sideways_scrolling(example_site: Path, served: str, browser: Any,
                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    shots = _screenshot_dir(tmp_path_factory)
    for width in SCREEN_WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        p = context.new_page()
        overflowing = []
        for lang in ("zh", "en"):
            for kind, rel in page_kinds(example_site, lang).items():
                p.goto(_url(served, rel))
                scroll = p.evaluate("document.scrollingElement.scrollWidth")
                if scroll > width:
                    overflowing.append(f"{rel}: {scroll}px")
                if lang == "zh" and kind in ("home", "association", "doc-sanction"):
                    p.screenshot(path=str(shots / f"{kind}-{width}.png"), full_page=True)
        context.close()
        assert not overflowing, f"at {width}px: " + ", ".join(overflowing)
    assert len(list(shots.glob("*.png"))) == 6


def test_every_request_stays_on_the_site(example_site: Path, served: str, page: Any) -> None:
    host = urlsplit(served).netloc
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for lang in ("zh", "en"):
        for rel in page_kinds(example_site, lang).values():
            page.goto(_url(served, rel))
    assert requests
    outside = sorted({u for u in requests if urlsplit(u).netloc != host and not u.startswith("data:")})
    assert not outside, outside


def _production_csp() -> str:
    conf = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
    return next(h["values"]["Content-Security-Policy"] for h in conf["headers"] if h["for"] == "/*")


def test_the_production_csp_blocks_nothing(example_site: Path, served: str, browser: Any) -> None:
    """Serve every page kind with netlify.toml's CSP header: no violation, JSON-LD included."""
    csp = _production_csp()
    context = browser.new_context()

    def with_csp(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": csp})

    context.route("**/*", with_csp)
    context.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    p = context.new_page()
    console: list[str] = []
    p.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    rels = [rel for lang in ("zh", "en") for rel in page_kinds(example_site, lang).values()]
    rels += [r for r in ("search/index.html", "compliance/index.html") if (example_site / r).exists()]
    violations = []
    for rel in rels:
        url = _url(served, rel) + ("?q=" + quote("公开谴责") if rel.startswith("search/") else "")
        p.goto(url)
        p.wait_for_load_state("networkidle")
        found = p.evaluate("window.__csp")
        if found:
            violations.append(f"{rel}: {found}")
    context.close()
    assert not violations, violations
    assert not [c for c in console if "Content Security Policy" in c], console
    # and the check can fail: an inline style attribute is reported
    context = browser.new_context()
    context.route("**/*", lambda route: route.fulfill(
        body='<!DOCTYPE html><html lang="zh-CN"><head><title>t</title></head><body><p style="color:red">红</p></body></html>',
        headers={"content-type": "text/html; charset=utf-8", "content-security-policy": csp}))
    context.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                            " e => window.__csp.push(e.violatedDirective));")
    p = context.new_page()
    p.goto(served + "/probe/")
    assert p.evaluate("window.__csp"), "an inline style must be a violation under this CSP"
    context.close()


def test_home_to_association_to_sanction_and_back_to_the_list(example_site: Path, served: str, page: Any) -> None:
    page.goto(served + "/")
    # pick an association that has a sanction in force: the one the home page's sanction list names
    first_sanction = page.locator("section[aria-labelledby=sanctions-h] .doc-item").first
    name = first_sanction.locator(".assoc").inner_text()
    page.locator("section[aria-labelledby=assoc-h] ul.cards a", has_text=name).click()
    assert page.locator("h1").inner_text() == name
    assert page.locator("table.facts").first.is_visible()
    sanction = page.locator("#kind-sanction + ul .doc-item > a").first
    title = sanction.inner_text()
    sanction.click()
    assert page.locator("h1").inner_text() == title
    assert re.search(r"/sanctions/[^/]+/$", page.url)
    assert page.locator("table.facts caption", has_text="基本信息").is_visible()
    assert page.locator("table.evidence").is_visible()
    page.locator("nav.crumbs a", has_text="行业惩戒").click()
    assert re.search(r"/sanctions/$", page.url)
    assert page.locator(".doc-item > a", has_text=title).count() == 1
    page.go_back()
    assert page.locator("h1").inner_text() == title
    page.go_back()
    assert page.locator("h1").inner_text() == name


def test_the_language_switch_keeps_the_page(example_site: Path, served: str, page: Any) -> None:
    rel = page_kinds(example_site)["doc-sanction"]
    page.goto(_url(served, rel))
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    title = page.locator("h1").inner_text()
    page.locator("a[hreflang=en]").click()
    assert urlsplit(page.url).path == quote("/en/" + rel.removesuffix("index.html"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == title, "content stays as written"
    assert page.locator("table.evidence caption").inner_text() == "Evidence of publication"
    # links on an English page stay in English
    page.locator("nav.site-nav a", has_text="Associations").click()
    assert urlsplit(page.url).path == "/en/associations/"
    page.locator("a[hreflang=zh-CN]").click()
    assert urlsplit(page.url).path == "/associations/"
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_the_compliance_page_is_reachable_from_the_navigation(served: str, page: Any) -> None:
    page.goto(served + "/")
    page.locator("nav.site-nav a", has_text="合规情况").click()
    assert urlsplit(page.url).path == "/compliance/"
    assert page.locator("table").count() >= 1
    assert page.locator("table tbody tr").count() >= 1


def test_the_directory_filters_work_without_javascript(example_site: Path, served: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    p = context.new_page()
    p.goto(served + "/associations/")
    total = p.locator("table.directory tbody tr").count()
    p.locator("nav.filters a", has_text="按行业浏览").click()
    p.locator("ul.facet-list a").first.click()
    industry = p.locator("h1 span").inner_text()
    rows = p.locator("table.directory tbody tr")
    assert 0 < rows.count() <= total
    for i in range(rows.count()):
        assert rows.nth(i).locator("td").nth(1).inner_text() == industry
    context.close()
