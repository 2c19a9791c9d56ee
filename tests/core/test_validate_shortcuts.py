"""Validation skips scans that cannot find anything (no run of eleven digits: no mobile or
resident ID number; no "<": no HTML tag). The shortcuts must never hide a finding: on any
text, privacy diagnostics are exactly what the full scanner finds. And a document's text is
held once (front matter + body) yet reads back as the file's decoded text, with its data
and positions parsed on demand as they were parsed on load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.identifiers import NUMBER_RUN, find_personal_data
from generator.load import decode, parse_yaml, read_document, split_front_matter
from generator.validate import PLACEHOLDER, RawDocument, body_diagnostics, privacy_diagnostics

# Digits of every width (ASCII, full-width, Arabic-Indic), separators, Chinese and Latin.
PIECES = st.sampled_from(["1", "3", "8", "9", "0", "5", "X", "x", "１", "３", "８", "０", "٣", "-", "－", " ", "＋", "+86",
                          "\n", "电话", "身份证", "：", "，", "a", "11010119900307425", "1381234", "5678"])
TEXT = st.lists(PIECES, max_size=60).map("".join)


def raw_of(text: str) -> RawDocument:
    return RawDocument(path=Path("/内容/公告.md"), rel="公告.md", association="测试协会", folder="sanctions",
                       stem="公告", body=text, body_line=3, head="---\n---\n", content_hash="0")


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_the_privacy_shortcut_never_hides_a_number(body: str) -> None:
    raw = raw_of(body)
    found = [(h.line, h.column, h.masked) for h in find_personal_data(raw.text)]
    reported = [(d.line, d.column, dict(d.params)["masked"]) for d in privacy_diagnostics(raw)]
    assert reported == found


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_the_digit_by_digit_prefilter_is_the_plain_one(text: str) -> None:
    # \d\d\d is \d{3} written so the regex engine can scan ahead for its first digit
    plain = re.compile(r"\d{3}[- \uff0d]?\d{4}[- \uff0d]?\d{4}")
    assert bool(NUMBER_RUN.search(text)) == bool(plain.search(text))
    assert [m.span() for m in NUMBER_RUN.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(PIECES, st.just(PLACEHOLDER)), max_size=40).map("".join), st.integers(0, 200),
       st.booleans())
def test_what_is_found_across_the_front_matter_and_body_join_is_found(text: str, cut: int, no_body: bool) -> None:
    # the scans ask the front matter and the body apart (and their join): as if of the whole text
    cut = min(cut, len(text))
    raw = RawDocument(path=Path("/内容/公告.md"), rel="公告.md", association="测试协会", folder="sanctions",
                      stem="公告", body=None if no_body else text[cut:], body_line=3,
                      head=text if no_body else text[:cut], content_hash="0")
    found = [(h.line, h.column, h.masked) for h in find_personal_data(raw.text)]
    assert [(d.line, d.column, dict(d.params)["masked"]) for d in privacy_diagnostics(raw)] == found
    placeholders = [(d.line, d.column) for d in body_diagnostics(raw) if d.code == "placeholder.remaining"]
    assert placeholders == [(n, line.find(PLACEHOLDER) + 1) for n, line in enumerate(raw.text.split("\n"), start=1)
                            if PLACEHOLDER in line]


@pytest.mark.parametrize("text", ["联系电话：13812345678。\n", "手机 138-1234-5678", "身份证110101199003074258",
                                  f"标题：{PLACEHOLDER}\n", "１３８－１２３４－５６７８"])
def test_a_number_or_placeholder_cut_by_the_join_anywhere_is_found(text: str) -> None:
    for cut in range(len(text) + 1):
        raw = RawDocument(path=Path("/内容/公告.md"), rel="公告.md", association="测试协会", folder="sanctions",
                          stem="公告", body=text[cut:], body_line=3, head=text[:cut], content_hash="0")
        assert privacy_diagnostics(raw) or PLACEHOLDER in text, cut
        assert any(d.code == "placeholder.remaining" for d in body_diagnostics(raw)) or PLACEHOLDER not in text, cut


def _scanned_line_by_line(text: str) -> list[tuple[str, int, int, str]]:
    """find_personal_data as it was before it skipped lines without a run of digits."""
    from generator import identifiers as ids
    found = []
    for n, line in enumerate(text.translate(ids._HALF_WIDTH).split("\n"), start=1):
        for m in ids._ID_CANDIDATE.finditer(line):
            if ids.resident_id_is_valid(m.group(1)):
                found.append(("resident_id", n, m.start(1) + 1, m.group(1)[:6] + "********" + m.group(1)[-4:]))
        for m in ids._MOBILE.finditer(line):
            digits = "".join(m.groups())
            found.append(("mobile", n, m.start() + 1, digits[:3] + "****" + digits[-4:]))
    return found


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_lines_without_a_run_of_digits_hide_no_number(text: str) -> None:
    assert [(h.kind, h.line, h.column, h.masked) for h in find_personal_data(text)] == _scanned_line_by_line(text)


def test_a_full_width_mobile_number_is_still_reported() -> None:
    raw = raw_of("联系人：张某，手机１３８－１２３４－５６７８。\n")
    assert [d.code for d in privacy_diagnostics(raw)] == ["privacy.mobile"]


FIELD = st.text(st.sampled_from("公示协会决定ab1：- "), min_size=1, max_size=12).map(lambda s: s.strip() or "值")


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["title", "facts", "basis", "measure"]), FIELD, min_size=1),
       st.sampled_from(["", "\n", "\n\n\n"]), st.text(st.sampled_from("正文\n# -<b>"), max_size=40),
       st.booleans(), st.booleans())
def test_text_data_and_positions_read_back_as_loaded(tmp_path_factory, fields: dict[str, str], gap: str, body: str,
                                                     crlf: bool, bom: bool) -> None:
    front = "".join(f"{k}: '{v}'\n" for k, v in fields.items())
    text = f"---\n{front}---\n{gap}{body}"
    raw_bytes = (("\ufeff" if bom else "") + (text.replace("\n", "\r\n") if crlf else text)).encode()
    root = tmp_path_factory.mktemp("内容")
    path = root / "公告.md"
    path.write_bytes(raw_bytes)
    doc = read_document(path, root, "测试协会", "sanctions")
    decoded = decode(raw_bytes, str(path))
    yaml_text, body_read, body_line = split_front_matter(decoded, str(path))
    data, positions = parse_yaml(yaml_text, str(path), line_offset=1)
    assert doc.text == decoded
    assert (doc.body, doc.body_line) == (body_read, body_line)
    assert doc.data == data == fields
    assert doc.positions == positions
    doc.release()                      # dropped, then parsed again from the text on demand
    assert doc.data == data and doc.positions == positions
