"""`gongshi new`: a document to fill in, written from the kind's model.

Every required field is written, with a short Chinese comment above it (title, description,
example, choices) taken from the model, so the scaffold cannot drift from the schema.
What a person must decide is marked with 【待填写】, which `check` reports as a warning on
its line:

- text fields get the marker as their value (it parses, so the file still loads);
- dates get today's date (a date that is due now is usually today);
- choices, numbers and yes/no get a valid default and the marker as a trailing comment:
  the value works, but the warning stays until someone confirms it and deletes the marker;
- unified social credit codes (USCC) get the marker as their value, which is an error until
  the real 18 characters are entered: a plausible made-up code could be published, a
  visible error cannot.

Optional fields are listed as commented-out lines at the end of the front matter.

YAML files start with a `# yaml-language-server: $schema=…` line (VS Code's YAML extension
reads it). Markdown front matter is not a YAML document to editors — the line would have to
follow the opening `---`, where no extension looks for it — so Markdown files carry a plain
comment naming their schema instead, and `.vscode/settings.json` maps folders to schemas.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import types
import typing
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from . import kinds as k
from .load import check_name
from .models import documents as d
from .models.common import Labelled, Subject, _check_uscc
from .models.profile import Registration
from .validate import PLACEHOLDER

CONFIRM = f"# {PLACEHOLDER}核对后删除此标记"
INDENT = "  "
# Fields a model validator requires although their type is optional.
ALSO_REQUIRED: dict[type[BaseModel], tuple[str, ...]] = {
    Subject: ("uscc",),
    d.LicensingPenalty: ("facts", "basis", "penalty_type", "penalty_content"),
}
# Values a model validator insists on.
PRESETS: dict[type[BaseModel], dict[str, str]] = {d.MemberDisclosure: {"audience": "members"}}
# Computed defaults that the marker asks a person to confirm.
DEFAULTS: dict[tuple[type[BaseModel], str], Callable[[dt.date], Any]] = {
    (d.SupervisoryReport, "period"): lambda today: f"{today.year}-H{1 if today.month <= 6 else 2}",
    (d.AnnualReport, "year"): lambda today: today.year - 1,
    # The penalty fields are the ones written below; licensing needs licence_name and licence_content instead.
    (d.LicensingPenalty, "category"): lambda today: d.RecordCategory("penalty").zh,
}
NOTES: dict[tuple[type[BaseModel], str], str] = {
    (d.LicensingPenalty, "category"): "选「行政许可」时，删去 facts、basis、penalty_type、penalty_content，"
                                      "改填 licence_name（许可证书名称）和 licence_content（许可内容）",
}
# Dates that lie in the past when the file is written: today is only a starting point.
PAST_DATES: frozenset[tuple[type[BaseModel], str]] = frozenset({
    (Registration, "registered_on"), (d.Charter, "adopted_on"),
})
NEVER_WRITTEN = frozenset({"kind"})  # follows from the folder
BODY = {
    "charter": "## 第一章 总则\n\n" + PLACEHOLDER + "（章程正文：从第一条起，按章节抄录登记管理机关核准的章程全文）\n",
    "sanction": PLACEHOLDER + "（正文：经查的违规事实、调查过程、惩戒决定和救济途径，用 Markdown 书写）\n",
}
DEFAULT_BODY = PLACEHOLDER + "（正文：用 Markdown 书写全文或要点）\n"


# --- reading the models -----------------------------------------------------------------


def _strip(annotation: Any) -> tuple[Any, list[Any]]:
    """(the type inside Annotated/Optional, the Annotated metadata met on the way)."""
    metadata: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            annotation, metadata = args[0], metadata + list(args[1:])
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation, metadata
            annotation = rest[0]
        else:
            return annotation, metadata


def is_uscc(field: FieldInfo) -> bool:
    _, metadata = _strip(field.annotation)
    return any(getattr(m, "func", None) is _check_uscc for m in list(field.metadata) + metadata)


def list_item(annotation: Any) -> Any | None:
    inner, _ = _strip(annotation)
    if typing.get_origin(inner) is list:
        return _strip(typing.get_args(inner)[0])[0]
    return None


def is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def is_labelled(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Labelled)


def min_items(field: FieldInfo) -> int:
    return max([getattr(m, "min_length", 0) or 0 for m in field.metadata] + [0])


def choices_zh(enum: type[Labelled]) -> str:
    return "、".join(zh if zh == code else f"{zh}（{code}）" for code, (zh, _en) in enum.labels().items())


def _example_text(example: Any) -> str:
    return "、".join(str(x) for x in example) if isinstance(example, list) else str(example)


def _title(name: str, field: FieldInfo) -> str:
    """The field's title, or the title its type carries (an optional USCC keeps it inside)."""
    if field.title:
        return field.title
    _, metadata = _strip(field.annotation)
    return next((m.title for m in metadata if isinstance(m, FieldInfo) and m.title), name)


