"""Deadline rules on small content trees, expectations computed by hand from the State
Council schedule: decided Friday 2025-04-25, the 7 working days are Sun 04-27 (make-up day),
04-28, 04-29, 04-30, then after the 05-01..05-05 holiday 05-06, 05-07, 05-08."""

from __future__ import annotations

from generator.obligations.deadline import private_instance

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.diagnostics import Severity

from .obligation_helpers import FIXTURE_SANCTION, content_tree, evaluate_tree, line, sanction

RULE = "sanction-7-working-days"
ID = "2025-警告-001"


def status_for(tmp_path: Path, published: str | None, as_of: str = "2025-06-30", extra: str = ""):
    content = content_tree(tmp_path, {FIXTURE_SANCTION: sanction("2025-04-25", published, extra=extra)})
    prepared = evaluate_tree(content, as_of)
    return line(prepared.evaluation, RULE, ID), prepared


@pytest.mark.parametrize("published, status, late", [
    ("2025-04-25", "on_time", None),     # the decision day itself
    ("2025-05-06", "on_time", None),
    ("2025-05-08", "on_time", None),     # the last day
    ("2025-05-09", "late", 1),           # Friday, a working day
    ("2025-05-10", "late", 2),           # Saturday counts as the next working day, Monday 05-12
    ("2025-05-12", "late", 2),           # Monday
])
def test_published_sanction_is_on_time_or_late_by_working_days(tmp_path: Path, published: str, status: str,
                                                               late: int | None) -> None:
    s, _ = status_for(tmp_path, published)
    assert s.due == dt.date(2025, 5, 8)
    assert (s.status, s.late_working_days) == (status, late)
    assert s.published == dt.date.fromisoformat(published)
    assert s.start == dt.date(2025, 4, 25)
    assert s.evidence_url == f"/associations/测试协会/sanctions/{ID}/"


def test_without_git_the_declared_date_is_used_and_said_so(tmp_path: Path) -> None:
    s, _ = status_for(tmp_path, "2025-05-06")
    assert s.basis == "declared"
    assert "声明日期" in s.detail and "未经提交记录核验" in s.detail


def test_unpublished_sanction_is_pending_until_the_due_day_then_overdue(tmp_path: Path) -> None:
    s, _ = status_for(tmp_path, None, as_of="2025-05-08")
    assert (s.status, s.due, s.published) == ("pending", dt.date(2025, 5, 8), None)
    s, _ = status_for(tmp_path / "b", None, as_of="2025-05-09")
    assert (s.status, s.late_working_days) == ("overdue", 1)
    s, _ = status_for(tmp_path / "c", None, as_of="2025-05-12")
    assert (s.status, s.late_working_days) == ("overdue", 2)


def test_publication_dated_after_as_of_does_not_count_yet(tmp_path: Path) -> None:
    s, _ = status_for(tmp_path, "2025-05-12", as_of="2025-05-09")
    assert s.status == "overdue"
    assert s.published is None


def test_privacy_flagged_sanction_is_not_applicable_and_not_public(tmp_path: Path) -> None:
    content = content_tree(tmp_path, {FIXTURE_SANCTION: sanction("2025-04-25", None, extra="privacy: true\n")})
    prepared = evaluate_tree(content, "2025-06-30")
    assert all(ID not in line.instance for line in prepared.evaluation.statuses)  # not even its file name
    s = line(prepared.evaluation, RULE, private_instance(FIXTURE_SANCTION))
    assert s.status == "not_applicable"
    assert "隐私" in s.detail
    assert s.evidence_url is None
    assert prepared.evaluation.state(FIXTURE_SANCTION).visible is False


def test_members_only_sanction_is_not_a_public_disclosure(tmp_path: Path) -> None:
    s, prepared = status_for(tmp_path, "2025-05-06", extra="audience: 向会员公开\n")
    assert s.status == "overdue"
    assert "仅向会员公开" in s.detail
    assert s.evidence_url is None
    assert prepared.evaluation.state(FIXTURE_SANCTION).visible is False


