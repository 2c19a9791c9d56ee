"""What a page and its mirrors share is made once for them: their hreflang links
(render.page_links), their order in the listing (render.localised: each page followed by its
mirrors, so one process renders a document's languages one after the other), the public
documents of a site or an association (views.PublicIndex.of), a feed's newest entries and
the compliance matrix's cells. Each must be what was made before, page by page."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from generator import feeds, pipeline, render
from generator.compliance import Cell, matrix, rule_url
from generator.i18n import HTML_LANG, PREFIX
from generator.render import Artifact, localised, page_links
from generator.views import latest_first
from tests.conftest import EXAMPLE_AS_OF, EXAMPLE_CONTENT

# Chinese slugs and file names, and what needs escaping in an attribute
_SEGMENT = st.text(alphabet=st.sampled_from(list("协会惩戒公示年报abc019-_&<>\"'")), min_size=1, max_size=8)
_PATHS = st.lists(_SEGMENT, min_size=0, max_size=3).map(lambda parts: "".join(p + "/" for p in parts) + "index.html")


def _links_as_base_html_wrote_them(path: str, all_paths: frozenset[str], base_url: str) -> list[tuple[str, str]]:
    """base.html's hreflang links as its template made them: `alternates|dictsort`, each
    through `canonical`, and the Chinese page again as x-default."""
    alternates = render._alternates(path, all_paths)
    links = [(HTML_LANG[lang], str(escape(base_url + url))) for lang, url in sorted(alternates.items())]
    if "zh" in alternates:
        links.append(("x-default", str(escape(base_url + alternates["zh"]))))
    return links


@settings(max_examples=200)
@given(paths=st.lists(_PATHS, min_size=1, max_size=6), mirrored=st.lists(st.booleans(), min_size=6, max_size=6),
       order=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=20),
       base_url=st.sampled_from(["https://xiehui.example.cn", "https://例子.中国/公示&", ""]))
def test_page_links_are_what_the_template_made_in_any_order(paths: list[str], mirrored: list[bool], order: list[int],
                                                            base_url: str) -> None:
    """Pages asked for in any order (a page and its mirror together, apart, twice) get the
    links of their own page, never the last page's."""
    all_paths = frozenset(paths) | {"en/" + p for p, m in zip(paths, mirrored) if m}
    pages = sorted(all_paths)
    for n in order:
        path = pages[n % len(pages)]
        links = page_links(path, all_paths, base_url)
        assert links.alternates == render._alternates(path, all_paths)
        written = [(hreflang, str(url)) for hreflang, url in links.alternate_links]
        if links.x_default is not None:
            written.append(("x-default", str(links.x_default)))
        assert written == _links_as_base_html_wrote_them(path, all_paths, base_url)
        assert all(type(url) is Markup for _, url in links.alternate_links)


def test_a_page_and_its_mirror_share_their_links() -> None:
    all_paths = frozenset({"associations/a/index.html", "en/associations/a/index.html"})
    zh = page_links("associations/a/index.html", all_paths, "https://公示.cn")
    assert page_links("en/associations/a/index.html", all_paths, "https://公示.cn") is zh
    assert page_links("en/associations/a/index.html", set(all_paths), "https://公示.cn") is not zh
    assert page_links("en/associations/a/index.html", all_paths, "https://别处.cn") is not zh


@given(paths=st.lists(_PATHS, unique=True, max_size=8), languages=st.sampled_from([["zh"], ["zh", "en"], ["en", "zh"]]))
def test_localised_puts_each_pages_mirrors_right_after_it(paths: list[str], languages: list[str]) -> None:
    pages = [Artifact(p, "list.html", {"n": i}) for i, p in enumerate(paths)]
    out = localised(pages, languages)
    mirrors = [lang for lang in languages if lang != "zh" and lang in PREFIX]
    per_page = 1 + len(mirrors)
    assert len(out) == len(pages) * per_page
    for i, a in enumerate(pages):
        group = out[i * per_page: (i + 1) * per_page]
        assert [(g.path, g.lang) for g in group] == \
            [(a.path, "zh"), *((PREFIX[lang].lstrip("/") + "/" + a.path, lang) for lang in mirrors)]
        assert all(g.context is a.context and g.template == a.template for g in group)
    # the same artifacts as the Chinese pages first, then each mirror's (the order it had)
    assert Counter(out) == Counter([*(Artifact(a.path, a.template, a.context, lang="zh") for a in pages),
                                    *(Artifact(PREFIX[lang].lstrip("/") + "/" + a.path, a.template, a.context, lang=lang)
                                      for lang in mirrors for a in pages)])


@pytest.fixture(scope="module")
def example() -> Any:
    prepared = pipeline.prepare(EXAMPLE_CONTENT, EXAMPLE_AS_OF)
    assert prepared.site is not None and prepared.evaluation is not None
    return prepared.site, prepared.evaluation


def test_public_documents_are_made_once_and_each_caller_gets_its_own_list(example: Any) -> None:
    from generator.views import public_documents
    site, evaluation = example
    visible = {rel for rel, state in evaluation.documents.items() if state.visible}
    for assoc in (None, *site.associations):
        docs = assoc.documents if assoc else site.documents
        first = public_documents(site, evaluation, assoc)
        assert first == [d for d in docs if d.raw.rel in visible]
        again = public_documents(site, evaluation, assoc)
        assert again == first and again is not first
        assert evaluation.public.of(docs) is evaluation.public.of(docs)
    assert any(not evaluation.state(d.raw.rel).visible for d in site.documents)   # the example hides some


@given(picks=st.lists(st.integers(min_value=0, max_value=10_000), max_size=80))
def test_feed_entries_are_the_first_of_the_newest_first_order(example: Any, picks: list[int]) -> None:
    site, _ = example
    docs = list(site.documents)
    chosen = [docs[n % len(docs)] for n in picks]      # duplicates too: ties keep their order
    assert feeds.feed_entries(chosen) == latest_first(d for d in chosen if d.kind.in_feeds)[:feeds.FEED_ENTRIES]


def test_a_matrix_cell_knows_its_rule_page_and_whether_it_counts(example: Any) -> None:
    site, evaluation = example
    cells = [c for row in matrix(site, evaluation) for c in row.cells]
    assert any(c.several for c in cells) and any(not c.several for c in cells)
    for c in cells:
        assert c.several == (sum(n for _, n in c.counts) > 1)
        assert c.rule_path == rule_url(c.rule.id) and c.url.startswith(c.rule_path + "#")
    one = Cell(cells[0].rule, "late", (("late", 1), ("missing", 1)), "/compliance/rules/x/#a-协会")
    assert one.several and one.rule_path == rule_url(cells[0].rule.id)
