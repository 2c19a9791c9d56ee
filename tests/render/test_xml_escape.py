"""The feeds' and sitemap's XML escaping is xml.sax.saxutils', character for character (they
carry their own copy so a build does not import urllib.request with saxutils)."""

from __future__ import annotations

from xml.sax import saxutils

from hypothesis import given, settings
from hypothesis import strategies as st

from generator import feeds

TEXT = st.text(alphabet=st.sampled_from(list("&<>\"'\n\r\t ;#a行业惩戒") + [chr(0x2028), "\x00"]), max_size=30) | st.text()


@given(TEXT)
def test_escape_and_quoteattr_are_saxutils(text: str) -> None:
    assert feeds.escape(text) == saxutils.escape(text)
    assert feeds.quoteattr(text) == saxutils.quoteattr(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("深圳市珠宝行业协会惩戒-_.~/%?#&=+ aZ09é\u00a0\U0001f600\t\n:@!$'()*,;")), max_size=40))
def test_a_path_is_quoted_as_urllib_quotes_it(path: str) -> None:
    from urllib.parse import quote
    assert feeds.quote_path(path) == quote(path, safe="/")
