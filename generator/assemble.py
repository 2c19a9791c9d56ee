"""Stage 3 — assemble: validated documents become one immutable Site.

Pelican-style: everything every later stage needs (associations with their documents,
the calendar, the git history) is gathered here, before anything is evaluated or rendered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable

from .calendar import WorkingCalendar, build_calendar
from .config import SiteConfig
from .gitdates import GitHistory
from .load import Attachment
from .models.profile import AssociationProfile
from .validate import ValidatedContent, ValidDocument


@dataclass(frozen=True)
class Association:
    slug: str
    profile: AssociationProfile
    source: ValidDocument
    documents: tuple[ValidDocument, ...]       # every kind but the profile, sorted

    @property
    def url(self) -> str:
        return f"/associations/{self.slug}/"

    @property
    def name(self) -> str:
        return self.profile.name

    def of_kind(self, kind: str) -> tuple[ValidDocument, ...]:
        return tuple(d for d in self.documents if d.kind.name == kind)


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    as_of: dt.date
    associations: tuple[Association, ...]
    calendar: WorkingCalendar
    history: GitHistory | None
    root: Path
    theme_dir: Path | None
    attachments: tuple[Attachment, ...] = ()
    by_slug: dict[str, Association] = field(default_factory=dict, compare=False)

    @cached_property
    def documents(self) -> tuple[ValidDocument, ...]:
        # Asked by every site-wide list, feed and dataset: made once per Site (it is frozen).
        return tuple(d for a in self.associations for d in a.documents)


def is_for_public(doc: ValidDocument) -> bool:
    """Audience and privacy alone (publication periods are the evaluator's business)."""
    model = doc.model
    return getattr(model, "audience", "public") == "public" and not getattr(model, "privacy", False)


def association(profile: ValidDocument, documents: Iterable[ValidDocument]) -> Association:
    """One association: its profile and its other documents, by kind and id."""
    return Association(slug=profile.association, profile=profile.model, source=profile,
                       documents=tuple(sorted(documents, key=lambda d: (d.kind.name, d.id))))


def assemble(content: ValidatedContent, as_of: dt.date, history: GitHistory | None) -> Site:
    by_assoc: dict[str, list[ValidDocument]] = {}
    for doc in content.documents:
        by_assoc.setdefault(doc.association, []).append(doc)
    associations = tuple(association(p, by_assoc.get(p.association, [])) for p in content.profiles)
    return Site(
        config=content.config, as_of=as_of, associations=associations,
        calendar=build_calendar(content.calendar_years), history=history, root=content.root,
        theme_dir=content.theme_dir, attachments=content.attachments,
        by_slug={a.slug: a for a in associations},
    )
