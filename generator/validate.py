"""Stage 2 — validate: raw documents become typed models, or positioned diagnostics.

Checks, in order: where a file is (its kind), its schema (pydantic), then what only the
whole association can tell (unique ids, references, members named by USCC, attachments),
and privacy over the raw text of every file. All problems of all files are collected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from pydantic import BaseModel, ValidationError

from . import kinds as k
from .attachments import sniff_problem
from .calendar import CalendarYear
from .config import SiteConfig
from .diagnostics import Diagnostic, Severity, diag
from .identifiers import NUMBER_RUN, NUMBER_RUN_CHARS, find_personal_data, mask_person_name
from .load import Attachment, LoadedContent, Positions, RawDocument
from .markdown import forget_warmed, unsafe_links
from .models.common import Labelled, Subject, annotation_types
from .models.profile import AssociationProfile

PLACEHOLDER = "【待填写】"
_EPOCH = dt.date(1970, 1, 1)


_REMADE = ("id", "association", "url")     # remembered by a document, never pickled: made again when asked for


@dataclass(frozen=True)
class ValidDocument:
    raw: RawDocument
    kind: k.Kind
    model: Any          # an instance of kind.model

    @classmethod
    def deferred(cls, raw: RawDocument, kind: k.Kind, load: Callable[[], Any],
                 listing: tuple[tuple[int, str], int | str | None] | None = None) -> "ValidDocument":
        """A document whose model `load()` gives when first asked for (the per-file cache keeps
        models pickled until then: a repeated build needs few of them). `listing`: its
        `newest_first` and `variant`, when known without the model."""
        doc = object.__new__(cls)
        if listing is None:
            doc.__dict__.update(raw=raw, kind=kind, _load=load)
        else:
            doc.__dict__.update(raw=raw, kind=kind, _load=load, newest_first=listing[0], variant=listing[1])
        return doc

    def __getattr__(self, name: str) -> Any:
        # Asked only for what is not set: the model of a `deferred` document, the first time.
        load = self.__dict__.get("_load") if name == "model" else None
        if load is None:
            raise AttributeError(name)
        model = load()
        object.__setattr__(self, "model", model)
        del self.__dict__["_load"]
        return model

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if state.pop("_load", None) is not None:
            state["model"] = self.model
        for name in _REMADE:
            state.pop(name, None)
        return state

    # Pure functions of the file's place and kind, asked for again and again by listings,
    # pages, feeds and open data (a URL tens of times per document): each made once.
    @cached_property
    def id(self) -> str:
        return self.raw.stem if self.kind.folder else self.kind.name

    @cached_property
    def association(self) -> str:
        return self.raw.association or ""

    @cached_property
    def url(self) -> str:
        return self.kind.url(self.association, self.id)

    @cached_property
    def newest_first(self) -> tuple[int, str]:
        """Sort key of lists, feeds and open data: newest event first, ties by URL so the
        order never depends on file-system order. A pure function of the document, made
        once (a document is sorted into several lists)."""
        return (-(self.model.event_date() or _EPOCH).toordinal(), self.url)

    @cached_property
    def variant(self) -> int | str | None:
        """Which part of its kind's site-wide list it is in: an annual report's year, a list
        entry's colour (None for other kinds). With `newest_first`, what the site-wide lists
        ask of every document: the per-file cache keeps both (`deferred`), so those lists
        need no model of an association that did not change."""
        if self.kind.name == "annual_report":
            return self.model.year      # type: ignore[no-any-return]
        if self.kind.name == "list_entry":
            return self.model.list_type.value     # type: ignore[no-any-return]
        return None


@dataclass(frozen=True)
class ValidatedContent:
    config: SiteConfig
    calendar_years: tuple[CalendarYear, ...]
    profiles: tuple[ValidDocument, ...]        # kind "association"
    documents: tuple[ValidDocument, ...]       # every other kind
    attachments: tuple[Attachment, ...]
    diagnostics: tuple[Diagnostic, ...]
    root: Path
    theme_dir: Path | None


# --- schema errors → diagnostics -------------------------------------------------------


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None or isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = next((t for t in annotation_types(field.annotation) if isinstance(t, type) and issubclass(t, BaseModel)), None)
    return current


def _data_path(data: Any, loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """Keep the parts of a pydantic location that exist in the data (drops union tags etc.)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
            path.append(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            path.append(part)
        elif isinstance(part, str) and current is data and not path:
            continue
    return tuple(path)


def _example(field: Any) -> str:
    if field is not None and field.examples:
        ex = field.examples[0]
        return str(ex).replace("'", "") if not isinstance(ex, str) else ex
    return "…"


def _enum_choices(model: type[BaseModel] | None, name: str) -> str:
    if model is None or name not in model.model_fields:
        return ""
    for t in annotation_types(model.model_fields[name].annotation):
        if isinstance(t, type) and issubclass(t, Labelled):
            return "、".join(f"{code}（{zh}）" for code, (zh, _en) in t.labels().items())
    return ""


def schema_diagnostics(exc: ValidationError, raw_data: dict[str, Any], positions: Positions, file: str,
                       model: type[BaseModel]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _data_path(raw_data, loc)
        line, col = positions.of(path)
        field_name = ".".join(str(p) for p in loc) or "（整个文件）"
        last = next((p for p in reversed(loc) if isinstance(p, str)), "")
        parent = _model_at(model, loc[:-1])
        etype = err["type"]
        value = err.get("input")
        if etype == "missing":
            info = parent.model_fields.get(last) if parent else None
            out.append(diag(file, line, col, "schema.missing_field", field=field_name,
                            title=(info.title if info and info.title else last), example=f"{last}: {_example(info)}"))
        elif etype == "extra_forbidden":
            line, col = positions.of(path, key=True)
            allowed = sorted(parent.model_fields) if parent else []
            close = difflib.get_close_matches(last, allowed, n=1)
            hint = f"{'、'.join(allowed)}" + (f"（是不是想写「{close[0]}」？ did you mean '{close[0]}'?）" if close else "")
            out.append(diag(file, line, col, "schema.unknown_field", field=field_name, allowed=hint))
        elif etype.startswith("date_") or etype.startswith("datetime_"):
            out.append(diag(file, line, col, "schema.bad_date", field=field_name, value=value))
        elif etype == "enum":
            out.append(diag(file, line, col, "schema.bad_enum", field=field_name, value=value,
                            allowed=_enum_choices(parent, last) or err.get("ctx", {}).get("expected", "")))
        elif etype == "uscc":
            out.append(diag(file, line, col, "schema.bad_uscc", value=value, why=err["ctx"]["why"]))
        elif etype == "decided_after_published":
            ctx = err["ctx"]
            out.append(diag(file, *positions.of(path + ("published_on",)), "date.decided_after_published",
                            decided=ctx["decided"], published=ctx["published"]))
        else:
            out.append(diag(file, line, col, "schema.invalid_value", field=field_name, problem=err["msg"]))
    return out


def validate_model(raw: RawDocument, model: type[BaseModel], data: dict[str, Any] | None = None) -> tuple[Any, list[Diagnostic]]:
    data = raw.data if data is None else data
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, schema_diagnostics(exc, raw.data, raw.positions, str(raw.path), model)


# --- per-file checks -----------------------------------------------------------------------


def _kind_of(raw: RawDocument) -> tuple[k.Kind | None, list[Diagnostic]]:
    name = raw.rel.rpartition("/")[2]      # its POSIX place's last part: no Path made for it
    kind = k.kind_for(raw.folder, name)
    if kind is None:
        if raw.folder is None:
            allowed = "association.yaml、charter.md 或以下目录：" + "、".join(sorted(k.BY_FOLDER))
            return None, [diag(raw.path, 1, 1, "file.unexpected", name=name, hint=f"协会目录下只能有 {allowed}。")]
        return None, [diag(raw.path, 1, 1, "file.unknown_folder", folder=raw.folder,
                           allowed="、".join(sorted(k.BY_FOLDER)) + "、files")]
    declared = raw.data.get("kind")
    if declared is not None and declared != kind.name:
        return kind, [diag(raw.path, *raw.positions.of(("kind",)), "schema.kind_mismatch", declared=declared,
                           folder=raw.folder or ".", expected=kind.name)]
    return kind, []


def _in_text(raw: RawDocument, found: Callable[[str], object], longest: int) -> bool:
    """Whether `found(part)` finds something in the document's text (front matter + body),
    not joining the two into a copy of the whole file to ask: each part, then the join
    (for what is at most `longest` characters long)."""
    head, body = raw.head, raw.body
    if not body:
        return bool(found(head))
    return bool(found(head) or found(body) or found(head[1 - longest:] + body[: longest - 1]))


def _holds_placeholder(part: str) -> bool:
    return PLACEHOLDER in part


def privacy_diagnostics(raw: RawDocument) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    # Text without a run of digits like a mobile or resident ID number's holds neither: the
    # line-by-line scan is skipped (most documents).
    if not _in_text(raw, NUMBER_RUN.search, NUMBER_RUN_CHARS):
        return out
    for hit in find_personal_data(raw.text):
        if hit.kind == "resident_id":
            out.append(diag(raw.path, hit.line, hit.column, "privacy.resident_id", masked=hit.masked,
                            suggestion="（身份证号码已隐去）"))
        else:
            out.append(diag(raw.path, hit.line, hit.column, "privacy.mobile", masked=hit.masked))
    return out


def unmasked_name_diagnostics(doc: "ValidDocument", mask: bool) -> list[Diagnostic]:
    """A practitioner shown masked in the record must not be named in full elsewhere in it
    (title, facts, body): the page would publish what the mask hides."""
    out: list[Diagnostic] = []
    if not mask:
        return out
    fields = type(doc.model).model_fields      # asking a model for a field it lacks is slow (pydantic __getattr__)
    for field_name in ("subject", "committer"):
        who = getattr(doc.model, field_name) if field_name in fields else None
        if not isinstance(who, Subject) or who.type != "practitioner" or len(who.name) < 2:
            continue
        whole = doc.raw.text
        if who.name not in whole:
            continue                    # written differently in the YAML (escapes): nowhere to report
        own_line = doc.raw.positions.of((field_name, "name"))[0]
        for n, text in enumerate(whole.split("\n"), start=1):
            col = text.find(who.name)
            if col >= 0 and n != own_line:
                out.append(diag(doc.raw.path, n, col + 1, "privacy.unmasked_name", name=who.name,
                                masked=mask_person_name(who.name)))
    return out


_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


def _raw_html_warnings(raw: RawDocument) -> list[Diagnostic]:
    """Raw HTML is shown as text (html is off): tell the author once per line, outside code."""
    out: list[Diagnostic] = []
    fenced = False
    if "<" not in (raw.body or ""):
        return out                      # no tag without a "<"
    for n, text in enumerate((raw.body or "").split("\n")):
        if text.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or text.startswith("    "):
            continue
        m = _HTML_TAG.search(re.sub(r"`[^`]*`", "", text))
        if m:
            out.append(diag(raw.path, raw.body_line + n, m.start() + 1, "markdown.raw_html", Severity.WARNING))
    return out


def body_diagnostics(raw: RawDocument) -> list[Diagnostic]:
    out = []
    if raw.body:
        for line, url in unsafe_links(raw.body):
            out.append(diag(raw.path, raw.body_line + line, 1, "markdown.unsafe_link", url=url))
        out += _raw_html_warnings(raw)
    lines = raw.text.split("\n") if _in_text(raw, _holds_placeholder, len(PLACEHOLDER)) else ()
    for n, text in enumerate(lines, start=1):
        col = text.find(PLACEHOLDER)
        if col >= 0:
            out.append(diag(raw.path, n, col + 1, "placeholder.remaining", Severity.WARNING, text=PLACEHOLDER))
    return out


def _file_name_diagnostics(doc: ValidDocument) -> list[Diagnostic]:
    model = doc.model
    if doc.kind.name == "annual_report" and not doc.id.startswith(f"{model.year}-"):
        return [diag(doc.raw.path, *doc.raw.positions.of(("year",)), "schema.bad_filename", name=doc.raw.path.name,
                     why=f"年度报告的文件名应以年度开头，如 {model.year}-{model.report_type.value.replace('_', '-')}.md")]
    return []


# --- association-wide checks -----------------------------------------------------------------


def _subjects(doc: ValidDocument) -> Iterable[tuple[tuple[str | int, ...], Subject | Any]]:
    m = doc.model
    fields = type(m).model_fields      # asking a model for a field it lacks is slow (pydantic __getattr__)
    for name in ("subject", "committer"):
        if name in fields and isinstance(getattr(m, name), Subject):
            yield (name, "uscc"), getattr(m, name)
    for i, rating in enumerate((m.ratings if "ratings" in fields else None) or []):
        yield ("ratings", i, "uscc"), rating


def association_diagnostics(profile: ValidDocument | None, docs: Sequence[ValidDocument],
                            attachments: Sequence[Attachment], max_attachment_bytes: int) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: dict[tuple[str, str], ValidDocument] = {}
    for doc in docs:
        key = (doc.kind.name, doc.id)
        if key in seen:
            out.append(diag(doc.raw.path, 1, 1, "ref.duplicate_id", id=doc.id, kind=doc.kind.label_zh,
                            other=seen[key].raw.rel))
        else:
            seen[key] = doc
    paths = {f"{d.kind.folder}/{d.id}" if d.kind.folder else d.kind.name for d in docs}
    members = {m.uscc for m in profile.model.members} if profile else set()
    files = {a.name: a for a in attachments}
    for doc in docs:
        for i, ref in enumerate(doc.model.references):
            if ref.strip("/") not in paths:
                close = difflib.get_close_matches(ref, sorted(paths), n=5)
                out.append(diag(doc.raw.path, *doc.raw.positions.of(("references", i)), "ref.unknown_document",
                                ref=ref, allowed="、".join(close or sorted(paths)[:10])))
        if profile is not None:
            for path, who in _subjects(doc):
                if (who.member if "member" in type(who).model_fields else True) and who.uscc and who.uscc not in members:
                    out.append(diag(doc.raw.path, *doc.raw.positions.of(path), "ref.unknown_member", uscc=who.uscc))
        for i, att in enumerate(doc.model.attachments):
            pos = doc.raw.positions.of(("attachments", i, "file"))
            found = files.get(att.file)
            if found is None:
                out.append(diag(doc.raw.path, *pos, "attachment.missing", attachment=att.file))
            elif found.size > max_attachment_bytes:
                out.append(diag(doc.raw.path, *pos, "attachment.too_large", attachment=att.file, size=found.size,
                                limit=max_attachment_bytes))
            elif (problem := sniff_problem(found.path)) is not None:
                out.append(diag(doc.raw.path, *pos, "attachment.bad_type", attachment=att.file, **problem))
    return out


def folder_diagnostics(root: Path, slug: str, profile: ValidDocument | None, docs: Sequence[ValidDocument],
                       attachments: Sequence[Attachment], config: SiteConfig) -> list[Diagnostic]:
    """The cross-file checks of one association folder: it has a profile, and its files agree
    with each other (`association_diagnostics`). Also run by serve for the folder an edit touched."""
    out: list[Diagnostic] = []
    if not (root / "associations" / slug / "association.yaml").is_file():
        out.append(diag(root / "associations" / slug, 1, 1, "ref.missing_profile", slug=slug))
    return out + association_diagnostics(profile, docs, attachments, config.limits.max_attachment_bytes)


def folder_inputs(root: Path, slug: str, profile: ValidDocument | None, docs: Sequence[ValidDocument],
                  attachments: Sequence[Attachment], config: SiteConfig) -> str:
    """A digest of everything `folder_diagnostics` reads: the folder, whether it has a profile
    file, the places and bytes of its valid files (their models and positions follow from
    them), its attachments' names, sizes and sniffed types, and the size limit."""
    h = hashlib.sha256(repr((str(root), slug, (root / "associations" / slug / "association.yaml").is_file(),
                             config.limits.max_attachment_bytes,
                             profile and (profile.raw.rel, profile.raw.content_hash))).encode("utf-8", "surrogatepass"))
    for d in docs:
        h.update(f"\0{d.raw.rel}\0{d.raw.content_hash}".encode("utf-8", "surrogatepass"))
    for a in attachments:
        try:
            sniffed: Any = sniff_problem(a.path)
        except OSError as exc:          # unreadable: never taken from the cache
            sniffed = (type(exc).__name__, id(exc))
        h.update(repr((a.name, a.size, sniffed)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


# --- the stage -----------------------------------------------------------------------------

# Per-file results of an earlier run in this process, keyed by the RawDocument object (which
# generator.load's parsed_memo returns again for unchanged bytes) and the masking setting:
# (id(raw), mask) -> (raw, document or None, diagnostics). The raw object is kept in the
# value so its id cannot be reused by another. None: validate every file.
validated_memo: dict[tuple[int, bool], tuple[RawDocument, "ValidDocument | None", tuple[Diagnostic, ...]]] | None = None


def _validate_document(raw: RawDocument, config: SiteConfig) -> tuple[ValidDocument | None, tuple[Diagnostic, ...]]:
    """Everything validation says about one file on its own (cross-file checks come after).

    The per-file cache (generator.filecache) keys this result on the file's path and bytes
    and on `config.mask_individuals`: read anything else of `config` here and it must join
    that key (FileCache._valid_key)."""
    diagnostics = privacy_diagnostics(raw) + body_diagnostics(raw)
    kind, ds = _kind_of(raw)
    diagnostics += ds
    if kind is None:
        return None, tuple(diagnostics)
    data = raw.data
    if "kind" in data:      # checked against the folder above; the model never holds it
        data = {key: v for key, v in data.items() if key != "kind"}
    parsed, ds = validate_model(raw, kind.model, data)
    diagnostics += ds
    if parsed is None:
        return None, tuple(diagnostics)
    doc = ValidDocument(raw, kind, parsed)
    diagnostics += _file_name_diagnostics(doc)
    diagnostics += unmasked_name_diagnostics(doc, config.mask_individuals)
    return doc, tuple(diagnostics)


def validate(loaded: LoadedContent, files: Any = None) -> ValidatedContent:
    """`files` (a generator.filecache.FileCache) supplies the per-file results of unchanged
    files from an earlier run and keeps this run's; cross-file checks always run."""
    diagnostics: list[Diagnostic] = list(loaded.diagnostics)
    config = SiteConfig()
    # site.yaml and calendars are published too (title, description, holiday names).
    for raw in (loaded.site, *loaded.calendars):
        if raw is not None:
            diagnostics += privacy_diagnostics(raw)
    if loaded.site is not None:
        parsed, ds = validate_model(loaded.site, SiteConfig)
        diagnostics += ds
        config = parsed or config
    years: list[CalendarYear] = []
    for raw in loaded.calendars:
        parsed, ds = validate_model(raw, CalendarYear)
        diagnostics += ds
        if parsed is not None:
            years.append(parsed)

    profiles: list[ValidDocument] = []
    documents: list[ValidDocument] = []
    mask = config.mask_individuals
    cached = files.validated(loaded.documents, mask) if files is not None and validated_memo is None else {}

    def revalidate(raw: RawDocument) -> Any:        # a cached model that cannot be read after all
        return _validate_document(raw, config)[0].model   # type: ignore[union-attr]
    for raw in loaded.documents:
        if validated_memo is not None:
            key = (id(raw), mask)
            hit = validated_memo.get(key)
            if hit is None or hit[0] is not raw:
                hit = validated_memo[key] = (raw, *_validate_document(raw, config))
            doc, ds = hit[1], hit[2]
        elif (entry := cached.get(raw.file)) is not None and (entry[0] is None or entry[0] in k.BY_NAME):
            kind_name, model, ds = entry
            doc = (files.document(raw, k.BY_NAME[kind_name], model, revalidate)
                   if kind_name is not None and model is not None else None)
        else:
            doc, ds = _validate_document(raw, config)
            if files is not None:
                files.remember(raw, mask, doc.kind.name if doc else None, doc.model if doc else None, ds)
        raw.release()       # the model holds what is needed now; data is parsed again if asked for
        diagnostics += ds
        if doc is not None:
            (profiles if doc.kind.name == "association" else documents).append(doc)

    by_assoc: dict[str, list[ValidDocument]] = {}
    for doc in documents:
        by_assoc.setdefault(doc.association, []).append(doc)
    profile_of = {p.association: p for p in profiles}
    attachments_of: dict[str, list[Attachment]] = {}
    for a in loaded.attachments:
        attachments_of.setdefault(a.association, []).append(a)
    slugs_with_files = {raw.association for raw in loaded.documents if raw.association}
    for slug in sorted(slugs_with_files):
        profile, docs, atts = profile_of.get(slug), by_assoc.get(slug, []), attachments_of.get(slug, [])

        def check(slug: str = slug, profile: ValidDocument | None = profile, docs: list[ValidDocument] = docs,
                  atts: list[Attachment] = atts) -> list[Diagnostic]:
            return folder_diagnostics(loaded.root, slug, profile, docs, atts, config)
        # Under the per-file cache, taken from an earlier run when everything they read is the same.
        diagnostics += check() if files is None else files.folder_checked(
            slug, folder_inputs(loaded.root, slug, profile, docs, atts, config), check)

    forget_warmed()         # every body's unsafe links were asked for
    return ValidatedContent(
        config=config, calendar_years=tuple(sorted(years, key=lambda y: y.year)),
        profiles=tuple(sorted(profiles, key=lambda d: d.association)),
        documents=tuple(sorted(documents, key=lambda d: (d.association, d.kind.name, d.id))),
        attachments=loaded.attachments, diagnostics=tuple(sorted(set(diagnostics))),
        root=loaded.root, theme_dir=loaded.theme_dir,
    )


__all__ = ["validate", "ValidatedContent", "ValidDocument", "AssociationProfile", "PLACEHOLDER"]