def test_unknown_year_is_pending_with_the_year_named_and_a_warning(tmp_path: Path) -> None:
    # 2026-12-28 is known, but 7 working days later is in 2027, which no schedule covers.
    content = content_tree(tmp_path, {FIXTURE_SANCTION: sanction("2026-12-28", None)})
    prepared = evaluate_tree(content, "2027-03-01")
    s = line(prepared.evaluation, RULE, ID)
    assert s.status == "pending" and s.due is None
    assert "2027" in s.detail
    warnings = [d for d in prepared.diagnostics if d.code == "obligation.unknown_year"]
    assert len(warnings) == 1
    assert warnings[0].severity is Severity.WARNING
    assert "2027" in warnings[0].message() and warnings[0].file.endswith("2025-警告-001.md")


def test_an_override_file_for_the_unknown_year_makes_the_deadline_computable(tmp_path: Path) -> None:
    calendar_2027 = ("year: 2027\nnotice_title: 国务院办公厅关于2027年部分节假日安排的通知（测试）\n"
                     "holidays:\n  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}\n")
    content = content_tree(tmp_path, {FIXTURE_SANCTION: sanction("2026-12-28", "2027-01-06"),
                                      "calendar/2027.yaml": calendar_2027})
    prepared = evaluate_tree(content, "2027-03-01")
    s = line(prepared.evaluation, RULE, ID)
    # 12-29, 12-30, 12-31, (holiday 01-01..01-03), 01-04, 01-05, 01-06, 01-07
    assert (s.status, s.due) == ("on_time", dt.date(2027, 1, 7))
    assert not [d for d in prepared.diagnostics if d.code == "obligation.unknown_year"]


def test_calendar_day_rule_and_where_filter_from_site_yaml(tmp_path: Path) -> None:
    site = ("title: 测试公示平台\nbase_url: https://test.example.org\nobligations:\n"
            "  - {id: censure-10-days, title: 公开谴责 10 日内公示, source: 测试, kind: sanction, shape: deadline,\n"
            "     start_field: decided_on, days: 10, day_type: calendar, where: {measure: public_censure}}\n")
    content = content_tree(tmp_path, {
        "site.yaml": site,
        "associations/测试协会/sanctions/2025-谴责-002.md": sanction("2025-04-25", "2025-05-06", measure="公开谴责"),
    })
    prepared = evaluate_tree(content, "2025-06-30")
    assert [s.instance for s in prepared.evaluation.statuses] == ["2025-谴责-002"]   # the warning is filtered out
    s = prepared.evaluation.statuses[0]
    assert (s.status, s.due, s.late_working_days) == ("late", dt.date(2025, 5, 5), 1)


def test_a_rule_naming_a_field_the_kind_lacks_is_a_configuration_error(tmp_path: Path) -> None:
    from generator import pipeline
    site = ("obligations:\n  - {id: typo, title: 错字, source: 测试, kind: sanction, shape: deadline,\n"
            "     start_field: decidedon, days: 7}\n")
    content = content_tree(tmp_path, {"site.yaml": site})
    prepared = pipeline.prepare(content, dt.date(2025, 6, 30))
    assert not prepared.ok
    assert any("decidedon" in d.message() for d in prepared.diagnostics)


# --- property: the engine agrees with a count made directly on the package's calendar -------

def _working(day: dt.date) -> bool:
    return bool(chinese_calendar.is_workday(day))


def _oracle(decided: dt.date, published: dt.date) -> tuple[str, int | None]:
    """Count working days in (decided, published]; publishing on a rest day counts as the next working day."""
    effective = published
    while not _working(effective):
        effective += dt.timedelta(days=1)
    count = sum(_working(decided + dt.timedelta(days=i)) for i in range(1, (effective - decided).days + 1))
    return ("on_time", None) if count <= 7 else ("late", count - 7)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(decided=st.dates(dt.date(2024, 1, 1), dt.date(2025, 11, 30)), offset=st.integers(0, 30))
def test_status_matches_a_direct_count_of_working_days(tmp_path_factory: pytest.TempPathFactory,
                                                       decided: dt.date, offset: int) -> None:
    published = decided + dt.timedelta(days=offset)
    content = content_tree(tmp_path_factory.mktemp("p"), {FIXTURE_SANCTION: sanction(decided.isoformat(),
                                                                                     published.isoformat())})
    s = line(evaluate_tree(content, "2025-12-31").evaluation, RULE, ID)
    assert (s.status, s.late_working_days) == _oracle(decided, published)
