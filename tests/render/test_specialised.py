"""Templates compiled for one page language (specialise.py) render what the templates compiled
for any language render: every page of the example site in both languages, and small
templates hypothesis makes of `t` calls, conditions on `lang`, templates that assign `lang`,
includes, imports and `extends`, with Chinese and `<&>` in the folded text. The compiled code
kept between builds is the language's own and is made again when a translation changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader, StrictUndefined, select_autoescape

from generator import i18n, pipeline, render, specialise
from generator.i18n import HTML_LANG, PREFIX, translate
from generator.render import Artifact, Theme
from generator.specialise import Unfoldable, language_environment, page_template, tables_key
from generator.templating import ThemeBytecodeCache, ThemeEnvironment
from tests.conftest import EXAMPLE_AS_OF, EXAMPLE_CONTENT


def _plain(env: Any, name: str, page: Any) -> Any:
    return env.get_template(name)


def test_every_page_of_the_default_theme_renders_the_same_folded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page rendered both ways in a real build (the theme's every page template, in
    Chinese and English), compiled for its language."""
    seen: set[tuple[str, str]] = set()
    differing: list[str] = []
    encoded = render._encoded

    def both(template: Any, context: dict[str, Any]) -> list[bytes]:
        lang = context["lang"]
        assert template.environment.folded_lang == lang       # the page took the language's template
        plain = template.environment.linked_to.get_template(template.name)
        folded = encoded(template, context)
        if encoded(plain, context) != folded:
            differing.append(f"{lang} {template.name} {context['page_url']}")
        seen.add((template.name, lang))
        return folded

    monkeypatch.setenv("GONGSHI_JOBS", "1")     # the pages rendered here, in this process
    monkeypatch.setattr(render, "_encoded", both)
    result = pipeline.build(EXAMPLE_CONTENT, tmp_path / "public", EXAMPLE_AS_OF)
    assert result.ok
    assert differing == []
    pages = {p.name for p in (render.DEFAULT_THEME / "templates").glob("*.html")} - \
        {"base.html", "macros.html", "compliance_macros.html", "site_nav.html", "site_footer.html"}    # parts of pages
    # (the search page is Chinese only: searching.py makes no mirror of it)
    assert seen == {(name, lang) for name in pages for lang in ("zh", "en")} - {("search.html", "en")}


def test_the_folded_text_is_in_the_compiled_code() -> None:
    """What a document page calls `t` for is text in its code, escaped (no call is left)."""
    theme = render.load_theme(None)
    for lang in ("zh", "en"):
        env = language_environment(theme.env, lang)
        source, filename, _ = env.loader.get_source(env, "base.html")
        code = env.compile(source, "base.html", filename, raw=True)
        assert "name='t')" not in code and "(undefined(name='lang')" not in code
        assert translate("skip", lang) in code and f'<html lang="{HTML_LANG[lang]}">' in code


# --- small templates ------------------------------------------------------------------------------

