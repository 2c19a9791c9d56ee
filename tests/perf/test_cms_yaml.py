"""The editor configuration is serialised fast (each kind's field list once, spliced in) and
must stay byte for byte what `yaml.safe_dump` of the whole configuration gives."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import kinds as k
from generator.cms import config_yaml, model_fields

HEADER = "# 由 gongshi 根据内容模型自动生成，请勿手改 / generated from the content models by gongshi\n"
# Association names as people write them: Chinese, full-width punctuation, mixed English,
# long enough to fold at 120 columns, and characters YAML must quote (': ', '#', '- ', quotes).
names = st.text(alphabet=st.sampled_from(list("深圳市珠宝首饰行业协会（）：，。、“”《》 abcXYZ-_:#'\"!&*?|>%@`012")),
                min_size=1, max_size=90)


def _config(assoc_names: list[str]) -> dict[str, Any]:
    collections: list[dict[str, Any]] = []
    for i, name in enumerate(assoc_names):
        collections.append({"name": f"association-{i}", "label": f"{name} · 协会概况和章程",
                            "files": [{"name": "association", "label": "协会概况", "file": f"c/{name}/association.yaml",
                                       "fields": model_fields(k.BY_NAME["association"].model)}]})
        for kind in k.KINDS:
            if kind.folder is not None:
                collections.append({"name": f"{kind.name}-{i}", "label": f"{name} · {kind.label_zh}",
                                    "folder": f"c/{name}/{kind.folder}", "fields": model_fields(kind.model)})
    return {"backend": {"name": "github", "repo": "某协会/公示"}, "locale": "zh_Hans", "collections": collections}


def _reference(config: dict[str, Any]) -> bytes:
    # A JSON round trip unshares every list and dict (deepcopy would keep the sharing and
    # safe_dump would write anchors), as a configuration built fresh for every collection is.
    return (HEADER + yaml.safe_dump(json.loads(json.dumps(config)), allow_unicode=True, sort_keys=False,
                                    width=120)).encode()


@settings(max_examples=25, deadline=None)
@given(st.lists(names, min_size=1, max_size=3))
def test_config_yaml_is_byte_identical_to_dumping_the_whole(assoc_names: list[str]) -> None:
    config = _config(assoc_names)
    assert config_yaml(config) == _reference(config)


def test_config_yaml_without_collections_or_with_an_empty_list() -> None:
    for config in ({"backend": {"name": "github"}, "collections": []}, {"locale": "zh_Hans"}):
        assert config_yaml(config) == _reference(config)


def test_config_yaml_round_trips_to_the_same_configuration() -> None:
    config = _config(["深圳市餐饮行业协会", "Guangzhou 物流协会：华南"])
    assert yaml.safe_load(config_yaml(config)) == config


def test_field_lists_shared_between_collections_write_no_anchors() -> None:
    # cms_config hands every association the same list object per kind (memory at 10k).
    shared = model_fields(k.BY_NAME["sanction"].model)
    config = {"collections": [{"name": f"sanction-{i}", "label": f"第{i}个协会 · 行业惩戒", "fields": shared}
                              for i in range(3)]}
    out = config_yaml(config)
    assert b"&id" not in out and b"*id" not in out
    assert out == _reference(config)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ09_./-协会深圳") + list(" #,[]{}&*!|>'\"%@`?:\n\t\x85\u2028\ufeff\x00é")),
               max_size=10))
def test_a_value_taken_as_plain_without_pyyaml_s_analysis_is_one_it_allows_plain(value: str) -> None:
    from generator import cms
    if cms._PLAIN_FOR_CERTAIN.fullmatch(value):
        analysis = cms._PLAIN_ANALYSER.analyze_scalar(value)
        assert not analysis.empty and not analysis.multiline and analysis.allow_block_plain
