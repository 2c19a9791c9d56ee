"""`remember`: a theme's way to say a macro's output depends only on its arguments.

A list item (macros.html `doc_item`) is rendered once per list a document is in: its
association's page, then the association's list pages right after, in each language — a
third of the 45,000 list items of a 10,000-document build are items rendered before. A
macros module says which of its macros may be remembered, at its top level, after the macro:

    {% set doc_item = remember(doc_item) %}

The name then holds a RememberedMacro: the other macros of the module that call
`doc_item` call it (Jinja's macros read the module's names when they run), and so does a
page that imports it. What it promises: a call with the same arguments as a recent call
returns that call's output. That holds when the macro reads nothing but its arguments and
the variables of its module's context — true of a module imported `with context` and
shared by the pages whose variables it reads are the same objects (templating.ThemeTemplate
.make_module: one per language in a build), and of one made for a single page. The memory
belongs to the module: pages in another language, or with other values of those variables,
import another module and never see it.

Arguments are compared by value when they are str, int, bool, None or dates, and by
identity otherwise (the object is held as long as its entry, so its id is never another's).
An object changed between two calls would show its old output: the site's objects are
frozen. Calls with a `caller` (`{% call %}`: a new caller every time, never found again)
are passed through, as are calls where autoescape is off.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2.runtime import Macro
from jinja2.utils import internalcode, pass_eval_context

# Arguments remembered by value, as themselves: their output depends only on their value,
# and no two of them of different types are equal (a str and a Markup are: Markup is
# remembered by identity). An int is remembered as (int, value), as True == 1; any other
# object by its id, which no such key equals. Floats are not by value (0.0 == -0.0).
_AS_ITSELF = frozenset({str, bool, type(None), dt.date, dt.datetime})

# Distinct calls remembered: a generation fills up to this many, then becomes the older one
# (the one before it forgotten). A document's items come back within its association's
# pages (an association page, then its list pages): 1,024 keeps all but a few of them
# (16,356 of 16,376 repeats at 10k) for about a megabyte a generation, where remembering
# every item would hold 15 MB of HTML.
KEEP = 1024


class RememberedMacro:
    """A macro whose output is remembered per arguments (see the module's docstring).

    PageContext.call and call_at call `called_in` directly, as they call a macro; any other
    caller (Jinja's own Context.call) goes through `__call__`, which Jinja passes the eval
    context as it does a Macro."""

    __slots__ = ("macro", "_recent", "_older")

    def __init__(self, macro: Macro) -> None:
        self.macro = macro
        # key -> (the arguments, held so their ids stay theirs; the output)
        self._recent: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
        self._older: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}

    def __getattr__(self, name: str) -> Any:
        """The macro's own attributes (`name`, `arguments`...), as a template may read them."""
        return getattr(self.macro, name)

    def __repr__(self) -> str:
        return f"<RememberedMacro {self.macro.name!r}>"

    @internalcode
    def called_in(self, context: Any, args: tuple[Any, ...], kwargs: dict[str, Any] | None) -> Any:
        """The macro's output for these arguments, called in `context` (a PageContext)."""
        if __debug__:
            __traceback_hide__ = True  # noqa: F841 (Jinja hides this frame in tracebacks)
        if kwargs:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
        key = _key(args, kwargs) if context.eval_ctx.autoescape else None
        if key is None:
            return context._call_macro(self.macro, args, kwargs or {})
        found = self._found(key)
        if found is None:
            found = self._kept(key, args, kwargs, context._call_macro(self.macro, args, kwargs or {}))
        return found[1]

    @internalcode
    @pass_eval_context
    def __call__(self, eval_ctx: Any, *args: Any, **kwargs: Any) -> Any:
        if __debug__:
            __traceback_hide__ = True  # noqa: F841
        key = _key(args, kwargs) if eval_ctx.autoescape else None
        if key is None:
            return self.macro(eval_ctx, *args, **kwargs)
        found = self._found(key)
        if found is None:
            found = self._kept(key, args, kwargs, self.macro(eval_ctx, *args, **kwargs))
        return found[1]

    def _found(self, key: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any] | None:
        """The remembered (arguments, output) of a call with this key (an entry is never None)."""
        found = self._recent.get(key)
        return self._older.get(key) if found is None else found

    def _kept(self, key: tuple[Any, ...], args: tuple[Any, ...], kwargs: dict[str, Any] | None,
              output: Any) -> tuple[tuple[Any, ...], Any]:
        if len(self._recent) >= KEEP:
            self._older, self._recent = self._recent, {}
        entry = ((args, tuple(kwargs.values())) if kwargs else args, output)
        self._recent[key] = entry
        return entry


def _key(args: tuple[Any, ...], kwargs: dict[str, Any] | None) -> tuple[Any, ...] | None:
    """The call's key: each argument as itself, (int, value) or its id (see _AS_ITSELF), and
    each keyword's name before it; None when the call is not to be remembered (a caller:
    `{% call %}`)."""
    key = []
    for a in args:      # a loop, not a comprehension: a third quicker on Python 3.11
        t = type(a)
        key.append(a if t in _AS_ITSELF else id(a) if t is not int else (int, a))
    if kwargs:
        if "caller" in kwargs:
            return None
        for name in sorted(kwargs):
            a = kwargs[name]
            t = type(a)
            key += (name, a if t in _AS_ITSELF else id(a) if t is not int else (int, a))
    return tuple(key)


def remember(macro: Any) -> Any:
    """The template global: `macro` with its output remembered per arguments (anything but a
    macro, or a macro remembered already, is returned as it is)."""
    if type(macro) is not Macro:
        return macro
    return RememberedMacro(macro)
