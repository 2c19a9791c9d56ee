"""Disclosure documents: one model per kind. Bodies are Markdown; these are front matter."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from .common import AdoptingBodyType, Document, EntityKindType, Model, Subject, Text, Uscc, labelled

# --- rules and standards -------------------------------------------------------------


class Charter(Document):
    """章程 — SZ 三(三): must contain the Party-building requirement; SZ 四(一): the self-regulation body."""

    adopted_on: dt.date = Field(title="通过日期")
    adopted_by: AdoptingBodyType = Field(default="congress", title="通过机构")
    approved_on: dt.date | None = Field(default=None, title="登记管理机关核准日期")
    party_building_clause: str | None = Field(default=None, title="党建工作条款",
                                              description="写明党建工作要求的条款，如「第四条」；没有则留空",
                                              examples=["第四条"])
    self_regulation_clause: str | None = Field(default=None, title="行业自律机构条款", examples=["第二十八条"])

    def event_date(self) -> dt.date | None:
        return self.adopted_on


class Convention(Document):
    """行业自律规约 / 行规行约 — GD 二(一): reviewed by the congress or the council."""

    adopted_by: AdoptingBodyType = Field(title="审议通过机构", description="congress 会员（代表）大会 或 council 理事会")
    adopted_on: dt.date = Field(title="审议通过日期")
    meeting: str | None = Field(default=None, title="审议会议", examples=["第三届会员代表大会第二次会议"])
    effective_on: dt.date | None = Field(default=None, title="施行日期")

    def event_date(self) -> dt.date | None:
        return self.adopted_on


class EthicsCode(Document):
    """职业道德准则 — SZ 四(二)2: explicitly bans bribery."""

    adopted_on: dt.date = Field(title="发布日期")
    adopted_by: AdoptingBodyType | None = Field(default=None, title="通过机构")
    bans_bribery: bool = Field(title="明确禁止贿赂行为", description="准则中是否有明确禁止各种贿赂行为的条款")
    bribery_clause: str | None = Field(default=None, title="禁止贿赂条款", examples=["第六条"])

    def event_date(self) -> dt.date | None:
        return self.adopted_on


StandardType, StandardTypeT = labelled("StandardType", {
    "quality": ("质量规范", "quality standard"),
    "service": ("服务标准", "service standard"),
})


class Standard(Document):
    """质量规范和服务标准 — GD 二(一)."""

    standard_type: StandardTypeT = Field(title="标准类别")
    number: str | None = Field(default=None, title="标准编号", examples=["T/SZJA 001-2024"])
    adopted_on: dt.date = Field(title="发布日期")
    effective_on: dt.date | None = Field(default=None, title="实施日期")

    def event_date(self) -> dt.date | None:
        return self.adopted_on


# --- commitments ---------------------------------------------------------------------


class CreditCommitment(Document):
    """信用承诺 — SZ 五(一): a public promise to accept sanctions for dishonest conduct."""

    committer: Subject = Field(title="承诺主体")
    committed_on: dt.date = Field(title="承诺日期")
    accepts_sanctions: bool = Field(title="自愿接受失信惩戒", description="承诺如有失信行为自愿接受惩戒和约束")

    def event_date(self) -> dt.date | None:
        return self.committed_on


Promise, PromiseT = labelled("Promise", {
    "no_forced_membership": ("不强制入会", "no forced membership"),
    "no_arbitrary_fees": ("不设名目乱收费", "no arbitrary fees"),
    "no_forced_services": ("不强行服务", "no forced services"),
    "no_arbitrary_ratings": ("不搞乱评比、乱培训、乱表彰", "no arbitrary ratings, trainings or awards"),
    "no_slush_fund": ("不设立小金库", "no slush fund"),
    "within_charter_scope": ("不超出章程规定的业务范围", "nothing outside the charter's scope"),
})


class ServiceCommitment(Document):
    """服务承诺 — GD 二(三)."""

    committed_on: dt.date = Field(title="承诺日期")
    promises: list[PromiseT] = Field(min_length=1, title="承诺事项",
                                     description="GD 二(三) 要求的六项承诺：" + "、".join(v[0] for v in Promise.labels().values()))
    fee_items: list[Text] = Field(default_factory=list, title="服务收费项目及标准")

    def event_date(self) -> dt.date | None:
        return self.committed_on


# --- credit --------------------------------------------------------------------------

Grade, GradeT = labelled("Grade", {g: (g, g) for g in ("AAA", "AA", "A", "B", "C", "D")})


class Rating(Model):
    name: Text = Field(title="会员单位名称")
    uscc: Uscc
    grade: GradeT = Field(title="信用等级")


class CreditEvaluation(Document):
    """信用评价 — SZ 五(一): ratings of member companies."""

    evaluated_on: dt.date = Field(title="评价日期")
    valid_until: dt.date | None = Field(default=None, title="有效期至")
    method: str | None = Field(default=None, title="评价办法", examples=["《会员企业信用评价办法（2024 年修订）》"])
    ratings: list[Rating] = Field(min_length=1, title="评价结果", description="每家被评价的会员单位一条：名称、代码、等级")

    def event_date(self) -> dt.date | None:
        return self.evaluated_on


ListType, ListTypeT = labelled("ListType", {
    "red": ("红名单", "red list"),
    "black": ("黑名单", "black list"),
})


class ListEntry(Document):
    """诚信红黑名单 — SZ 五(三)."""

    list_type: ListTypeT = Field(title="名单类别", description="red 红名单（守信激励） / black 黑名单（失信惩戒）")
    subject: Subject = Field(title="列入对象")
    reason: Text = Field(title="列入事由", description="列入红名单或黑名单的事实和依据",
                         examples=["连续三年信用评价为 AAA 级，无投诉记录"])
    decided_on: dt.date = Field(title="列入决定日期")
    valid_until: dt.date | None = Field(default=None, title="有效期至")
    measures: list[Text] = Field(default_factory=list, title="激励或惩戒措施", examples=[["优先办理、简化程序"]])

    def event_date(self) -> dt.date | None:
        return self.decided_on


# --- sanctions and 双公示 ------------------------------------------------------------

Measure, MeasureT = labelled("Measure", {
    "warning": ("警告", "warning"),
    "internal_criticism": ("行业内通报批评", "criticism circulated within the industry"),
    "public_censure": ("公开谴责", "public censure"),
    "membership_revoked": ("取消会员资格", "membership revoked"),
    "referral": ("向有关部门通报", "referral to the authorities"),
})


class Sanction(Document):
    """行业惩戒 — SZ 四(二)4, with the fields of the national 双公示 penalty record."""

    decision_number: Text = Field(title="惩戒决定书文号", examples=["深珠协自律〔2025〕3号"])
    subject: Subject = Field(title="惩戒对象")
    measure: MeasureT = Field(title="惩戒措施", description="warning 警告 / internal_criticism 行业内通报批评 / "
                              "public_censure 公开谴责 / membership_revoked 取消会员资格 / referral 向有关部门通报")
    rule_broken: Text = Field(title="违反的规约或准则条款", examples=["《行业自律公约》第十二条"])
    violation_type: str | None = Field(default=None, title="违规行为类型", examples=["虚假宣传"])
    facts: Text = Field(title="违规事实", description="经查明的违规行为：时间、地点、行为和后果",
                        examples=["2025 年 3 月在门店宣传中使用“最高级”“第一品牌”等用语，经书面提醒后仍未改正。"])
    basis: Text = Field(title="惩戒依据", description="作出惩戒所依据的规约、准则或章程条款",
                        examples=["《行业自律公约》第二十条、《会员惩戒办法》第八条"])
    decided_by: Text = Field(title="作出决定的机构", examples=["行业自律委员会"])
    decided_on: dt.date = Field(title="惩戒决定日期", description="作出决定（办结）的日期：公示期限从次日起算")
    repaired_on: dt.date | None = Field(default=None, title="信用修复日期",
                                        description="完成信用修复的日期；满最短公示期后可提前撤下")

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Sanction":
        if self.published_on and self.published_on < self.decided_on:
            raise PydanticCustomError("decided_after_published", "决定日期 {decided} 晚于公示日期 {published}",
                                      {"decided": self.decided_on.isoformat(), "published": self.published_on.isoformat()})
        return self

    def event_date(self) -> dt.date | None:
        return self.decided_on

    def facet_measure(self) -> str | None:
        return self.measure.value


RecordCategory, RecordCategoryT = labelled("RecordCategory", {
    "licensing": ("行政许可", "administrative licensing"),
    "penalty": ("行政处罚", "administrative penalty"),
})


class LicensingPenalty(Document):
    """行政许可 / 行政处罚 (双公示) — SZ 五(二), fields of the national XK_* / CF_* templates."""

    category: RecordCategoryT = Field(title="信息类别")
    decision_number: Text = Field(title="决定文书号", examples=["深市监罚〔2025〕118号"])
    subject: Subject = Field(title="行政相对人")
    authority: Text = Field(title="许可/处罚机关", description="作出行政许可或行政处罚决定的机关全称",
                            examples=["深圳市市场监督管理局"])
    authority_uscc: Uscc | None = Field(default=None, description="许可/处罚机关的统一社会信用代码")
    data_source: str | None = Field(default=None, title="数据来源单位")
    data_source_uscc: Uscc | None = Field(default=None, description="数据来源单位的统一社会信用代码")
    decided_on: dt.date = Field(title="决定日期", description="办结日期：须在其后 7 个工作日内公示")
    # licensing (XK_*)
    licence_type: str | None = Field(default=None, title="许可类别", examples=["普通"])
    licence_name: str | None = Field(default=None, title="许可证书名称", description="行政许可必填", examples=["食品经营许可证"])
    licence_number: str | None = Field(default=None, title="许可编号")
    licence_content: str | None = Field(default=None, title="许可内容", description="行政许可必填", examples=["预包装食品销售"])
    valid_from: dt.date | None = Field(default=None, title="有效期自")
    valid_to: dt.date | None = Field(default=None, title="有效期至")
    # penalty (CF_*)
    violation_type: str | None = Field(default=None, title="违法行为类型")
    facts: str | None = Field(default=None, title="违法事实", description="行政处罚必填：处罚决定书认定的违法事实")
    basis: str | None = Field(default=None, title="处罚依据", description="行政处罚必填：适用的法律法规条款",
                              examples=["《中华人民共和国广告法》第五十七条"])
    penalty_type: str | None = Field(default=None, title="处罚类别", examples=["罚款"])
    penalty_content: str | None = Field(default=None, title="处罚内容", description="行政处罚必填",
                                        examples=["罚款人民币 5 万元，责令停止发布违法广告"])
    fine_amount: float | None = Field(default=None, ge=0, title="罚款金额（万元）")
    repaired_on: dt.date | None = Field(default=None, title="信用修复日期")

    @model_validator(mode="after")
    def _category_fields(self) -> "LicensingPenalty":
        need = ("licence_name", "licence_content") if self.category == "licensing" else ("facts", "basis", "penalty_type", "penalty_content")
        missing = [f for f in need if getattr(self, f) in (None, "")]
        if missing:
            raise PydanticCustomError("category_fields", "{category} 信息必须填写：{missing}",
                                      {"category": self.category.zh, "missing": "、".join(missing)})
        if self.published_on and self.published_on < self.decided_on:
            raise PydanticCustomError("decided_after_published", "决定日期 {decided} 晚于公示日期 {published}",
                                      {"decided": self.decided_on.isoformat(), "published": self.published_on.isoformat()})
        return self

    def event_date(self) -> dt.date | None:
        return self.decided_on

    def facet_measure(self) -> str | None:
        return self.category.value


# --- reports -------------------------------------------------------------------------

ReportType, ReportTypeT = labelled("ReportType", {
    "self_regulation": ("行业自律工作年度报告", "annual self-regulation report"),
    "work": ("年度工作报告", "annual work report"),
    "social_responsibility": ("年度社会责任报告", "social responsibility report"),
})


class AnnualReport(Document):
    """SZ 六(二) self-regulation report; GD 二(二) work report (to members); GD 二(三) social responsibility."""

    report_type: ReportTypeT = Field(title="报告类别")
    year: int = Field(ge=2000, le=2100, title="报告年度")
    submitted_to: list[Text] = Field(default_factory=list, title="报送机关",
                                     examples=[["深圳市民政局", "深圳市市场监督管理局"]])
    submitted_on: dt.date | None = Field(default=None, title="报送日期")

    def event_date(self) -> dt.date | None:
        return self.published_on or self.submitted_on or dt.date(self.year, 12, 31)


class SupervisoryReport(Document):
    """SZ 六(五): reports to the supervisory department, at least every half year."""

    period: Annotated[str, Field(pattern=r"^\d{4}-H[12]$")] = Field(title="报告期", description="YYYY-H1 上半年 / YYYY-H2 下半年",
                                                                   examples=["2025-H1"])
    department: Text = Field(title="听取汇报的行业主管部门", examples=["深圳市市场监督管理局"])
    reported_on: dt.date = Field(title="汇报日期")

    def event_date(self) -> dt.date | None:
        return self.reported_on


Topic, TopicT = labelled("Topic", {
    "finances": ("财务收支情况", "finances"),
    "donations": ("接受捐赠和资助情况", "donations and grants"),
    "overseas_trips": ("出国（境）考察情况", "overseas trips"),
    "major_activities": ("重大活动情况", "major activities"),
})


class MemberDisclosure(Document):
    """GD 二(二): disclosed to members, never on the public site."""

    topic: TopicT = Field(title="公开事项")
    period: Text = Field(title="所属期间", examples=["2025 年度"])
    disclosed_on: dt.date = Field(title="向会员公开日期")

    @model_validator(mode="after")
    def _members_only(self) -> "MemberDisclosure":
        if self.audience != "members":
            raise PydanticCustomError("members_only", "此类信息只向会员公开：请写 audience: members")
        return self

    def event_date(self) -> dt.date | None:
        return self.disclosed_on


VoteMethod, VoteMethodT = labelled("VoteMethod", {
    "secret_ballot": ("无记名投票", "secret ballot"),
    "show_of_hands": ("举手表决", "show of hands"),
    "open_ballot": ("记名投票", "open ballot"),
})


class Fee(Model):
    member_class: Text = Field(title="会员类别", examples=["会长单位"])
    amount_yuan: float = Field(ge=0, title="金额（元/年）", examples=[20000])


class FeeStandard(Document):
    """会费标准 — GD 二(四): set or changed by the congress by secret ballot."""

    adopted_by: AdoptingBodyType = Field(title="表决机构")
    vote_method: VoteMethodT = Field(title="表决方式")
    adopted_on: dt.date = Field(title="表决通过日期")
    meeting: str | None = Field(default=None, title="表决会议")
    fees: list[Fee] = Field(min_length=1, title="会费标准", description="每个会员类别一条：类别和每年金额（元）")

    def event_date(self) -> dt.date | None:
        return self.adopted_on


class AntiBriberySystem(Document):
    """反贿赂管理体系 — SZ 四(二)5."""

    adopted_on: dt.date = Field(title="建立日期")
    risk_assessed_on: dt.date | None = Field(default=None, title="最近一次贿赂风险评估日期")
    procedures: list[Text] = Field(min_length=1, title="程序", examples=[["风险评估", "风险识别", "处置程序"]])

    def event_date(self) -> dt.date | None:
        return self.adopted_on


__all__ = [
    "Charter", "Convention", "EthicsCode", "Standard", "CreditCommitment", "ServiceCommitment",
    "CreditEvaluation", "ListEntry", "Sanction", "LicensingPenalty", "AnnualReport", "SupervisoryReport",
    "MemberDisclosure", "FeeStandard", "AntiBriberySystem", "Measure", "ListType", "ReportType",
    "EntityKindType", "Uscc",
]
