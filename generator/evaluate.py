"""Stage 4 — evaluate: publication dates, publication periods, obligation statuses.

For every document: the date it was really published (its first git commit, China time;
else its declared `published_on`, said so), the end of its publication period
(`generator.periods`), and whether it is on the public site (`DocumentState.visible`:
not members-only, not privacy-flagged, not expired). Then every configured rule for every
association (`generator.obligations`, one module per rule shape). Pages, feeds, lists and
search show only visible documents; compliance accounts for all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping

from .assemble import Association, Site
from .diagnostics import Diagnostic
from .obligations import Context, evaluate_association_rules
from .obligations.evidence import document_state
from .obligations.status import STATUS_LABELS, STATUS_ORDER, DocumentState, ObligationStatus, Status, status_rank


_UNKNOWN = DocumentState(visible=False)


@dataclass(frozen=True)
class AssociationEvaluation:
    """What evaluating one association yields: its documents' states, its status lines and
    the diagnostics of both. Nothing in it depends on another association's files."""

    states: Mapping[str, DocumentState]
    statuses: tuple[ObligationStatus, ...]
    diagnostics: frozenset[Diagnostic]


@dataclass(frozen=True)
class Evaluation:
    as_of: dt.date
    statuses: tuple[ObligationStatus, ...]
    documents: dict[str, DocumentState] = field(default_factory=dict)   # keyed by ValidDocument.raw.rel
    diagnostics: tuple[Diagnostic, ...] = ()
    # slug -> its part, so a preview can re-evaluate only what an edit touched (`reevaluate`).
    parts: Mapping[str, AssociationEvaluation] = field(default_factory=dict, compare=False, repr=False)
    # slug -> `association_key` of its part, when the evaluation cache computed them (what the
    # build state keys each association's outputs by: the same inputs as its evaluation).
    keys: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def state(self, rel: str) -> DocumentState:
        return self.documents.get(rel, _UNKNOWN)   # (a default made per call cost more than the lookup)

    def for_association(self, slug: str) -> tuple[ObligationStatus, ...]:
        return self._by_association.get(slug, ())

    @cached_property
    def public(self) -> Any:
        """The lookups pages make into this evaluation's public documents (views.PublicIndex):
        made when first asked for, gone with the evaluation."""
        from .views import PublicIndex
        return PublicIndex(self)

    @cached_property
    def _by_association(self) -> dict[str, tuple[ObligationStatus, ...]]:
        # Pages ask per association; scanning every status line each time was quadratic.
        grouped: dict[str, list[ObligationStatus]] = {}
        for s in self.statuses:
            grouped.setdefault(s.association, []).append(s)
        return {slug: tuple(lines) for slug, lines in grouped.items()}


def evaluate_association(site: Site, assoc: Association) -> AssociationEvaluation:
    states: dict[str, DocumentState] = {}
    diagnostics: set[Diagnostic] = set()
    for doc in assoc.documents:
        state, ds = document_state(site, doc)
        states[doc.raw.rel] = state
        diagnostics.update(ds)
    statuses, rule_diagnostics = evaluate_association_rules(Context(site=site, states=states), assoc)
    return AssociationEvaluation(states, statuses, frozenset(diagnostics | set(rule_diagnostics)))


def combine(site: Site, parts: Mapping[str, AssociationEvaluation], previous: Evaluation | None = None,
            changed: Iterable[str] = ()) -> Evaluation:
    """One Evaluation from the parts of every association of `site` (statuses by slug, then
    rule position and instance; documents by path; diagnostics sorted). With `previous`,
    whose parts differ only for `changed`: its documents are kept in order when the changed
    parts hold the same files (no sort of every path after a preview's edit)."""
    ordered = [parts[slug] for slug in sorted(a.slug for a in site.associations)]
    same_files = previous is not None and set(previous.parts) == set(parts) and all(
        slug in previous.parts and previous.parts[slug].states.keys() == parts[slug].states.keys() for slug in changed)
    if same_files:
        assert previous is not None
        states = dict(previous.documents)
        for slug in changed:
            states.update(parts[slug].states)
    else:
        states = dict(sorted(((rel, state) for part in ordered for rel, state in part.states.items()), key=lambda t: t[0]))
    diagnostics: set[Diagnostic] = set()
    for part in ordered:
        diagnostics |= part.diagnostics
    return Evaluation(as_of=site.as_of, statuses=tuple(s for part in ordered for s in part.statuses),
                      documents=states, diagnostics=tuple(sorted(diagnostics)),
                      parts={a.slug: parts[a.slug] for a in site.associations})


