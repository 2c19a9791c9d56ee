"""Render workers write their outputs into the writer's staging folder themselves (a full
write: only sizes and digests travel back). What readers and deployers rely on must not
change: the same bytes as a one-process build, the manifest's digests, unchanged files kept
as hard links, and a failed build leaving the previous site and no staging folder behind."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from generator import parallel, pipeline
from generator.write import Staging, UnsafeOutputPath

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 20)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and ".new-" in p.name)


@pytest.fixture()
def workers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Two forked workers even for the small example site (it is under SERIAL_BELOW)."""
    monkeypatch.setenv("GONGSHI_JOBS", "2")
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(parallel, "SERIAL_BELOW", 0)
    monkeypatch.setattr(parallel, "CHUNK", 5)       # many slices: order and hand-over matter


def _build(content: Path, out: Path, **kw: object) -> pipeline.BuildResult:
    result = pipeline.build(content, out, AS_OF, search=False, **kw)  # type: ignore[arg-type]
    assert result.ok, [f"{d.file}:{d.line} {d.code}" for d in result.diagnostics]
    return result


def test_workers_writing_give_the_bytes_of_a_one_process_build(workers: None, content_copy: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    placed: list[str] = []
    real = Staging.place

    def counting(self: Staging, rel: str, chunks: object) -> object:
        placed.append(rel)
        return real(self, rel, chunks)  # type: ignore[arg-type]
    monkeypatch.setattr(Staging, "place", counting)
    parallel_out = tmp_path / "两核" / "public"
    _build(content_copy, parallel_out, incremental=False)
    monkeypatch.setenv("GONGSHI_JOBS", "1")
    serial_out = tmp_path / "单核" / "public"
    _build(content_copy, serial_out, incremental=False)
    # Placing happens in the forked workers: what the parent counted is nothing; the tree says.
    assert placed == []
    assert _tree(parallel_out) == _tree(serial_out)
    assert "admin/config.yml" in _tree(parallel_out) or not shutil.which("npm")


def test_the_manifest_lists_the_digest_of_every_file_workers_wrote(workers: None, content_copy: Path,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "public"
    _build(content_copy, out, incremental=False)
    files = _tree(out)
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["files"] == {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}


def test_a_full_write_over_the_same_site_keeps_unchanged_files_as_links(workers: None, content_copy: Path,
                                                                       tmp_path: Path) -> None:
    out = tmp_path / "public"
    _build(content_copy, out, incremental=False)
    inodes = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    page = next(p for p in sorted((content_copy / "associations").glob("*/sanctions/*.md"))
                if (out / "associations" / p.parent.parent.name / "sanctions" / p.stem / "index.html").is_file())
    page.write_text(page.read_text("utf-8") + "\n补充：经复核，整改已完成。\n", "utf-8")
    stats = _build(content_copy, out, incremental=False).stats
    assert stats is not None and 0 < stats.reused < stats.files
    after = {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    kept = [rel for rel in after if inodes.get(rel) == after[rel]]
    assert len(kept) == stats.reused
    assert "robots.txt" in kept and "manifest.json" not in kept
    assert _leftovers(tmp_path) == []


def test_a_template_error_in_a_worker_leaves_the_previous_site(workers: None, content_copy: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "public"
    _build(content_copy, out, incremental=False)
    before = _tree(out)
    override = content_copy / "theme" / "templates" / "document.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text('{% extends "base.html" %}\n{% block content %}\n<h1>{{ view.title }}</h1>\n'
                        "{{ 未定义的变量 }}\n{% endblock %}\n", "utf-8")
    result = pipeline.build(content_copy, out, AS_OF, search=False, incremental=False)
    assert not result.ok
    found = [d for d in result.diagnostics if d.code == "render.template_error"]
    assert found and found[0].file.endswith("document.html") and found[0].line == 4
    assert _tree(out) == before
    assert _leftovers(tmp_path) == []


def test_placing_refuses_paths_outside_the_staging_folder_and_a_second_output(tmp_path: Path) -> None:
    staging = Staging(str(tmp_path / "staging"), str(tmp_path / "previous"))
    os.mkdir(staging.root)
    placed = staging.place("协会/公示/index.html", [b"<p>", "第一份".encode(), b"</p>"])
    assert (tmp_path / "staging" / "协会/公示/index.html").read_bytes() == "<p>第一份</p>".encode()
    assert placed.digest == hashlib.sha256("<p>第一份</p>".encode()).hexdigest() and len(placed) == placed.size
    for bad in ("../外面.html", "/etc/passwd", "a/../../b.html", ""):
        with pytest.raises(UnsafeOutputPath):
            staging.place(bad, [b"x"])
    with pytest.raises(UnsafeOutputPath):
        staging.place("协会/公示/index.html", [b"second"])
    assert not (tmp_path / "外面.html").exists()


def test_placing_links_only_when_every_byte_is_the_previous_file(tmp_path: Path) -> None:
    previous = tmp_path / "previous"
    (previous / "页").mkdir(parents=True)
    for name, data in (("same", "相同的内容".encode()), ("longer", b"abc"), ("shorter", b"abcdef"), ("differs", b"abcdef")):
        (previous / "页" / name).write_bytes(data)
    staging = Staging(str(tmp_path / "staging"), str(previous))
    os.mkdir(staging.root)
    cases = {"same": ["相同的".encode(), "内容".encode()], "longer": [b"ab", b"cd"], "shorter": [b"abc"],
             "differs": [b"abcdeF"], "new": [b"x"]}
    for name, chunks in cases.items():
        placed = staging.place(f"页/{name}", chunks)
        target = tmp_path / "staging" / "页" / name
        assert target.read_bytes() == b"".join(chunks)
        linked = name == "same"
        assert placed.linked is linked
        if name != "new":
            assert (target.stat().st_ino == (previous / "页" / name).stat().st_ino) is linked
