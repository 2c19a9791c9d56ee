"""Render-stage producers beyond pages: sitemap, robots.txt, Atom feeds, open data and the
search shards, each as Artifacts with their sources."""

from __future__ import annotations

import hashlib
from typing import Any, Collection, Iterable, Sequence

from . import feeds, opendata
from .feeds import escape
from .assemble import Site
from .cms import cms_artifacts, config_artifact
from .compliance import compliance_artifacts
from .evaluate import Evaluation
from .incremental import COMPLETE_SOURCES, memoised
from .parallel import same_worker
from .render import Artifact, Theme, produce_artifacts

SITEMAP_LIMIT = 50_000          # URLs per sitemap file (sitemaps.org)


def _is_listed_page(path: str) -> bool:
    return path.endswith(".html") and path.rsplit("/", 1)[-1] != "404.html"


def page_url(site: Site, path: str) -> str:
    """Absolute, percent-encoded URL of an output HTML file (Chinese slugs included)."""
    return site.config.base_url + feeds.quote_path("/" + path.removesuffix("index.html"))


def sitemap_files(site: Site, paths: Iterable[str]) -> dict[str, bytes]:
    """sitemap.xml listing every HTML page but the 404s; an index of parts past 50,000 URLs."""
    pages = sorted(p for p in set(paths) if _is_listed_page(p))
    parts = [pages[i: i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)] or [[]]

    def urlset(chunk: list[str]) -> bytes:
        urls = "".join(f"<url><loc>{escape(page_url(site, p))}</loc></url>\n" for p in chunk)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n").encode()

    if len(parts) == 1:
        return {"sitemap.xml": urlset(parts[0])}
    files = {f"sitemap-{n}.xml": urlset(chunk) for n, chunk in enumerate(parts, start=1)}
    index = "".join(f"<sitemap><loc>{escape(site.config.base_url + '/' + name)}</loc></sitemap>\n" for name in files)
    files["sitemap.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + index +
                            "</sitemapindex>\n").encode()
    return files


def sitemap(site: Site, evaluation: Evaluation, theme: Theme) -> bytes:
    """The sitemap of the pages this module knows without the other producers (kept for callers)."""
    return sitemap_files(site, (a.path for a in produce_artifacts(site, evaluation, theme)))["sitemap.xml"]


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {site.config.base_url}/sitemap.xml\n".encode()


def feed_artifacts(site: Site, evaluation: Evaluation, *, skip: Collection[str] = (),
                   owned: dict[str, list[str]] | None = None, keyed: bool = True) -> list[Artifact]:
    """The site's feeds and one per association (`skip`: associations whose feed an
    incremental build takes from its build state; `owned` receives each listed one's path;
    `keyed=False`: without sources, as `data_artifacts`)."""
    arts = [
        Artifact("feed.xml", produce=lambda: feeds.site_feed(site, evaluation),
                 sources=_feed_shows(site, evaluation, feeds.site_feed_documents(site, evaluation)) if keyed else ()),
        Artifact("sanctions/feed.xml", produce=lambda: feeds.sanctions_feed(site, evaluation),
                 sources=_feed_shows(site, evaluation, feeds.sanctions_feed_documents(site, evaluation)) if keyed else ()),
    ]
    for a in site.associations:
        if a.slug in skip:
            continue
        src = ((a.source.raw.content_hash,) + tuple(d.raw.content_hash for d in a.documents)) if keyed else ()
        arts.append(Artifact(f"associations/{a.slug}/feed.xml",
                             produce=(lambda a=a: feeds.association_feed(site, evaluation, a)), sources=src))
        if owned is not None:
            owned.setdefault(a.slug, []).append(arts[-1].path)
    return arts


def _feed_shows(site: Site, evaluation: Evaluation, docs: Sequence[Any]) -> tuple[str, ...]:
    """A site-wide feed's complete sources: what it shows. Its entries (each one's file, state
    and association profile), and with none every profile (the feed's date then comes from
    them); the rest (title, base URL, history) is in the build-wide key. An edit to a document
    that is not among the newest does not make the feed again (nor unpickle the models of the
    fifty it shows)."""
    entries = feeds.feed_entries(docs)
    h = hashlib.sha256()
    for d in entries:
        h.update(repr((d.raw.rel, d.raw.content_hash, evaluation.state(d.raw.rel),
                       site.by_slug[d.association].source.raw.content_hash)).encode("utf-8", "surrogatepass"))
    if not entries:
        h.update(repr(sorted(a.source.raw.content_hash for a in site.associations)).encode())
    return (COMPLETE_SOURCES, "feed:" + h.hexdigest())


def _rows_key(name: str, site: Site, evaluation: Evaluation) -> str:
    """What decides a dataset's file besides the build-wide key: each association's part of
    it (`opendata.rows_digest`), kept by the build state for associations that did not change."""
    h = hashlib.sha256(name.encode())
    for a in sorted(site.associations, key=lambda a: a.slug):
        part = memoised("rows:" + name, a.slug, lambda a=a: opendata.rows_digest(name, site, evaluation, a))
        h.update(f"{a.slug}\0{part}\0".encode())
    return h.hexdigest()


# What the site-wide outputs' keys memoise of each association (`BuildState.memoised`).
ASSOCIATION_DIGESTS = ("compliance", *("rows:" + ds.name for ds in opendata.DATASETS))


