"""The pipeline, end to end: load → validate → assemble → evaluate → render → write.

MkDocs-style: a linear run with a hook between stages (`Hooks`), each stage a plain
function of the previous stage's data. `check` stops after validation; `build` goes on
only when there is no error, so bad content never reaches the output folder.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import traceback
import contextlib
import contextvars
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from jinja2 import TemplateError, TemplateSyntaxError

from . import collector
from .assemble import Site, assemble
from .diagnostics import Diagnostic, diag, errors
from .evaluate import Evaluation, evaluate
from .gitdates import read_history
from .load import LoadedContent, load_content
from .render import Artifact, Theme, load_theme, render_site
from .validate import ValidatedContent, validate
from .write import Placed, Unchanged, WriteStats, write_site

T = TypeVar("T")


def _same(x: T) -> T:
    return x


@dataclass(frozen=True)
class Hooks:
    """Called between stages; each may inspect or replace the data it is given."""

    on_loaded: Callable[[LoadedContent], LoadedContent] = _same
    on_validated: Callable[[ValidatedContent], ValidatedContent] = _same
    on_assembled: Callable[[Site], Site] = _same
    on_evaluated: Callable[[Evaluation], Evaluation] = _same


def default_as_of() -> dt.date:
    """Today, unless SOURCE_DATE_EPOCH pins the build's notion of time (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.date.today()


@dataclass(frozen=True)
class Prepared:
    content: ValidatedContent
    site: Site | None
    evaluation: Evaluation | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not errors(self.diagnostics)


def check(content_dir: Path, hooks: Hooks = Hooks()) -> ValidatedContent:
    """Load and validate. Files whose bytes an earlier run already validated take their own
    diagnostics and model from the per-file cache (generator.filecache); a hook that may
    change what was loaded turns that cache off, since it keys on the bytes on disk."""
    from . import load, validate as validation
    from .filecache import for_content
    files = None
    # A serve session keeps its own in-memory memos of parsed and validated files instead.
    in_session = load.parsed_memo is not None or validation.validated_memo is not None
    if _caching(hooks, through="on_loaded") and not in_session:
        files = for_content(content_dir)
    with collector.paused():
        from . import prepare_parallel
        # A cold cache (nearly every file read, analysed and validated): portions on two
        # cores. Only with the per-file cache, so never under an `on_loaded` hook.
        split = prepare_parallel.plan(content_dir, files) if files is not None else None
        if files is not None and split is not None:
            content = prepare_parallel.check(content_dir, files, split)
        else:
            loaded = hooks.on_loaded(load_content(content_dir, files=files))
            _warm_markdown(loaded, None if files is None else files.fresh)
            content = validate(loaded, files)
        if files is not None:
            _finish(files)
    return hooks.on_validated(content)


# The processes writing a per-file cache (`_finish`) that the build running in this context
# waits for at its end; None outside a build (check, serve), where the cache is written before
# `check` returns.
_finishing: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("gongshi_finishing", default=None)


def _finish(files: Any) -> None:
    """`files.finish()`: in a build on more than one core, in a forked process while this one
    goes on to evaluate and list the site. After a cold check it pickles every model into
    the pack (a fifth of a second at 10k documents that only one core worked on)."""
    # Only a pack is worth a process: otherwise finishing costs less than forking does.
    if not files.will_pack():
        files.finish()
        return
    files.store.flush()         # what this process put but did not write: a forked store drops it
    _in_background(files.finish)


def _in_background(work: Callable[[], None]) -> None:
    """`work()` (writing to a cache, nothing this process reads again) in a forked process
    when a build waits for such processes at its end (`_finishing_in_background`) and has a
    second core; here and now otherwise. The caller flushes its stores first: a forked
    store drops what it inherited unwritten."""
    from .parallel import run_forked
    waiting = _finishing.get()
    pid = None if waiting is None else run_forked(work)
    if pid is None:
        work()
    else:
        waiting.append(pid)


@contextlib.contextmanager
def _finishing_in_background() -> Iterator[None]:
    """Lets `check` leave writing the per-file cache to a forked process; waits for it at the end."""
    token = _finishing.set([])
    try:
        yield
    finally:
        for pid in _finishing.get() or ():
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        _finishing.reset(token)


