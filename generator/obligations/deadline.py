"""Deadline rules: publish within N working (or calendar) days after an event (SZ 五(二)).

One status line per document: on_time / late (with working days late) when published,
pending / overdue when not; privacy-flagged records are not published by design
(not_applicable). A year the calendar does not know leaves the line `pending` with the
year named in its detail and a warning diagnostic: never a guessed deadline.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from ..assemble import Association
from ..calendar import UnknownYearError
from ..diagnostics import Diagnostic
from ..rules import DeadlineRule
from ..validate import ValidDocument
from .context import Context, get_path, late_days_or_none, unknown_year_diagnostic
from .status import ObligationStatus


def due_date(ctx: Context, rule: DeadlineRule, start: dt.date) -> dt.date:
    if rule.day_type == "calendar":
        return start + dt.timedelta(days=rule.days)
    return ctx.site.calendar.add_working_days(start, rule.days)


def _window(rule: DeadlineRule) -> str:
    return f"{rule.days} 个{'工作日' if rule.day_type == 'working' else '自然日'}"


def evaluate_deadline(ctx: Context, rule: DeadlineRule, assoc: Association) -> tuple[list[ObligationStatus], list[Diagnostic]]:
    lines: list[ObligationStatus] = []
    diagnostics: list[Diagnostic] = []
    for doc in ctx.documents(assoc, rule):
        line, diagnostic = _one(ctx, rule, assoc, doc)
        lines.append(line)
        if diagnostic is not None:
            diagnostics.append(diagnostic)
    return lines, diagnostics


def private_instance(rel: str) -> str:
    """How a privacy-flagged record is named in public compliance lines."""
    return "隐私记录-" + hashlib.sha256(rel.encode()).hexdigest()[:6]


def _one(ctx: Context, rule: DeadlineRule, assoc: Association,
         doc: ValidDocument) -> tuple[ObligationStatus, Diagnostic | None]:
    state = ctx.state(doc)
    start = get_path(doc.model, rule.start_field)
    common = {"instance": doc.id, "evidence_url": ctx.evidence_url(doc), "basis": state.basis}
    tail = f"；公示期已于 {state.expires_on.isoformat()} 届满，已从公开网站撤下" if state.hidden_reason == "expired" and state.expires_on else ""

    if not isinstance(start, dt.date):
        return ctx.line(rule, assoc, "not_applicable", **common, detail=f"未填写起算日期（{rule.start_field}）"), None
    common["start"] = start
    if state.hidden_reason == "privacy":
        # The line is public (compliance pages, open data): not even the file name may show,
        # since a file name can carry a person's name. A short digest keeps lines distinct.
        private = {"instance": private_instance(doc.raw.rel),
                   "evidence_url": None, "basis": state.basis, "start": start}
        return ctx.line(rule, assoc, "not_applicable", **private,
                        detail="涉及个人隐私，依 SZ 五(二) 不予公示"), None
    if start > ctx.as_of:
        return ctx.line(rule, assoc, "not_applicable", **common,
                        detail=f"起算日期 {start.isoformat()} 晚于评估日期 {ctx.as_of.isoformat()}"), None
    try:
        due = due_date(ctx, rule, start)
    except UnknownYearError as exc:
        detail = (f"无法计算截止日期：未知 {exc.year} 年的节假日安排（请添加 calendar/{exc.year}.yaml），"
                  f"暂列未到期")
        return (ctx.line(rule, assoc, "pending", **common, published=state.published_on, detail=detail),
                unknown_year_diagnostic(doc, assoc, rule, rule.start_field, exc.year))

    window = f"{start.isoformat()} 起 {_window(rule)}内，截止 {due.isoformat()}"
    published = ctx.evidence(doc, rule.evidence_field)
    if published is not None:
        how = f"（{state.note}）" if rule.evidence_field == "published_on" and state.note else ""
        if published <= due:
            return ctx.line(rule, assoc, "on_time", **common, due=due, published=published,
                            detail=f"{window}；{published.isoformat()} 公示{how}{tail}"), None
        late, unknown = late_days_or_none(ctx, due, published)
        late_text = f"，晚 {late} 个工作日" if late is not None else unknown
        return ctx.line(rule, assoc, "late", **common, due=due, published=published, late_working_days=late,
                        detail=f"{window}；{published.isoformat()} 公示{how}{late_text}{tail}"), None

    why = _why_unpublished(ctx, rule, doc)
    if ctx.as_of <= due:
        return ctx.line(rule, assoc, "pending", **common, due=due, detail=f"{window}；{why}{tail}"), None
    late, unknown = late_days_or_none(ctx, due, ctx.as_of)
    late_text = f"，已逾期 {late} 个工作日" if late is not None else unknown
    return ctx.line(rule, assoc, "overdue", **common, due=due, late_working_days=late,
                    detail=f"{window}；至 {ctx.as_of.isoformat()} {why}{late_text}{tail}"), None


def _why_unpublished(ctx: Context, rule: DeadlineRule, doc: ValidDocument) -> str:
    state = ctx.state(doc)
    if rule.evidence_field != "published_on":
        return f"尚无{rule.evidence_field}"
    if state.hidden_reason == "members":
        return "仅向会员公开，未向社会公示"
    if state.published_on is not None and state.published_on > ctx.as_of:
        return f"尚未公示（公示日期 {state.published_on.isoformat()} 晚于评估日期）"
    return "尚未公示"
