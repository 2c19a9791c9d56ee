"""End to end: content in, a site out — links, key facts, determinism, atomicity."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from click.testing import CliRunner

from generator import pipeline
from generator.cli import main

AS_OF = dt.date(2025, 6, 1)


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_writes_home_association_and_document_pages(minimal_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = pipeline.build(minimal_copy, out, AS_OF)
    assert result.ok, result.diagnostics
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="/associations/测试协会/"' in home
    assoc = (out / "associations/测试协会/index.html").read_text(encoding="utf-8")
    assert "深圳市测试行业协会" in assoc and "51440300MJL0000103" in assoc
    page = (out / "associations/测试协会/sanctions/2025-警告-001/index.html").read_text(encoding="utf-8")
    for fact in ("深测协自律〔2025〕1号", "警告", "《行业自律公约》第十二条", "2025年4月25日"):
        assert fact in page
    # The Markdown line break inside a Chinese sentence did not become a space.
    assert "用语，违反" in page
    assert (out / "404.html").exists() and (out / "sitemap.xml").exists()


def test_every_association_is_linked_from_the_home_page(minimal_copy: Path, tmp_path: Path) -> None:
    second = minimal_copy / "associations" / "第二协会"
    second.mkdir()
    text = (minimal_copy / "associations/测试协会/association.yaml").read_text(encoding="utf-8")
    (second / "association.yaml").write_text(text.replace("深圳市测试行业协会", "深圳市第二行业协会"), encoding="utf-8")
    out = tmp_path / "public"
    assert pipeline.build(minimal_copy, out, AS_OF).ok
    links = set(re.findall(r'href="(/associations/[^"/]+/)"', (out / "index.html").read_text(encoding="utf-8")))
    assert links == {"/associations/测试协会/", "/associations/第二协会/"}


def test_same_content_gives_byte_identical_output(minimal_copy: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert pipeline.build(minimal_copy, a, AS_OF).ok
    assert pipeline.build(minimal_copy, b, AS_OF).ok
    assert tree_digest(a) == tree_digest(b)


def test_failed_build_leaves_the_previous_site_untouched(minimal_copy: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "public"
    assert pipeline.build(minimal_copy, out, AS_OF).ok
    before = tree_digest(out)
    sanction = minimal_copy / "associations/测试协会/sanctions/2025-警告-001.md"
    sanction.write_text(sanction.read_text(encoding="utf-8").replace("measure: 警告", "measure: [警告"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--content", str(minimal_copy), "--out", str(out), "--as-of", "2025-06-01"])
    assert result.exit_code == 1
    assert "2025-警告-001.md" in result.output and "yaml.syntax" in result.output
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".public")) == []  # no staging left behind


def test_member_only_documents_are_not_published(minimal_copy: Path, tmp_path: Path) -> None:
    folder = minimal_copy / "associations/测试协会/member-disclosures"
    folder.mkdir()
    (folder / "2025-财务.md").write_text(
        "---\ntitle: 理事会内部收支明细甲乙丙\naudience: members\ntopic: finances\nperiod: 2025 年度\n"
        "disclosed_on: 2026-03-01\n---\n\n会费收入秘密数字 4321987 元。\n", encoding="utf-8")
    out = tmp_path / "public"
    assert pipeline.build(minimal_copy, out, AS_OF).ok
    for f in out.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert "4321987".encode() not in data and "内部收支明细甲乙丙".encode() not in data, f


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--as-of", "yesterday", "--content", str(tmp_path)])
    assert result.exit_code == 2
    assert CliRunner().invoke(main, ["check", "--format", "xml"]).exit_code == 2


def test_python_build_py_is_the_same_cli() -> None:
    import runpy
    import sys
    argv = sys.argv
    try:
        sys.argv = ["build.py", "deadline", "2025-04-25"]
        try:
            runpy.run_path(str(Path(__file__).resolve().parents[2] / "build.py"), run_name="__main__")
        except SystemExit as exc:
            assert exc.code in (0, None)
    finally:
        sys.argv = argv


def test_a_site_overrides_a_theme_template_with_its_own(minimal_copy: Path, tmp_path: Path) -> None:
    templates = minimal_copy / "theme" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>本站自定义的找不到页面</h1>{% endblock %}', encoding="utf-8")
    out = tmp_path / "public"
    assert pipeline.build(minimal_copy, out, AS_OF).ok
    page = (out / "404.html").read_text(encoding="utf-8")
    assert "本站自定义的找不到页面" in page
    assert "深圳市测试行业协会" in (out / "associations/测试协会/index.html").read_text(encoding="utf-8")  # others from the theme


def test_base_url_option_sets_canonical_links(minimal_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert pipeline.build(minimal_copy, out, AS_OF, base_url="https://xiehui.example.cn/").ok
    page = (out / "associations/测试协会/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://xiehui.example.cn/associations/测试协会/">' in page
