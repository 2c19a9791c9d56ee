"""A document's zh and en pages share the language-free part of its view (views.document_shared,
kept for the last document by render.DocumentPage); a parallel build renders a page's
mirrors one after the other (parallel.mirrors_together) so that the second finds it. Pages
made with the shared part must be the pages made without it, in any order of rendering."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline, render
from generator.parallel import mirrors_together
from generator.render import Artifact, DocumentPage, build_artifact, forget_shared, load_theme, produce_artifacts, template_globals
from generator.views import document_shared, document_view
from tests.conftest import EXAMPLE_AS_OF, EXAMPLE_CONTENT


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    prepared = pipeline.prepare(EXAMPLE_CONTENT, EXAMPLE_AS_OF)
    site, evaluation = prepared.site, prepared.evaluation
    assert site is not None and evaluation is not None
    theme = load_theme(site.theme_dir)
    artifacts = produce_artifacts(site, evaluation, theme)
    documents = [a for a in artifacts if isinstance(a.lazy, DocumentPage)]
    assert len({a.path for a in documents}) == len(documents) >= 20
    assert {a.lang for a in documents} == {"zh", "en"}
    globals_ = {**template_globals(site, evaluation, theme), "all_paths": frozenset(a.path for a in artifacts)}
    alone = {}
    for a in documents:
        forget_shared()                 # nothing shared: each page makes its whole view
        alone[a.path] = build_artifact(a, theme, globals_)
    forget_shared()
    return {"site": site, "evaluation": evaluation, "theme": theme, "documents": documents,
            "globals": globals_, "alone": alone}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=60))
def test_pages_with_the_shared_part_are_the_pages_without_it(built: dict[str, Any], order: list[int]) -> None:
    """Any order of rendering (a page's languages one after the other, or apart, or the same
    page twice) gives every page the bytes it has when made alone."""
    documents = built["documents"]
    try:
        for n in order:
            a = documents[n % len(documents)]
            assert build_artifact(a, built["theme"], built["globals"]) == built["alone"][a.path], a.path
    finally:
        forget_shared()


def test_a_documents_languages_make_the_shared_part_once(built: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    documents = built["documents"]
    made: list[str] = []
    real = render.document_shared
    monkeypatch.setattr(render, "document_shared", lambda doc, *rest: made.append(doc.raw.rel) or real(doc, *rest))
    order = [documents[i] for i in mirrors_together(documents, range(len(documents)))]
    try:
        for a in order:
            assert build_artifact(a, built["theme"], built["globals"]) == built["alone"][a.path]
    finally:
        forget_shared()
    assert sorted(made) == sorted({a.lazy.doc.raw.rel for a in documents})    # once per document, not per page


def test_another_evaluation_makes_the_shared_part_again(built: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve keeps an unchanged document's object across edits and evaluates again: the part
    made with the old evaluation (its state, deadlines, references) is not reused."""
    page = built["documents"][0].lazy
    again = pipeline.prepare(EXAMPLE_CONTENT, EXAMPLE_AS_OF).evaluation
    made: list[object] = []
    real = render.document_shared
    monkeypatch.setattr(render, "document_shared", lambda doc, site, evaluation, assoc:
                        made.append(evaluation) or real(doc, site, evaluation, assoc))
    try:
        page("zh")
        page("en")
        DocumentPage(page.doc, page.site, again, page.association)("en")
    finally:
        forget_shared()
    assert made == [page.evaluation, again]


def test_a_view_with_the_shared_part_is_the_view_without_it(built: dict[str, Any]) -> None:
    site, evaluation = built["site"], built["evaluation"]
    for a in built["documents"]:
        page = a.lazy
        shared = document_shared(page.doc, site, evaluation, page.association)
        for lang in ("zh", "en"):
            with_part = document_view(page.doc, site, evaluation, page.association, lang, shared)
            assert with_part == document_view(page.doc, site, evaluation, page.association, lang)
            # lists of its own: a template that changed one would not change the other page's
            other = document_view(page.doc, site, evaluation, page.association, lang, shared)
            assert with_part.deadlines is not other.deadlines and with_part.toc is not other.toc
            assert with_part.references is not other.references


def test_mirrors_together_keeps_every_index_once_and_pairs_a_page_with_its_mirrors() -> None:
    shared_a, shared_b = {"页": "甲"}, {"页": "乙"}
    arts = [Artifact("a/index.html", "x.html", shared_a), Artifact("b/index.html", "x.html", shared_b),
            Artifact("c/index.html", "x.html", {}), Artifact("en/a/index.html", "x.html", shared_a, lang="en"),
            Artifact("en/b/index.html", "x.html", shared_b, lang="en")]
    assert mirrors_together(arts, range(5)) == [0, 3, 1, 4, 2]
    assert mirrors_together(arts, [1, 2, 4]) == [1, 4, 2]
