"""The `compliance` command (json, csv, table) and the compliance pages."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.compliance import compliance_artifacts, display_width
from generator.evaluate import STATUS_LABELS
from generator.render import build_artifact, load_theme, template_globals

from .obligation_helpers import ASSOC, FIXTURE_SANCTION, annual_report, content_tree, evaluate_tree, sanction

FILES = {
    FIXTURE_SANCTION: sanction("2025-04-25", "2025-05-09"),                     # late by 1
    f"{ASSOC}/sanctions/2025-谴责-002.md": sanction("2025-06-03", None, measure="公开谴责",
                                                   number="深测协自律〔2025〕12号"),  # overdue
    f"{ASSOC}/reports/2024-self-regulation.md": annual_report(2024, "2025-05-20"),
}


def run(content: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["compliance", "--content", str(content), "--as-of", "2025-07-01", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_shape(tmp_path: Path) -> None:
    data = json.loads(run(content_tree(tmp_path, FILES), "--format", "json"))
    assert data["as_of"] == "2025-07-01"
    [assoc] = data["associations"]
    assert (assoc["slug"], assoc["name"]) == ("测试协会", "深圳市测试行业协会")
    by_key = {(o["rule"], o["instance"]): o for o in assoc["obligations"]}
    late = by_key[("sanction-7-working-days", "2025-警告-001")]
    assert (late["status"], late["due"], late["published"], late["late_working_days"]) == ("late", "2025-05-08",
                                                                                             "2025-05-09", 1)
    assert late["evidence_url"] == "https://test.example.org/associations/测试协会/sanctions/2025-警告-001/"
    assert by_key[("sanction-7-working-days", "2025-谴责-002")]["status"] == "overdue"
    assert by_key[("annual-self-regulation-report", "2024")]["status"] == "on_time"
    assert {o["status"] for o in assoc["obligations"]} <= set(STATUS_LABELS)
    assert [r["id"] for r in data["rules"]][:2] == ["penalty-7-working-days", "sanction-7-working-days"]


def test_csv_has_a_header_and_one_row_per_status_line(tmp_path: Path) -> None:
    content = content_tree(tmp_path, FILES)
    rows = list(csv.DictReader(io.StringIO(run(content, "--format", "csv"))))
    data = json.loads(run(content, "--format", "json"))
    assert len(rows) == len(data["associations"][0]["obligations"])
    row = next(r for r in rows if r["instance"] == "2025-警告-001")
    assert (row["association"], row["status"], row["status_label"], row["late_working_days"]) == (
        "测试协会", "late", "逾期公示", "1")


def test_table_is_aligned_for_a_terminal(tmp_path: Path) -> None:
    out = run(content_tree(tmp_path, FILES))
    assert "深圳市测试行业协会" in out and "逾期公示" in out and "逾期未公示" in out
    table = [ln for ln in out.splitlines() if ln.startswith("义务") or ln.startswith("惩戒7日")]
    assert len(table) == 3
    # The status column starts at the same display column on every row (Han characters are 2 wide).
    starts = {display_width(ln[: ln.index(word)]) for ln, word in zip(table, ("状态", "逾期", "逾期"))}
    assert len(starts) == 1


def _compliance_site(tmp_path: Path) -> tuple[Any, Any, Any, dict[str, Any]]:
    """The FILES site evaluated on 2025-07-01, its theme and its template globals."""
    prepared = evaluate_tree(content_tree(tmp_path, FILES), "2025-07-01")
    site, evaluation = prepared.site, prepared.evaluation
    assert site is not None and evaluation is not None
    theme = load_theme(site.theme_dir)
    return site, evaluation, theme, template_globals(site, evaluation, theme)


def _pages(tmp_path: Path) -> dict[str, str]:
    site, evaluation, theme, globals_ = _compliance_site(tmp_path)
    arts = compliance_artifacts(site, evaluation, theme)
    assert len({a.path for a in arts}) == len(arts)
    return {a.path: build_artifact(a, theme, globals_).decode() for a in arts}


def test_matrix_pages_show_colour_and_text_and_are_pre_sorted(tmp_path: Path) -> None:
    pages = _pages(tmp_path)
    assert {"compliance/index.html", "compliance/by-status/index.html", "compliance/late/index.html",
            "compliance/rules/sanction-7-working-days/index.html"} <= set(pages)
    index = pages["compliance/index.html"]
    # Every coloured status carries its label as text.
    for cls, text in re.findall(r'class="status status-(\w+)"[^>]*>([^<]*)<', index):
        assert text.strip(), cls
    # The sanction cell counts one overdue and one late sanction, worst first, each with its label.
    cell = re.search(r'<td>(<a class="status status-overdue"[^<]*</a><br><a class="status status-late"[^<]*</a>)</td>', index)
    assert cell is not None
    assert re.findall(r">([^<]+)</a>", cell.group(1)) == ["逾期未公示 1", "逾期公示 1"]
    assert 'href="/compliance/rules/sanction-7-working-days/#a-测试协会"' in cell.group(1)
    assert 'href="/compliance/by-status/"' in index and 'href="/compliance/late/"' in index
    assert "<script" not in index


def test_late_page_lists_overdue_before_late(tmp_path: Path) -> None:
    late = _pages(tmp_path)["compliance/late/index.html"]
    assert late.index("2025-谴责-002") < late.index("2025-警告-001")
    assert "2024-self-regulation" not in late


def test_rule_page_anchors_each_association(tmp_path: Path) -> None:
    page = _pages(tmp_path)["compliance/rules/sanction-7-working-days/index.html"]
    assert 'id="a-测试协会"' in page
    assert 'href="/associations/测试协会/sanctions/2025-警告-001/"' in page


def test_the_compliance_pages_context_is_made_once_for_every_page_and_language(tmp_path: Path, monkeypatch) -> None:
    """One matrix for every compliance page in both languages, and the same bytes as
    making it again for each page."""
    from generator import compliance
    made: list[int] = []
    page_contexts = compliance._page_contexts
    monkeypatch.setattr(compliance, "_page_contexts", lambda *a: made.append(1) or page_contexts(*a))
    site, evaluation, theme, globals_ = _compliance_site(tmp_path)
    arts = compliance_artifacts(site, evaluation, theme)
    assert {a.path.removeprefix("en/") for a in arts} == {a.path for a in arts if not a.path.startswith("en/")}
    shared = [build_artifact(a, theme, globals_) for a in arts]
    assert len(made) == 1
    again = [build_artifact(a, theme, globals_) for a in compliance_artifacts(site, evaluation, theme)]
    assert shared == again


def test_forked_workers_render_the_compliance_pages_from_the_parents_context(tmp_path: Path, monkeypatch) -> None:
    """The render pool makes the shared context before it forks (once, not in each worker),
    lets go of it in the parent, and the pages' bytes are a serial build's."""
    from generator import compliance, parallel
    site, evaluation, theme, globals_ = _compliance_site(tmp_path)
    serial = [build_artifact(a, theme, globals_) for a in compliance_artifacts(site, evaluation, theme)]
    made: list[int] = []
    page_contexts = compliance._page_contexts
    monkeypatch.setattr(compliance, "_page_contexts", lambda *a: made.append(1) or page_contexts(*a))
    monkeypatch.setattr(parallel, "SERIAL_BELOW", 0)
    monkeypatch.setenv("GONGSHI_JOBS", "2")
    arts = compliance_artifacts(site, evaluation, theme)
    forked = [data for _, data in parallel.build_all(arts, theme, globals_, build_artifact)]
    assert forked == serial
    assert made == [1]                      # in this process, before the fork; the workers made none
    assert arts[0].lazy.contexts._made is None  # type: ignore[union-attr]