def _warm_markdown(loaded: LoadedContent, only: set[str] | None = None, workers: int | None = None) -> None:
    """Every body parsed once, on all cores, into the build cache: validation (unsafe links),
    pages and search then read the analysis instead of parsing again. `only`: the paths of
    the files to warm (those the per-file cache did not know: the others were analysed by
    the run that cached them, and pages analyse any body the store has lost on demand)."""
    from . import markdown
    from .cache import cache_dir, store
    from .parallel import warm_markdown
    markdown.use_store(store(cache_dir(loaded.root), "markdown"))
    warm_markdown([d.body for d in loaded.documents if (only is None or d.file in only) and d.body], workers)


def prepare(content_dir: Path, as_of: dt.date, base_url: str | None = None, hooks: Hooks = Hooks()) -> Prepared:
    """Everything up to evaluation; stops early (site=None) when validation found errors."""
    with collector.paused():
        return _prepare(content_dir, as_of, base_url, hooks)


_STAGES = ("on_loaded", "on_validated", "on_assembled")


def _caching(hooks: Hooks, through: str = "on_assembled") -> bool:
    """Whether the persistent caches may stand for the stages up to the hook `through`: they
    key on the bytes on disk, so a hook that may change what was loaded, validated or
    assembled before that point turns them off (GONGSHI_FILE_CACHE=0 turns them all off).
    The per-file cache (load and validate) asks through `on_loaded`; the evaluation cache
    through `on_assembled`."""
    if os.environ.get("GONGSHI_FILE_CACHE", "1") == "0":
        return False
    return all(getattr(hooks, name) is _same for name in _STAGES[: _STAGES.index(through) + 1])


def _evaluate(site: Site, hooks: Hooks) -> Evaluation:
    """Every association evaluated, or its evaluation from the last run whose inputs were the
    same (its files, the configuration, calendar, as-of date, history and code)."""
    if not _caching(hooks):
        return evaluate(site)
    from .cache import cache_dir, store
    from .evaluate import evaluate_cached
    # Pickling what was evaluated now into the cache (a tenth of a second at 10k documents,
    # cold) goes to the second core while this one lists the site.
    return evaluate_cached(site, store(cache_dir(site.root), "evaluations"), keep=_in_background)


def _prepare(content_dir: Path, as_of: dt.date, base_url: str | None, hooks: Hooks) -> Prepared:
    content = check(content_dir, hooks)
    if base_url:
        content = replace(content, config=content.config.model_copy(update={"base_url": base_url.rstrip("/")}))
    if errors(content.diagnostics):
        return Prepared(content, None, None, content.diagnostics)
    site = hooks.on_assembled(assemble(content, as_of, read_history(content_dir)))
    evaluation = hooks.on_evaluated(_evaluate(site, hooks))
    diagnostics = tuple(sorted(set(content.diagnostics + evaluation.diagnostics)))
    return Prepared(content, site, evaluation, diagnostics)


