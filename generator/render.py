"""Stage 5 — render: decide what outputs exist, then build each one.

Lektor-style split: `produce_artifacts` says *what* is built and from which sources
(nothing is rendered there), `build_artifact` says *how* one output becomes bytes. The
writer decides which artifacts need building (incremental builds key on `sources`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Iterator, Mapping

from jinja2 import BytecodeCache, ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from jinja2.utils import missing
from markupsafe import Markup, escape

from . import opendata
from .assemble import Association, Site
from .evaluate import DocumentState, Evaluation
from .i18n import HTML_LANG, PREFIX, translate
from .incremental import COMPLETE_SOURCES
from .jsonld import organisation_ld
from .kinds import BY_NAME, KINDS
from .models.common import Subject
from .present import HIDDEN_FIELDS, display_name, field_rows, fmt_date, fmt_value, label
from .remembered import remember
from .specialise import Unfoldable, page_template
from .templating import ThemeBytecodeCache, ThemeEnvironment, reads_context
from .validate import ValidDocument
from .views import (FACET_FOLDERS, DocumentShared, association_view, document_shared, document_view, facets, latest, latest_first,
                    listed_documents, page_path, paginate, public_documents)

# The page variable that holds the variables every page of the build shares (site_part).
SITE_VARIABLES = "site_variables"

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"


@dataclass(frozen=True, slots=True)
class Artifact:
    """One output file: where it goes and what it is made from.

    Slotted: a 10,000-document site lists 40,000 of them (pages in two languages)."""

    path: str                                   # relative to the output dir, POSIX
    template: str | None = None                 # a Jinja template, or None when `produce` makes the bytes
    context: Mapping[str, Any] = field(default_factory=dict, compare=False)
    sources: tuple[str, ...] = ()               # content paths (and hashes) it depends on
    produce: Callable[[], bytes] | None = field(default=None, compare=False)
    # Context that is costly to compute (rendered Markdown), made at build time for the
    # page's language: lang -> extra context.
    lazy: Callable[[str], Mapping[str, Any]] | None = field(default=None, compare=False)
    # The page's language, when not the template globals' (zh): `localised` sets it on the
    # copies it makes, which share the original's context instead of copying it.
    lang: str | None = None
    # `produce`'s bytes in pieces, when a producer can make them a piece at a time (the
    # editor's configuration): a renderer that writes files itself never holds them whole.
    stream: Callable[[], Iterable[bytes]] | None = field(default=None, compare=False)


class SharedContexts:
    """The contexts of several pages made together, once (the compliance pages share one
    matrix): made when the first of them is rendered, or by a renderer that forks workers
    before the fork (`parallel`), so that each worker does not make them again."""

    def __init__(self, make: Callable[[], Mapping[str, Mapping[str, Any]]]) -> None:
        self._make = make
        self._made: Mapping[str, Mapping[str, Any]] | None = None

    def made(self) -> Mapping[str, Mapping[str, Any]]:
        """Every page's context by its path (in the default language)."""
        if self._made is None:
            self._made = self._make()
        return self._made

    def forget(self) -> None:
        """Let go of the contexts (made again if asked for again)."""
        self._made = None

    def of(self, path: str) -> "SharedContext":
        return SharedContext(self, path)


@dataclass(frozen=True, slots=True)
class SharedContext:
    """One page's part of `SharedContexts`: an artifact's `lazy` (the same in every language)."""

    contexts: SharedContexts
    path: str

    def __call__(self, lang: str) -> Mapping[str, Any]:
        return self.contexts.made()[self.path]


@dataclass(frozen=True)
class Theme:
    env: Environment
    assets: Mapping[str, tuple[str, bytes]]     # logical name -> (fingerprinted path, bytes)

    def asset_url(self, name: str) -> str:
        return "/" + self.assets[name][0]


def _bytecode_cache() -> BytecodeCache | None:
    """Compiled templates kept between builds (keyed by their source: an edited template is
    compiled again); compiling the theme is a tenth of a second every build otherwise."""
    from .cache import cache_root
    folder = cache_root() / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return ThemeBytecodeCache(str(folder))


