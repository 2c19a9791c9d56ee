"""The outputs `serve` knows of, listed piecewise so that an edit relists what it touches, and
what an edit leaves stale among the pages already rendered.

Each association's pages are listed on their own (`render.association_pages`) and replaced when
its folder is edited; the site-wide outputs (home, directory, lists, feeds, open data, the
editor) are listed again when one of them is asked for. Groups costly to even list (the
compliance view evaluates the matrix; search exports the index) are `DeferredGroup`s, listed
when one of their files is asked for. A full read lists everything and checks the listing
against a build's (`Listing.__init__`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from ..assemble import Site
from ..cms import cms_artifacts
from ..compliance import compliance_artifacts
from ..evaluate import Evaluation
from ..incremental import COMPLETE_SOURCES
from ..outputs import SITEMAP_LIMIT, _is_listed_page, data_artifacts, extra_artifacts, feed_artifacts, robots
from ..render import (Artifact, Theme, _page_artifacts, association_pages, localised, produce_artifacts,
                      template_globals)
from ..views import public_documents


@dataclass
class DeferredGroup:
    """Outputs listed only when one of them is asked for; `paths` is the last listing's."""

    make: Callable[[], list[Artifact]]
    prefixes: tuple[str, ...]                    # the output paths it owns start with one of these
    paths: frozenset[str] = frozenset()
    artifacts: dict[str, Artifact] | None = None   # None: to be listed again


def _paths(artifacts: list[Artifact]) -> set[str]:
    return {a.path for a in artifacts}


def association_shape(site: Site, evaluation: Evaluation, slug: str) -> tuple[Any, ...]:
    """What of one association decides which site-wide pages exist (not what they show): its
    facets, and how many public documents of each kind, colour and year it has (the lists
    paginate on those). Same shapes, same site-wide paths — checked when they are listed
    (`Listing.ensure_site`)."""
    assoc = site.by_slug[slug]
    visible = public_documents(site, evaluation, assoc)
    kinds = Counter(d.kind.name for d in visible)
    colours = Counter(d.model.list_type.value for d in visible if d.kind.name == "list_entry")
    years = Counter(d.model.year for d in visible if d.kind.name == "annual_report")
    return (assoc.profile.industry, tuple(assoc.profile.supervisory_departments), sorted(kinds.items()),
            sorted(colours.items()), sorted(years.items()))


