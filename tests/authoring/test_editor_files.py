"""The files associations copy into their repositories: editor schema mapping, pre-commit
hook, GitHub Actions workflow. Each must point at things that exist and do what it says."""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
from pathlib import Path

import yaml

from generator.kinds import KINDS
from generator.scaffold import new_document

ROOT = Path(__file__).resolve().parents[2]


def test_vscode_maps_every_yaml_kind_to_an_existing_schema(minimal_copy: Path) -> None:
    settings = json.loads((ROOT / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    for schema in mapping:
        assert (ROOT / schema).is_file(), schema
    # A YAML file `new` writes, at its repository path, is covered by its kind's schema.
    path = new_document(minimal_copy, "association", "新协会", None, dt.date(2025, 6, 1))
    rel = "content/" + path.relative_to(minimal_copy).as_posix()
    matched = [s for s, globs in mapping.items() if any(fnmatch.fnmatch(rel, g) for g in globs)]
    assert matched == ["./schemas/association.schema.json"]
    for kind in KINDS:
        if kind.folder:
            sample = f"content/associations/某协会/{kind.folder}/2025-记录.yaml"
            assert [s for s, gs in mapping.items() if any(fnmatch.fnmatch(sample, g) for g in gs)] == \
                [f"./schemas/{kind.name}.schema.json"]


def test_pre_commit_hook_runs_check() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "gongshi-check")
    assert hook["entry"].split()[:2] == ["gongshi", "check"]
    assert hook["pass_filenames"] is False  # the whole content folder: cross-file references


def test_workflow_checks_pull_requests_with_annotations_and_full_history() -> None:
    wf = yaml.safe_load((ROOT / "examples/github-actions/gongshi.yml").read_text(encoding="utf-8"))
    assert "pull_request" in wf[True]  # PyYAML reads the key `on` as True
    steps = wf["jobs"]["check-and-build"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = [s.get("run", "") for s in steps]
    check = next(i for i, r in enumerate(runs) if "gongshi check" in r)
    build = next(i for i, r in enumerate(runs) if "gongshi build" in r)
    assert "--format github" in runs[check] and check < build
