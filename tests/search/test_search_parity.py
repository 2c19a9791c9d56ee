"""`gongshi search` (generator.searching.cli_search, Whoosh) and the search page in
Chromium (search.js over the exported shards) give the same top results on the example
site, and neither misses a document that holds the query (substring ground truth)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from search_example import EXAMPLE_AS_OF, EXAMPLE_CONTENT, example_records, path_of, relevant
from tests.serve_static import serve_dir
from generator.searching import cli_search

# Words a reader would type: from titles, bodies, measures, association names, a single
# character, mixed Chinese/English, full-width forms, several keywords.
QUERIES = [
    "公开谴责", "警告", "行业内通报批评", "深圳市珠宝首饰行业协会", "珠宝首饰", "物业管理",
    "ISO 9001", "培育钻石", "会费标准", "罚", "信用承诺", "2025年", "GB/T 16552",
    "反贿赂管理体系", "ＩＳＯ　９００１", "服务承诺 会员", "取消会员资格", "投诉",
]
FILTERED = [("决定", {"kind": "sanction"}), ("公司", {"measure": "public_censure"}),
            ("协会", {"year": "2025"})]


@pytest.fixture(scope="module")
def site_records():
    return example_records()


@pytest.fixture(scope="module")
def page(browser, example_site: Path):
    with serve_dir(example_site) as (base, _handler):
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.base = base
        yield page
        context.close()


def browser_search(page, query: str, filters: dict[str, str] | None = None) -> tuple[list[str], int]:
    """(result paths on the first page, the count the status line reports)."""
    params = {"q": query, **(filters or {})}
    page.goto(f"{page.base}/search/?{urlencode(params)}")
    page.wait_for_selector(".search-results[aria-busy=false]", state="attached", timeout=15_000)
    paths = [path_of(h) for h in page.locator(".search-results li h3 a").evaluate_all(
        "links => links.map(a => a.href)")]
    found = re.search(r"找到 (\d+) 条结果", page.locator(".search-status").inner_text())
    return paths, int(found.group(1)) if found else 0


def cli_urls(query: str, limit: int, **filters: object) -> list[str]:
    return [str(h["url"]) for h in cli_search(EXAMPLE_CONTENT, EXAMPLE_AS_OF, query, limit=limit, **filters)]


@pytest.mark.parametrize("query", QUERIES)
def test_cli_and_browser_agree_and_find_every_holder(page, site_records, query):
    holders = {r.url for r in site_records if relevant(r, query)}
    assert holders, f"the example content no longer holds {query!r}: pick another query"
    everything = cli_urls(query, 10_000)
    assert holders <= set(everything)  # recall 1.0 against the substring ground truth

    shown, total = browser_search(page, query)
    assert shown == everything[:10]  # same documents, same order
    assert total == len(everything)


@pytest.mark.parametrize(("query", "filters"), FILTERED)
def test_cli_and_browser_agree_with_a_facet(page, site_records, query, filters):
    [(facet, value)] = filters.items()
    year = int(value) if facet == "year" else None
    cli_filters = {"year": year} if year else {facet: value}
    everything = cli_urls(query, 10_000, **cli_filters)
    holders = {r.url for r in site_records if relevant(r, query) and
               str(getattr(r, facet)) == value}
    assert holders and holders <= set(everything)
    shown, total = browser_search(page, query, filters)
    assert shown == everything[:10] and total == len(everything)


def test_an_association_name_finds_documents_that_never_name_it(site_records):
    """The association's name is searchable on each of its documents (index.TEXT_FIELDS)."""
    record = next(r for r in site_records if r.kind == "sanction")
    name = record.association_name
    urls = set(cli_urls(name, 10_000))
    own = {r.url for r in site_records if r.association == record.association}
    assert own <= urls
    silent = [r for r in site_records if r.association == record.association
              and name not in r.title + r.body]
    assert silent, "every document names its association: this test proves nothing"
