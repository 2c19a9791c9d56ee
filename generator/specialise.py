"""Theme templates compiled once per page language, with what the language fixes folded in.

A page's interface text is a function of its language only: `{{ t('skip', lang) }}`,
`html_lang[lang]`, `'en' if lang == 'zh' else 'zh'`... Compiled for any language, each is a
call at render time (about twenty-five a document page, forty thousand pages a build).
Compiled for one, `lang` is a constant, `t` of constants is a constant, and Jinja's own
code generator writes constants into the template's text, escaped at compile time
(CodeGenerator.visit_Output) — the same text the call would have written.

What may be folded is what the build fixes: the page's `lang`, and `t`, `html_lang` and
`lang_prefix` when the page's variables are i18n's own (`page_template` checks). The
translation tables are code, so the compiled templates are kept under their digest
(`folding_key`, in templating.ThemeBytecodeCache's checksum).

Where a folded name could hold another value, nothing is folded: a template that assigns one
(`set`, `for`, macro or call arguments, `with`, an import's name) or imports or includes
another without the page's context (where `lang` is not the page's) cannot be compiled for
a language (`Unfoldable`); the language's environment then gives up for the build, and the
page is rendered by the templates compiled for any language (`page_template`)."""

from __future__ import annotations

import functools
import hashlib
from typing import Any, Callable, Mapping

from jinja2 import Environment, Template, nodes
from jinja2.visitor import NodeTransformer

from .i18n import HTML_LANG, LANGS, PREFIX, STRINGS, translate

# The page variables a template compiled for one language takes as fixed, with the values they
# must have on the page: a function of constants or a table.
FOLDED: Mapping[str, Any] = {"t": translate, "html_lang": HTML_LANG, "lang_prefix": PREFIX}
_NAMES = frozenset({"lang", *FOLDED})

# Change with the folding below or with i18n.translate: templates compiled by another version
# are compiled again.
_FOLDING_VERSION = 1


@functools.cache
def folding_key() -> str:
    """What a template compiled for one language was compiled with besides its source: the
    folding code's version and the digest of the translation tables. Once a process: the
    tables are code (serve does not reload it)."""
    return tables_key(STRINGS, HTML_LANG, PREFIX)


def tables_key(strings: Mapping[str, tuple[str, str]], html_lang: Mapping[str, str], prefix: Mapping[str, str]) -> str:
    tables = repr((sorted(strings.items()), sorted(html_lang.items()), sorted(prefix.items())))
    return f"gongshi-fold {_FOLDING_VERSION} {hashlib.sha256(tables.encode('utf-8')).hexdigest()}"


class Unfoldable(Exception):
    """A template that cannot be compiled for one language (see the module's docstring)."""


def fold_language(env: Environment, template: nodes.Template, name: str | None) -> nodes.Template:
    """`template` with what `env`'s language (`folded_lang`) fixes made constant; Unfoldable
    (and `env` given up for the build) when a folded name could hold another value there."""
    try:
        _check_foldable(template, name)
    except Unfoldable:
        env.unfoldable = True       # type: ignore[attr-defined]
        raise
    return LanguageFolder(env.folded_lang).visit(template)      # type: ignore[attr-defined]


def _check_foldable(template: nodes.Template, name: str | None) -> None:
    for node in template.find_all((nodes.Name, nodes.Import, nodes.FromImport, nodes.Include)):
        if isinstance(node, nodes.Name):
            if node.ctx != "load" and node.name in _NAMES:
                raise Unfoldable(f"{name!r} assigns {node.name!r}")
        elif not node.with_context:
            raise Unfoldable(f"{name!r} imports or includes another template without its context")
        elif isinstance(node, nodes.Import) and node.target in _NAMES:
            raise Unfoldable(f"{name!r} assigns {node.target!r}")
        elif isinstance(node, nodes.FromImport) and \
                any((n if isinstance(n, str) else n[1]) in _NAMES for n in node.names):
            raise Unfoldable(f"{name!r} imports a name it folds")


def _literal(node: nodes.Node) -> bool:
    """A value the template writes as it is: a constant, or a tuple or list of them."""
    if isinstance(node, nodes.Const):
        return True
    return isinstance(node, (nodes.Tuple, nodes.List)) and all(_literal(n) for n in node.items)


def _decided(test: nodes.Expr) -> bool | None:
    """The truth of a condition on literals alone (`'zh' == 'en'`), None when it is not one."""
    if isinstance(test, nodes.Not):
        inner = _decided(test.node)
        return None if inner is None else not inner
    if isinstance(test, nodes.Const):
        return bool(test.value)
    if isinstance(test, nodes.Compare) and _literal(test.expr) and all(_literal(op.expr) for op in test.ops):
        try:
            return bool(test.as_const())
        except Exception:       # left for the page to raise, as it would
            return None
    return None


