"""Small content trees for obligation tests: the minimal fixture plus files a test writes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from generator import pipeline
from generator.evaluate import Evaluation, ObligationStatus

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "minimal"
SLUG = "测试协会"
ASSOC = f"associations/{SLUG}"
FIXTURE_SANCTION = f"{ASSOC}/sanctions/2025-警告-001.md"
MEMBER_USCC = "91440300MA5F00012E"   # 深圳市甲公司, a member in the fixture's profile


def content_tree(root: Path, files: dict[str, str | None] | None = None) -> Path:
    """A copy of the minimal fixture at root/content; `files` adds (text) or removes (None) files."""
    content = root / "content"
    shutil.copytree(FIXTURE, content)
    for rel, text in (files or {}).items():
        path = content / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return content


def sanction(decided: str, published: str | None = None, *, measure: str = "警告", extra: str = "",
             number: str = "深测协自律〔2025〕9号") -> str:
    pub = f"published_on: {published}\n" if published else ""
    return (f"---\ntitle: 关于对深圳市甲公司予以{measure}的决定\ndecision_number: {number}\n"
            f"subject:\n  name: 深圳市甲公司\n  uscc: {MEMBER_USCC}\nmeasure: {measure}\n"
            f"rule_broken: 《行业自律公约》第十二条\nfacts: 在宣传中使用“最高级”用语。\n"
            f"basis: 《行业自律公约》第二十条\ndecided_by: 行业自律委员会\ndecided_on: {decided}\n{pub}{extra}---\n\n"
            f"经查，深圳市甲公司违反《行业自律公约》第十二条。\n")


def annual_report(year: int, published: str | None, extra: str = "") -> str:
    pub = f"published_on: {published}\n" if published else ""
    return (f"---\ntitle: {year} 年度行业自律工作报告\nreport_type: 行业自律工作年度报告\nyear: {year}\n"
            f"submitted_to: [深圳市民政局]\n{pub}{extra}---\n\n{year} 年，本会开展行业自律工作。\n")


def supervisory_report(period: str, reported: str) -> str:
    return (f"---\ntitle: {period} 行业自律工作情况汇报\nperiod: {period}\n"
            f"department: 深圳市市场监督管理局\nreported_on: {reported}\n---\n\n汇报内容。\n")


def evaluate_tree(content: Path, as_of: str | dt.date) -> pipeline.Prepared:
    day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of)
    prepared = pipeline.prepare(content, day)
    assert prepared.ok, [d.message() for d in prepared.diagnostics]
    return prepared


def lines(evaluation: Evaluation | None, rule: str) -> list[ObligationStatus]:
    assert evaluation is not None
    return [s for s in evaluation.statuses if s.rule == rule]


def line(evaluation: Evaluation | None, rule: str, instance: str) -> ObligationStatus:
    found = [s for s in lines(evaluation, rule) if s.instance == instance]
    assert len(found) == 1, found
    return found[0]
