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
from dataclasses import dataclass, field

from .assemble import Site
from .diagnostics import Diagnostic
from .obligations import Context, evaluate_rules
from .obligations.evidence import document_state
from .obligations.status import STATUS_LABELS, STATUS_ORDER, DocumentState, ObligationStatus, Status, status_rank


@dataclass(frozen=True)
class Evaluation:
    as_of: dt.date
    statuses: tuple[ObligationStatus, ...]
    documents: dict[str, DocumentState] = field(default_factory=dict)   # keyed by ValidDocument.raw.rel
    diagnostics: tuple[Diagnostic, ...] = ()

    def state(self, rel: str) -> DocumentState:
        return self.documents.get(rel, DocumentState(visible=False))

    def for_association(self, slug: str) -> tuple[ObligationStatus, ...]:
        return tuple(s for s in self.statuses if s.association == slug)


def evaluate(site: Site) -> Evaluation:
    states: dict[str, DocumentState] = {}
    diagnostics: list[Diagnostic] = []
    for doc in sorted(site.documents, key=lambda d: d.raw.rel):
        state, ds = document_state(site, doc)
        states[doc.raw.rel] = state
        diagnostics += ds
    statuses, rule_diagnostics = evaluate_rules(Context(site=site, states=states))
    return Evaluation(as_of=site.as_of, statuses=statuses, documents=states,
                      diagnostics=tuple(sorted(set(diagnostics) | set(rule_diagnostics))))


__all__ = ["Evaluation", "ObligationStatus", "DocumentState", "Status", "STATUS_LABELS", "STATUS_ORDER",
           "status_rank", "evaluate"]
