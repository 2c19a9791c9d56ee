"""The theme's Jinja environment: Jinja2 with a quicker `Context.call` and output escaping.

Every `{{ f(...) }}` in a template goes through `Context.call` and every `{{ value }}` through
markupsafe's `escape`: two and three million times in a 10,000-document build, a third of
the render CPU. The classes here do the same with less work, for the same output and the
same semantics (tests/render/test_theme_env.py renders against plain Jinja). Themes stay
ordinary Jinja templates; what changes is the Python Jinja writes for them
(ThemeCodeGenerator: output gathered in lists, calls without keyword dicts) and how a
macros-only template imported `with context` is made (once, not on every page).
"""

from __future__ import annotations

from collections import ChainMap
from types import BuiltinFunctionType, CodeType, FunctionType, MethodType
from typing import Any, Callable, Mapping, MutableMapping, TypeVar

from jinja2 import Environment, FileSystemBytecodeCache, Template, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.environment import TemplateModule
from jinja2.filters import FILTERS
from jinja2.idtracking import VAR_LOAD_RESOLVE
from jinja2.runtime import Context, Macro, new_context
from jinja2.tests import TESTS
from jinja2.utils import _PassArg, internalcode, missing
from markupsafe import Markup
from markupsafe import escape as markup_escape

from .remembered import RememberedMacro
from .specialise import fold_language, folding_key

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
    derived copy would answer those reads the same; making it merged every variable).

    `module_reads`: on the context of a macro module that pages share (`ThemeTemplate.
    make_module`), the variables the pages sharing it agree on: a function called there that
    takes the context must read only those."""

    module_reads: frozenset[str] | None = None

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
        elif kind is RememberedMacro:
            return obj.called_in(self, args, kwargs)
        elif kind is BuiltinFunctionType:
            pass_arg = None
        elif kind is MethodType:
            pass_arg = getattr(obj, "jinja_pass_arg", None)     # its function's
        else:
            if self.module_reads is not None:
                self._check_reads(obj)
            return Context.call(self, obj, *args, **kwargs)
        if kwargs:      # Jinja passes its loop's and block's variables as keywords
            loop_vars = kwargs.pop("_loop_vars", None)
            block_vars = kwargs.pop("_block_vars", None)
        else:
            loop_vars = block_vars = None
        if pass_arg is not None:
            args = self._passing(obj, pass_arg, args, loop_vars, block_vars)
        try:
            return obj(*args, **kwargs)
        except StopIteration:
            return self.environment.undefined("value was undefined because a callable raised a StopIteration exception")

    @internalcode
    def call_at(self, loop_vars: dict[str, Any] | None, block_vars: dict[str, Any] | None,
                obj: Callable[..., Any], /, *args: Any) -> Any:
        """`call(obj, *args, _loop_vars=loop_vars, _block_vars=block_vars)`, which is how
        Jinja writes a call with positional arguments only (ThemeCodeGenerator writes this
        instead: no dict of keywords made and taken apart again, forty times a page)."""
        if __debug__:
            __traceback_hide__ = True  # noqa: F841
        kind = type(obj)
        if kind is FunctionType:
            pass_arg = obj.__dict__.get("jinja_pass_arg")
        elif kind is Macro:
            return self._call_macro(obj, args, {})
        elif kind is RememberedMacro:
            return obj.called_in(self, args, None)
        elif kind is BuiltinFunctionType:
            pass_arg = None
        elif kind is MethodType:
            pass_arg = getattr(obj, "jinja_pass_arg", None)
        else:
            return self.call(obj, *args, _loop_vars=loop_vars, _block_vars=block_vars)
        if pass_arg is not None:
            args = self._passing(obj, pass_arg, args, loop_vars, block_vars)
        try:
            return obj(*args)
        except StopIteration:
            return self.environment.undefined("value was undefined because a callable raised a StopIteration exception")

    def _passing(self, obj: Callable[..., Any], pass_arg: _PassArg, args: tuple[Any, ...],
                 loop_vars: dict[str, Any] | None, block_vars: dict[str, Any] | None) -> tuple[Any, ...]:
        """`args` with what a pass_context, pass_eval_context or pass_environment function takes first."""
        if pass_arg is _PassArg.context:
            context: Context = self
            reads = getattr(obj, "context_reads", None)
            if self.module_reads is not None and (reads is None or not reads <= self.module_reads):
                self._check_reads(obj)
            if loop_vars and (reads is None or not reads.isdisjoint(loop_vars)):
                context = context.derived(loop_vars)
            if block_vars and (reads is None or not reads.isdisjoint(block_vars)):
                context = context.derived(block_vars)
            return (context, *args)
        if pass_arg is _PassArg.eval_context:
            return (self.eval_ctx, *args)
        if pass_arg is _PassArg.environment:
            return (self.environment, *args)
        return args

    def _check_reads(self, obj: Any) -> None:
        """Fail loudly, not with another page's variable: `obj`, called in a shared macro
        module, takes the context and may read a variable the sharing pages differ in."""
        target = obj.__call__ if not isinstance(obj, (FunctionType, MethodType)) and callable(obj) else obj
        if _PassArg.from_obj(obj) is not _PassArg.context and _PassArg.from_obj(target) is not _PassArg.context:
            return
        reads = getattr(obj, "context_reads", None) or getattr(target, "context_reads", None)
        if reads is None or not reads <= (self.module_reads or frozenset()):
            raise RuntimeError(
                f"{getattr(obj, '__name__', obj)!r} takes the context of {self.name!r}, a macro module pages share, "
                "and may read a variable they differ in: pass it as a variable of the page, marked with "
                "templating.reads_context")

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


# --- macro modules shared by pages ---------------------------------------------------------------
#
# `{% from "macros.html" import crumbs with context %}` runs macros.html again on every page
# (Jinja's `make_module`): a new context holding a copy of the page's variables, and a new
# Macro for each of its macros — a sixth of a document page's render time. The macros read
# a handful of the page's variables (`t`, `lang`, `href`...), which are the same objects on
# every page in one language. A template made only of macros is therefore imported once per
# set of those values and shared (`ThemeTemplate.make_module`): its macros see the same
# values a fresh import would give them.

# The name of the analysis ThemeEnvironment writes into a template's compiled module, and the
# version of the code it writes (the analysis and ThemeCodeGenerator's: change it with
# either): a module compiled by other code (from the bytecode cache) is not shared.
_ANALYSIS = "gongshi_macro_module"
_CODE_VERSION = 4

# Nodes through which a template reads more of its context than its variables by name
# (includes, imports, blocks, `self`, context references) or changes how it is evaluated.
_WHOLE_CONTEXT_NODES = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport, nodes.Block,
                        nodes.EvalContextModifier, nodes.ContextReference, nodes.ExtensionAttribute)


# (the context variables a macro module reads, the filters and the tests it uses)
MacroModule = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def macro_module_reads(template: nodes.Template, environment: Environment) -> MacroModule | None:
    """The MacroModule of a template made only of macro definitions, text and macros
    remembered (`{% set name = remember(name) %}`); None for any other template (one whose
    import does anything else: sets another variable, writes a value, includes, reads `self`)."""
    for node in template.body:
        if isinstance(node, nodes.Macro) or _remembers(node):
            continue
        if isinstance(node, nodes.Output) and all(isinstance(n, nodes.TemplateData) for n in node.nodes):
            continue
        return None
    if next(template.find_all(_WHOLE_CONTEXT_NODES), None) is not None:
        return None
    if any(n.name in ("self", "super") for n in template.find_all(nodes.Name)):
        return None
    return (_context_variables(template, environment),
            tuple(sorted({n.name for n in template.find_all(nodes.Filter)})),
            tuple(sorted({n.name for n in template.find_all(nodes.Test)})))


def _remembers(node: nodes.Node) -> bool:
    """Whether `node` is `{% set name = remember(name) %}` (generator/remembered.py): what it
    sets depends only on the names it reads, which the module's sharing compares."""
    if not (isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name) and isinstance(node.node, nodes.Call)):
        return False
    call = node.node
    return (isinstance(call.node, nodes.Name) and call.node.name == "remember" and len(call.args) == 1
            and isinstance(call.args[0], nodes.Name) and not call.kwargs and call.dyn_args is None
            and call.dyn_kwargs is None)


