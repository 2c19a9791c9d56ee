"""A labelled enumeration reads its code, its Chinese label or its English label."""

from __future__ import annotations

from generator.models.common import AdoptingBody, EntityKind, labelled


def test_a_labelled_value_is_read_from_its_code_or_either_label() -> None:
    assert EntityKind.from_input("从业人员") == "practitioner"
    assert EntityKind.from_input("practitioner") == "practitioner"
    assert EntityKind.from_input("individual business") == "individual_business"
    assert EntityKind.from_input("不存在") == "不存在"
    assert EntityKind.from_input(3) == 3
    assert AdoptingBody.from_input("会员（代表）大会") == "congress"


def test_a_label_two_codes_share_reads_as_the_first() -> None:
    shared, _ = labelled("Shared", {"first": ("共用", "one"), "second": ("另一个", "共用")})
    assert shared.from_input("共用") == "first"
    assert shared.from_input("另一个") == "second"
    assert shared.from_input("one") == "first"
