"""The regulator's view: every association, every rule, its status and evidence.

One set of records (`compliance_records`) feeds every output, so the terminal table, the
JSON and CSV exports (CLI and `/data/`) and the pages can never disagree:

- `gongshi compliance --format table|json|csv` (`format_compliance`);
- `/compliance/` — matrix associations × obligations, colour plus text; sorted by
  association, and pre-rendered again worst-first at `/compliance/by-status/` (sorting
  without JavaScript); `/compliance/rules/<rule>/` lists every instance of one rule;
- `/compliance/late/` — late and overdue items, worst first.

Every page has an English twin under `/en/compliance/...` (interface, status labels, rule titles
and dates in English; what associations wrote stays Chinese, marked lang="zh-CN").

The site's `/data/compliance.json` and `.csv` come from `generator.opendata` (one catalogue
of documented datasets for every `/data/` file); the pages link to them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, fields
from functools import cached_property
from operator import attrgetter
from typing import Any, Sequence

from .assemble import Association, Site
from .evaluate import STATUS_LABELS, STATUS_ORDER, Evaluation, ObligationStatus, status_rank
from .render import Artifact, SharedContexts, Theme, localised
from .incremental import COMPLETE_SOURCES, memoised
from .rules import RuleBase

_STATUS_FIELDS = fields(ObligationStatus)
# A status line's fields as a tuple, in their order (one C call, not a getattr each).
_status_values = attrgetter(*(f.name for f in _STATUS_FIELDS))
CSV_FIELDS = ("association", "association_name", "rule", "title", "source", "status", "status_label", "instance",
              "start", "due", "published", "basis", "late_working_days", "evidence_url", "detail")
# Chinese wording, still in the page context for site themes that override the compliance templates.
BASIS_LABELS = {"attested": "提交核验", "declared": "声明日期", "none": ""}
# Where the pages find the wording of a basis in the page's language (generator/i18n.py).
BASIS_KEYS = {"attested": "basis_attested", "declared": "basis_declared"}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _absolute(site: Site, path: str | None) -> str | None:
    return site.config.base_url + path if path else None


def rules_of(site: Site) -> tuple[RuleBase, ...]:
    return tuple(site.config.obligations)


def _shape(rule: RuleBase) -> str:
    return str(getattr(rule, "shape"))


def obligation_record(site: Site, s: ObligationStatus) -> dict[str, Any]:
    return {
        "rule": s.rule, "title": s.title, "source": s.source, "status": s.status, "status_label": s.label,
        "instance": s.instance, "start": _iso(s.start), "due": _iso(s.due), "published": _iso(s.published),
        "basis": s.basis if s.published else None, "late_working_days": s.late_working_days,
        "evidence_url": _absolute(site, s.evidence_url), "detail": s.detail,
    }


def compliance_records(site: Site, evaluation: Evaluation) -> dict[str, Any]:
    """The whole view as plain data (the JSON export), associations by slug."""
    associations = []
    for assoc in sorted(site.associations, key=lambda a: a.slug):
        lines = evaluation.for_association(assoc.slug)
        counts = Counter(s.status for s in lines)
        associations.append({
            "slug": assoc.slug, "name": assoc.name, "uscc": assoc.profile.uscc,
            "url": _absolute(site, assoc.url),
            "counts": {status: counts[status] for status in STATUS_ORDER if counts[status]},
            "obligations": [obligation_record(site, s) for s in lines],
        })
    return {
        "as_of": evaluation.as_of.isoformat(),
        "statuses": {code: {"zh": zh, "en": en} for code, (zh, en) in STATUS_LABELS.items()},
        "rules": [{"id": r.id, "title": r.title, "title_en": r.title_en, "short_title": r.label, "source": r.source,
                   "shape": _shape(r), "kind": r.kind} for r in rules_of(site)],
        "associations": associations,
    }


def compliance_json(site: Site, evaluation: Evaluation) -> str:
    return json.dumps(compliance_records(site, evaluation), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def compliance_csv(site: Site, evaluation: Evaluation) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for assoc in compliance_records(site, evaluation)["associations"]:
        for o in assoc["obligations"]:
            row = {**o, "association": assoc["slug"], "association_name": assoc["name"]}
            writer.writerow(["" if row[f] is None else row[f] for f in CSV_FIELDS])
    return buffer.getvalue()


# --- terminal table ---------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: wide and full-width characters take two."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def compliance_table(site: Site, evaluation: Evaluation) -> str:
    header = ("义务", "对象", "状态", "截止日期", "公示日期", "逾期工作日", "说明")
    by_id = {r.id: r for r in rules_of(site)}
    out = [f"合规情况（评估日期 {evaluation.as_of.isoformat()}）", ""]
    for assoc in sorted(site.associations, key=lambda a: a.slug):
        lines = evaluation.for_association(assoc.slug)
        rows = [(by_id[s.rule].label if s.rule in by_id else s.rule, s.instance, s.label, _iso(s.due) or "",
                 _iso(s.published) or "", "" if s.late_working_days is None else str(s.late_working_days), s.detail)
                for s in lines]
        widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        counts = Counter(s.status for s in lines)
        summary = "，".join(f"{STATUS_LABELS[st][0]} {counts[st]}" for st in STATUS_ORDER if counts[st])
        out.append(f"{assoc.name}（{assoc.slug}）：{summary}")
        for row in [header, *rows]:
            out.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths)) + "  " + row[-1])
        out.append("")
    return "\n".join(out)


def format_compliance(site: Site, evaluation: Evaluation, fmt: str) -> str:
    if fmt == "json":
        return compliance_json(site, evaluation)
    if fmt == "csv":
        return compliance_csv(site, evaluation)
    if fmt == "table":
        return compliance_table(site, evaluation)
    raise ValueError(f"unknown format {fmt!r}")


# --- pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    rule: RuleBase
    status: str                  # the worst status among the lines, "" when there are none
    counts: tuple[tuple[str, int], ...]
    url: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status][0] if self.status else "—"

    # Kept once made: the matrix's four pages (two orders, two languages) ask for each cell.
    @cached_property
    def several(self) -> bool:
        return sum(n for _, n in self.counts) > 1

    @cached_property
    def rule_path(self) -> str:
        """The rule's page (`rule_url`): `url` without the association's anchor."""
        return rule_url(self.rule.id)


@dataclass(frozen=True)
class Row:
    association: Association
    cells: tuple[Cell, ...]
    counts: dict[str, int]

    @property
    def problems(self) -> int:
        return self.counts.get("overdue", 0) + self.counts.get("missing", 0) + self.counts.get("late", 0)


def rule_url(rule_id: str) -> str:
    return f"/compliance/rules/{rule_id}/"


def anchor(slug: str) -> str:
    return f"a-{slug}"


def matrix(site: Site, evaluation: Evaluation) -> list[Row]:
    rows = []
    for assoc in site.associations:
        lines = evaluation.for_association(assoc.slug)
        by_rule: dict[str, list[ObligationStatus]] = {}
        for s in lines:             # one pass, not one scan of the lines per rule
            by_rule.setdefault(s.rule, []).append(s)
        cells = []
        for rule in rules_of(site):
            mine = by_rule.get(rule.id, [])
            counts = Counter(s.status for s in mine)
            worst = min((s.status for s in mine), key=status_rank, default="")
            cells.append(Cell(rule, worst, tuple((st, counts[st]) for st in STATUS_ORDER if counts[st]),
                              f"{rule_url(rule.id)}#{anchor(assoc.slug)}"))
        rows.append(Row(assoc, tuple(cells), dict(Counter(s.status for s in lines))))
    return rows


def _by_association(statuses: Sequence[ObligationStatus]) -> dict[str, list[ObligationStatus]]:
    """slug → its statuses, in the given order (one pass, not one scan per association)."""
    out: dict[str, list[ObligationStatus]] = {}
    for s in statuses:
        out.setdefault(s.association, []).append(s)
    return out


def by_association(rows: Sequence[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r.association.name, r.association.slug))


def by_status(rows: Sequence[Row]) -> list[Row]:
    """Most overdue and missing items first, then most late ones, then by name."""
    def key(r: Row) -> tuple[int, int, int, str, str]:
        c = r.counts
        return (-(c.get("overdue", 0) + c.get("missing", 0)), -c.get("late", 0), -c.get("pending", 0),
                r.association.name, r.association.slug)
    return sorted(rows, key=key)


def late_items(evaluation: Evaluation) -> list[ObligationStatus]:
    """Overdue before late; most working days first; then association, rule, instance."""
    items = [s for s in evaluation.statuses if s.status in ("overdue", "late")]
    return sorted(items, key=lambda s: (status_rank(s.status), -(s.late_working_days or 0), s.association,
                                        s.rule, s.instance))


def lines_digest(lines: Sequence[ObligationStatus]) -> str:
    """One association's status lines, every field the pages can show, as a digest."""
    h = hashlib.sha256()
    for s in lines:
        h.update(repr(_status_values(s)).encode())
        h.update(b"\n")
    return h.hexdigest()


