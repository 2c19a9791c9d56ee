"""Root and block functions gather their output in a list and yield it joined
(templating.ThemeCodeGenerator): every template writes what plain Jinja writes, in fewer
pieces, and a long loop still comes out a bounded piece at a time."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader, Environment, StrictUndefined

from generator.templating import _GATHERED_MAX, ThemeEnvironment

hostile = st.text(alphabet=st.sampled_from(list("<>&\"'深圳协会{}%#\n ab")), max_size=10)

TEMPLATES = {
    "base.html": """<html lang="{{ lang }}"><title>{% block title %}站点{% endblock %}</title>
{% block head %}{% endblock %}
<body>{% block content %}{% endblock %}
{% include "footer.html" %}|{% include "plain.html" without context %}|{% include "missing.html" ignore missing %}
</body>""",
    "footer.html": "<footer>{{ title }}·{{ lang }}</footer>",
    "plain.html": "<p>无上下文</p>",
    "macros.html": "{% macro item(x) -%}<li>{{ x }}</li>{%- endmacro %}",
    "page.html": """{% extends "base.html" %}
{% from "macros.html" import item with context %}
{% block title %}{{ title }} · {{ super() }}{% endblock %}
{% block head %}<meta name="d" content="{{ title }}">{% endblock %}
{% block content %}
<h1>{{ self.title() }}</h1>
{% for x in items %}{{ item(x) }}{% if loop.last %}。{% endif %}{% else %}<p>空</p>{% endfor %}
{% for x in items if x %}[{{ x }}]{% endfor %}
{% filter upper %}{% for x in items %}{{ x }}{% endfor %}{{ title }}{% endfilter %}
{% set joined %}{% for x in items %}{{ x }}-{% endfor %}{% endset %}{{ joined }}
{% call(y) wrap() %}<i>{{ y }}</i>{% endcall %}
{% for n in tree recursive %}<{{ n.name }}>{{ loop(n.children) }}{% endfor %}
{% for i in range(many) %}<b>{{ i }}</b>{% include "plain.html" without context %}{% endfor %}
{% with t2 = title ~ '!' %}{{ t2 }}{% endwith %}
{% endblock %}""",
    "dynamic.html": """{% if parent %}{% extends parent %}{% endif %}<p>{{ title }}</p>
{% block content %}<em>{{ title }}</em>{% endblock %}""",
}


def _env(cls: type[Environment]) -> Environment:
    return cls(loader=DictLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


PLAIN, THEME = _env(Environment), _env(ThemeEnvironment)


def wrap_macro(env: Environment) -> Any:
    return env.from_string("{% macro wrap() %}({{ caller('来电') }}){% endmacro %}").module.wrap


@settings(max_examples=80, deadline=None)
@given(title=hostile, items=st.lists(hostile, max_size=4), lang=st.sampled_from(["zh", "en"]),
       many=st.sampled_from([0, 3, _GATHERED_MAX + 7]), template=st.sampled_from(["page.html", "dynamic.html"]),
       parent=st.sampled_from([None, "base.html"]))
def test_templates_write_what_jinja_writes(title: str, items: list[str], lang: str, many: int, template: str,
                                           parent: str | None) -> None:
    tree = [{"name": "甲", "children": [{"name": "乙", "children": []}]}]
    out = []
    for env in (PLAIN, THEME):
        context = {"title": title, "items": items, "lang": lang, "many": many, "tree": tree, "parent": parent,
                   "wrap": wrap_macro(env)}
        template_ = env.get_template(template)
        out.append((template_.render(context), "".join(template_.generate(context))))
    assert out[0] == out[1]
    assert out[1][0] == out[1][1]


def test_a_page_comes_in_few_pieces_and_a_long_loop_in_bounded_ones() -> None:
    context = {"title": "标题", "items": ["一"], "lang": "zh", "many": 3, "tree": [], "parent": None,
               "wrap": wrap_macro(THEME)}
    pieces = list(THEME.get_template("page.html").generate(context))
    # (an include without context is yielded by itself, as Jinja does, between what comes before and after)
    assert len(pieces) == 3 and all(pieces)
    assert len(list(PLAIN.get_template("page.html").generate({**context, "wrap": wrap_macro(PLAIN)}))) > 30
    long = THEME.from_string("{% for i in range(n) %}<b>{{ i }}</b>{% endfor %}")
    pieces = list(long.generate(n=5 * _GATHERED_MAX))
    assert len(pieces) >= 4
    assert max(p.count("<b>") for p in pieces) <= _GATHERED_MAX
    assert "".join(pieces) == "".join(f"<b>{i}</b>" for i in range(5 * _GATHERED_MAX))
