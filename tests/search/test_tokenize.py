import json
import subprocess
import sys
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from search_support import node_or_skip, run_node
from generator.search.query import plan_query
from generator.search.tokenize import BigramTokenizer, is_han, tokenize

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
    # between runs (after 认证).
    assert tokens == [("iso9001", 0, 0, 7), ("认证", 1, 7, 9), ("公开", 3, 10, 12),
                      ("开谴", 4, 11, 13), ("谴责", 5, 12, 14)]


def test_query_plan_makes_lone_han_optional_only_beside_other_tokens():
    plan = plan_query("2025年")
    assert plan.required == ("2025",) and plan.optional == ("年",)
    assert plan.runs == (("2025", "年"),)
    only = plan_query("罚")
    assert only.required == ("罚",) and only.optional == ()
    assert plan_query("公开谴责 会员").runs == (("公开", "开谴", "谴责"),)
    assert plan_query("，。").required == ()
