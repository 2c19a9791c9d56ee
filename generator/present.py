"""How model values are shown to readers: labels, formatted values, masked names.

Kept apart from the templates so pages, feeds and open data show values the same way.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from pydantic import BaseModel

from .identifiers import mask_person_name
from .models.common import Labelled, Subject

# Front-matter fields shown elsewhere on the page (title, body) or never shown.
HIDDEN_FIELDS = frozenset({"kind", "title", "summary", "attachments", "amendments", "references", "tags",
                           "privacy", "audience", "members"})


def fmt_date(value: dt.date | None, lang: str = "zh") -> str:
    if value is None:
        return ""
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%d %b %Y").lstrip("0")


def display_name(subject: Subject, mask: bool) -> str:
    if mask and subject.type == "practitioner":
        return mask_person_name(subject.name)
    return subject.name


def fmt_value(value: Any, lang: str = "zh", mask: bool = True) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, Labelled):
        return value.zh if lang == "zh" else value.en
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
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
        return "；".join(f"{label}：{text}" for label, text in field_rows(value, lang, mask) if text)
    if isinstance(value, (list, tuple)):
        return "、".join(fmt_value(v, lang, mask) for v in value)
    return str(value)


def field_rows(model: BaseModel, lang: str = "zh", mask: bool = True,
               hidden: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(label, text) for every filled field of a model, in declaration order."""
    rows = []
    for name, info in type(model).model_fields.items():
        if name in hidden:
            continue
        text = fmt_value(getattr(model, name), lang, mask)
        if text:
            rows.append((info.title or name, text))
    return rows
