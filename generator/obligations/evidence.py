"""Evidence of publication: when did each document really reach the site?

The attested date is the day (China time, UTC+8) of the commit that first added the
document's file, when the content is in git and the file has no uncommitted changes. Any
other case falls back to the declared `published_on`, and says why. A declared date
earlier than the attested one is backdating: a warning, and compliance uses the commit.
"""

from __future__ import annotations

import datetime as dt

from ..assemble import Site, is_for_public
from ..diagnostics import Diagnostic, Severity, diag
from ..periods import expires_on, is_expired
from ..validate import ValidDocument
from .status import DocumentState

CHINA = dt.timezone(dt.timedelta(hours=8))


def china_date(when: dt.datetime) -> dt.date:
    """The calendar day in China of a tz-aware instant (a commit at 23:30 UTC is the next day)."""
    return when.astimezone(CHINA).date()


def _why_not_attested(site: Site, rel: str) -> str:
    history = site.history
    if history is None:
        return "内容不在 git 仓库中，为声明日期，未经提交记录核验"
    if rel in history.truncated:
        return "浅克隆缺少该文件的完整提交历史，为声明日期，未经提交记录核验"
    if rel in history.dirty:
        return "文件有未提交的修改，为声明日期，未经提交记录核验"
    return "文件尚未提交到仓库，为声明日期，未经提交记录核验"


def document_state(site: Site, doc: ValidDocument) -> tuple[DocumentState, list[Diagnostic]]:
    rel = doc.raw.rel
    model = doc.model
    declared: dt.date | None = model.published_on
    attested: dt.date | None = None
    commit = ""
    if site.history is not None and site.history.is_attested(rel):
        history = site.history.get(rel)
        if history is not None:
            first = history.first_published
            attested, commit = china_date(first.date), first.short

    diagnostics: list[Diagnostic] = []
    if attested is not None:
        published, basis, note = attested, "attested", f"提交 {commit} 核验"
        if declared is not None and declared < attested:
            line, col = doc.raw.positions.of(("published_on",))
            diagnostics.append(diag(doc.raw.path, line, col, "git.backdated", Severity.WARNING,
                                    declared=declared.isoformat(), attested=attested.isoformat(), commit=commit))
            note = f"声明 {declared.isoformat()} 早于首次提交 {attested.isoformat()}（{commit}），以提交日期为准"
    elif declared is not None:
        published, basis, note = declared, "declared", _why_not_attested(site, rel)
    else:
        published, basis, note = None, "none", "没有公示日期"

    end = expires_on(doc.kind.name, model, site.config.publication_months) if hasattr(model, "decided_on") else None
    if getattr(model, "privacy", False):
        hidden = "privacy"
    elif not is_for_public(doc):
        hidden = "members"
    elif is_expired(end, site.as_of):
        hidden = "expired"
    else:
        hidden = ""
    state = DocumentState(visible=not hidden, expires_on=end, attested_on=attested, declared_on=declared,
                          published_on=published, basis=basis, hidden_reason=hidden, note=note)
    return state, diagnostics
