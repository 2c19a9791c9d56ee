"""Chinese Markdown: no spaces from line breaks inside Chinese, Chinese anchors, no raw HTML."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, strategies as st

from generator.markdown import headings, is_safe_url, plain_text, render, unsafe_links

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def test_line_break_between_han_characters_is_not_a_space() -> None:
    html = render("本会会员应当\n遵守本公约。\n")
    assert "应当遵守本公约" in html
    assert "应当\n遵守" not in html and "应当 遵守" not in html


def test_line_break_after_full_width_punctuation_is_joined() -> None:
    assert "公约，会员" in render("本会制定公约，\n会员应遵守。")


def test_line_break_between_latin_words_stays() -> None:
    assert "<p>ISO\n9001</p>" in render("ISO\n9001")  # a soft break a browser shows as a space


@given(st.text(HAN, min_size=1, max_size=20), st.text(HAN, min_size=1, max_size=20))
def test_any_two_han_lines_join_without_whitespace(a: str, b: str) -> None:
    assert f"<p>{a}{b}</p>" in render(f"{a}\n{b}\n")


def test_heading_anchor_keeps_chinese() -> None:
    html = render("## 第三章　会员的权利和义务\n")
    assert 'id="第三章-会员的权利和义务"' in html or 'id="第三章会员的权利和义务"' in html
    assert headings("## 第一条 总则\n")[0][1] == "第一条 总则"


def test_raw_html_is_shown_as_text() -> None:
    html = render('<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_tables_render() -> None:
    html = render("| 会员类别 | 会费（元/年） |\n| --- | --- |\n| 会长单位 | 50000 |\n")
    assert "<table>" in html and "<td>会长单位</td>" in html


def test_dangerous_links_are_not_links_and_are_reported() -> None:
    body = "第一段\n\n[点我](javascript:alert(1)) ![图](data:image/png;base64,AAAA) [官网](https://example.org)"
    html = render(body)
    assert "javascript:" not in html.replace("[点我](javascript:alert(1))", "")
    assert 'href="javascript' not in html and 'src="data:' not in html
    assert 'href="https://example.org"' in html
    assert [url for _line, url in unsafe_links(body)] == ["javascript:alert(1)", "data:image/png;base64,AAAA"]
    assert unsafe_links(body)[0][0] == 2  # third line of the body (0-based)


def test_scheme_checks_survive_obfuscation() -> None:
    assert not is_safe_url("JaVaScRiPt:alert(1)")
    assert not is_safe_url(" java\tscript:alert(1)")
    assert not is_safe_url("ｊａｖａｓｃｒｉｐｔ:alert(1)")  # full-width letters NFKC-normalise
    assert is_safe_url("mailto:xiehui@example.org") and is_safe_url("../conventions/2024/") and is_safe_url("#第一条")


def test_plain_text_strips_markup() -> None:
    assert plain_text("## 标题\n\n**加粗**的*文字*和`代码`") == "标题\n加粗的文字和代码"


# --- the sped-up engine against the plain one ----------------------------------------------
# `_speed_up` guards block rules by their first characters, drops the raw-HTML rules (raw
# HTML is off) and memoises link normalisation: the tokens must be those of the engine
# without any of it, for any text.

from markdown_it import MarkdownIt  # noqa: E402
from mdit_py_plugins.anchors import anchors_plugin  # noqa: E402

from generator import markdown as md_module  # noqa: E402


def _plain_engine() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    md.validateLink = md_module._validate_link  # type: ignore[method-assign]
    md.core.ruler.push("join_wide_breaks", md_module._join_wide_breaks)
    anchors_plugin(md, min_level=2, max_level=4, slug_func=md_module.slugify, permalink=False)
    return md


# Line starts every block rule looks at, and the characters that end or continue blocks.
_PIECES = st.sampled_from([
    "> ", ">", "```", "~~~", "```js", "* ", "- ", "+ ", "1. ", "2) ", "10. ", "# ", "## ", "####### ", "#",
    "[a]: /x", "[a]: <javascript:x> 't'", "[a]", "[b][a]", "|", "| a | b |", "|---|---|", "| --- | :-: |",
    "-|-", ":-", "---", "***", "___", "===", "    ", "  ", "\t", "<div>", "<!-- c -->", "<a href=x>",
    "[链接](/associations/a/)", "[x](javascript:alert(1))", "![图](https://例子.中国/图.png)", "<https://a.org>",
    "*强调*", "**加粗**", "`代码`", "\\", "&amp;", "&#106;", "公约", "本会", "，", "ISO", "9001", " ", "\n", "\n\n",
])
_MARKDOWN = st.lists(_PIECES, max_size=40).map("".join)


@given(_MARKDOWN)
def test_sped_up_engine_gives_the_plain_engines_html(text: str) -> None:
    plain, fast = _plain_engine(), md_module._engine()
    env_plain: dict = {}
    env_fast: dict = {}
    tokens_plain, tokens_fast = plain.parse(text, env_plain), fast.parse(text, env_fast)
    assert [t.as_dict() for t in tokens_fast] == [t.as_dict() for t in tokens_plain]
    assert fast.renderer.render(tokens_fast, fast.options, env_fast) == plain.renderer.render(
        tokens_plain, plain.options, env_plain)


def test_sped_up_engine_on_every_block_kind() -> None:
    text = ("# 标题\n\n## 第一章 总则\n本会\n公约\n\n> 引用\n> 续\n\n```\n<b>代码</b>\n```\n\n~~~\nx\n~~~\n\n"
            "- 一\n- 二\n  1. 嵌套\n\n***\n\n[ref]: https://例子.中国/路径 '标题'\n\n[引用][ref]\n\n"
            "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n    缩进代码\n\n标题二\n===\n\n<div>块</div>\n")
    plain, fast = _plain_engine(), md_module._engine()
    assert fast.render(text) == plain.render(text)


@given(_MARKDOWN | st.text(max_size=200))
def test_plain_text_shortcut_gives_the_parsers_tokens(text: str) -> None:
    """Inline content with no inline markup becomes one text token without the parser; any
    text: with or without markup, the children are the plain engine's."""
    plain, fast = _plain_engine(), md_module._engine()
    for body in (text, text.replace("\n", " "), "## " + text.replace("\n", " "), f"| a |\n|---|\n| {text.replace(chr(10), ' ')} |"):
        assert [t.as_dict() for t in fast.parse(body)] == [t.as_dict() for t in plain.parse(body)]