def load_theme(site_theme: Path | None, theme: Path = DEFAULT_THEME) -> Theme:
    """Theme templates and static files; a site's own `content/theme/` overrides any of them."""
    dirs = [d for d in (site_theme, theme) if d is not None]
    env = ThemeEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(d / "templates")) for d in dirs if (d / "templates").is_dir()]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        # A theme is loaded per build (serve loads it again per rebuild): no stat of every
        # template file on every render to see whether it changed.
        auto_reload=False,
        bytecode_cache=_bytecode_cache(),
    )
    assets: dict[str, tuple[str, bytes]] = {}
    for d in reversed(dirs):  # later (site) wins
        static = d / "static"
        if static.is_dir():
            for f in sorted(static.rglob("*")):
                if f.is_file():
                    data = f.read_bytes()
                    name = f.relative_to(static).as_posix()
                    stem, dot, ext = name.rpartition(".")
                    digest = hashlib.sha256(data).hexdigest()[:10]
                    assets[name] = (f"static/{stem}.{digest}.{ext}" if dot else f"static/{name}.{digest}", data)
    return Theme(env=env, assets=assets)


# --- page models ---------------------------------------------------------------------------------
# (the views themselves live in views.py; these names stay importable from here)


def document_facts(doc: ValidDocument, site: Site, lang: str = "zh") -> list[tuple[str, str]]:
    return field_rows(doc.model, lang, site.config.mask_individuals, hidden=HIDDEN_FIELDS)


HOME_LATEST = 20          # the home page shows the newest N, never everything
HOME_SANCTIONS = 10
PER_KIND_ON_ASSOCIATION = 10


# --- what is built -----------------------------------------------------------------------------


def _pages(base: str, items: list[Any], size: int, template: str, context: Mapping[str, Any],
           sources: tuple[str, ...], shown: Callable[[Any], str] | None = None) -> list[Artifact]:
    """One artifact per page of a paginated list at /base/, /base/page/2/, ...

    `shown`: what a list shows of one item. Given, a page is keyed by exactly what it shows
    (its items, its place in the list, the rest of its context), not by `sources`: an edit
    that changes nothing a list shows (a body) renders none of the list pages again."""
    pages = paginate(items, size)
    out = []
    for n, chunk in enumerate(pages, start=1):
        page_sources = sources
        if shown is not None:
            h = hashlib.sha256(repr((n, len(pages), len(items), base, _context_shown(context))).encode())
            for item in chunk:
                h.update(shown(item).encode())
            page_sources = (COMPLETE_SOURCES, "list:" + h.hexdigest())
        out.append(Artifact(page_path(base, n), template,
                            {**context, "items": chunk, "page": n, "pages": len(pages), "total": len(items),
                             "base_url": "/" + base}, page_sources))
    return out


def _context_shown(context: Mapping[str, Any]) -> tuple[Any, ...]:
    """The part of a list page's context that is not its items, as stable text."""
    out = []
    for k, v in sorted(context.items()):
        if isinstance(v, Association):
            v = (v.slug, v.name, v.url)
        elif k == "kind":
            v = v.name
        out.append((k, v))
    return tuple(out)


_UNDEFINED = "<undefined>"
# A subject's fields as a tuple, in their order (one C call).
_subject_values = attrgetter(*Subject.model_fields)


def _document_in_list(site: Site) -> Callable[[ValidDocument], str]:
    """What a document list (macros.html doc_item) shows of one document, memoised; under an
    incremental build, per association in the build state (it is made of that association's
    files only), so the site-wide lists of an unchanged association cost a look-up."""
    from .incremental import active
    state = active.get()
    memo: dict[int, str] = {}
    by_association: dict[str, dict[str, str]] = {}

    def made(d: ValidDocument) -> str:
        m = d.model
        # A model's fields are in its __dict__: a kind without one of these answers from there,
        # not by pydantic raising and catching an AttributeError; the subject as the tuple of
        # its fields, not pydantic's repr (ten thousand of each a listing).
        values = m.__dict__
        subject = values.get("subject", _UNDEFINED)
        return repr((
            d.url, m.title, d.kind.name, values.get("measure", _UNDEFINED), values.get("list_type", _UNDEFINED),
            m.event_date(), subject if subject is None or subject is _UNDEFINED else _subject_values(subject),
            d.association, site.by_slug[d.association].name,
        )) + "\n"

    def of_association(slug: str) -> dict[str, str]:
        found = by_association.get(slug)
        if found is None:
            assert state is not None
            found = by_association[slug] = state.memoised(
                "shown", slug, lambda: {d.raw.rel: made(d) for d in site.by_slug[slug].documents})
        return found

    def shown(d: ValidDocument) -> str:
        found = memo.get(id(d))
        if found is None:
            found = memo[id(d)] = made(d) if state is None else of_association(d.association)[d.raw.rel]
        return found
    return shown