def field_comment(name: str, field: FieldInfo, owner: type[BaseModel] | None = None) -> str:
    """One line saying what to write, from the field's title, description, example and choices."""
    parts = [_title(name, field)]
    enum = _strip(field.annotation)[0]
    item = list_item(field.annotation)
    labelled = enum if is_labelled(enum) else item if is_labelled(item) else None
    if field.description and not (labelled and all(code in field.description for code in labelled.labels())):
        parts.append(field.description)
    if labelled is not None:
        parts.append("可选：" + choices_zh(labelled))
    if field.examples:
        parts.append("例如：" + _example_text(field.examples[0]))
    if note := NOTES.get((owner, name)) if owner else None:
        parts.append(note)
    return "# " + "。".join(p.rstrip("。") for p in parts)


def required_fields(model: type[BaseModel]) -> list[str]:
    also = ALSO_REQUIRED.get(model, ())
    return [n for n, f in model.model_fields.items()
            if n not in NEVER_WRITTEN and (f.is_required() or n in also or n in PRESETS.get(model, {}))]


# --- writing YAML -----------------------------------------------------------------------


def scalar(value: Any) -> str:
    """A YAML scalar that reads back as exactly `value`: plain when safe, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    try:
        if "\n" not in text and yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars


def _value_lines(model: type[BaseModel], name: str, field: FieldInfo, depth: int, today: dt.date) -> list[str]:
    pad = INDENT * depth
    key = f"{pad}{name}:"
    target, _ = _strip(field.annotation)
    preset = PRESETS.get(model, {}).get(name)
    if preset is not None:
        return [f"{key} {scalar(preset)}"]
    if (model, name) in DEFAULTS:
        return [f"{key} {scalar(DEFAULTS[(model, name)](today))}  {CONFIRM}"]
    if is_uscc(field):
        return [f"{key} {PLACEHOLDER}"]
    item = list_item(field.annotation)
    if item is not None:
        if is_labelled(item):  # e.g. the six service promises: all of them, to be confirmed
            return [f"{key}  {CONFIRM}"] + [f"{pad}{INDENT}- {scalar(zh)}" for zh, _ in item.labels().values()]
        if is_model(item):
            body = model_lines(item, depth + 2, today)
            return [key, f"{pad}{INDENT}- " + body[0].lstrip()] + body[1:]
        return [key, f"{pad}{INDENT}- {PLACEHOLDER}"]
    if is_model(target):
        return [key] + model_lines(target, depth + 1, today)
    if is_labelled(target):
        return [f"{key} {scalar(next(iter(target.labels().values()))[0])}  {CONFIRM}"]
    if target is dt.date:
        return [f"{key} {today.isoformat()}" + (f"  {CONFIRM}" if (model, name) in PAST_DATES else "")]
    if target is bool:
        return [f"{key} true  {CONFIRM}"]
    if target in (int, float):
        return [f"{key} 0  {CONFIRM}"]
    return [f"{key} {PLACEHOLDER}"]


def model_lines(model: type[BaseModel], depth: int, today: dt.date, title: str | None = None) -> list[str]:
    """Required fields of `model`, each under its comment, indented for `depth`."""
    pad = INDENT * depth
    lines: list[str] = []
    for name in required_fields(model):
        field = model.model_fields[name]
        lines.append(pad + field_comment(name, field, model))
        if name == "title" and title:
            lines.append(f"{pad}title: {scalar(title)}")
        else:
            lines.extend(_value_lines(model, name, field, depth, today))
    if depth:  # a nested record's optional fields, one commented-out line each
        for name in (n for n in model.model_fields if n not in NEVER_WRITTEN and n not in required_fields(model)):
            lines.append(f"{pad}# {name}:  （可选）" + field_comment(name, model.model_fields[name]).removeprefix("# "))
    return lines


def optional_lines(model: type[BaseModel]) -> list[str]:
    """Top-level optional fields as commented-out lines: uncomment the ones you need."""
    names = [n for n in model.model_fields if n not in NEVER_WRITTEN and n not in required_fields(model)]
    if not names:
        return []
    out = ["", "# —— 以下为可选字段：需要时删除行首的「# 」再填写 / optional fields ——"]
    for name in names:
        field = model.model_fields[name]
        out.append("# " + field_comment(name, field).removeprefix("# "))
        out.append(f"# {name}:")
    return out


# --- where files go -----------------------------------------------------------------------


def slugify(text: str) -> str:
    """A file name from a title: NFKC, lower case, anything but letters, digits and Han → '-'."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = re.sub(r"[^0-9a-z\u4e00-\u9fff_]+", "-", s).strip("-_")
    return re.sub(r"-{2,}", "-", s)[:60].strip("-_")


