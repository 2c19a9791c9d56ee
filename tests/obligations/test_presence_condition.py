"""Presence (standing disclosures exist and are public) and condition rules (fields say
what the sources require), on the minimal fixture plus documents written here."""

from __future__ import annotations

from pathlib import Path

from .obligation_helpers import ASSOC, content_tree, evaluate_tree, line, lines

CONVENTION = f"{ASSOC}/conventions/2024-行业自律公约.md"
FEE = f"{ASSOC}/fee-standards/2024-会费标准.md"


def convention(adopted_by: str) -> str:
    return (f"---\ntitle: 深圳市测试行业自律公约\nadopted_by: {adopted_by}\nadopted_on: 2024-04-01\n---\n\n"
            "第一条　会员应当诚信经营。\n")


def fee_standard(vote: str, body: str = "会员（代表）大会") -> str:
    return (f"---\ntitle: 会费标准（2024 年修订）\nadopted_by: {body}\nvote_method: {vote}\nadopted_on: 2024-04-01\n"
            "fees:\n  - {member_class: 会长单位, amount_yuan: 50000}\n---\n\n会费标准。\n")


def test_profile_fields_and_public_documents_are_met(tmp_path: Path) -> None:
    evaluation = evaluate_tree(content_tree(tmp_path, {CONVENTION: convention("理事会")}), "2025-06-30").evaluation
    for rule in ("registration-certificate", "structure", "leaders-and-council"):
        s = line(evaluation, rule, "association")
        assert (s.status, s.evidence_url) == ("met", "/associations/测试协会/")
    assert line(evaluation, "charter", "charter").status == "met"
    s = line(evaluation, "convention", "2024-行业自律公约")
    assert s.status == "met" and s.evidence_url == f"/{ASSOC}/conventions/2024-行业自律公约/"


def test_absent_standing_disclosures_are_missing(tmp_path: Path) -> None:
    evaluation = evaluate_tree(content_tree(tmp_path, {f"{ASSOC}/charter.md": None}), "2025-06-30").evaluation
    for rule in ("charter", "convention", "ethics-code", "service-commitment"):
        [s] = lines(evaluation, rule)
        assert s.status == "missing", rule
    s = line(evaluation, "self-regulation-body", "association")   # the fixture profile has none
    assert s.status == "missing" and "self_regulation_body" in s.detail


def test_a_members_only_charter_is_not_a_public_disclosure(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    path = content / ASSOC / "charter.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\ntitle:", "---\naudience: members\ntitle:", 1),
                    encoding="utf-8")
    evaluation = evaluate_tree(content, "2025-06-30").evaluation
    s = line(evaluation, "charter", "charter")
    assert s.status == "missing" and "仅向会员公开" in s.detail and s.evidence_url is None


def test_convention_adopted_by_the_secretariat_fails_with_field_and_value_named(tmp_path: Path) -> None:
    evaluation = evaluate_tree(content_tree(tmp_path, {CONVENTION: convention("秘书处")}), "2025-06-30").evaluation
    s = line(evaluation, "convention-adopted", "2024-行业自律公约")
    assert s.status == "missing"
    assert "adopted_by" in s.detail and "秘书处" in s.detail and "理事会" in s.detail


def test_fee_standard_needs_the_congress_and_a_secret_ballot(tmp_path: Path) -> None:
    ok = evaluate_tree(content_tree(tmp_path / "a", {FEE: fee_standard("无记名投票")}), "2025-06-30").evaluation
    assert line(ok, "fee-standard-secret-ballot", "2024-会费标准").status == "met"
    bad = evaluate_tree(content_tree(tmp_path / "b", {FEE: fee_standard("举手表决", "理事会")}), "2025-06-30").evaluation
    s = line(bad, "fee-standard-secret-ballot", "2024-会费标准")
    assert s.status == "missing"
    assert "vote_method" in s.detail and "举手表决" in s.detail and "无记名投票" in s.detail
    assert "adopted_by" in s.detail


def test_conditions_on_absent_documents_are_not_applicable(tmp_path: Path) -> None:
    evaluation = evaluate_tree(content_tree(tmp_path), "2025-06-30").evaluation
    for rule in ("convention-adopted", "ethics-code-bans-bribery", "fee-standard-secret-ballot"):
        [s] = lines(evaluation, rule)
        assert s.status == "not_applicable", rule


def test_charter_without_party_building_clause_is_missing(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    path = content / ASSOC / "charter.md"
    path.write_text(path.read_text(encoding="utf-8").replace("party_building_clause: 第四条\n", ""), encoding="utf-8")
    s = line(evaluate_tree(content, "2025-06-30").evaluation, "charter-party-building", "charter")
    assert s.status == "missing" and "party_building_clause" in s.detail


def test_self_regulation_body_approved_by_congress_nominated_and_filed(tmp_path: Path) -> None:
    content = content_tree(tmp_path)
    profile = content / ASSOC / "association.yaml"
    body = ("self_regulation_body:\n  name: 行业自律委员会\n  members:\n    - {name: 王建国, role: 主任}\n"
            "  nominated_by_party: true\n  approved_by: 会员（代表）大会\n  approved_on: 2024-03-15\n")
    profile.write_text(profile.read_text(encoding="utf-8") + body, encoding="utf-8")
    evaluation = evaluate_tree(content, "2025-06-30").evaluation
    assert line(evaluation, "self-regulation-body", "association").status == "met"
    s = line(evaluation, "self-regulation-body-approved", "association")
    assert s.status == "missing"                          # not filed yet
    assert "filed_on" in s.detail and "approved_by" not in s.detail
    profile.write_text(profile.read_text(encoding="utf-8") + "  filed_on: 2024-03-30\n", encoding="utf-8")
    evaluation = evaluate_tree(content, "2025-06-30").evaluation
    assert line(evaluation, "self-regulation-body-approved", "association").status == "met"