@dataclass(frozen=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    stats: WriteStats | None = None
    outputs: tuple[str, ...] = field(default=(), compare=False)

    @property
    def ok(self) -> bool:
        return self.stats is not None


def search_enabled() -> bool:
    """Search outputs are on unless GONGSHI_SEARCH=0 (benchmarks time the site without them)."""
    return os.environ.get("GONGSHI_SEARCH", "1") != "0"


def outputs(site: Site, evaluation: Evaluation, theme: Theme, *, search: bool = True,
            digests: dict[str, str] | None = None, unchanged: dict[str, int] | None = None) -> Iterator[tuple[str, bytes]]:
    """Every output's bytes, the manifest last (`digests` receives each one's SHA-256).

    Under an incremental build state an output may come as `write.Unchanged`, and the
    associations whose inputs and output files are those of the last build are not listed
    at all: their outputs come straight from the state (`BuildState.kept`), after the rest.
    `unchanged`, when given, receives those (path -> size) instead, for the writer to take
    as one batch (`write_site(unchanged=...)`); they are in the manifest all the same."""
    from .incremental import active
    from .manifest import with_manifest
    rendered, kept = _produced(site, evaluation, theme, search)
    state = active.get()
    if unchanged is None:
        more: Iterator[tuple[str, Any]] = (item for records in kept.values() for item in state.unchanged(records)) \
            if state is not None else iter(())
    else:
        more, digests = iter(()), {} if digests is None else digests
        for records in kept.values():
            for path, record in records.items():
                unchanged[path] = record[1]
                digests[path] = record[3]
    # The manifest comes last: it hashes the bytes of every other output (tamper evidence).
    yield from with_manifest(itertools.chain(rendered, more), site, evaluation, digests)


def _produced(site: Site, evaluation: Evaluation, theme: Theme,
              search: bool) -> tuple[Iterator[tuple[str, Any]], dict[str, dict[str, tuple[str, int, int, str]]]]:
    """The outputs rendered now (bytes, or `write.Unchanged` for one the build state vouches
    for), and the output records of the associations the build state keeps (not listed)."""
    from .incremental import active
    state = active.get()
    kept = state.kept() if state is not None else {}
    early = _early(site, evaluation, state) if not kept else None
    try:
        pages, extra, other_paths = _listed(site, evaluation, theme, search, kept)
    except BaseException:
        if early is not None:
            early.wait()        # no process left behind (the writer removes what it placed)
        raise
    if state is not None and not state.settle([*(a.path for a in pages), *(a.path for a in extra), *other_paths]):
        # The set of output paths changed (every key holds it): the associations kept are
        # listed after all. Their outputs are the ones recorded (their inputs did not change),
        # so what was listed stands; only their own artifacts are added. (Listed with every
        # other association skipped: the site-wide artifacts made again are left out.)
        listed = {a.path for a in pages} | {a.path for a in extra}
        owned = dict(state.owned)
        others = dict.fromkeys(a.slug for a in site.associations if a.slug not in kept)
        more_pages, more_extra, _ = _listed(site, evaluation, theme, search, others)   # type: ignore[arg-type]
        state.owned.update(owned)
        pages += [a for a in more_pages if a.path not in listed]
        extra += [a for a in more_extra if a.path not in listed]
        kept, other_paths = {}, []
        state.settle([*(a.path for a in pages), *(a.path for a in extra)])
    rendered = ((a.path, data) for a, data in render_site(site, evaluation, theme, extra, pages, other_paths, early))
    return rendered, kept


# Fewer documents than this: the early producers are too little work for a process of their own.
EARLY_FROM = 400


def _early(site: Site, evaluation: Evaluation, state: Any) -> Any:
    """The producers that need no listing (`outputs.early_artifacts`: feeds, open data, the
    editor's configuration) put into the staging folder by a forked process while this one
    lists the pages; a second of work at 10k documents that the other core, idle here, does.
    Only in a full write where every output is made: none kept from the last build, whose
    output is gone or was never recorded (else the build state may vouch for these)."""
    from .outputs import early_artifacts
    from .parallel import place_early
    from .write import staging
    target = staging()
    if target is None or len(site.documents) < EARLY_FROM:
        return None
    if state is not None and state.previous and os.path.isdir(state.out_dir):
        return None
    return place_early(target, early_artifacts(site, evaluation))


def _listed(site: Site, evaluation: Evaluation, theme: Theme, search: bool,
            kept: dict[str, Any]) -> tuple[list[Artifact], list[Artifact], list[str]]:
    """The pages and the other producers' artifacts of every association but the `kept`
    ones, and the paths of those (the sitemap and the pages' links need every path)."""
    from .incremental import active
    from .outputs import extra_artifacts  # feeds, sitemap, open data, search: render-stage producers
    from .render import produce_artifacts
    state = active.get()
    owned = state.owned if state is not None else None
    if owned is not None:
        owned.clear()
    other_paths = [path for slug in kept for path in kept[slug] or ()]
    made_ahead = _digests_ahead(site, evaluation, kept) if state is not None else None
    try:
        pages = produce_artifacts(site, evaluation, theme, skip=kept, owned=owned)   # listed once: pages, sitemap and writer share it
    finally:        # taken even when listing fails: the forked process waits for its reader
        if state is not None and made_ahead is not None:
            state.made_ahead = made_ahead()
    try:
        extra = extra_artifacts(site, evaluation, theme, search=search, pages=pages, skip=kept, owned=owned,
                                other_paths=other_paths)
    finally:
        if state is not None:
            state.made_ahead = {}   # for this site and evaluation only
    return pages, extra, other_paths


# Fewer associations whose digests are to be made than this: a fork costs more than they do.
DIGESTS_AHEAD_FROM = 32


def _digests_ahead(site: Site, evaluation: Evaluation, kept: dict[str, Any]) -> Callable[[], dict[str, Any]] | None:
    """The per-association digests the site-wide outputs are keyed by (open-data rows,
    compliance lines: a fifth of a second at 10k documents), made on the second core while
    this one lists the pages; None when few are to be made (the build state has the others)."""
    import marshal
    from .incremental import active
    from .outputs import ASSOCIATION_DIGESTS, association_digests
    from .parallel import ahead
    state = active.get()
    assert state is not None
    slugs = [a.slug for a in site.associations
             if a.slug not in kept and not all(state.remembers(a.slug, what) for what in ASSOCIATION_DIGESTS)]
    if len(slugs) < DIGESTS_AHEAD_FROM:
        return None
    taken = ahead(lambda: marshal.dumps(association_digests(site, evaluation, slugs)))

    def made() -> dict[str, Any]:
        data = taken()
        return {} if data is None else marshal.loads(data)     # none: `memoised` makes them here
    return made


def build(content_dir: Path, out_dir: Path, as_of: dt.date, base_url: str | None = None,
          hooks: Hooks = Hooks(), *, search: bool | None = None, incremental: bool | None = None) -> BuildResult:
    """`incremental` (default: on unless GONGSHI_INCREMENTAL=0) renders only what changed since
    the last build into `out_dir`; the output is byte for byte that of a clean build."""
    with contextlib.ExitStack() as kept:
        kept.enter_context(_finishing_in_background())
        with collector.paused():
            prepared = prepare(content_dir, as_of, base_url, hooks)
            # What prepare made lives until the end of the build: out of the collector's
            # sight from here on (frozen before the collector comes back, which would walk
            # it all at its first collection otherwise).
            kept.enter_context(collector.frozen())
        return _write(prepared, out_dir, search, incremental)


def _write(prepared: Prepared, out_dir: Path, search: bool | None, incremental: bool | None) -> BuildResult:
    from . import incremental as inc
    from .render import DEFAULT_THEME
    if not prepared.ok or prepared.site is None or prepared.evaluation is None:
        return BuildResult(prepared.diagnostics)
    theme = load_theme(prepared.site.theme_dir)
    search = search_enabled() if search is None else search
    if incremental is None:
        incremental = os.environ.get("GONGSHI_INCREMENTAL", "1") != "0"
    state = None
    if incremental:
        state = inc.BuildState.load(prepared.site.root, out_dir, inc.site_digest(prepared.site, [prepared.site.theme_dir, DEFAULT_THEME]))
        state.site, state.evaluation = prepared.site, prepared.evaluation
    written: list[str] = []
    unchanged: set[str] = set()
    # path -> size, mtime of the outputs written in this build, as their writers saw them
    # (render workers, or the writer itself): the build state need not stat each one again.
    placed: dict[str, tuple[int, int]] = {}
    digests: dict[str, str] = {}
    kept: dict[str, int] = {}   # the outputs of the associations the state keeps: path -> size

    def recorded() -> Iterator[tuple[str, bytes]]:
        for path, data in outputs(prepared.site, prepared.evaluation, theme, search=search,  # type: ignore[arg-type]
                                  digests=digests, unchanged=kept):
            written.append(path)
            if isinstance(data, Unchanged):
                unchanged.add(path)
            elif type(data) is Placed and data.mtime_ns:
                placed[path] = (data.size, data.mtime_ns)
            yield path, data

    token = inc.active.set(state)
    # The site, the evaluation and the artifacts live until the end of the build (frozen by
    # `build`): rendering's garbage triggers collections that do not walk them again and again.
    try:
        # Over the output it recorded, an incremental build changes only what differs; the
        # kept associations' outputs go to it as one batch (filled while `recorded` runs).
        stats = write_site(recorded(), out_dir, previous=state.previous.keys() if state is not None and state.previous else None,
                           folders=state.folders if state is not None else None, unchanged=kept,
                           stamps=placed if state is not None else None)
    except TemplateError as exc:  # a broken theme override: the writer has left out_dir untouched
        return BuildResult(prepared.diagnostics + (template_diagnostic(exc, prepared.site.theme_dir),))
    finally:
        inc.active.reset(token)
    if state is not None:
        state.save(prepared.site.root, written, digests, unchanged, placed)
    else:
        inc.BuildState.forget(prepared.site.root, out_dir)
    return BuildResult(prepared.diagnostics, stats)


def template_diagnostic(exc: TemplateError, theme_dir: Path | None) -> Diagnostic:
    """Where in which template rendering failed, from Jinja's rewritten traceback."""
    file, line = str(theme_dir or "theme"), 1
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        file, line = exc.filename, exc.lineno or 1
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith((".html", ".xml", ".txt", ".j2")):
                file, line = frame.filename, frame.lineno or 1
    return diag(file, line, 1, "render.template_error", problem=exc.message or type(exc).__name__)


__all__ = ["Hooks", "Prepared", "BuildResult", "check", "prepare", "build", "default_as_of", "Artifact"]