def schemas_dir(content_dir: Path) -> Path:
    """The nearest `schemas/` holding the kinds' schemas, looking up from the content folder."""
    start = content_dir.resolve()
    for folder in (start, *start.parents):
        if (folder / "schemas" / "sanction.schema.json").is_file():
            return folder / "schemas"
    return start.parent / "schemas"  # where `gongshi schema` writes by default


def schema_ref(content_dir: Path, file: Path, kind: k.Kind) -> str:
    target = schemas_dir(content_dir) / f"{kind.name}.schema.json"
    return Path(os.path.relpath(target, file.resolve().parent)).as_posix()


def _existing_associations(content_dir: Path) -> list[str]:
    root = content_dir / "associations"
    return sorted(p.name for p in root.iterdir() if (p / "association.yaml").is_file()) if root.is_dir() else []


@dataclass(frozen=True)
class Planned:
    kind: k.Kind
    path: Path


def plan(content_dir: Path, kind: k.Kind, association: str, title: str | None, today: dt.date) -> Planned:
    folder = content_dir / "associations" / association
    if kind.filename:
        return Planned(kind, folder / kind.filename)
    assert kind.folder is not None
    stem = slugify(title) if title else ""
    if kind.name == "annual_report":
        year = DEFAULTS[(d.AnnualReport, "year")](today)
        stem = f"{year}-{stem or 'self-regulation'}"
    elif stem:
        stem = f"{today.year}-{stem}" if not stem.startswith(str(today.year)) else stem
    else:
        stem = f"{today.isoformat()}-{kind.label_zh}"
    if (why := check_name(stem)) is not None:
        raise ValueError(f"无法用「{stem}」作文件名：{why}。请换一个 --title。/ Cannot name the file '{stem}'.")
    return Planned(kind, folder / kind.folder / f"{stem}{kind.suffix}")


# --- rendering one file ---------------------------------------------------------------------


def render(content_dir: Path, planned: Planned, title: str | None, today: dt.date) -> str:
    kind, path = planned.kind, planned.path
    header = [f"# {kind.label_zh}（{kind.name}）。依据：{kind.source}。"
              "把每个「待填写」标记换成真实内容；`gongshi check` 会指出还没填的地方。"]
    fields = model_lines(kind.model, 0, today, title) + optional_lines(kind.model)
    ref = schema_ref(content_dir, path, kind)
    if kind.suffix == ".yaml":
        return "\n".join([f"# yaml-language-server: $schema={ref}", *header, *fields]) + "\n"
    body = BODY.get(kind.name, DEFAULT_BODY)
    return "\n".join(["---", *header, f"# 字段说明 / schema: {ref}", *fields, "---", "", body.rstrip("\n")]) + "\n"


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as fh:  # "x": never overwrite
        fh.write(text)


def new_document(content_dir: Path, kind: str, association: str | None, title: str | None, today: dt.date) -> Path:
    """Write a new document to fill in and return its path. ValueError says what is wrong."""
    if kind not in k.BY_NAME:
        raise ValueError(f"未知的类型「{kind}」。可用：{'、'.join(k.BY_NAME)}。/ Unknown kind '{kind}'.")
    if not association:
        raise ValueError("请用 --association 指定协会目录名。/ --association SLUG is required.")
    association = unicodedata.normalize("NFC", association)
    if (why := check_name(association)) is not None:
        raise ValueError(f"协会目录名「{association}」不可用：{why}。/ Association slug '{association}' is not allowed.")
    spec = k.BY_NAME[kind]
    known = _existing_associations(content_dir)
    if kind == "association":
        if association in known:
            raise ValueError(f"协会「{association}」已存在。/ Association '{association}' already exists.")
        profile = plan(content_dir, spec, association, title, today)
        charter = plan(content_dir, k.BY_NAME["charter"], association, None, today)
        for p in (profile, charter):
            if p.path.exists():
                raise ValueError(f"文件已存在：{p.path}。/ File exists: {p.path}")
        _write_new(profile.path, render(content_dir, profile, title, today))
        _write_new(charter.path, render(content_dir, charter, None, today))
        return profile.path
    if association not in known:
        hint = "、".join(known) or "（还没有协会）"
        raise ValueError(f"协会「{association}」不存在，现有：{hint}。先运行 gongshi new association --association "
                         f"{association}。/ Unknown association '{association}'.")
    planned = plan(content_dir, spec, association, title, today)
    if planned.path.exists():
        raise ValueError(f"文件已存在：{planned.path}。请用 --title 换一个名称。/ File exists: {planned.path}; "
                         "choose another --title.")
    _write_new(planned.path, render(content_dir, planned, title, today))
    return planned.path


__all__ = ["new_document", "field_comment", "required_fields", "slugify", "is_uscc", "list_item", "is_labelled",
           "is_model", "choices_zh", "PLACEHOLDER"]
