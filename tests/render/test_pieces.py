"""Big outputs are made in pieces (so no process holds them whole); the pieces joined must be
exactly the file a reader downloads: the JSON `json` writes, the CSV Excel opens (one byte
order mark, CRLF), the editor configuration PyYAML writes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import opendata
from generator.jsontext import dumps_indented_bytes

text = st.text(alphabet=st.sampled_from(list("深圳市珠宝行业协会（）：，。、“”《》；abcXYZ-_\"',\n\r\t\\/ 012é\u2028")), max_size=30)
values = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), text, st.lists(text, max_size=3))
DATASET = opendata.BY_NAME["sanctions"]


def _rows(draw_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = [f.name for f in DATASET.fields]
    return [{n: r.get(i % len(r)) if r else None for i, n in enumerate(names)} for r in draw_rows]


SITE = SimpleNamespace(as_of=dt.date(2026, 11, 20), config=SimpleNamespace(base_url="https://公示.example.cn"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.dictionaries(st.integers(0, 20), values, max_size=5), max_size=12), st.integers(1, 4))
def test_json_and_csv_in_pieces_are_the_whole_file(raw: list[dict[int, Any]], per_chunk: int) -> None:
    rows = _rows(raw)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(opendata, "_ROWS_PER_CHUNK", per_chunk)
        json_bytes = b"".join(opendata.json_chunks(DATASET, rows, SITE))   # type: ignore[arg-type]
        csv_bytes = b"".join(opendata.csv_chunks(DATASET, rows))
    doc = {"dataset": DATASET.name, "title": DATASET.title_zh, "as_of": "2026-11-20",
           "fields": [f.name for f in DATASET.fields], "documentation": "https://公示.example.cn/data/",
           "records": [{f.name: r.get(f.name) for f in DATASET.fields} for r in rows]}
    assert json_bytes == (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode()
    assert csv_bytes.startswith("\ufeff".encode()) and csv_bytes.count("\ufeff".encode()) == 1   # one mark, at the start
    table = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"), newline="")))
    assert table[0] == [f.name for f in DATASET.fields] and len(table) == len(rows) + 1
    assert table[1:] == [[opendata._cell(r.get(f.name)) for f in DATASET.fields] for r in rows]


@settings(max_examples=40, deadline=None)
@given(st.recursive(values, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(text, inner, max_size=4)), max_leaves=30))
def test_json_as_bytes_is_the_text_json_writes(value: Any) -> None:
    assert dumps_indented_bytes(value, 1, end="\n") == (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode()


def test_a_manifest_sized_map_of_chinese_paths(tmp_path: object) -> None:
    files = {f"associations/协会{i // 50}/sanctions/惩戒-{i}/index.html": f"{i:064x}" for i in range(5000)}
    record = {"format": "gongshi-manifest/1", "files": files, "sources": {}}
    assert dumps_indented_bytes(record, 1, end="\n") == (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode()


def test_editor_configuration_in_pieces_is_the_configuration(content_copy: object, tmp_path: object) -> None:
    from pathlib import Path

    from generator import pipeline
    from generator.cms import cms_config, config_chunks, config_yaml
    prepared = pipeline.prepare(Path(str(content_copy)), dt.date(2026, 11, 20))
    assert prepared.site is not None
    env = {"GITHUB_REPOSITORY": "深圳协会/公示内容"}
    pieces = list(config_chunks(prepared.site, env))
    assert len(pieces) > 1
    assert b"".join(pieces) == config_yaml(cms_config(prepared.site, env))
    assert yaml.safe_load(b"".join(pieces))["backend"]["repo"] == "深圳协会/公示内容"


awkward = st.text(alphabet=st.sampled_from(list("深圳市珠宝首饰行业协会（）：，。、“”《》 abcXYZ-_:#'\"!&*?|>%@`012\n")),
                  min_size=1, max_size=110)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(awkward, st.one_of(st.none(), awkward)), min_size=1, max_size=4))
def test_editor_configuration_filled_in_is_what_pyyaml_writes(tmp_path_factory: pytest.TempPathFactory,
                                                              names: list[tuple[str, str | None]]) -> None:
    """Associations whose names PyYAML must quote, fold or refuse to read as text ('true',
    '12', '- x', a colon and a space, 110 characters) are dumped, the others filled in."""
    from pathlib import Path

    from generator.cms import cms_config, config_chunks
    root = Path(str(tmp_path_factory.mktemp("内容")))
    associations = [SimpleNamespace(slug=f"协会-{i}", profile=SimpleNamespace(name=name, short_name=short))
                    for i, (name, short) in enumerate(names)]
    site = SimpleNamespace(root=root, associations=associations,
                           config=SimpleNamespace(base_url="https://公示.example.cn"))
    config = cms_config(site, {})  # type: ignore[arg-type]
    reference = ("# 由 gongshi 根据内容模型自动生成，请勿手改 / generated from the content models by gongshi\n"
                 + yaml.safe_dump(json.loads(json.dumps(config)), allow_unicode=True, sort_keys=False, width=120))
    assert b"".join(config_chunks(site, {})) == reference.encode()  # type: ignore[arg-type]


nested = st.recursive(values | st.floats(allow_nan=False), lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.tuples(inner), st.dictionaries(text, inner, max_size=3)), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["协会", "title", "100%", "a\x00b", "x"]), nested, max_size=5), max_size=6),
       st.lists(st.sampled_from(["协会", "title", "100%", "a\x00b", "x", "缺"]), unique=True, max_size=5))
def test_records_in_one_encoder_call_are_the_text_json_writes(records: list[dict[str, Any]], names: list[str]) -> None:
    from generator.jsontext import records_text
    expected = [json.dumps({n: r.get(n) for n in names}, ensure_ascii=False, indent=1).replace("\n", "\n  ")
                for r in records]
    assert records_text(records, names, "\n  ", " ") == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(values | st.floats(allow_nan=False), min_size=3, max_size=3), max_size=8))
def test_csv_cells_written_as_they_are_read_as_cell_writes_them(table: list[list[Any]]) -> None:
    names = ["机构", "b", "c"]
    rows = [dict(zip(names, row)) for row in table]
    written = io.StringIO()
    csv.writer(written, lineterminator="\r\n").writerows(opendata._cells(rows, names))
    assert list(csv.reader(io.StringIO(written.getvalue(), newline=""))) == [[opendata._cell(v) for v in row] for row in table]
