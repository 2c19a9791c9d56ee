"""A repeated `gongshi build` over its own output and cache equals a clean build, byte for byte.

The repeated build keeps a lot between runs: each file's validated model (by its stat and
bytes), each association's evaluation (by its files, the calendar, the as-of date, the
configuration and the code), and the record of what it wrote. Whatever a secretariat does
between two builds — edit, add or delete disclosures, change site.yaml or a calendar year,
build as of another day, drop a file into public/ by hand, save a broken file — the next
build must write exactly the tree a clean build (empty output folder, no cache) writes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline

from .corpora import synthetic_corpus

AS_OF = dt.date(2026, 6, 30)


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _dirs(path: Path) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_dir()}


# Two cache roots for the whole module: tools installed into a root once (the editor's npm
# package) stay there, as on a secretariat's machine; what a build keeps per content folder
# lives in a subfolder of the root named after that folder.
ROOTS: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def _cache_roots(tmp_path_factory: pytest.TempPathFactory) -> None:
    ROOTS["repeated"] = tmp_path_factory.mktemp("缓存")
    ROOTS["clean"] = tmp_path_factory.mktemp("干净缓存")


def _forget_content_caches(root: Path) -> None:
    for d in root.glob("*"):
        if d.is_dir() and len(d.name) == 12 and all(c in "0123456789abcdef" for c in d.name):
            shutil.rmtree(d)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_corpus(tmp_path_factory.mktemp("语料") / "内容", documents=36, associations=3, seed=11)


class Scene:
    """One content folder, its output and its cache; `clean()` builds the same content afresh."""

    def __init__(self, base: Path, corpus: Path) -> None:
        self.base = base
        self.content = base / "内容"
        shutil.copytree(corpus, self.content)
        self.out = base / "public"
        self.as_of = AS_OF
        self.clean_runs = 0

    def _env(self, cache: Path) -> dict[str, str | None]:
        saved = {k: os.environ.get(k) for k in ("GONGSHI_CACHE", "GONGSHI_SEARCH")}
        os.environ["GONGSHI_CACHE"] = str(cache)
        os.environ["GONGSHI_SEARCH"] = "0"
        return saved

    @staticmethod
    def _restore(saved: dict[str, str | None]) -> None:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def build(self) -> pipeline.BuildResult:
        saved = self._env(ROOTS["repeated"])
        try:
            return pipeline.build(self.content, self.out, self.as_of)
        finally:
            self._restore(saved)

    def clean(self) -> tuple[dict[str, bytes], set[str]]:
        self.clean_runs += 1
        out = self.base / f"clean-{self.clean_runs}"
        _forget_content_caches(ROOTS["clean"])     # nothing kept from an earlier build
        saved = self._env(ROOTS["clean"])
        try:
            result = pipeline.build(self.content, out, self.as_of, incremental=False)
        finally:
            self._restore(saved)
        assert result.ok, result.diagnostics
        tree, dirs = _tree(out), _dirs(out)
        shutil.rmtree(out)
        return tree, dirs

    def documents(self) -> list[Path]:
        return sorted(self.content.glob("associations/*/*/*.md"))


# --- what a secretariat does between two builds ----------------------------------------------


def edit_body(s: Scene, n: int) -> None:
    docs = s.documents()
    p = docs[n % len(docs)]
    p.write_text(p.read_text(encoding="utf-8") + f"\n补充说明（第{n}次）：经复核，当事单位已完成整改。\n", encoding="utf-8")


def edit_title(s: Scene, n: int) -> None:
    docs = s.documents()
    p = docs[n % len(docs)]
    p.write_text(p.read_text(encoding="utf-8").replace('title: "', f'title: "（修订{n}）', 1), encoding="utf-8")


def add_document(s: Scene, n: int) -> None:
    docs = s.documents()
    src = docs[n % len(docs)]
    dst = src.with_name(f"{src.stem}-补{n}.md")
    if src.parent.name == "annual-reports" or dst.exists():
        dst = src.with_name(f"{src.stem}-{n}.md")     # an annual report's name starts with its year
    dst.write_text(src.read_text(encoding="utf-8").replace('title: "', 'title: "新增：', 1), encoding="utf-8")


def delete_document(s: Scene, n: int) -> None:
    # One no other file references (deleting a referenced one is an error: see the broken-file test).
    docs = s.documents()
    texts = {d: d.read_text(encoding="utf-8") for d in docs}
    free = [d for d in docs if not any(f"{d.parent.name}/{d.stem}" in t for o, t in texts.items() if o != d)]
    if len(docs) > 5 and free:
        free[n % len(free)].unlink()


def edit_site(s: Scene, n: int) -> None:
    p = s.content / "site.yaml"
    text = p.read_text(encoding="utf-8")
    if "page_size:" in text:
        text = "\n".join(line for line in text.split("\n") if not line.startswith("page_size:"))
    p.write_text(text.rstrip("\n") + f"\npage_size: {5 + n % 7}\n", encoding="utf-8")


def edit_calendar(s: Scene, n: int) -> None:
    # A working day in March 2026 becomes a holiday: working-day deadlines move.
    day = 2 + n % 20
    (s.content / "calendar").mkdir(exist_ok=True)
    (s.content / "calendar" / "2026.yaml").write_text(
        "year: 2026\nnotice_title: 关于2026年部分节假日安排的通知（测试）\nholidays:\n"
        f"  - {{name: 元旦, start: 2026-01-01, end: 2026-01-03}}\n"
        f"  - {{name: 调休, start: 2026-03-{day:02d}, end: 2026-03-{day:02d}}}\n", encoding="utf-8")


def change_as_of(s: Scene, n: int) -> None:
    s.as_of = AS_OF + dt.timedelta(days=(n % 5) * 200 - 400)


def stray_files(s: Scene, n: int) -> None:
    # Files put into public/ by hand: a clean build has none of them.
    (s.out / f"手工放置-{n}.html").write_text("<p>手工上传</p>", encoding="utf-8")
    folder = next(iter(sorted(s.out.glob("associations/*/"))), s.out) / f"附件-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "说明.txt").write_text("手工放置的文件", encoding="utf-8")


def tamper_output(s: Scene, n: int) -> None:
    pages = sorted(s.out.glob("associations/*/index.html"))
    if pages:
        page = pages[n % len(pages)]
        page.write_bytes(page.read_bytes() + "<!-- 手工修改 -->".encode())


def age_files(s: Scene, n: int) -> None:
    # Old enough that the per-file cache trusts the files' stat next time.
    when = 1_700_000_000 - n
    for p in s.content.rglob("*"):
        if p.is_file():
            os.utime(p, (when, when))


def delete_output(s: Scene, n: int) -> None:
    # An output file removed by hand, in an association the next edit may not touch.
    pages = sorted(s.out.glob("associations/*/*/*/index.html"))
    if pages:
        pages[n % len(pages)].unlink()


def edit_referenced_title(s: Scene, n: int) -> None:
    # The title of a document another one refers to: the referring page shows it.
    texts = {d: d.read_text(encoding="utf-8") for d in s.documents()}
    cited = [d for d in texts if any(f"{d.parent.name}/{d.stem}" in t for o, t in texts.items() if o != d)]
    if cited:
        p = cited[n % len(cited)]
        p.write_text(texts[p].replace('title: "', f'title: "（更名{n}）', 1), encoding="utf-8")


def damage_build_state(s: Scene, n: int) -> None:
    # One association's entry in the build state unreadable: that association is listed again.
    import sqlite3

    from generator.cache import cache_dir, database_name
    db = cache_dir(s.content).relative_to(cache_dir(s.content).parent)
    path = ROOTS["repeated"] / db / database_name("build_state")
    if path.is_file():
        with sqlite3.connect(path) as conn:
            keys = sorted(k for (k,) in conn.execute("SELECT k FROM build_state") if "\0a\0" in k)
            if keys:
                conn.execute("UPDATE build_state SET v = ? WHERE k = ?", (b"\x00not marshal", keys[n % len(keys)]))


def build_without_state(s: Scene, n: int) -> None:
    # A build that keeps no state over the same output (GONGSHI_INCREMENTAL=0): the next
    # repeated build must not trust the record of the one before it.
    saved = s._env(ROOTS["repeated"])
    try:
        assert pipeline.build(s.content, s.out, s.as_of, incremental=False).ok
    finally:
        s._restore(saved)


STEPS: dict[str, Callable[[Scene, int], None]] = {
    "正文": edit_body, "标题": edit_title, "新增": add_document, "删除": delete_document,
    "site.yaml": edit_site, "日历": edit_calendar, "评估日期": change_as_of, "手工文件": stray_files,
    "篡改输出": tamper_output, "旧文件": age_files, "删除输出": delete_output, "被引标题": edit_referenced_title,
    "损坏状态": damage_build_state, "无状态构建": build_without_state,
}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 999)), min_size=1, max_size=5))
def test_any_sequence_of_edits_builds_what_a_clean_build_builds(tmp_path_factory: pytest.TempPathFactory,
                                                                corpus: Path, steps: list[tuple[str, int]]) -> None:
    s = Scene(tmp_path_factory.mktemp("重复构建"), corpus)
    age_files(s, 0)
    assert s.build().ok
    for name, n in steps:
        STEPS[name](s, n)
        result = s.build()
        assert result.ok, (name, result.diagnostics)
        tree, dirs = s.clean()
        assert _tree(s.out) == tree, name
        assert _dirs(s.out) == dirs, name          # no folder left behind either
    shutil.rmtree(s.base)


def test_a_broken_file_fails_the_build_and_leaves_public_as_it_was(tmp_path: Path, corpus: Path) -> None:
    s = Scene(tmp_path, corpus)
    age_files(s, 0)
    assert s.build().ok
    edit_body(s, 1)
    assert s.build().ok
    before = _tree(s.out)
    broken = s.documents()[2]
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("title:", "标题:", 1), encoding="utf-8")
    failed = s.build()
    assert not failed.ok and any(d.file == str(broken) for d in failed.diagnostics)
    assert _tree(s.out) == before
    broken.write_text(good, encoding="utf-8")
    assert s.build().ok
    assert _tree(s.out) == s.clean()[0]


def test_files_placed_in_public_by_hand_go_as_a_full_write_would_remove_them(tmp_path: Path, corpus: Path) -> None:
    s = Scene(tmp_path, corpus)
    assert s.build().ok
    stray_files(s, 7)
    edit_body(s, 3)
    assert s.build().ok
    tree, dirs = s.clean()
    assert not any("手工" in p or "附件" in p for p in _tree(s.out))
    assert _tree(s.out) == tree and _dirs(s.out) == dirs


def test_folders_the_last_update_vouched_for_still_give_up_what_was_put_into_them(
        tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer lists only the folders whose change time moved since it last looked (and
    those it looked at too recently to tell): a file put into any folder moves its time."""
    import time

    s = Scene(tmp_path, corpus)
    assert s.build().ok
    assert s.build().ok                   # an update: it records what it saw of every folder
    time.sleep(2.2)                       # long enough before the next look to be trusted
    assert s.build().ok
    listed = folders_listed(monkeypatch)
    stray_files(s, 5)                                          # the root and an association's folder
    deep = sorted(p for p in s.out.rglob("*") if p.is_dir())[-1]
    (deep / "备份.html").write_text("旧版本", encoding="utf-8")   # a folder deep down
    delete_document(s, 4)                                      # and a page that is no output any more
    assert s.build().ok
    folders = {p for p in s.out.rglob("*") if p.is_dir()}
    assert 0 < listed[-1] < len(folders) // 2                  # most folders were not listed
    tree, dirs = s.clean()
    assert _tree(s.out) == tree and _dirs(s.out) == dirs


