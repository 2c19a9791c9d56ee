"""Publication periods: how long a sanction, penalty or black-list entry stays public.

NDRC order No. 58 (2023) keeps dishonesty information public for at least 3 months and at
most 3 years from the decision; credit repair can end it early, but not before the minimum.
The months per measure are site configuration (`publication_months` in site.yaml).

How a period is counted (Civil Code arts. 201–202, the rule Chinese law uses for periods
in months): the decision day itself is not counted, and the period's last day is the day
with the same number in the final month, or that month's last day when it has no such day.
So a 3-month period after a decision on 2025-04-25 is public through 2025-07-25, and one
after 2025-11-30 through 2026-02-28. `expires_on` is that last public day (inclusive).

Credit repair on day R takes the record down from R on (last public day R − 1), but never
before the minimum period has run: last day = min(normal end, max(minimum end, R − 1)).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, Mapping

MIN_PUBLICATION_MONTHS = 3   # NDRC order No. 58 (2023): at least 3 months
ONE_DAY = dt.timedelta(days=1)


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day number `months` later, clamped to the end of a shorter month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last))


def period_key(doc_kind: str, model: Any) -> str | None:
    """Which `publication_months` entry governs a document, or None when it never expires."""
    if doc_kind == "sanction":
        return str(model.measure.value)
    if doc_kind == "licensing_penalty":
        # Licensing decisions are not dishonesty information: order No. 58 gives them no period.
        return "penalty" if model.category == "penalty" else None
    if doc_kind == "list_entry":
        return "black" if model.list_type == "black" else None
    return None


def publication_end(decided_on: dt.date, months: int, repaired_on: dt.date | None = None) -> dt.date:
    """The last day a record decided on `decided_on` stays public (see the module docstring)."""
    normal_end = add_months(decided_on, months)
    if repaired_on is None:
        return normal_end
    minimum_end = add_months(decided_on, min(MIN_PUBLICATION_MONTHS, months))
    return min(normal_end, max(minimum_end, repaired_on - ONE_DAY))


def expires_on(doc_kind: str, model: Any, publication_months: Mapping[str, int]) -> dt.date | None:
    """End of a document's publication period, or None when its kind has none."""
    key = period_key(doc_kind, model)
    if key is None or key not in publication_months:
        return None
    return publication_end(model.decided_on, publication_months[key], getattr(model, "repaired_on", None))


def is_expired(end: dt.date | None, as_of: dt.date) -> bool:
    return end is not None and as_of > end


__all__ = ["MIN_PUBLICATION_MONTHS", "add_months", "period_key", "publication_end", "expires_on", "is_expired"]
