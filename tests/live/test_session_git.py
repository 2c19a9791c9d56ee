"""In a git checkout, what the history says about a page changes with the edit: the first
save of a committed file makes it "uncommitted" (its date is the declared one again, not
the commit's) — the preview must show exactly that, and a new commit must be picked up."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from generator.live import Session
from tests.conftest import EXAMPLE_AS_OF
from tests.perf.test_incremental import _clean_build, _clean_cache_root

# (`_clean_cache_root`, autouse: clean builds get a fresh cache root of this module's own.)
_ = _clean_cache_root


def _git(cwd: Path, *args: str, date: str = "2026-03-02T10:00:00+08:00") -> None:
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "秘书处",
           "GIT_AUTHOR_EMAIL": "mishuchu@example.org", "GIT_COMMITTER_NAME": "秘书处",
           "GIT_COMMITTER_EMAIL": "mishuchu@example.org"}
    import os
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **env})


@pytest.fixture()
def repo(content_copy: Path, isolated_git: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    _git(content_copy, "init", "-q", "-b", "main")
    _git(content_copy, "add", ".")
    _git(content_copy, "commit", "-q", "-m", "首次公示")
    return content_copy


def test_the_first_save_of_a_committed_file_and_a_new_commit(repo: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(repo, EXAMPLE_AS_OF, search=False)
    assert session.build().ok and session.site is not None and session.site.history is not None
    doc = sorted(repo.glob("associations/*/sanctions/*.md"))[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\n（补充：当事人已整改完毕。）\n", encoding="utf-8")
    result = session.rebuild([doc])
    assert result.ok and not result.full
    rel = doc.relative_to(repo).as_posix()
    assert rel in session.site.history.dirty
    assert session.files == _clean_build(repo, tmp_path / "clean-1", EXAMPLE_AS_OF, monkeypatch)

    _git(repo, "commit", "-q", "-am", "补充整改情况", date="2026-04-01T09:00:00+08:00")
    other = sorted(repo.glob("associations/*/sanctions/*.md"))[-1]
    other.write_text(other.read_text(encoding="utf-8") + "\n（另附说明。）\n", encoding="utf-8")
    again = session.rebuild([other])
    assert again.ok and again.full                      # HEAD moved: the history is read again
    assert rel not in session.site.history.dirty
    assert session.files == _clean_build(repo, tmp_path / "clean-2", EXAMPLE_AS_OF, monkeypatch)
