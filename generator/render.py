"""Stage 5 — render: decide what outputs exist, then build each one.

Lektor-style split: `produce_artifacts` says *what* is built and from which sources
(nothing is rendered there), `build_artifact` says *how* one output becomes bytes. The
writer decides which artifacts need building (incremental builds key on `sources`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from . import markdown
from .assemble import Association, Site
from .evaluate import Evaluation
from .i18n import translate
from .kinds import BY_NAME, KINDS
from .present import HIDDEN_FIELDS, display_name, field_rows, fmt_date, fmt_value
from .validate import ValidDocument

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"


@dataclass(frozen=True)
class Artifact:
    """One output file: where it goes and what it is made from."""

    path: str                                   # relative to the output dir, POSIX
    template: str | None = None                 # a Jinja template, or None when `produce` makes the bytes
    context: Mapping[str, Any] = field(default_factory=dict, compare=False)
    sources: tuple[str, ...] = ()               # content paths (and hashes) it depends on
    produce: Callable[[], bytes] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Theme:
    env: Environment
    assets: Mapping[str, tuple[str, bytes]]     # logical name -> (fingerprinted path, bytes)

    def asset_url(self, name: str) -> str:
        return "/" + self.assets[name][0]


def load_theme(site_theme: Path | None, theme: Path = DEFAULT_THEME) -> Theme:
    """Theme templates and static files; a site's own `content/theme/` overrides any of them."""
    dirs = [d for d in (site_theme, theme) if d is not None]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d / "templates")) for d in dirs if (d / "templates").is_dir()]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
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


# --- page models -------------------------------------------------------------------------------


def document_facts(doc: ValidDocument, site: Site, lang: str = "zh") -> list[tuple[str, str]]:
    return field_rows(doc.model, lang, site.config.mask_individuals, hidden=HIDDEN_FIELDS)


def document_view(doc: ValidDocument, site: Site, evaluation: Evaluation, assoc: Association) -> dict[str, Any]:
    state = evaluation.state(doc.raw.rel)
    history = site.history.get(doc.raw.rel) if site.history else None
    body = doc.raw.body or ""
    return {
        "doc": doc, "model": doc.model, "kind": doc.kind, "association": assoc, "url": doc.url,
        "title": doc.model.title, "facts": document_facts(doc, site), "state": state,
        "body_html": markdown.render(body) if body else "", "toc": markdown.headings(body) if body else [],
        "revisions": tuple(reversed(history.revisions)) if history else (),
        "attested": history is not None, "in_git": site.history is not None,
        "date": doc.model.event_date(),
        "subject_name": display_name(doc.model.subject, site.config.mask_individuals) if hasattr(doc.model, "subject") else None,
        "references": [r for r in doc.model.references],
    }


def public_documents(site: Site, evaluation: Evaluation, assoc: Association | None = None) -> list[ValidDocument]:
    docs = assoc.documents if assoc else site.documents
    return [d for d in docs if evaluation.state(d.raw.rel).visible]


def _latest_first(docs: Iterable[ValidDocument]) -> list[ValidDocument]:
    # Newest event first; ties by URL so the order never depends on file-system order.
    return sorted(docs, key=lambda d: (-(d.model.event_date() or _EPOCH).toordinal(), d.url))


_EPOCH = dt.date(1970, 1, 1)


def paginate(items: list[Any], size: int) -> list[list[Any]]:
    if not items:
        return [[]]
    return [items[i: i + size] for i in range(0, len(items), size)]


def page_path(base: str, n: int) -> str:
    """base like 'sanctions/' → 'sanctions/index.html', 'sanctions/page/2/index.html'."""
    return f"{base}index.html" if n == 1 else f"{base}page/{n}/index.html"


# --- what is built -----------------------------------------------------------------------------


