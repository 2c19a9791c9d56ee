"""Diagnostics point at the file, line and column of the offending value, in Chinese by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import pipeline
from generator.cli import main
from generator.diagnostics import Diagnostic

SANCTION = "associations/测试协会/sanctions/2025-警告-001.md"
PROFILE = "associations/测试协会/association.yaml"


def codes(content: Path) -> list[tuple[str, int, int, str]]:
    return [(Path(d.file).relative_to(content).as_posix(), d.line, d.column, d.code)
            for d in pipeline.check(content).diagnostics]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_minimal_fixture_is_clean(minimal_copy: Path) -> None:
    assert codes(minimal_copy) == []


def test_impossible_date_in_front_matter_points_at_its_line(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    replace(f, "decided_on: 2025-04-25", "decided_on: 2025-02-30")
    line = line_of(f, "decided_on:")
    assert codes(minimal_copy) == [(SANCTION, line, len("decided_on: ") + 1, "schema.bad_date")]


def test_unknown_field_points_at_the_key_and_suggests_the_right_one(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    replace(f, "decided_by:", "decidedby:")
    ds = pipeline.check(minimal_copy).diagnostics
    assert sorted(d.code for d in ds) == ["schema.missing_field", "schema.unknown_field"]
    [d] = [d for d in ds if d.code == "schema.unknown_field"]
    assert (d.line, d.column) == (line_of(f, "decidedby:"), 1)
    assert "decided_by" in d.message("zh") and "是不是想写" in d.message("zh")


def test_missing_field_names_it_with_an_example(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    text = f.read_text(encoding="utf-8")
    f.write_text("\n".join(line for line in text.splitlines() if not line.startswith("decision_number:")) + "\n",
                 encoding="utf-8")
    ds = pipeline.check(minimal_copy).diagnostics
    assert [d.code for d in ds] == ["schema.missing_field"]
    assert "decision_number" in ds[0].message("zh") and "惩戒决定书文号" in ds[0].message("zh")


def test_nested_bad_uscc_points_into_the_nested_mapping(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    replace(f, "  uscc: 91440300MA5F00012E", "  uscc: 91440300MA5F00012F")
    ds = codes(minimal_copy)
    assert (SANCTION, line_of(f, "  uscc:"), 9, "schema.bad_uscc") in ds


def test_wrong_enum_value_lists_the_choices_in_chinese(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    replace(f, "measure: 警告", "measure: 罚款")
    [d] = pipeline.check(minimal_copy).diagnostics
    assert d.code == "schema.bad_enum" and d.line == line_of(f, "measure:")
    assert "公开谴责" in d.message("zh") and "public_censure" in d.message("en")


def test_duplicate_yaml_key_is_an_error_not_last_one_wins(minimal_copy: Path) -> None:
    f = minimal_copy / PROFILE
    replace(f, "industry: 测试\n", "industry: 测试\nindustry: 另一个\n")
    [d] = [d for d in pipeline.check(minimal_copy).diagnostics if d.code == "yaml.duplicate_key"]
    assert d.line == line_of(f, "industry: 另一个")


def test_kind_that_disagrees_with_its_folder(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    replace(f, "---\ntitle:", "---\nkind: convention\ntitle:")
    assert (SANCTION, 2, 7, "schema.kind_mismatch") in codes(minimal_copy)


@pytest.mark.parametrize("declared", ["", "kind: sanction\n"])
def test_a_kind_that_agrees_with_its_folder_is_not_held_by_the_model(minimal_copy: Path, declared: str) -> None:
    # written or not, `kind` comes from the folder: the model validated without it, as the
    # file's data is (the data itself is not changed)
    f = minimal_copy / SANCTION
    replace(f, "---\ntitle:", f"---\n{declared}title:")
    content = pipeline.check(minimal_copy)
    [doc] = [d for d in content.documents if d.raw.rel == SANCTION]
    assert doc.model.kind is None
    assert ("kind" in doc.raw.data) == bool(declared)


def test_dangling_member_reference(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    from generator.identifiers import uscc_check_character
    other = "91440300MA5F00099"
    replace(f, "  uscc: 91440300MA5F00012E", f"  uscc: {other}{uscc_check_character(other)}")
    assert (SANCTION, line_of(f, "  uscc:"), 9, "ref.unknown_member") in codes(minimal_copy)


def test_decision_after_publication(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    replace(f, "published_on: 2025-05-06", "published_on: 2025-04-20")
    assert (SANCTION, line_of(f, "published_on:"), 15, "date.decided_after_published") in codes(minimal_copy)


def test_non_utf8_file_is_reported_with_its_line(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    f.write_bytes(f.read_text(encoding="utf-8").encode("gbk"))
    [d] = [d for d in pipeline.check(minimal_copy).diagnostics]
    assert d.code == "file.encoding" and d.line == 2  # the first non-ASCII line is the title


def test_all_errors_of_all_files_in_one_run(minimal_copy: Path) -> None:
    replace(minimal_copy / SANCTION, "decided_on: 2025-04-25", "decided_on: 2025-13-01")
    replace(minimal_copy / PROFILE, "member_count: 120", "member_count: 很多")
    got = {(p, c) for p, _l, _c, c in codes(minimal_copy)}
    assert got == {(SANCTION, "schema.bad_date"), (PROFILE, "schema.invalid_value")}


def test_check_json_reports_broken_yaml_and_bad_date_with_lines(minimal_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's acceptance case: one broken YAML line and one bad date in a front matter."""
    profile, sanction = minimal_copy / PROFILE, minimal_copy / SANCTION
    replace(profile, "industry: 测试\n", "industry: [测试\n")
    replace(sanction, "decided_on: 2025-04-25", "decided_on: 2025-04-31")
    monkeypatch.chdir(minimal_copy.parent)
    result = CliRunner().invoke(main, ["check", "--content", "content", "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["errors"] == 2 and report["warnings"] == 0
    by_file = {d["file"]: d for d in report["diagnostics"]}
    assert by_file[f"content/{SANCTION}"]["line"] == line_of(sanction, "decided_on:")
    assert by_file[f"content/{SANCTION}"]["code"] == "schema.bad_date"
    assert by_file[f"content/{PROFILE}"]["code"] == "yaml.syntax"
    # PyYAML notices the unclosed flow sequence on the following line at the latest.
    assert by_file[f"content/{PROFILE}"]["line"] in (line_of(profile, "industry:"), line_of(profile, "industry:") + 1)
    assert set(by_file[f"content/{PROFILE}"]) == {"file", "line", "column", "severity", "code", "message"}


def test_github_format_annotates_lines(minimal_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    replace(minimal_copy / SANCTION, "decided_on: 2025-04-25", "decided_on: 2025-04-31")
    monkeypatch.chdir(minimal_copy.parent)
    result = CliRunner().invoke(main, ["check", "--content", "content", "--format", "github", "--lang", "en"])
    assert result.exit_code == 1
    line = line_of(minimal_copy / SANCTION, "decided_on:")
    assert result.output.startswith(f"::error file=content/{SANCTION},line={line},col=13,title=schema.bad_date::")


def test_messages_exist_in_both_languages_with_the_same_placeholders() -> None:
    import string
    from generator.diagnostics import MESSAGES
    for code, (zh, en) in MESSAGES.items():
        fields = lambda t: {f for _, f, _, _ in string.Formatter().parse(t) if f}  # noqa: E731
        assert fields(zh) == fields(en), code
        assert any("\u4e00" <= c <= "\u9fff" for c in zh) or zh == "{message}", code


def test_duplicate_obligation_rule_ids_in_site_yaml_are_rejected(minimal_copy: Path) -> None:
    site = minimal_copy / "site.yaml"
    rule = ("  - {shape: presence, id: charter, title: 公开章程, source: GD 二(二), kind: charter}\n")
    site.write_text(site.read_text(encoding="utf-8") + "obligations:\n" + rule + rule, encoding="utf-8")
    ds = pipeline.check(minimal_copy).diagnostics
    assert [(d.code, Path(d.file).name) for d in ds] == [("schema.invalid_value", "site.yaml")]
    assert "charter" in ds[0].message("zh") and "重复" in ds[0].message("zh")


def test_raw_html_in_a_body_is_a_warning_at_its_line_but_code_is_not(minimal_copy: Path) -> None:
    f = minimal_copy / SANCTION
    f.write_text(f.read_text(encoding="utf-8") + "\n<div onclick=\"x()\">点击</div>\n\n```\n<b>代码</b>\n```\n\n用 `<br>` 换行\n",
                 encoding="utf-8")
    ds = pipeline.check(minimal_copy).diagnostics
    assert [(d.code, d.severity.value, d.line) for d in ds] == [("markdown.raw_html", "warning", line_of(f, "<div"))]


@pytest.mark.parametrize("levels", [41, 1_001, 100_000])
def test_deep_flow_nesting_is_too_deep_whatever_libyaml_limits(levels: int) -> None:
    """Past our depth limit a file is `yaml.too_deep` on its own line, whether our event count,
    our builder or libyaml's own nesting limit (PyYAML 6.0.4 wheels stop at 1,000) sees it first."""
    from generator.load import _YamlError, parse_yaml
    text = "名称: 测试\n成员: " + "[" * levels + "]" * levels + "\n"
    with pytest.raises(_YamlError) as caught:
        parse_yaml(text, "associations/测试协会/association.yaml")
    (d,) = caught.value.diagnostics
    assert (d.code, d.line) == ("yaml.too_deep", 2)
