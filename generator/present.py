"""How model values are shown to readers: labels, formatted values, masked names.

Kept apart from the templates so pages, feeds and open data show values the same way.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from .identifiers import mask_person_name
from .models.common import Labelled, Subject

# English field labels where humanising the field name would read badly.
_FIELD_EN: dict[str, str] = {
    "uscc": "USCC", "employer_uscc": "Employer USCC", "authority_uscc": "Authority USCC",
    "data_source_uscc": "Data source USCC", "fine_amount": "Fine (10,000 yuan)", "amount_yuan": "Amount (yuan per year)",
    "rule_broken": "Rule broken", "decided_on": "Decided on", "published_on": "Declared publication date",
}

# Front-matter fields shown elsewhere on the page (title, body) or never shown.
HIDDEN_FIELDS = frozenset({"kind", "title", "summary", "attachments", "amendments", "references", "tags",
                           "privacy", "audience", "members"})


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def fmt_date(value: dt.date | None, lang: str = "zh") -> str:
    """2025年5月6日 / 6 May 2025 — spelled out, never the locale-dependent strftime %b."""
    if value is None:
        return ""
    if lang == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def display_name(subject: Subject, mask: bool) -> str:
    if mask and subject.type == "practitioner":
        return mask_person_name(subject.name)
    return subject.name


def fmt_value(value: Any, lang: str = "zh", mask: bool = True) -> str:
    if type(value) is str:      # most values (a str subclass, such as a Labelled member, goes on)
        return value
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, Labelled):
        return value.zh if lang == "zh" else value.en
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if isinstance(value, dt.date):
        return fmt_date(value, lang)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Subject):
        parts = [display_name(value, mask)]
        if value.uscc:
            parts.append(f"（{value.uscc}）")
        if value.employer:
            parts.append(f"，{value.employer}")
        return "".join(parts)
    if isinstance(value, BaseModel):
        colon, sep = (": ", "; ") if lang == "en" else ("：", "；")
        return sep.join(f"{label}{colon}{text}" for label, text in field_rows(value, lang, mask) if text)
    if isinstance(value, (list, tuple)):
        return (", " if lang == "en" else "、").join(fmt_value(v, lang, mask) for v in value)
    return str(value)


def field_label(name: str, title: str | None, lang: str = "zh") -> str:
    """A field's label: the model's Chinese title, or an English one made from the field name."""
    if lang == "en":
        return _FIELD_EN.get(name) or name.replace("_", " ").capitalize()
    return title or name


def label(value: Any, lang: str = "zh") -> str:
    """The reader-language label of a kind, an enum member or anything with label_zh/label_en."""
    if isinstance(value, Labelled):
        return value.en if lang == "en" else value.zh
    zh, en = getattr(value, "label_zh", None), getattr(value, "label_en", None)
    if zh is not None:
        return en if lang == "en" and en else zh
    return str(value)


def field_rows(model: BaseModel, lang: str = "zh", mask: bool = True,
               hidden: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(label, text) for every filled field of a model, in declaration order."""
    rows = []
    values = model.__dict__         # a model's fields (getattr goes through pydantic's lookup first)
    for name, field in _shown_fields(type(model), lang, hidden):
        value = values[name]
        if value is None:           # most fields are empty or text: no call for either
            continue
        text = value if type(value) is str else fmt_value(value, lang, mask)
        if text:
            rows.append((field, text))
    return rows


@lru_cache(maxsize=None)
def _shown_fields(model_type: type[BaseModel], lang: str, hidden: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(field name, label) of every field of a model type not `hidden`: the same for each of
    its documents, made once per type and language instead of on every page."""
    return tuple((name, field_label(name, info.title, lang))
                 for name, info in model_type.model_fields.items() if name not in hidden)
