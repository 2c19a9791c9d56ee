"""A template made only of macros, imported `with context`, is shared by the pages whose
variables it reads are the same objects (templating.ThemeTemplate.make_module): page after
page, every page renders what plain Jinja renders, and a module that does anything more
than define macros is made anew for every import, as Jinja makes it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import BaseLoader, DictLoader, Environment, StrictUndefined, pass_context

from generator.i18n import translate
from generator.render import _content_lang, _href, _label
from generator.templating import ThemeBytecodeCache, ThemeEnvironment, macro_module_reads, reads_context

hostile = st.text(alphabet=st.sampled_from(list("<>&\"'深圳协会{}%#\n ab")), max_size=12)

MACROS = """{# 公示列表的宏 #}
{% macro crumbs(items) -%}
<nav aria-label="{{ t('breadcrumbs', lang) }}"><a href="{{ href('/') }}">{{ t('home', lang) }}</a>
{% for url, text in items %}<a href="{{ href(url) }}"{{ cl() }}>{{ text }}</a>{% endfor %}</nav>
{%- endmacro %}
{% macro item(d, sep='·') -%}
<li>{{ lbl(d) }}{{ sep }}{{ d }}{{ ' (en)' if lang == 'en' else '（中）' }}{{ suffix }}{{ who() }}{{ mark }}</li>
{%- endmacro %}
{% macro items(ds) -%}{% for d in ds %}{{ item(d) }}{% else %}{{ t('empty', lang) }}{% endfor %}{%- endmacro %}
"""

PAGES = {
    "macros.html": MACROS,
    "page.html": """{% from "macros.html" import crumbs, items with context %}
<h1>{{ title }}</h1>{{ crumbs([('/a/', title)]) }}{{ items(ds) }}""",
    # a variable set before the import is one of the module's (Jinja passes it as a local)
    "set_first.html": """{% set suffix = title ~ '!' %}{% from "macros.html" import items with context %}{{ items(ds) }}""",
    # imported twice on one page, with other variables the second time
    "twice.html": """{% from "macros.html" import item with context %}{{ item(title) }}
{% for lang in ['en', 'zh'] %}{% from "macros.html" import item as again with context %}{{ again(title) }}{% endfor %}
{{ item(title) }}""",
}


@reads_context("lang", "mark")
def who(ctx: Any) -> str:
    return f"[{ctx.resolve_or_missing('lang')}{ctx.resolve_or_missing('mark')}]"


def _env(cls: type[Environment], templates: dict[str, str], **options: Any) -> Environment:
    return cls(loader=DictLoader(templates), autoescape=True, undefined=StrictUndefined,
               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, **options)


page = st.fixed_dictionaries({
    "template": st.sampled_from(["page.html", "set_first.html", "twice.html"]),
    "title": hostile, "ds": st.lists(hostile, max_size=3), "lang": st.sampled_from(["zh", "en"]),
    "mark": st.sampled_from(["", "★"]), "suffix": st.sampled_from(["", "后缀"]),
    "paths": st.sets(st.sampled_from(["en/a/index.html", "en/index.html"])),
})


@settings(max_examples=80, deadline=None)
@given(pages=st.lists(page, min_size=1, max_size=8))
def test_pages_sharing_a_macro_module_render_what_jinja_renders(pages: list[dict[str, Any]]) -> None:
    plain, theme = _env(Environment, PAGES), _env(ThemeEnvironment, PAGES)
    site = {"t": translate, "href": _href, "lbl": _label, "cl": _content_lang, "who": who}
    all_paths: dict[frozenset[str], frozenset[str]] = {}
    for p in pages:
        paths = all_paths.setdefault(frozenset(p["paths"]), frozenset(p["paths"]))   # one object per set, as in a build
        context = {**site, "title": p["title"], "ds": p["ds"], "lang": p["lang"], "mark": p["mark"],
                   "suffix": p["suffix"], "all_paths": paths}
        expected = plain.get_template(p["template"]).render(context)
        assert theme.get_template(p["template"]).render(context) == expected


def test_the_module_is_shared_while_the_variables_it_reads_are_the_same() -> None:
    env = _env(ThemeEnvironment, PAGES)
    site = {"t": translate, "href": _href, "lbl": _label, "cl": _content_lang, "who": who, "mark": "",
            "suffix": "", "all_paths": frozenset()}
    template = env.get_template("page.html")
    for title in ("一", "二", "三"):
        template.render({**site, "title": title, "ds": [title], "lang": "zh"})
    macros = env.get_template("macros.html")
    assert len(macros._modules) == 1                        # three pages, one import
    names = macros._modules[0][0]
    # what its functions read through the context counts too (href reads all_paths, who mark)
    assert {"t", "lang", "href", "all_paths", "mark", "suffix"} <= set(names)
    template.render({**site, "title": "四", "ds": [], "lang": "en"})
    template.render({**site, "title": "五", "ds": [], "lang": "en", "all_paths": frozenset({"en/index.html"})})
    assert len(macros._modules) == 3                        # another language, other paths: made anew


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return str(self.calls)


@pytest.mark.parametrize("module", [
    "{% set n = count() %}{% macro m() %}{{ n }}{% endmacro %}",          # sets a variable
    "{{ count() }}{% macro m() %}x{% endmacro %}",                         # writes a value
    "{% macro m() %}{% include 'inc.html' %}{% endmacro %}{{ count() }}",  # includes
    "{% macro m() %}{{ self.b() }}{% endmacro %}{% block b %}{{ count() }}{% endblock %}",
])
def test_a_module_that_does_more_than_define_macros_is_made_for_every_import(module: str) -> None:
    templates = {"m.html": module, "inc.html": "{{ lang }}",
                 "page.html": '{% from "m.html" import m with context %}{{ m() }}'}
    out = []
    for cls in (Environment, ThemeEnvironment):
        count = Counting()
        env = _env(cls, templates)
        out.append([env.get_template("page.html").render(count=count, lang="zh") for _ in range(3)] + [count.calls])
    assert out[0] == out[1]
    assert out[1][-1] >= 3          # the module's code ran on every import
    assert macro_module_reads(Environment().parse(module), Environment()) is None


@pass_context
def says_nothing(ctx: Any) -> str:
    """A function that takes the context and does not say what it reads."""
    return str(ctx.resolve_or_missing("page_only"))


def test_a_function_taking_the_whole_context_keeps_the_module_from_being_shared() -> None:
    templates = {"m.html": "{% macro m() %}{{ f() }}{% endmacro %}",
                 "page.html": '{% from "m.html" import m with context %}{{ m() }}'}
    env = _env(ThemeEnvironment, templates)
    seen = [env.get_template("page.html").render(f=says_nothing, page_only=n) for n in ("甲", "乙")]
    assert seen == ["甲", "乙"]
    assert env.get_template("m.html")._modules == []


class Holder:
    f = staticmethod(says_nothing)


def test_a_function_taking_the_context_reached_through_a_value_fails_loudly() -> None:
    """Called in a shared module, it could read another page's variable: an error, never that."""
    templates = {"m.html": "{% macro m() %}{{ holder.f() }}{% endmacro %}",
                 "page.html": '{% from "m.html" import m with context %}{{ m() }}'}
    env = _env(ThemeEnvironment, templates)
    with pytest.raises(RuntimeError, match="macro module pages share"):
        env.get_template("page.html").render(holder=Holder(), page_only="甲")
    assert _env(Environment, templates).get_template("page.html").render(holder=Holder(), page_only="甲") == "甲"


def test_compiled_code_from_the_bytecode_cache_is_the_theme_environments(tmp_path: Any) -> None:
    """Templates compiled by plain Jinja's code generator (another checksum) are compiled
    again, so each one knows whether it is a macro module."""
    plain_cache = ThemeBytecodeCache.__mro__[1](str(tmp_path))
    theme_cache = ThemeBytecodeCache(str(tmp_path))
    assert plain_cache.get_source_checksum(MACROS) != theme_cache.get_source_checksum(MACROS)
    for _ in range(2):      # compiled, then from the cache
        env = _env(ThemeEnvironment, PAGES, bytecode_cache=theme_cache)
        assert env.get_template("macros.html")._macro_module is not None


def test_a_template_without_the_analysis_is_never_shared() -> None:
    """A template whose compiled code carries no analysis (made by other code) is imported as
    Jinja imports it."""
    class Compiled(BaseLoader):
        def load(self, environment: Environment, name: str, globals: Any = None) -> Any:
            from jinja2.compiler import generate
            code = environment._compile(generate(environment.parse(PAGES[name]), environment, name, name), name)
            return environment.template_class.from_code(environment, code, environment.make_globals(globals))

    env = ThemeEnvironment(loader=Compiled(), autoescape=True)
    assert env.get_template("macros.html")._macro_module is None
