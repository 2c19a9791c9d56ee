"""The build manifest: tamper evidence for a deployed site (GD 二(二): no silent rewrites).

`/manifest.json` is the last output of every build. It lists the SHA-256 of every
published file and of every source the public site was made from, plus the git commit
the content was at. `gongshi verify` rebuilds the repository and compares: a deployed copy
that differs by one byte, or a repository that moved on, shows up as a difference.

Only sources of what is published are listed: the path of a member-only or
privacy-flagged file (its name may carry a person's name) must not leak through here.
Nothing time-dependent goes in, so two builds of the same content give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from . import __version__
from .assemble import Site
from .evaluate import Evaluation
from .jsontext import dumps_indented_bytes
from .load import YAML_SUFFIXES
from .write import Placed, Unchanged

MANIFEST_PATH = "manifest.json"
FORMAT = "gongshi-manifest/1"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash_file(path: Path) -> str:
    return sha256(path.read_bytes())


def _config_sources(root: Path) -> dict[str, str]:
    """site.yaml, calendar years and theme overrides: they shape every page."""
    found: dict[str, str] = {}
    site = root / "site.yaml"
    if site.is_file():
        found["site.yaml"] = _hash_file(site)
    calendar = root / "calendar"
    if calendar.is_dir():
        for f in sorted(calendar.iterdir()):
            if f.suffix in YAML_SUFFIXES and f.is_file() and not f.name.startswith("."):
                found[f.relative_to(root).as_posix()] = _hash_file(f)
    theme = root / "theme"
    if theme.is_dir() and not theme.is_symlink():
        for f in sorted(theme.rglob("*")):
            rel = f.relative_to(root)
            if f.is_file() and not f.is_symlink() and not any(p.startswith(".") for p in rel.parts):
                found[rel.as_posix()] = _hash_file(f)
    return found


def published_sources(site: Site, evaluation: Evaluation) -> dict[str, str]:
    """content-relative path → SHA-256 of every source behind the public site."""
    from .incremental import memoised
    sources = _config_sources(site.root)
    attachments = {(a.association, a.name): a for a in site.attachments}
    for assoc in site.associations:
        # made of the association's files only: kept while they are the same
        files, refs = memoised("sources", assoc.slug, lambda assoc=assoc: _association_sources(assoc, evaluation))
        sources.update(files)
        for name in refs:       # an attachment's bytes are read every time: its file is not in the key
            if (att := attachments.get((assoc.slug, name))) is not None:
                sources[att.rel] = _hash_file(att.path)
    return dict(sorted(sources.items()))


def _association_sources(assoc: Any, evaluation: Evaluation) -> tuple[dict[str, str], list[str]]:
    """One association's published files (path → SHA-256) and the attachments they name."""
    files = {assoc.source.raw.rel: assoc.source.raw.content_hash}
    refs: list[str] = []
    for doc in assoc.documents:
        if not evaluation.state(doc.raw.rel).visible:
            continue
        files[doc.raw.rel] = doc.raw.content_hash
        refs += (ref.file for ref in doc.model.attachments)
    return files, refs


def manifest_bytes(site: Site, evaluation: Evaluation, files: dict[str, str]) -> bytes:
    history = site.history
    record: dict[str, Any] = {
        "format": FORMAT,
        "generator": f"gongshi {__version__}",
        "as_of": site.as_of.isoformat(),
        "base_url": site.config.base_url,
        "built_from": {
            "commit": history.head if history else None,
            # Uncommitted content has no attested history: a regulator should know.
            "dirty": bool(history.dirty) if history else None,
        },
        "sources": published_sources(site, evaluation),
        "files": dict(sorted(files.items())),
    }
    return dumps_indented_bytes(record, 1, end="\n")


def with_manifest(outputs: Iterable[tuple[str, Any]], site: Site, evaluation: Evaluation,
                  digests: dict[str, str] | None = None) -> Iterator[tuple[str, Any]]:
    """Pass every output through, then yield the manifest of all of them.

    Each output is hashed once, here; an output the build state vouches for
    (`write.Unchanged`) brings the digest recorded when it was written. `digests`, when
    given, receives path → SHA-256 of every output (the build state records them)."""
    files: dict[str, str] = {} if digests is None else digests
    for path, data in outputs:
        if path == MANIFEST_PATH:
            raise ValueError(f"{MANIFEST_PATH} is reserved for the build manifest")
        files[path] = data.digest if isinstance(data, (Unchanged, Placed)) else sha256(data)
        yield path, data
    data = manifest_bytes(site, evaluation, files)
    files[MANIFEST_PATH] = sha256(data)
    yield MANIFEST_PATH, data


@dataclass(frozen=True)
class Manifest:
    as_of: str
    base_url: str
    commit: str | None
    dirty: bool | None
    sources: dict[str, str]
    files: dict[str, str]
    generator: str = ""


def parse_manifest(data: bytes) -> Manifest:
    """Read a manifest; ValueError when it is not one."""
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} manifest")
    try:
        built = record["built_from"]
        files, sources = record["files"], record["sources"]
        if not (isinstance(files, dict) and isinstance(sources, dict)):
            raise TypeError("files and sources must be objects")
        return Manifest(as_of=str(record["as_of"]), base_url=str(record["base_url"]),
                        commit=built.get("commit"), dirty=built.get("dirty"),
                        sources={str(k): str(v) for k, v in sources.items()},
                        files={str(k): str(v) for k, v in files.items()},
                        generator=str(record.get("generator", "")))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"incomplete manifest: {exc}") from None
