"""schemas/ is generated from the models; a stale copy misleads every editor that uses it."""

from __future__ import annotations

import json
from pathlib import Path

from generator.kinds import KINDS
from generator.schemas import schema_documents, serialise

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_schemas_folder_is_up_to_date() -> None:
    expected = {name: serialise(schema) for name, schema in schema_documents().items()}
    actual = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.schema.json")}
    stale = sorted(n for n in expected if actual.get(n) != expected[n])
    extra = sorted(set(actual) - set(expected))
    assert not stale and not extra, f"run `python build.py schema`: stale {stale}, extra {extra}"


def test_every_kind_has_a_schema_with_chinese_titles_and_its_required_fields() -> None:
    for kind in KINDS:
        schema = json.loads((SCHEMAS / f"{kind.name}.schema.json").read_text(encoding="utf-8"))
        assert any("\u4e00" <= c <= "\u9fff" for c in schema["title"])
        required = {n for n, f in kind.model.model_fields.items() if f.is_required()}
        assert set(schema.get("required", [])) == required
        assert schema.get("additionalProperties") is False  # unknown fields are errors in editors too
        for name, prop in schema["properties"].items():
            if name != "kind" and "$ref" not in prop and "allOf" not in prop:
                assert prop.get("title"), f"{kind.name}.{name} has no title"


def test_schema_validates_the_example_sanction_like_the_model() -> None:
    import jsonschema
    schema = json.loads((SCHEMAS / "sanction.schema.json").read_text(encoding="utf-8"))
    good = {"title": "关于对某公司予以警告的决定", "decision_number": "深测协〔2025〕1号",
            "subject": {"name": "深圳市甲公司", "uscc": "91440300MA5F00012E"}, "measure": "warning",
            "rule_broken": "第十二条", "facts": "事实", "basis": "依据", "decided_by": "自律委员会", "decided_on": "2025-04-25"}
    jsonschema.validate(good, schema)
    try:
        jsonschema.validate({**good, "colour": "red"}, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("an unknown field passed the schema")
