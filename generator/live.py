"""What `serve` keeps warm between edits: the site model, the list of outputs, and the pages
rendered so far. An edit costs what it touches, and a page is rendered when it is asked for.

After an edit inside one association's folder (the watcher says which files changed):

1. that folder alone is read again (unchanged files keep their parse), its files validated
   (unchanged ones keep their result) and its cross-file checks run again;
2. its `Association` is made again, the others are kept; only it is evaluated again (no
   obligation rule looks at another association's documents, `generator.evaluate`);
3. the outputs are listed again: its pages (`render.association_pages`) and the site-wide
   ones (home, directory, lists, feeds, open data); the others' pages are kept;
4. rendered pages that may show the edit are forgotten: its association's pages, every
   site-wide output, the sitemap and the manifest. When the set of output paths changed
   (a page appears or goes), every page is forgotten: any page may link to it.

Nothing is rendered then: `page(path)` renders what the browser asks for and keeps it.
Outputs that are costly to even list (the compliance view: it evaluates the matrix; search:
it exports the index) are listed when one of their files is asked for, the sitemap and the
manifest when they are asked for (the manifest hashes every other output: it renders them).

An edit anywhere else (site.yaml, calendar/, the site's theme), or an unknown edit, reads
everything again (`rebuild(None)`), as does a new commit in the content's repository.

Correct only if a page under /associations/<slug>/ shows that association's files alone
(and site-wide facts that every edit invalidates anyway): the same contract the incremental
build relies on (`generator.incremental.BuildState.start`). tests/live check every served
file against a clean build after chains of edits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from . import load, validate
from .assemble import Site, association
from .diagnostics import Diagnostic, diag, errors
from .evaluate import Evaluation, reevaluate
from .load import Attachment, RawDocument
from .validate import ValidatedContent, ValidDocument

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Rebuilt:
    outputs: frozenset[str]            # outputs whose bytes may have changed (or are new): rendered on request
    removed: frozenset[str]            # outputs that no longer exist
    diagnostics: tuple[Diagnostic, ...]
    ok: bool
    full: bool = False                 # everything was read again


@dataclass(frozen=True)
class _Folder:
    """One folder under associations/, as read and validated."""

    name: str
    raws: tuple[RawDocument, ...]
    attachments: tuple[Attachment, ...]
    profile: ValidDocument | None
    documents: tuple[ValidDocument, ...]         # every kind but the profile, by kind and id
    diagnostics: tuple[Diagnostic, ...]          # reading, per-file and cross-file validation
    parsed: Mapping[Any, RawDocument] = field(default_factory=dict)


class _Carried(dict):  # type: ignore[type-arg]
    """A memo that keeps what this run used: misses fall back to the previous run's entries."""

    def __init__(self, previous: Mapping[Any, Any]) -> None:
        super().__init__()
        self.previous = previous

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        if key in self.previous:
            value = self[key] = self.previous[key]
            return value
        return default


def _folder_name(file: str | Path, root: Path) -> str | None:
    """'…/associations/<name>/…' → name; None for files outside any association folder."""
    try:
        parts = Path(file).relative_to(root).parts
    except ValueError:
        return None
    return parts[1] if len(parts) >= 2 and parts[0] == "associations" else None


@dataclass
class _Deferred:
    """Outputs listed only when one of them is asked for; `paths` is the last listing's."""

    make: Callable[[], list[Any]]
    prefixes: tuple[str, ...]
    paths: frozenset[str] = frozenset()
    artifacts: dict[str, Any] | None = None      # None: to be listed again


