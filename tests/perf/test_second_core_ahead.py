"""Between check and rendering the build ran on one core. Two pieces of it now go to the
second: pickling the associations evaluated now into the evaluation cache (a forked process
the build waits for at its end), and the per-association digests the site-wide outputs are
keyed by (open-data rows, compliance lines), made by a forked process while the parent
lists the pages. What either leaves behind must be what the parent would have made: the
evaluation cache serves the next run, the build state's digests are those of a build
without the second core, and a repeated build still equals a clean one."""

from __future__ import annotations

import datetime as dt
import marshal
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import compliance, evaluate, incremental, opendata, outputs, parallel, pipeline
from generator.cache import cache_dir, store

from .corpora import synthetic_corpus

AS_OF = dt.date(2026, 6, 30)


# --- parallel.ahead -----------------------------------------------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet="公示协会年报处分决定书章程𠀀abc\n", max_size=40), repeat=st.sampled_from([1, 5000]))
def test_ahead_hands_back_the_bytes_the_forked_process_made(monkeypatch: pytest.MonkeyPatch, text: str, repeat: int) -> None:
    monkeypatch.setenv("GONGSHI_JOBS", "2")
    made = (text * repeat).encode()           # up to ~300 KB: more than a pipe holds
    parent = os.getpid()
    taken = parallel.ahead(lambda: made if os.getpid() != parent else b"made in the parent")
    assert taken() == made


def test_ahead_gives_none_when_the_forked_process_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGSHI_JOBS", "2")

    def broken() -> bytes:
        raise RuntimeError("年报缺失")
    assert parallel.ahead(broken)() is None


def test_ahead_on_one_core_makes_the_bytes_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGSHI_JOBS", "1")
    calls: list[int] = []

    def make() -> bytes:
        calls.append(os.getpid())
        return "章程".encode()
    taken = parallel.ahead(make)
    assert calls == []
    assert taken() == "章程".encode() and calls == [os.getpid()]


# --- evaluation cache kept by another process ------------------------------------------------

class _Store:
    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        return {k: self.values[k] for k in keys if k in self.values}

    def put(self, key: str, value: bytes) -> None:
        self.values[key] = value

    def flush(self) -> None:
        pass


def test_evaluate_cached_hands_the_storing_of_many_parts_to_keep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    content = synthetic_corpus(tmp_path / "内容", documents=20, associations=3, seed=3)
    site = pipeline.prepare(content, AS_OF).site
    assert site is not None
    kept: list[Any] = []
    monkeypatch.setattr(evaluate, "KEEP_IN_BACKGROUND_FROM", 3)
    s = _Store()
    first = evaluate.evaluate_cached(site, s, keep=kept.append)
    assert len(kept) == 1 and s.values == {}         # not stored yet: that is keep's to run
    kept[0]()
    assert set(s.values) == {a.slug for a in site.associations}
    again = evaluate.evaluate_cached(site, s, keep=kept.append)
    assert len(kept) == 1 and again == first          # every part from the store, nothing to keep
    monkeypatch.setattr(evaluate, "KEEP_IN_BACKGROUND_FROM", 4)
    few = _Store()
    evaluate.evaluate_cached(site, few, keep=kept.append)
    assert len(kept) == 1 and set(few.values) == set(s.values)   # fewer than that: stored at once


# --- a build on two cores ---------------------------------------------------------------------

def _memo(content: Path, out: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """Per association in the build state of `out`: its key and its memoised digests."""
    s = store(cache_dir(content), "build_state")
    prefix = str(out.absolute()) + "\0a\0"
    return {k[len(prefix):]: (marshal.loads(v)[0], marshal.loads(v)[2]) for k, v in s.items() if k.startswith(prefix)}


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_digests_made_ahead_are_those_the_build_state_memoises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = synthetic_corpus(tmp_path / "内容", documents=30, associations=3, seed=5)
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    site = pipeline.prepare(content, AS_OF)
    assert site.site is not None and site.evaluation is not None
    slugs = [a.slug for a in site.site.associations]
    made = outputs.association_digests(site.site, site.evaluation, slugs)
    for slug in slugs:
        assert set(made[slug]) == set(outputs.ASSOCIATION_DIGESTS)
        assert made[slug]["compliance"] == compliance.lines_digest(site.evaluation.for_association(slug))
        for ds in opendata.DATASETS:
            assert made[slug]["rows:" + ds.name] == opendata.rows_digest(ds.name, site.site, site.evaluation,
                                                                         site.site.by_slug[slug])
    # A one-core build memoises every one of them under the same names.
    monkeypatch.setenv("GONGSHI_JOBS", "1")
    assert pipeline.build(content, tmp_path / "public", AS_OF, search=False).ok
    for slug, (_key, memo) in _memo(content, tmp_path / "public").items():
        assert {what: memo[what] for what in outputs.ASSOCIATION_DIGESTS} == made[slug]


def test_a_build_on_two_cores_leaves_the_state_and_cache_of_one_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = synthetic_corpus(tmp_path / "内容", documents=40, associations=3, seed=9)
    states = {}
    for jobs in ("1", "2"):
        with monkeypatch.context() as m:
            m.setenv("GONGSHI_JOBS", jobs)
            m.setenv("GONGSHI_CACHE", str(tmp_path / f"缓存{jobs}"))
            m.setattr(evaluate, "KEEP_IN_BACKGROUND_FROM", 1)
            m.setattr(pipeline, "DIGESTS_AHEAD_FROM", 1)
            made_ahead: list[int] = []
            real = parallel.ahead
            m.setattr(parallel, "ahead", lambda make: (made_ahead.append(1), real(make))[1])
            assert pipeline.build(content, tmp_path / f"public{jobs}", AS_OF, search=False).ok
            assert made_ahead == [1]
            states[jobs] = _memo(content, tmp_path / f"public{jobs}")
            # The evaluation cache the forked process wrote serves the next run whole.
            m.setattr(evaluate, "evaluate_association", lambda *a: pytest.fail("evaluated again"))
            assert pipeline.prepare(content, AS_OF).ok
    assert states["1"] == states["2"] and len(states["2"]) == 3
    assert _tree(tmp_path / "public1") == _tree(tmp_path / "public2")


def test_a_repeated_build_after_digests_made_ahead_equals_a_clean_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = synthetic_corpus(tmp_path / "内容", documents=40, associations=3, seed=11)
    monkeypatch.setenv("GONGSHI_JOBS", "2")
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    monkeypatch.setattr(evaluate, "KEEP_IN_BACKGROUND_FROM", 1)
    monkeypatch.setattr(pipeline, "DIGESTS_AHEAD_FROM", 1)
    out = tmp_path / "public"
    assert pipeline.build(content, out, AS_OF, search=False).ok
    doc = sorted(p for p in content.rglob("*.md") if "/associations/" in p.as_posix())[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\n补充说明：本公示于会员大会后更新。\n", encoding="utf-8")
    assert pipeline.build(content, out, AS_OF, search=False).ok
    clean = tmp_path / "clean"
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "干净缓存"))
    assert pipeline.build(content, clean, AS_OF, search=False, incremental=False).ok
    assert _tree(out) == _tree(clean)
    shutil.rmtree(clean)
