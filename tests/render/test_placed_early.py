"""The producers that need no list of pages (feeds, open data, the editor's configuration)
are put into the staging folder of a cold full write by a forked process while the parent
lists the pages (`parallel.place_early`), on the core that idled there. Readers must see no
difference: the bytes of a one-process build, nothing more in the output, and a build that
still comes out right when that process fails or places a path the listing does not give."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import cms, outputs, parallel, pipeline
from generator.render import Artifact, build_artifact, load_theme

AS_OF = dt.date(2026, 11, 20)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _folders(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir())


@pytest.fixture()
def early(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """Two cores and the early process even for the small example site; the pids that
    placed early outputs (a spy on `place_early`'s forked process)."""
    monkeypatch.setenv("GONGSHI_JOBS", "2")
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(parallel, "SERIAL_BELOW", 0)
    monkeypatch.setattr(pipeline, "EARLY_FROM", 0)
    started: list[int] = []
    real = parallel.place_early

    def spied(target: Any, artifacts: Any) -> Any:
        made = real(target, artifacts)
        started.append(len(artifacts) if made is not None else 0)
        return made
    monkeypatch.setattr(parallel, "place_early", spied)
    return started


def _build(content: Path, out: Path, **kw: Any) -> None:
    result = pipeline.build(content, out, AS_OF, search=False, **kw)
    assert result.ok, [f"{d.file}:{d.line} {d.code}" for d in result.diagnostics]


def _serial(content: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    with monkeypatch.context() as m:
        m.setenv("GONGSHI_JOBS", "1")
        _build(content, out, incremental=False)
    return _tree(out)


@pytest.mark.parametrize("incremental", [True, False])
def test_a_cold_build_with_early_producers_gives_the_bytes_of_one_process(
        early: list[int], content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, incremental: bool) -> None:
    out = tmp_path / "两核" / "public"
    _build(content_copy, out, incremental=incremental)
    assert early and early[0] > 0, "the early process ran"
    assert _tree(out) == _serial(content_copy, tmp_path / "单核" / "public", monkeypatch)
    assert "feed.xml" in _tree(out) and "data/documents.json" in _tree(out)


def test_a_repeated_build_does_not_place_early(early: list[int], content_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    _build(content_copy, out)
    early.clear()
    _build(content_copy, out)       # the build state vouches for most outputs: nothing early
    assert early == []


def test_a_build_whose_last_output_is_gone_places_early_and_gives_the_same_bytes(
        early: list[int], content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "public"
    _build(content_copy, out)
    shutil.rmtree(out)              # the build state remembers it; nothing is left to vouch for
    early.clear()
    _build(content_copy, out)
    assert early and early[0] > 0
    assert _tree(out) == _serial(content_copy, tmp_path / "单核" / "public", monkeypatch)


def test_early_artifacts_are_the_bytes_of_the_listed_ones(content_copy: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The early process makes the outputs of `early_artifacts`; the build takes them for the
    listed artifacts of the same paths: both must give the same bytes (the same functions)."""
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "cache"))
    prepared = pipeline.prepare(content_copy, AS_OF)
    assert prepared.site is not None and prepared.evaluation is not None
    site, evaluation = prepared.site, prepared.evaluation
    theme = load_theme(site.theme_dir)
    listed = {a.path: a for a in outputs.extra_artifacts(site, evaluation, theme, search=False)}
    made = outputs.early_artifacts(site, evaluation)
    assert {a.path for a in made} - {cms.CONFIG_PATH} <= set(listed)
    for a in made:
        if a.path in listed:        # the editor's configuration only when npm provides the editor
            assert a.produce is not None and listed[a.path].produce is not None
            assert build_artifact(a, theme, {}) == build_artifact(listed[a.path], theme, {}), a.path


def _failing_in_the_child(artifacts: list[Artifact], which: int, parent: int) -> list[Artifact]:
    """`artifacts` with the `which`-th one failing halfway, in the forked process only."""
    a = artifacts[which % len(artifacts)]

    def stream() -> Iterator[bytes]:
        yield "半个文件".encode()
        if os.getpid() != parent:
            raise RuntimeError("早产者失败")
        yield from ([a.produce()] if a.stream is None else a.stream())  # type: ignore[misc]
    broken = Artifact(a.path, produce=a.produce, stream=stream)
    return [broken if b is a else b for b in artifacts]


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(min_value=0, max_value=500))
def test_when_the_early_process_fails_the_parent_makes_its_outputs(
        early: list[int], content_copy: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch, which: int) -> None:
    real = outputs.early_artifacts
    parent = os.getpid()
    monkeypatch.setattr(outputs, "early_artifacts",
                        lambda site, evaluation: _failing_in_the_child(real(site, evaluation), which, parent))
    tmp = tmp_path_factory.mktemp("早")
    out = tmp / "public"
    _build(content_copy, out)
    monkeypatch.setattr(outputs, "early_artifacts", real)
    assert _tree(out) == _serial(content_copy, tmp / "serial", monkeypatch)


def test_what_the_listing_does_not_give_is_not_left_in_the_output(early: list[int], content_copy: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    real = outputs.early_artifacts
    page = Artifact("index.html", produce=lambda: "不是首页".encode())       # a page's path: the page wins
    stray = Artifact("无人列出/子目录/数据.xml", produce=lambda: "<没有/>".encode())
    monkeypatch.setattr(outputs, "early_artifacts", lambda site, evaluation: [page, *real(site, evaluation), stray])
    out = tmp_path / "public"
    _build(content_copy, out)
    assert early[0] > 0
    serial = tmp_path / "serial"
    assert _tree(out) == _serial(content_copy, serial, monkeypatch)
    assert _folders(out) == _folders(serial)