class Session:
    """A warm preview of `content_dir`. `build()` once, `rebuild(changed)` after each edit,
    `page(path)` for the bytes a clean build would write at `path` (None: no such output)."""

    def __init__(self, content_dir: Path, as_of: dt.date | None = None, base_url: str | None = None, *,
                 search: bool = True) -> None:
        self.content_dir = Path(content_dir).absolute()
        self.as_of = as_of
        self.base_url = base_url
        self.search = search
        self.root = self.content_dir
        self.content: ValidatedContent | None = None
        self.site: Site | None = None
        self.evaluation: Evaluation | None = None
        self.diagnostics: tuple[Diagnostic, ...] = ()
        self._global_diagnostics: tuple[Diagnostic, ...] = ()
        self._folders: dict[str, _Folder] = {}
        self._validated: dict[int, tuple[RawDocument, ValidDocument | None, tuple[Diagnostic, ...]]] = {}
        self._pending: set[str] = set()            # folders changed since the last good model
        self._max_bytes = load.MAX_FILE_BYTES
        self.theme: Any = None
        # the outputs
        self._assoc_arts: dict[str, list[Any]] = {}
        self._assoc_map: dict[str, Any] = {}          # path -> artifact, of every association's pages
        self._assoc_listed: dict[str, int] = {}       # slug -> its pages the sitemap lists
        self._shapes: dict[str, tuple[Any, ...]] = {}  # slug -> what decides which site-wide pages exist
        self._site_stale = False                      # site-wide outputs to be listed again when asked for
        self.mispredicted = 0                         # site-wide paths that differed from `_shape`'s promise
        self._site_arts: list[Any] = []
        self._deferred: dict[str, _Deferred] = {}
        self._cms_paths: frozenset[str] = frozenset()
        self._asset_paths: frozenset[str] = frozenset()
        self._sitemap_names: tuple[str, ...] = ()
        self.artifacts: dict[str, Any] = {}
        self.all_paths: frozenset[str] = frozenset()
        self._globals: dict[str, Any] = {}
        self.rendered: dict[str, bytes] = {}
        self._git: Any = None                       # the git history as of the last edit

    # --- the model -------------------------------------------------------------------------

    def _today(self) -> dt.date:
        from .pipeline import default_as_of
        return self.as_of or default_as_of()

    def build(self) -> Rebuilt:
        return self.rebuild(None)

    def rebuild(self, changed: Iterable[Path | str] | None = None) -> Rebuilt:
        """`changed`: the files the watcher saw change (None: anything may have)."""
        folders = self._folders_of(changed)
        # A model never made (the first read found errors) or another day: read everything.
        if folders is None or self.site is None or self.site.as_of != self._today():
            return self._full()
        history = self._history(changed or ())
        if history is False:
            return self._full()
        self._git = history
        for name in sorted(folders):
            self._read_folder(name)
        self._pending |= folders
        return self._remodel()

    def _folders_of(self, changed: Iterable[Path | str] | None) -> set[str] | None:
        if changed is None:
            return None
        names: set[str] = set()
        for p in changed:
            name = _folder_name(Path(p).absolute(), self.root)
            if name is None:
                return None        # site.yaml, calendar/, theme/, …: read everything again
            names.add(name)
        return names

    def _full(self) -> Rebuilt:
        from .pipeline import prepare
        from .render import load_theme
        saved = load.parsed_memo, validate.validated_memo
        parsed: dict[Any, Any] = {}
        validated: dict[Any, Any] = {}
        load.parsed_memo, validate.validated_memo = parsed, validated
        try:
            prepared = prepare(self.content_dir, self._today(), self.base_url)
        finally:
            load.parsed_memo, validate.validated_memo = saved
        content = prepared.content
        site_raw = next((r for r in parsed.values() if r.rel == "site.yaml"), None)
        self._max_bytes = load._configured_max_bytes(site_raw) or load.MAX_FILE_BYTES
        by_folder: dict[str, dict[str, Any]] = {}

        def part(name: str) -> dict[str, Any]:
            return by_folder.setdefault(name, {"raws": [], "attachments": [], "profile": None, "documents": [],
                                               "diagnostics": [], "parsed": {}})

        for key, raw in parsed.items():
            name = _folder_name(raw.path, self.root)
            if name is not None:
                part(name)["parsed"][key] = raw
                part(name)["raws"].append(raw)
        for a in content.attachments:
            part(_folder_name(a.path, self.root) or "")["attachments"].append(a)
        for p in content.profiles:
            part(_folder_name(p.raw.path, self.root) or "")["profile"] = p
        for d in content.documents:
            part(_folder_name(d.raw.path, self.root) or "")["documents"].append(d)
        global_ds = []
        for d in content.diagnostics:
            name = _folder_name(d.file, self.root)
            (part(name)["diagnostics"] if name is not None else global_ds).append(d)
        self._global_diagnostics = tuple(global_ds)
        self._folders = {name: _Folder(name, tuple(v["raws"]), tuple(v["attachments"]), v["profile"],
                                       tuple(v["documents"]), tuple(v["diagnostics"]), v["parsed"])
                         for name, v in sorted(by_folder.items()) if name}
        self._validated = {key[0]: hit for key, hit in validated.items()}
        self._pending = set()
        self.content = content
        old = frozenset(self.artifacts)
        self.site = self.evaluation = None
        self.rendered = {}
        self.artifacts = {}
        self.diagnostics = prepared.diagnostics
        if prepared.site is None or prepared.evaluation is None:
            return Rebuilt(frozenset(), old, prepared.diagnostics, False, True)
        self.site, self.evaluation = prepared.site, prepared.evaluation
        self._git = self.site.history
        self.theme = load_theme(self.site.theme_dir)
        self._list_all()
        return Rebuilt(frozenset(self.artifacts), old - frozenset(self.artifacts), self.diagnostics, True, True)

    def _history(self, changed: Iterable[Path | str]) -> Any:
        """The git history with the dirty state of the changed files asked again (one `git
        status` of those paths); False when the repository moved on (a commit): read all."""
        history = self._git
        if history is None:
            return None
        from .gitdates import _GIT_CONFIG, _parse_status
        rels = [Path(p).absolute().relative_to(self.root).as_posix() for p in changed]
        try:
            head = subprocess.run(["git", *_GIT_CONFIG, "rev-parse", "-q", "--verify", "HEAD^{commit}"],
                                  cwd=self.root, capture_output=True, check=False).stdout.decode().strip() or None
            status = subprocess.run(["git", *_GIT_CONFIG, "status", "--porcelain=v1", "-z", "--untracked-files=all",
                                     "--no-renames", "--", *rels], cwd=self.root, capture_output=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return False
        if head != history.head:
            return False
        asked = {history.prefix + r for r in rels}
        now = _parse_status(status, history.prefix)
        kept = frozenset(d for d in history.dirty if history.prefix + d not in asked)
        return dataclasses.replace(history, dirty=kept | now)

    def _read_folder(self, name: str) -> None:
        """`load.load_content` and `validate.validate` for one association folder (the same
        walk, the same checks, in the same order)."""
        root = self.root
        adir = root / "associations" / name
        previous = self._folders.get(name)
        memo = _Carried(previous.parsed if previous is not None else {})
        ds: list[Diagnostic] = []
        raws: list[RawDocument] = []
        atts: list[Attachment] = []
        slug = unicodedata.normalize("NFC", name)

        def read(path: Path, folder: str | None) -> RawDocument | None:
            try:
                return load._read_memoised(memo, path, root, slug, folder, self._max_bytes)
            except load._YamlError as exc:
                ds.extend(exc.diagnostics)
            except OSError as exc:
                ds.append(diag(path, 1, 1, "yaml.syntax", problem=str(exc)))
            return None

        usable = not (name.startswith(".") or name.endswith("~"))
        if usable and adir.is_symlink() and (why := load._symlink_problem(adir, root)) is not None:
            ds.append(diag(adir, 1, 1, "file.symlink", target=why))
        elif usable and adir.is_dir():
            if (why := load.check_name(slug)) is not None:
                ds.append(diag(adir, 1, 1, "file.bad_name", name=slug, why=why))
            else:
                found, atts = load.walk_association(adir, slug, root, lambda f, folder, _entry: read(Path(f), folder), ds)
                raws += found

        assert self.content is not None
        config = self.content.config
        profiles: list[ValidDocument] = []
        documents: list[ValidDocument] = []
        for raw in raws:
            hit = self._validated.get(id(raw))
            if hit is None or hit[0] is not raw:
                hit = self._validated[id(raw)] = (raw, *validate._validate_document(raw, config))
            ds += hit[2]
            if hit[1] is not None:
                (profiles if hit[1].kind.name == "association" else documents).append(hit[1])
        profile_of = {p.association: p for p in profiles}
        if raws:
            ds += validate.folder_diagnostics(root, slug, profile_of.get(slug), documents, atts, config)
        self._folders[name] = _Folder(name, tuple(raws), tuple(atts), profile_of.get(slug),
                                      tuple(sorted(documents, key=lambda d: (d.kind.name, d.id))), tuple(ds),
                                      dict(memo))
        if not raws and not ds and not adir.exists():
            del self._folders[name]
        live = {id(r) for f in self._folders.values() for r in f.raws}
        if len(self._validated) > 2 * len(live) + 64:
            self._validated = {k: v for k, v in self._validated.items() if k in live}

    def _remodel(self) -> Rebuilt:
        """ValidatedContent, Site and Evaluation from the folders; re-evaluate what changed."""
        assert self.content is not None
        folders = [self._folders[n] for n in sorted(self._folders)]
        diagnostics = tuple(sorted(set(self._global_diagnostics).union(*(f.diagnostics for f in folders))))
        profiles = tuple(sorted((f.profile for f in folders if f.profile is not None), key=lambda d: d.association))
        content = dataclasses.replace(
            self.content, profiles=profiles,
            documents=tuple(d for f in folders for d in f.documents),
            attachments=tuple(a for f in folders for a in f.attachments), diagnostics=diagnostics)
        self.content = content
        old_paths = frozenset(self.artifacts)
        if errors(diagnostics) or self.site is None or self.evaluation is None:
            self.diagnostics = diagnostics
            return Rebuilt(frozenset(), frozenset(), diagnostics, False)
        slugs = {unicodedata.normalize("NFC", n) for n in self._pending}
        previous = self.site.by_slug
        by_assoc: dict[str, list[ValidDocument]] = {}
        for f in folders:
            if unicodedata.normalize("NFC", f.name) in slugs:
                by_assoc.setdefault(unicodedata.normalize("NFC", f.name), []).extend(f.documents)
        associations = tuple(association(p, by_assoc.get(p.association, ())) if p.association in slugs
                             else previous[p.association] for p in profiles)
        site = dataclasses.replace(self.site, associations=associations, attachments=content.attachments,
                                   history=self._git, by_slug={a.slug: a for a in associations})
        evaluation = reevaluate(self.evaluation, site, slugs)
        self.site, self.evaluation = site, evaluation
        self._pending = set()
        self.diagnostics = tuple(sorted(set(diagnostics + evaluation.diagnostics)))
        stale = self._relist(slugs)
        return Rebuilt(stale, old_paths - frozenset(self.artifacts), self.diagnostics, True)

    # --- the outputs -----------------------------------------------------------------------

    def _list_all(self) -> None:
        from .compliance import compliance_artifacts
        from .searching import search_artifacts
        assert self.site is not None and self.evaluation is not None
        site, evaluation, theme = self.site, self.evaluation, self.theme
        self._assoc_arts, self._assoc_map, self._assoc_listed = {}, {}, {}
        self._deferred = {"compliance": _Deferred(lambda: compliance_artifacts(self.site, self.evaluation, self.theme),
                                                  ("compliance/", "en/compliance/"))}
        if self.search:
            self._deferred["search"] = _Deferred(lambda: search_artifacts(self.site, self.evaluation, self.theme),
                                                 ("search/",), frozenset({"search/index.html"}))
        self._produce("compliance")
        for a in site.associations:
            self._add_association(a.slug)
        self._relist_site()
        self._check_listing(site, evaluation, theme)

    def _check_listing(self, site: Site, evaluation: Evaluation, theme: Any) -> None:
        """The outputs listed here piecewise are the ones a build lists (belt and braces
        against a producer added to the pipeline and not here): checked at every full read."""
        from .outputs import extra_artifacts
        from .render import produce_artifacts
        pages = produce_artifacts(site, evaluation, theme)
        expected = {a.path for a in pages} | {a.path for a in extra_artifacts(site, evaluation, theme, search=False,
                                                                               pages=pages)}
        mine = set(self.all_paths) - (self._deferred["search"].paths if "search" in self._deferred else set())
        if expected != mine:
            raise RuntimeError(f"serve lists other outputs than build: {sorted(expected ^ mine)[:10]}")

    def _association_artifacts(self, slug: str) -> list[Any]:
        from .render import association_pages, localised
        assert self.site is not None and self.evaluation is not None
        return localised(association_pages(self.site, self.evaluation, self.site.by_slug[slug]),
                         self.site.config.languages)

    def _add_association(self, slug: str) -> set[str]:
        from .outputs import _is_listed_page
        arts = self._assoc_arts[slug] = self._association_artifacts(slug)
        self._assoc_map.update((a.path, a) for a in arts)
        self._shapes[slug] = self._shape(slug)
        self._assoc_listed[slug] = sum(1 for a in arts if _is_listed_page(a.path))
        return {a.path for a in arts}

    def _drop_association(self, slug: str) -> set[str]:
        arts = self._assoc_arts.pop(slug, [])
        self._assoc_listed.pop(slug, None)
        self._shapes.pop(slug, None)
        for a in arts:
            self._assoc_map.pop(a.path, None)
        return {a.path for a in arts}

    def _shape(self, slug: str) -> tuple[Any, ...]:
        """What of one association decides which site-wide pages exist (not what they show):
        its facets, and how many public documents of each kind, colour and year it has (the
        lists paginate on those). Same shapes, same site-wide paths — checked when they are
        listed (`_ensure_site`)."""
        from collections import Counter
        from .views import public_documents
        assert self.site is not None and self.evaluation is not None
        assoc = self.site.by_slug[slug]
        visible = public_documents(self.site, self.evaluation, assoc)
        kinds = Counter(d.kind.name for d in visible)
        colours = Counter(d.model.list_type.value for d in visible if d.kind.name == "list_entry")
        years = Counter(d.model.year for d in visible if d.kind.name == "annual_report")
        return (assoc.profile.industry, tuple(assoc.profile.supervisory_departments), sorted(kinds.items()),
                sorted(colours.items()), sorted(years.items()))

    def _ensure_site(self) -> None:
        """List the site-wide outputs an edit left to be listed; should the paths not be the
        ones promised, every kept page goes (it was rendered with other paths)."""
        if not self._site_stale:
            return
        before = self.all_paths
        self._relist_site()
        if self.all_paths != before:
            self.mispredicted += 1
            self.rendered = {}

    def _relist_site(self) -> None:
        """The site-wide outputs, the path set and the template globals of the current model."""
        self._site_stale = False
        from .cms import cms_artifacts
        from .outputs import _is_listed_page, data_artifacts, feed_artifacts, robots
        from .render import Artifact, _page_artifacts, localised
        site, evaluation, theme = self.site, self.evaluation, self.theme
        assert site is not None and evaluation is not None
        assets = [Artifact(path, produce=(lambda data=data: data)) for _n, (path, data) in sorted(theme.assets.items())]
        self._asset_paths = frozenset(a.path for a in assets)
        cms = cms_artifacts(site, evaluation, theme)
        self._site_arts = [*assets, *localised(_page_artifacts(site, evaluation, per_association=False),
                                               site.config.languages),
                           Artifact("robots.txt", produce=lambda: robots(site)),
                           *feed_artifacts(site, evaluation), *data_artifacts(site, evaluation), *cms]
        self._cms_paths = frozenset(a.path for a in cms)
        artifacts = dict(self._assoc_map)
        artifacts.update((a.path, a) for a in self._site_arts)
        for group in self._deferred.values():
            if group.artifacts is not None:
                artifacts.update(group.artifacts)
        paths = set(artifacts)
        for group in self._deferred.values():
            paths |= group.paths
        # Pages the sitemap lists (it splits past 50,000): counted per association when listed.
        outside = {a.path for a in self._site_arts}.union(*(g.paths for g in self._deferred.values()))
        listed = sum(self._assoc_listed.values()) + sum(1 for p in outside
                                                        if _is_listed_page(p) and p not in self._cms_paths)
        from .outputs import SITEMAP_LIMIT
        n = -(-listed // SITEMAP_LIMIT)
        self._sitemap_names = ("sitemap.xml",) if n <= 1 else (*(f"sitemap-{i}.xml" for i in range(1, n + 1)),
                                                                "sitemap.xml")
        self.artifacts = artifacts
        self.all_paths = frozenset(paths | set(self._sitemap_names))
        self._refresh_globals()

    def _refresh_globals(self) -> None:
        """What every template sees: the model's globals and the current set of output paths."""
        from .render import template_globals
        self._globals = {**template_globals(self.site, self.evaluation, self.theme), "all_paths": self.all_paths}

    def _relist(self, slugs: set[str]) -> frozenset[str]:
        """List again after an edit of `slugs`; forget what may show it. Returns those paths."""
        assert self.site is not None
        before = self.all_paths
        touched: set[str] = set()
        same = True                        # the same paths as before the edit
        for slug in slugs:
            shape = self._shapes.get(slug)
            old = self._drop_association(slug)
            new = self._add_association(slug) if slug in self.site.by_slug else set()
            same = same and shape is not None and old == new and self._shapes.get(slug) == shape
            touched |= old | new
        for group in self._deferred.values():
            touched |= group.paths
            group.artifacts = None         # listed again when asked for; its paths kept till then
        if same:
            # Its pages change, not which pages exist: the site-wide outputs (each may show the
            # edit) are listed again when one is asked for, not now.
            for slug in slugs:
                self.artifacts.update((a.path, a) for a in self._assoc_arts[slug])
            self._site_stale = True
            self._refresh_globals()
            touched |= {a.path for a in self._site_arts} - self._asset_paths
            touched |= set(self._sitemap_names) | {MANIFEST}
            for p in touched:
                self.rendered.pop(p, None)
            return frozenset(touched & (self.all_paths | {MANIFEST}))
        self._site_stale = False           # listed right below, with this edit in it
        from .incremental import COMPLETE_SOURCES
        kept = self._site_arts
        self._relist_site()
        # Site-wide outputs may all show the edit, but for the theme's files (the theme did
        # not change) and those whose complete sources are what they were (the editor's files).
        was = {a.path: a.sources for a in kept}
        touched |= {a.path for a in kept if not (a.path in self._asset_paths or a.sources[:1] == (COMPLETE_SOURCES,))}
        touched |= {a.path for a in self._site_arts if was.get(a.path) != a.sources or a.path not in was}
        touched -= self._asset_paths
        touched |= set(self._sitemap_names) | {MANIFEST}
        if self.all_paths != before:
            self.rendered = {}                    # links and alternates may differ on any page
            return self.all_paths | {MANIFEST}
        for p in touched:
            self.rendered.pop(p, None)
        return frozenset(touched & (self.all_paths | {MANIFEST}))

    def _produce(self, name: str) -> None:
        group = self._deferred[name]
        if group.artifacts is not None:
            return
        if self._site_arts:
            self._ensure_site()
        arts = group.make()
        group.artifacts = {a.path: a for a in arts}
        paths = frozenset(group.artifacts)
        changed = paths != group.paths
        group.paths = paths
        if self.site is not None and self._site_arts:
            if changed:
                # The pages kept were rendered with other paths (search shards are named by
                # their content): forget them all, as for any change of the path set.
                self.rendered = {}
            self._relist_site()

    # --- serving ---------------------------------------------------------------------------

    def _deferred_for(self, path: str) -> str | None:
        return next((n for n, g in self._deferred.items() if path.startswith(g.prefixes)), None)

    def page(self, path: str) -> bytes | None:
        """The bytes of output `path` (relative, POSIX), rendered now if not kept; None if absent."""
        if self.site is None:
            return None
        data = self.rendered.get(path)
        if data is not None:
            return data
        if path not in self._assoc_map:
            self._ensure_site()
        group = self._deferred_for(path)
        if group is not None:
            self._produce(group)
        if path == MANIFEST:
            return self._manifest()
        if path in self._sitemap_names:
            self.rendered.update(self._sitemap())
            return self.rendered.get(path)
        artifact = self.artifacts.get(path)
        if artifact is None:
            return None
        from .render import build_artifact
        data = self.rendered[path] = build_artifact(artifact, self.theme, self._globals)
        return data

    def _list_everything(self) -> None:
        """The site-wide outputs and every deferred group listed for the current model."""
        self._ensure_site()
        for name in self._deferred:
            self._produce(name)

    def _sitemap(self) -> dict[str, bytes]:
        from .outputs import sitemap_files
        self._list_everything()
        assert self.site is not None
        paths = [p for p in self.all_paths if p not in self._cms_paths and p not in self._sitemap_names]
        return sitemap_files(self.site, paths)

    def _manifest(self) -> bytes:
        from .manifest import with_manifest
        files = self.files_without_manifest()
        assert self.site is not None and self.evaluation is not None
        *_, (path, data) = with_manifest(sorted(files.items()), self.site, self.evaluation)
        self.rendered[MANIFEST] = data
        return data

    def files_without_manifest(self) -> dict[str, bytes]:
        """Every output but the manifest, rendering what is not kept yet (on both cores)."""
        from . import incremental
        from .parallel import build_all
        from .render import build_artifact
        self._list_everything()
        if not set(self._sitemap_names) <= set(self.rendered):
            self.rendered.update(self._sitemap())
        wanted = [a for p, a in sorted(self.artifacts.items()) if p not in self.rendered]
        token = incremental.active.set(None)
        try:
            for a, data in build_all(wanted, self.theme, self._globals, build_artifact):
                if data is not None:
                    self.rendered[a.path] = data
        finally:
            incremental.active.reset(token)
        return {p: self.rendered[p] for p in sorted(self.all_paths)}

    @property
    def files(self) -> dict[str, bytes]:
        """Every output, as a clean build writes them (renders everything not kept)."""
        if self.site is None:
            return {}
        files = self.files_without_manifest()
        files[MANIFEST] = self._manifest()
        return dict(sorted(files.items()))


__all__ = ["Session", "Rebuilt"]
