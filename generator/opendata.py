"""Open data under /data/: associations, documents, sanctions and compliance as JSON and CSV.

Decisions (documented to readers on /data/index.html, from the same `DATASETS` table):
- CSV is UTF-8 *with* a byte order mark: Excel, which most regulators' staff use, reads a
  BOM-less UTF-8 CSV as the local code page and garbles Chinese. Python's csv module and
  pandas read it with encoding "utf-8-sig". Rows end with CRLF (RFC 4180).
- Several values in one CSV field are joined with the full-width "；" (never inside a value
  of the fields that can hold lists here); JSON keeps them as arrays.
- Only public documents within their publication period appear; practitioners' names are
  masked exactly as on the pages (`present.display_name`).
- Nothing depends on the clock: `as_of` is the build's evaluation date, rows are sorted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import marshal
from itertools import chain, islice
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any, Callable, Iterable, Iterator

from .assemble import Association, Site
from .evaluate import Evaluation
from .jsontext import dumps_indented, records_text
from .present import display_name
from .views import attested_date, latest_first, public_documents, public_statuses


@dataclass(frozen=True)
class DataField:
    name: str
    type: str          # string | integer | date | url | list
    zh: str
    en: str


@dataclass(frozen=True)
class Dataset:
    name: str
    title_zh: str
    title_en: str
    fields: tuple[DataField, ...]

    def files(self) -> tuple[str, str]:
        return (f"data/{self.name}.json", f"data/{self.name}.csv")


F = DataField
_DOC_COMMON = (
    F("association", "string", "协会标识（网址中的协会目录名）", "Association slug (its folder in URLs)"),
    F("association_name", "string", "协会全称", "Association's full name"),
    F("id", "string", "文档标识（文件名，不含扩展名）", "Document id (file name without extension)"),
    F("url", "url", "文档的永久链接", "Permanent link to the document page"),
    F("title", "string", "标题", "Title"),
)
_DATES = (
    F("declared_published_on", "date", "协会声明的公示日期", "Publication date declared by the association"),
    F("attested_published_on", "date", "git 提交记录证明的公示日期（首次提交日期）；无提交记录时为空",
      "Publication date attested by the git history (first commit); empty when not committed"),
    F("expires_on", "date", "公示截止日期；之后记录不再公示", "End of the publication period; the record comes down after it"),
)

DATASETS: tuple[Dataset, ...] = (
    Dataset("associations", "协会名录", "Associations", (
        F("slug", "string", "协会标识（网址中的协会目录名）", "Association slug (its folder in URLs)"),
        F("name", "string", "协会全称", "Full name"),
        F("short_name", "string", "简称", "Short name"),
        F("name_en", "string", "英文名称", "English name"),
        F("uscc", "string", "统一社会信用代码（GB 32100-2015）", "Unified social credit code (GB 32100-2015)"),
        F("industry", "string", "所属行业", "Industry"),
        F("supervisory_departments", "list", "行业主管部门", "Supervisory departments"),
        F("registration_authority", "string", "登记管理机关", "Registration authority"),
        F("certificate_number", "string", "登记证书编号", "Registration certificate number"),
        F("registered_on", "date", "成立登记日期", "Date of registration"),
        F("legal_representative", "string", "法定代表人", "Legal representative"),
        F("address", "string", "办公地址", "Office address"),
        F("member_count", "integer", "会员数量", "Number of members"),
        F("self_regulation_body", "string", "行业自律机构名称；未设立时为空", "Name of the self-regulation body; empty if none"),
        F("public_documents", "integer", "本站公示中的文档数", "Number of documents public on this site"),
        F("updated_on", "date", "协会概况更新日期", "Date the profile was last updated"),
        F("url", "url", "协会页面", "Association page"),
        F("feed", "url", "协会公示的 Atom 订阅", "Atom feed of the association's disclosures"),
    )),
    Dataset("documents", "全部公示文档", "All public documents", (
        *_DOC_COMMON,
        F("kind", "string", "文档类型代码（如 sanction、charter）", "Kind code (e.g. sanction, charter)"),
        F("kind_label", "string", "文档类型（中文）", "Kind (Chinese label)"),
        F("date", "date", "事件日期（决定、通过、承诺或评价日期）", "Event date (decided, adopted, committed or evaluated on)"),
        F("summary", "string", "摘要", "Summary"),
        *_DATES,
        F("amendments", "integer", "更正次数", "Number of published amendments"),
    )),
    Dataset("sanctions", "公示期内的行业惩戒", "Sanctions in force", (
        *_DOC_COMMON,
        F("decision_number", "string", "惩戒决定书文号", "Decision number"),
        F("subject_name", "string", "惩戒对象名称；从业人员姓名已脱敏", "Subject's name; practitioners' names are masked"),
        F("subject_type", "string", "对象类别代码：organisation / practitioner / individual_business",
          "Subject type: organisation / practitioner / individual_business"),
        F("subject_uscc", "string", "对象的统一社会信用代码（单位）", "Subject's USCC (organisations)"),
        F("subject_employer", "string", "从业人员所在单位", "Practitioner's employer"),
        F("measure", "string", "惩戒措施代码：warning / internal_criticism / public_censure / membership_revoked / referral",
          "Measure code: warning / internal_criticism / public_censure / membership_revoked / referral"),
        F("measure_label", "string", "惩戒措施（中文）", "Measure (Chinese label)"),
        F("rule_broken", "string", "违反的规约或准则条款", "Rule broken"),
        F("violation_type", "string", "违规行为类型", "Type of violation"),
        F("facts", "string", "违规事实", "Facts"),
        F("basis", "string", "惩戒依据", "Basis of the sanction"),
        F("decided_by", "string", "作出决定的机构", "Body that decided"),
        F("decided_on", "date", "惩戒决定日期", "Date of the decision"),
        *_DATES,
    )),
    Dataset("compliance", "公示义务核查结果", "Disclosure obligations", (
        F("association", "string", "协会标识", "Association slug"),
        F("association_name", "string", "协会全称", "Association's full name"),
        F("rule", "string", "义务规则编号（站点配置）", "Obligation rule id (site configuration)"),
        F("title", "string", "义务名称", "Obligation"),
        F("source", "string", "依据条款（SZ 深圳 2018 实施意见 / GD 广东 2013 通知）",
          "Source clause (SZ Shenzhen 2018 opinion / GD Guangdong 2013 notice)"),
        F("status", "string", "状态代码：on_time / late / pending / overdue / met / missing / not_applicable",
          "Status: on_time / late / pending / overdue / met / missing / not_applicable"),
        F("status_label", "string", "状态（中文）", "Status (Chinese label)"),
        F("instance", "string", "所涉文档标识或期间；不公开的文档不写标识", "Document id or period; empty for documents that are not public"),
        F("start", "date", "起算日期（决定日期或期间结束日）", "Date that started the clock (decision date or end of period)"),
        F("due", "date", "截止日期", "Due date"),
        F("published", "date", "公示日期（证据）", "Publication date used as evidence"),
        F("basis", "string", "公示日期的来源：attested 提交记录核验 / declared 声明日期",
          "Where the publication date comes from: attested (git commit) / declared (the document's word)"),
        F("late_working_days", "integer", "逾期工作日数", "Working days late"),
        F("evidence_url", "url", "证据文档链接", "Link to the evidence"),
        F("detail", "string", "说明", "Detail"),
    )),
)
BY_NAME: dict[str, Dataset] = {d.name: d for d in DATASETS}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _doc_common(doc: Any, site: Site, evaluation: Evaluation) -> dict[str, Any]:
    assoc = site.by_slug[doc.association]
    state = evaluation.state(doc.raw.rel)
    return {
        "association": doc.association, "association_name": assoc.name, "id": doc.id,
        "url": site.config.base_url + doc.url, "title": doc.model.title,
        "declared_published_on": _iso(state.declared_on or doc.model.published_on),
        "attested_published_on": _iso(attested_date(doc, site, evaluation)),
        "expires_on": _iso(state.expires_on),
    }


def association_rows(site: Site, evaluation: Evaluation) -> list[dict[str, Any]]:
    return [_association_row(site, evaluation, a) for a in sorted(site.associations, key=lambda a: a.slug)]


def _association_row(site: Site, evaluation: Evaluation, a: Association) -> dict[str, Any]:
    p = a.profile
    return {
        "slug": a.slug, "name": p.name, "short_name": p.short_name, "name_en": p.name_en, "uscc": p.uscc,
        "industry": p.industry, "supervisory_departments": list(p.supervisory_departments),
        "registration_authority": p.registration.authority,
        "certificate_number": p.registration.certificate_number,
        "registered_on": _iso(p.registration.registered_on), "legal_representative": p.legal_representative,
        "address": p.address, "member_count": p.member_count,
        "self_regulation_body": p.self_regulation_body.name if p.self_regulation_body else None,
        "public_documents": len(public_documents(site, evaluation, a)),
        "updated_on": _iso(p.updated_on), "url": site.config.base_url + a.url,
        "feed": site.config.base_url + a.url + "feed.xml",
    }


def document_rows(site: Site, evaluation: Evaluation) -> list[dict[str, Any]]:
    return list(_document_rows(site, evaluation))


def _document_rows(site: Site, evaluation: Evaluation) -> Iterator[dict[str, Any]]:
    for d in latest_first(public_documents(site, evaluation)):
        yield _document_row(d, site, evaluation)


def _document_row(d: Any, site: Site, evaluation: Evaluation) -> dict[str, Any]:
    return {**_doc_common(d, site, evaluation), "kind": d.kind.name, "kind_label": d.kind.label_zh,
            "date": _iso(d.model.event_date()), "summary": d.model.summary,
            "amendments": len(d.model.amendments)}


def sanction_rows(site: Site, evaluation: Evaluation) -> list[dict[str, Any]]:
    return list(_sanction_rows(site, evaluation))


def _sanction_rows(site: Site, evaluation: Evaluation) -> Iterator[dict[str, Any]]:
    for d in latest_first(_sanctions(site, evaluation)):
        yield _sanction_row(d, site, evaluation)


def _sanctions(site: Site, evaluation: Evaluation, assoc: Association | None = None) -> list[Any]:
    return [x for x in public_documents(site, evaluation, assoc) if x.kind.name == "sanction"]


def _sanction_row(d: Any, site: Site, evaluation: Evaluation) -> dict[str, Any]:
    m = d.model
    return {
        **_doc_common(d, site, evaluation), "decision_number": m.decision_number,
        "subject_name": display_name(m.subject, site.config.mask_individuals), "subject_type": m.subject.type.value,
        "subject_uscc": m.subject.uscc, "subject_employer": m.subject.employer,
        "measure": m.measure.value, "measure_label": m.measure.zh, "rule_broken": m.rule_broken,
        "violation_type": m.violation_type, "facts": m.facts, "basis": m.basis, "decided_by": m.decided_by,
        "decided_on": _iso(m.decided_on),
    }


def compliance_rows(site: Site, evaluation: Evaluation, association: str | None = None) -> list[dict[str, Any]]:
    # One record shape with the compliance pages and CLI (compliance.obligation_record);
    # imported here because compliance builds on the renderer, which documents these datasets.
    from .compliance import obligation_record
    rows = [{"association": s.association, "association_name": site.by_slug[s.association].name,
             **obligation_record(site, s)} for s in public_statuses(site, evaluation, association)]
    return sorted(rows, key=lambda r: (r["association"], r["rule"], r["instance"] or "", r["due"] or ""))


class SharedRows:
    """One dataset's rows for the files made of them (its JSON and its CSV): made once per
    process for `uses` takes, and let go after the last (the documents' and the compliance
    rows cost a tenth of a second each at 10k documents). The render workers of a full
    write take such files in one task (`parallel.same_worker`), so one worker makes them."""

    def __init__(self, make: Callable[[], list[dict[str, Any]]], uses: int) -> None:
        self._make, self._uses = make, uses
        self._rows: list[dict[str, Any]] | None = None
        self._left = 0
        self._pid = 0

    def take(self) -> list[dict[str, Any]]:
        from .cache import process_id
        if self._rows is None or self._pid != process_id():    # none yet, or a forked copy's
            self._rows, self._left, self._pid = self._make(), self._uses, process_id()
        rows = self._rows
        self._left -= 1
        if self._left <= 0:
            self._rows = None
        return rows


ROWS: dict[str, Callable[[Site, Evaluation], list[dict[str, Any]]]] = {
    "associations": association_rows, "documents": document_rows, "sanctions": sanction_rows,
    "compliance": compliance_rows,
}


def rows_digest(name: str, site: Site, evaluation: Evaluation, assoc: Association) -> str:
    """A digest of one association's part of dataset `name`: its rows and, for the datasets
    sorted across associations, where each row sorts (event date and URL; the URL is unique).
    The associations' digests in slug order decide the whole file (with the build-wide key:
    as-of date, base URL, code), so an association whose inputs did not change need not
    make its rows again to tell (the build state keeps its digests)."""
    h = hashlib.sha256(name.encode())
    if name == "associations":
        h.update(_row_bytes(_association_row(site, evaluation, assoc)))
    elif name in ("documents", "sanctions"):
        docs = public_documents(site, evaluation, assoc) if name == "documents" else _sanctions(site, evaluation, assoc)
        row = _document_row if name == "documents" else _sanction_row
        for d in docs:
            h.update(_row_bytes((_iso(d.model.event_date()), d.url, row(d, site, evaluation))))
    else:
        # Sorted by association first: one association's rows are one run of the file, in
        # the order this gives.
        for r in compliance_rows(site, evaluation, assoc.slug):
            h.update(_row_bytes(r))
    return h.hexdigest()


def _row_bytes(value: Any) -> bytes:
    """One row, unambiguously, for a digest: marshal (format 2: no back-references, no mark
    of interned strings, so equal rows give equal bytes in every run) is a tenth of the cost
    of repr on these plain dicts; repr for a row marshal refuses (a str subclass, a model)."""
    try:
        return b"m" + marshal.dumps(value, 2)
    except ValueError:
        return b"r" + repr(value).encode("utf-8", "surrogatepass")


def to_json(dataset: Dataset, rows: list[dict[str, Any]], site: Site) -> bytes:
    return b"".join(json_chunks(dataset, rows, site))


_RECORDS = "GONGSHI-RECORDS-GO-HERE"
_ROWS_PER_CHUNK = 500


def json_chunks(dataset: Dataset, rows: list[dict[str, Any]], site: Site) -> Iterator[bytes]:
    """The dataset's JSON (`jsontext.dumps_indented(doc, 1)` and a newline) in pieces of a
    few hundred records: the records of 10,000 documents are never one string."""
    doc: dict[str, Any] = {"dataset": dataset.name, "title": dataset.title_zh, "as_of": site.as_of.isoformat(),
                           "fields": [f.name for f in dataset.fields], "documentation": site.config.base_url + "/data/",
                           "records": [_RECORDS] if rows else []}
    before, *after = dumps_indented(doc, 1).split(encode_basestring(_RECORDS))
    if not after:
        yield (before + "\n").encode("utf-8")
        return
    yield before.encode("utf-8")
    names = [f.name for f in dataset.fields]
    for start in range(0, len(rows), _ROWS_PER_CHUNK):
        records = records_text(rows[start:start + _ROWS_PER_CHUNK], names, "\n  ", " ")
        # the separator of a list two levels deep, between records and before a chunk's first
        yield (",\n  " * bool(start) + ",\n  ".join(records)).encode("utf-8")
    yield (after[0] + "\n").encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "；".join(str(v) for v in value)
    return str(value)


def to_csv(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(csv_chunks(dataset, rows))


def csv_chunks(dataset: Dataset, rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The CSV (UTF-8 with a byte order mark, CRLF) in pieces of a few hundred rows."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    names = [f.name for f in dataset.fields]
    writer.writerow(names)
    encoding = "utf-8-sig"                  # the mark once, at the start of the file
    for chunk in _batches(rows, _ROWS_PER_CHUNK):
        writer.writerows(_cells(chunk, names))
        yield buf.getvalue().encode(encoding)
        encoding = "utf-8"
        buf.seek(0)
        buf.truncate()
    if encoding == "utf-8-sig":             # no rows: the header alone
        yield buf.getvalue().encode(encoding)


# Values the csv module writes as `_cell` does (None empty, the rest as str() gives them).
_PLAIN_CELLS = frozenset((str, int, bool, float, type(None)))


def _cells(rows: list[dict[str, Any]], names: list[str]) -> list[list[Any]]:
    """The rows' fields in `names` order, as `_cell` writes them."""
    table = [[*map(r.get, names)] for r in rows]
    if set(map(type, chain.from_iterable(table))) <= _PLAIN_CELLS:
        return table            # as they are: the csv module writes them the same
    return [[_cell(v) for v in row] for row in table]


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch
