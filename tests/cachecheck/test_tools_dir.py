"""Where the editor's npm package is installed: once per machine unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cache import cache_root, tools_dir


def test_tools_dir_prefers_gongshi_tools_then_cache_then_user_cache(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "用户缓存"))
    monkeypatch.delenv("GONGSHI_TOOLS", raising=False)
    monkeypatch.delenv("GONGSHI_CACHE", raising=False)
    assert tools_dir() == tmp_path / "用户缓存" / "gongshi"

    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "构建缓存"))
    assert tools_dir() == cache_root() == tmp_path / "构建缓存"

    # A per-build cache root no longer takes the tools with it when GONGSHI_TOOLS says where they are.
    monkeypatch.setenv("GONGSHI_TOOLS", str(tmp_path / "工具"))
    assert tools_dir() == tmp_path / "工具"
    assert cache_root() == tmp_path / "构建缓存"


def test_a_test_with_its_own_cache_root_uses_the_shared_tools(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """conftest points every test at one tools folder: a test that gives its build a fresh
    cache root does not install the editor's npm package (~380 MB) into it."""
    from generator import cms
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    assert tmp_path not in cms.cache_dir().parents