def test_warm_up_on_two_cores_stores_what_one_parse_gives(tmp_path, monkeypatch) -> None:
    """The warm-up's workers analyse bodies the store lacks (without asking it again) and the
    parent stores them: every body's entry is its own analysis, none is missing, and a body
    the store already had is left as it was."""
    from generator import parallel
    from generator.cache import Store

    monkeypatch.setenv("GONGSHI_JOBS", "2")
    store = Store(tmp_path / "cache.sqlite", "markdown")
    kept = "## 已有\n\n本会"
    store.put(md_module.body_key(kept), b"kept")
    store.flush()
    bodies = [f"## 第{i}条\n\n本会第{i}项[链接](/a/{i}/)。\n\n| a | b |\n|---|---|\n| {i} | x |\n" for i in range(parallel.SERIAL_BELOW + 50)]
    old = md_module._memo.store
    md_module.use_store(store)
    try:
        parallel.warm_markdown(bodies + bodies[:10] + [kept])
    finally:
        md_module.use_store(old)
    found = store.get_many([md_module.body_key(b) for b in bodies])
    assert len(found) == len(bodies)
    for body in bodies:
        assert md_module._decode(found[md_module.body_key(body)]) == md_module._analyse_now(body)
    assert store.get(md_module.body_key(kept)) == b"kept"


