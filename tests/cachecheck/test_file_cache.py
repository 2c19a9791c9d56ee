"""The per-file cache of load and validate (generator.filecache) never changes what `check`
says: every diagnostic of a run served from the cache — file, line, column, code, severity
and message parameters — and every validated model are those of a run without it, on the
example content, on hostile files with errors and warnings, after an edit, and with a
corrupt or foreign cache. And it does its job: an unchanged file is not validated again."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import cache, filecache, pipeline, validate
from tests.conftest import EXAMPLE_CONTENT, FIXTURES

SANCTIONS = "associations/测试协会/sanctions"

# Files that give errors and warnings of every per-file and cross-file family: schema
# (missing field, impossible date, unknown field, bad enum, bad code), privacy (mobile,
# resident id, unmasked practitioner), placeholders, unsafe links, raw HTML, unknown
# references and members, missing attachments, YAML errors (duplicate key, tab).
HOSTILE: dict[str, str] = {
    "2025-警告-002.md": """---
title: 关于对深圳市乙公司予以警告的决定（含【待填写】）
decision_number: 深测协自律〔2025〕2号
subject:
  name: 深圳市乙公司
  uscc: 91440300MA5F00021C
measure: 警告
rule_broken: 《行业自律公约》第十二条
facts: 联系人手机 13812345678，身份证 110101199003074258。
basis: 《行业自律公约》第二十条
decided_by: 行业自律委员会
decided_on: 2025-04-25
published_on: 2025-05-06
references: [conventions/不存在的公约]
attachments:
  - {file: 不存在.pdf, title: 决定书}
---

正文里有 <b>粗体</b> 和 [链接](javascript:alert(1))，以及【待填写】。
""",
    "2025-警告-003.md": """---
title:
decision_number: 深测协自律〔2025〕3号
subject:
  name: 深圳市丙公司
  uscc: 91440300MA5F0003
measure: 严厉警告
titel: 拼错的字段
rule_broken: 第十二条
facts: 事实。
basis: 第二十条
decided_by: 行业自律委员会
decided_on: 2025-02-30
---
正文。
""",
    "2025-警告-004.md": """---
title: 关于对从业人员张三丰予以警告的决定
decision_number: 深测协自律〔2025〕4号
subject:
  name: 张三丰
  type: 从业人员
measure: 警告
rule_broken: 第十二条
facts: 张三丰在宣传中使用“最高级”用语。
basis: 第二十条
decided_by: 行业自律委员会
decided_on: 2025-04-25
published_on: 2025-05-06
---

经查，张三丰违反公约。
""",
    "2025-警告-005.md": "---\ntitle: 重复\ntitle: 又一次\n---\n正文。\n",
    "2025-警告-006.md": "---\ntitle: 缩进\nsubject:\n\tname: 制表符\n---\n正文。\n",
}


def snapshot(content: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Everything check reports, in full, and every validated document."""
    result = pipeline.check(content)
    diagnostics = [(d.file, d.line, d.column, d.code, d.severity, d.params) for d in result.diagnostics]
    documents = [(d.raw.rel, d.kind.name, d.model, d.raw.content_hash, d.raw.body, d.raw.body_line)
                 for d in (*result.profiles, *result.documents)]
    return diagnostics, documents


