"""USCC and resident-ID checks against the standards' own definitions."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, strategies as st

from generator.identifiers import (USCC_ALPHABET, find_personal_data, mask_person_name, resident_id_check_character,
                                   resident_id_is_valid, uscc_check_character, uscc_problem)


def reference_uscc_check(first17: str) -> str:
    # GB 32100-2015 written out independently: weights 3^(i-1) mod 31.
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, weights))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def test_known_published_uscc_is_valid() -> None:
    # A code widely quoted as a valid example of the format.
    code = "91350100M000100Y43"
    assert uscc_problem(code) is None


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_check_character_matches_reference_and_every_other_character_is_rejected(body: str) -> None:
    check = uscc_check_character(body)
    assert check == reference_uscc_check(body)
    assert uscc_problem(body + check) is None
    wrong = next(c for c in USCC_ALPHABET if c != check)
    assert uscc_problem(body + wrong) is not None


def test_uscc_letters_not_in_alphabet_are_named() -> None:
    problem = uscc_problem("51440300MJL00001O3")
    assert problem is not None and "O" in problem


def test_codes_may_start_with_a_letter() -> None:
    body = "N2440300MJL000010"
    assert uscc_problem(body + uscc_check_character(body)) is None


@given(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)),
       st.from_regex(r"\A[1-6][0-9]{5}\Z"), st.from_regex(r"\A[0-9]{3}\Z"))
def test_valid_resident_ids_are_found_in_chinese_text(born: dt.date, region: str, seq: str) -> None:
    first17 = region + born.strftime("%Y%m%d") + seq
    number = first17 + resident_id_check_character(first17)
    assert resident_id_is_valid(number)
    hits = find_personal_data(f"当事人：张某，\n身份证号：{number}。")
    assert [(h.kind, h.line) for h in hits] == [("resident_id", 2)]
    assert number not in hits[0].masked


def test_id_with_impossible_birth_date_is_not_personal_data() -> None:
    first17 = "44030419990231123"  # 31 February
    assert not resident_id_is_valid(first17 + resident_id_check_character(first17))


def test_mobile_numbers_but_not_landlines_or_uscc() -> None:
    text = "办公电话 0755-83001234；手机 138 1234 5678；代码 91440300MA5F00012E；+86-13912345678"
    kinds = [(h.kind, h.masked) for h in find_personal_data(text)]
    assert kinds == [("mobile", "138****5678"), ("mobile", "139****5678")]


def test_person_names_are_masked_keeping_the_surname() -> None:
    assert mask_person_name("李明辉") == "李某某"
    assert mask_person_name("欧阳修") == "欧阳某"
    assert mask_person_name("王五") == "王某"