def test_renderer_on_tight_lists_and_nested_blocks() -> None:
    """Hidden (tight-list) paragraphs before a block, empty items, nested lists and quotes,
    self-closing tags: the newlines the renderer writes are markdown-it's own."""
    text = ("- 一\n  > 引用\n- \n- 二\n  - 三\n    ```\n    代码\n    ```\n\n1. 甲\n\n   乙\n2. ***\n\n"
            "> - 丙\n>   ---\n\n第一行  \n第二行 ![图](/a.png \"题\")\n\n| 甲 | 乙 |\n|:-|-:|\n| 1 |\n")
    plain, fast = _plain_engine(), md_module._engine()
    assert fast.render(text) == plain.render(text)


# --- the warm-up's bodies without unsafe links (markdown._without_unsafe_links) -------------

@given(st.lists(st.sampled_from(["本会公示。", "[信用中国](https://www.creditchina.gov.cn/)", "[坏](javascript:alert(1))",
                                 "![图](data:image/png;base64,AAAA)", "联系[秘书处](mailto:office@example.org)", "\n"]),
                min_size=1, max_size=6))
def test_unsafe_links_after_a_warm_up_are_those_of_the_analysis(parts: list[str]) -> None:
    from generator import markdown
    body = "\n".join(parts)
    expected = list(markdown._analyse_slow(body).unsafe)
    markdown.analysed([(markdown.body_key(body), body)])
    try:
        assert unsafe_links(body) == expected
        assert (body in markdown._without_unsafe_links) == (not expected)
    finally:
        markdown.forget_warmed()
    assert body not in markdown._without_unsafe_links
    assert unsafe_links(body) == expected


def test_validation_lets_go_of_the_warmed_bodies(tmp_path) -> None:
    import shutil
    from pathlib import Path
    from generator import markdown, pipeline
    content = tmp_path / "内容"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "minimal", content)
    pipeline.check(content)
    assert not markdown._without_unsafe_links


# --- a render worker's slice of analyses read ahead (markdown.fetch_ahead) -------------------

@given(st.lists(st.sampled_from(["## 章程\n\n本会公示。", "| 甲 | 乙 |\n|---|---|\n| 1 | 2 |", "[坏](javascript:alert(1))",
                                 "联系[秘书处](mailto:office@example.org)", "", "## 会费\n\n- 一\n- 二"]),
                max_size=8),
       st.sets(st.integers(0, 7)))
def test_analyses_read_ahead_are_those_stored_and_taken_once(tmp_path_factory, bodies: list[str],
                                                            stored: set[int]) -> None:
    """Each body's analysis comes from the store when it holds one, from a parse otherwise;
    one read ahead is taken once (the next `analyse` of that body asks the store again) and
    the next read-ahead lets go of those not taken."""
    from generator.cache import Store
    store = Store(tmp_path_factory.mktemp("ahead") / "cache.sqlite", "markdown")
    marked = {}
    for i in stored:
        if i < len(bodies) and bodies[i]:
            real = md_module._analyse_now(bodies[i])
            # a stored entry told apart from a parse: its HTML carries a mark
            marked[bodies[i]] = md_module.Analysis(real.html + f"<!-- 第{i}条 -->", real.headings, real.text, real.unsafe)
            store.put(md_module.body_key(bodies[i]), md_module._encode(marked[bodies[i]]))
    store.flush()
    old = md_module._memo.store
    md_module.use_store(store)
    try:
        md_module.fetch_ahead(bodies + [None])          # type: ignore[list-item]
        assert set(md_module._memo.fetched) == set(marked)
        for body in dict.fromkeys(b for b in bodies if b):
            assert md_module.analyse(body) == marked.get(body, md_module._analyse_now(body))
        assert not md_module._memo.fetched
        md_module.fetch_ahead(bodies)
        md_module.fetch_ahead([])
        assert not md_module._memo.fetched
    finally:
        md_module.use_store(old)
        md_module._memo.fetched.clear()
        md_module._memo.recent.clear()


