"""Models the per-file cache keeps pickled until a document asks for one (filecache.Deferred):
a run served from the pack has every document, sort key, list variant and diagnostic of a
run without the cache; a model is unpickled only when asked for; a damaged group of the
pack costs a validation of its files, nothing else; and a site built over deferred models
is the site built without the cache."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from typing import Any

import pytest

from generator import cache, filecache, pipeline
from tests.cachecheck.test_file_cache import count_validations, files_tables, fresh, own_cache, snapshot  # noqa: F401 (own_cache: a fixture, autouse)


def listing(content: Any) -> list[tuple[Any, ...]]:
    """What the site-wide lists ask of every document."""
    return [(d.raw.rel, d.newest_first, d.variant) for d in content.documents]


def test_models_stay_pickled_until_asked_for_and_are_the_same(content_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = fresh(content_copy, monkeypatch)
    with monkeypatch.context() as m:
        m.setenv("GONGSHI_FILE_CACHE", "0")
        expected_listing = listing(pipeline.check(content_copy))
    snapshot(content_copy)                                   # writes the pack
    cache._stores.clear()                               # a new process
    content = pipeline.check(content_copy)
    deferred = [d for d in content.documents if "_load" in d.__dict__]
    assert deferred and len(deferred) == len(content.documents)
    # The site-wide lists' sort keys and variants come without a model.
    assert listing(content) == expected_listing
    assert all("model" not in d.__dict__ for d in content.documents)
    # Asked for, a model is the one a run without the cache validates.
    assert snapshot(content_copy) == expected


def damage_one_group(own_cache: Path) -> str:
    """Replace the pickled models of one group (association and kind) of every pack."""
    damaged = ""
    for conn in files_tables(own_cache):
        packs = dict(conn.execute(f"SELECT k, v FROM {filecache.TABLE} WHERE k LIKE 'pack:%'").fetchall())
        for k, v in packs.items():
            if k.endswith(filecache.MODELS):
                continue
            version, token, index, spans = pickle.loads(v)
            damaged = sorted(spans)[0]
            start, end = spans[damaged]
            models = bytearray(packs[k + filecache.MODELS])
            models[len(token) + start: len(token) + end] = b"\x80\x04\x95 not a pickle".ljust(end - start, b"!")
            conn.execute(f"UPDATE {filecache.TABLE} SET v = ? WHERE k = ?", (bytes(models), k + filecache.MODELS))
    assert damaged
    return damaged


def test_a_damaged_group_is_validated_again_and_changes_nothing(content_copy: Path, own_cache: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    expected = fresh(content_copy, monkeypatch)
    snapshot(content_copy)
    cache._stores.clear()
    group = damage_one_group(own_cache)
    cache._stores.clear()
    validated = count_validations(monkeypatch)
    assert snapshot(content_copy) == expected
    association, kind = group.split("\0")
    # Only the files of the damaged group were validated again, when their models were asked for.
    assert validated and all(rel.startswith(f"associations/{association}/") for rel in validated)


def test_a_site_built_over_deferred_models_is_the_site_built_without_the_cache(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_of = dt.date(2026, 6, 30)

    def tree(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    with monkeypatch.context() as m:
        m.setenv("GONGSHI_FILE_CACHE", "0")
        m.setenv("GONGSHI_INCREMENTAL", "0")
        assert pipeline.build(content_copy, tmp_path / "clean", as_of, search=False).ok
    pipeline.check(content_copy)                             # writes the pack
    cache._stores.clear()
    # A full write (no build state) over deferred models: every page asks for them.
    with monkeypatch.context() as m:
        m.setenv("GONGSHI_INCREMENTAL", "0")
        assert pipeline.build(content_copy, tmp_path / "deferred", as_of, search=False).ok
    assert tree(tmp_path / "deferred") == tree(tmp_path / "clean")


def test_models_of_another_pack_are_not_used(content_copy: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack's models entry names the index it belongs to (a run stopped between the two
    writes leaves them apart): another's is not read, every model is validated again."""
    expected = fresh(content_copy, monkeypatch)
    snapshot(content_copy)
    cache._stores.clear()
    for conn in files_tables(own_cache):
        conn.execute(f"UPDATE {filecache.TABLE} SET v = CAST(zeroblob(16) || substr(v, 17) AS BLOB) "
                     f"WHERE k LIKE 'pack:%{filecache.MODELS}'")
    cache._stores.clear()
    validated = count_validations(monkeypatch)
    assert snapshot(content_copy) == expected
    # (The profiles' models are in the index itself.)
    assert sorted(validated) == sorted(d[0] for d in expected[1] if d[1] != "association")
