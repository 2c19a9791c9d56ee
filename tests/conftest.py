"""Shared fixtures. Tools a test needs (Chromium, Java, node) may be missing on a developer's
machine — the test then skips — but never in CI (CI=true), where a missing tool fails."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import warnings
from pathlib import Path
from typing import Iterator

import pytest

from generator.cache import user_tools_dir

warnings.filterwarnings("ignore", category=SyntaxWarning, module=r"whoosh\..*")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The example site is evaluated as of a fixed date so its statuses do not drift with the clock.
EXAMPLE_AS_OF = dt.date(2026, 11, 20)
IN_CI = os.environ.get("CI", "").lower() == "true"

# Many tests give each build its own cache root (GONGSHI_CACHE in a temporary folder); without
# this they would each install the editor's npm package (~380 MB) into it — one suite run left
# 12–15 GB behind. Tools are the machine's, not the test's: one install serves them all.
os.environ.setdefault("GONGSHI_TOOLS", str(user_tools_dir()))


def require_tool(name: str, path: str | None = None) -> str:
    """The tool's path; skip the test when it is missing, fail in CI."""
    found = path if path and Path(path).exists() else shutil.which(name)
    if found:
        return found
    if IN_CI:
        pytest.fail(f"{name} is required in CI but was not found")
    pytest.skip(f"{name} not installed")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return require_tool("chromium", "/usr/bin/chromium")


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    """A Playwright Chromium browser (Debian's chromium via executable_path)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is required in CI")
        pytest.skip("playwright not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example content built once per test session (read-only for tests)."""
    from generator import pipeline

    out = tmp_path_factory.mktemp("example") / "public"
    result = pipeline.build(EXAMPLE_CONTENT, out, EXAMPLE_AS_OF)
    assert result.ok, [d.message() for d in result.diagnostics]
    return out


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the example content."""
    dst = tmp_path / "content"
    shutil.copytree(EXAMPLE_CONTENT, dst)
    return dst


@pytest.fixture()
def minimal_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "content"
    shutil.copytree(FIXTURES / "minimal", dst)
    return dst


@pytest.fixture()
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither the machine's nor the user's git configuration may change a test's result, and
    no repository above tmp_path may be found by accident."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.delenv(name, raising=False)
