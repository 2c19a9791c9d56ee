"""Cadence rules: a yearly self-regulation report (SZ 六(二), due 05-31 of the next year) and a
half-yearly report to the supervisory department (SZ 六(五), due at the end of the first
month of the next half). The fixture association joined the site on 2024-01-01."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator import pipeline
from generator.obligations.cadence import due_of, period_of, periods_between

from .obligation_helpers import ASSOC, annual_report, content_tree, evaluate_tree, line, lines, supervisory_report

ANNUAL = "annual-self-regulation-report"
HALF = "half-year-supervisory-report"


def test_every_year_since_joining_up_to_the_current_one(tmp_path: Path) -> None:
    content = content_tree(tmp_path, {
        f"{ASSOC}/reports/2024-self-regulation.md": annual_report(2024, "2025-05-30"),
        # 2026-05-31 is a Sunday: Monday 06-01 and Tuesday 06-02 are working days 1 and 2 late.
        f"{ASSOC}/reports/2025-self-regulation.md": annual_report(2025, "2026-06-02"),
    })
    evaluation = evaluate_tree(content, "2026-11-20").evaluation
    assert [s.instance for s in lines(evaluation, ANNUAL)] == ["2024", "2025", "2026"]
    y2024, y2025, y2026 = (line(evaluation, ANNUAL, y) for y in ("2024", "2025", "2026"))
    assert (y2024.status, y2024.due, y2024.published) == ("on_time", dt.date(2025, 5, 31), dt.date(2025, 5, 30))
    assert (y2025.status, y2025.due, y2025.late_working_days) == ("late", dt.date(2026, 5, 31), 2)
    assert (y2026.status, y2026.due) == ("pending", dt.date(2027, 5, 31))
    assert y2024.evidence_url == f"/{ASSOC}/reports/2024-self-regulation/"


def test_missing_report_is_pending_before_its_due_date_and_overdue_after(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    before = evaluate_tree(content, "2025-05-31").evaluation
    assert line(before, ANNUAL, "2024").status == "pending"
    after = evaluate_tree(content, "2025-06-03").evaluation
    s = line(after, ANNUAL, "2024")
    # The Dragon Boat holiday runs 05-31..06-02: Tuesday 06-03 is the first working day after the due date.
    assert (s.status, s.late_working_days) == ("overdue", 1)


def test_members_only_or_other_kinds_of_report_do_not_count(tmp_path: Path) -> None:
    content = content_tree(tmp_path, {
        f"{ASSOC}/reports/2024-self-regulation.md": annual_report(2024, "2025-05-30", extra="audience: members\n"),
        f"{ASSOC}/reports/2024-work.md": annual_report(2024, "2025-05-30").replace("行业自律工作年度报告", "年度工作报告"),
    })
    s = line(evaluate_tree(content, "2025-07-01").evaluation, ANNUAL, "2024")
    assert s.status == "overdue"
    assert "仅向会员公开" in s.detail


def test_half_year_reports_by_the_end_of_the_next_halfs_first_month(tmp_path: Path) -> None:
    content = content_tree(tmp_path, {
        f"{ASSOC}/supervisory-reports/2024-上半年.md": supervisory_report("2024-H1", "2024-07-31"),
        f"{ASSOC}/supervisory-reports/2024-下半年.md": supervisory_report("2024-H2", "2025-02-05"),
    })
    evaluation = evaluate_tree(content, "2025-08-15").evaluation
    got = {s.instance: (s.status, s.due) for s in lines(evaluation, HALF)}
    assert got == {
        "2024-H1": ("on_time", dt.date(2024, 7, 31)),
        "2024-H2": ("late", dt.date(2025, 1, 31)),
        "2025-H1": ("overdue", dt.date(2025, 7, 31)),
        "2025-H2": ("pending", dt.date(2026, 1, 31)),
    }
    # 2025-01-31 is in the Spring Festival holiday (01-28..02-04): Wednesday 02-05 is the first
    # working day after the due date.
    assert line(evaluation, HALF, "2024-H2").late_working_days == 1


def test_periods_and_due_dates() -> None:
    assert period_of("half_year", dt.date(2025, 7, 1)).key == "2025-H2"
    assert period_of("half_year", dt.date(2025, 6, 30)).end == dt.date(2025, 6, 30)
    assert period_of("month", dt.date(2024, 2, 10)).end == dt.date(2024, 2, 29)
    assert due_of("half_year", period_of("half_year", dt.date(2025, 3, 1)), "01-31") == dt.date(2025, 7, 31)
    assert due_of("half_year", period_of("half_year", dt.date(2025, 9, 1)), "01-31") == dt.date(2026, 1, 31)
    assert due_of("year", period_of("year", dt.date(2023, 9, 1)), "02-31") == dt.date(2024, 2, 29)
    assert due_of("month", period_of("month", dt.date(2025, 12, 9)), "01-10") == dt.date(2026, 1, 10)
    assert [p.key for p in periods_between("half_year", dt.date(2024, 5, 1), dt.date(2025, 7, 1))] == [
        "2024-H1", "2024-H2", "2025-H1", "2025-H2"]
    assert periods_between("year", dt.date(2027, 1, 1), dt.date(2026, 1, 1)) == []


@pytest.mark.parametrize("period, due", [("half_year", "07-31"), ("month", "02-01"), ("year", "13-01")])
def test_a_due_date_outside_the_next_period_is_a_configuration_error(tmp_path: Path, period: str, due: str) -> None:
    site = (f"obligations:\n  - {{id: r, title: 报告, source: 测试, kind: supervisory_report, shape: cadence,\n"
            f"     period: {period}, period_field: period, due: '{due}', evidence_field: reported_on}}\n")
    prepared = pipeline.prepare(content_tree(tmp_path, {"site.yaml": site}), dt.date(2025, 6, 30))
    assert not prepared.ok
