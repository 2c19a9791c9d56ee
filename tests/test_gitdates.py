"""Tests of gitdates: publication dates attested by the git history of content/."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.gitdates import FileHistory, GitHistory, read_history

pytestmark = [pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
              pytest.mark.usefixtures("isolated_git")]

CST = timezone(timedelta(hours=8))
SANCTION = "associations/acme/sanctions/2025-警告-001.md"
CHARTER = "associations/acme/charter.md"




def git(repo: Path, *args: str, when: str | None = None, authored: str | None = None) -> str:
    env = dict(os.environ)
    if when is not None:
        env["GIT_COMMITTER_DATE"] = when
        env["GIT_AUTHOR_DATE"] = authored or when
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "秘书处")
    git(path, "config", "user.email", "secretariat@example.org")
    git(path, "config", "commit.gpgsign", "false")
    return path


def write(root: Path, relative: str, text: str) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def commit(repo: Path, message: str, when: str, authored: str | None = None) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=when, authored=authored)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A repository with content/ inside: two commits, then uncommitted work."""
    repo = init_repo(tmp_path / "site")
    content = repo / "content"
    write(repo, "README.md", "outside the content dir\n")
    write(content, SANCTION, "---\ntitle: 警告\n---\n")
    write(content, CHARTER, "---\ntitle: 章程\n---\n")
    first = commit(
        repo,
        "发布警告处分和章程",
        when="2025-04-25T10:00:00+08:00",
        authored="2025-04-20T09:00:00+08:00",  # written earlier; committed (published) later
    )
    write(content, CHARTER, "---\ntitle: 章程（修订）\n---\n")
    second = commit(repo, "修订章程\n\n会员大会 2025-05-06 通过。", when="2025-05-08T09:30:00+08:00")
    # Uncommitted work: a new file never committed, and an edit of a committed one.
    write(content, "associations/acme/sanctions/2025-警告-002.md", "---\ntitle: 草稿\n---\n")
    write(content, SANCTION, "---\ntitle: 警告（未提交的修改）\n---\n")
    return content, {"first": first, "second": second}


def test_first_publication_revisions_and_dirty_files(site: tuple[Path, dict[str, str]]) -> None:
    content, commits = site
    history = read_history(content)
    assert isinstance(history, GitHistory)
    assert history.head == commits["second"]
    assert history.prefix == "content/"
    assert not history.shallow and history.truncated == frozenset()

    # Only files under content/, keyed relative to it, sorted.
    assert list(history.files) == [CHARTER, SANCTION]

    sanction = history.files[SANCTION]
    assert isinstance(sanction, FileHistory)
    assert sanction.path == SANCTION
    published = sanction.first_published
    assert published.commit == commits["first"]
    assert len(published.commit) == 40 and commits["first"].startswith(published.short)
    # The committer date, with the offset as recorded, not the earlier author date.
    assert published.date == datetime(2025, 4, 25, 10, 0, tzinfo=CST)
    assert published.date.utcoffset() == timedelta(hours=8)
    assert published.author == "秘书处"
    assert published.message == "发布警告处分和章程"
    assert published.change == "A"
    assert len(sanction.revisions) == 1

    charter = history.files[CHARTER]
    assert [r.commit for r in charter.revisions] == [commits["first"], commits["second"]]
    assert [r.message for r in charter.revisions] == ["发布警告处分和章程", "修订章程"]  # subject line only
    assert [r.change for r in charter.revisions] == ["A", "M"]
    assert charter.first_published.commit == commits["first"]
    assert charter.latest.date == datetime(2025, 5, 8, 9, 30, tzinfo=CST)
    assert not charter.deleted

    # Modified and untracked files have no attested current content.
    assert history.dirty == frozenset({SANCTION, "associations/acme/sanctions/2025-警告-002.md"})
    assert history.get("associations/acme/sanctions/2025-警告-002.md") is None
    assert history.is_attested(CHARTER)
    assert history.is_attested(PurePath(*CHARTER.split("/")))
    assert not history.is_attested(SANCTION)
    assert not history.is_attested("associations/acme/sanctions/2025-警告-002.md")
    assert history.get(PurePath(SANCTION)) is sanction


def test_is_deterministic(site: tuple[Path, dict[str, str]]) -> None:
    content, _ = site
    assert read_history(content) == read_history(content)


def test_none_outside_a_work_tree(tmp_path: Path) -> None:
    plain = tmp_path / "plain" / "content"
    plain.mkdir(parents=True)
    assert read_history(plain) is None
    assert read_history(tmp_path / "does-not-exist") is None


def test_none_without_git(site: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    content, _ = site
    monkeypatch.setenv("PATH", str(content / "no-such-bin"))
    assert read_history(content) is None


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "empty")
    write(repo, "a.md", "x\n")
    history = read_history(repo)
    assert history is not None
    assert history.head is None
    assert dict(history.files) == {}
    assert history.dirty == frozenset({"a.md"})