class _ContextReads(CodeGenerator):
    """Jinja's code generator, noting every variable a frame of the template resolves from
    its context instead of writing code (jinja2.meta's, without leaving out the environment's
    globals: a page's variable of the same name wins over one, and they can change)."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment, "<analysis>", "<analysis>")
        self.reads: set[str] = set()

    def write(self, x: str) -> None:
        pass

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        self.reads.update(param for action, param in frame.symbols.loads.values() if action == VAR_LOAD_RESOLVE)


def _context_variables(template: nodes.Template, environment: Environment) -> tuple[str, ...]:
    tracker = _ContextReads(environment)
    tracker.visit(template)
    return tuple(sorted(tracker.reads))


def _looked_up(name: str, vars: Mapping[str, Any], locals: Mapping[str, Any] | None) -> Any:
    """What a module made by `new_context(vars, shared=True, locals)` resolves `name` to."""
    if locals:
        value = locals.get(name, missing)
        if value is not missing:
            return value
    return vars.get(name, missing)


# Modules kept per template: one per language in a build; more only when a theme imports
# with other values.
_KEPT_MODULES = 8


class ThemeTemplate(Template):
    # (the variables it reads, filters, tests) when the template is made only of macros
    _macro_module: MacroModule | None = None
    # imports shared: (variable names, the values they had, the module), the newest first
    _modules: list[tuple[tuple[str, ...], tuple[Any, ...], TemplateModule]]

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Mapping[str, Any] | None = None) -> Context:
        return new_context(self.environment, self.name, self.blocks, vars, shared, _flat(self.globals), locals)

    @classmethod
    def from_code(cls, environment: Environment, code: CodeType, globals: MutableMapping[str, Any],
                  uptodate: Callable[[], bool] | None = None) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__
        if _escape_inner is not None:
            # The compiled module's `escape` (imported from jinja2.runtime) is what every
            # autoescaped output calls: its functions share the module's namespace.
            namespace["escape"] = _escape_piece
        analysis = namespace.get(_ANALYSIS)
        if isinstance(template, ThemeTemplate) and analysis is not None and analysis[0] == _CODE_VERSION:
            template._macro_module = analysis[1]
            template._modules = []
        return template

    def make_module(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Mapping[str, Any] | None = None) -> TemplateModule:
        """Jinja's module of this template imported `with context` (shared=True), or the one
        made for an earlier import whose variables the module reads were the same objects."""
        if self._macro_module is None or not shared or vars is None or self.environment.is_async:
            return super().make_module(vars, shared, locals)
        for names, values, module in self._modules:
            for name, value in zip(names, values):
                if _looked_up(name, vars, locals) is not value:
                    break
            else:
                return module
        names = self._shared_names(vars, locals)
        context = self.new_context(vars, shared, locals)
        if names is None:
            return TemplateModule(self, context)
        context.module_reads = frozenset(names)     # type: ignore[attr-defined]
        module = TemplateModule(self, context)
        self._modules.insert(0, (names, tuple(_looked_up(n, vars, locals) for n in names), module))
        del self._modules[_KEPT_MODULES:]
        return module

    def _shared_names(self, vars: Mapping[str, Any], locals: Mapping[str, Any] | None) -> tuple[str, ...] | None:
        """The variables a module made with these values reads, with those its functions that
        take the context read (`reads_context`); None when they cannot be known: such a
        function that does not say, or a filter or test of the theme's that takes the context."""
        assert self._macro_module is not None
        reads, filters, tests = self._macro_module
        env = self.environment
        for name, builtin, found in [*((f, FILTERS, env.filters) for f in filters), *((t, TESTS, env.tests) for t in tests)]:
            f = found.get(name)
            if f is not None and f is not builtin.get(name) and _PassArg.from_obj(f) is _PassArg.context:
                return None
        names = dict.fromkeys(reads)
        for name in reads:
            value = _looked_up(name, vars, locals)
            if callable(value) and not isinstance(value, Macro) and _takes_context(value):
                more = getattr(value, "context_reads", None)
                if more is None:
                    return None
                names.update(dict.fromkeys(sorted(more)))
        return tuple(names)


