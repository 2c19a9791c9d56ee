"""The writer's in-place update (incremental builds) must end exactly where a full write
ends, leave untouched what did not change, and leave the previous site intact when the
build fails before every output was made."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.jsontext import dumps_indented
from generator.write import Unchanged, write_site


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _dirs(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def _full(outputs: dict[str, bytes], out: Path) -> None:
    write_site(outputs.items(), out)


def _as_update(outputs: dict[str, bytes], out: Path, previous: dict[str, bytes]) -> list[tuple[str, object]]:
    """What an incremental build hands the writer: Unchanged for files it vouches for."""
    pairs: list[tuple[str, object]] = []
    for rel, data in outputs.items():
        if previous.get(rel) == data:
            pairs.append((rel, Unchanged(len(data), hashlib.sha256(data).hexdigest())))
        else:
            pairs.append((rel, data))
    return pairs


NAMES = st.sampled_from(["协会", "行业惩戒", "信用承诺", "page", "2", "index.html", "数据.json", "公告（一）"])
PATHS = st.lists(NAMES, min_size=1, max_size=4).map(lambda parts: "/".join(parts[:-1] + [parts[-1] + ".html"]))
SITES = st.dictionaries(PATHS, st.binary(max_size=40).map(lambda b: "内容：".encode() + b), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=SITES, after=SITES)
def test_update_ends_where_a_full_write_ends(tmp_path_factory: pytest.TempPathFactory,
                                            before: dict[str, bytes], after: dict[str, bytes]) -> None:
    base = tmp_path_factory.mktemp("写入")
    updated, clean = base / "public", base / "clean"
    _full(before, updated)
    write_site(_as_update(after, updated, before), updated, previous=list(before))
    _full(after, clean)
    assert _tree(updated) == _tree(clean)
    assert _dirs(updated) == _dirs(clean)                    # no empty folder left behind
    assert not [p for p in base.iterdir() if p.name.startswith(".public")]


def test_unchanged_and_same_bytes_files_are_not_touched(tmp_path: Path) -> None:
    out = tmp_path / "public"
    site = {"index.html": "首页".encode(), "associations/甲协会/index.html": "甲".encode(),
            "associations/乙协会/index.html": "乙".encode()}
    _full(site, out)
    inodes = {rel: os.stat(out / rel).st_ino for rel in site}
    changed = dict(site, **{"associations/乙协会/index.html": "乙（修订）".encode()})
    pairs = _as_update(changed, out, site)
    pairs[0] = ("index.html", "首页".encode())                # re-rendered, same bytes
    stats = write_site(pairs, out, previous=list(site))
    assert _tree(out) == changed
    assert os.stat(out / "index.html").st_ino == inodes["index.html"]
    assert os.stat(out / "associations/甲协会/index.html").st_ino == inodes["associations/甲协会/index.html"]
    assert os.stat(out / "associations/乙协会/index.html").st_ino != inodes["associations/乙协会/index.html"]
    assert stats.files == 3 and stats.reused == 2


def test_a_failed_update_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    out = tmp_path / "public"
    site = {"index.html": "首页".encode(), "sanctions/index.html": "行业惩戒".encode()}
    _full(site, out)
    before = _tree(out)

    def failing():  # type: ignore[no-untyped-def]
        yield "index.html", "新首页".encode()
        yield "新页面/index.html", "新".encode()
        raise RuntimeError("模板错误")

    with pytest.raises(RuntimeError):
        write_site(failing(), out, previous=list(site))
    assert _tree(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".public")]


def test_a_folder_where_a_file_goes_and_a_stray_file_are_handled(tmp_path: Path) -> None:
    out = tmp_path / "public"
    site = {"a/index.html": b"1", "b.html": b"2"}
    _full(site, out)
    (out / "c").mkdir()
    (out / "c" / "index.html").write_bytes(b"stray")       # a folder where the new file 'c' goes
    after = {"a/index.html": b"1", "c": b"3"}
    write_site(_as_update(after, out, site), out, previous=list(site))
    assert _tree(out) == after


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(alphabet=st.characters(), max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_indented_json_is_the_standard_librarys(value: object) -> None:
    assert dumps_indented(value, 1) == json.dumps(value, ensure_ascii=False, indent=1)
    assert dumps_indented({"记录": [value, {"标题": "公告"}]}, 1) == json.dumps({"记录": [value, {"标题": "公告"}]},
                                                                               ensure_ascii=False, indent=1)


def test_an_unchanged_output_still_reads_as_its_bytes(tmp_path: Path) -> None:
    # Code that wraps pipeline.outputs and treats every output as bytes keeps working.
    page = tmp_path / "公告.html"
    page.write_bytes("行业惩戒公告".encode())
    data = page.read_bytes()
    unchanged = Unchanged(len(data), hashlib.sha256(data).hexdigest(), str(page))
    assert bytes(unchanged) == data and len(unchanged) == len(data)
    assert "前缀：".encode() + unchanged == "前缀：".encode() + data


def test_a_batch_of_unchanged_outputs_is_claimed_like_the_others(tmp_path: Path) -> None:
    out = tmp_path / "public"
    site = {"index.html": "首页".encode(), "associations/甲协会/index.html": "甲".encode(),
            "associations/乙协会/index.html": "乙".encode()}
    _full(site, out)
    inode = os.stat(out / "associations/甲协会/index.html").st_ino
    stats = write_site([("index.html", "新首页".encode())], out, previous=list(site),
                       unchanged={"associations/甲协会/index.html": 3})
    # Untouched, counted; what neither the outputs nor the batch claim is gone.
    assert _tree(out) == {"index.html": "新首页".encode(), "associations/甲协会/index.html": "甲".encode()}
    assert os.stat(out / "associations/甲协会/index.html").st_ino == inode
    assert (stats.files, stats.reused) == (2, 1)
    # The same path from the outputs and the batch, or a path outside the output: refused,
    # the site left as it was.
    before = _tree(out)
    for batch in ({"index.html": 9}, {"../外面.html": 1}):
        with pytest.raises(ValueError):
            write_site([("index.html", "再改".encode())], out, previous=list(before), unchanged=batch)
        assert _tree(out) == before
    # A full write (no record of the previous output) links the batch from it.
    write_site([("index.html", "首页".encode())], out, unchanged={"associations/甲协会/index.html": 3})
    assert _tree(out) == {"index.html": "首页".encode(), "associations/甲协会/index.html": "甲".encode()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=SITES, after=SITES)
def test_the_stamps_of_written_files_are_those_on_disk(tmp_path_factory: pytest.TempPathFactory,
                                                      before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """`stamps` receives the size and modification time of every file the writer wrote (a
    full write, then an update that renames its staged files into place), as a stat of the
    file in the output sees them afterwards; files it linked or left alone get none."""
    out = tmp_path_factory.mktemp("写入") / "public"
    stamps: dict[str, tuple[int, int]] = {}
    write_site(before.items(), out, stamps=stamps)
    assert set(stamps) == set(before)
    for rel, (size, mtime_ns) in stamps.items():
        st = os.stat(out / rel)
        assert (size, mtime_ns) == (st.st_size, st.st_mtime_ns) and size == len(before[rel])
    stamps.clear()
    write_site(_as_update(after, out, before), out, previous=list(before), stamps=stamps)
    assert set(stamps) == {rel for rel, data in after.items() if before.get(rel) != data}
    for rel, (size, mtime_ns) in stamps.items():
        st = os.stat(out / rel)
        assert (size, mtime_ns) == (st.st_size, st.st_mtime_ns)