class LanguageFolder(NodeTransformer):
    """Makes `lang` the constant `lang`, a call of `t` or a subscript of `html_lang` or
    `lang_prefix` on constants their value, and a condition decided by constants its branch."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def _const(self, value: Any, like: nodes.Node) -> nodes.Node:
        try:
            return nodes.Const.from_untrusted(value, lineno=like.lineno, environment=like.environment)
        except nodes.Impossible:
            return like

    def visit_Name(self, node: nodes.Name) -> nodes.Node:
        if node.ctx == "load" and node.name == "lang":
            return self._const(self.lang, node)
        return node

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        f = node.node
        if not (isinstance(f, nodes.Name) and callable(FOLDED.get(f.name))) or node.dyn_args or node.dyn_kwargs:
            return node
        first = node.args[0] if node.args else None
        if isinstance(first, nodes.CondExpr) and isinstance(first.expr1, nodes.Const) and \
                isinstance(first.expr2, nodes.Const):     # t('yes' if x else 'no', lang): two texts
            return self._either(node, first)
        if not all(isinstance(a, nodes.Const) for a in node.args) or \
                not all(isinstance(k.value, nodes.Const) for k in node.kwargs):
            return node
        function: Callable[..., Any] = FOLDED[f.name]
        try:
            value = function(*(a.value for a in node.args), **{k.key: k.value.value for k in node.kwargs})
        except Exception:       # left for the page to raise, as it would
            return node
        return self._const(value, node)

    def _either(self, call: nodes.Call, choice: nodes.CondExpr) -> nodes.Node:
        """`f(a if test else b, ...)` as `f(a, ...) if test else f(b, ...)`, folded."""
        branches = []
        for value in (choice.expr1, choice.expr2):
            branch = nodes.Call(call.node, [value, *call.args[1:]], call.kwargs, None, None, lineno=call.lineno)
            branch.set_environment(call.environment)
            branches.append(self.visit_Call(branch))
        if not all(isinstance(b, nodes.Const) for b in branches):
            return call
        made = nodes.CondExpr(choice.test, branches[0], branches[1], lineno=choice.lineno)
        made.set_environment(call.environment)
        return made

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Node:
        node = self.generic_visit(node)
        table = FOLDED.get(node.node.name) if isinstance(node.node, nodes.Name) else None
        if isinstance(table, Mapping) and isinstance(node.arg, nodes.Const) and node.arg.value in table:
            return self._const(table[node.arg.value], node)
        return node

    def visit_CondExpr(self, node: nodes.CondExpr) -> nodes.Node:
        node = self.generic_visit(node)
        decided = _decided(node.test)
        if decided is True:
            return node.expr1
        if decided is False and node.expr2 is not None:
            return node.expr2
        return node

    def visit_If(self, node: nodes.If) -> Any:
        """The branches whose condition constants decide: none of those decided false, and
        the first decided true as what is left's `else`."""
        node.test = self.visit(node.test)
        for branch in node.elif_:       # not as If nodes of their own: they are part of a chain
            branch.test = self.visit(branch.test)
            branch.body = self._visit_all(branch.body)
        node.body, node.else_ = self._visit_all(node.body), self._visit_all(node.else_)
        otherwise = node.else_
        kept: list[tuple[nodes.Expr, list[nodes.Node]]] = []
        for test, body in [(node.test, node.body), *((b.test, b.body) for b in node.elif_)]:
            decided = _decided(test)
            if decided is True:
                otherwise = body
                break
            if decided is None:
                kept.append((test, body))
        if not kept:
            return otherwise
        if len(kept) == len(node.elif_) + 1 and otherwise is node.else_:
            return node
        (test, body), *rest = kept
        chain = [nodes.If(t, b, [], [], lineno=t.lineno) for t, b in rest]
        made = nodes.If(test, body, chain, otherwise, lineno=node.lineno)
        made.set_environment(node.environment)
        return made

    def _visit_all(self, items: list[nodes.Node]) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for item in items:
            made = self.visit(item)
            if isinstance(made, nodes.Node):
                out.append(made)
            elif made is not None:
                out.extend(made)
        return out


def language_environment(env: Environment, lang: str) -> Environment:
    """`env` compiling its templates for pages in `lang` (made once per environment)."""
    made: dict[str, Environment] = env.__dict__.setdefault("_language_environments", {})
    overlay = made.get(lang)
    if overlay is None:
        capacity = getattr(env.cache, "capacity", 0) if env.cache is not None else 0
        overlay = made[lang] = env.overlay(cache_size=capacity)     # its own compiled templates
        overlay.folded_lang = lang              # type: ignore[attr-defined]
        overlay.unfoldable = False              # type: ignore[attr-defined]
    return overlay


def page_template(env: Environment, name: str, page: Mapping[str, Any]) -> Template:
    """Template `name` of `env` compiled for the page's language when the page's variables
    are the ones it folds; as compiled for any language otherwise. Raises Unfoldable when
    it cannot be compiled for the language (as may a template it includes, when the page
    renders): `fold_language` has given the language up then, and the caller renders the
    page from `env.get_template(name)`."""
    lang = page.get("lang")
    if lang in LANGS and getattr(env, "folded_lang", None) is None and \
            all(page.get(n) is value for n, value in FOLDED.items()):
        overlay = language_environment(env, lang)
        if not overlay.unfoldable:          # type: ignore[attr-defined]
            return overlay.get_template(name)
    return env.get_template(name)