def _page_artifacts(site: Site, evaluation: Evaluation, *, per_association: bool = True,
                    skip: Collection[str] = (), owned: dict[str, list[str]] | None = None) -> list[Artifact]:
    """Every HTML page in the site's default language (zh), in a stable order.

    `per_association=False`: only the site-wide pages (serve re-lists those after an edit and
    takes one association's pages from `association_pages`). `skip`: associations whose
    pages are not listed (an incremental build takes them from its build state); `owned`
    receives the paths of each listed association's pages."""
    arts: list[Artifact] = []
    all_sources = tuple(sorted(d.raw.content_hash for d in site.documents) +
                        [a.source.raw.content_hash for a in site.associations])
    profile_sources = tuple(a.source.raw.content_hash for a in site.associations)
    visible = public_documents(site, evaluation)
    size = site.config.page_size
    shown = _document_in_list(site)
    # Directory and facet pages show the associations' profiles and nothing else.
    profile_sources = (COMPLETE_SOURCES, *profile_sources)

    tally = Counter(d.kind.name for d in visible)
    counts = {k.name: tally[k.name] for k in KINDS}
    arts.append(Artifact("index.html", "home.html", {
        "latest": latest(visible, HOME_LATEST),
        "sanctions": latest((d for d in visible if d.kind.name == "sanction"), HOME_SANCTIONS),
        "counts": counts, "associations": site.associations,
    }, all_sources))
    arts.append(Artifact("404.html", "404.html", {}, ()))
    arts.append(Artifact("data/index.html", "data.html", {"datasets": opendata.DATASETS}, ()))

    groups = facets(site)
    directory = {"facets": groups, "facet": None}
    arts += _pages("associations/", list(site.associations), size, "directory.html", directory, profile_sources)
    for name, values in groups.items():
        folder = FACET_FOLDERS[name]
        arts.append(Artifact(f"{folder}/index.html", "facets.html", {"facet_name": name, "values": values},
                             profile_sources))
        for f in values:
            arts += _pages(f"{folder}/{f.slug}/", list(f.associations), size, "directory.html",
                           {"facets": groups, "facet": f}, profile_sources)

    for assoc in (site.associations if per_association else ()):
        if assoc.slug in skip:
            continue
        mine = association_pages(site, evaluation, assoc, shown)
        if owned is not None:
            owned[assoc.slug] = [a.path for a in mine]
        arts += mine

    for kind in KINDS:
        if kind.folder is None or kind.name == "member_disclosure":   # member-only: never a public list
            continue
        ds = latest_first(d for d in visible if d.kind.name == kind.name)
        extra: dict[str, Any] = {"kind": kind, "association": None, "variant": None}
        if kind.name == "annual_report":
            extra["years"] = sorted({d.variant for d in ds}, reverse=True)
        if kind.name == "list_entry":
            extra["variants"] = ["red", "black"]
        arts += _pages(f"{kind.folder}/", ds, size, "list.html", extra, all_sources, shown)
        if kind.name == "list_entry":
            for colour in ("red", "black"):
                arts += _pages(f"{kind.folder}/{colour}/", [d for d in ds if d.variant == colour],
                               size, "list.html", {"kind": kind, "association": None, "variant": colour}, all_sources,
                               shown)
        if kind.name == "annual_report":
            for year in extra["years"]:
                arts += _pages(f"{kind.folder}/{year}/", [d for d in ds if d.variant == year], size, "list.html",
                               {"kind": kind, "association": None, "variant": year, "years": extra["years"]},
                               all_sources, shown)
    return arts


