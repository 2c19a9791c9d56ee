"""JSON Schemas of every kind, generated from the models (editors, the CMS, documentation)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .calendar import CalendarYear
from .config import SiteConfig
from .kinds import KINDS

SCHEMA_BASE = "https://gongshi.example.org/schemas/"


def schema_documents() -> dict[str, dict[str, Any]]:
    """file name -> JSON Schema, deterministic."""
    out: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        schema = kind.model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"{SCHEMA_BASE}{kind.name}.schema.json"
        schema["title"] = f"{kind.label_zh}（{kind.name}）"
        schema["description"] = (f"{kind.label_zh} / {kind.label_en}。依据：{kind.source}。"
                                 + (f"放在 associations/<协会>/{kind.folder}/ 目录下。" if kind.folder else f"文件名：{kind.filename}。"))
        out[f"{kind.name}.schema.json"] = schema
    for name, model, title in (("site", SiteConfig, "站点配置（site.yaml）"), ("calendar", CalendarYear, "节假日安排（calendar/<年>.yaml）")):
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"{SCHEMA_BASE}{name}.schema.json"
        schema["title"] = title
        out[f"{name}.schema.json"] = schema
    return out


def serialise(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in sorted(schema_documents().items()):
        path = out_dir / name
        path.write_text(serialise(schema), encoding="utf-8")
        written.append(path)
    return written
