"""Page models: what a page shows, computed from the site and its evaluation.

Pure functions, no rendering. Only public documents (`evaluation.state(rel).visible`) ever
leave this module, so no page, list, feed or data file can show a hidden one by mistake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property
from operator import attrgetter
from typing import Any, Callable, Iterable, Mapping

from . import markdown
from .assemble import Association, Site
from .evaluate import DocumentState, Evaluation, ObligationStatus
from .present import HIDDEN_FIELDS, display_name, field_rows
from .validate import ValidDocument



def public_documents(site: Site, evaluation: Evaluation, assoc: Association | None = None) -> list[ValidDocument]:
    """The public ones of the site's documents, or of one association's, in their order (a
    list of its own for each caller)."""
    return list(evaluation.public.of(assoc.documents if assoc else site.documents))


class PublicIndex:
    """Lookups into one evaluation's public documents, each made once (lists ask for every
    association and kind again; every document page asks for its deadlines and references).
    Lives on the evaluation (`Evaluation.public`): a new evaluation (a new build, an edit
    under serve) starts with new ones."""

    def __init__(self, evaluation: Evaluation) -> None:
        self._evaluation = evaluation
        self._by_url: dict[str, tuple[Association, dict[str, ValidDocument]]] = {}
        self._public: dict[int, tuple[tuple[ValidDocument, ...], tuple[ValidDocument, ...]]] = {}

    @cached_property
    def visible_rels(self) -> frozenset[str]:
        """The content paths of the public documents."""
        return frozenset(rel for rel, st in self._evaluation.documents.items() if st.visible)

    @cached_property
    def deadlines(self) -> dict[tuple[str, str], list[ObligationStatus]]:
        """(association, instance) → its statuses with a due date, in evaluation order (a
        scan of every status per document page was most of the render time)."""
        index: dict[tuple[str, str], list[ObligationStatus]] = {}
        for s in self._evaluation.statuses:
            if s.due is not None:
                index.setdefault((s.association, s.instance), []).append(s)
        return index

    def of(self, docs: tuple[ValidDocument, ...]) -> tuple[ValidDocument, ...]:
        """The public ones of `docs` (a site's or an association's tuple of documents), in
        their order; made once per tuple (the feeds, the data files and the pages ask for the
        site's and each association's again: a scan of 10,000 documents each time)."""
        entry = self._public.get(id(docs))
        if entry is None or entry[0] is not docs:      # (kept with it: an id is never reused meanwhile)
            visible = self.visible_rels
            entry = self._public[id(docs)] = (docs, tuple(d for d in docs if d.raw.rel in visible))
        return entry[1]

    def by_url(self, assoc: Association) -> dict[str, ValidDocument]:
        """URL → public document of one association, made once per association."""
        entry = self._by_url.get(assoc.slug)
        if entry is None or entry[0] is not assoc:
            visible = self.visible_rels
            entry = self._by_url[assoc.slug] = (assoc, {d.url: d for d in assoc.documents if d.raw.rel in visible})
        return entry[1]


_NEWEST_FIRST = attrgetter("newest_first")


def latest_first(docs: Iterable[ValidDocument]) -> list[ValidDocument]:
    """Newest event first, ties by URL (`ValidDocument.newest_first`)."""
    return sorted(docs, key=_NEWEST_FIRST)


def latest(docs: Iterable[ValidDocument], n: int) -> list[ValidDocument]:
    """The first `n` of `latest_first(docs)`, without sorting them all (nsmallest is
    sorted(...)[:n], ties included)."""
    return heapq.nsmallest(n, docs, key=_NEWEST_FIRST)


def paginate(items: list[Any], size: int) -> list[list[Any]]:
    if not items:
        return [[]]
    return [items[i: i + size] for i in range(0, len(items), size)]


def page_path(base: str, n: int) -> str:
    """base like 'sanctions/' → 'sanctions/index.html', 'sanctions/page/2/index.html'."""
    return f"{base}index.html" if n == 1 else f"{base}page/{n}/index.html"


# --- one document in a list ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedDocument:
    """What a document list (macros.html doc_item) shows of a document beyond its model:
    computed once a build, not in every list and language the document appears in."""

    url: str
    date: dt.date | None                # its event date
    has_subject: bool                   # its kind names a subject (a person or a company)
    subject_name: str | None            # the subject's name as shown (masked if configured)
    association_name: str


def listed_documents(site: Site) -> Callable[[ValidDocument], ListedDocument]:
    """doc -> its ListedDocument, memoised by identity for this site (the document is kept
    with it, so an id is never reused while its entry lives)."""
    memo: dict[int, tuple[ValidDocument, ListedDocument]] = {}
    mask = site.config.mask_individuals

    def listed(d: ValidDocument) -> ListedDocument:
        found = memo.get(id(d))
        if found is None or found[0] is not d:
            m = d.model
            has_subject = hasattr(m, "subject")
            found = memo[id(d)] = (d, ListedDocument(
                d.url, m.event_date(), has_subject, display_name(m.subject, mask) if has_subject else None,
                site.by_slug[d.association].name))
        return found[1]
    return listed


# --- facets: industries and supervisory departments -------------------------------------------


def _slug_text(value: str) -> str:
    """Keep Han and other letters and digits; everything that could mean something in a URL
    or a path ('/', '?', '#', '%', '.', spaces) becomes a hyphen."""
    text = unicodedata.normalize("NFKC", value).strip().lower()
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")
    return text[:60].strip("-_")


def facet_slugs(values: Iterable[str]) -> dict[str, str]:
    """A URL segment for every distinct value, unique even when two values slug alike."""
    distinct = sorted(set(values))
    raw = {v: _slug_text(v) for v in distinct}
    taken: dict[str, int] = {}
    for s in raw.values():
        taken[s] = taken.get(s, 0) + 1
    out = {}
    for v, s in raw.items():
        if not s or taken[s] > 1 or s == "page":
            digest = hashlib.sha256(v.encode("utf-8")).hexdigest()[:8]
            s = f"{s}-{digest}" if s else digest
        out[v] = s
    return out


@dataclass(frozen=True)
class Facet:
    name: str                           # "industry" | "department"
    value: str
    slug: str
    associations: tuple[Association, ...]

    @property
    def url(self) -> str:
        return f"/{FACET_FOLDERS[self.name]}/{self.slug}/"


FACET_FOLDERS: Mapping[str, str] = {"industry": "industries", "department": "departments"}


def facets(site: Site) -> dict[str, list[Facet]]:
    """Associations grouped by industry and by supervisory department, sorted by value."""
    groups: dict[str, dict[str, list[Association]]] = {"industry": {}, "department": {}}
    for a in site.associations:
        groups["industry"].setdefault(a.profile.industry, []).append(a)
        for dep in a.profile.supervisory_departments:
            groups["department"].setdefault(dep, []).append(a)
    out: dict[str, list[Facet]] = {}
    for name, by_value in groups.items():
        slugs = facet_slugs(by_value)
        out[name] = [Facet(name, v, slugs[v], tuple(by_value[v])) for v in sorted(by_value)]
    return out


# --- one document ----------------------------------------------------------------------------


def attested_date(doc: ValidDocument, site: Site, evaluation: Evaluation) -> dt.date | None:
    """The publication date the git history proves: the evaluator's, else the first commit."""
    state = evaluation.state(doc.raw.rel)
    if state.attested_on:
        return state.attested_on
    if site.history and site.history.is_attested(doc.raw.rel):
        history = site.history.get(doc.raw.rel)
        if history:
            return history.first_published.date.date()
    return None


