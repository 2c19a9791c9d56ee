"""An incremental build must write exactly what a clean build writes, byte for byte.

Correctness, not timing: after each kind of edit a secretariat makes (a body, a title a
sibling page shows, a profile, a new and a deleted disclosure, a theme override, another
as-of date), `gongshi build` over the previous output and its cache must equal a clean
build of the same content into an empty folder with no cache.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.incremental import Session

from .corpora import synthetic_corpus

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 6, 30)
_CLEAN_CACHE = Path("/nonexistent")


@pytest.fixture(autouse=True, scope="module")
def _clean_cache_root(tmp_path_factory: pytest.TempPathFactory) -> None:
    global _CLEAN_CACHE
    _CLEAN_CACHE = tmp_path_factory.mktemp("clean-cache")


def _corpus(dest: Path) -> Path:
    return synthetic_corpus(dest, documents=40, associations=2, seed=7)


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _clean_build(content: Path, tmp: Path, as_of: dt.date, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    out = tmp / "clean"
    shutil.rmtree(out, ignore_errors=True)
    with monkeypatch.context() as m:
        # Nothing carried over from earlier builds: the per-content cache folders go (tools
        # installed once into the cache root, like the editor's npm package, may stay).
        fresh = _CLEAN_CACHE
        for d in fresh.glob("*"):
            if d.is_dir() and len(d.name) == 12 and all(c in "0123456789abcdef" for c in d.name):
                shutil.rmtree(d)
        m.setenv("GONGSHI_CACHE", str(fresh))
        result = pipeline.build(content, out, as_of, search=False, incremental=False)
    assert result.ok, [d for d in result.diagnostics]
    return _tree(out)


TIMELESS = ("conventions", "standards", "credit-commitments", "ethics-codes", "fee-standards", "anti-bribery")


def _timeless_document(content: Path) -> Path:
    # A disclosure without a publication period and public: its page certainly exists.
    return sorted(p for p in content.glob("associations/*/*/*.md") if p.parent.name in TIMELESS)[0]


def _edit_body(content: Path) -> None:
    p = _timeless_document(content)
    p.write_text(p.read_text(encoding="utf-8") + "\n补充说明：经复核，当事单位已于次月完成整改。\n", encoding="utf-8")


def _edit_title(content: Path) -> None:
    # A title shows on its association's page, the lists and any page that references it.
    p = sorted(p for p in content.glob("associations/*/*/*.md") if p.parent.name in TIMELESS)[-1]
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace('title: "', 'title: "（修订）', 1), encoding="utf-8")


def _edit_profile(content: Path) -> None:
    p = sorted(content.glob("associations/*/association.yaml"))[0]
    text = p.read_text(encoding="utf-8")
    p.write_text(text.replace('name: "', 'name: "广东省', 1), encoding="utf-8")


def _add_document(content: Path) -> None:
    src = _timeless_document(content)
    dst = src.with_name("2026-行业惩戒-新增.md")
    dst.write_text(src.read_text(encoding="utf-8").replace('title: "', 'title: "新增：', 1), encoding="utf-8")


def _delete_document(content: Path) -> None:
    sorted(p for p in content.glob("associations/*/*/*.md") if p.parent.name in TIMELESS)[1].unlink()


def _theme_override(content: Path) -> None:
    base = (ROOT / "themes" / "default" / "templates" / "404.html").read_text(encoding="utf-8")
    (content / "theme" / "templates").mkdir(parents=True, exist_ok=True)
    (content / "theme" / "templates" / "404.html").write_text(base + "<!-- 本站自定义 404 -->\n", encoding="utf-8")


EDITS = {"正文": _edit_body, "标题": _edit_title, "协会概况": _edit_profile, "新增文件": _add_document,
         "删除文件": _delete_document, "主题覆盖": _theme_override}


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    content = _corpus(tmp_path / "内容")
    out = tmp_path / "public"
    first = pipeline.build(content, out, AS_OF, search=False)
    assert first.ok
    return content, out


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_incremental_build_equals_clean_build(site: tuple[Path, Path], edit: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    content, out = site
    before = _tree(out)
    EDITS[edit](content)
    result = pipeline.build(content, out, AS_OF, search=False)
    assert result.ok and result.stats is not None
    after = _tree(out)
    assert after == _clean_build(content, tmp_path, AS_OF, monkeypatch)
    assert after != before                                  # the edit did reach the site
    assert result.stats.reused > result.stats.files // 2    # and most of the site was kept


def test_another_as_of_date_rebuilds_what_time_changes(site: tuple[Path, Path], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    content, out = site
    later = dt.date(2029, 1, 15)        # sanctions of 2026 have left their publication period
    assert pipeline.build(content, out, later, search=False).ok
    assert _tree(out) == _clean_build(content, tmp_path, later, monkeypatch)


def test_a_tampered_output_file_is_rewritten(site: tuple[Path, Path], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    content, out = site
    page = next(out.glob("associations/*/sanctions/*/index.html"))
    page.write_bytes(page.read_bytes().replace("行业惩戒".encode(), "篡改内容".encode()))
    assert pipeline.build(content, out, AS_OF, search=False).ok
    assert _tree(out) == _clean_build(content, tmp_path, AS_OF, monkeypatch)


def test_serve_session_returns_what_changed_and_matches_a_clean_build(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    content = _corpus(tmp_path / "内容")
    session = Session(content, AS_OF, search=False)
    first = session.build()
    assert first.ok and first.outputs
    _edit_body(content)
    again = session.rebuild([_timeless_document(content)])
    assert again.ok
    assert again.outputs and not again.full
    edited = _timeless_document(content).relative_to(content).parts[1]
    # What may show the edit, not the site: the other association's pages are kept.
    assert not {p for p in again.outputs if p.startswith("associations/") and p.count("/") > 1
                and p.split("/")[1] != edited and not p.endswith("feed.xml")}
    assert len(again.outputs) < len(first.outputs)
    doomed = sorted(p for p in content.glob("associations/*/*/*.md") if p.parent.name in TIMELESS)[1]
    _delete_document(content)
    gone = session.rebuild([doomed])
    assert gone.ok and gone.removed                        # the deleted commitment's pages
    assert session.files == _clean_build(content, tmp_path, AS_OF, monkeypatch)


def test_serve_session_after_a_chain_of_edits_matches_a_clean_build_each_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The session reuses every unchanged file's parse and validation: an edit, a broken file
    # and its repair must each show exactly what a clean build of that moment shows.
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    content = _corpus(tmp_path / "内容")
    session = Session(content, AS_OF, search=False)
    assert session.build().ok
    _edit_profile(content)
    assert session.rebuild().ok
    assert session.files == _clean_build(content, tmp_path / "一", AS_OF, monkeypatch)
    broken = _timeless_document(content)
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("title:", "标题:", 1), encoding="utf-8")
    failed = session.rebuild([broken])
    assert not failed.ok and any(d.file == str(broken) for d in failed.diagnostics)
    broken.write_text(good, encoding="utf-8")
    _edit_title(content)
    # The watcher's list is complete: the repaired file and the one whose title changed.
    titled = sorted(p for p in content.glob("associations/*/*/*.md") if p.parent.name in TIMELESS)[-1]
    assert session.rebuild([broken, titled]).ok
    assert session.files == _clean_build(content, tmp_path / "二", AS_OF, monkeypatch)