def compliance_key(site: Site, evaluation: Evaluation) -> str:
    """What the compliance pages show, as a digest: the as-of date, the rules and, per
    association in the site's order, its name, links and status lines (the build state keeps
    each association's digest while its files are the same; the rest of the content does
    not enter). An edit that changes no status (a body, a title) renders none of them again."""
    h = hashlib.sha256(repr((evaluation.as_of, rules_of(site))).encode())
    for a in site.associations:
        lines = memoised("compliance", a.slug, lambda a=a: lines_digest(evaluation.for_association(a.slug)))
        h.update(repr((a.slug, a.name, a.url, a.profile.short_name, lines)).encode())
    return h.hexdigest()


# The pages (zh; `localised` adds the English twins) and their templates: the matrix by
# association, the same sorted worst first, the late list, and one page per rule.
MATRIX_PAGE, BY_STATUS_PAGE, LATE_PAGE = "compliance/index.html", "compliance/by-status/index.html", "compliance/late/index.html"
_TEMPLATES = {MATRIX_PAGE: "compliance.html", BY_STATUS_PAGE: "compliance.html", LATE_PAGE: "compliance_late.html"}


def rule_page(rule_id: str) -> str:
    return rule_url(rule_id).lstrip("/") + "index.html"


def compliance_artifacts(site: Site, evaluation: Evaluation, theme: Theme) -> list[Artifact]:
    # Keyed by exactly what they show (`compliance_key`); their context (the matrix, the
    # groups per rule) is made only when a page is rendered, not on every build that lists
    # them, and once for all of them (a forking renderer makes it before the fork).
    sources = (COMPLETE_SOURCES, "compliance:" + compliance_key(site, evaluation))
    contexts = SharedContexts(lambda: _page_contexts(site, evaluation))
    arts = [Artifact(path, template, {}, sources, lazy=contexts.of(path)) for path, template in _TEMPLATES.items()]
    arts += [Artifact(rule_page(rule.id), "compliance_rule.html", {}, sources, lazy=contexts.of(rule_page(rule.id)))
             for rule in rules_of(site)]
    # Chinese at /compliance/..., and the English twins under /en/compliance/... the way every
    # other page gets them, so hreflang alternates and the language switch find each other.
    return localised(arts, site.config.languages)


