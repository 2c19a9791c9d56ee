"""The content held folder by folder, so that an edit in one association's folder reads and
validates that folder alone.

`read_everything` is the pipeline's own read (`pipeline.prepare`), its parse and validation
memos captured and split per folder; `Folders.read_again` is `load.load_content` and
`validate.validate` for one folder (the same walk, the same checks, in the same order), reusing
the parse of unchanged files and the validation of unchanged parses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .. import load, validate
from ..config import SiteConfig
from ..diagnostics import Diagnostic, diag
from ..load import Attachment, RawDocument
from ..pipeline import Prepared, prepare
from ..validate import ValidatedContent, ValidDocument
from .edits import association_folder, folder_slug

# id(raw) -> (raw, its validation, its diagnostics); the raw is kept so the id stays its own.
Validations = dict[int, tuple[RawDocument, ValidDocument | None, tuple[Diagnostic, ...]]]


@dataclass(frozen=True)
class Folder:
    """One folder under associations/, as read and validated."""

    name: str
    raws: tuple[RawDocument, ...]
    attachments: tuple[Attachment, ...]
    profile: ValidDocument | None
    documents: tuple[ValidDocument, ...]         # every kind but the profile, by kind and id
    diagnostics: tuple[Diagnostic, ...]          # reading, per-file and cross-file validation
    parsed: Mapping[Any, RawDocument] = field(default_factory=dict)   # load's parse memo, this folder's part


@dataclass
class _FolderParts:
    """A folder being gathered from a full read, before it is frozen into a `Folder`."""

    raws: list[RawDocument] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    profile: ValidDocument | None = None
    documents: list[ValidDocument] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    parsed: dict[Any, RawDocument] = field(default_factory=dict)


class CarriedMemo(dict):  # type: ignore[type-arg]
    """A parse memo that keeps what this read used: misses fall back to the previous read's
    entries, so files deleted or changed since drop out of it."""

    def __init__(self, previous: Mapping[Any, Any]) -> None:
        super().__init__()
        self.previous = previous

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        if key in self.previous:
            value = self[key] = self.previous[key]
            return value
        return default


class Folders:
    """Every association folder as last read, and what lies outside them."""

    def __init__(self, root: Path, max_bytes: int, by_name: dict[str, Folder], validated: Validations,
                 outside: tuple[Diagnostic, ...]) -> None:
        self.root = root
        self.max_bytes = max_bytes              # site.yaml's file size limit, as the full read found it
        self.by_name = by_name
        self.validated = validated
        self.outside = outside                  # diagnostics of files outside any association folder

    def read_again(self, name: str, config: SiteConfig) -> None:
        """Read and validate folder `name` as the full read would have (it may be new or gone)."""
        root = self.root
        adir = root / "associations" / name
        previous = self.by_name.get(name)
        memo = CarriedMemo(previous.parsed if previous is not None else {})
        ds: list[Diagnostic] = []
        raws: list[RawDocument] = []
        atts: list[Attachment] = []
        slug = folder_slug(name)

        def read(path: Path, folder: str | None) -> RawDocument | None:
            return load.reported(ds, path, load._read_memoised, memo, path, root, slug, folder, self.max_bytes)

        usable = not (name.startswith(".") or name.endswith("~"))
        if usable and adir.is_symlink() and (why := load._symlink_problem(adir, root)) is not None:
            ds.append(diag(adir, 1, 1, "file.symlink", target=why))
        elif usable and adir.is_dir():
            if (why := load.check_name(slug)) is not None:
                ds.append(diag(adir, 1, 1, "file.bad_name", name=slug, why=why))
            else:
                found, atts = load.walk_association(adir, slug, root, lambda f, folder, _entry, _stem: read(Path(f), folder), ds)
                raws += found

        profiles: list[ValidDocument] = []
        documents: list[ValidDocument] = []
        for raw in raws:
            hit = self.validated.get(id(raw))
            if hit is None or hit[0] is not raw:
                hit = self.validated[id(raw)] = (raw, *validate._validate_document(raw, config))
            ds += hit[2]
            if hit[1] is not None:
                (profiles if hit[1].kind.name == "association" else documents).append(hit[1])
        profile_of = {p.association: p for p in profiles}
        if raws:
            ds += validate.folder_diagnostics(root, slug, profile_of.get(slug), documents, atts, config)
        self.by_name[name] = Folder(name, tuple(raws), tuple(atts), profile_of.get(slug),
                                    tuple(sorted(documents, key=lambda d: (d.kind.name, d.id))), tuple(ds),
                                    dict(memo))
        if not raws and not ds and not adir.exists():
            del self.by_name[name]
        # Validations of raws no folder holds any more: dropped once they outnumber the rest.
        live = {id(r) for f in self.by_name.values() for r in f.raws}
        if len(self.validated) > 2 * len(live) + 64:
            self.validated = {k: v for k, v in self.validated.items() if k in live}

    def content(self, previous: ValidatedContent) -> ValidatedContent:
        """`previous` (site.yaml, the calendar) with the folders' files and diagnostics as they are now."""
        folders = [self.by_name[n] for n in sorted(self.by_name)]
        diagnostics = tuple(sorted(set(self.outside).union(*(f.diagnostics for f in folders))))
        profiles = tuple(sorted((f.profile for f in folders if f.profile is not None), key=lambda d: d.association))
        return dataclasses.replace(
            previous, profiles=profiles,
            documents=tuple(d for f in folders for d in f.documents),
            attachments=tuple(a for f in folders for a in f.attachments), diagnostics=diagnostics)

    def documents_of(self, slugs: set[str]) -> dict[str, list[ValidDocument]]:
        """The documents of the associations `slugs`, by slug."""
        by_slug: dict[str, list[ValidDocument]] = {}
        for name in sorted(self.by_name):         # in folder order, as the full read has them
            if (slug := folder_slug(name)) in slugs:
                by_slug.setdefault(slug, []).extend(self.by_name[name].documents)
        return by_slug