def test_a_body_edit_lists_only_its_association_and_renders_only_its_own_pages(
        tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What makes a repeated build cheap, and what a clean build still agrees with: the other
    associations' outputs come from the build state (not listed, not rendered), and in the
    edited one only the edited document's pages are rendered again (its siblings show
    nothing of its body)."""
    from generator import incremental, render
    s = Scene(tmp_path, corpus)
    age_files(s, 0)
    assert s.build().ok
    assert s.build().ok                                    # the state now records every association
    listed: list[str] = []
    real_pages = render.association_pages

    def listing(site, evaluation, assoc, shown=None):      # type: ignore[no-untyped-def]
        listed.append(assoc.slug)
        return real_pages(site, evaluation, assoc, shown)
    rendered: list[str] = []
    real_fill = incremental.BuildState.fill

    def filling(self, artifact, data):                     # type: ignore[no-untyped-def]
        if data is not None:
            rendered.append(artifact.path)
        return real_fill(self, artifact, data)
    monkeypatch.setattr(render, "association_pages", listing)
    monkeypatch.setattr(incremental.BuildState, "fill", filling)
    edited = next(d for d in s.documents()       # one on the public site (its page exists)
                  if (s.out / "associations" / d.parent.parent.name / d.parent.name / d.stem / "index.html").is_file())
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充说明：已整改。\n", encoding="utf-8")
    assert s.build().ok
    slug = edited.parent.parent.name
    assert listed == [slug]
    documents = {p for p in rendered if p.count("/") >= 4 and "/associations/" in "/" + p and "/page/" not in p}
    assert {p.removeprefix("en/") for p in documents} == {f"associations/{slug}/{edited.parent.name}/{edited.stem}/index.html"}
    tree, dirs = s.clean()
    assert _tree(s.out) == tree and _dirs(s.out) == dirs


def test_an_output_changed_by_hand_in_an_untouched_association_is_made_again(tmp_path: Path, corpus: Path) -> None:
    s = Scene(tmp_path, corpus)
    assert s.build().ok
    assert s.build().ok
    pages = sorted(s.out.glob("associations/*/*/*/index.html"))
    pages[0].write_bytes(pages[0].read_bytes().replace(b"</main>", "<p>手工插入</p></main>".encode()))
    pages[-1].unlink()
    edit_body(s, 5)
    assert s.build().ok
    tree, dirs = s.clean()
    assert _tree(s.out) == tree and _dirs(s.out) == dirs


def test_a_new_document_lists_each_association_once(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new document changes the set of output paths, which every key holds: the associations
    the build state kept are listed after all, but only they (the one listed already, and
    the site-wide pages, are not listed a second time)."""
    from generator import render
    s = Scene(tmp_path, corpus)
    age_files(s, 0)
    assert s.build().ok
    assert s.build().ok
    listed: list[str] = []
    real_pages = render.association_pages

    def listing(site, evaluation, assoc, shown=None):      # type: ignore[no-untyped-def]
        listed.append(assoc.slug)
        return real_pages(site, evaluation, assoc, shown)
    monkeypatch.setattr(render, "association_pages", listing)
    add_document(s, 3)
    assert s.build().ok
    slugs = sorted(p.name for p in (s.content / "associations").iterdir() if p.is_dir())
    assert sorted(listed) == slugs
    tree, dirs = s.clean()
    assert _tree(s.out) == tree and _dirs(s.out) == dirs


