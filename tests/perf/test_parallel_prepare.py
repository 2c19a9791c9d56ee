"""A cold check split over two processes (generator.prepare_parallel) is the serial check.

What a user relies on: the same validated content (documents, profiles and attachments in
the same order), the same diagnostics with the same file, line and column — bad files in
either half, Chinese file and folder names — the same per-file cache for the next run, and
the same output, byte for byte. A worker that dies or raises changes none of that: this
process does its half itself.
"""

from __future__ import annotations

import datetime as dt
import marshal
import os
import pickle
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline, prepare_parallel
from generator.cache import database_name
from generator.filecache import MODELS, for_content
from generator.parallel import fork_available

from .corpora import synthetic_corpus

pytestmark = pytest.mark.skipif(not fork_available(), reason="the split forks a worker")

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = synthetic_corpus(tmp_path_factory.mktemp("语料") / "内容", documents=48, associations=4, seed=5)
    # A Chinese association folder too (slugs may be Chinese): it sorts last.
    first = sorted((base / "associations").iterdir())[0]
    shutil.copytree(first, base / "associations" / "中文协会")
    return base


@pytest.fixture
def split_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split even this small site, on a machine with one core too."""
    monkeypatch.setattr(prepare_parallel, "SPLIT_MIN_FILES", 1)
    monkeypatch.setattr(prepare_parallel, "jobs", lambda: 2)


def _check(content: Path, cache: Path, split: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """(validated content, the split or None) of a cold check with its own cache root."""
    shutil.rmtree(cache, ignore_errors=True)
    monkeypatch.setenv("GONGSHI_CACHE", str(cache))
    planned: list[Any] = []
    real_plan = prepare_parallel.plan

    def plan(content_dir: Path, files: Any) -> Any:
        planned.append(real_plan(content_dir, files) if split else None)
        return planned[-1]
    monkeypatch.setattr(prepare_parallel, "plan", plan)
    try:
        return pipeline.check(content), (planned[0] if planned else None)
    finally:
        monkeypatch.setattr(prepare_parallel, "plan", real_plan)


def _same_content(split: Any, serial: Any) -> None:
    assert split.diagnostics == serial.diagnostics
    assert split.config == serial.config and split.calendar_years == serial.calendar_years
    assert [(d.raw, d.kind, d.model) for d in split.profiles] == [(d.raw, d.kind, d.model) for d in serial.profiles]
    assert [(d.raw, d.kind, d.model) for d in split.documents] == [(d.raw, d.kind, d.model) for d in serial.documents]
    assert all(a.kind is b.kind for a, b in zip(split.documents, serial.documents))   # the registry's, not copies
    assert [d.raw.text for d in split.documents] == [d.raw.text for d in serial.documents]
    assert split.attachments == serial.attachments
    assert (split.root, split.theme_dir) == (serial.root, serial.theme_dir)


def _files_table(cache: Path) -> dict[str, Any]:
    """The per-file cache as the next run reads it: every entry, decoded (the stats without
    the time they were taken; marshal and pickle bytes depend on which equal strings happen to
    be one object), in the order the run wrote them."""
    (folder,) = [p for p in cache.glob("*") if len(p.name) == 12]     # the one content folder's cache
    with sqlite3.connect(folder / database_name("files")) as db:
        rows = dict(db.execute("SELECT k, v FROM files").fetchall())
    with sqlite3.connect(folder / database_name("markdown")) as db:
        markdown = dict(db.execute("SELECT k, v FROM markdown").fetchall())
    out: dict[str, Any] = {"markdown": {k: marshal.loads(v) for k, v in markdown.items()}}
    for key, value in rows.items():
        if key.endswith(MODELS):
            continue                        # read with its pack
        if key.startswith("stats:"):
            stats, good, since_pruned = marshal.loads(value)
            out[key] = ([(f, v[:-1]) for f, v in stats.items()], list(good.items()), since_pruned)
        else:
            entry = pickle.loads(value)     # a file's result, or the pack of them all (by path, in load order)
            if key.startswith("pack:"):     # its index, and its models pickled by group after a random token
                version, token, index, spans = entry
                models = rows[key + MODELS][len(token):]
                entry = (version, list(index.items()),
                         [(group, list(pickle.loads(models[start:end]).items())) for group, (start, end) in spans.items()])
            out[key] = list(entry.items()) if isinstance(entry, dict) else entry
    return out


def test_split_check_is_the_serial_check(corpus: Path, tmp_path: Path, split_always: None,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    split, portions = _check(corpus, tmp_path / "split", True, monkeypatch)
    serial, _ = _check(corpus, tmp_path / "serial", False, monkeypatch)
    assert portions is not None and len(portions.portions) >= 2
    assert not split.diagnostics or all(d.severity.value != "error" for d in split.diagnostics)
    _same_content(split, serial)
    # The next run finds what a serial run left: the same entries, in the same order.
    assert _files_table(tmp_path / "split") == _files_table(tmp_path / "serial")


def _break(content: Path, picks: list[tuple[int, int]]) -> list[str]:
    """Schema and YAML errors, a duplicate key and an unsafe link in the files `picks` names
    (association, file), so several portions hold bad files; returns their paths in the content folder."""
    folders = sorted((content / "associations").iterdir())
    done = []
    for n, (a, f) in enumerate(picks):
        docs = sorted(p for p in folders[a % len(folders)].glob("*/*.md") if "错误" not in p.name)
        doc = docs[f % len(docs)]
        text = doc.read_text(encoding="utf-8")
        how = n % 4
        if how == 0:
            text = text.replace("\ntitle:", "\nunknown_field: 1\ntitle:", 1)       # schema.unknown_field
        elif how == 1:
            text = text.replace("\ntitle:", "\ntitle: [unclosed\n  x:", 1)        # yaml.syntax
        elif how == 2:
            text = text.replace("\ntitle:", "\ntitle: 一\ntitle:", 1)              # yaml.duplicate_key
        else:
            text += "\n[点击](javascript:alert(1))\n"                               # markdown.unsafe_link
        # A Chinese file name for each broken file (ids may be Chinese).
        target = doc.with_name(f"{doc.stem}-错误{n}.md")
        doc.unlink()
        target.write_text(text, encoding="utf-8")
        done.append(target.relative_to(content).as_posix())
    return done


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 20)), min_size=1, max_size=6, unique=True))
def test_bad_content_gives_the_same_diagnostics(corpus: Path, tmp_path_factory: pytest.TempPathFactory,
                                                split_always: None, monkeypatch: pytest.MonkeyPatch,
                                                picks: list[tuple[int, int]]) -> None:
    base = tmp_path_factory.mktemp("坏内容")
    content = base / "内容"
    shutil.copytree(corpus, content)
    broken = _break(content, picks)
    split, portions = _check(content, base / "split", True, monkeypatch)
    serial, _ = _check(content, base / "serial", False, monkeypatch)
    assert portions is not None
    _same_content(split, serial)
    assert all(d.line >= 1 and d.column >= 1 for d in split.diagnostics)
    # Every broken file is reported, wherever its half was done.
    named = {str(d.file) for d in split.diagnostics}
    assert all(any(f.endswith(rel) for f in named) for rel in broken)
    # The broken files sit in several portions (when the picks touch several), each reported once.
    assert len(split.diagnostics) == len(set(split.diagnostics))


def _wait_for(marker: Path, seconds: float = 30.0) -> None:
    """Until the worker has left `marker`: a fixed sleep was not always enough on a loaded
    machine, where the forked worker may be scheduled only after this process took every
    portion. Bounded, so a worker that never starts fails the test's assertion, not a hang."""
    deadline = time.monotonic() + seconds
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.005)