def read_everything(root: Path, as_of: dt.date, base_url: str | None) -> tuple[Prepared, Folders]:
    """The pipeline's read up to evaluation, and the same files held folder by folder."""
    saved = load.parsed_memo, validate.validated_memo
    parsed: dict[Any, RawDocument] = {}
    validated: dict[Any, Any] = {}
    load.parsed_memo, validate.validated_memo = parsed, validated   # captured, not shared with builds
    try:
        prepared = prepare(root, as_of, base_url)
    finally:
        load.parsed_memo, validate.validated_memo = saved
    content = prepared.content
    site_raw = next((r for r in parsed.values() if r.rel == "site.yaml"), None)
    max_bytes = load._configured_max_bytes(site_raw) or load.MAX_FILE_BYTES

    parts: dict[str, _FolderParts] = {}

    def part(name: str | None) -> _FolderParts:
        # What lies outside any folder is gathered under "" and dropped below.
        return parts.setdefault(name or "", _FolderParts())

    for key, raw in parsed.items():
        if (name := association_folder(raw.path, root)) is not None:
            part(name).parsed[key] = raw
            part(name).raws.append(raw)
    for a in content.attachments:
        part(association_folder(a.path, root)).attachments.append(a)
    for p in content.profiles:
        part(association_folder(p.raw.path, root)).profile = p
    for d in content.documents:
        part(association_folder(d.raw.path, root)).documents.append(d)
    outside: list[Diagnostic] = []
    for d in content.diagnostics:
        name = association_folder(d.file, root)
        (part(name).diagnostics if name is not None else outside).append(d)
    by_name = {name: Folder(name, tuple(v.raws), tuple(v.attachments), v.profile, tuple(v.documents),
                            tuple(v.diagnostics), v.parsed)
               for name, v in sorted(parts.items()) if name}
    return prepared, Folders(root, max_bytes, by_name, {key[0]: hit for key, hit in validated.items()},
                             tuple(outside))