KEYS = ["skip", "home", "page", "x<&>深圳"]        # one with a placeholder, one missing (its key shows)
FRAGMENTS = [
    "{{ t('skip', lang) }}", "{{ t('x<&>深圳', lang) }}", "{{ t(key, lang) }}", "{{ t('page', lang, n=3) }}",
    "{{ t('page', lang, n=num) }}", "{{ t('home' if num else 'x<&>深圳', lang) }}", "{{ t('page' if num else key, lang) }}", "{{ t('page', lang) }}", "{{ t('home') }}", "{{ t('home', lang)|upper }}",
    "{{ html_lang[lang] }}", "{{ lang_prefix[lang] }}/a", "{{ html_lang[other] }}", "{{ lang }}",
    "{{ 'en' if lang == 'zh' else 'zh' }}", "{{ '<b>' if lang == 'en' }}", "{{ lang is defined }}",
    "{% if lang == 'en' %}英文<&>{% elif lang == 'zh' %}中文&{% else %}其他{% endif %}",
    "{% if lang != 'zh' %}{{ t('home', lang) }}{% endif %}", "{% if lang in ('zh', 'xx') %}甲{% else %}乙{% endif %}",
    "{% if key == 'home' %}家{% elif lang == 'en' %}E{% elif num %}N{% endif %}",
    "{% set got = t('home', lang) %}[{{ got }}]", "{{ t('skip', lang) ~ '<&>' }}",
    "{% autoescape false %}{{ t('x<&>深圳', lang) }}{% endautoescape %}", "{{ ('<&>' ~ t('home', lang))|safe }}",
    "{% include 'inc.html' %}", "{% from 'mac.html' import m with context %}{{ m('协会') }}",
    # where `lang` is not the page's: nothing may be folded on it
    "{% set lang = 'en' %}{{ t('skip', lang) }}", "{% for lang in ['en', 'zh'] %}{{ t('home', lang) }}{% endfor %}",
    "{% macro say(lang) %}{{ t('home', lang) }}{% endmacro %}{{ say('en') }}",
    "{% with lang = 'en' %}{{ html_lang[lang] }}{% include 'inc.html' %}{% endwith %}",
    "{% set lang = other %}{% include 'inc.html' %}", "{% import 'mac.html' as mm with context %}{{ mm.m('会') }}",
    "{% import 'mac.html' as mm %}{{ mm.m('会') }}", "{% include 'inc.html' without context %}",
]
INCLUDED = {
    "inc.html": "<i>{{ t('home', lang) }}|{{ lang }}|{{ 'E' if lang == 'en' else '中' }}</i>",
    "mac.html": "{% macro m(x) %}<m>{{ x }}{{ t('skip', lang) }}{% if lang == 'en' %}&{% endif %}</m>{% endmacro %}",
}

templates = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5).map("".join)


def _theme(sources: dict[str, str], cache: Path | None = None) -> Theme:
    env = ThemeEnvironment(
        loader=DictLoader(sources), autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False, bytecode_cache=ThemeBytecodeCache(str(cache)) if cache is not None else None)
    return Theme(env=env, assets={})


GLOBALS = {"t": translate, "html_lang": HTML_LANG, "lang_prefix": PREFIX, "lang": "zh", "all_paths": frozenset()}


def _page(theme: Theme, lang: str, context: dict[str, Any], name: str = "page.html") -> tuple[str, str]:
    """The page's text (or the error it raised, by type and message)."""
    artifact = Artifact("a/index.html" if lang == "zh" else "en/a/index.html", name, context, lang=lang)
    try:
        return "ok", b"".join(render.artifact_chunks(artifact, theme, GLOBALS)).decode()
    except Exception as e:      # a page that fails must fail the same way
        return type(e).__name__, str(e)


def _both(sources: dict[str, str], lang: str, context: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
          name: str = "page.html") -> tuple[tuple[str, str], tuple[str, str]]:
    folded = _page(_theme(sources), lang, context, name)
    with monkeypatch.context() as m:
        m.setattr(render, "page_template", _plain)
        plain = _page(_theme(sources), lang, context, name)
    return plain, folded


page_variables = st.fixed_dictionaries({
    "key": st.sampled_from(KEYS), "num": st.integers(0, 3), "other": st.sampled_from(["zh", "en"])})


@settings(max_examples=250, deadline=None)
@given(page=templates, included=st.sampled_from([None, "inc.html", "mac.html"]), included_page=templates,
       lang=st.sampled_from(["zh", "en"]), variables=page_variables)
def test_small_templates_render_the_same_folded(page: str, included: str | None, included_page: str, lang: str,
                                                variables: dict[str, Any]) -> None:
    sources = {**INCLUDED, "page.html": page}
    if included is not None and "inc.html" not in included_page and "mac.html" not in included_page:
        sources[included] = included_page if included == "inc.html" else \
            "{% macro m(x) %}" + included_page + "{% endmacro %}"
    with pytest.MonkeyPatch.context() as m:
        plain, folded = _both(sources, lang, variables, m)
    assert folded == plain


