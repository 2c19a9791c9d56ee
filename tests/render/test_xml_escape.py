"""The feeds' and sitemap's XML escaping is xml.sax.saxutils', character for character (they
carry their own copy so a build does not import urllib.request with saxutils)."""

from __future__ import annotations

from xml.sax import saxutils

from hypothesis import given
from hypothesis import strategies as st

from generator import feeds

TEXT = st.text(alphabet=st.sampled_from(list("&<>\"'\n\r\t ;#a行业惩戒") + [chr(0x2028), "\x00"]), max_size=30) | st.text()


@given(TEXT)
def test_escape_and_quoteattr_are_saxutils(text: str) -> None:
    assert feeds.escape(text) == saxutils.escape(text)
    assert feeds.quoteattr(text) == saxutils.quoteattr(text)
