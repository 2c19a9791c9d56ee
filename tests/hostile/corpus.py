"""Loading the hostile corpus (cases/cases.yaml) and applying a case to a content tree."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.identifiers import resident_id_check_character, uscc_check_character

from .generators import GENERATORS, fill

HERE = Path(__file__).resolve().parent
CASES_FILE = HERE / "cases" / "cases.yaml"
MINIMAL = HERE.parent / "fixtures" / "minimal"


def _resident_id(first17: str) -> str:
    return first17 + resident_id_check_character(first17)


def _resident_id_with_x() -> str:
    # Search the sequence numbers of one birth date for a number whose check character is X.
    for seq in range(1000):
        first17 = f"44030519870615{seq:03d}"
        if resident_id_check_character(first17) == "X":
            return first17 + "x"
    raise AssertionError("no X check character found")


# Identifiers valid by their checksums, built here so the corpus never holds a literal one.
VALUES: dict[str, str] = {
    "RESIDENT_ID": _resident_id("44030419850312123"),
    "RESIDENT_ID_X": _resident_id_with_x(),
    "NON_MEMBER_USCC": "91440300MA5F00099" + uscc_check_character("91440300MA5F00099"),
}


@dataclass(frozen=True)
class Expected:
    code: str
    file: str
    line: int


@dataclass(frozen=True)
class Case:
    id: str
    about: str
    write: dict[str, str] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    generator: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    expect: tuple[Expected, ...] = ()
    accept: bool = False

    def apply(self, content: Path, scratch: Path) -> None:
        for rel in self.remove:
            (content / rel).unlink()
        for rel, text in self.write.items():
            path = content / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(fill(text, VALUES), "utf-8")
        if self.generator:
            GENERATORS[self.generator](content, scratch, self.args, VALUES)


def load_cases() -> list[Case]:
    raw = yaml.safe_load(CASES_FILE.read_text("utf-8"))
    cases = []
    for entry in raw:
        cases.append(Case(
            id=entry["id"], about=entry["about"], write=entry.get("write") or {},
            remove=tuple(entry.get("remove") or ()), generator=entry.get("generator"),
            args=entry.get("args") or {}, accept=bool(entry.get("accept")),
            expect=tuple(Expected(e["code"], e["file"], int(e["line"])) for e in entry.get("expect") or ()),
        ))
    return cases


def fresh_content(dst: Path) -> Path:
    shutil.copytree(MINIMAL, dst, symlinks=True)
    return dst


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root (symlinks as links) → SHA-256 of its bytes."""
    out = {}
    for dirpath, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            p = Path(dirpath, name)
            rel = p.relative_to(root).as_posix()
            out[rel] = ("link:" + os.readlink(p)) if p.is_symlink() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out
