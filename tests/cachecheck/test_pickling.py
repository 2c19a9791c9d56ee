"""Validated models go into the per-file cache by pickle: every enumeration (codes with
Chinese labels, built by `labelled`) and every kind's model must come back equal and usable."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from generator import kinds, pipeline
from generator.models import common, documents
from tests.conftest import EXAMPLE_CONTENT

ENUMS = [v for module in (common, documents) for v in vars(module).values()
         if isinstance(v, type) and issubclass(v, common.Labelled) and v is not common.Labelled]


def test_every_labelled_enumeration_is_found() -> None:
    assert {"Audience", "EntityKind", "ReportType", "Measure", "Grade"} <= {e.__name__ for e in ENUMS}


@pytest.mark.parametrize("enum", ENUMS, ids=[e.__name__ for e in ENUMS])
def test_each_member_pickles_to_itself_with_its_labels(enum: type[common.Labelled]) -> None:
    for member in enum:
        back = pickle.loads(pickle.dumps(member))
        assert back is member and (back.zh, back.en) == (member.zh, member.en)


def test_every_validated_document_of_the_example_pickles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    monkeypatch.setenv("GONGSHI_FILE_CACHE", "0")
    content = pipeline.check(EXAMPLE_CONTENT)
    docs = [*content.profiles, *content.documents]
    assert {d.kind.name for d in docs} == {k.name for k in kinds.KINDS}     # every kind is exercised
    for d in docs:
        back = pickle.loads(pickle.dumps(d.model))
        assert back == d.model and type(back) is type(d.model)
        assert back.model_dump(mode="json") == d.model.model_dump(mode="json")


def test_a_documents_remembered_place_is_not_pickled_and_is_made_again(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # id, association and url are made once per document and kept on it, but never pickled
    # (a pickled document is what it was before: raw, kind, model and its listing keys)
    monkeypatch.setenv("GONGSHI_CACHE", str(tmp_path / "缓存"))
    monkeypatch.setenv("GONGSHI_FILE_CACHE", "0")
    content = pipeline.check(EXAMPLE_CONTENT)
    for d in [*content.profiles, *content.documents]:
        fresh = pickle.loads(pickle.dumps(d))
        made = (d.id, d.association, d.url)
        assert made == (d.raw.stem if d.kind.folder else d.kind.name, d.raw.association or "",
                        d.kind.url(d.raw.association or "", d.raw.stem if d.kind.folder else d.kind.name))
        assert {"id", "association", "url"} <= d.__dict__.keys()
        again = pickle.loads(pickle.dumps(d))
        assert not {"id", "association", "url"} & again.__dict__.keys()
        assert again == d == fresh and (again.id, again.association, again.url) == made
