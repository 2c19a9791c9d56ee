"""Publication periods (NDRC order No. 58: 3 months to 3 years from the decision; credit
repair ends it early but not before 3 months), counted like the Civil Code counts months:
the last public day is the same day number in the final month, clamped to its end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from generator.periods import add_months, publication_end

from .obligation_helpers import FIXTURE_SANCTION, content_tree, evaluate_tree, line, sanction

D = dt.date


def test_month_arithmetic_clamps_to_the_end_of_shorter_months() -> None:
    assert add_months(D(2025, 4, 25), 3) == D(2025, 7, 25)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)        # leap year
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)       # across the year
    assert add_months(D(2024, 2, 29), 36) == D(2027, 2, 28)


def test_repair_ends_the_period_early_but_never_before_three_months() -> None:
    decided = D(2025, 1, 10)
    assert publication_end(decided, 12) == D(2026, 1, 10)
    assert publication_end(decided, 12, repaired_on=D(2025, 2, 1)) == D(2025, 4, 10)    # minimum holds
    assert publication_end(decided, 12, repaired_on=D(2025, 6, 1)) == D(2025, 5, 31)    # down from the repair day
    assert publication_end(decided, 12, repaired_on=D(2025, 4, 11)) == D(2025, 4, 10)   # first day past the minimum
    assert publication_end(decided, 12, repaired_on=D(2027, 1, 1)) == D(2026, 1, 10)    # never longer


@given(decided=st.dates(D(2015, 1, 1), D(2030, 12, 31)), months=st.integers(3, 36),
       repair=st.none() | st.integers(0, 1200))
def test_period_always_within_the_national_bounds(decided: dt.date, months: int, repair: int | None) -> None:
    repaired = decided + dt.timedelta(days=repair) if repair is not None else None
    end = publication_end(decided, months, repaired)
    assert add_months(decided, 3) <= end <= add_months(decided, months) <= add_months(decided, 36)
    if repaired is not None and repaired > add_months(decided, 3):
        assert end < repaired or end == add_months(decided, months)


def _visible(tmp_path: Path, as_of: str, extra: str = "", measure: str = "警告") -> tuple[bool, dt.date | None, str]:
    content = content_tree(tmp_path, {FIXTURE_SANCTION: sanction("2025-04-25", "2025-05-06", measure=measure,
                                                                 extra=extra)})
    prepared = evaluate_tree(content, as_of)
    state = prepared.evaluation.state(FIXTURE_SANCTION)
    return state.visible, state.expires_on, line(prepared.evaluation, "sanction-7-working-days", "2025-警告-001").status


def test_a_warning_is_public_through_its_last_day_and_gone_the_day_after(tmp_path: Path) -> None:
    # The default period for a warning is 3 months.
    assert _visible(tmp_path / "a", "2025-07-25") == (True, D(2025, 7, 25), "on_time")
    visible, end, status = _visible(tmp_path / "b", "2025-07-26")
    assert (visible, end) == (False, D(2025, 7, 25))
    assert status == "on_time"                  # compliance still accounts for the expired record


def test_configured_months_per_measure_and_repair(tmp_path: Path) -> None:
    site = "title: 测试\npublication_months: {public_censure: 24}\n"
    content = content_tree(tmp_path, {"site.yaml": site, FIXTURE_SANCTION: sanction(
        "2025-04-25", "2025-05-06", measure="公开谴责", extra="repaired_on: 2025-12-01\n")})
    for as_of, visible in (("2025-11-30", True), ("2025-12-01", False)):
        state = evaluate_tree(content, as_of).evaluation.state(FIXTURE_SANCTION)
        assert (state.visible, state.expires_on) == (visible, D(2025, 11, 30))
    content.joinpath(FIXTURE_SANCTION).write_text(sanction("2025-04-25", "2025-05-06", measure="公开谴责"), encoding="utf-8")
    assert evaluate_tree(content, "2026-01-01").evaluation.state(FIXTURE_SANCTION).expires_on == D(2027, 4, 25)


def test_expired_documents_leave_the_public_site(tmp_path: Path) -> None:
    from generator.compliance import compliance_artifacts
    from generator.render import build_artifact, load_theme, produce_artifacts, template_globals

    content = content_tree(tmp_path, {FIXTURE_SANCTION: sanction("2025-04-25", "2025-05-06")})
    prepared = evaluate_tree(content, "2025-07-26")
    site, evaluation = prepared.site, prepared.evaluation
    assert site is not None and evaluation is not None
    theme = load_theme(site.theme_dir)
    pages = {a.path: a for a in produce_artifacts(site, evaluation, theme) + compliance_artifacts(site, evaluation, theme)}
    assert "associations/测试协会/sanctions/2025-警告-001/index.html" not in pages
    globals_ = template_globals(site, evaluation, theme)
    listing = build_artifact(pages["sanctions/index.html"], theme, globals_).decode()
    assert "2025-警告-001" not in listing
    # ...while the compliance view still reports it, without a link to a page that is gone.
    rule_page = build_artifact(pages["compliance/rules/sanction-7-working-days/index.html"], theme, globals_).decode()
    assert "2025-警告-001" in rule_page and 'href="/associations/测试协会/sanctions/2025-警告-001/"' not in rule_page
