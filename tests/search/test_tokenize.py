import json
import subprocess
import sys
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from search_support import node_or_skip, run_node
from generator.search.query import plan_query
from generator.search.tokenize import (BigramTokenizer, index_texts, index_tokens, is_han, iter_tokens,
                                       normalize, token_positions, tokenize)

GOLDEN = json.loads((Path(__file__).parent / "golden_tokens.json").read_text("utf-8"))["vectors"]


def test_golden_vectors_are_many_and_distinct():
    assert len(GOLDEN) >= 25
    assert len({v["input"] for v in GOLDEN}) == len(GOLDEN)


def test_python_tokenizer_matches_golden_vectors():
    mismatches = [(v["input"], tokenize(v["input"]), v["tokens"])
                  for v in GOLDEN if tokenize(v["input"]) != v["tokens"]]
    assert mismatches == []


def test_js_tokenizer_matches_golden_vectors():
    got = run_node("run_tokenizer.mjs", [v["input"] for v in GOLDEN])
    mismatches = [(v["input"], g, v["tokens"]) for v, g in zip(GOLDEN, got) if g != v["tokens"]]
    assert mismatches == []


def _assigned(char: str) -> bool:
    # Python 3.11 knows Unicode 14; node may know a newer version. Characters assigned
    # since are documented as a possible difference (tokenize.py docstring).
    return unicodedata.category(char) not in ("Cn", "Cs", "Co")


MIXED = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("行业自律公开谴责会员协会〇々㈱①ＡＢＣ１２３ｶﾀ한국ΣσİßﬁＩＳＯ，。、《》“”！\n\r\t 　-_.😀👍🏽\u0301")),
        st.characters(codec="utf-8").filter(_assigned),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(MIXED, min_size=20, max_size=20))
def test_python_and_js_tokenizers_agree(batch):
    # Twenty strings per node run keeps this fast; hypothesis still shrinks a failure.
    assert run_node("run_tokenizer.mjs", batch) == [tokenize(s) for s in batch]


def test_han_table_matches_js_script_property():
    """Our Script=Han table equals node's \\p{Script=Han} over every assigned code point."""
    node = node_or_skip()
    script = ("const r=/\\p{Script=Han}/u;let o=[];for(let c=0;c<0x110000;c++){"
              "if(c>=0xD800&&c<=0xDFFF)continue;if(r.test(String.fromCodePoint(c)))o.push(c)}"
              "process.stdout.write(JSON.stringify(o))")
    js = set(json.loads(subprocess.run([node, "-e", script], capture_output=True, text=True,
                                       check=True).stdout))
    py = {c for c in range(sys.maxunicode + 1)
          if not 0xD800 <= c <= 0xDFFF and is_han(chr(c))}
    assert py == js


def test_whoosh_tokenizer_gives_positions_and_chars():
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in BigramTokenizer()("ISO9001认证，公开谴责", positions=True, chars=True)]
    # Offsets are into the NFKC+lowercase text (same length here); positions skip one
    # between runs (after 认证). Each Han character is indexed as a unigram as well, at
    # the position of the bigram it starts (the last one at the segment's last bigram).
    assert tokens == [("iso9001", 0, 0, 7), ("认证", 1, 7, 9), ("认", 1, 7, 8), ("证", 1, 8, 9),
                      ("公开", 3, 10, 12), ("公", 3, 10, 11), ("开谴", 4, 11, 13), ("开", 4, 11, 12),
                      ("谴责", 5, 12, 14), ("谴", 5, 12, 13), ("责", 5, 13, 14)]


def test_query_plan_requires_every_token_including_lone_han():
    plan = plan_query("2025年")
    assert plan.required == ("2025", "年")
    assert plan.runs == (("2025", "年"),)
    assert plan_query("罚").required == ("罚",)
    assert plan_query("公开谴责 会员").runs == (("公开", "开谴", "谴责"),)
    assert plan_query("，。").required == ()



def _han_segments(norm: str) -> list[str]:
    """Maximal stretches of Han letters/numbers (radicals are symbols: separators)."""
    out, cur = [], ""
    for c in norm + "\n":
        if is_han(c) and unicodedata.category(c)[0] in "LN":
            cur += c
        elif cur:
            out.append(cur)
            cur = ""
    return out


@settings(max_examples=200, deadline=None)
@given(MIXED)
def test_index_terms_are_the_query_tokens_plus_every_han_character(text):
    indexed = [t.text for t in index_tokens(text)]
    segments = _han_segments(normalize(text))
    assert set(indexed) == set(tokenize(text)) | {c for seg in segments for c in seg}
    # Each character of a longer Han segment is added once; nothing else is added.
    assert len(indexed) == len(tokenize(text)) + sum(len(seg) for seg in segments if len(seg) > 1)


@settings(max_examples=300, deadline=None)
@given(st.one_of(MIXED, st.text(max_size=60)))
def test_fast_index_path_gives_the_same_terms_as_the_rules(text):
    # The index reads index_texts (compiled regexes); the rules are index_tokens. Any
    # difference would make the index hold terms the browser's tokenizer never asks for.
    assert index_texts(text) == [t.text for t in index_tokens(text)]


@settings(max_examples=300, deadline=None)
@given(st.one_of(MIXED, st.text(max_size=60)))
def test_fast_head_positions_are_the_query_tokens_positions(text):
    # Export's head positions (the contiguity check) come from token_positions; the
    # browser's come from the rules: any drift would rank an exact match differently.
    assert token_positions(text) == [(t.text, t.pos) for t in iter_tokens(text)]


def test_fast_index_path_on_mixed_chinese_and_latin():
    text = "２０２５年，深圳市珠宝首饰行业协会对会员单位ＡＢＣ公司（ISO9001认证）予以公开谴责。罚"
    assert index_texts(text) == [t.text for t in index_tokens(text)]
    assert "谴责" in index_texts(text) and "iso9001" in index_texts(text) and "罚" in index_texts(text)
