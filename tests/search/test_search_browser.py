"""The search page in real Chromium over the built example site, served on loopback:
a reader types a Chinese query, narrows by a facet, follows a result; the URL carries the
state; the keyboard is enough; only the shards the query needs are fetched."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from search_example import example_records, path_of, relevant
from tests.serve_static import serve_dir
from generator.search.export import fnv1a32
from generator.search.query import plan_query


@pytest.fixture(scope="module")
def served(example_site: Path):
    with serve_dir(example_site) as (base, handler):
        yield base, handler


@pytest.fixture(scope="module")
def site_records():
    return example_records()


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def settle(page) -> None:
    """Wait until the page has shown this query's results (search.js clears aria-busy)."""
    page.wait_for_selector(".search-results[aria-busy=false]", state="attached", timeout=15_000)


def open_filters(page) -> None:
    """Open the closed filters panel by keyboard and wait for its counts."""
    page.locator(".search-filters summary").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".search-facets[aria-busy=false] fieldset", state="attached", timeout=15_000)


def total_shown(page) -> int:
    status = page.locator(".search-status").inner_text()
    found = re.search(r"找到 (\d+) 条结果", status)
    return int(found.group(1)) if found else 0


def result_paths(page) -> list[str]:
    return [path_of(h) for h in page.locator(".search-results li h3 a").evaluate_all(
        "links => links.map(a => a.href)")]


def distinctive_query(target, records) -> str:
    """The shortest Han stretch of the target's title (4 characters or more) that no other
    record holds: what a reader who remembers a phrase of a sanction would type."""
    title = target.title
    for length in range(4, len(title) + 1):
        for start in range(len(title) - length + 1):
            phrase = title[start:start + length]
            # Words of the case, not of the form every decision shares.
            if not re.fullmatch(r"[\u4e00-\u9fff]+", phrase) or any(
                    w in phrase for w in ("关于", "予以", "决定", "对")):
                continue
            if [r.doc_id for r in records if relevant(r, phrase)] == [target.doc_id]:
                return phrase
    pytest.fail(f"no distinctive phrase in {title}")


def tab_to(page, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} not reachable with Tab")


def test_keyboard_query_finds_the_sanction_and_its_link_lands_on_it(page, served, site_records):
    base, _ = served
    sanctions = [r for r in site_records if r.kind == "sanction"]
    assert sanctions, "the example content must have a published sanction"
    target = sanctions[0]
    query = distinctive_query(target, site_records)

    page.goto(base + "/search/")
    settle(page)
    tab_to(page, "search-q")
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    settle(page)

    assert result_paths(page) == [target.url]
    assert total_shown(page) == 1
    # The match is highlighted in the title.
    marked = "".join(page.locator(".search-results li h3 a mark").all_inner_texts())
    assert marked and set(marked) <= set(query)
    assert parse_qs(urlsplit(page.url).query)["q"] == [query]

    page.locator(".search-results li h3 a").first.click()
    page.wait_for_load_state()
    assert path_of(page.url) == target.url
    assert target.title in page.locator("h1").inner_text()

    page.go_back()
    settle(page)
    assert page.locator("#search-q").input_value() == query
    assert result_paths(page) == [target.url]


def _mixed_query(records) -> str:
    """A keyword held by sanctions and by documents of other kinds (the one held by the
    most sanctions, so the sanction facet has something to count)."""
    best, most = "", 0
    for word in ["会员", "公司", "违反", "自律", "公示", "整改", "消费者"]:
        held = [r for r in records if relevant(r, word)]
        sanctions = sum(r.kind == "sanction" for r in held)
        if sanctions > most and len(held) > sanctions:
            best, most = word, sanctions
    if most < 2:
        pytest.fail("no keyword spans several sanctions and other kinds")
    return best


def _facet_counts(page, facet: str) -> dict[str, int]:
    counts = {}
    for label in page.locator(f".search-facets input[name={facet}]").all():
        text = label.evaluate("box => box.parentElement.textContent")
        counts[label.get_attribute("value")] = int(re.search(r"\((\d+)\)\s*$", text).group(1))
    return counts