# --- one process renders every page: analyses read ahead a slice at a time too --------------

@given(st.lists(st.tuples(st.sampled_from(["## 章程\n\n本会公示。", "| 甲 | 乙 |\n|---|---|\n| 1 | 2 |", "",
                                           "联系[秘书处](mailto:office@example.org)", "## 会费\n\n1. 一\n2. 二"]),
                          st.booleans(), st.booleans()), max_size=120))
def test_one_process_reads_the_analyses_of_the_pages_it_makes_ahead(tmp_path_factory, pages: list[tuple[str, bool, bool]]) -> None:
    """Without workers (GONGSHI_JOBS=1) every page's stored analysis is read ahead with the
    others of its slice of CHUNK artifacts (no query per page), only for the pages made (not
    those an incremental build keeps), and the outputs are those of making each in turn."""
    from types import SimpleNamespace

    from generator import parallel
    from generator.cache import Store
    store = Store(tmp_path_factory.mktemp("serial") / "cache.sqlite", "markdown")
    # each page its own body (a page's mirrors share its analysis one level up, in render)
    pages = [(body + f"\n\n第{i}页" if body else "", is_doc, wanted) for i, (body, is_doc, wanted) in enumerate(pages)]
    for body, _, _ in pages:
        if body:
            store.put(md_module.body_key(body), md_module._encode(md_module._analyse_now(body)))
    store.flush()
    asked: list[list[str]] = []
    get_many = store.get_many
    store.get_many = lambda keys: asked.append(keys) or get_many(keys)     # type: ignore[method-assign]
    store.get = lambda key: pytest.fail("one query for one page")          # type: ignore[method-assign]
    artifacts = [SimpleNamespace(path=f"第{i}页/index.html", produce=None, wanted=wanted,
                                 lazy=SimpleNamespace(doc=SimpleNamespace(raw=SimpleNamespace(body=body))) if is_doc else None)
                 for i, (body, is_doc, wanted) in enumerate(pages)]

    def build(a: Any, theme: Any, globals_: Any) -> bytes:
        body = a.lazy.doc.raw.body if a.lazy is not None else ""
        return (a.path + (md_module.analyse(body).html if body else "")).encode()

    old = md_module._memo.store
    md_module.use_store(store)
    try:
        made = list(parallel._build_serially(artifacts, None, {}, build, lambda a: a.wanted))
    finally:
        md_module.use_store(old)
        md_module._memo.fetched.clear()
        md_module._memo.recent.clear()
    assert made == [(a, build(a, None, {}) if a.wanted else None) for a in artifacts]
    wanted_keys = {md_module.body_key(a.lazy.doc.raw.body) for a in artifacts
                   if a.wanted and a.lazy is not None and a.lazy.doc.raw.body}
    assert {k for keys in asked for k in keys} == wanted_keys
    assert len(asked) <= -(-len(artifacts) // parallel.CHUNK)


@pytest.mark.parametrize("entry", [b"kept", b"", ["<p>x</p>", [], "x", []], ("<p>x</p>", [[2, "附则", "附则"]], "x", ()),
                                   ("<p>x</p>", (), b"x", ()), ("<p>x</p>", (), "x"), 3])
def test_a_stored_entry_not_of_this_codes_shape_is_a_miss(tmp_path, entry: Any) -> None:
    """Only what _encode writes comes back from the store; anything else is analysed again."""
    import marshal

    from generator.cache import Store
    store = Store(tmp_path / "cache.sqlite", "markdown")
    body = "## 附则\n\n本会会员应当遵守公约。"
    store.put(md_module.body_key(body), entry if isinstance(entry, bytes) else marshal.dumps(entry))
    store.flush()
    assert md_module._decode(store.get(md_module.body_key(body))) is None
    old = md_module._memo.store
    md_module.use_store(store)
    try:
        assert md_module.analyse(body) == md_module._analyse_slow(body)
    finally:
        md_module.use_store(old)
        md_module._memo.recent.clear()