def _die(how: str, marker: Path) -> Any:
    """`_portion` for a worker that fails at its first portion (after leaving `marker`)."""
    real = prepare_parallel._portion
    parent = os.getpid()

    def portion(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            marker.touch()
            if how == "dies":
                os._exit(3)
            raise RuntimeError("a bug in the worker")
        _wait_for(marker)           # the worker takes a portion before this process takes them all
        return real(*args, **kwargs)
    return portion


@pytest.mark.parametrize("how", ["dies", "raises"])
def test_a_failed_worker_leaves_its_portions_to_the_parent(corpus: Path, tmp_path: Path, split_always: None,
                                                           monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    serial, _ = _check(corpus, tmp_path / "serial", False, monkeypatch)
    monkeypatch.setattr(prepare_parallel, "_portion", _die(how, tmp_path / "worker-took-one"))
    split, portions = _check(corpus, tmp_path / "split", True, monkeypatch)
    assert portions is not None and (tmp_path / "worker-took-one").exists()
    _same_content(split, serial)
    assert _files_table(tmp_path / "split") == _files_table(tmp_path / "serial")


def _fails_later(marker: Path) -> Any:
    """`_portion` for a worker that sends its first portion and then raises at its second."""
    real = prepare_parallel._portion
    parent = os.getpid()
    taken: list[int] = []

    def portion(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            taken.append(1)
            if len(taken) == 2:
                marker.touch()
                raise RuntimeError("a bug in the worker, after it sent a portion")
        else:
            _wait_for(marker)       # the worker takes two portions before this process takes them all
        return real(*args, **kwargs)
    return portion


def test_a_worker_that_fails_after_sending_portions_leaves_them_all_to_the_parent(
        corpus: Path, tmp_path: Path, split_always: None, monkeypatch: pytest.MonkeyPatch) -> None:
    serial, _ = _check(corpus, tmp_path / "serial", False, monkeypatch)
    monkeypatch.setattr(prepare_parallel, "_portion", _fails_later(tmp_path / "worker-failed-later"))
    split, portions = _check(corpus, tmp_path / "split", True, monkeypatch)
    assert portions is not None and len(portions.portions) >= 3
    assert (tmp_path / "worker-failed-later").exists()
    _same_content(split, serial)
    assert _files_table(tmp_path / "split") == _files_table(tmp_path / "serial")


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_split_build_writes_the_serial_output(corpus: Path, tmp_path: Path, split_always: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGSHI_SEARCH", "0")
    trees = []
    for mode in ("split", "serial"):
        planned: list[Any] = []
        real = prepare_parallel.plan
        monkeypatch.setattr(prepare_parallel, "plan",
                            lambda c, f, real=real, mode=mode, planned=planned: planned.append(1) or (real(c, f) if mode == "split" else None))
        monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / f"cache-{mode}"))
        result = pipeline.build(corpus, tmp_path / mode, AS_OF)
        assert result.ok, result.diagnostics
        assert planned
        trees.append(_tree(tmp_path / mode))
        monkeypatch.setattr(prepare_parallel, "plan", real)
        # The repeated build over that output and cache writes the same again.
        again = pipeline.build(corpus, tmp_path / mode, AS_OF)
        assert again.ok and _tree(tmp_path / mode) == trees[-1]
    assert trees[0] == trees[1]


# --- when not to split ----------------------------------------------------------------------


def test_one_process_when_it_cannot_pay(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "cache"))
    corpus = shutil.copytree(corpus, tmp_path / "内容")
    for p in corpus.rglob("*"):     # written a moment ago: too recent for the cache to trust its stat
        os.utime(p, (p.stat().st_atime - 3600, p.stat().st_mtime - 3600))
    files = for_content(corpus.absolute())
    monkeypatch.setattr(prepare_parallel, "jobs", lambda: 2)
    assert prepare_parallel.plan(corpus, files) is None            # 60 files: below SPLIT_MIN_FILES
    monkeypatch.setattr(prepare_parallel, "SPLIT_MIN_FILES", 1)
    assert prepare_parallel.plan(corpus, files) is not None
    monkeypatch.setattr(prepare_parallel, "jobs", lambda: 1)       # GONGSHI_JOBS=1, one core
    assert prepare_parallel.plan(corpus, files) is None
    monkeypatch.setattr(prepare_parallel, "jobs", lambda: 2)
    monkeypatch.setattr(prepare_parallel, "fork_available", lambda: False)
    assert prepare_parallel.plan(corpus, files) is None
    monkeypatch.setattr(prepare_parallel, "fork_available", lambda: True)
    pipeline.check(corpus)                                         # a warm cache: the next run reads little
    assert prepare_parallel.plan(corpus, for_content(corpus.absolute())) is None


def test_hooks_and_serve_sessions_keep_one_process(corpus: Path, tmp_path: Path, split_always: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import load, validate
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "cache"))
    asked: list[Any] = []
    monkeypatch.setattr(prepare_parallel, "plan", lambda *a: asked.append(a))
    pipeline.check(corpus, pipeline.Hooks(on_loaded=lambda loaded: loaded))
    monkeypatch.setattr(load, "parsed_memo", {})
    monkeypatch.setattr(validate, "validated_memo", {})
    pipeline.check(corpus)
    assert asked == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(1, 5_000), min_size=2, max_size=40))
