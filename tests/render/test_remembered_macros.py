"""A macro a theme remembers (`{% set item = remember(item) %}`, generator/remembered.py) writes
what it writes without being remembered: page after page, whatever the arguments (strings,
the same objects again, keywords, a `{% call %}` block), in each language apart, whether
its module is shared by pages or made for one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader, Environment, StrictUndefined, pass_context
from markupsafe import Markup

from generator import pipeline, remembered
from generator.i18n import translate
from generator.remembered import RememberedMacro, remember
from generator.render import DEFAULT_THEME, build_artifact, forget_shared, load_theme, produce_artifacts, template_globals
from generator.specialise import language_environment
from generator.templating import PageContext, ThemeEnvironment, macro_module_reads
from tests.conftest import EXAMPLE_AS_OF, EXAMPLE_CONTENT


class Doc:
    """A document as the templates see it: an object, compared by identity."""

    def __init__(self, title: str) -> None:
        self.title = title

    def __str__(self) -> str:
        return f"《{self.title}》"


class Loose:
    """Equal to every other Loose, yet each writes its own text: remembered by identity,
    never by value."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Loose)

    def __hash__(self) -> int:
        return 1

    def __str__(self) -> str:
        return self.text


# The same objects come back call after call, as a document does list after list.
POOL = [Doc("深圳市电子商务协会处罚决定"), Doc("行业自律公约"), Loose("甲"), Loose("乙"),
        Markup("<b>粗体</b>"), "<b>粗体</b>", True, 1, False, 0, 0.0, -0.0, None,
        dt.date(2026, 11, 24), dt.datetime(2026, 11, 24), ("元组", 1)]
chinese = st.text(alphabet=st.sampled_from(list("深圳协会公示处罚<>&\"' ab")), max_size=8)
value = st.one_of(st.sampled_from(POOL), chinese, st.integers(-3, 3), st.booleans())

MACROS = """{# 列表项 #}
{% macro item(d, flag=True, note='') -%}
<li>{{ d }}|{{ flag }}|{{ note }}|{{ t('home', lang) }}{{ mark }}</li>
{%- endmacro %}
{% macro boxed(d) -%}
<div>{{ d }}{% if caller is defined %}{{ caller() }}{% endif %}</div>
{%- endmacro %}
{% macro items(ds, flag=True) -%}
<ul>{% for d in ds %}{{ item(d, flag) }}{% endfor %}</ul>
{%- endmacro %}
"""
REMEMBERED = MACROS + "{% set item = remember(item) %}\n{% set boxed = remember(boxed) %}\n"

PAGE = """{% from "macros.html" import item, boxed, items with context %}
{% for kind, a, kw in calls %}
{% if kind == 'one' %}{{ item(a[0]) }}
{% elif kind == 'three' %}{{ item(a[0], a[1], a[2]) }}
{% elif kind == 'keywords' %}{{ item(a[0], **kw) }}
{% elif kind == 'call' %}{% call boxed(a[0]) %}块{{ loop.index }}{{ a[1] }}{% endcall %}
{% elif kind == 'bare' %}{{ boxed(a[0]) }}
{% else %}{{ items(a, a[0]) }}
{% endif %}
{% endfor %}"""

call = st.tuples(st.sampled_from(["one", "three", "keywords", "call", "bare", "list"]),
                 st.lists(value, min_size=3, max_size=4),
                 st.dictionaries(st.sampled_from(["flag", "note"]), value, max_size=2))
page = st.fixed_dictionaries({"calls": st.lists(call, max_size=6), "lang": st.sampled_from(["zh", "en"]),
                              "mark": st.sampled_from(["", "★"])})