def association_digests(site: Site, evaluation: Evaluation, slugs: Iterable[str]) -> dict[str, dict[str, str]]:
    """What the site-wide outputs' keys memoise of each association in `slugs` (`_rows_key`
    per dataset, `compliance.compliance_key`), under the same names: slug -> {what: digest}.
    A build makes them in another process while it lists the pages (`BuildState.made_ahead`)."""
    from .compliance import lines_digest
    return {slug: {**{"rows:" + ds.name: opendata.rows_digest(ds.name, site, evaluation, site.by_slug[slug])
                      for ds in opendata.DATASETS},
                   "compliance": lines_digest(evaluation.for_association(slug))}
            for slug in slugs}


def data_artifacts(site: Site, evaluation: Evaluation, *, keyed: bool = True) -> list[Artifact]:
    """The open-data files; `keyed=False` leaves their sources out (`early_artifacts`:
    their keys take every association's rows digest, which only the build state needs)."""
    arts = []
    for ds in opendata.DATASETS:
        json_path, csv_path = ds.files()
        # A dataset file is its rows (plus the build-wide key: as_of, base URL, code): keyed by
        # them, an edit that changes no row (a body) does not write 20,000 records again.
        # The rows are made again when a file is written (in a render worker) rather than
        # held from listing to writing: the parent's memory is what the workers start with.
        shown = (COMPLETE_SOURCES, "rows:" + _rows_key(ds.name, site, evaluation)) if keyed else ()
        # Both files of a dataset take its rows from one holder: made once, not once per file.
        rows = opendata.SharedRows(lambda rows_of=opendata.ROWS[ds.name]: rows_of(site, evaluation), uses=2)
        arts.append(Artifact(json_path, produce=same_worker(lambda ds=ds, rows=rows: opendata.to_json(ds, rows.take(), site), rows),
                             sources=shown,
                             stream=(lambda ds=ds, rows=rows: opendata.json_chunks(ds, rows.take(), site))))
        arts.append(Artifact(csv_path, produce=same_worker(lambda ds=ds, rows=rows: opendata.to_csv(ds, rows.take()), rows),
                             sources=shown,
                             stream=(lambda ds=ds, rows=rows: opendata.csv_chunks(ds, rows.take()))))
    return arts


def early_artifacts(site: Site, evaluation: Evaluation) -> list[Artifact]:
    """The producers whose bytes need the site and its evaluation only (no list of pages,
    no template, no other output): the feeds, the open-data files and the editor's
    configuration, a second of work at 10k documents. A cold full write has a forked process
    make them while this one lists the pages (`parallel.place_early`); each is the same
    bytes as the artifact of that path the listing gives (the same functions make both;
    the writer leaves out any of them the listing does not give). Unkeyed: nothing keeps them."""
    return [*feed_artifacts(site, evaluation, keyed=False), *data_artifacts(site, evaluation, keyed=False),
            config_artifact(site)]


def _sitemap_artifacts(site: Site, paths: list[str]) -> list[Artifact]:
    # Built from every other output, so pages other producers add (search, compliance) are listed.
    # Made when written: only the file names are decided now (one file up to 50,000 URLs).
    # Keyed by the pages it lists (and through the build-wide key the base URL and code).
    listed = sorted({p for p in paths if _is_listed_page(p)})
    parts = max(1, -(-len(listed) // SITEMAP_LIMIT))
    names = ["sitemap.xml"] if parts == 1 else ["sitemap.xml", *(f"sitemap-{n}.xml" for n in range(1, parts + 1))]
    sources = (COMPLETE_SOURCES, "sitemap:" + hashlib.sha256("\n".join(listed).encode()).hexdigest())
    return [Artifact(name, produce=(lambda name=name: sitemap_files(site, listed)[name]), sources=sources)
            for name in sorted(names)]


def _search_artifacts(site: Site, evaluation: Evaluation, theme: Theme) -> list[Artifact]:
    from .searching import search_artifacts     # Whoosh and the index: not imported by a build without search
    return list(search_artifacts(site, evaluation, theme))


def extra_artifacts(site: Site, evaluation: Evaluation, theme: Theme, *, search: bool = True,
                    pages: Sequence[Artifact] | None = None, skip: Collection[str] = (),
                    owned: dict[str, list[str]] | None = None, other_paths: Sequence[str] = ()) -> list[Artifact]:
    """`pages`: the artifacts of `produce_artifacts` when the caller has them already (the
    sitemap lists them; making them again costs as much as listing the whole site).
    `skip`, `owned`: as `produce_artifacts` (an association's feed is one of its outputs);
    `other_paths`: the outputs of the skipped associations, which the sitemap lists too."""
    if pages is None:
        pages = produce_artifacts(site, evaluation, theme)
    arts = [
        Artifact("robots.txt", produce=lambda: robots(site)),
        *feed_artifacts(site, evaluation, skip=skip, owned=owned),
        *data_artifacts(site, evaluation),
        *compliance_artifacts(site, evaluation, theme),
        *(_search_artifacts(site, evaluation, theme) if search else ()),
    ]
    paths = [*(a.path for a in pages), *(a.path for a in arts), *other_paths]
    return arts + _sitemap_artifacts(site, paths) + cms_artifacts(site, evaluation, theme)  # /admin/: not in the sitemap
