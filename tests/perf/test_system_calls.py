"""Fewer system calls, the same results: content files read on their descriptor
(load._read_whole) give the bytes a file object gives, refuse what is too large and name an
unreadable file as open() names it; the cache knows its process id across a fork without
asking the system every time (cache.process_id)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import cache, load


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=200_000), st.text(alphabet="协会自律公约第十二条。\n—ab", max_size=50_000).map(str.encode)))
def test_a_content_file_reads_as_a_file_object_reads_it(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "公约.md"
    path.write_bytes(data)
    with open(path, "rb") as f:
        assert load._read_whole(str(path), len(data) + 1) == f.read()


def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "年度报告.md"
    path.write_bytes("报告".encode() * 1000)
    with pytest.raises(load._YamlError) as refused:
        load._read_whole(str(path), 5999)
    assert [d.code for d in refused.value.diagnostics] == ["file.too_large"]
    assert len(load._read_whole(str(path), 6000)) == 6000


@pytest.mark.parametrize("make", ["folder", "missing"])
def test_an_unreadable_file_is_named_as_open_names_it(tmp_path: Path, make: str) -> None:
    path = tmp_path / "不是文件.md"
    if make == "folder":
        path.mkdir()
    with pytest.raises(OSError) as expected:
        open(path, "rb").read()
    with pytest.raises(OSError) as got:
        load._read_whole(str(path), 1 << 20)
    assert (type(got.value), str(got.value)) == (type(expected.value), str(expected.value))


def test_the_process_id_follows_a_fork() -> None:
    parent = os.getpid()
    assert cache.process_id() == parent
    read, write = os.pipe()
    child = os.fork()
    if child == 0:          # the child: reports whether its id is its own, then leaves at once
        os.write(write, b"1" if cache.process_id() == os.getpid() != parent else b"0")
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    assert os.read(read, 1) == b"1"
    os.close(read)


def test_a_cold_full_write_looks_for_no_previous_files_and_writes_the_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no previous output, the full write compares no output with a previous file
    (no look-up per file); every file holds its bytes; a second full write over it links
    the unchanged ones and rewrites the changed one."""
    from generator import write
    outputs = {f"协会/公告-{i}/index.html": f"第{i}号公告".encode() * (i + 1) for i in range(30)}
    compared: list[str] = []
    same_bytes = write._same_bytes
    monkeypatch.setattr(write, "_same_bytes", lambda path, data: compared.append(path) or same_bytes(path, data))
    out = tmp_path / "网站"
    write.write_site(outputs.items(), out)
    assert compared == []
    assert {p: (out / p).read_bytes() for p in outputs} == outputs
    outputs["协会/公告-3/index.html"] = "更正后的公告".encode()
    stats = write.write_site(outputs.items(), out)
    assert len(compared) == 30 and stats.reused == 29
    assert {p: (out / p).read_bytes() for p in outputs} == outputs
