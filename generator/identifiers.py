"""Identifier checks: USCC (GB 32100-2015), resident ID (GB 11643), mobile numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31, i = 1..17


def uscc_check_character(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@lru_cache(maxsize=16384)
def uscc_problem(code: str) -> str | None:
    """Why `code` is not a valid USCC, in Chinese and English, or None when it is valid.
    Remembered: a member's code is checked again in every record that names it."""
    if len(code) != 18:
        return f"应为 18 位，实际 {len(code)} 位 (must be 18 characters)"
    bad = [c for c in code if c not in _USCC_VALUE]
    if bad:
        return f"含有不允许的字符「{bad[0]}」，不能使用 I、O、S、V、Z 和小写字母 (character not allowed)"
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return f"校验位应为「{expected}」而不是「{code[17]}」 (check character should be {expected})"
    return None


_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 2^(18-i) mod 11, i = 1..17
_ID_CHECK = "10X98765432"


def resident_id_is_valid(candidate: str) -> bool:
    """True for a GB 11643 number with a correct check character and a real birth date."""
    if len(candidate) != 18 or not candidate[:17].isdigit():
        return False
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(candidate[:17], _ID_WEIGHTS)) % 11]
    if candidate[17].upper() != check:
        return False
    try:
        born = date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def resident_id_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


# 18 characters not glued to other letters/digits (so a USCC or a long number is not split).
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")
# Mainland mobile numbers: 1[3-9] and 9 more digits, optionally +86/0086 and separators.
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?|0086[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9A-Za-z])")


# Full-width digits, plus and hyphen (１３８…, ＋８６) read as their ASCII forms, one
# character for one, so columns stay right: a number typed with a Chinese IME is still one.
_HALF_WIDTH = {0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF0B: 0x2B, 0xFF0D: 0x2D, 0xFF38: 0x58, 0xFF58: 0x78}


@dataclass(frozen=True)
class PersonalData:
    kind: str      # "resident_id" | "mobile"
    line: int      # 1-based
    column: int    # 1-based
    masked: str


# Every mobile number (3 + 4 + 4 digits, maybe separated) and resident ID (17 digits and a
# check character) has eleven digits in a row like this one; full-width digits are digits to
# \d too and the full-width hyphen reads as "-" to the scanner. Text without such a run
# cannot hold either. Written digit by digit (\d{3} means the same): a pattern that starts
# with a repeat has no first character for the regex engine to scan ahead for, and tried a
# whole match at every character (a quarter more time, over text that is one digit in ten).
NUMBER_RUN = re.compile(r"\d\d\d[- \uff0d]?\d\d\d\d[- \uff0d]?\d\d\d\d")
NUMBER_RUN_CHARS = 13          # the longest text NUMBER_RUN matches


def find_personal_data(text: str, first_line: int = 1) -> list[PersonalData]:
    """Every resident ID number and mobile number in `text`, with its position."""
    found: list[PersonalData] = []
    for n, line in enumerate(text.translate(_HALF_WIDTH).split("\n"), start=first_line):
        if not NUMBER_RUN.search(line):
            continue                # one scan of a line that cannot hold either, instead of two
        for m in _ID_CANDIDATE.finditer(line):
            if resident_id_is_valid(m.group(1)):
                v = m.group(1)
                found.append(PersonalData("resident_id", n, m.start(1) + 1, v[:6] + "********" + v[-4:]))
        for m in _MOBILE.finditer(line):
            digits = "".join(m.groups())
            found.append(PersonalData("mobile", n, m.start() + 1, digits[:3] + "****" + digits[-4:]))
    return found


def mask_person_name(name: str) -> str:
    """张三 → 张某, 欧阳修文 → 欧阳某某: keep the surname, mask the given name."""
    name = name.strip()
    if not name:
        return name
    if not all("\u4e00" <= c <= "\u9fff" or c == "·" for c in name):
        return name[0] + "*" * max(len(name) - 1, 1)
    compound = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "长孙", "宇文", "司徒")
    surname = name[:2] if name[:2] in compound and len(name) > 2 else name[:1]
    return surname + "某" * max(len(name) - len(surname), 1)