def _page_contexts(site: Site, evaluation: Evaluation) -> dict[str, dict[str, Any]]:
    """Each compliance page's context by its path (the same in every language)."""
    rows = matrix(site, evaluation)
    names = {a.slug: a.name for a in site.associations}
    association_urls = {a.slug: a.url for a in site.associations}     # (not joined again on every line)
    totals = Counter(s.status for s in evaluation.statuses)
    common = {"rules": rules_of(site), "status_labels": STATUS_LABELS, "status_order": STATUS_ORDER,
              "totals": [(st, totals[st]) for st in STATUS_ORDER], "names": names, "association_urls": association_urls, "rule_url": rule_url,
              "anchor": anchor, "basis_labels": BASIS_LABELS, "basis_keys": BASIS_KEYS,
              "rule_by_id": {r.id: r for r in rules_of(site)}}
    out = {
        MATRIX_PAGE: {**common, "rows": by_association(rows), "sort": "association"},
        BY_STATUS_PAGE: {**common, "rows": by_status(rows), "sort": "status"},
        LATE_PAGE: {**common, "items": late_items(evaluation)},
    }
    by_rule: dict[str, list[ObligationStatus]] = {}
    for s in evaluation.statuses:
        by_rule.setdefault(s.rule, []).append(s)
    ordered = sorted(site.associations, key=lambda a: (a.name, a.slug))
    for rule in rules_of(site):
        lines = by_rule.get(rule.id, [])
        mine = _by_association(lines)
        groups = [(a, sorted(mine.get(a.slug, ()), key=lambda s: (status_rank(s.status), s.instance)))
                  for a in ordered]
        out[rule_page(rule.id)] = {
            **common, "rule": rule, "groups": groups,
            "counts": [(st, sum(1 for s in lines if s.status == st)) for st in STATUS_ORDER]}
    return out


__all__ = ["format_compliance", "compliance_records", "compliance_json", "compliance_csv", "compliance_table",
           "compliance_artifacts", "matrix", "late_items", "display_width"]
