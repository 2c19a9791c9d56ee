"""Attachments are checked by their bytes, not their extension: HTML renamed to .pdf is refused."""

from __future__ import annotations

from pathlib import Path

# extension -> (label, magic prefixes)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("PDF", (b"%PDF-",)),
    ".png": ("PNG", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("JPEG", (b"\xff\xd8\xff",)),
    ".jpeg": ("JPEG", (b"\xff\xd8\xff",)),
    ".webp": ("WebP", (b"RIFF",)),
    ".ofd": ("OFD", (b"PK\x03\x04",)),  # China's fixed-layout format: a zip container
}
ALLOWED_TEXT = "、".join(sorted({f"{label} ({ext})" for ext, (label, _m) in ALLOWED.items()}))


def sniff_problem(path: Path) -> dict[str, str] | None:
    """None if the file's bytes are what its extension says; else the diagnostic params."""
    ext = path.suffix.lower()
    if ext not in ALLOWED:
        return {"expected": ext or "（无扩展名）", "why": "不允许的文件类型 (type not allowed)", "allowed": ALLOWED_TEXT}
    label, magics = ALLOWED[ext]
    with path.open("rb") as fh:
        head = fh.read(16)
    if not any(head.startswith(m) for m in magics) or (ext == ".webp" and head[8:12] != b"WEBP"):
        looks = "HTML" if head.lstrip().lower().startswith((b"<", b"\xef\xbb\xbf<")) else "未知内容 (unknown bytes)"
        return {"expected": label, "why": f"文件内容实际是 {looks}", "allowed": ALLOWED_TEXT}
    return None
