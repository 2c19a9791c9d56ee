"""`gongshi verify`: does a deployed copy hold exactly what the repository publishes?

Three layers of evidence, each compared separately so a difference says where it is:

1. the deployed files against the deployed `/manifest.json` (was a file changed on the host?),
2. the deployed files against a fresh rebuild of the repository at the manifest's `as_of`
   and `base_url` (was the site built from this content, with this generator?),
3. the manifest's sources and commit against the repository now (did the content move on,
   or was a published record rewritten?).

One line per difference, naming the file. A changed page appears once, however many
layers notice it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

from . import pipeline
from .diagnostics import errors
from .gitdates import read_history
from .manifest import MANIFEST_PATH, Manifest, parse_manifest, sha256
from .render import load_theme

Fetch = Callable[[str], bytes | None]
TIMEOUT_SECONDS = 30


def _fetcher(target: str) -> tuple[Fetch, Path | None]:
    """A function path → bytes (None when absent) for a URL or a folder."""
    if re.match(r"^https?://", target):
        base = target.rstrip("/") + "/"

        def fetch_url(path: str) -> bytes | None:
            url = base + urllib.parse.quote(path)
            try:
                with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (http/https only)
                    return response.read()
            except urllib.error.HTTPError as exc:
                if exc.code in (404, 410):
                    return None
                raise
        return fetch_url, None

    root = Path(target)

    def fetch_file(path: str) -> bytes | None:
        p = root / path
        try:
            return p.read_bytes() if p.is_file() else None
        except OSError:
            return None
    return fetch_file, root


def _safe_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and "\\" not in path and all(p not in ("", ".", "..") for p in parts)


def _local_files(root: Path) -> set[str]:
    found = set()
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            found.add(Path(dirpath, name).relative_to(root).as_posix())
    return found - {MANIFEST_PATH}


def _rebuild(content_dir: Path, deployed: Manifest) -> tuple[dict[str, str], Manifest | None, list[str]]:
    """Hashes of every output a build of the repository gives, and its manifest."""
    try:
        as_of = dt.date.fromisoformat(deployed.as_of)
    except ValueError:
        return {}, None, [f"{MANIFEST_PATH}: as_of「{deployed.as_of}」不是日期 / as_of is not a date"]
    prepared = pipeline.prepare(content_dir, as_of, deployed.base_url or None)
    if not prepared.ok or prepared.site is None or prepared.evaluation is None:
        n = len(errors(prepared.diagnostics))
        return {}, None, [f"{content_dir}: 仓库内容有 {n} 个错误，无法重建 / the repository has {n} content errors; cannot rebuild"]
    theme = load_theme(prepared.site.theme_dir)
    files: dict[str, str] = {}
    rebuilt: Manifest | None = None
    for path, data in pipeline.outputs(prepared.site, prepared.evaluation, theme):
        if path == MANIFEST_PATH:
            rebuilt = parse_manifest(data)
        else:
            files[path] = sha256(data)
    return files, rebuilt, []


def _file_differences(deployed: Manifest, actual: dict[str, str | None], rebuilt: dict[str, str] | None,
                      extra: set[str]) -> list[str]:
    out = []
    paths = sorted(set(deployed.files) | set(actual) | set(rebuilt or {}) | extra)
    for path in paths:
        problems = []
        have = actual.get(path)
        if path in deployed.files or (rebuilt is not None and path in rebuilt):
            if have is None:
                problems.append("已部署的网站缺少此文件 / missing from the deployed copy")
        if path in extra and path not in deployed.files:
            problems.append("清单中没有此文件 / not listed in the manifest")
        if have is not None and path in deployed.files and have != deployed.files[path]:
            problems.append(f"内容与清单不符 / bytes differ from the manifest (sha256 {have[:12]}… ≠ {deployed.files[path][:12]}…)")
        if rebuilt is not None and have is not None:
            if path not in rebuilt:
                problems.append("仓库重建后没有此文件 / not produced by a build of the repository")
            elif have != rebuilt[path] and (path not in deployed.files or have == deployed.files[path]):
                problems.append("与仓库重建结果不同 / differs from a build of the repository")
        if problems:
            out.append(f"{path}: " + "；".join(problems))
    return out


def _source_differences(deployed: Manifest, rebuilt: Manifest) -> list[str]:
    out = []
    for path in sorted(set(deployed.sources) | set(rebuilt.sources)):
        was, now = deployed.sources.get(path), rebuilt.sources.get(path)
        if was == now:
            continue
        if was is None:
            out.append(f"source {path}: 仓库中有、发布时没有 / in the repository, not in the deployed build")
        elif now is None:
            out.append(f"source {path}: 发布时有、仓库中已没有 / in the deployed build, gone from the repository")
        else:
            out.append(f"source {path}: 内容已改变 / changed since the build (sha256 {was[:12]}… → {now[:12]}…)")
    return out


def _commit_differences(deployed: Manifest, content_dir: Path) -> list[str]:
    history = read_history(content_dir)
    head = history.head if history else None
    out = []
    if deployed.commit != head:
        out.append(f"commit: 发布版本构建自 {deployed.commit or '（非 git 内容）'}，仓库当前为 {head or '（非 git 内容）'}"
                   f" / built from {deployed.commit}, repository HEAD is {head}")
    if deployed.dirty:
        out.append("commit: 发布版本构建时有未提交的修改 / the deployed build was made from uncommitted content")
    return out


def verify_site(target: str, content_dir: Path) -> list[str]:
    """Every difference between the deployed copy at `target` and the repository."""
    fetch, local_root = _fetcher(target)
    raw = fetch(MANIFEST_PATH)
    if raw is None:
        return [f"{MANIFEST_PATH}: 已部署的网站没有清单 / the deployed copy has no manifest"]
    try:
        deployed = parse_manifest(raw)
    except ValueError as exc:
        return [f"{MANIFEST_PATH}: 清单无法读取 / unreadable manifest: {exc}"]

    unsafe = sorted(p for p in deployed.files if not _safe_path(p))
    if unsafe:  # a forged manifest must not make us read outside the deployed copy
        return [f"{p}: 清单中的路径不安全 / unsafe path in the manifest" for p in unsafe]
    rebuilt_files, rebuilt, problems = _rebuild(content_dir, deployed)
    listed = set(deployed.files) | set(rebuilt_files)
    extra = (_local_files(local_root) - listed) if local_root is not None else set()
    actual: dict[str, str | None] = {}
    for path in sorted(listed | extra):
        data = fetch(path)
        actual[path] = sha256(data) if data is not None else None

    out = problems + _file_differences(deployed, actual, rebuilt_files if rebuilt is not None else None, extra)
    if rebuilt is not None:
        out += _source_differences(deployed, rebuilt)
        if deployed.generator != rebuilt.generator:
            out.append(f"generator: 构建程序版本不同 / built by {deployed.generator}, verifying with {rebuilt.generator}")
    out += _commit_differences(deployed, content_dir)
    return out
