"""Cadence rules: a report for every period (SZ 六(二) yearly, SZ 六(五) half-yearly).

Periods are calendar years (`2025`), halves (`2025-H1` January–June, `2025-H2` July–
December) or months (`2025-03`). Every period from the one in which the association joined
the site up to the one containing `as_of` is an instance; periods not yet due are `pending`
unless already reported.

The due date: a rule's `due` MM-DD is read from the start of the *following* period, MM
counting that period's months from 01. A year's report with `05-31` is due 31 May of the
next year; a half-year's with `01-31` is due at the end of the first month of the next half
(2025-H1 → 2025-07-31, 2025-H2 → 2026-01-31); a month's with `01-10` on the 10th of the
next month. A day beyond the month's end means its last day (`02-31` → 28 or 29 February).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from ..assemble import Association
from ..diagnostics import Diagnostic
from ..periods import add_months
from ..rules import CadenceRule, PeriodType
from ..validate import ValidDocument
from .context import Context, get_path, late_days_or_none
from .status import ObligationStatus

MONTHS_IN: dict[str, int] = {"year": 12, "half_year": 6, "month": 1}


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date          # last day, inclusive
    key: str

    def following(self, kind: PeriodType) -> Period:
        return period_of(kind, self.end + dt.timedelta(days=1))


def period_of(kind: PeriodType, day: dt.date) -> Period:
    """The period of `kind` that contains `day`."""
    months = MONTHS_IN[kind]
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    end = add_months(start, months) - dt.timedelta(days=1)
    if kind == "year":
        key = f"{day.year}"
    elif kind == "half_year":
        key = f"{day.year}-H{1 if first_month == 1 else 2}"
    else:
        key = f"{day.year}-{first_month:02d}"
    return Period(start, end, key)


def due_of(kind: PeriodType, period: Period, due: str) -> dt.date:
    month_offset, day = (int(x) for x in due.split("-"))
    first = add_months(period.following(kind).start, month_offset - 1)
    return first.replace(day=min(day, calendar.monthrange(first.year, first.month)[1]))


def periods_between(kind: PeriodType, first_day: dt.date, last_day: dt.date) -> list[Period]:
    out: list[Period] = []
    if first_day > last_day:
        return out
    period = period_of(kind, first_day)
    while period.start <= last_day:
        out.append(period)
        period = period.following(kind)
    return out


def doc_period_key(kind: PeriodType, value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, dt.date):
        return period_of(kind, value).key
    return str(value)


def evaluate_cadence(ctx: Context, rule: CadenceRule, assoc: Association) -> tuple[list[ObligationStatus], list[Diagnostic]]:
    by_period: dict[str, list[ValidDocument]] = {}
    for doc in ctx.documents(assoc, rule):
        key = doc_period_key(rule.period, get_path(doc.model, rule.period_field))
        if key is not None:
            by_period.setdefault(key, []).append(doc)

    lines: list[ObligationStatus] = []
    for period in periods_between(rule.period, assoc.profile.joined_site_on, ctx.as_of):
        due = due_of(rule.period, period, rule.due)
        docs = by_period.get(period.key, [])
        dated = sorted(((e, d.id, d) for d in docs if (e := ctx.evidence(d, rule.evidence_field)) is not None),
                       key=lambda t: (t[0], t[1]))
        head = f"报告期 {period.key}（{period.start.isoformat()} 至 {period.end.isoformat()}），截止 {due.isoformat()}"
        common = {"instance": period.key, "due": due, "start": period.end}
        if dated:
            when, _, doc = dated[0]
            state = ctx.state(doc)
            evidence = {"published": when, "evidence_url": ctx.evidence_url(doc),
                        "basis": state.basis if rule.evidence_field == "published_on" else "declared"}
            how = f"（{state.note}）" if rule.evidence_field == "published_on" and state.note else ""
            verb = "公示" if rule.evidence_field == "published_on" else "完成"
            if when <= due:
                lines.append(ctx.line(rule, assoc, "on_time", **common, **evidence,
                                      detail=f"{head}；{doc.id} 于 {when.isoformat()} {verb}{how}"))
            else:
                late, unknown = late_days_or_none(ctx, due, when)
                late_text = f"，晚 {late} 个工作日" if late is not None else unknown
                lines.append(ctx.line(rule, assoc, "late", **common, **evidence, late_working_days=late,
                                      detail=f"{head}；{doc.id} 于 {when.isoformat()} {verb}{how}{late_text}"))
            continue
        why = _why_missing(ctx, rule, docs)
        if ctx.as_of <= due:
            lines.append(ctx.line(rule, assoc, "pending", **common, detail=f"{head}；{why}"))
        else:
            late, unknown = late_days_or_none(ctx, due, ctx.as_of)
            late_text = f"，已逾期 {late} 个工作日" if late is not None else unknown
            lines.append(ctx.line(rule, assoc, "overdue", **common, late_working_days=late,
                                  detail=f"{head}；至 {ctx.as_of.isoformat()} {why}{late_text}"))
    return lines, []


def _why_missing(ctx: Context, rule: CadenceRule, docs: list[ValidDocument]) -> str:
    if not docs:
        return "尚无该期报告"
    reasons = []
    for doc in sorted(docs, key=lambda d: d.id):
        state = ctx.state(doc)
        if rule.evidence_field != "published_on":
            reasons.append(f"{doc.id} 的 {rule.evidence_field} 晚于评估日期")
        elif state.hidden_reason == "members":
            reasons.append(f"{doc.id} 仅向会员公开，未向社会公示")
        elif state.hidden_reason == "privacy":
            reasons.append(f"{doc.id} 标为涉及个人隐私，未公示")
        elif state.published_on is None:
            reasons.append(f"{doc.id} 没有公示日期")
        else:
            reasons.append(f"{doc.id} 的公示日期 {state.published_on.isoformat()} 晚于评估日期")
    return "；".join(reasons)
