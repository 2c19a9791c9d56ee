"""The warm session `serve` keeps: `build()` once, `rebuild(changed)` after each edit, `page(path)`
for the bytes a clean build would write at `path`.

A rebuild makes the model again from the folders (`folders`), re-evaluating only the edited
associations, relists the outputs (`listing`) and forgets the rendered pages that may show the
edit. Nothing is rendered then: `page` renders what the browser asks for and keeps it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .. import incremental
from ..assemble import Site, association
from ..diagnostics import Diagnostic, errors
from ..evaluate import Evaluation, reevaluate
from ..gitdates import GitHistory
from ..load import MAX_FILE_BYTES
from ..manifest import with_manifest
from ..outputs import sitemap_files
from ..parallel import build_all
from ..pipeline import default_as_of
from ..render import Artifact, Theme, build_artifact, load_theme
from ..validate import ValidatedContent
from .edits import edited_folders, folder_slug, history_after
from .folders import Folders, read_everything
from .listing import Listing

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Rebuilt:
    outputs: frozenset[str]            # outputs whose bytes may have changed (or are new): rendered on request
    removed: frozenset[str]            # outputs that no longer exist
    diagnostics: tuple[Diagnostic, ...]
    ok: bool
    full: bool = False                 # everything was read again


class Session:
    """A warm preview of `content_dir`. `build()` once, `rebuild(changed)` after each edit,
    `page(path)` for the bytes a clean build would write at `path` (None: no such output)."""

    def __init__(self, content_dir: Path, as_of: dt.date | None = None, base_url: str | None = None, *,
                 search: bool = True) -> None:
        self.content_dir = Path(content_dir).absolute()
        self.as_of = as_of
        self.base_url = base_url
        self.search = search
        self.content: ValidatedContent | None = None
        self.site: Site | None = None
        self.evaluation: Evaluation | None = None
        self.diagnostics: tuple[Diagnostic, ...] = ()
        self.theme: Theme | None = None
        self.rendered: dict[str, bytes] = {}
        self._folders = Folders(self.content_dir, MAX_FILE_BYTES, {}, {}, ())
        self._pending: set[str] = set()            # folders changed since the last good model
        self._listing: Listing | None = None       # None until a model was made
        self._git: GitHistory | None = None        # the git history as of the last edit

    # What is listed, for the current model (empty before one was made).

    @property
    def artifacts(self) -> dict[str, Artifact]:
        return self._listing.artifacts if self._listing is not None else {}

    @property
    def all_paths(self) -> frozenset[str]:
        return self._listing.all_paths if self._listing is not None else frozenset()

    @property
    def mispredicted(self) -> int:
        """How often the site-wide paths differed from what the edited associations' shapes promised."""
        return self._listing.mispredicted if self._listing is not None else 0

    # --- the model -------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return self.as_of or default_as_of()

    def build(self) -> Rebuilt:
        return self.rebuild(None)

    def rebuild(self, changed: Iterable[Path | str] | None = None) -> Rebuilt:
        """`changed`: the files the watcher saw change (None: anything may have)."""
        folders = edited_folders(changed, self.content_dir)
        # A model never made (the first read found errors) or another day: read everything.
        if folders is None or self.site is None or self.site.as_of != self._today():
            return self._full()
        history = history_after(self._git, self.content_dir, changed or ())
        if history is False:
            return self._full()
        self._git = history
        assert self.content is not None
        for name in sorted(folders):
            self._folders.read_again(name, self.content.config)
        self._pending |= folders
        return self._remodel()

    def _full(self) -> Rebuilt:
        """Everything read again (the pipeline's own read) and every output listed anew."""
        prepared, self._folders = read_everything(self.content_dir, self._today(), self.base_url)
        self._pending = set()
        self.content = prepared.content
        old = frozenset(self.artifacts)
        self.site = self.evaluation = None
        self._listing = None
        self.rendered = {}
        self.diagnostics = prepared.diagnostics
        if prepared.site is None or prepared.evaluation is None:
            return Rebuilt(frozenset(), old, prepared.diagnostics, False, True)
        self.site, self.evaluation = prepared.site, prepared.evaluation
        self._git = self.site.history
        self.theme = load_theme(self.site.theme_dir)
        self._listing = Listing(self.site, self.evaluation, self.theme, search=self.search)
        return Rebuilt(frozenset(self.artifacts), old - frozenset(self.artifacts), self.diagnostics, True, True)

    def _remodel(self) -> Rebuilt:
        """ValidatedContent, Site and Evaluation from the folders; re-evaluate what changed."""
        assert self.content is not None
        content = self.content = self._folders.content(self.content)
        if errors(content.diagnostics) or self.site is None or self.evaluation is None or self._listing is None:
            self.diagnostics = content.diagnostics
            return Rebuilt(frozenset(), frozenset(), content.diagnostics, False)
        # Only the edited associations are made and evaluated again: no obligation rule looks at
        # another association's documents (`generator.evaluate`).
        old_paths = frozenset(self.artifacts)
        slugs = {folder_slug(n) for n in self._pending}
        previous = self.site.by_slug
        documents = self._folders.documents_of(slugs)
        associations = tuple(association(p, documents.get(p.association, ())) if p.association in slugs
                             else previous[p.association] for p in content.profiles)
        site = dataclasses.replace(self.site, associations=associations, attachments=content.attachments,
                                   history=self._git, by_slug={a.slug: a for a in associations})
        evaluation = reevaluate(self.evaluation, site, slugs)
        self.site, self.evaluation = site, evaluation
        self._pending = set()
        self.diagnostics = tuple(sorted(set(content.diagnostics + evaluation.diagnostics)))
        touched, moved = self._listing.after_edit(site, evaluation, slugs)
        touched.add(MANIFEST)
        if moved:
            self.rendered = {}                    # links and alternates may differ on any page
            stale = self.all_paths | {MANIFEST}
        else:
            for p in touched:
                self.rendered.pop(p, None)
            stale = frozenset(touched & (self.all_paths | {MANIFEST}))
        return Rebuilt(stale, old_paths - frozenset(self.artifacts), self.diagnostics, True)

    # --- serving ---------------------------------------------------------------------------

    def _forget_all_if(self, moved: bool) -> None:
        """A listing that changed the set of output paths: every kept page linked to other paths."""
        if moved:
            self.rendered = {}

    def page(self, path: str) -> bytes | None:
        """The bytes of output `path` (relative, POSIX), rendered now if not kept; None if absent."""
        listing = self._listing
        if self.site is None or listing is None:
            return None
        data = self.rendered.get(path)
        if data is not None:
            return data
        if not listing.is_association_page(path):
            self._forget_all_if(listing.ensure_site())
        group = listing.deferred_group(path)
        if group is not None:
            self._forget_all_if(listing.produce(group))
        if path == MANIFEST:
            return self._manifest()
        if path in listing.sitemap_names:
            self.rendered.update(self._sitemap())
            return self.rendered.get(path)
        artifact = listing.artifacts.get(path)
        if artifact is None:
            return None
        data = self.rendered[path] = build_artifact(artifact, listing.theme, listing.globals)
        return data

    def _sitemap(self) -> dict[str, bytes]:
        assert self.site is not None and self._listing is not None
        self._forget_all_if(self._listing.list_everything())
        return sitemap_files(self.site, self._listing.sitemap_paths())

    def _manifest(self) -> bytes:
        files = self.files_without_manifest()
        assert self.site is not None and self.evaluation is not None
        *_, (path, data) = with_manifest(sorted(files.items()), self.site, self.evaluation)
        self.rendered[MANIFEST] = data
        return data

    def files_without_manifest(self) -> dict[str, bytes]:
        """Every output but the manifest, rendering what is not kept yet (on both cores)."""
        listing = self._listing
        assert listing is not None
        self._forget_all_if(listing.list_everything())
        if not set(listing.sitemap_names) <= set(self.rendered):
            self.rendered.update(self._sitemap())
        wanted = [a for p, a in sorted(listing.artifacts.items()) if p not in self.rendered]
        token = incremental.active.set(None)       # serve renders outside any build's state
        try:
            for a, data in build_all(wanted, listing.theme, listing.globals, build_artifact):
                if data is not None:
                    self.rendered[a.path] = data
        finally:
            incremental.active.reset(token)
        return {p: self.rendered[p] for p in sorted(listing.all_paths)}

    @property
    def files(self) -> dict[str, bytes]:
        """Every output, as a clean build writes them (renders everything not kept)."""
        if self.site is None:
            return {}
        files = self.files_without_manifest()
        files[MANIFEST] = self._manifest()
        return dict(sorted(files.items()))
