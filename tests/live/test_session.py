"""The preview's warm session serves, after every edit, exactly what a clean build writes.

Correctness, not timing: a chain of the edits a secretariat makes while previewing (a body,
a title other pages show, a new and a deleted disclosure, a profile, a file broken and
repaired, site.yaml) — after each, every file the session serves equals the file a clean
`pipeline.build` of the same content writes, and no output is missing or extra.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.live import Session
from tests.perf.test_incremental import (AS_OF, _add_document, _clean_build, _clean_cache_root, _corpus,
                                         _delete_document, _edit_body, _edit_profile, _edit_title, _timeless_document, TIMELESS)

# (`_clean_cache_root`, autouse: clean builds get a fresh cache root of this module's own.)
_ = _clean_cache_root


def _served(session: Session) -> dict[str, bytes]:
    return session.files


@pytest.fixture()
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    return _corpus(tmp_path / "内容")


def test_a_chain_of_edits_serves_a_clean_build_each_time(content: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(content, AS_OF, search=False)
    assert session.build().ok
    edited = _timeless_document(content)
    page = edited.relative_to(content).with_suffix("").as_posix() + "/index.html"
    assert session.page(page) is not None           # a page asked for before the edit
    steps = {
        "正文": lambda: [_edit_body(content), edited][1:],
        "标题": lambda: _edit_title(content),
        "新增文件": lambda: _add_document(content),
        "删除文件": lambda: _delete_document(content),
        "协会概况": lambda: _edit_profile(content),
    }
    for n, (name, step) in enumerate(steps.items()):
        before = set(content.rglob("*"))
        stamps = {p: p.stat().st_mtime_ns for p in before if p.is_file()}
        step()
        after = set(content.rglob("*"))
        changed = sorted((before ^ after) | {p for p in after & before if p.is_file()
                                             and p.stat().st_mtime_ns != stamps.get(p)})
        result = session.rebuild(changed)
        assert result.ok and not result.full, name         # one association read again, not the site
        assert _served(session) == _clean_build(content, tmp_path / f"clean-{n}", AS_OF, monkeypatch), name
        assert session.mispredicted == 0, name      # the site-wide paths were the ones promised


def test_the_edited_page_shows_the_edit_and_other_associations_are_kept(content: Path) -> None:
    session = Session(content, AS_OF, search=False)
    assert session.build().ok
    edited = _timeless_document(content)
    slug = edited.relative_to(content).parts[1]
    page = edited.relative_to(content).with_suffix("").as_posix() + "/index.html"
    others = {p for p in session.artifacts if p.split("/")[0] == "associations" and p.count("/") > 1
              and p.split("/")[1] != slug and not p.endswith("feed.xml")}
    assert others, "the corpus has a second association"
    for p in others:
        session.page(p)
    _edit_body(content)
    result = session.rebuild([edited])
    assert result.ok and page in result.outputs and f"en/{page}" in result.outputs
    assert not result.outputs & others                   # the other association's pages are kept
    assert "补充说明：经复核" in session.page(page).decode()
    assert "补充说明：经复核" in session.page(f"en/{page}").decode()


def test_a_broken_file_fails_and_its_repair_serves_the_site_again(content: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(content, AS_OF, search=False)
    assert session.build().ok
    broken = _timeless_document(content)
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("title:", "标题:", 1), encoding="utf-8")
    failed = session.rebuild([broken])
    assert not failed.ok and any(d.file == str(broken) for d in failed.diagnostics)
    # Another association edited while this one is broken: still broken, still no new site.
    _edit_title(content)
    assert not session.rebuild([p for p in content.rglob("*.md")]).ok
    broken.write_text(good.replace("title: \"", "title: \"（已修复）", 1), encoding="utf-8")
    assert session.rebuild([broken]).ok
    assert _served(session) == _clean_build(content, tmp_path / "clean", AS_OF, monkeypatch)


def test_site_configuration_and_a_new_day_read_everything_again(content: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(content, AS_OF, search=False)
    assert session.build().ok
    site_yaml = content / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(text.replace("title: ", "title: 试运行·", 1), encoding="utf-8")
    result = session.rebuild([site_yaml])
    assert result.ok and result.full
    assert _served(session) == _clean_build(content, tmp_path / "clean", AS_OF, monkeypatch)
    session.as_of = later = dt.date(2029, 1, 15)
    assert session.rebuild([_timeless_document(content)]).full
    assert _served(session) == _clean_build(content, tmp_path / "later", later, monkeypatch)


def test_a_page_that_does_not_exist_is_none(content: Path) -> None:
    session = Session(content, AS_OF, search=False)
    assert session.build().ok
    assert session.page("associations/没有这个协会/index.html") is None
    assert session.page("index.html") is not None


def test_search_files_are_listed_when_asked_for_and_match_a_clean_build(content: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Search is costly to list (it exports the index): the preview lists it when a search file
    # is asked for; the pages say "search/index.html" exists all along, as a build's do.
    import shutil

    from generator import pipeline
    from tests.perf.test_incremental import _tree
    session = Session(content, AS_OF, search=True)
    assert session.build().ok
    assert session.page("index.html") is not None
    _edit_body(content)
    assert session.rebuild([_timeless_document(content)]).ok
    search_page = session.page("search/index.html")
    assert search_page is not None and "<html" in search_page.decode()
    out = tmp_path / "clean-search"
    with monkeypatch.context() as m:
        m.setenv("GONGSHI_CACHE", str(tmp_path / "另一个缓存"))
        assert pipeline.build(content, out, AS_OF, search=True, incremental=False).ok
    clean = _tree(out)
    shutil.rmtree(out)
    assert any(p.startswith("search/") and p != "search/index.html" for p in clean)
    assert session.files == clean


def test_edits_in_a_row_without_a_page_asked_between_them(content: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # The site-wide outputs an edit leaves to be listed later must be listed with every edit
    # made since, and only a real surprise may count as a broken promise.
    session = Session(content, AS_OF, search=False)
    assert session.build().ok
    _edit_body(content)
    assert session.rebuild([_timeless_document(content)]).ok
    titled = sorted(p for p in content.glob("associations/*/*/*.md") if p.parent.name in TIMELESS)[-1]
    _edit_title(content)
    assert session.rebuild([titled]).ok
    before = set(content.rglob("*.md"))
    _add_document(content)
    assert session.rebuild(sorted(set(content.rglob("*.md")) - before)).ok
    assert session.mispredicted == 0
    assert _served(session) == _clean_build(content, tmp_path / "clean", AS_OF, monkeypatch)
    # A full read after them lists a new model from scratch: no promise was made about it.
    _edit_body(content)
    assert session.rebuild([_timeless_document(content)]).ok
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("title: ", "title: 试运行·", 1),
                         encoding="utf-8")
    assert session.rebuild([site_yaml]).full
    assert session.mispredicted == 0
    assert _served(session) == _clean_build(content, tmp_path / "clean-full", AS_OF, monkeypatch)

