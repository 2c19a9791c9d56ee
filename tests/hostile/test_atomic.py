"""Atomic and deterministic: a failed build leaves public/ byte for byte as it was; the same
content builds to the same bytes whatever the time zone, locale, hash seed or the order in
which the file system lists files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from generator import pipeline
from generator.cli import main

from .conftest import AS_OF, write_rich
from .corpus import fresh_content, tree_digest

ROOT = Path(__file__).resolve().parents[2]


def _build_ok(content: Path, out: Path) -> None:
    result = pipeline.build(content, out, AS_OF)
    assert result.ok, [f"{d.file}:{d.line} {d.code}" for d in result.diagnostics]


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".public"))


def test_template_exception_leaves_previous_output(rich_content: Path, tmp_path: Path) -> None:
    public = tmp_path / "public"
    _build_ok(rich_content, public)
    before = tree_digest(public)
    override = rich_content / "theme" / "templates" / "document.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html" %}\n{% block content %}\n<h1>{{ view.title }}</h1>\n'
                        "{{ undefined_variable }}\n{% endblock %}\n", "utf-8")
    result = CliRunner().invoke(main, ["build", "--content", str(rich_content), "--out", str(public),
                                       "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "render.template_error" in result.output and "document.html:4:" in result.output
    assert tree_digest(public) == before
    assert _leftovers(tmp_path) == []


def test_exception_midway_through_writing_leaves_previous_output(rich_content: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    public = tmp_path / "public"
    _build_ok(rich_content, public)
    before = tree_digest(public)
    real = pipeline.outputs

    def failing(*args: object, **kwargs: object) -> Iterator[tuple[str, bytes]]:
        for n, (path, data) in enumerate(real(*args, **kwargs)):  # type: ignore[arg-type]
            if n == 10:
                raise OSError("disk full")
            yield path, b"changed " + data
    monkeypatch.setattr(pipeline, "outputs", failing)
    with pytest.raises(OSError):
        pipeline.build(rich_content, public, AS_OF)
    assert tree_digest(public) == before
    assert _leftovers(tmp_path) == []


def test_content_error_after_success_leaves_previous_output(rich_content: Path, tmp_path: Path) -> None:
    public = tmp_path / "public"
    _build_ok(rich_content, public)
    before = tree_digest(public)
    (rich_content / "associations/测试协会/charter.md").write_text("---\ntitle: 章程\nadopted_on: 2024-02-30\n---\n", "utf-8")
    assert not pipeline.build(rich_content, public, AS_OF).ok
    assert tree_digest(public) == before


# --- determinism ---------------------------------------------------------------------------

ENVIRONMENTS = [
    {"TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "1"},
    {"TZ": "Asia/Shanghai", "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8", "PYTHONHASHSEED": "2"},
    {"TZ": "America/New_York", "LANG": "en_US.ISO-8859-1", "LC_ALL": "POSIX", "PYTHONHASHSEED": "3"},
]


def _copy_in_order(src: Path, dst: Path, reverse: bool) -> None:
    """Create the files in a different order, so directory listings can come back differently."""
    files = sorted((p for p in src.rglob("*") if p.is_file()), reverse=reverse)
    for f in files:
        target = dst / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)


def _subprocess_build(content: Path, out: Path, env_extra: dict[str, str], *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "TZ", "SOURCE_DATE_EPOCH"))}
    env.update(env_extra)
    done = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--content", str(content),
                           "--out", str(out), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_same_content_same_bytes_across_environments(tmp_path: Path) -> None:
    source = write_rich(fresh_content(tmp_path / "source"))
    digests = []
    for i, env in enumerate(ENVIRONMENTS):
        content = tmp_path / f"copy{i}" / "content"  # same folder name: the CMS config names it
        _copy_in_order(source, content, reverse=bool(i % 2))
        out = tmp_path / f"public{i}"
        _subprocess_build(content, out, env, "--as-of", AS_OF.isoformat())
        digests.append(tree_digest(out))
    assert len(digests[0]) > 30
    for other in digests[1:]:
        assert other.keys() == digests[0].keys()
        assert [k for k in other if other[k] != digests[0][k]] == []


def test_example_site_is_byte_identical_across_environments(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLE_AS_OF, EXAMPLE_CONTENT
    digests = []
    for i, env in enumerate(ENVIRONMENTS[1:]):
        content = tmp_path / f"copy{i}" / "content"  # same folder name: the CMS config names it
        _copy_in_order(EXAMPLE_CONTENT, content, reverse=bool(i))
        _subprocess_build(content, tmp_path / f"public{i}", env, "--as-of", EXAMPLE_AS_OF.isoformat())
        digests.append(tree_digest(tmp_path / f"public{i}"))
    assert len(digests[0]) > 100
    assert digests[0].keys() == digests[1].keys()
    assert [k for k in digests[0] if digests[0][k] != digests[1][k]] == []


def test_source_date_epoch_fixes_the_build_date(tmp_path: Path) -> None:
    source = write_rich(fresh_content(tmp_path / "content"))
    # Noon UTC on AS_OF is already the next day in Kiribati (UTC+14): the epoch is read as UTC.
    epoch = int(dt.datetime.combine(AS_OF, dt.time(12), tzinfo=dt.timezone.utc).timestamp())
    _subprocess_build(source, tmp_path / "a", {"TZ": "Pacific/Kiritimati", "SOURCE_DATE_EPOCH": str(epoch)})
    _subprocess_build(source, tmp_path / "b", {"TZ": "UTC"}, "--as-of", AS_OF.isoformat())
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_git_dated_pages_do_not_depend_on_the_time_zone(tmp_path: Path) -> None:
    """Revision dates come from git; they must print the same whatever TZ the builder has."""
    from .test_tamper import _git
    content = write_rich(fresh_content(tmp_path / "repo" / "content"))
    _git(content.parent, "init", "-q", "-b", "main")
    _git(content.parent, "add", "-A")
    _git(content.parent, "commit", "-qm", "首次发布", date="2025-06-10T23:30:00+08:00")
    for i, env in enumerate(ENVIRONMENTS):
        _subprocess_build(content, tmp_path / f"public{i}", env, "--as-of", AS_OF.isoformat())
    first = tree_digest(tmp_path / "public0")
    page = (tmp_path / "public0/associations/测试协会/sanctions/2025-批评-002/index.html").read_text("utf-8")
    assert "首次发布" in page
    for i in (1, 2):
        other = tree_digest(tmp_path / f"public{i}")
        assert [k for k in first if first[k] != other.get(k)] == []
