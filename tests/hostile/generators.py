"""Hostile content that YAML text cannot carry: raw bytes, symlinks, sizes, encodings.

Each generator takes the content folder (a copy of tests/fixtures/minimal), a scratch
folder outside it, the case's `args` and the identifier placeholders.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

ASSOC = Path("associations/测试协会")
NEW_SANCTION = ASSOC / "sanctions/2025-批评-002.md"

VALID_SANCTION = """---
title: 关于对深圳市甲公司予以通报批评的决定
decision_number: 深测协自律〔2025〕2号
subject:
  name: 深圳市甲公司
  uscc: 91440300MA5F00012E
measure: 行业内通报批评
rule_broken: 《行业自律公约》第八条
facts: 未按约定履行服务承诺。
basis: 《行业自律公约》第二十条
decided_by: 行业自律委员会
decided_on: 2025-06-03
published_on: 2025-06-10
---

经查，深圳市甲公司未按约定履行服务承诺。
"""

Generator = Callable[[Path, Path, dict, dict], None]
GENERATORS: dict[str, Generator] = {}


def generator(fn: Generator) -> Generator:
    GENERATORS[fn.__name__] = fn
    return fn


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


@generator
def replace_in_profile(content: Path, scratch: Path, args: dict, values: dict) -> None:
    path = content / ASSOC / "association.yaml"
    text = path.read_text("utf-8")
    old, new = fill(args["old"], values), fill(args["new"], values)
    assert old in text, f"fixture changed: {old!r} not in association.yaml"
    path.write_text(text.replace(old, new, 1), "utf-8")


@generator
def alias_bomb(content: Path, scratch: Path, args: dict, values: dict) -> None:
    # ~400 bytes; nine levels of nine aliases expand to 9**9 ≈ 387 million values.
    lines = ["---", "title: 别名炸弹", 'a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines += ["---", ""]
    (content / NEW_SANCTION).write_text("\n".join(lines), "utf-8")


@generator
def deep_flow(content: Path, scratch: Path, args: dict, values: dict) -> None:
    path = content / ASSOC / "association.yaml"
    text = path.read_text("utf-8").rstrip("\n") + "\n"
    n = 100_000  # deep enough to overflow libyaml's recursive composer
    path.write_text(text + "summary: " + "[" * n + "]" * n + "\n", "utf-8")


@generator
def deep_block(content: Path, scratch: Path, args: dict, values: dict) -> None:
    lines = ["---", "title: 深圳市测试行业协会章程", "adopted_on: 2024-03-15"]
    lines += ["  " * i + f"层{i}:" for i in range(60)]
    lines[-1] += " 底"
    lines += ["---", ""]
    (content / ASSOC / "charter.md").write_text("\n".join(lines), "utf-8")


@generator
def large_file(content: Path, scratch: Path, args: dict, values: dict) -> None:
    body = ("经查，深圳市甲公司未按约定履行服务承诺。" * 20 + "\n") * 1200  # ≈ 1.4 MB
    (content / NEW_SANCTION).write_text(VALID_SANCTION + body, "utf-8")


@generator
def configured_limit(content: Path, scratch: Path, args: dict, values: dict) -> None:
    (content / "site.yaml").write_text("title: 测试公示平台\nbase_url: https://test.example.org\n"
                                       "limits:\n  max_file_bytes: 2000\n", "utf-8")
    body = "经查，深圳市甲公司未按约定履行服务承诺。\n" * 40   # ≈ 2.5 kB: under 1 MB, over 2000 bytes
    (content / NEW_SANCTION).write_text(VALID_SANCTION + body, "utf-8")


@generator
def gbk_file(content: Path, scratch: Path, args: dict, values: dict) -> None:
    text = "---\ntitle: 深圳市测试行业协会章程\nadopted_on: 2024-03-15\n---\n\n第一条　本会名称。\n"
    (content / ASSOC / "charter.md").write_bytes(text.encode("gbk"))


@generator
def bad_bytes_line5(content: Path, scratch: Path, args: dict, values: dict) -> None:
    path = content / ASSOC / "association.yaml"
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4] + b" \xff\xfe"
    path.write_bytes(b"\n".join(lines))


def _all_text_files(content: Path) -> list[Path]:
    return sorted(p for p in content.rglob("*") if p.suffix in (".md", ".yaml") and p.is_file())


@generator
def bom_files(content: Path, scratch: Path, args: dict, values: dict) -> None:
    for path in _all_text_files(content):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


@generator
def crlf_files(content: Path, scratch: Path, args: dict, values: dict) -> None:
    for path in _all_text_files(content):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


@generator
def crlf_duplicate_key(content: Path, scratch: Path, args: dict, values: dict) -> None:
    text = "---\r\ntitle: 深圳市测试行业协会章程\r\nadopted_on: 2024-03-15\r\ntitle: 重复\r\n---\r\n"
    (content / ASSOC / "charter.md").write_bytes(text.encode("utf-8"))


@generator
def bom_with_error(content: Path, scratch: Path, args: dict, values: dict) -> None:
    text = "---\ntitle: 深圳市测试行业协会章程\nadopted_on: 2024-02-30\n---\n"
    (content / ASSOC / "charter.md").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def _outside(scratch: Path) -> Path:
    out = scratch / "outside"
    out.mkdir(parents=True, exist_ok=True)
    return out


@generator
def symlink_file_outside(content: Path, scratch: Path, args: dict, values: dict) -> None:
    secret = _outside(scratch) / "secret.md"
    secret.write_text(VALID_SANCTION.replace("2号", "99号"), "utf-8")
    os.symlink(secret, content / ASSOC / "sanctions/2025-外部-001.md")


@generator
def symlink_dir_outside(content: Path, scratch: Path, args: dict, values: dict) -> None:
    elsewhere = _outside(scratch) / "assoc"
    shutil.copytree(content / ASSOC, elsewhere)
    os.symlink(elsewhere, content / "associations/外部协会", target_is_directory=True)


@generator
def symlink_site_outside(content: Path, scratch: Path, args: dict, values: dict) -> None:
    target = _outside(scratch) / "site.yaml"
    target.write_text("title: 外部配置\n", "utf-8")
    (content / "site.yaml").unlink()
    os.symlink(target, content / "site.yaml")


@generator
def symlink_loop(content: Path, scratch: Path, args: dict, values: dict) -> None:
    folder = content / ASSOC / "sanctions"
    os.symlink("2025-循环-002.md", folder / "2025-循环-001.md")
    os.symlink("2025-循环-001.md", folder / "2025-循环-002.md")


@generator
def reserved_slug(content: Path, scratch: Path, args: dict, values: dict) -> None:
    shutil.copytree(content / ASSOC, content / "associations/static")


@generator
def bad_slug(content: Path, scratch: Path, args: dict, values: dict) -> None:
    shutil.copytree(content / ASSOC, content / "associations/Bad Slug")


def _charter_with_attachment(content: Path, name: str) -> None:
    (content / ASSOC / "charter.md").write_text(
        "---\ntitle: 深圳市测试行业协会章程\nadopted_on: 2024-03-15\nattachments:\n"
        f"  - {{file: {name}, title: 章程（扫描件）}}\n---\n", "utf-8")


@generator
def html_as_pdf(content: Path, scratch: Path, args: dict, values: dict) -> None:
    files = content / ASSOC / "files"
    files.mkdir()
    (files / "章程.pdf").write_bytes(b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n")
    _charter_with_attachment(content, "章程.pdf")


@generator
def svg_attachment(content: Path, scratch: Path, args: dict, values: dict) -> None:
    files = content / ASSOC / "files"
    files.mkdir()
    (files / "会徽.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>\n')
    _charter_with_attachment(content, "会徽.svg")


@generator
def large_attachment(content: Path, scratch: Path, args: dict, values: dict) -> None:
    (content / "site.yaml").write_text("title: 测试公示平台\nbase_url: https://test.example.org\n"
                                       "limits:\n  max_attachment_bytes: 1000\n", "utf-8")
    files = content / ASSOC / "files"
    files.mkdir()
    (files / "章程.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 4000 + b"\n%%EOF\n")
    _charter_with_attachment(content, "章程.pdf")


@generator
def huge_integer(content: Path, scratch: Path, args: dict, values: dict) -> None:
    replace_in_profile(content, scratch, {"old": "member_count: 120", "new": "member_count: " + "9" * 5000}, values)