def test_portions_cover_every_folder_once_biggest_first(tmp_path_factory: pytest.TempPathFactory,
                                                         monkeypatch: pytest.MonkeyPatch, sizes: list[int]) -> None:
    base = tmp_path_factory.mktemp("portions")
    for n, size in enumerate(sizes):
        folder = base / "associations" / f"xiehui-{n:02d}" / "sanctions"
        folder.mkdir(parents=True)
        (folder / "a.md").write_bytes(b"x" * size)
    monkeypatch.setattr(prepare_parallel, "SPLIT_MIN_FILES", 1)
    monkeypatch.setattr(prepare_parallel, "jobs", lambda: 2)
    monkeypatch.setenv("GONGSHI_CACHE", str(base / "cache"))
    split = prepare_parallel.plan(base, for_content(base.absolute()))
    assert split is not None
    slugs = {f"xiehui-{n:02d}" for n in range(len(sizes))}
    assert sorted(s for p in split.portions for s in p) == sorted(slugs)      # each folder in one portion
    assert sorted(split.folder_rank, key=split.folder_rank.__getitem__) == sorted(slugs)
    weights = [sum(sizes[int(s[-2:])] for s in p) for p in split.portions]
    # Guided: no portion but the last is lighter than a sixth of what was left before it.
    left = sum(sizes)
    for w in weights[:-1]:
        assert w * prepare_parallel.GUIDED >= left or w * 200 >= sum(sizes)
        left -= w


