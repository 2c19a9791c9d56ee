"""Render-stage producers beyond pages: sitemap, robots.txt (feeds, open data and search
shards are added here too, each as Artifacts with their sources)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from .assemble import Site
from .compliance import compliance_artifacts
from .evaluate import Evaluation
from .render import Artifact, Theme, produce_artifacts
from .searching import search_artifacts


def sitemap(site: Site, evaluation: Evaluation, theme: Theme) -> bytes:
    pages = sorted(a.path for a in produce_artifacts(site, evaluation, theme)
                   if a.path.endswith(".html") and a.path != "404.html")
    base = site.config.base_url
    urls = "".join(f"<url><loc>{escape(base + '/' + p.removesuffix('index.html'))}</loc></url>\n" for p in pages)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n").encode()


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {site.config.base_url}/sitemap.xml\n".encode()


def extra_artifacts(site: Site, evaluation: Evaluation, theme: Theme) -> list[Artifact]:
    return [
        Artifact("sitemap.xml", produce=lambda: sitemap(site, evaluation, theme)),
        Artifact("robots.txt", produce=lambda: robots(site)),
        *compliance_artifacts(site, evaluation, theme),
        *search_artifacts(site, evaluation, theme),
    ]
