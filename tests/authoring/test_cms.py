"""The web editor's configuration covers every kind and every required field, with the
models as the reference (walked here with pydantic, not with the generator's helpers)."""

from __future__ import annotations

import datetime as dt
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from generator import pipeline
from generator.cms import cms_config, config_yaml
from generator.kinds import KINDS

AS_OF = dt.date(2025, 6, 1)


def _inner(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        return [t for a in typing.get_args(annotation) if a is not type(None) for t in _inner(a)]
    return [annotation]


def required_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Dotted paths of required fields, into nested models and list items ('[]')."""
    out = set()
    for name, field in model.model_fields.items():
        path = prefix + name
        if field.is_required():
            out.add(path)
        for t in _inner(field.annotation):
            if isinstance(t, type) and issubclass(t, BaseModel):
                is_list = typing.get_origin(_strip_optional(field.annotation)) is list
                out |= required_paths(t, path + ("[]." if is_list else "."))
    return out


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _strip_optional(rest[0]) if len(rest) == 1 else annotation
    return annotation


def enum_paths(model: type[BaseModel], prefix: str = "") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, field in model.model_fields.items():
        for t in _inner(field.annotation):
            if isinstance(t, type) and issubclass(t, Enum):
                out[prefix + name] = {m.value for m in t}
            elif isinstance(t, type) and issubclass(t, BaseModel):
                is_list = typing.get_origin(_strip_optional(field.annotation)) is list
                out |= enum_paths(t, prefix + name + ("[]." if is_list else "."))
    return out


def cms_paths(fields: list[dict[str, Any]], prefix: str = "") -> dict[str, dict[str, Any]]:
    out = {}
    for f in fields:
        path = prefix + f["name"]
        out[path] = f
        if "fields" in f:
            out |= cms_paths(f["fields"], path + ("[]." if f["widget"] == "list" else "."))
    return out


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import shutil
    root = tmp_path_factory.mktemp("cms") / "content"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "minimal", root)
    # A second association with a Chinese slug: collections are per association and kind.
    second = root / "associations" / "第二协会"
    shutil.copytree(root / "associations" / "测试协会", second)
    prepared = pipeline.prepare(root, AS_OF)
    assert prepared.site is not None, [d.message() for d in prepared.diagnostics]
    cfg = cms_config(prepared.site, env={})
    # What is written must be what Decap reads: round-trip through the YAML file.
    return yaml.safe_load(config_yaml(cfg))


def collections_for(config: dict[str, Any], folder: str) -> list[dict[str, Any]]:
    return [c for c in config["collections"] if c.get("folder", "").endswith(f"/{folder}")]


@pytest.mark.parametrize("kind", [k for k in KINDS if k.folder], ids=lambda k: k.name)
def test_every_folder_kind_has_a_collection_per_association(config: dict[str, Any], kind: Any) -> None:
    found = collections_for(config, kind.folder)
    assert sorted(c["folder"].split("/")[-2] for c in found) == ["测试协会", "第二协会"]
    for c in found:
        assert c["folder"].startswith("content/associations/")
        assert c["create"] is True and c["format"] == "frontmatter" and c["extension"] == "md"
        assert kind.label_zh in c["label"]
        fields = cms_paths(c["fields"])
        for path in required_paths(kind.model):
            assert path in fields, f"{kind.name}: required field {path} missing from the editor"
            assert fields[path]["required"] is True, f"{kind.name}: {path} must be required in the editor"
        assert "kind" not in fields, "the kind follows from the folder; the editor must not write it"
        assert set(fields) - {"body"} <= _all_paths(kind.model), "the editor must not invent fields (extra=forbid)"


def _all_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    out = set()
    for name, field in model.model_fields.items():
        out.add(prefix + name)
        for t in _inner(field.annotation):
            if isinstance(t, type) and issubclass(t, BaseModel):
                is_list = typing.get_origin(_strip_optional(field.annotation)) is list
                out |= _all_paths(t, prefix + name + ("[]." if is_list else "."))
    return out


@pytest.mark.parametrize("kind", [k for k in KINDS if not k.folder], ids=lambda k: k.name)
def test_profile_and_charter_are_file_entries(config: dict[str, Any], kind: Any) -> None:
    entries = [f for c in config["collections"] for f in c.get("files", []) if f["file"].endswith("/" + kind.filename)]
    assert len(entries) == 2
    for entry in entries:
        fields = cms_paths(entry["fields"])
        for path in required_paths(kind.model):
            assert fields[path]["required"] is True, f"{kind.name}: {path}"


def test_enums_are_selects_with_chinese_labels_and_code_values(config: dict[str, Any]) -> None:
    for kind in KINDS:
        if not kind.folder:
            continue
        fields = cms_paths(collections_for(config, kind.folder)[0]["fields"])
        for path, codes in enum_paths(kind.model).items():
            f = fields[path]
            assert f["widget"] == "select", (kind.name, path)
            assert {o["value"] for o in f["options"]} == codes
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in o["label"]) or o["label"] == o["value"]
                       for o in f["options"]), (kind.name, path)


def test_labels_are_chinese_and_dates_are_iso_dates(config: dict[str, Any]) -> None:
    fields = cms_paths(collections_for(config, "sanctions")[0]["fields"])
    assert fields["decided_on"]["widget"] == "datetime" and fields["decided_on"]["format"] == "YYYY-MM-DD"
    assert fields["decided_on"]["time_format"] is False
    assert fields["subject.uscc"]["pattern"][0].startswith("^")
    assert fields["facts"]["widget"] == "text"
    assert fields["body"]["widget"] == "markdown"
    for path, f in fields.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f["label"]), f"{path} has no Chinese label: {f['label']}"


def test_github_backend_with_pull_requests_from_the_environment(tmp_path: Path, minimal_copy: Path) -> None:
    prepared = pipeline.prepare(minimal_copy, AS_OF)
    assert prepared.site is not None
    cfg = cms_config(prepared.site, env={"GITHUB_REPOSITORY": "szja/gongshi-content", "GONGSHI_CMS_BRANCH": "trunk",
                                         "GONGSHI_CMS_AUTH_URL": "https://auth.example.org"})
    assert cfg["backend"]["name"] == "github"
    assert cfg["backend"]["repo"] == "szja/gongshi-content" and cfg["backend"]["branch"] == "trunk"
    assert cfg["backend"]["base_url"] == "https://auth.example.org"
    assert cfg["publish_mode"] == "editorial_workflow"
    assert "git-gateway" not in str(cfg)