def association_pages(site: Site, evaluation: Evaluation, assoc: Association,
                      shown: Callable[[ValidDocument], str] | None = None) -> list[Artifact]:
    """The pages under /associations/<slug>/ (zh): they show that association's files only."""
    arts: list[Artifact] = []
    shown = shown or _document_in_list(site)
    size = site.config.page_size
    src = (assoc.source.raw.content_hash,) + tuple(d.raw.content_hash for d in assoc.documents)
    view = association_view(assoc, site, evaluation, KINDS, PER_KIND_ON_ASSOCIATION)
    arts.append(Artifact(f"associations/{assoc.slug}/index.html", "association.html", view, src))
    docs = public_documents(site, evaluation, assoc)
    for kind in KINDS:
        ds = [d for d in docs if d.kind.name == kind.name]
        if ds and kind.folder is not None:
            arts += _pages(f"associations/{assoc.slug}/{kind.folder}/", latest_first(ds), size, "list.html",
                           {"kind": kind, "association": assoc, "variant": None}, src, shown)
    if docs:
        siblings = "siblings:" + _siblings_digest(assoc, evaluation, shown)
    for doc in docs:
        arts.append(Artifact(doc.url.lstrip("/") + "index.html", doc.kind.template,
                             {"doc": doc, "association": assoc},
                             (COMPLETE_SOURCES, doc.raw.content_hash, assoc.source.raw.content_hash, siblings),
                             lazy=_document_lazy(doc, site, evaluation, assoc)))
    return arts


def _siblings_digest(assoc: Association, evaluation: Evaluation, shown: Callable[[ValidDocument], str]) -> str:
    """What a document page can show of the rest of its association, as a digest: every
    document's state and list entry (a reference shows its title, kind and link, when it is
    public) and the association's status lines (its deadlines). With the document's own file
    and the association's profile, a document page's complete sources: editing one
    document's body renders its own pages, not its siblings'."""
    from .compliance import lines_digest     # (compliance.py lists its pages with this module)
    h = hashlib.sha256(lines_digest(evaluation.for_association(assoc.slug)).encode())
    state = evaluation.state
    for d in assoc.documents:
        h.update(f"{d.raw.rel}\0{_state_values(state(d.raw.rel))!r}\0{shown(d)}".encode())
    return h.hexdigest()


# A document's state as a tuple of its fields (one C call: the dataclass's repr goes field by
# field through reprlib's recursion guard, ten thousand times a listing).
_state_values = attrgetter(*(f.name for f in fields(DocumentState)))


def _document_lazy(doc: ValidDocument, site: Site, evaluation: Evaluation,
                   assoc: Association) -> Callable[[str], Mapping[str, Any]]:
    # Markdown is rendered when the page is built, not when the list of outputs is made.
    return DocumentPage(doc, site, evaluation, assoc)


@dataclass(frozen=True, slots=True, eq=False)
class DocumentPage:
    """A document page's `lazy`: its view in the page's language. The part of the view
    that is the same in every language (`views.document_shared`: its Markdown, history,
    deadlines, references) is kept for the last document only, so its page in the next
    language takes it from there (a parallel build renders a page's mirrors one after the
    other, `parallel.mirrors_together`); any other order makes it again, as it was."""

    doc: ValidDocument
    site: Site
    evaluation: Evaluation
    association: Association

    def __call__(self, lang: str) -> Mapping[str, Any]:
        return {"view": document_view(self.doc, self.site, self.evaluation, self.association, lang, self.shared())}

    def shared(self) -> DocumentShared:
        global _last_shared
        last = _last_shared
        # by identity, all four: under serve an unchanged document meets a new evaluation
        if last is not None and last[0] is self.doc and last[1] is self.site and last[2] is self.evaluation \
                and last[3] is self.association:
            return last[4]
        made = document_shared(self.doc, self.site, self.evaluation, self.association)
        _last_shared = (self.doc, self.site, self.evaluation, self.association, made)
        return made


# (document, site, evaluation, association, its shared view part) of the last document page made
_last_shared: tuple[ValidDocument, Site, Evaluation, Association, DocumentShared] | None = None


def forget_shared() -> None:
    """Let go of the last document's shared view part (and the site it holds) and of the
    last page's links (and the build's set of every output path they were made with)."""
    global _last_shared, _last_links
    _last_shared = _last_links = None