def test_facets_narrow_count_and_live_in_the_url(page, served, site_records):
    base, _ = served
    query = _mixed_query(site_records)
    matching = [r for r in site_records if relevant(r, query)]
    page.goto(f"{base}/search/?q={quote(query)}")
    settle(page)
    assert total_shown(page) >= len(matching)  # every holder found (bigrams may add a few)
    shown_paths = set()
    by_kind = {}
    for r in matching:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
    open_filters(page)
    before = _facet_counts(page, "kind")
    assert all(before.get(kind, 0) >= n for kind, n in by_kind.items())

    page.locator(".search-facets input[name=kind][value=sanction]").check()
    settle(page)
    sanctions = [r for r in matching if r.kind == "sanction"]
    assert total_shown(page) == before["sanction"] < sum(before.values())
    shown_paths = set(result_paths(page))
    assert {r.url for r in sanctions[:10]} <= shown_paths or len(sanctions) > 10
    assert all(p.startswith("/associations/") and "/sanctions/" in p for p in shown_paths)
    state = parse_qs(urlsplit(page.url).query)
    assert state == {"q": [query], "kind": ["sanction"]}
    # The other facets now count only sanctions; the kind facet still offers every kind.
    measures = _facet_counts(page, "measure")
    assert sum(measures.values()) == total_shown(page)
    assert _facet_counts(page, "kind") == before

    page.reload()
    settle(page)
    assert page.locator(".search-facets input[name=kind][value=sanction]").is_checked()
    assert total_shown(page) == before["sanction"]
    assert page.locator("#search-q").input_value() == query

    page.go_back()  # before the facet was ticked
    settle(page)
    assert parse_qs(urlsplit(page.url).query) == {"q": [query]}
    assert not page.locator(".search-facets input[name=kind][value=sanction]").is_checked()
    assert total_shown(page) == sum(before.values())


def test_facet_by_keyboard(page, served, site_records):
    base, _ = served
    query = _mixed_query(site_records)
    page.goto(f"{base}/search/?q={quote(query)}")
    settle(page)
    before = total_shown(page)
    open_filters(page)
    box = page.locator(".search-facets input[name=kind][value=sanction]")
    box.focus()
    page.keyboard.press("Space")
    settle(page)
    assert total_shown(page) < before
    # Focus stays on the box just used, though the facet list was rebuilt with new counts.
    assert page.evaluate("() => [document.activeElement.name, document.activeElement.value]") == \
        ["kind", "sanction"]


def test_noscript_tells_how_to_browse_without_javascript(browser, served):
    base, _ = served
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base + "/search/")
        text = page.locator(".search-noscript").inner_text()
        assert "JavaScript" in text and "协会名录" in text
        link = page.locator(".search-noscript a")
        link.click()
        page.wait_for_load_state()
        assert path_of(page.url) == "/associations/"
    finally:
        context.close()


def test_a_query_fetches_only_the_shards_of_its_terms(page, served, example_site: Path):
    base, handler = served
    search_dir = example_site / "search"
    manifest = json.loads((search_dir / "manifest.json").read_text("utf-8"))
    fetched: list[tuple[str, int]] = []
    page.on("response", lambda r: fetched.append((r.url, len(r.body())))
            if "/search/" in r.url and r.url.endswith(".json") else None)
    page.goto(base + "/search/")
    settle(page)
    fetched.clear()
    before = handler.bytes_sent

    query = "公开谴责 会员"
    page.locator("#search-q").fill(query)
    page.keyboard.press("Enter")
    settle(page)
    # Results can show before the listener has been handed the last response (seen once
    # under load: the server had sent one metadata block more than was recorded), so
    # give the listener up to 5 s to catch up with what the server sent.
    for _ in range(100):
        if sum(size for _, size in fetched) >= handler.bytes_sent - before:
            break
        page.wait_for_timeout(50)
    sent = handler.bytes_sent - before

    names = [path_of(url).rsplit("/", 1)[1] for url, _ in fetched]
    shards = {n for n in names if n.startswith("s-")}
    expected = {f"s-{manifest['shard_generation']}-{fnv1a32(t) % manifest['shard_count']:x}.json"
                for t in plan_query(query).terms}
    assert shards == expected
    # Besides shards only result metadata blocks: the manifest was loaded with the page,
    # and the facet file waits until the filters are opened.
    assert all(n.startswith("m-") for n in set(names) - shards), names
    assert len(set(names)) == len(names)  # nothing twice
    on_disk = sum((search_dir / n).stat().st_size for n in names)
    assert sum(size for _, size in fetched) == on_disk == sent
    assert sent <= 60 * 1024


def test_facets_are_fetched_only_when_the_filters_are_opened(page, served, example_site: Path, site_records):
    base, _ = served
    manifest = json.loads((example_site / "search" / "manifest.json").read_text("utf-8"))
    fetched: list[str] = []
    page.on("response", lambda r: fetched.append(path_of(r.url).rsplit("/", 1)[1])
            if "/search/" in r.url and r.url.endswith(".json") else None)
    query = _mixed_query(site_records)
    page.goto(f"{base}/search/?q={quote(query)}")
    settle(page)
    assert manifest["facets_file"] not in fetched and "manifest.json" in fetched
    assert not page.locator(".search-filters").evaluate("d => d.open")
    shards = {n for n in fetched if n.startswith("s-")}

    open_filters(page)
    # Opening fetches the facet file once and counts the results already found, without
    # fetching the query's shards again.
    assert fetched.count(manifest["facets_file"]) == 1
    assert {n for n in fetched if n.startswith("s-")} == shards and len(fetched) == len(set(fetched))
    assert sum(_facet_counts(page, "kind").values()) == total_shown(page)
    # Closed again and reopened: nothing more to fetch.
    page.locator(".search-filters summary").click()
    page.locator(".search-filters summary").click()
    assert fetched.count(manifest["facets_file"]) == 1