def test_two_folders_of_one_slug_keep_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A CJK compatibility ideograph normalises (NFC) to a unified one: two folders, one slug.
    # Load meets them in name order, not slug by slug; one process keeps that order exactly.
    for name in ("\u8c48", "\uf900", "xiehui"):
        (tmp_path / "associations" / name / "sanctions").mkdir(parents=True)
        (tmp_path / "associations" / name / "sanctions" / "a.md").write_text("---\n---\n", encoding="utf-8")
    monkeypatch.setattr(prepare_parallel, "SPLIT_MIN_FILES", 1)
    monkeypatch.setattr(prepare_parallel, "jobs", lambda: 2)
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "cache"))
    assert prepare_parallel.plan(tmp_path, for_content(tmp_path.absolute())) is None
    shutil.rmtree(tmp_path / "associations" / "\uf900")
    assert prepare_parallel.plan(tmp_path, for_content(tmp_path.absolute())) is not None


def test_every_models_validator_is_built_before_the_worker_is_forked() -> None:
    # in a fresh interpreter (another test may have built them already): the models defer
    # building their validators, and the split builds every one of them once, before forking
    import subprocess
    import sys
    script = ("from generator import prepare_parallel as pp, kinds as k\n"
              "from generator.config import SiteConfig\n"
              "from generator.calendar import CalendarYear\n"
              "models = [SiteConfig, CalendarYear, *(kind.model for kind in k.BY_NAME.values())]\n"
              "assert not any(m.__pydantic_complete__ for m in models[2:])\n"
              "pp._build_validators()\n"
              "print(all(m.__pydantic_complete__ for m in models))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "True"