class Listing:
    """Every output of one model (path → artifact), the template globals, and which outputs an
    edit of some associations may change."""

    def __init__(self, site: Site, evaluation: Evaluation, theme: Theme, *, search: bool) -> None:
        self.site, self.evaluation, self.theme = site, evaluation, theme
        self.artifacts: dict[str, Artifact] = {}
        self.all_paths: frozenset[str] = frozenset()
        self.globals: dict[str, Any] = {}
        self.sitemap_names: tuple[str, ...] = ()
        self.mispredicted = 0                         # site-wide paths that differed from the shapes' promise
        self._pages_of: dict[str, list[Artifact]] = {}    # slug -> its association's pages
        self._association_pages: dict[str, Artifact] = {}  # path -> artifact, of every association's pages
        self._sitemap_counts: dict[str, int] = {}     # slug -> its pages the sitemap lists
        self._shapes: dict[str, tuple[Any, ...]] = {}     # slug -> `association_shape`
        self._site_wide: list[Artifact] = []
        self._site_stale = False                      # site-wide outputs to be listed again when asked for
        self._cms_paths: frozenset[str] = frozenset()
        self._asset_paths: frozenset[str] = frozenset()
        self._deferred = {"compliance": DeferredGroup(
            lambda: compliance_artifacts(self.site, self.evaluation, self.theme), ("compliance/", "en/compliance/"))}
        if search:
            from ..searching import search_artifacts   # the search engine, imported only when serve searches
            self._deferred["search"] = DeferredGroup(lambda: search_artifacts(self.site, self.evaluation, self.theme),
                                                     ("search/",), frozenset({"search/index.html"}))
        self.produce("compliance")
        for a in site.associations:
            self._add_association(a.slug)
        self._relist_site()
        self._check_against_build()

    def is_association_page(self, path: str) -> bool:
        return path in self._association_pages

    def sitemap_paths(self) -> list[str]:
        """The paths the sitemap lists (not the editor's, not the sitemap's own files)."""
        return [p for p in self.all_paths if p not in self._cms_paths and p not in self.sitemap_names]

    def _check_against_build(self) -> None:
        """The outputs listed here piecewise are the ones a build lists (belt and braces
        against a producer added to the pipeline and not here): checked at every full read."""
        pages = produce_artifacts(self.site, self.evaluation, self.theme)
        expected = _paths(pages) | _paths(extra_artifacts(self.site, self.evaluation, self.theme, search=False,
                                                          pages=pages))
        mine = set(self.all_paths) - (self._deferred["search"].paths if "search" in self._deferred else set())
        if expected != mine:
            raise RuntimeError(f"serve lists other outputs than build: {sorted(expected ^ mine)[:10]}")

    # --- one association's pages -------------------------------------------------------------

    def _add_association(self, slug: str) -> set[str]:
        arts = self._pages_of[slug] = localised(association_pages(self.site, self.evaluation, self.site.by_slug[slug]),
                                                self.site.config.languages)
        self._association_pages.update((a.path, a) for a in arts)
        self._shapes[slug] = association_shape(self.site, self.evaluation, slug)
        self._sitemap_counts[slug] = sum(1 for a in arts if _is_listed_page(a.path))
        return _paths(arts)

    def _drop_association(self, slug: str) -> set[str]:
        arts = self._pages_of.pop(slug, [])
        self._sitemap_counts.pop(slug, None)
        self._shapes.pop(slug, None)
        for a in arts:
            self._association_pages.pop(a.path, None)
        return _paths(arts)

    # --- the site-wide outputs -----------------------------------------------------------------

    def ensure_site(self) -> bool:
        """List the site-wide outputs an edit left to be listed. True when the paths are not
        the ones promised: every kept page must go (it was rendered with other paths)."""
        if not self._site_stale:
            return False
        before = self.all_paths
        self._relist_site()
        if self.all_paths == before:
            return False
        self.mispredicted += 1
        return True

    def _relist_site(self) -> None:
        """The site-wide outputs, the path set and the template globals of the current model."""
        self._site_stale = False
        site, evaluation, theme = self.site, self.evaluation, self.theme
        assets = [Artifact(path, produce=(lambda data=data: data)) for _n, (path, data) in sorted(theme.assets.items())]
        self._asset_paths = frozenset(_paths(assets))
        cms = cms_artifacts(site, evaluation, theme)
        self._site_wide = [*assets, *localised(_page_artifacts(site, evaluation, per_association=False),
                                               site.config.languages),
                           Artifact("robots.txt", produce=lambda: robots(site)),
                           *feed_artifacts(site, evaluation), *data_artifacts(site, evaluation), *cms]
        self._cms_paths = frozenset(_paths(cms))
        artifacts = dict(self._association_pages)
        artifacts.update((a.path, a) for a in self._site_wide)
        for group in self._deferred.values():
            if group.artifacts is not None:
                artifacts.update(group.artifacts)
        deferred_paths = set().union(*(g.paths for g in self._deferred.values()))
        # Pages the sitemap lists (it splits past 50,000): counted per association when listed.
        outside = _paths(self._site_wide) | deferred_paths
        listed = sum(self._sitemap_counts.values()) + sum(1 for p in outside
                                                          if _is_listed_page(p) and p not in self._cms_paths)
        n = -(-listed // SITEMAP_LIMIT)
        self.sitemap_names = ("sitemap.xml",) if n <= 1 else (*(f"sitemap-{i}.xml" for i in range(1, n + 1)),
                                                              "sitemap.xml")
        self.artifacts = artifacts
        self.all_paths = frozenset(set(artifacts) | deferred_paths | set(self.sitemap_names))
        self._refresh_globals()

    def _refresh_globals(self) -> None:
        """What every template sees: the model's globals and the current set of output paths."""
        self.globals = {**template_globals(self.site, self.evaluation, self.theme), "all_paths": self.all_paths}

    # --- the deferred groups -------------------------------------------------------------------

    def deferred_group(self, path: str) -> str | None:
        """The deferred group that owns output `path`, if any."""
        return next((n for n, g in self._deferred.items() if path.startswith(g.prefixes)), None)

    def produce(self, name: str) -> bool:
        """List deferred group `name` if it is not listed. True when the path set changed:
        every kept page must go."""
        group = self._deferred[name]
        if group.artifacts is not None:
            return False
        moved = self.ensure_site() if self._site_wide else False
        group.artifacts = {a.path: a for a in group.make()}
        paths = frozenset(group.artifacts)
        changed = paths != group.paths
        group.paths = paths
        if self._site_wide:
            # Search shards are named by their content: other paths, as for any change of the set.
            moved = moved or changed
            self._relist_site()
        return moved

    def list_everything(self) -> bool:
        """The site-wide outputs and every deferred group listed. True: every kept page must go."""
        moved = self.ensure_site()
        for name in self._deferred:
            moved = self.produce(name) or moved
        return moved

    # --- what an edit leaves stale -------------------------------------------------------------

    def after_edit(self, site: Site, evaluation: Evaluation, slugs: set[str]) -> tuple[set[str], bool]:
        """List again for the model made after an edit of the associations `slugs`. Returns the
        outputs that may show the edit, and whether the set of output paths changed (then any
        page may link differently: every kept page must go)."""
        self.site, self.evaluation = site, evaluation
        before = self.all_paths
        touched: set[str] = set()
        same = True                        # the same paths as before the edit
        for slug in slugs:
            shape = self._shapes.get(slug)
            old = self._drop_association(slug)
            new = self._add_association(slug) if slug in site.by_slug else set()
            same = same and shape is not None and old == new and self._shapes.get(slug) == shape
            touched |= old | new
        for group in self._deferred.values():
            touched |= group.paths
            group.artifacts = None         # listed again when asked for; its paths kept till then
        if same:
            # Its pages change, not which pages exist: the site-wide outputs (each may show the
            # edit) are listed again when one is asked for, not now.
            for slug in slugs:
                self.artifacts.update((a.path, a) for a in self._pages_of[slug])
            self._site_stale = True
            self._refresh_globals()
            touched |= _paths(self._site_wide)
        else:
            self._site_stale = False       # listed right below, with this edit in it
            kept = self._site_wide
            self._relist_site()
            # Site-wide outputs may all show the edit, but for the theme's files (the theme did
            # not change) and those whose complete sources are what they were (the editor's files).
            was = {a.path: a.sources for a in kept}
            touched |= {a.path for a in kept if a.sources[:1] != (COMPLETE_SOURCES,)}
            touched |= {a.path for a in self._site_wide if was.get(a.path) != a.sources or a.path not in was}
        return (touched - self._asset_paths) | set(self.sitemap_names), self.all_paths != before
