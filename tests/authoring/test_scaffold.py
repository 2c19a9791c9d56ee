"""`gongshi new`: every kind gets a file in the right place that `check` accepts once the
marked placeholders are filled, and that `check` flags, line by line, while they remain."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.cli import main
from generator.diagnostics import Severity
from generator.kinds import KINDS
from generator.scaffold import new_document

MARK = "【待填写】"
TODAY = dt.date(2025, 11, 20)
ASSOCIATION = "测试协会"                 # tests/fixtures/minimal
MEMBER_USCC = "91440300MA5F00012E"      # a member of 测试协会 (fixture)
OTHER_USCC = "51440300MJL0000103"       # a valid code for a new association's profile

# A line whose value is the marker: "key: 【待填写】" or "- 【待填写】".
VALUE_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)?(?:(?P<key>[a-z_]+):\s+)?)" + MARK + r"(?P<rest>.*)$")


def fill(text: str, uscc: str) -> str:
    """What a secretariat does: replace each marked value, confirm each marked default."""
    out = []
    for line in text.split("\n"):
        if MARK not in line:
            out.append(line)
        elif re.search(r"#\s*" + MARK, line):          # a default to confirm: delete the marker comment
            out.append(re.sub(r"\s*#\s*" + MARK + ".*$", "", line))
        elif (m := VALUE_LINE.match(line)) is not None:
            value = uscc if m["key"] in ("uscc", "employer_uscc") else "深圳市某某行业协会（测试）内容"
            out.append(m["lead"] + value + m["rest"])
        else:
            raise AssertionError(f"a marker the user could not tell how to fill: {line!r}")
    return "\n".join(out)


def placeholder_lines(content: pipeline.ValidatedContent | object, path: Path) -> set[int]:
    return {d.line for d in content.diagnostics if d.code == "placeholder.remaining" and Path(d.file) == path}


def diagnostics_for(content_dir: Path, path: Path) -> list:
    return [d for d in pipeline.check(content_dir).diagnostics if Path(d.file) == path]


def kinds_in_folders() -> list[str]:
    return [k.name for k in KINDS if k.name not in ("association", "charter")]


@pytest.mark.parametrize("kind", kinds_in_folders())
def test_new_document_in_its_folder_passes_check_once_filled(minimal_copy: Path, kind: str) -> None:
    spec = next(k for k in KINDS if k.name == kind)
    path = new_document(minimal_copy, kind, ASSOCIATION, None, TODAY)
    assert path.parent == minimal_copy / "associations" / ASSOCIATION / spec.folder
    assert path.suffix == spec.suffix
    text = path.read_text(encoding="utf-8")
    marked = {n for n, line in enumerate(text.split("\n"), 1) if MARK in line}
    assert marked, "a new document must show what is left to write"

    before = diagnostics_for(minimal_copy, path)
    assert {d.line for d in before if d.code == "placeholder.remaining"} == marked
    assert all(d.severity is Severity.WARNING for d in before if d.code == "placeholder.remaining")
    # The only errors allowed before filling are codes no default could honestly stand for.
    lines = text.split("\n")
    for d in before:
        if d.severity is Severity.ERROR:
            assert d.code == "schema.bad_uscc" and MARK in lines[d.line - 1], d.message()

    path.write_text(fill(text, MEMBER_USCC), encoding="utf-8")
    after = diagnostics_for(minimal_copy, path)
    assert [d.message() for d in after] == []
    doc = next(x for x in pipeline.check(minimal_copy).documents if x.raw.path == path)
    assert doc.kind.name == kind


def test_new_association_scaffolds_profile_and_charter(minimal_copy: Path) -> None:
    # The repository layout: schemas/ (written by `gongshi schema`) next to content/.
    shutil.copytree(Path(__file__).resolve().parents[2] / "schemas", minimal_copy.parent / "schemas")
    path = new_document(minimal_copy, "association", "新建协会", None, TODAY)
    folder = minimal_copy / "associations" / "新建协会"
    assert path == folder / "association.yaml"
    charter = folder / "charter.md"
    assert charter.is_file()
    first = path.read_text(encoding="utf-8").split("\n")[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema = (path.parent / first.split("=", 1)[1]).resolve()
    assert schema == minimal_copy.parent / "schemas" / "association.schema.json"
    assert json.loads(schema.read_text(encoding="utf-8"))["title"].startswith("协会概况")

    content = pipeline.check(minimal_copy)
    for f in (path, charter):
        text = f.read_text(encoding="utf-8")
        assert placeholder_lines(content, f) == {n for n, line in enumerate(text.split("\n"), 1) if MARK in line}
        f.write_text(fill(text, OTHER_USCC), encoding="utf-8")
    content = pipeline.check(minimal_copy)
    mine = [d.message() for d in content.diagnostics if Path(d.file) in (path, charter)]
    assert mine == []
    assert "新建协会" in {p.association for p in content.profiles}
    assert any(d.association == "新建协会" and d.kind.name == "charter" for d in content.documents)


def test_new_charter_where_none_exists(minimal_copy: Path) -> None:
    old = minimal_copy / "associations" / ASSOCIATION / "charter.md"
    old.unlink()
    path = new_document(minimal_copy, "charter", ASSOCIATION, "深圳市测试行业协会章程", TODAY)
    assert path == old
    path.write_text(fill(path.read_text(encoding="utf-8"), MEMBER_USCC), encoding="utf-8")
    assert [d.message() for d in diagnostics_for(minimal_copy, path)] == []


def test_dates_due_now_are_today(minimal_copy: Path) -> None:
    path = new_document(minimal_copy, "sanction", ASSOCIATION, None, TODAY)
    front = path.read_text(encoding="utf-8").split("---")[1]
    assert yaml.safe_load(front)["decided_on"] == TODAY


def test_every_written_field_has_a_chinese_comment_above_it(minimal_copy: Path) -> None:
    for kind in kinds_in_folders():
        path = new_document(minimal_copy, kind, ASSOCIATION, None, TODAY)
        lines = path.read_text(encoding="utf-8").split("---")[1].strip("\n").split("\n")
        for i, line in enumerate(lines):
            if re.match(r"^\s*(- )?[a-z_]+:", line):
                above = lines[i - 1].strip().removeprefix("- ").strip()
                assert above.startswith("#") and re.search(r"[\u4e00-\u9fff]", above), (kind, line)


@pytest.mark.parametrize("kind,association,error", [
    ("no_such_kind", ASSOCIATION, "未知的类型"),
    ("sanction", "不存在的协会", "不存在"),
    ("sanction", None, "--association"),
    ("sanction", "../escape", "不可用"),
    ("association", ASSOCIATION, "已存在"),
    ("charter", ASSOCIATION, "已存在"),
])
def test_refusals_say_why_in_chinese_and_english(minimal_copy: Path, kind: str, association: str | None,
                                                 error: str) -> None:
    with pytest.raises(ValueError) as info:
        new_document(minimal_copy, kind, association, None, TODAY)
    assert error in str(info.value)
    assert re.search(r"[A-Za-z]{4,}", str(info.value)), "the message also needs English"


def test_an_existing_file_is_never_overwritten(minimal_copy: Path) -> None:
    path = new_document(minimal_copy, "sanction", ASSOCIATION, "关于对甲公司的警告", TODAY)
    path.write_text("已经写好的内容", encoding="utf-8")
    with pytest.raises(ValueError, match="已存在"):
        new_document(minimal_copy, "sanction", ASSOCIATION, "关于对甲公司的警告", TODAY)
    assert path.read_text(encoding="utf-8") == "已经写好的内容"


def test_cli_new_prints_the_path_and_refuses_with_usage_error(minimal_copy: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["new", "sanction", "--association", ASSOCIATION, "--title", "关于对乙公司的通报批评",
                              "--content", str(minimal_copy)])
    assert ok.exit_code == 0, ok.output
    assert Path(ok.output.strip()).is_file()
    bad = runner.invoke(main, ["new", "sanction", "--association", "无此协会", "--content", str(minimal_copy)])
    assert bad.exit_code == 2 and "无此协会" in bad.output


TITLE_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.one_of(
    st.text(TITLE_CHARS, min_size=1, max_size=40),
    st.sampled_from(["关于对深圳市甲公司予以警告的决定", "处分：第 1 号（2025）", "# 不是注释", "\"引号\" 与 'quote'",
                     "Mixed 中英 title: v2", "- 列表开头", "【待填写】之外", "yes", "2025-01-01", "@符号 & *星号"]),
))
def test_any_title_is_written_so_it_reads_back_unchanged(minimal_copy: Path, title: str) -> None:
    if not title.strip():
        return
    try:
        path = new_document(minimal_copy, "sanction", ASSOCIATION, title, TODAY)
    except ValueError as exc:  # a title with nothing usable for a file name is refused, with a reason
        assert "--title" in str(exc)
        return
    try:
        front = path.read_text(encoding="utf-8").split("\n---\n")[0].removeprefix("---\n")
        assert yaml.safe_load(front)["title"] == title
        assert re.fullmatch(r"[0-9a-z\u4e00-\u9fff][0-9a-z\u4e00-\u9fff_-]*", path.stem)
    finally:
        path.unlink()
