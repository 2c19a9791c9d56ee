import gzip
import json
import random
import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_support import SEARCH_JS, node_or_skip, run_node
from generator.search import minify
from search_corpus import zipf_corpus
from generator.search import SearchRecord, build_index, export_static, search
from generator.search.export import encode_varints, fnv1a32
from generator.search.tokenize import normalize

QUERIES = ["公开谴责", "行业自律", "章程 备案", "ISO9001认证", "2025年度", "深纪发〔2018〕1号",
           "珠宝玉石 检测报告", "诚信", "服务承诺", "会员", "不正当竞争", "红黑名单 联合惩戒",
           "2025年", "iso9001", "通报批评", "理事会，监事会"]


def _contains(record, text: str) -> bool:
    # The association's name is searchable too (index.TEXT_FIELDS).
    return any(normalize(text) in normalize(field)
               for field in (record.title, record.body, record.association_name))


def test_every_record_holding_a_chinese_query_is_found(records, index_dir):
    for query in ["公开谴责", "行业自律", "信用承诺", "登记管理机关", "反贿赂", "会费标准", "整改"]:
        expected = {r.doc_id for r in records if _contains(r, query)}
        assert expected, query  # the corpus must exercise the query
        found = {h.doc_id for h in search(index_dir, query, limit=10_000)}
        assert expected <= found, query


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_recall_for_random_han_substrings(records, index_dir, data):
    record = data.draw(st.sampled_from(records))
    runs = re.findall(r"[\u4e00-\u9fff]{2,}", record.title + "\n" + record.body)
    run = data.draw(st.sampled_from(runs))
    start = data.draw(st.integers(0, len(run) - 2))
    query = run[start:data.draw(st.integers(start + 2, len(run)))]
    found = {h.doc_id for h in search(index_dir, query, limit=10_000)}
    assert {r.doc_id for r in records if _contains(r, query)} <= found


def test_lone_han_character_beside_digits_does_not_lose_recall(records, index_dir):
    # 年 in the query is a lone Han character; documents hold it inside 年度.
    expected = {r.doc_id for r in records if _contains(r, "2025年")}
    assert expected
    assert expected <= {h.doc_id for h in search(index_dir, "2025年", limit=10_000)}


def test_whole_query_in_title_or_snippet_ranks_first(tmp_path):
    base = dict(association="a", association_name="甲协会", kind="sanction", kind_label="行业惩戒",
                year=2025, date="2025-03-01", measure=None)
    records = [
        # Every bigram of 公开谴责, never the whole string; repeated so it would outscore.
        SearchRecord(doc_id="a/1", url="/a/1/", title="公开说明", body="公开。开谴。谴责。" * 5, **base),
        SearchRecord(doc_id="a/2", url="/a/2/", title="处理决定", body="决定予以公开谴责。", **base),
        SearchRecord(doc_id="a/3", url="/a/3/", title="其他", body="无关内容。", **base),
    ]
    build_index(records, tmp_path)
    hits = search(tmp_path, "公开谴责")
    assert [h.doc_id for h in hits] == ["a/2", "a/1"]  # both kept; the exact one first
    assert hits[1].score > hits[0].score


def test_facet_filters_in_cli(records, index_dir):
    hits = search(index_dir, "行业", kind="sanction", year=2023, limit=10_000)
    expected = {r.doc_id for r in records if _contains(r, "行业") and r.kind == "sanction" and r.year == 2023}
    assert expected and {h.doc_id for h in hits} == expected
    censured = search(index_dir, "会员", measure="public_censure", limit=10_000)
    assert censured and all("sanction" == h.kind for h in censured)
    assert {h.doc_id for h in censured} == {r.doc_id for r in records
                                            if _contains(r, "会员") and r.measure == "public_censure"}


def test_cli_and_browser_give_the_same_top_ten(index_dir, export_dir):
    js = run_node("run_search.mjs", {"dir": str(export_dir), "queries": [{"q": q} for q in QUERIES]})
    for query, result in zip(QUERIES, js):
        cli = search(index_dir, query, limit=10)
        assert cli, query
        assert result["ids"] == [h.doc_id for h in cli], query
        assert result["scores"] == [h.score for h in cli], query


def test_browser_facets_or_within_and_across(records, export_dir):
    filters = {"kind": ["sanction", "convention"], "year": ["2022", "2024"]}
    [r] = run_node("run_search.mjs", {"dir": str(export_dir),
                                      "queries": [{"q": "行业", "filters": filters, "limit": 10_000}]})
    matching = [x for x in records if _contains(x, "行业")]
    expected = {x.doc_id for x in matching if x.kind in filters["kind"] and str(x.year) in filters["year"]}
    assert expected and set(r["ids"]) == expected and r["total"] == len(expected)
    # A facet's counts apply the other facets' filters, not its own.
    kinds = {}
    for x in matching:
        if str(x.year) in filters["year"]:
            kinds[x.kind] = kinds.get(x.kind, 0) + 1
    assert r["counts"]["kind"] == kinds
    years = {}
    for x in matching:
        if x.kind in filters["kind"]:
            years[str(x.year)] = years.get(str(x.year), 0) + 1
    assert r["counts"]["year"] == years


