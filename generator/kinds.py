"""The registry of content kinds: the one place that says what a kind is.

Adding a kind touches this table, one model and (optionally) one template, nothing in the
pipeline. `folder` is where its files live under an association; singletons (the profile,
the charter) have a fixed file name instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from .models import documents as d
from .models.profile import AssociationProfile


@dataclass(frozen=True)
class Kind:
    name: str                 # stable code: URLs, facets, open data, `new KIND`
    label_zh: str
    label_en: str
    model: type[BaseModel]
    folder: str | None = None         # e.g. "sanctions"; None for singletons
    filename: str | None = None       # e.g. "charter.md" for singletons
    template: str = "document.html"
    suffix: str = ".md"               # what `new` writes
    source: str = ""                  # the seed reference that asks for it
    in_feeds: bool = True

    def url(self, association: str, doc_id: str) -> str:
        if self.name == "association":
            return f"/associations/{association}/"
        if self.folder is None:
            return f"/associations/{association}/{self.name}/"
        return f"/associations/{association}/{self.folder}/{doc_id}/"

    def list_url(self, association: str | None = None) -> str:
        base = f"/associations/{association}" if association else ""
        return f"{base}/{self.folder or self.name}/"


KINDS: tuple[Kind, ...] = (
    Kind("association", "协会概况", "Association profile", AssociationProfile, filename="association.yaml",
         template="association.html", suffix=".yaml", source="GD 二(二), SZ 三", in_feeds=False),
    Kind("charter", "章程", "Charter", d.Charter, filename="charter.md", source="SZ 三(三), SZ 四(一)"),
    Kind("convention", "行业自律规约", "Self-regulation convention", d.Convention, folder="conventions", source="SZ 四(二)1, GD 二(一)"),
    Kind("ethics_code", "职业道德准则", "Ethics code", d.EthicsCode, folder="ethics-codes", source="SZ 四(二)2"),
    Kind("standard", "质量规范和服务标准", "Quality and service standard", d.Standard, folder="standards", source="GD 二(一)"),
    Kind("credit_commitment", "信用承诺", "Credit commitment", d.CreditCommitment, folder="credit-commitments", source="SZ 五(一)"),
    Kind("service_commitment", "服务承诺", "Service commitment", d.ServiceCommitment, folder="service-commitments", source="GD 二(三)"),
    Kind("credit_evaluation", "信用评价", "Credit evaluation", d.CreditEvaluation, folder="credit-evaluations", source="SZ 五(一)"),
    Kind("list_entry", "诚信红黑名单", "Red / black list entry", d.ListEntry, folder="red-black-lists", source="SZ 五(三)"),
    Kind("sanction", "行业惩戒", "Sanction", d.Sanction, folder="sanctions", source="SZ 四(二)4"),
    Kind("licensing_penalty", "行政许可和行政处罚", "Licensing and penalty information", d.LicensingPenalty,
         folder="licensing-penalties", source="SZ 五(二)"),
    Kind("annual_report", "年度报告", "Annual report", d.AnnualReport, folder="reports", source="SZ 六(二), GD 二(二), GD 二(三)"),
    Kind("supervisory_report", "向行业主管部门汇报", "Report to the supervisory department", d.SupervisoryReport,
         folder="supervisory-reports", source="SZ 六(五)"),
    Kind("member_disclosure", "向会员公开的信息", "Member-only disclosure", d.MemberDisclosure, folder="member-disclosures",
         source="GD 二(二)", in_feeds=False),
    Kind("fee_standard", "会费标准", "Membership fee standard", d.FeeStandard, folder="fee-standards", source="GD 二(四)"),
    Kind("anti_bribery_system", "反贿赂管理体系", "Anti-bribery management system", d.AntiBriberySystem,
         folder="anti-bribery", source="SZ 四(二)5"),
)

BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
BY_FOLDER: dict[str, Kind] = {k.folder: k for k in KINDS if k.folder}
BY_FILENAME: dict[str, Kind] = {k.filename: k for k in KINDS if k.filename}


def kind_for(folder: str | None, filename: str) -> Kind | None:
    """The kind a file's location implies, or None if nothing lives there."""
    if folder is None:
        return BY_FILENAME.get(filename)
    return BY_FOLDER.get(folder)