def _env(cls: type[Environment], macros: str) -> Environment:
    env = cls(loader=DictLoader({"macros.html": macros, "page.html": PAGE}), autoescape=True,
              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(t=translate, remember=remember)
    return env


@settings(max_examples=120, deadline=None)
@given(pages=st.lists(page, min_size=1, max_size=6), keep=st.sampled_from([1, 2, 1024]))
def test_remembered_macros_write_what_jinja_writes(pages: list[dict[str, Any]], keep: int) -> None:
    """Against plain Jinja rendering the module without `remember`: the theme environment
    (module shared while lang and mark stay the same) and plain Jinja with `remember` (module
    made on every import, calls through Jinja's Context.call); a memory of one call or two
    forgets and remembers again."""
    plain, shared, per_page = _env(Environment, MACROS), _env(ThemeEnvironment, REMEMBERED), _env(Environment, REMEMBERED)
    with mock.patch.object(remembered, "KEEP", keep):
        for p in pages:
            expected = plain.get_template("page.html").render(p)
            assert shared.get_template("page.html").render(p) == expected
            assert per_page.get_template("page.html").render(p) == expected


def test_languages_never_share_what_is_remembered() -> None:
    env = _env(ThemeEnvironment, REMEMBERED)
    doc = POOL[0]
    zh = env.get_template("page.html").render(calls=[("one", [doc], {})], lang="zh", mark="")
    en = env.get_template("page.html").render(calls=[("one", [doc], {})], lang="en", mark="")
    assert "首页" in zh and "Home" in en
    modules = [m for _, _, m in env.get_template("macros.html")._modules]
    assert len(modules) == 2 and modules[0].item is not modules[1].item


class Fresh:
    def __init__(self, n: int) -> None:
        self.n = n

    def __str__(self) -> str:
        return f"第{self.n}条"


def test_an_object_gone_never_lends_its_id_to_a_remembered_output() -> None:
    """A page's object dropped after the page (CPython then gives its id to the next one):
    the memory holds the objects it remembers, so an id always means one object."""
    env = _env(ThemeEnvironment, REMEMBERED)
    template = env.get_template("page.html")
    with mock.patch.object(remembered, "KEEP", 3):
        for n in range(40):
            out = template.render(calls=[("one", [Fresh(n)], {})], lang="zh", mark="")
            assert f"第{n}条" in out, out


def test_a_module_shared_by_pages_calls_the_remembered_macro_through_the_quick_paths() -> None:
    """doc_list-like macros of the module and the importing page reach the remembered macro;
    a miss is a macro call as PageContext makes it (_call_macro), a hit no call at all."""
    env = _env(ThemeEnvironment, REMEMBERED)
    template = env.get_template("page.html")
    made: list[Any] = []
    real = PageContext._call_macro
    with mock.patch.object(PageContext, "_call_macro", lambda self, m, a, k: made.append(m.name) or real(self, m, a, k)):
        for _ in range(3):
            template.render(calls=[("list", [POOL[0], POOL[1], POOL[0]], {}), ("one", [POOL[1]], {})], lang="zh", mark="")
    assert made.count("item") == 3             # three keys, each made once over three pages
    assert made.count("items") == 3            # not remembered: called on every page
    module = env.get_template("macros.html")._modules[0][2]
    assert type(module.item) is RememberedMacro and module.item.name == "item"


@pass_context
def says_nothing(ctx: Any) -> str:
    """Takes the context without saying what it reads: the module is made on every page."""
    return str(ctx.resolve_or_missing("page_only"))


def test_a_module_made_for_one_page_remembers_for_that_page_only() -> None:
    macros = ("{% macro item(d) -%}<li>{{ d }}{{ f() }}</li>{%- endmacro %}\n{% set item = remember(item) %}\n"
              "{% macro items(ds) %}{% for d in ds %}{{ item(d) }}{% endfor %}{% endmacro %}")
    env = ThemeEnvironment(loader=DictLoader({"m.html": macros, "p.html": '{% from "m.html" import items with context %}{{ items(ds) }}'}),
                           autoescape=True, undefined=StrictUndefined)
    doc = Doc("公告")
    pages = [env.get_template("p.html").render(ds=[doc, doc], f=says_nothing, page_only=n, remember=remember) for n in ("甲", "乙")]
    assert pages == ["<li>《公告》甲</li><li>《公告》甲</li>", "<li>《公告》乙</li><li>《公告》乙</li>"]
    assert env.get_template("m.html")._modules == []


def test_remembering_keeps_a_module_shared_and_nothing_else_does() -> None:
    env = Environment()
    assert macro_module_reads(env.parse(REMEMBERED), env) is not None
    assert macro_module_reads(env.parse(MACROS + "{% set item = other(item) %}"), env) is None
    assert macro_module_reads(env.parse(MACROS + "{% set item = remember(item, 2) %}"), env) is None
    assert macro_module_reads(env.parse((DEFAULT_THEME / "templates" / "macros.html").read_text("utf-8")), env) is not None


def test_anything_but_a_macro_is_not_remembered() -> None:
    assert remember(len) is len and remember("文本") == "文本"


# --- the default theme ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The example site's list-like pages, and each page rendered by a theme whose macros.html
    remembers nothing."""
    prepared = pipeline.prepare(EXAMPLE_CONTENT, EXAMPLE_AS_OF)
    site, evaluation = prepared.site, prepared.evaluation
    assert site is not None and evaluation is not None
    forgetful = tmp_path_factory.mktemp("theme")
    (forgetful / "templates").mkdir()
    source = (DEFAULT_THEME / "templates" / "macros.html").read_text("utf-8")
    lines = [line for line in source.splitlines(keepends=True) if "remember(" not in line]
    assert len(lines) < len(source.splitlines())
    (forgetful / "templates" / "macros.html").write_text("".join(lines), "utf-8")
    plain_theme = load_theme(forgetful)
    artifacts = produce_artifacts(site, evaluation, plain_theme)
    pages = [a for a in artifacts if a.template in ("list.html", "association.html", "home.html")]
    assert {a.lang for a in pages} == {"zh", "en"} and len(pages) >= 20
    globals_ = {**template_globals(site, evaluation, plain_theme), "all_paths": frozenset(a.path for a in artifacts)}
    expected = {a.path: build_artifact(a, plain_theme, globals_) for a in pages}
    forget_shared()
    return {"site": site, "pages": pages, "globals": globals_, "expected": expected, "theme_dir": site.theme_dir}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40))
def test_the_themes_list_pages_are_the_pages_without_remembering(lists: dict[str, Any], order: list[int]) -> None:
    """In any order (languages mixed, pages again), and doc_list's items are the remembered
    doc_item's, kept apart by language: an English item says its content is Chinese."""
    theme = load_theme(lists["theme_dir"])
    pages = lists["pages"]
    for n in order:
        a = pages[n % len(pages)]
        assert build_artifact(a, theme, lists["globals"]) == lists["expected"][a.path], a.path
    forget_shared()
    for lang, module in _shared_macro_modules(theme):
        doc_item = module.doc_item
        assert type(doc_item) is RememberedMacro
        written = [out for _, out in [*doc_item._recent.values(), *doc_item._older.values()]]
        assert written
        assert all(('lang="zh-CN"' in out) == (lang == "en") for out in written)


def test_the_theme_remembers_items_across_list_pages(lists: dict[str, Any]) -> None:
    theme = load_theme(lists["theme_dir"])
    for a in lists["pages"]:
        build_artifact(a, theme, lists["globals"])
    forget_shared()
    modules = _shared_macro_modules(theme)
    assert sorted(lang for lang, _ in modules) == ["en", "zh"]     # one per language
    assert all(module.doc_item._recent for _, module in modules)


def _shared_macro_modules(theme: Any) -> list[tuple[str, Any]]:
    """(language, module) of every macros.html module the pages shared. A page is compiled
    for its language (specialise.py), so its imports are that language's environment's:
    the theme's own environment made none."""
    assert theme.env.get_template("macros.html")._modules == []
    return [(lang, module) for lang in ("zh", "en")
            for _, _, module in language_environment(theme.env, lang).get_template("macros.html")._modules]
