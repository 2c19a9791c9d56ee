"""Chinese Markdown: no spaces from line breaks inside Chinese, Chinese anchors, no raw HTML."""

from __future__ import annotations

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
