"""What every rule shape needs: the site, each document's state, and field access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping

from pydantic import BaseModel

from ..assemble import Association, Site
from ..calendar import UnknownYearError
from ..diagnostics import Diagnostic, Severity, diag
from ..models.common import Labelled, annotation_types
from ..present import fmt_value
from ..rules import RuleBase
from ..validate import ValidDocument
from .status import DocumentState, ObligationStatus, Status

MISSING = object()


@dataclass(frozen=True)
class Context:
    site: Site
    states: Mapping[str, DocumentState]      # keyed by ValidDocument.raw.rel

    @property
    def as_of(self) -> dt.date:
        return self.site.as_of

    def state(self, doc: ValidDocument) -> DocumentState:
        return self.states[doc.raw.rel]

    def evidence_url(self, doc: ValidDocument) -> str | None:
        # Only documents on the public site get a link: anything else would be a 404.
        return doc.url if self.state(doc).visible else None

    def documents(self, assoc: Association, rule: RuleBase) -> tuple[ValidDocument, ...]:
        """The association's documents of the rule's kind that pass its `where` filter, by id."""
        return tuple(sorted((d for d in assoc.of_kind(rule.kind) if matches(d.model, rule.where)),
                            key=lambda d: d.id))

    def public_publication(self, doc: ValidDocument) -> dt.date | None:
        """The day the public could first see the document, as known on `as_of`.

        None when it is not public by design (members only, privacy) or its publication is
        dated after `as_of`: evaluated as of a day, what came later did not exist yet.
        """
        state = self.state(doc)
        if state.hidden_reason in ("privacy", "members"):
            return None
        if state.published_on is None or state.published_on > self.as_of:
            return None
        return state.published_on

    def evidence(self, doc: ValidDocument, field: str) -> dt.date | None:
        """The day a rule's `evidence_field` says the document met it, as known on `as_of`:
        its public publication, or a date field of its own (not one after `as_of`)."""
        if field == "published_on":
            return self.public_publication(doc)
        value = get_path(doc.model, field)
        return value if isinstance(value, dt.date) and value <= self.as_of else None

    def line(self, rule: RuleBase, assoc: Association, status: Status, **fields: Any) -> ObligationStatus:
        return ObligationStatus(rule=rule.id, title=rule.title, source=rule.source, association=assoc.slug,
                                status=status, **fields)


# --- field access -------------------------------------------------------------------------


def get_path(model: Any, dotted: str) -> Any:
    """The value at a dotted path (`self_regulation_body.approved_by`); MISSING if a step is absent."""
    value = model
    for part in dotted.split("."):
        if value is None or not hasattr(value, part):
            return MISSING
        value = getattr(value, part)
    return value


def code(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def filled(value: Any) -> bool:
    return value is not MISSING and value not in (None, "", [], (), False)


def matches(model: Any, where: Mapping[str, str | list[str]]) -> bool:
    for path, wanted in where.items():
        value = code(get_path(model, path))
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if str(value) not in allowed:
            return False
    return True


def _field_info(model_type: type[BaseModel], dotted: str) -> tuple[str, list[Any]]:
    """(title, concrete annotation types) of the last step of a dotted path."""
    current: Any = model_type
    title: str = dotted
    types_: list[Any] = []
    for part in dotted.split("."):
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return dotted, []
        info = fields[part]
        title, types_ = info.title or part, annotation_types(info.annotation)
        current = next((t for t in types_ if isinstance(t, type) and issubclass(t, BaseModel)), None)
    return title, types_


def field_title(model_type: type[BaseModel], dotted: str) -> str:
    return _field_info(model_type, dotted)[0]


def code_label(model_type: type[BaseModel], dotted: str, value: str) -> str:
    """The Chinese label of an enumeration code at a field (`congress` → 会员（代表）大会)."""
    for t in _field_info(model_type, dotted)[1]:
        if isinstance(t, type) and issubclass(t, Labelled):
            return t.labels().get(value, (value,))[0]
    return value


def show(value: Any) -> str:
    if value is MISSING or value is None or value == "" or value == []:
        return "未填写"
    return fmt_value(value) or str(value)


# --- working days ---------------------------------------------------------------------------


def working_days_late(ctx: Context, due: dt.date, day: dt.date) -> int:
    """Working days from `due` (exclusive) to the first working day on or after `day`.

    Published on the Saturday after a Friday deadline is 1 working day late, like the
    Monday after: the reader could not have seen it before either. Raises UnknownYearError.
    """
    calendar = ctx.site.calendar
    late = calendar.working_days_after(due, day)
    return late if calendar.is_working_day(day) else late + 1


def late_days_or_none(ctx: Context, due: dt.date, day: dt.date) -> tuple[int | None, str]:
    try:
        return working_days_late(ctx, due, day), ""
    except UnknownYearError as exc:
        return None, f"（未知 {exc.year} 年节假日安排，无法计算逾期工作日数）"


def unknown_year_diagnostic(doc: ValidDocument | None, assoc: Association, rule: RuleBase, field: str,
                            year: int) -> Diagnostic:
    source = doc.raw if doc is not None else assoc.source.raw
    line, col = source.positions.of((field,))
    return diag(source.path, line, col, "obligation.unknown_year", Severity.WARNING, rule=rule.id, year=year)
