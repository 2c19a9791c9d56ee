"""The theme's Jinja environment (templating.ThemeEnvironment: a quicker Context.call and escape)
renders every template exactly as a plain Jinja Environment with the same options does:
themes a site overrides keep Jinja's semantics, and every value is escaped as before."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment, StrictUndefined, pass_context, pass_environment, pass_eval_context
from markupsafe import Markup, escape

from generator.render import _content_lang, _href, _label, _site_part, _site_title
from generator.templating import ThemeEnvironment, _escape_piece

hostile = st.text(alphabet=st.sampled_from(list("<>&\"'`=/ ;:()abc深圳{}%#\n\\")), max_size=20)


class Html:
    """A value that says it is HTML already (markupsafe's protocol)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __html__(self) -> str:
        return self.text


class Shown:
    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


class Sub(str):
    pass


values = st.one_of(
    hostile, hostile.map(Markup), hostile.map(Html), hostile.map(Shown), hostile.map(Sub),
    st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_escape_piece_writes_what_markupsafe_escape_writes(value: Any) -> None:
    assert str(_escape_piece(value)) == str(escape(value))


@pass_context
def who(ctx: Any, suffix: str = "") -> str:
    return f"{ctx.get('lang')}:{ctx.get('x', '-')}{suffix}"


@pass_environment
def env_kind(env: Environment) -> str:
    return "env" if isinstance(env, Environment) else "?"


@pass_eval_context
def autoescaping(eval_ctx: Any) -> str:
    return str(eval_ctx.autoescape)


class CallableWithContext:
    @pass_context
    def __call__(self, ctx: Any) -> str:
        return "obj:" + str(ctx.get("lang"))


def stops() -> str:
    raise StopIteration


TEMPLATES = {
    "macros.html": """{% macro item(v, sep='|') -%}<i{{ cl() }}>{{ v }}{{ sep }}{{ lbl(v) }}</i>{%- endmacro %}
{% macro wrap() -%}<w>{{ caller() }}</w>{%- endmacro %}""",
    "page.html": """{% from "macros.html" import item, wrap with context %}
<h1>{{ title }}</h1><p title="{{ title }}">{{ safe_html }}{{ n }}{{ nothing }}</p>
{{ href('/a/') }} {{ who() }} {{ who(suffix=title) }} {{ env_kind() }} {{ autoescaping() }} {{ obj() }}
{{ stops() is undefined }} {{ site_title() }}
{% for v in items %}{{ item(v) }}{% set x = 'loop' ~ loop.index %}{{ who() }} {{ href('/b/') }}{% endfor %}
{% for lang in ['zh', 'en'] %}{{ who() }} {{ href('/c/') }} {{ lbl(title) }}{{ cl() }}{% endfor %}
{% set x = title %}{{ who() }}{% set lang = 'en' %}{{ href('/d/') }}{{ cl() }}{{ who() }}
{% call wrap() %}{{ title }}{{ safe_html }}{% endcall %}
{% set block %}{{ title }}<b>{{ n }}</b>{% endset %}{{ block }}{{ block|length }}
{% filter upper %}{{ title }}{% endfilter %}{{ title ~ safe_html }}{{ (title ~ '&')|e }}
{{ dict(a=title).a }}{{ [title, n]|join(',') }}{{ '%s-%s'|format(title, n) }}""",
}


def _env(cls: type[Environment]) -> Environment:
    from jinja2 import DictLoader
    return cls(loader=DictLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


PLAIN, THEME = _env(Environment), _env(ThemeEnvironment)


@settings(max_examples=150, deadline=None)
@given(title=hostile, items=st.lists(values, max_size=4), n=st.integers(), lang=st.sampled_from(["zh", "en"]),
       all_paths=st.sets(st.sampled_from(["en/a/index.html", "en/b/index.html", "en/d/index.html"])))
def test_theme_environment_renders_what_jinja_renders(title: str, items: list[Any], n: int, lang: str,
                                                      all_paths: set[str]) -> None:
    from types import SimpleNamespace
    context = {
        "title": title, "items": items, "n": n, "lang": lang, "all_paths": frozenset(all_paths),
        "safe_html": Markup("<em>ok</em>"), "nothing": None,
        "href": _href, "lbl": _label, "cl": _content_lang, "who": who, "env_kind": env_kind,
        "autoescaping": autoescaping, "obj": CallableWithContext(), "stops": stops,
        "site_title": _site_title, "config": SimpleNamespace(title="公示<站>", title_en="Disclosures & co"),
    }
    expected = PLAIN.get_template("page.html").render(context)
    assert THEME.get_template("page.html").render(context) == expected
    # what the build does: the pieces of the root render function, joined
    template = THEME.get_template("page.html")
    assert "".join(template.root_render_func(template.new_context(context))) == expected
    assert "<" + "script" not in expected.replace("&lt;", "")   # (sanity: nothing unescaped slips in)


def test_errors_still_point_at_the_template_line() -> None:
    from jinja2 import DictLoader
    env = ThemeEnvironment(loader=DictLoader({"broken.html": "line one\n{{ f() }}\n"}), undefined=StrictUndefined)

    def f() -> str:
        raise ValueError("boom")

    with pytest.raises(ValueError) as caught:
        env.get_template("broken.html").render(f=f)
    frames = [(tb.tb_frame.f_code.co_filename, tb.tb_lineno) for tb in _walk(caught.value.__traceback__)]
    assert ("<template>", 2) in frames                                  # the template's line, as Jinja shows it
    assert not any(name.endswith("generator/templating.py") for name, _ in frames)   # the quicker call is hidden too


def _walk(tb: Any) -> list[Any]:
    out = []
    while tb is not None:
        out.append(tb)
        tb = tb.tb_next
    return out


def _theme_env(templates: dict[str, str]) -> Environment:
    from jinja2 import DictLoader
    return ThemeEnvironment(loader=DictLoader(templates), autoescape=True, undefined=StrictUndefined,
                            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _page(env: Environment, site_variables: dict[str, Any], **page: Any) -> str:
    from generator.render import Artifact, Theme, build_artifact
    theme = Theme(env=env, assets={})
    return build_artifact(Artifact("x/index.html", "page.html", page), theme, site_variables).decode()


@settings(max_examples=60, deadline=None)
@given(brand=hostile, pages=st.lists(hostile, max_size=5), langs=st.lists(st.sampled_from(["zh", "en"]), max_size=6))
def test_a_site_part_is_what_the_same_markup_inline_writes(brand: str, pages: list[str], langs: list[str]) -> None:
    """Parts rendered once per language and build (site_part) write what the same markup
    written into the page writes, page after page, in either language."""
    part = "<nav>{{ brand }}{{ t('search', lang) }}{{ cl() }}{{ href('/a/') }}{% if 'en/a/index.html' in all_paths %}!{% endif %}</nav>\n"
    env = _theme_env({"part.html": part, "page.html": "<p>{{ body }}</p>{{ site_part('part.html') -}}\n<i>{{ body }}</i>"})
    inline = _theme_env({"page.html": "<p>{{ body }}</p>" + part + "<i>{{ body }}</i>"})
    from generator.i18n import translate
    site = {"brand": brand, "t": translate, "cl": _content_lang, "href": _href, "site_part": _site_part,
            "all_paths": frozenset({"en/a/index.html"}), "lang": "zh"}
    for body, lang in zip(pages, langs):
        assert _page(env, site, body=body, lang=lang) == _page(inline, site, body=body, lang=lang)


def test_a_site_part_sees_nothing_of_the_page() -> None:
    from jinja2 import UndefinedError
    env = _theme_env({"part.html": "{{ body }}", "page.html": "{{ site_part('part.html') }}"})
    with pytest.raises(UndefinedError):
        _page(env, {"site_part": _site_part, "lang": "zh"}, body="a page's own text")


def test_a_site_part_is_rendered_again_for_other_site_variables() -> None:
    """Serve keeps the theme across edits and makes new site variables after each: a part
    made with the old ones is not reused."""
    env = _theme_env({"part.html": "{{ brand }}", "page.html": "{{ site_part('part.html') }}"})
    first = {"site_part": _site_part, "lang": "zh", "brand": "旧名"}
    assert _page(env, first) == "旧名"
    assert _page(env, first) == "旧名"
    assert _page(env, {**first, "brand": "新名"}) == "新名"
    assert _page(env, {**first, "brand": "新名"}, lang="en") == "新名"


def test_a_site_part_outside_a_build_renders_like_an_include() -> None:
    env = _theme_env({"part.html": "{{ body }}·{{ lang }}", "page.html": "{{ site_part('part.html') }}"})
    assert env.get_template("page.html").render(site_part=_site_part, body="<b>", lang="en") == "&lt;b&gt;·en"


# Macros of every signature, called every way: the quick path (positional arguments, no
# caller) and Jinja's own for the rest, under autoescape on and off.
MACRO_TEMPLATES = {
    "m.html": """{% macro plain(a, b='默认<>') -%}<p>{{ a }}·{{ b }}</p>{%- endmacro %}
{% macro bare() -%}<hr>{{ lang }}{%- endmacro %}
{% macro rest(a) -%}{{ a }}{{ varargs|join('|') }}{{ kwargs|dictsort|join(';') }}{%- endmacro %}
{% macro framed(a) -%}[{{ a }}{{ caller(a) }}]{%- endmacro %}
{% macro named(a, caller=None) -%}<{{ a }}{{ caller() }}>{%- endmacro %}""",
    "page.html": """{% from "m.html" import plain, bare, rest, framed, named with context %}
{{ plain(v) }}{{ plain(v, w) }}{{ plain(b=w, a=v) }}{{ bare() }}{{ rest(v) }}{{ rest(v, w, 1) }}{{ rest(v, k=w) }}
{% call(x) framed(v) %}<i>{{ x }}{{ w }}</i>{% endcall %}{{ named(v, caller=bare) }}
{% for i in [v, w] %}{{ plain(i) }}{% set j = loop.index %}{{ plain(i, j) }}{% endfor %}
{% set ns = namespace(a='', b='') %}{% autoescape false %}{% set ns.a = plain(v) %}{{ plain(w) }}{{ plain(v) ~ w }}{% endautoescape %}
{% set ns.b = plain(v) %}{{ ns.a }}{{ ns.b }}{{ plain(v) ~ w }}{{ (plain(v) ~ w)|length }}{{ plain(v)|upper }}
{% set caught = plain %}{{ caught(w) }}{{ [plain(v), bare()]|join }}""",
}


@settings(max_examples=120, deadline=None)
@given(v=values, w=values, lang=st.sampled_from(["zh", "en"]))
def test_macros_are_called_as_jinja_calls_them(v: Any, w: Any, lang: str) -> None:
    from jinja2 import DictLoader
    plain, theme = (cls(loader=DictLoader(MACRO_TEMPLATES), autoescape=True, undefined=StrictUndefined)
                    for cls in (Environment, ThemeEnvironment))
    context = {"v": v, "w": w, "lang": lang}
    expected = plain.get_template("page.html").render(context)
    assert theme.get_template("page.html").render(context) == expected


@pytest.mark.parametrize("call", ["plain(1, 2, 3)", "plain(1, c=2)", "bare(1)", "framed(1)", "named(1, 2, caller=bare)", "plain()"])
def test_a_macro_called_wrongly_fails_as_in_jinja(call: str) -> None:
    from jinja2 import DictLoader
    failures = []
    for cls in (Environment, ThemeEnvironment):
        env = cls(loader=DictLoader({**MACRO_TEMPLATES, "bad.html": '{% from "m.html" import plain, bare, framed, named %}'
                                     "{{ " + call + " }}"}), autoescape=True)
        try:
            failures.append(("ok", env.get_template("bad.html").render()))
        except Exception as exc:  # noqa: BLE001 - the same failure either way is the point
            failures.append((type(exc).__name__, str(exc)))
    assert failures[0] == failures[1]


@settings(max_examples=60, deadline=None)
@given(first=hostile, later=hostile, own=hostile, passed=st.none() | hostile)
def test_template_globals_are_seen_as_jinja_sees_them(first: str, later: str, own: str, passed: str | None) -> None:
    """A template's globals are its own over the environment's (a ChainMap), read when each
    context is made: one set after the template was loaded shows, a template's own wins over
    the environment's, a page's variable over both (ThemeTemplate.new_context flattens them)."""
    from jinja2 import DictLoader
    templates = {"a.html": '{% import "m.html" as m %}{% from "m.html" import x with context %}'
                           "{{ g }}·{{ h }}·{{ m.x() }}·{{ x() }}·{{ range(2)|list }}·{{ 'p' ~ (h is defined) }}",
                 "m.html": "{% macro x() %}{{ g }}{{ h is defined }}{% endmacro %}"}
    out = []
    for cls in (Environment, ThemeEnvironment):
        env = cls(loader=DictLoader(templates), autoescape=True)
        env.globals.update(g="环境·" + first, h="环境h")
        template = env.get_template("a.html", globals={"h": "模板·" + own})
        seen = [template.render()]
        env.globals["g"] = "之后·" + later
        seen.append(template.render() if passed is None else template.render(g=passed))
        out.append(seen)
    assert out[0] == out[1]


# Calls with positional arguments only are written as `context.call_at(loop vars, block vars,
# f, *args)` (templating.ThemeCodeGenerator): in blocks, loops, macros and call blocks they
# pass a function what Jinja's `context.call` passes it.
CALL_TEMPLATES = {
    "base.html": "<b>{% block body %}{{ who('·根') }}{% endblock %}</b>{% block tail %}{% endblock %}",
    "page.html": """{% extends "base.html" %}
{% macro m(a) -%}{{ who(a) }}{{ env_kind() }}{{ autoescaping() }}{{ obj() }}{%- endmacro %}
{% macro framed(a) -%}[{{ caller() }}{{ who(a) }}]{%- endmacro %}
{% block body %}{% set x = title %}{{ who('·块') }}{{ href('/a/') }}{{ m(title) }}{{ stops() is undefined }}
{% for lang in langs %}{% set x = loop.index %}{{ who(lang) }}{{ href('/b/') }}{{ cl() }}{{ m(lang) }}{% endfor %}
{% call framed(title) %}{{ who('·调') }}{% endcall %}{{ super() }}{% endblock %}
{% block tail %}{{ who() }}{{ [title]|map('upper')|join }}{{ (who)('·括') }}{% endblock %}""",
}


@settings(max_examples=80, deadline=None)
@given(title=hostile, langs=st.lists(st.sampled_from(["zh", "en", "fr"]), max_size=3),
       lang=st.sampled_from(["zh", "en"]))
def test_positional_calls_pass_what_jinja_passes(title: str, langs: list[str], lang: str) -> None:
    from jinja2 import DictLoader
    context = {"title": title, "langs": langs, "lang": lang, "all_paths": frozenset({"en/a/index.html"}),
               "who": who, "href": _href, "cl": _content_lang, "env_kind": env_kind, "autoescaping": autoescaping,
               "obj": CallableWithContext(), "stops": stops}
    out = [cls(loader=DictLoader(CALL_TEMPLATES), autoescape=True, undefined=StrictUndefined)
           .get_template("page.html").render(context) for cls in (Environment, ThemeEnvironment)]
    assert out[0] == out[1]
