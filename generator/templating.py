"""The theme's Jinja environment: Jinja2 with a quicker `Context.call` and output escaping.

Every `{{ f(...) }}` in a template goes through `Context.call` and every `{{ value }}` through
markupsafe's `escape`: two and three million times in a 10,000-document build, a third of
the render CPU. The classes here do the same with less work, for the same output and the
same semantics (tests/render/test_theme_env.py renders against plain Jinja). Themes stay
ordinary Jinja templates.
"""

from __future__ import annotations

from collections import ChainMap
from types import BuiltinFunctionType, CodeType, FunctionType, MethodType
from typing import Any, Callable, Mapping, MutableMapping, TypeVar

from jinja2 import Environment, Template, pass_context
from jinja2.runtime import Context, Macro, new_context
from jinja2.utils import _PassArg, internalcode, missing
from markupsafe import Markup
from markupsafe import escape as markup_escape

try:
    from markupsafe import _escape_inner        # markupsafe 3: escape() is Python around it
except ImportError:  # pragma: no cover - markupsafe 2: escape() is C already
    _escape_inner = None

F = TypeVar("F", bound=Callable[..., Any])


class PageContext(Context):
    """Jinja's Context with a quicker `call`, which every `{{ f(...) }}` in a template goes
    through (about a hundred a page).

    Same semantics as `Context.call`: plain functions, methods and builtins skip its
    generic probing of `__call__` (a function's or method's pass_context/pass_environment
    mark is an attribute of the function, builtins have none), macros go straight to
    their body (`_call_macro`); other callables take Jinja's own path. A pass_context function
    that says which variables it reads (`reads_context`) gets this context instead of a
    derived copy when the loop's or block's own variables include none of them (the
    derived copy would answer those reads the same; making it merged every variable)."""

    @internalcode
    def call(self, obj: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if __debug__:
            __traceback_hide__ = True  # noqa: F841 (Jinja hides this frame in tracebacks)
        kind = type(obj)
        if kind is FunctionType:
            # its attributes (a getattr with a default raises and catches when there is none)
            pass_arg = obj.__dict__.get("jinja_pass_arg")
        elif kind is Macro:
            return self._call_macro(obj, args, kwargs)
        elif kind is BuiltinFunctionType:
            pass_arg = None
        elif kind is MethodType:
            pass_arg = getattr(obj, "jinja_pass_arg", None)     # its function's
        else:
            return Context.call(self, obj, *args, **kwargs)
        if kwargs:      # Jinja passes its loop's and block's variables as keywords
            loop_vars = kwargs.pop("_loop_vars", None)
            block_vars = kwargs.pop("_block_vars", None)
        else:
            loop_vars = block_vars = None
        if pass_arg is not None:
            if pass_arg is _PassArg.context:
                context: Context = self
                reads = getattr(obj, "context_reads", None)
                if loop_vars and (reads is None or not reads.isdisjoint(loop_vars)):
                    context = context.derived(loop_vars)
                if block_vars and (reads is None or not reads.isdisjoint(block_vars)):
                    context = context.derived(block_vars)
                args = (context, *args)
            elif pass_arg is _PassArg.eval_context:
                args = (self.eval_ctx, *args)
            elif pass_arg is _PassArg.environment:
                args = (self.environment, *args)
        try:
            return obj(*args, **kwargs)
        except StopIteration:
            return self.environment.undefined("value was undefined because a callable raised a StopIteration exception")

    @internalcode
    def _call_macro(self, macro: Macro, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """A macro call (a hundred thousand list items a build): what `Macro.__call__` does
        with the calling context's autoescape (it is pass_eval_context, as Jinja's `call`
        sees) for the plain case — positional arguments, no caller, no *varargs or
        **kwargs — and `Macro.__call__` itself for anything else."""
        if __debug__:
            __traceback_hide__ = True  # noqa: F841
        if kwargs:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
        missing_args = macro._argument_count - len(args)
        try:
            if kwargs or missing_args < 0 or macro.caller or macro.catch_kwargs or macro.catch_varargs \
                    or macro._environment.is_async:
                return macro(self.eval_ctx, *args, **kwargs)
            # arguments left out are `missing`: the macro's body puts their defaults in
            text = macro._func(*args, *(missing,) * missing_args) if missing_args else macro._func(*args)
        except StopIteration:
            return self.environment.undefined("value was undefined because a callable raised a StopIteration exception")
        return Markup(text) if self.eval_ctx.autoescape else text


def _escape_piece(value: Any) -> str:
    """What a template's `{{ value }}` writes: markupsafe.escape's text, without wrapping a
    plain string's escaped text in a new Markup (three million a 10k build).

    The result only ever joins the page's other pieces (Jinja concatenates output pieces,
    and a macro's or a `{% set %}` block's pieces are wrapped in Markup as a whole), so
    only its text matters, and that is escape's: a plain string goes through markupsafe's
    own escaping, anything else through markupsafe.escape itself."""
    if type(value) is str:
        return _escape_inner(value)
    if type(value) is Markup:       # safe already: markupsafe.escape returns its text as is
        return value
    return markup_escape(value)


def _flat(names: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """A template's globals (a ChainMap: its own over the environment's) as one dict with
    the same names, values and order: Jinja copies them into every new context and lists
    them again for it, two or three contexts a page, and a ChainMap does both key by key in
    Python. Made at each call, so a global set after the template was loaded still shows."""
    if type(names) is not ChainMap:
        return names
    flat: dict[str, Any] = {}
    for layer in reversed(names.maps):      # the first map wins, as in the ChainMap
        flat.update(layer)
    return flat


class ThemeTemplate(Template):
    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Mapping[str, Any] | None = None) -> Context:
        return new_context(self.environment, self.name, self.blocks, vars, shared, _flat(self.globals), locals)

    @classmethod
    def from_code(cls, environment: Environment, code: CodeType, globals: MutableMapping[str, Any],
                  uptodate: Callable[[], bool] | None = None) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        if _escape_inner is not None:
            # The compiled module's `escape` (imported from jinja2.runtime) is what every
            # autoescaped output calls: its functions share the module's namespace.
            template.root_render_func.__globals__["escape"] = _escape_piece
        return template


class ThemeEnvironment(Environment):
    context_class = PageContext
    template_class = ThemeTemplate

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # (part template, lang) -> (the site variables it was made with, its output): see site_part
        self.site_parts: dict[tuple[str, str], tuple[Mapping[str, Any], Markup]] = {}


def reads_context(*names: str) -> Callable[[F], F]:
    """pass_context, for a function that reads only these variables of the context."""
    def mark(f: F) -> F:
        f = pass_context(f)
        f.context_reads = frozenset(names)  # type: ignore[attr-defined]
        return f
    return mark