@settings(max_examples=150, deadline=None)
@given(base=templates, child=templates, lang=st.sampled_from(["zh", "en"]), variables=page_variables)
def test_extended_templates_render_the_same_folded(base: str, child: str, lang: str, variables: dict[str, Any]) -> None:
    """A parent's text and its blocks, whichever of them assigns `lang`."""
    sources = {**INCLUDED,
               "base.html": "<html lang=\"{{ html_lang[lang] }}\">" + base + "{% block main %}默认{% endblock %}</html>",
               "page.html": "{% extends 'base.html' %}" + "{% block main %}" + child + "{{ super() }}{% endblock %}"}
    with pytest.MonkeyPatch.context() as m:
        plain, folded = _both(sources, lang, variables, m)
    assert folded == plain


def test_a_template_that_assigns_lang_is_not_compiled_for_a_language() -> None:
    theme = _theme({**INCLUDED, "page.html": "{% set lang = 'en' %}{% include 'inc.html' %}"})
    assert _page(theme, "zh", {}) == ("ok", "<i>Home|en|E</i>")
    env = language_environment(theme.env, "zh")
    assert env.unfoldable       # given up for the build: the next pages take the plain templates
    with pytest.raises(Unfoldable):
        env.get_template("page.html")


def test_a_page_whose_t_is_not_i18n_s_own_is_not_folded() -> None:
    theme = _theme({"page.html": "{{ t('home', lang) }}"})
    folded = page_template(theme.env, "page.html", {**GLOBALS, "lang": "en"})
    assert folded.environment.folded_lang == "en"
    other = page_template(theme.env, "page.html", {**GLOBALS, "lang": "en", "t": lambda key, lang: "别的"})
    assert other.environment is theme.env
    assert page_template(theme.env, "page.html", {**GLOBALS, "lang": "fr"}).environment is theme.env


# --- compiled code kept between builds --------------------------------------------------------------

SOURCES = {**INCLUDED, "page.html": "<h1>{{ t('skip', lang) }}</h1>{% include 'inc.html' %}"}


def test_the_cache_never_gives_one_language_s_code_to_another(tmp_path: Path) -> None:
    for lang in ["zh", "en", "zh", "en"]:       # each build a new environment over the same cache
        assert _page(_theme(SOURCES, tmp_path), lang, {}) == \
            ("ok", f"<h1>{translate('skip', lang)}</h1><i>{translate('home', lang)}|{lang}|{'E' if lang == 'en' else '中'}</i>")
    assert len(list(tmp_path.iterdir())) == 4      # page and inc, for each language


@pytest.fixture()
def changed_translation(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    specialise.folding_key.cache_clear()
    yield
    monkeypatch.undo()
    specialise.folding_key.cache_clear()


def test_a_changed_translation_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 changed_translation: None) -> None:
    assert _page(_theme(SOURCES, tmp_path), "zh", {})[1].startswith("<h1>跳到正文</h1>")
    monkeypatch.setitem(i18n.STRINGS, "skip", ("跳至正文<&>", "Skip"))
    specialise.folding_key.cache_clear()
    assert _page(_theme(SOURCES, tmp_path), "zh", {})[1].startswith("<h1>跳至正文&lt;&amp;&gt;</h1>")


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(sorted(i18n.STRINGS)), which=st.integers(0, 1), text=st.text(min_size=1, max_size=8))
def test_a_changed_table_changes_the_key(key: str, which: int, text: str) -> None:
    strings = dict(i18n.STRINGS)
    before = tables_key(strings, HTML_LANG, PREFIX)
    pair = list(strings[key])
    if pair[which] == text:
        return
    pair[which] = text
    strings[key] = (pair[0], pair[1])
    assert tables_key(strings, HTML_LANG, PREFIX) != before
    assert tables_key(i18n.STRINGS, {**HTML_LANG, "en": "en-GB"}, PREFIX) != tables_key(i18n.STRINGS, HTML_LANG, PREFIX)
    assert specialise.folding_key() == tables_key(i18n.STRINGS, HTML_LANG, PREFIX)