def deadline_statuses(doc: ValidDocument, evaluation: Evaluation) -> list[ObligationStatus]:
    return list(evaluation.public.deadlines.get((doc.association, doc.id), ()))


# A document page shows the declared publication date with the evidence, not among the facts.
_HIDDEN_ON_PAGE = HIDDEN_FIELDS | {"published_on"}


@dataclass(slots=True)
class DocumentView:
    """What a document page shows (the template's `view`).

    Attributes, not a dict: a template's `view.title` tries the attribute first and falls
    back to the item only after an AttributeError, forty times a page."""

    doc: ValidDocument
    model: Any
    kind: Any
    association: Association
    url: str
    title: str
    facts: list[tuple[str, str]]
    state: DocumentState
    declared_on: dt.date | None
    attested_on: dt.date | None
    deadlines: list[ObligationStatus]
    body_html: str
    toc: list[tuple[int, str, str]]
    revisions: tuple[Any, ...]
    in_git: bool
    date: dt.date | None
    subject_name: str | None
    references: list[ValidDocument]

    def __getitem__(self, name: str) -> Any:
        # `view['title']` in a theme written when this was a dict
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass(frozen=True, slots=True)
class DocumentShared:
    """The part of a document page's view that is the same in every language: a document's
    zh and en pages make it once (`document_shared`) instead of each fetching its Markdown
    analysis and history again. Its lists are tuples: the views copy them."""

    state: DocumentState
    declared_on: dt.date | None
    attested_on: dt.date | None
    deadlines: tuple[ObligationStatus, ...]
    body_html: str
    toc: tuple[tuple[int, str, str], ...]
    revisions: tuple[Any, ...]
    in_git: bool
    date: dt.date | None
    subject_name: str | None
    references: tuple[ValidDocument, ...]