def evaluate(site: Site) -> Evaluation:
    return combine(site, {a.slug: evaluate_association(site, a) for a in site.associations})


def shared_key(site: Site) -> str:
    """What every association's evaluation depends on besides its own files: the code, the
    as-of date, the configuration (rules, publication periods), the working calendar and
    the git history (its head, and which files differ from it)."""
    import hashlib
    from .cache import code_version
    history = site.history
    cal = site.calendar
    parts = (code_version(), site.as_of.isoformat(), site.config.model_dump_json(),
             repr((cal.overrides, cal.package_years, cal.package_source)),
             repr(None if history is None else (history.prefix, history.head, sorted(history.dirty), history.shallow,
                                                 sorted(history.truncated))))
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def association_key(shared: str, assoc: Association) -> str:
    """An association's evaluation is a function of `shared_key` and of its own files (their
    places and bytes: a model is a function of both)."""
    import hashlib
    h = hashlib.sha256(f"{shared}\0{assoc.slug}\0{assoc.source.raw.rel}\0{assoc.source.raw.content_hash}".encode())
    for d in assoc.documents:
        h.update(f"\0{d.raw.rel}\0{d.raw.content_hash}".encode())
    return h.hexdigest()


# Fewer associations evaluated now than this: their pickles cost less than a fork.
KEEP_IN_BACKGROUND_FROM = 32


def evaluate_cached(site: Site, store: Any,
                    keep: Callable[[Callable[[], None]], None] | None = None) -> Evaluation:
    """`evaluate(site)`, taking the part of every association whose key is unchanged from
    `store` (a generator.cache.Store: slug -> pickled (key, AssociationEvaluation)) and
    keeping the parts evaluated now. A missing, corrupt or foreign entry is evaluated again.
    `keep`, when given, runs the storing of many parts evaluated now (it may run it in
    another process: the parts are not changed afterwards)."""
    import pickle
    shared = shared_key(site)
    keys = {a.slug: association_key(shared, a) for a in site.associations}
    found = store.get_many(list(keys))
    parts: dict[str, AssociationEvaluation] = {}
    fresh: list[str] = []
    for assoc in site.associations:
        blob = found.get(assoc.slug)
        part = None
        if blob is not None:
            try:
                key, part = pickle.loads(blob)
            except Exception:           # corrupt or foreign: evaluate again
                part = None
            else:
                if key != keys[assoc.slug] or not isinstance(part, AssociationEvaluation):
                    part = None
        if part is None:
            part = evaluate_association(site, assoc)
            fresh.append(assoc.slug)
        parts[assoc.slug] = part

    def put_fresh() -> None:
        for slug in fresh:
            try:
                store.put(slug, pickle.dumps((keys[slug], parts[slug]), protocol=pickle.HIGHEST_PROTOCOL))
            except Exception:           # unpicklable: not cached
                pass
        store.flush()

    if keep is not None and len(fresh) >= KEEP_IN_BACKGROUND_FROM:
        store.flush()
        keep(put_fresh)
    else:
        put_fresh()
    return replace(combine(site, parts), keys=keys)


def reevaluate(previous: Evaluation, site: Site, changed: Iterable[str]) -> Evaluation:
    """`evaluate(site)` when only the associations `changed` differ from the site `previous`
    was made of (same configuration, as-of date, calendar and history for the others)."""
    again = set(changed)
    parts = {a.slug: (evaluate_association(site, a) if a.slug in again or a.slug not in previous.parts
                      else previous.parts[a.slug])
             for a in site.associations}
    return combine(site, parts, previous, again & set(parts))


__all__ = ["Evaluation", "ObligationStatus", "DocumentState", "Status", "STATUS_LABELS", "STATUS_ORDER",
           "status_rank", "evaluate", "reevaluate", "evaluate_association", "AssociationEvaluation"]