def produce_artifacts(site: Site, evaluation: Evaluation, theme: Theme) -> list[Artifact]:
    """Every output of the site and the sources each depends on. Renders nothing."""
    arts: list[Artifact] = []
    all_sources = tuple(sorted(d.raw.content_hash for d in site.documents) +
                        [a.source.raw.content_hash for a in site.associations])
    visible = public_documents(site, evaluation)
    size = site.config.page_size

    for name, (path, data) in sorted(theme.assets.items()):
        arts.append(Artifact(path, produce=(lambda data=data: data), sources=(hashlib.sha256(data).hexdigest(),)))

    counts = {k.name: sum(1 for d in visible if d.kind.name == k.name) for k in KINDS}
    arts.append(Artifact("index.html", "home.html", {
        "latest": _latest_first(visible)[:20],
        "sanctions": _latest_first(d for d in visible if d.kind.name == "sanction")[:10],
        "counts": counts, "associations": site.associations,
    }, all_sources))
    arts.append(Artifact("associations/index.html", "directory.html", {"associations": site.associations},
                         tuple(a.source.raw.content_hash for a in site.associations)))
    arts.append(Artifact("404.html", "404.html", {}, ()))

    for assoc in site.associations:
        docs = public_documents(site, evaluation, assoc)
        groups = [(k, [d for d in docs if d.kind.name == k.name]) for k in KINDS if k.name != "association"]
        src = (assoc.source.raw.content_hash,) + tuple(d.raw.content_hash for d in assoc.documents)
        arts.append(Artifact(f"associations/{assoc.slug}/index.html", "association.html", {
            "association": assoc, "groups": [(k, _latest_first(ds)) for k, ds in groups if ds],
            "statuses": [s for s in evaluation.statuses if s.association == assoc.slug],
        }, src))
        for kind, ds in groups:
            if not ds or kind.folder is None:
                continue
            pages = paginate(_latest_first(ds), size)
            base = f"associations/{assoc.slug}/{kind.folder}/"
            for n, items in enumerate(pages, start=1):
                arts.append(Artifact(page_path(base, n), "list.html", {
                    "kind": kind, "association": assoc, "items": items, "page": n, "pages": len(pages),
                    "base_url": "/" + base,
                }, src))
        for doc in docs:
            arts.append(Artifact(doc.url.lstrip("/") + "index.html", doc.kind.template,
                                 {"view": document_view(doc, site, evaluation, assoc)},
                                 (doc.raw.content_hash, assoc.source.raw.content_hash)))

    for kind in KINDS:
        if kind.folder is None:
            continue
        ds = _latest_first(d for d in visible if d.kind.name == kind.name)
        pages = paginate(ds, size)
        for n, items in enumerate(pages, start=1):
            arts.append(Artifact(page_path(f"{kind.folder}/", n), "list.html", {
                "kind": kind, "association": None, "items": items, "page": n, "pages": len(pages),
                "base_url": f"/{kind.folder}/",
            }, all_sources))
    return arts


# --- how one is built ----------------------------------------------------------------------------


def template_globals(site: Site, evaluation: Evaluation, theme: Theme) -> dict[str, Any]:
    return {
        "site": site, "config": site.config, "as_of": site.as_of, "evaluation": evaluation,
        "asset": theme.asset_url, "t": translate, "lang": "zh", "kinds": KINDS, "kind_by_name": BY_NAME,
        "fmt_date": fmt_date, "fmt_value": fmt_value,
        "canonical": lambda path: site.config.base_url + path,
    }


def build_artifact(artifact: Artifact, theme: Theme, globals_: Mapping[str, Any]) -> bytes:
    if artifact.produce is not None:
        return artifact.produce()
    assert artifact.template is not None
    template = theme.env.get_template(artifact.template)
    path = "/" + artifact.path.removesuffix("index.html")
    return template.render({**globals_, **artifact.context, "page_url": path}).encode("utf-8")


def render_site(site: Site, evaluation: Evaluation, theme: Theme,
                extra: Iterable[Artifact] = ()) -> Iterator[tuple[Artifact, bytes]]:
    globals_ = template_globals(site, evaluation, theme)
    for artifact in [*produce_artifacts(site, evaluation, theme), *extra]:
        yield artifact, build_artifact(artifact, theme, globals_)