def document_shared(doc: ValidDocument, site: Site, evaluation: Evaluation, assoc: Association) -> DocumentShared:
    state = evaluation.state(doc.raw.rel)
    history = site.history.get(doc.raw.rel) if site.history else None
    body = doc.raw.body or ""
    analysis = markdown.analyse(body) if body else None     # one lookup for the HTML and the headings
    subject = doc.model.__dict__.get("subject")     # (a model's fields: no pydantic __getattr__ miss)
    return DocumentShared(
        state=state,
        declared_on=state.declared_on or doc.model.published_on,
        attested_on=attested_date(doc, site, evaluation),
        deadlines=tuple(deadline_statuses(doc, evaluation)),
        body_html=analysis.html if analysis else "", toc=tuple(analysis.headings) if analysis else (),
        revisions=tuple(reversed(history.revisions)) if history else (),
        in_git=site.history is not None,
        date=doc.model.event_date(),
        subject_name=display_name(subject, site.config.mask_individuals) if subject is not None else None,
        references=tuple(_references(doc, evaluation, assoc)),
    )


def document_view(doc: ValidDocument, site: Site, evaluation: Evaluation, assoc: Association,
                  lang: str = "zh", shared: DocumentShared | None = None) -> DocumentView:
    """`shared`: `document_shared` of this document, site and evaluation, when the caller
    made it already (for the page in another language)."""
    if shared is None:
        shared = document_shared(doc, site, evaluation, assoc)
    return DocumentView(
        doc=doc, model=doc.model, kind=doc.kind, association=assoc, url=doc.url,
        title=doc.model.title,
        # the declared publication date is shown with the evidence, beside the attested one
        facts=field_rows(doc.model, lang, site.config.mask_individuals, hidden=_HIDDEN_ON_PAGE),
        state=shared.state, declared_on=shared.declared_on, attested_on=shared.attested_on,
        # lists of its own for each page, as before (a template could change one)
        deadlines=list(shared.deadlines), body_html=shared.body_html, toc=list(shared.toc),
        revisions=shared.revisions, in_git=shared.in_git, date=shared.date, subject_name=shared.subject_name,
        references=list(shared.references),
    )


def _references(doc: ValidDocument, evaluation: Evaluation, assoc: Association) -> list[ValidDocument]:
    """The public documents a document refers to. A reference to a hidden one is left out:
    its link would be a 404 that also tells readers the hidden record exists."""
    by_url = evaluation.public.by_url(assoc)
    found = (by_url.get(f"/associations/{assoc.slug}/{ref.strip('/')}/") for ref in doc.model.references)
    return [d for d in found if d is not None]


def public_statuses(site: Site, evaluation: Evaluation, association: str | None = None) -> list[ObligationStatus]:
    """Obligation lines fit for the public site: a line about a document that is not public
    (member-only, privacy, expired) keeps its status but not the document's id — a file
    name can carry a person's name — nor a link (it would be a 404)."""
    # One association's page looks only at that association's documents: scanning the whole
    # site for each association made this quadratic.
    docs = site.by_slug[association].documents if association in site.by_slug else site.documents
    hidden = {(d.association, d.id) for d in docs if not evaluation.state(d.raw.rel).visible}
    out = []
    for s in (evaluation.statuses if association is None else evaluation.for_association(association)):
        if (s.association, s.instance) in hidden:
            s = replace(s, instance="", evidence_url=None)
        out.append(s)
    return out


def association_view(assoc: Association, site: Site, evaluation: Evaluation, kinds: Iterable[Any],
                     per_kind: int = 10) -> dict[str, Any]:
    docs = public_documents(site, evaluation, assoc)
    groups = []
    for k in kinds:
        if k.name == "association":
            continue
        ds = latest_first(d for d in docs if d.kind.name == k.name)
        if ds:
            groups.append((k, ds[:per_kind], len(ds)))
    return {"association": assoc, "groups": groups,
            "statuses": public_statuses(site, evaluation, assoc.slug)}