def test_export_is_deterministic(records, index_dir, tmp_path):
    first = export_static(index_dir)
    build_index(list(reversed(records)), tmp_path)
    assert export_static(index_dir) == first
    assert export_static(tmp_path) == first  # record order does not matter either


def test_export_layout(export_dir):
    manifest = json.loads((export_dir / "manifest.json").read_text("utf-8"))
    names = {p.name for p in export_dir.iterdir()}
    count = manifest["shard_count"]
    assert count & (count - 1) == 0
    shards = {f"s-{manifest['shard_generation']}-{i:x}.json" for i in range(count)}
    blocks = {f"m-{manifest['block_generation']}-{i:x}.json" for i in range(manifest["block_count"])}
    assert names == shards | blocks | {manifest["facets_file"], "manifest.json"}
    assert manifest["tokenizer"] == "gongshi-bigram-2" and manifest["docs"] == 120
    for name in shards:  # each term sits in the shard its hash names
        index = int(name.rsplit("-", 1)[1][:-5], 16)
        terms = json.loads((export_dir / name).read_text("utf-8"))
        assert all(fnv1a32(t) % count == index for t in terms)


def test_fnv1a_and_varints_agree_with_js():
    node = node_or_skip()
    words = ["", "a", "foobar", "行业", "𠮷野", "iso9001"]
    numbers = [0, 1, 31, 32, 1023, 1024, 2**31 + 5, 123456789]
    script = (f"const c=require({json.dumps(str(SEARCH_JS))});"
              f"process.stdout.write(JSON.stringify([{json.dumps(words)}.map(c.fnv1a32),"
              f"c.decodeVarints({json.dumps(encode_varints(numbers))})]))")
    hashes, decoded = json.loads(subprocess.run([node, "-e", script], capture_output=True,
                                                text=True, check=True).stdout)
    # Published FNV-1a 32 vectors: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    assert hashes[:3] == [0x811C9DC5, 0xE40C292C, 0xBF9CF968]
    assert hashes == [fnv1a32(w) for w in words]
    assert decoded == numbers


def test_shipped_search_js_is_the_minified_client_and_stays_small():
    # themes/default/static/search.js is generated: edit generator/search/client.js, then
    # run `python -m generator.search.minify`.
    assert SEARCH_JS.read_text("utf-8") == minify.build()
    assert len(SEARCH_JS.read_bytes()) < 12 * 1024  # part of every cold query
    code = minify.minify(minify.SOURCE.read_text("utf-8"))  # the code, without comments
    assert "innerHTML" not in code and "insertAdjacentHTML" not in code


TRICKY_JS = """
var a = 1, b = 2, s = '// not a comment', t = "/* nor this */", u = 'it\\'s';
var r = /\\/+$/g, q = /[/]x/u, d = 10 / 2 / 5;  // division, then regexes with slashes
function f(x) {
  return x
    + 1;
}
function g() {
  return
  42;  // automatic semicolon: g() is undefined
}
var i = 0; i++; var j = i + +b; var k = a - -b; var arr = [1, 2]
var l = arr.length
/* a block
   comment */ var m = typeof r === 'object' ? 'ok' : 'no';
var n = '中文，全角。' + s.replace(r, '') + t.split('/').length;
out = [a, b, s, t, u, r.test('a//'), q.test('/x'), d, f(1), g(), i, j, k, l, m, n,
       '/x/'.replace(/\\//g, '|')];
"""


def test_minifier_keeps_what_the_code_computes():
    node = node_or_skip()
    small = minify.minify(TRICKY_JS)
    assert len(small) < len(TRICKY_JS) * 0.8 and "comment" not in small.replace("// not a comment", "")
    run = "var out; eval(require('fs').readFileSync(0, 'utf8')); process.stdout.write(JSON.stringify(out));"
    results = [subprocess.run([node, "-e", run], input=code, capture_output=True, text=True,
                              check=True).stdout for code in (TRICKY_JS, small)]
    assert results[0] == results[1]
    assert json.loads(results[1])[9] is None  # g() returned undefined in both


@pytest.fixture(scope="module")
def large_export(tmp_path_factory):
    records, vocab = zipf_corpus(10_000)
    index = tmp_path_factory.mktemp("large-index")
    out = tmp_path_factory.mktemp("large-export")
    build_index(records, index)
    for name, data in export_static(index).items():
        (out / name).write_bytes(data)
    return out, vocab


def test_two_word_query_over_ten_thousand_documents_is_light(large_export):
    out, vocab = large_export
    rng = random.Random(3)
    # Words ranked 30-3000 in a Zipf vocabulary; the few top-ranked words of a language
    # are in nearly every document, and no sharding can make their postings small.
    queries = [{"q": f"{vocab[rng.randrange(30, 3000)]} {vocab[rng.randrange(30, 3000)]}"}
               for _ in range(20)]
    results = run_node("run_search.mjs", {"dir": str(out), "queries": queries})
    shard_bytes = sorted(sum((out / f).stat().st_size for f in r["files"] if f.startswith("s-"))
                         for r in results)
    total_gzip = sorted(sum(len(gzip.compress((out / f).read_bytes())) for f in r["files"])
                        for r in results)
    median = len(results) // 2
    assert shard_bytes[median] < 30_000 and shard_bytes[-1] < 60_000, shard_bytes
    assert total_gzip[median] < 60_000, total_gzip
