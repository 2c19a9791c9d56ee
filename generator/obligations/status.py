"""The values the obligation engine produces: one status line per (association, rule,
instance), one state per document. `generator.evaluate` re-exports them; import from there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Status = Literal["on_time", "late", "pending", "overdue", "met", "missing", "not_applicable"]
Basis = Literal["attested", "declared", "none"]

# Chinese and English labels; pages show the label next to the colour (never colour alone).
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "overdue": ("逾期未公示", "overdue"),
    "missing": ("缺失", "missing"),
    "late": ("逾期公示", "published late"),
    "pending": ("未到期", "pending"),
    "on_time": ("按时公示", "on time"),
    "met": ("符合", "met"),
    "not_applicable": ("不适用", "not applicable"),
}
# Worst first: how lists and matrix cells rank statuses.
STATUS_ORDER: tuple[str, ...] = tuple(STATUS_LABELS)
PROBLEMS: frozenset[str] = frozenset({"overdue", "missing", "late"})


def status_rank(status: str) -> int:
    return STATUS_ORDER.index(status)


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
    late_working_days: int | None = None  # late: days late; overdue: working days past due so far
    evidence_url: str | None = None     # only for documents on the public site
    detail: str = ""
    start: dt.date | None = None        # the date that started the clock (decision date, period end)
    basis: Basis = "none"               # where `published` comes from: a git commit or the document's word

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status][0]

    @property
    def label_en(self) -> str:
        return STATUS_LABELS[self.status][1]

    @property
    def is_problem(self) -> bool:
        return self.status in PROBLEMS


@dataclass(frozen=True)
class DocumentState:
    visible: bool                        # written to the public site
    expires_on: dt.date | None = None    # last day of the publication period (inclusive), if any
    attested_on: dt.date | None = None   # first commit date (China time), if in git and clean
    declared_on: dt.date | None = None   # published_on as written in the document
    published_on: dt.date | None = None  # the date compliance uses: attested, else declared
    basis: Basis = "none"
    hidden_reason: str = ""              # "", "privacy", "members", "expired"
    note: str = ""                       # why a date is declared rather than attested
