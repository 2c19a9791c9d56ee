"""Stage 4 — evaluate: obligations, deadlines, publication periods, attested dates.

(Minimal first version: visibility by audience and privacy only. The obligation engine
replaces `evaluate` with the real rules while keeping these data types.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .assemble import Site, is_for_public
from .diagnostics import Diagnostic

Status = Literal["on_time", "late", "pending", "overdue", "met", "missing", "not_applicable"]


@dataclass(frozen=True)
class ObligationStatus:
    rule: str
    title: str
    source: str
    association: str
    status: Status
    instance: str = ""                  # the document id or period this line is about
    due: dt.date | None = None
    published: dt.date | None = None
    late_working_days: int | None = None
    evidence_url: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class DocumentState:
    visible: bool                        # written to the public site
    expires_on: dt.date | None = None    # end of the publication period, if any
    attested_on: dt.date | None = None   # first commit date, if in git
    declared_on: dt.date | None = None


@dataclass(frozen=True)
class Evaluation:
    as_of: dt.date
    statuses: tuple[ObligationStatus, ...]
    documents: dict[str, DocumentState] = field(default_factory=dict)   # keyed by ValidDocument.raw.rel
    diagnostics: tuple[Diagnostic, ...] = ()

    def state(self, rel: str) -> DocumentState:
        return self.documents.get(rel, DocumentState(visible=False))


def evaluate(site: Site) -> Evaluation:
    states = {d.raw.rel: DocumentState(visible=is_for_public(d), declared_on=d.model.published_on)
              for d in site.documents}
    return Evaluation(as_of=site.as_of, statuses=(), documents=states)