def _takes_context(obj: Any) -> bool:
    """Whether Jinja's `Context.call` passes `obj` the context."""
    call = getattr(obj, "__call__", None)
    if call is not None and _PassArg.from_obj(call) is not None:
        obj = call
    return _PassArg.from_obj(obj) is _PassArg.context


# --- output gathered in lists ---------------------------------------------------------------------
#
# Jinja's root and block functions are generators that yield every piece of output (a tag's
# text, each escaped value) through every template of the inheritance chain: a document page
# is three generators deep and a hundred and fifty pieces long. Macros already gather their
# output in a list (`t_1.extend((...))`, one call for a run of pieces); ThemeCodeGenerator
# writes root and block functions the same way, and each yields its list joined, once at its
# end and, inside loops, whenever the list grows long (a compliance page is a million pieces).

# The list a root or block function gathers its output in (Jinja's own names are `t_<n>`,
# `l_<n>_<name>` and its helpers').
_GATHERED = "gathered"
# Pieces a function holds before it yields them joined, inside a loop.
_GATHERED_MAX = 4096


class ThemeCodeGenerator(CodeGenerator):
    """Jinja's code generator, with root and block functions gathering their output in a list
    (Jinja's own buffered form, as in macros) and yielding it joined: the same text in fewer,
    longer pieces."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gathering: set[int] = set()      # ids of the root and block frames that gather
        self._loops = 0                         # for loops around the node being written

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        if frame.buffer is None and (frame.rootlevel or frame.block_frame) and not self.environment.is_async:
            frame.buffer = _GATHERED
            self._gathering.add(id(frame))
            self.writeline(f"{_GATHERED} = []")

    def leave_frame(self, frame: Frame, with_python_scope: bool = False) -> None:
        super().leave_frame(frame, with_python_scope)
        if id(frame) in self._gathering:
            self._gathering.discard(id(frame))
            self._yield_gathered(frame)

    def _yield_gathered(self, frame: Frame, at_most: int = 0) -> None:
        """Yield what the function gathered so far (when more than `at_most` pieces)."""
        if frame.buffer == _GATHERED:
            self.writeline(f"if len({_GATHERED}) > {at_most}:" if at_most else f"if {_GATHERED}:")
            self.indent()
            self.writeline(f"yield concat({_GATHERED})")
            self.writeline(f"{_GATHERED}.clear()")
            self.outdent()

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._loops += 1
        try:
            super().visit_For(node, frame)
        finally:
            self._loops -= 1

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        super().visit_Output(node, frame)
        if self._loops:
            self._yield_gathered(frame, _GATHERED_MAX)

    def visit_CallBlock(self, node: nodes.CallBlock, frame: Frame) -> None:
        super().visit_CallBlock(node, frame)
        if self._loops:
            self._yield_gathered(frame, _GATHERED_MAX)

    @optimizeconst
    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        """A call with positional arguments only as `context.call_at(loop vars, block vars,
        f, *args)` (Jinja writes them as keywords of `context.call`); any other as Jinja does."""
        if forward_caller or node.kwargs or node.dyn_args is not None or node.dyn_kwargs is not None \
                or self.environment.is_async or self.environment.sandboxed:
            super().visit_Call(node, frame, forward_caller=forward_caller)
            return
        loop_vars = "_loop_vars" if frame.loop_frame else "None"
        block_vars = "_block_vars" if frame.block_frame else "None"
        self.write(f"context.call_at({loop_vars}, {block_vars}, ")
        self.visit(node.node, frame)
        for arg in node.args:
            self.write(", ")
            self.visit(arg, frame)
        self.write(")")

    def visit_Include(self, node: nodes.Include, frame: Frame) -> None:
        if not node.with_context:
            # Jinja yields an include without context straight from the function, whatever it gathers
            self._yield_gathered(frame)
        super().visit_Include(node, frame)


class ThemeEnvironment(Environment):
    context_class = PageContext
    template_class = ThemeTemplate
    code_generator_class = ThemeCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # (part template, lang) -> (the site variables it was made with, its output): see site_part
        self.site_parts: dict[tuple[str, str], tuple[Mapping[str, Any], Markup]] = {}

    # The page language the templates are compiled for (specialise.language_environment); None: any
    folded_lang: str | None = None

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        template = super()._parse(source, name, filename)
        if self.folded_lang is None:
            return template
        return fold_language(self, template, name)

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        """Jinja's code, and the template's macro-module analysis as a constant beside it
        (what ThemeTemplate.make_module needs; kept with the code in the bytecode cache)."""
        code = super()._generate(source, name, filename, defer_init)
        return f"{code}\n{_ANALYSIS} = {(_CODE_VERSION, macro_module_reads(source, self))!r}\n"


class ThemeBytecodeCache(FileSystemBytecodeCache):
    """Compiled templates kept between builds, keyed by their source and by the version of
    the code ThemeEnvironment writes (code another version compiled is compiled again); a
    template compiled for one language (specialise.py) under that language, and by the
    translation tables and the folding code it was compiled with."""

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Any:
        lang = getattr(environment, "folded_lang", None)
        if lang is None:
            return super().get_bucket(environment, name, filename, source)
        return super().get_bucket(environment, f"{name}\x00{lang}", filename, f"{folding_key()}\n{source}")

    def get_source_checksum(self, source: str) -> str:
        return super().get_source_checksum(f"{_ANALYSIS} {_CODE_VERSION}\n{source}")


def reads_context(*names: str) -> Callable[[F], F]:
    """pass_context, for a function that reads only these variables of the context."""
    def mark(f: F) -> F:
        f = pass_context(f)
        f.context_reads = frozenset(names)  # type: ignore[attr-defined]
        return f
    return mark
