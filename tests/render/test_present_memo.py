"""A document's facts: the field labels of a model type are made once per type and language
(present._shown_fields); the rows must be what labelling every field on every page gave."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from generator.models.common import Amendment, EntityKind, Subject
from generator.present import HIDDEN_FIELDS, field_label, field_rows, fmt_value

# Chinese, full-width punctuation, mixed scripts, and what escapes or splits badly.
_TEXT = st.text(alphabet=st.sampled_from(list("协会惩戒公示深圳市，。；：（）“”《》—…ＡＢ１２ abcXYZ019-_&<>\"'　")),
                max_size=30).map(lambda s: "协" + s)   # a text field needs one visible character


def _rows_labelling_every_field(model: BaseModel, lang: str, mask: bool, hidden: frozenset[str]) -> list[tuple[str, str]]:
    """field_rows as it was: every field of the model labelled on every call."""
    rows = []
    for name, info in type(model).model_fields.items():
        if name in hidden:
            continue
        text = fmt_value(getattr(model, name), lang, mask)
        if text:
            rows.append((field_label(name, info.title, lang), text))
    return rows


@st.composite
def _subjects(draw: Any) -> Subject:
    practitioner = draw(st.booleans())
    return Subject(name=draw(_TEXT), type="practitioner" if practitioner else "organisation",
                   uscc=None if practitioner else "91440300MA5DC6QX9C",
                   employer=draw(st.none() | _TEXT), member=draw(st.booleans()))


@given(_subjects(), st.sampled_from(["zh", "en"]), st.booleans(),
       st.sampled_from([frozenset(), HIDDEN_FIELDS, frozenset({"uscc", "member"})]))
def test_a_subjects_rows_are_those_of_labelling_every_field(subject: Subject, lang: str, mask: bool,
                                                           hidden: frozenset[str]) -> None:
    assert field_rows(subject, lang, mask, hidden) == _rows_labelling_every_field(subject, lang, mask, hidden)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), _TEXT, st.sampled_from(["zh", "en"]))
def test_an_amendments_rows_are_those_of_labelling_every_field(date: dt.date, note: str, lang: str) -> None:
    amendment = Amendment(date=date, note=note)
    assert field_rows(amendment, lang) == _rows_labelling_every_field(amendment, lang, True, frozenset())


@given(_TEXT)
def test_text_is_shown_as_written_and_a_labelled_value_by_its_label(text: str) -> None:
    assert fmt_value(text) == fmt_value(text, "en") == text
    member = EntityKind("practitioner")
    assert fmt_value(member, "zh") == member.zh != "practitioner"
    assert fmt_value(member, "en") == member.en
