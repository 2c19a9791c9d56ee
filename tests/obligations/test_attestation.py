"""Attested publication dates: the first commit of a document's file, as a China date,
on temporary repositories with controlled commit dates."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.diagnostics import Severity

from .obligation_helpers import FIXTURE_SANCTION, content_tree, evaluate_tree, line, sanction

pytestmark = [pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
              pytest.mark.usefixtures("isolated_git")]
RULE = "sanction-7-working-days"
ID = "2025-警告-001"




def git(repo: Path, *args: str, when: str | None = None) -> None:
    env = dict(os.environ)
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def repo_with_sanction(tmp_path: Path, declared: str | None, committed: str) -> Path:
    """The fixture committed first (in 2024), then the sanction file added at `committed`."""
    content = content_tree(tmp_path)
    sanction_file = content / FIXTURE_SANCTION
    sanction_file.unlink()
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.name", "秘书处")
    git(tmp_path, "config", "user.email", "secretariat@example.org")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "协会概况和章程", when="2024-01-02T10:00:00+08:00")
    sanction_file.write_text(sanction("2025-04-25", declared), encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "公示警告决定", when=committed)
    return content


def test_backdated_declaration_warns_and_the_commit_date_decides(tmp_path: Path) -> None:
    content = repo_with_sanction(tmp_path, "2025-05-06", "2025-05-09T10:00:00+08:00")
    prepared = evaluate_tree(content, "2025-06-30")
    s = line(prepared.evaluation, RULE, ID)
    assert (s.status, s.published, s.late_working_days, s.basis) == ("late", dt.date(2025, 5, 9), 1, "attested")
    [warning] = [d for d in prepared.diagnostics if d.code == "git.backdated"]
    assert warning.severity is Severity.WARNING
    assert warning.file.endswith("2025-警告-001.md") and warning.line > 1
    assert "2025-05-06" in warning.message() and "2025-05-09" in warning.message()
    state = prepared.evaluation.state(FIXTURE_SANCTION)
    assert (state.declared_on, state.attested_on) == (dt.date(2025, 5, 6), dt.date(2025, 5, 9))


def test_commit_time_is_read_as_a_china_date(tmp_path: Path) -> None:
    # 2025-05-08 20:00 at UTC-4 is 2025-05-09 08:00 in Beijing: one working day late.
    content = repo_with_sanction(tmp_path / "a", "2025-05-08", "2025-05-08T20:00:00-04:00")
    s = line(evaluate_tree(content, "2025-06-30").evaluation, RULE, ID)
    assert (s.published, s.status) == (dt.date(2025, 5, 9), "late")
    # 2025-05-08 15:59 UTC is 23:59 in Beijing, still the due day.
    content = repo_with_sanction(tmp_path / "b", "2025-05-08", "2025-05-08T15:59:00+00:00")
    s = line(evaluate_tree(content, "2025-06-30").evaluation, RULE, ID)
    assert (s.published, s.status) == (dt.date(2025, 5, 8), "on_time")


def test_a_declaration_later_than_the_commit_is_no_warning(tmp_path: Path) -> None:
    content = repo_with_sanction(tmp_path, "2025-05-07", "2025-05-06T09:00:00+08:00")
    prepared = evaluate_tree(content, "2025-06-30")
    assert not [d for d in prepared.diagnostics if d.code == "git.backdated"]
    assert line(prepared.evaluation, RULE, ID).published == dt.date(2025, 5, 6)


def test_committed_without_a_declared_date_is_still_published(tmp_path: Path) -> None:
    content = repo_with_sanction(tmp_path, None, "2025-05-07T09:00:00+08:00")
    s = line(evaluate_tree(content, "2025-06-30").evaluation, RULE, ID)
    assert (s.status, s.published, s.basis) == ("on_time", dt.date(2025, 5, 7), "attested")


def test_uncommitted_changes_fall_back_to_the_declared_date_and_say_so(tmp_path: Path) -> None:
    content = repo_with_sanction(tmp_path, "2025-05-06", "2025-05-09T10:00:00+08:00")
    path = content / FIXTURE_SANCTION
    path.write_text(path.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    prepared = evaluate_tree(content, "2025-06-30")
    s = line(prepared.evaluation, RULE, ID)
    assert (s.status, s.published, s.basis) == ("on_time", dt.date(2025, 5, 6), "declared")
    assert "未提交" in s.detail and "未经提交记录核验" in s.detail
    assert not [d for d in prepared.diagnostics if d.code == "git.backdated"]


def test_a_commit_after_as_of_is_not_yet_a_publication(tmp_path: Path) -> None:
    content = repo_with_sanction(tmp_path, "2025-05-06", "2025-05-20T10:00:00+08:00")
    s = line(evaluate_tree(content, "2025-05-12").evaluation, RULE, ID)
    assert (s.status, s.published) == ("overdue", None)
