"""Search in the pipeline: which documents are searchable, the static shards as artifacts,
and the CLI search over the same index.

The engine lives behind `generator.search` (Whoosh today); this module only speaks
`SearchRecord`s. The index is kept in a cache folder between builds, so a rebuild after one
changed document re-indexes that document only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

from . import markdown
from .assemble import Site
from .evaluate import Evaluation
from .models.documents import Measure, RecordCategory
from .render import Artifact, Theme
from .search import SearchRecord, build_index, index_and_export, search

_EPOCH = dt.date(1970, 1, 1)

# Facet labels of the codes models return from facet_measure(): a sanction's measure, a
# 双公示 record's category. Taken from the models' labelled enums, never copied.
MEASURE_LABELS: dict[str, str] = {code: zh for enum in (Measure, RecordCategory)
                                  for code, (zh, _en) in enum.labels().items()}


def cache_dir(content_root: Path) -> Path:
    """Per content folder, under $GONGSHI_CACHE or ./.gongshi-cache (never inside public/)."""
    from . import cache
    return cache.cache_dir(content_root)


def search_records(site: Site, evaluation: Evaluation) -> list[SearchRecord]:
    """Public documents in their publication period, and the association profiles."""
    records = []
    for assoc in site.associations:
        p = assoc.profile
        records.append(SearchRecord(
            doc_id=f"{assoc.slug}/association", url=assoc.url, title=p.name,
            body="\n".join([p.summary or "", p.industry, *p.supervisory_departments, p.address, p.uscc]),
            association=assoc.slug, association_name=p.name, kind="association", kind_label="协会概况",
            year=p.updated_on.year, date=p.updated_on.isoformat(), measure=None,
            content_hash=assoc.source.raw.content_hash))
        for doc in assoc.documents:
            if not evaluation.state(doc.raw.rel).visible:
                continue
            when = doc.model.event_date() or _EPOCH
            facts = " ".join(v for _label, v in _facts(doc, site))
            records.append(SearchRecord(
                doc_id=f"{assoc.slug}/{doc.kind.folder or doc.kind.name}/{doc.id}", url=doc.url, title=doc.model.title,
                body=(doc.model.summary or "") + "\n" + markdown.plain_text(doc.raw.body or "") + "\n" + facts,
                association=assoc.slug, association_name=p.name, kind=doc.kind.name, kind_label=doc.kind.label_zh,
                year=when.year, date=when.isoformat(), measure=(measure := doc.model.facet_measure()),
                measure_label=MEASURE_LABELS.get(measure or ""), content_hash=doc.raw.content_hash))
    return sorted(records, key=lambda r: r.doc_id)


def _facts(doc, site: Site) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    from .render import document_facts
    return document_facts(doc, site)


def index_site(site: Site, evaluation: Evaluation) -> Path:
    index_dir = cache_dir(site.root) / "search"
    build_index(search_records(site, evaluation), index_dir)
    return index_dir


def search_artifacts(site: Site, evaluation: Evaluation, theme: Theme) -> list[Artifact]:
    """/search/index.html and the shards, built after the index is brought up to date."""
    _stats, files = index_and_export(search_records(site, evaluation), cache_dir(site.root) / "search")
    digest = hashlib.sha256(b"".join(hashlib.sha256(v).digest() for _k, v in sorted(files.items()))).hexdigest()
    arts = [Artifact(f"search/{name}", produce=(lambda data=data: data), sources=(hashlib.sha256(data).hexdigest(),))
            for name, data in sorted(files.items())]
    arts.append(Artifact("search/index.html", "search.html", {}, (digest,)))
    return arts


def cli_search(content_dir: Path, as_of: dt.date, query: str, *, kind: str | None = None,
               association: str | None = None, year: int | None = None, measure: str | None = None,
               limit: int = 10) -> list[dict[str, object]]:
    from .pipeline import prepare
    prepared = prepare(content_dir, as_of)
    if prepared.site is None or prepared.evaluation is None:
        raise SystemExit("内容有错误，请先运行 gongshi check / content has errors: run gongshi check")
    index_dir = index_site(prepared.site, prepared.evaluation)
    hits = search(index_dir, query, kind=kind, association=association, year=year, measure=measure, limit=limit)
    return [dataclasses.asdict(h) for h in hits]