def fresh(content: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with monkeypatch.context() as m:
        m.setenv("GONGSHI_FILE_CACHE", "0")
        return snapshot(content)


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "gongshi-cache"
    monkeypatch.setenv("GONGSHI_CACHE", str(root))
    monkeypatch.delenv("GONGSHI_FILE_CACHE", raising=False)
    return root


@pytest.fixture()
def hostile(minimal_copy: Path) -> Path:
    for name, text in HOSTILE.items():
        (minimal_copy / SANCTIONS / name).write_text(text, encoding="utf-8")
    return minimal_copy


def count_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real: Callable[..., Any] = validate._validate_document

    def counting(raw: Any, config: Any) -> Any:
        seen.append(raw.rel)
        return real(raw, config)
    monkeypatch.setattr(validate, "_validate_document", counting)
    return seen


def test_cached_runs_report_what_a_fresh_run_reports_on_hostile_files(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = fresh(hostile, monkeypatch)
    codes = {d[3] for d in expected[0]}
    # The fixture really exercises errors and warnings of every family.
    assert {"privacy.mobile", "privacy.resident_id", "privacy.unmasked_name", "placeholder.remaining",
            "markdown.raw_html", "markdown.unsafe_link", "schema.bad_date", "schema.unknown_field",
            "ref.unknown_document", "ref.unknown_member", "attachment.missing", "yaml.duplicate_key", "yaml.syntax"} <= codes
    assert snapshot(hostile) == expected          # cold: fills the cache
    validated = count_validations(monkeypatch)
    assert snapshot(hostile) == expected          # warm: served from it
    assert validated == []


def test_the_example_content_is_the_same_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(EXAMPLE_CONTENT, content)
    expected = fresh(content, monkeypatch)
    assert expected[1], "the example content has documents"
    assert snapshot(content) == expected
    assert snapshot(content) == expected


def test_after_one_edit_only_that_file_is_validated_again(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot(hostile)
    edited = hostile / SANCTIONS / "2025-警告-001.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("decided_on: 2025-04-25", "decided_on: 2025-13-01"),
                      encoding="utf-8")
    validated = count_validations(monkeypatch)
    after = snapshot(hostile)
    assert validated == [f"{SANCTIONS}/2025-警告-001.md"]
    assert after == fresh(hostile, monkeypatch)
    assert any(d[3] == "schema.bad_date" and d[0] == str(edited) for d in after[0])


def test_a_cross_file_problem_appears_when_the_other_file_changes(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Members are checked across files: dropping a member from association.yaml flags the
    unchanged sanction that names it, though the sanction comes from the cache."""
    snapshot(hostile)
    profile = hostile / "associations/测试协会/association.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "members:\n  - {name: 深圳市甲公司, uscc: 91440300MA5F00012E}", "members: []"), encoding="utf-8")
    after = snapshot(hostile)
    assert any(d[3] == "ref.unknown_member" and d[0].endswith("2025-警告-001.md") for d in after[0])
    assert after == fresh(hostile, monkeypatch)


def test_the_masking_setting_is_part_of_the_key(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot(hostile)
    site = hostile / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "\nmask_individuals: false\n", encoding="utf-8")
    after = snapshot(hostile)
    assert not any(d[3] == "privacy.unmasked_name" for d in after[0])
    assert after == fresh(hostile, monkeypatch)


def files_tables(own_cache: Path) -> Iterator[sqlite3.Connection]:
    """A connection to each cache database under own_cache that holds the per-file cache's table."""
    for db in own_cache.rglob("*.sqlite"):
        with sqlite3.connect(db) as conn:
            tables = {t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if filecache.TABLE in tables:
                yield conn


def corrupt_values(own_cache: Path) -> None:
    for conn in files_tables(own_cache):
        # Every kind of entry: a result, the pack of all results, the stats snapshot.
        conn.execute(f"UPDATE {filecache.TABLE} SET v = CASE WHEN k LIKE 'valid:%' OR k LIKE 'pack:%' "
                     f"OR k LIKE 'stats:%' THEN x'80049504' ELSE v END")


def foreign_values(own_cache: Path) -> None:
    """Entries that unpickle fine but to something else (another program's, an older format)."""
    import marshal
    import pickle
    for conn in files_tables(own_cache):
        keys = [k for (k,) in conn.execute(f"SELECT k FROM {filecache.TABLE}").fetchall()]
        assert any(k.startswith("pack:") for k in keys)
        results = [k for k in keys if k.startswith("valid:")]
        for k in keys:
            value = (marshal.dumps(({k: ("不是", "统计")}, {}, 0)) if k.startswith("stats:") else
                     pickle.dumps({r: ("不是", "结果", ("外来",)) for r in results} if k.startswith("pack:")
                                  else ["外来", "数据", ()]))
            conn.execute(f"UPDATE {filecache.TABLE} SET v = ? WHERE k = ?", (value, k))


@pytest.mark.parametrize("damage", ["values", "foreign", "file"])
def test_a_corrupt_cache_changes_nothing(hostile: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    expected = fresh(hostile, monkeypatch)
    snapshot(hostile)
    cache._stores.clear()                       # a new process: no connection kept open
    if damage == "values":
        corrupt_values(own_cache)
    elif damage == "foreign":
        foreign_values(own_cache)
    else:
        for db in own_cache.rglob("*.sqlite*"):
            db.write_bytes("这不是数据库 — not a database".encode() * 100)
    assert snapshot(hostile) == expected
    cache._stores.clear()


def test_entries_of_another_code_version_are_never_used(hostile: Path) -> None:
    snapshot(hostile)
    store = cache.store(cache.cache_dir(hostile), filecache.TABLE)
    other = filecache.FileCache(store, version="another-generator")
    ours = filecache.FileCache(store)
    raws = pipeline.load_content(hostile).documents
    assert other.validated(raws, True) == {}
    assert len(ours.validated(raws, True)) == len(raws)
    assert not any(other.known_good(raw.path, raw.content_hash) for raw in raws)


MUTATIONS: list[tuple[str, str]] = [
    ("decided_on: 2025-04-25", "decided_on: 2025-04-31"),
    ("measure: 警告", "measure: 罚款"),
    ("title: 关于", "title: 【待填写】关于"),
    ("facts: 在宣传中", "facts: 电话 13900001111，在宣传中"),
    ("published_on: 2025-05-06", "published_on: 2025-04-01"),
    ("uscc: 91440300MA5F00012E", "uscc: 91440300MA5F00012F"),
    ("basis:", "basis: 一\nbasis:"),
    ("decided_by: 行业自律委员会", "decided_by: 行业自律委员会\nreferences: [charter, sanctions/无]"),
    ("经查，", "<i>经查</i>，[点此](data:text/html,x)"),
    ("---\n\n经查", "---\n\n\n\n经查"),
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(range(len(MUTATIONS))), min_size=1, max_size=4, unique=True),
       st.lists(st.sampled_from(range(len(MUTATIONS))), max_size=3, unique=True))
def test_any_edit_sequence_reports_what_a_fresh_run_reports(tmp_path_factory: pytest.TempPathFactory,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             first: list[int], then: list[int]) -> None:
    base = tmp_path_factory.mktemp("edits")
    content = base / "content"
    shutil.copytree(FIXTURES / "minimal", content)
    monkeypatch.setenv("GONGSHI_CACHE", str(base / "cache"))
    target = content / SANCTIONS / "2025-警告-001.md"
    copy = content / SANCTIONS / "2025-警告-009.md"
    shutil.copy(target, copy)
    for edits, f in ((first, target), (then, copy)):
        text = f.read_text(encoding="utf-8")
        for i in edits:
            text = text.replace(*MUTATIONS[i], 1)
        f.write_text(text, encoding="utf-8")
        expected = fresh(content, monkeypatch)
        assert snapshot(content) == expected
        assert snapshot(content) == expected


def age(content: Path, seconds: int = 3600) -> None:
    """Files last changed an hour ago: old enough for their stat to be trusted next time."""
    import os
    import time
    past = time.time_ns() - seconds * 1_000_000_000
    for f in content.rglob("*"):
        if f.is_file():
            os.utime(f, ns=(past, past))


def test_unchanged_files_are_not_even_read_until_their_text_is_needed(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    age(hostile)
    expected = fresh(hostile, monkeypatch)
    snapshot(hostile)                                   # records each file's stat
    content = pipeline.check(hostile)
    docs = [*content.profiles, *content.documents]
    # Not even a cross-file problem (its position) makes a file be read: the cross-file checks
    # of an unchanged folder come from the cache too.
    cross_file = {d.file for d in content.diagnostics if d.code.startswith(("ref.", "attachment."))}
    assert cross_file == {str(hostile / SANCTIONS / "2025-警告-002.md")}
    assert [d.raw.rel for d in docs if "body" in d.raw.__dict__] == []
    assert [(d.file, d.line, d.column, d.code, d.severity, d.params) for d in content.diagnostics] == expected[0]
    # Asked for, the text is the file's.
    for d in docs:
        assert d.raw.text == d.raw.path.read_text(encoding="utf-8")
    assert snapshot(hostile) == expected


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tools that restore modification times (cp -p, rsync -t, archives) must not hide an edit."""
    import os
    age(hostile)
    snapshot(hostile)
    f = hostile / SANCTIONS / "2025-警告-001.md"
    before = f.stat()
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("decided_on: 2025-04-25", "decided_on: 2025-04-31"), encoding="utf-8")
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert f.stat().st_size == before.st_size and f.stat().st_mtime_ns == before.st_mtime_ns
    after = snapshot(hostile)
    assert any(d[3] == "schema.bad_date" and d[0] == str(f) for d in after[0])
    assert after == fresh(hostile, monkeypatch)


def test_a_file_changed_moments_before_a_run_is_read_again_next_time(hostile: Path) -> None:
    """Its stat is not trusted: another edit in the same clock tick would look the same."""
    age(hostile, seconds=0)                             # every file was just written
    snapshot(hostile)
    files = filecache.for_content(hostile)
    raws = pipeline.load_content(hostile, files=files).documents
    assert raws and all("body" in raw.__dict__ for raw in raws)


def entry_kinds(own_cache: Path) -> dict[str, int]:
    """How many entries of each kind (`valid:`, `pack:`, ...) the per-file cache holds."""
    kinds: dict[str, int] = {}
    for conn in files_tables(own_cache):
        for (k,) in conn.execute(f"SELECT k FROM {filecache.TABLE}"):
            kinds[k.split(":", 1)[0]] = kinds.get(k.split(":", 1)[0], 0) + 1
    return kinds


def test_a_cold_run_keeps_results_in_the_pack_only(hostile: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold cache: every result goes into the pack, none into an entry of its own as well;
    the next run validates nothing again and reports the same."""
    expected = fresh(hostile, monkeypatch)
    assert snapshot(hostile) == expected
    cache._stores.clear()
    kinds = entry_kinds(own_cache)
    assert kinds.get("pack") == 2 and "valid" not in kinds
    validated = count_validations(monkeypatch)
    assert snapshot(hostile) == expected
    assert validated == []
    cache._stores.clear()


def test_without_a_pack_after_all_every_result_gets_its_own_entry(hostile: Path, own_cache: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack cannot be made (a model that does not pickle, say): the results a cold run
    left to it go to entries of their own, so the next run still validates nothing again."""
    expected = fresh(hostile, monkeypatch)

    def unpicklable(self: filecache.FileCache) -> Any:
        raise TypeError("不能序列化")
    with monkeypatch.context() as m:
        m.setattr(filecache.FileCache, "_pack_blob", unpicklable)
        assert snapshot(hostile) == expected
    cache._stores.clear()
    kinds = entry_kinds(own_cache)
    files = sum(1 for f in hostile.rglob("*") if f.suffix in (".md", ".yaml") and "associations" in f.parts)
    assert "pack" not in kinds and 0 < kinds["valid"] <= files
    validated = count_validations(monkeypatch)
    assert snapshot(hostile) == expected
    assert validated == []
    cache._stores.clear()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet="valid:协会报告ab", min_size=1, max_size=8), max_size=6, unique=True),
       st.text(alphabet="valid:协会报告ab", min_size=1, max_size=4), st.booleans())
def test_a_store_tells_whether_some_key_has_a_prefix(tmp_path_factory: pytest.TempPathFactory, keys: list[str],
                                                    prefix: str, flushed: bool) -> None:
    store = cache.Store(tmp_path_factory.mktemp("前缀") / "cache.sqlite", "files")
    for k in keys:
        store.put(k, "值".encode())
    if flushed:
        store.flush()
    assert store.any_prefixed(prefix) == any(k.startswith(prefix) for k in keys)


def test_a_build_packs_the_cache_in_another_process_and_waits_for_it(hostile: Path, own_cache: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """On two cores a cold build leaves the pack to a forked process (the build goes on to
    evaluate meanwhile), and that process has written it by the time the build returns."""
    from tests.conftest import EXAMPLE_AS_OF
    monkeypatch.setenv("GONGSHI_JOBS", "2")
    expected = fresh(hostile, monkeypatch)
    real = filecache.FileCache.finish
    record = tmp_path / "谁写的缓存"

    def noting(self: filecache.FileCache) -> None:
        real(self)
        with open(record, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
    monkeypatch.setattr(filecache.FileCache, "finish", noting)
    pipeline.build(hostile, tmp_path / "站点", EXAMPLE_AS_OF)
    writers = record.read_text(encoding="utf-8").split()
    assert writers and all(int(pid) != os.getpid() for pid in writers)
    cache._stores.clear()
    assert entry_kinds(own_cache).get("pack") == 2      # written before build returned
    validated = count_validations(monkeypatch)
    assert snapshot(hostile) == expected
    assert validated == []
    cache._stores.clear()


def test_a_cache_writer_that_dies_leaves_a_cache_that_only_misses(minimal_copy: Path, own_cache: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked writer fails: the build does not, and the next run validates every file again."""
    from tests.conftest import EXAMPLE_AS_OF
    monkeypatch.setenv("GONGSHI_JOBS", "2")
    expected = fresh(minimal_copy, monkeypatch)

    def dying(self: filecache.FileCache) -> None:
        raise MemoryError("写缓存的进程死了")
    with monkeypatch.context() as m:
        m.setattr(filecache.FileCache, "finish", dying)
        assert pipeline.build(minimal_copy, tmp_path / "站点", EXAMPLE_AS_OF).ok
    cache._stores.clear()
    assert "pack" not in entry_kinds(own_cache)
    validated = count_validations(monkeypatch)
    assert snapshot(minimal_copy) == expected
    assert validated
    cache._stores.clear()


def test_the_per_file_cache_is_written_while_another_process_holds_the_build_caches_lock(tmp_path: Path) -> None:
    """The pack is written by a forked process while the build writes its evaluations: the
    per-file cache's file of its own means neither waits for the other's write lock."""
    folder = tmp_path / "缓存"
    evaluations = cache.Store(folder / cache.database_name("evaluations"), "evaluations")
    evaluations.put("协会", "评价".encode())
    evaluations.flush()
    files = cache.Store(folder / cache.database_name(filecache.TABLE), filecache.TABLE)
    holder = sqlite3.connect(evaluations.path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")                 # another process's write in progress
    try:
        files.put("stats:版本", "统计".encode())
        files.flush()
        with sqlite3.connect(files.path, timeout=0) as reader:
            assert reader.execute(f"SELECT v FROM {filecache.TABLE} WHERE k = ?", ("stats:版本",)).fetchone() == ("统计".encode(),)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
