"""The example content as of 2026-11-20: every status appears, and the sanctions and 双公示
records known to be late or on time are classified so. Expectations are worked out by hand
from the content files and the State Council schedules:

- 深珠协 2025-公开谴责-001: decided Fri 2025-12-26 → due 2026-01-07 (01-01..03 holiday, Sunday
  01-04 a make-up day); published Mon 01-12 → late by 3 (01-08, 01-09, 01-12).
- 深珠协 2025-取消会员资格-001: decided 2025-04-25 → due 2025-05-08; published 05-08 → on time.
- 粤装协 2025-行政许可-001: decided Fri 2025-06-20 → due Tue 07-01; published Mon 07-14 → late
  by 9 (07-02, 03, 04, 07, 08, 09, 10, 11, 14).
- 粤装协 2026-警告-001: decided Mon 2026-09-07 → due Wed 09-16; declares 09-10 but its file was
  first committed on 09-22: with git that is late by 5 (09-17, 18, Sunday 09-20 a make-up day,
  21, 22) and a backdating warning; without git the declared date makes it on time.
- 深珠协 2026-行政处罚-002 is privacy-flagged: not applicable, not public.
- 粤装协 2026-公开谴责-001 (repaired 2026-06-30) and 深珠协 2024-警告-001 (a 3-month warning
  from 2024-03-05) have left the public site, but compliance still reports them on time.
- Overdue: 粤装协 has no 2025 self-regulation report (due 2026-05-31); 深物协 no 2025-H2
  supervisory report (due 2026-01-31). Pending: every 2026 annual report (due 2027-05-31).
- Missing: 深物协's charter has no Party-building clause; 粤装协's fee standard was adopted by
  the council by show of hands.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.evaluate import STATUS_LABELS, Evaluation
from generator.gitdates import read_history
from generator.obligations.deadline import private_instance

EXAMPLE = Path(__file__).resolve().parents[2] / "content"
AS_OF = dt.date(2026, 11, 20)
SANCTIONS = "sanction-7-working-days"
PENALTIES = "penalty-7-working-days"


def status(evaluation: Evaluation, assoc: str, rule: str, instance: str) -> tuple[str, int | None]:
    [s] = [s for s in evaluation.statuses if (s.association, s.rule, s.instance) == (assoc, rule, instance)]
    return s.status, s.late_working_days


def common_expectations(evaluation: Evaluation) -> None:
    assert {s.status for s in evaluation.statuses} == set(STATUS_LABELS)
    assert status(evaluation, "shenzhen-jewelry", SANCTIONS, "2025-公开谴责-001") == ("late", 3)
    assert status(evaluation, "shenzhen-jewelry", SANCTIONS, "2025-取消会员资格-001") == ("on_time", None)
    assert status(evaluation, "guangdong-decoration", PENALTIES, "2025-行政许可-001") == ("late", 9)
    private = private_instance("associations/shenzhen-jewelry/licensing-penalties/2026-行政处罚-002.md")
    assert status(evaluation, "shenzhen-jewelry", PENALTIES, private)[0] == "not_applicable"
    assert status(evaluation, "guangdong-decoration", SANCTIONS, "2026-公开谴责-001")[0] == "on_time"
    assert status(evaluation, "shenzhen-jewelry", SANCTIONS, "2024-警告-001")[0] == "on_time"
    assert status(evaluation, "guangdong-decoration", "annual-self-regulation-report", "2025")[0] == "overdue"
    assert status(evaluation, "shenzhen-property", "half-year-supervisory-report", "2025-H2")[0] == "overdue"
    for slug in ("guangdong-decoration", "shenzhen-jewelry", "shenzhen-property"):
        assert status(evaluation, slug, "annual-self-regulation-report", "2026")[0] == "pending"
    assert status(evaluation, "shenzhen-property", "charter-party-building", "charter")[0] == "missing"
    assert status(evaluation, "guangdong-decoration", "fee-standard-secret-ballot", "2024-会费标准")[0] == "missing"
    hidden = {
        "associations/guangdong-decoration/sanctions/2026-公开谴责-001.md": (False, dt.date(2026, 6, 29)),
        "associations/shenzhen-jewelry/sanctions/2024-警告-001.md": (False, dt.date(2024, 6, 5)),
        "associations/shenzhen-jewelry/sanctions/2025-取消会员资格-001.md": (True, dt.date(2028, 4, 25)),
    }
    for rel, (visible, end) in hidden.items():
        state = evaluation.state(rel)
        assert (state.visible, state.expires_on) == (visible, end), rel
    assert evaluation.state("associations/shenzhen-jewelry/licensing-penalties/2026-行政处罚-002.md").visible is False


def test_example_content_with_declared_dates_only(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(EXAMPLE, content)          # outside any repository: no attested dates
    prepared = pipeline.prepare(content, AS_OF)
    assert prepared.ok and prepared.evaluation is not None
    evaluation = prepared.evaluation
    common_expectations(evaluation)
    assert status(evaluation, "guangdong-decoration", SANCTIONS, "2026-警告-001") == ("on_time", None)
    assert all(s.basis != "attested" for s in evaluation.statuses)


def test_example_content_with_its_git_history() -> None:
    history = read_history(EXAMPLE)
    if history is None or history.shallow or history.get("associations/shenzhen-jewelry/charter.md") is None:
        pytest.skip("the example content's full git history is not available (shallow clone? use fetch-depth: 0)")
    prepared = pipeline.prepare(EXAMPLE, AS_OF)
    assert prepared.ok and prepared.evaluation is not None
    evaluation = prepared.evaluation
    common_expectations(evaluation)
    assert status(evaluation, "guangdong-decoration", SANCTIONS, "2026-警告-001") == ("late", 5)
    backdated = [d for d in prepared.diagnostics if d.code == "git.backdated"]
    assert any(d.file.endswith("guangdong-decoration/sanctions/2026-警告-001.md") for d in backdated)