def test_the_site_feeds_are_made_again_only_when_what_they_show_changes(
        tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import feeds, incremental
    from generator.views import public_documents
    monkeypatch.setattr(feeds, "FEED_ENTRIES", 3)          # most documents are not in the feed
    s = Scene(tmp_path, corpus)
    age_files(s, 0)
    assert s.build().ok
    assert s.build().ok
    rendered: list[str] = []
    real_fill = incremental.BuildState.fill

    def filling(self, artifact, data):                     # type: ignore[no-untyped-def]
        if data is not None:
            rendered.append(artifact.path)
        if artifact.path == "feed.xml":
            shown.extend(d.raw.rel for d in feeds.feed_entries(public_documents(self.site, self.evaluation)))
        return real_fill(self, artifact, data)
    shown: list[str] = []
    monkeypatch.setattr(incremental.BuildState, "fill", filling)
    assert s.build().ok
    newest = shown[:3]
    assert len(newest) == 3
    # A body edit to a document the feed does not show: the feed stays as it is.
    other = next(d for d in s.documents() if d.relative_to(s.content).as_posix() not in newest)
    other.write_text(other.read_text(encoding="utf-8") + "\n补充说明：已整改。\n", encoding="utf-8")
    rendered.clear()
    assert s.build().ok
    assert "feed.xml" not in rendered and "sanctions/feed.xml" not in rendered
    tree, dirs = s.clean()
    assert _tree(s.out) == tree and _dirs(s.out) == dirs
    # A title edit to one it shows: made again, as a clean build makes it.
    shown_doc = s.content / newest[0]
    shown_doc.write_text(shown_doc.read_text(encoding="utf-8").replace('title: "', 'title: "（更正）', 1), encoding="utf-8")
    rendered.clear()
    assert s.build().ok
    assert "feed.xml" in rendered
    tree, dirs = s.clean()
    assert _tree(s.out) == tree and _dirs(s.out) == dirs


def test_the_update_after_a_full_write_trusts_its_folders_and_still_sees_what_was_put_in(
        tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full write looks at the folders it made: the next update lists only those whose
    change time moved (a file put into one moves it), not the whole tree."""
    import time

    from generator import write
    # A build of this small corpus takes less than the time a change time must be older than
    # the look to be trusted (write.RACY_NS): here any older one is.
    monkeypatch.setattr(write, "RACY_NS", 0)
    s = Scene(tmp_path, corpus)
    assert s.build().ok                   # a full write (no output before)
    time.sleep(0.05)
    listed = folders_listed(monkeypatch)
    deep = sorted(p for p in s.out.rglob("*") if p.is_dir())[-1]
    (deep / "手工.html").write_text("手工放置", encoding="utf-8")
    edit_body(s, 2)
    assert s.build().ok
    folders = {p for p in s.out.rglob("*") if p.is_dir()}
    assert 0 < listed[-1] < len(folders) // 2
    tree, dirs = s.clean()
    assert _tree(s.out) == tree and _dirs(s.out) == dirs


def folders_listed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many folders the writer lists in each build from now on (its `_unclaimed` walk)."""
    from generator import write
    listed: list[int] = []
    real = write._unclaimed

    def counting(*args: object) -> tuple[list[str], list[str], list[str], dict[str, int]]:
        found = real(*args)  # type: ignore[arg-type]
        listed.append(len(found[2]))
        return found
    monkeypatch.setattr(write, "_unclaimed", counting)
    return listed