def test_content_dir_at_the_repository_root(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "root")
    write(repo, "site.yaml", "title: x\n")
    sha = commit(repo, "init", when="2024-02-04T08:00:00+08:00")
    history = read_history(repo)
    assert history is not None and history.prefix == ""
    assert history.files["site.yaml"].first_published.commit == sha


def test_merged_branch_is_published_at_the_merge(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "merge")
    write(repo, "content/site.yaml", "title: x\n")
    commit(repo, "init", when="2025-04-01T09:00:00+08:00")
    git(repo, "checkout", "-q", "-b", "draft")
    write(repo, "content/sanctions/late.md", "x\n")
    branch_sha = commit(repo, "草拟处分", when="2025-04-02T09:00:00+08:00")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "draft", "-m", "合并：发布处分", when="2025-04-20T09:00:00+08:00")
    merge_sha = git(repo, "rev-parse", "HEAD")
    history = read_history(repo / "content")
    assert history is not None
    published = history.files["sanctions/late.md"].first_published
    # Dating it from the branch commit would hide 18 days of lateness.
    assert published.commit == merge_sha != branch_sha
    assert published.date == datetime(2025, 4, 20, 9, 0, tzinfo=CST)
    assert published.message == "合并：发布处分"


def test_deleted_and_re_added_keeps_the_first_publication(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "readd")
    write(repo, "c/a.md", "v1\n")
    first = commit(repo, "add", when="2025-01-02T09:00:00+08:00")
    (repo / "c" / "a.md").unlink()
    commit(repo, "withdraw", when="2025-01-03T09:00:00+08:00")
    history = read_history(repo / "c")
    assert history is not None and history.files["a.md"].deleted
    assert not history.is_attested("a.md")
    write(repo, "c/a.md", "v2\n")
    commit(repo, "re-add", when="2025-01-04T09:00:00+08:00")
    history = read_history(repo / "c")
    assert history is not None
    a = history.files["a.md"]
    assert [r.change for r in a.revisions] == ["A", "D", "A"]
    assert [r.message for r in a.revisions] == ["add", "withdraw", "re-add"]
    assert a.first_published.commit == first and not a.deleted


def test_revisions_follow_history_not_dates(tmp_path: Path) -> None:
    # A commit with an earlier (wrong) clock still comes after its parent.
    repo = init_repo(tmp_path / "clock")
    write(repo, "a.md", "1\n")
    commit(repo, "one", when="2025-03-10T09:00:00+08:00")
    write(repo, "a.md", "2\n")
    commit(repo, "two", when="2025-03-01T09:00:00+08:00")
    history = read_history(repo)
    assert history is not None
    assert [r.message for r in history.files["a.md"].revisions] == ["one", "two"]


def test_moved_file_is_a_new_document(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "move")
    write(repo, "old.md", "same text\n")
    commit(repo, "add", when="2025-01-02T09:00:00+08:00")
    git(repo, "mv", "old.md", "new.md")
    moved = commit(repo, "move", when="2025-02-03T09:00:00+08:00")
    history = read_history(repo)
    assert history is not None
    assert history.files["new.md"].first_published.commit == moved
    assert history.files["old.md"].deleted


def test_hostile_configuration_does_not_change_the_result(
    site: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, _ = site
    expected = read_history(content)
    config = tmp_path / "gitconfig"
    config.write_text(
        "[core]\n\tquotepath = true\n[diff]\n\trelative = true\n\trenames = copies\n"
        "[log]\n\tshowRoot = false\n\tdecorate = full\n[color]\n\tui = always\n"
        "[status]\n\trelativePaths = true\n\tshowUntrackedFiles = no\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("LC_ALL", "C")
    assert read_history(content) == expected


def test_shallow_clone_gives_no_false_dates(site: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    content, commits = site
    repo = content.parent
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)], check=True, capture_output=True
    )
    history = read_history(clone / "content")
    assert history is not None and history.shallow
    assert history.head == commits["second"]
    # The charter was modified in the fetched commit, but its first publication is not
    # visible; the sanction only appears "added" by the boundary commit. Neither gets a date.
    assert dict(history.files) == {}
    assert history.truncated == frozenset({CHARTER, SANCTION})


# Names an author might produce: Han characters, spaces, quotes, brackets, a newline.
name_chars = st.sampled_from(list("警告通报批评公开谴责协会abcXYZ019 -_'\"()（）〔〕\t\n"))
file_names = st.text(name_chars, min_size=1, max_size=12).filter(lambda s: s.strip() not in ("", ".", ".."))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(file_names, min_size=1, max_size=4, unique=True))
def test_any_file_name_round_trips(tmp_path_factory: pytest.TempPathFactory, names: list[str]) -> None:
    repo = init_repo(tmp_path_factory.mktemp("names") / "repo")
    for i, name in enumerate(names):
        write(repo, f"content/{name}/{name}.md", f"{i}\n")
    sha = commit(repo, "names", when="2025-06-03T12:00:00+08:00")
    history = read_history(repo / "content")
    assert history is not None
    expected = sorted(f"{name}/{name}.md" for name in names)
    assert list(history.files) == expected
    assert all(h.first_published.commit == sha for h in history.files.values())
    assert history.dirty == frozenset()