def localised(pages: list[Artifact], languages: Iterable[str]) -> list[Artifact]:
    """The Chinese pages at the root and, when configured, English mirrors under /en/: each
    page followed by its mirrors, so that a renderer going through them in order (one
    process) makes what a page's languages share once (`DocumentPage`, `page_links`), as
    the parallel one does (`parallel.mirrors_together`)."""
    mirrors = list(_mirrors(languages))
    out = []
    for a in pages:
        # Artifact(...) rather than dataclasses.replace: 20,000 of them at 10k documents.
        out.append(Artifact(a.path, a.template, a.context, a.sources, a.produce, a.lazy, "zh", a.stream))
        for lang, prefix in mirrors:
            out.append(Artifact(prefix + a.path, a.template, a.context, a.sources, a.produce, a.lazy, lang, a.stream))
    return out


def _mirrors(languages: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(language, path prefix) of every configured language mirrored beside the Chinese pages."""
    for lang in languages:
        if lang != "zh" and lang in PREFIX:
            yield lang, PREFIX[lang].lstrip("/") + "/"


def produce_artifacts(site: Site, evaluation: Evaluation, theme: Theme, *, skip: Collection[str] = (),
                      owned: dict[str, list[str]] | None = None) -> list[Artifact]:
    """Every output of the site and the sources each depends on. Renders nothing.

    `skip`: associations whose pages are left out (an incremental build has them from the
    last one); `owned` receives, for every association listed, the paths of its pages in
    every language."""
    arts: list[Artifact] = []
    for name, (path, data) in sorted(theme.assets.items()):
        # A static file is its bytes (its name carries their digest), whatever the content.
        arts.append(Artifact(path, produce=(lambda data=data: data),
                             sources=(COMPLETE_SOURCES, hashlib.sha256(data).hexdigest())))
    zh: dict[str, list[str]] | None = {} if owned is not None else None
    arts += localised(_page_artifacts(site, evaluation, skip=skip, owned=zh), site.config.languages)
    if owned is not None and zh is not None:
        for slug, paths in zh.items():
            owned.setdefault(slug, []).extend(localised_paths(paths, site.config.languages))
    return arts


def localised_paths(paths: list[str], languages: Iterable[str]) -> list[str]:
    """The paths `localised` gives pages at `paths`."""
    out = list(paths)
    for _, prefix in _mirrors(languages):
        out += [prefix + p for p in paths]
    return out


# --- how one is built ----------------------------------------------------------------------------


def _file_of(url_path: str) -> str:
    """'/en/associations/' → 'en/associations/index.html' (the output file a URL serves)."""
    rel = url_path.lstrip("/")
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


# The functions below read the page's variables with `resolve_or_missing` (what
# `Context.get` calls, two calls deeper): they run 600,000 times a 10k build.

@reads_context("lang", "all_paths")
def _href(ctx: Any, path: str) -> str:
    """A site path in the page's language: the mirror under /en/ when that page exists,
    else the Chinese page (pages other stages build may exist in Chinese only)."""
    lang = ctx.resolve_or_missing("lang")
    prefix = PREFIX.get("zh" if lang is missing else lang, "")
    if not prefix:
        return path
    candidate = prefix + path
    all_paths = ctx.resolve_or_missing("all_paths")
    return candidate if all_paths is not missing and _file_of(candidate) in all_paths else path


@reads_context("lang")
def _label(ctx: Any, value: Any) -> str:
    lang = ctx.resolve_or_missing("lang")
    return label(value, "zh" if lang is missing else lang)


_AS_WRITTEN, _NOTHING = Markup(' lang="zh-CN"'), Markup("")


@reads_context("lang")
def _content_lang(ctx: Any) -> Markup:
    """Content stays as written (Chinese): on English pages its elements say so."""
    lang = ctx.resolve_or_missing("lang")
    return _AS_WRITTEN if lang is not missing and lang != "zh" else _NOTHING


@reads_context("lang", "config")
def _site_title(ctx: Any) -> str:
    config = ctx["config"]
    return config.title_en if ctx.resolve_or_missing("lang") == "en" and config.title_en else config.title


@reads_context("lang", SITE_VARIABLES)
def _site_part(ctx: Any, name: str) -> Markup:
    """The output of template `name` for the page's language, rendered once per language and
    build: a part of every page that shows nothing of the page itself (its main links, its
    footer: two dozen calls a page). The template sees the site's variables and `lang` only,
    so a page's variable there is an error, not a stale value; another set of site
    variables (serve after an edit) renders it again."""
    site_variables = ctx.resolve_or_missing(SITE_VARIABLES)
    parts = getattr(ctx.environment, "site_parts", None)
    if site_variables is missing or parts is None:     # not a page of a build: like an include
        return Markup(ctx.environment.get_template(name).render(ctx.get_all()))
    lang = ctx.resolve_or_missing("lang")
    lang = "zh" if lang is missing else lang
    made = parts.get((name, lang))
    if made is None or made[0] is not site_variables:   # the template is looked up only then
        template = ctx.environment.get_template(name)
        made = parts[(name, lang)] = (site_variables, Markup(template.render({**site_variables, "lang": lang})))
    return made[1]


def _jsonld(data: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block: '<', '>' and '&' escaped so
    content can never close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def template_globals(site: Site, evaluation: Evaluation, theme: Theme) -> dict[str, Any]:
    return {
        "site": site, "config": site.config, "as_of": site.as_of, "evaluation": evaluation,
        "asset": theme.asset_url, "t": translate, "lang": "zh", "kinds": KINDS, "kind_by_name": BY_NAME,
        "fmt_date": fmt_date, "fmt_value": fmt_value, "display_name": display_name,
        "canonical": lambda path: site.config.base_url + path,
        "href": _href, "lbl": _label, "content_lang": _content_lang, "jsonld": _jsonld,
        "html_lang": HTML_LANG, "lang_prefix": PREFIX, "all_paths": frozenset(),
        "organisation_ld": organisation_ld, "site_title": _site_title,
        "listed": listed_documents(site), "site_part": _site_part, "remember": remember,
        # rule id -> English title, for status lines (macros.html rule_title); a later rule
        # with the same id wins, as the template's scan of the rules did
        "obligation_titles_en": {r.id: r.title_en for r in site.config.obligations if r.title_en},
    }


@dataclass(frozen=True, slots=True)
class PageLinks:
    """A page's links to itself in every language, the same for all of them: base.html's
    `alternates`, and its hreflang links written out (`alternate_links`, `x_default`) so the
    template does not sort the languages and build each absolute URL again on every page."""

    alternates: dict[str, str]                          # lang -> URL path (`_alternates`)
    alternate_links: tuple[tuple[str, Markup], ...]     # (hreflang, absolute URL), by language
    x_default: Markup | None                            # the Chinese page's absolute URL, if any


def page_links(path: str, all_paths: frozenset[str] | set[str], base_url: str) -> PageLinks:
    """`PageLinks` of the page at output path `path`; made once for a page and its mirrors,
    which are rendered one after the other (`parallel.mirrors_together`)."""
    global _last_links
    zh_path = _zh_path(path)
    last = _last_links
    if last is not None and last[0] == zh_path and last[1] is all_paths and last[2] == base_url:
        return last[3]
    alternates = _alternates(path, all_paths)
    links = PageLinks(
        alternates,
        tuple((HTML_LANG[lang], escape(base_url + url)) for lang, url in sorted(alternates.items())),
        escape(base_url + alternates["zh"]) if "zh" in alternates else None)
    _last_links = (zh_path, all_paths, base_url, links)
    return links


# (Chinese output path, all paths, base URL, its links) of the last page rendered
_last_links: tuple[str, frozenset[str] | set[str], str, PageLinks] | None = None


def _zh_path(path: str) -> str:
    """The output path of the Chinese page of which `path` is a page in any language."""
    zh_path = path
    for folder, prefix in _MIRROR_FOLDERS:
        if path.startswith(folder):
            zh_path = path[len(prefix):]
    return zh_path


# (output folder, URL prefix) of each language's mirror: ("en/", "/en")
_MIRROR_FOLDERS = tuple((prefix.lstrip("/") + "/", prefix) for prefix in PREFIX.values() if prefix)


def _alternates(path: str, all_paths: frozenset[str] | set[str]) -> dict[str, str]:
    """lang → URL path of this page in each language that has it (for hreflang and the switch)."""
    zh_path = _zh_path(path)
    out = {}
    for lang, prefix in PREFIX.items():
        candidate = (prefix.lstrip("/") + "/" + zh_path) if prefix else zh_path
        if candidate in all_paths:
            out[lang] = "/" + candidate.removesuffix("index.html")
    return out


def build_artifact(artifact: Artifact, theme: Theme, globals_: Mapping[str, Any]) -> bytes:
    if artifact.produce is not None:
        return artifact.produce()
    chunks = list(artifact_chunks(artifact, theme, globals_))
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# A chunk is encoded when it holds this many pieces or characters, whichever comes first.
_PIECES_PER_CHUNK = 16384
_CHARS_PER_CHUNK = 1 << 18


def artifact_chunks(artifact: Artifact, theme: Theme, globals_: Mapping[str, Any]) -> Iterable[bytes]:
    """The artifact's bytes in pieces whose concatenation is `build_artifact`'s bytes.

    A template is rendered piece by piece (`Template.generate`, what `render` joins) and
    encoded a chunk at a time: the compliance pages are megabytes of HTML made of a million
    small strings, whose list alone took 30 MiB at 10k documents. (The theme's templates
    yield their output gathered in long pieces, templating.ThemeCodeGenerator: a document
    page is one.)"""
    if artifact.stream is not None:
        return artifact.stream()
    if artifact.produce is not None:
        return [artifact.produce()]
    assert artifact.template is not None
    path = "/" + artifact.path.removesuffix("index.html")
    context: dict[str, Any] = {**globals_, **artifact.context, "page_url": path, SITE_VARIABLES: globals_}
    if artifact.lang is not None:
        context["lang"] = artifact.lang
    if artifact.lazy is not None:
        context.update(artifact.lazy(context.get("lang", "zh")))
    config = globals_.get("config")     # (a page rendered outside a build may have none)
    links = page_links(artifact.path, globals_.get("all_paths", frozenset()) or {artifact.path},
                       config.base_url if config is not None else "")
    context["alternates"], context["alternate_links"], context["x_default"] = \
        links.alternates, links.alternate_links, links.x_default
    try:        # compiled for the page's language (specialise.py)
        return _encoded(page_template(theme.env, artifact.template, context), context)
    except Unfoldable:      # it, or a template it includes, cannot be: as compiled for any language
        return _encoded(theme.env.get_template(artifact.template), context)


def _encoded(template: Template, context: dict[str, Any]) -> list[bytes]:
    # What Template.render does, without joining everything into one string first.
    pieces = template.root_render_func(template.new_context(context))
    out: list[bytes] = []
    batch: list[str] = []
    size = 0
    try:
        for piece in pieces:
            batch.append(piece)
            size += len(piece)
            if size >= _CHARS_PER_CHUNK or len(batch) >= _PIECES_PER_CHUNK:
                out.append("".join(batch).encode("utf-8"))
                batch, size = [], 0
    except Exception:
        template.environment.handle_exception()     # raises, with the template's lines in the traceback
        raise
    if batch or not out:
        out.append("".join(batch).encode("utf-8"))
    return out


def render_site(site: Site, evaluation: Evaluation, theme: Theme,
                extra: Iterable[Artifact] = (), pages: list[Artifact] | None = None,
                other_paths: Iterable[str] = (), early: Any = None) -> Iterator[tuple[Artifact, bytes]]:
    """`pages`: `produce_artifacts` of this site when the caller made them already;
    `other_paths`: outputs of the site that are not listed here (an incremental build's
    unchanged associations), which pages link to all the same; `early`: producers placed
    already (`parallel.place_early`)."""
    artifacts = [*(produce_artifacts(site, evaluation, theme) if pages is None else pages), *extra]
    all_paths = frozenset([*(a.path for a in artifacts), *other_paths])
    globals_ = {**template_globals(site, evaluation, theme), "all_paths": all_paths}
    from .parallel import build_all  # both cores; the same bytes in the same order as one
    try:
        yield from build_all(artifacts, theme, globals_, build_artifact, early=early)  # type: ignore[misc]
    finally:
        forget_shared()     # the last page's site is not kept past its build
